// individuals.js — owns the Individuals view of a single run: every target user as a dot. A
// beeswarm of attack scores (members and non-members in two colour-blind-safe colours AND shapes)
// with a threshold the user drags (pointer, touch, or the keyboard on a real slider) that moves a
// marked point on the ROC chart and states the confusion counts in words; the users' 2-D PCA
// positions (coloured by truth or by score); a user card (rated movies and top-N list by title,
// both centroids, score and rank); and the text equivalents of both canvases. Everything is
// labelled with the run's condition. main.js calls update() whenever it draws a result; the
// records come from the worker (wasm Job.users(), the same records as `memberlens run --users`).
// Drawing is plain canvas / SVG through the DOM: no markup style attributes (the page's CSP).

import { num, pct } from './format.js';
import {
  MEMBER, NONMEMBER, countsAt, rocIndexForScore, rocCountsAt, beeswarm, ticks, tickText, scoreColour,
  scoreMid, median, mean, parseTitles,
} from './individuals-model.js';

const $ = (id) => document.getElementById(id);
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const INK = '#111111';
const SHADE = '#eef3fa'; // the flagged side of the strip (behind ink text: 16:1)
const GRID = '#e2e5ea';
const TITLES_URL = new URL('../data/titles.tsv', import.meta.url);
// Rows of the "surest / least sure" table at each end of the ranking.
const ENDS = 5;
// A pointer within this many CSS px of the threshold line grabs it; a press that moves less than
// DRAG_PX before release is a click (opens the dot's card).
const GRAB_PX = 12;
const DRAG_PX = 4;

let view = null; // the run on screen: records, derived numbers, threshold, selection, DOM handles
let titlesPromise = null; // Map id -> title, fetched once when the first card opens

/**
 * Shows the Individuals view for `v` = {result, records, bundled, condition, chart, rocs, scale}
 * (chart: the ROC handle of js/charts.js; rocs: the results drawn on it; scale: 'linear' | 'log'),
 * or hides it (null). The same result keeps its threshold, card and toggles; the ROC chart is
 * redrawn by main.js on every view change, so the marker is attached to the chart passed each time.
 */
export function update(v) {
  const box = $('individuals');
  if (!box) return;
  if (!v || !Array.isArray(v.records) || !v.records.length || !v.result?.roc) {
    teardown();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (!view || view.result !== v.result) build(v);
  attachRoc(v.chart, v.rocs || [v.result], v.scale === 'log');
}

function teardown() {
  if (!view) return;
  view.ro.disconnect();
  view = null;
  const body = $('individuals-body');
  if (body) body.replaceChildren();
}

// ---- small DOM helpers ----------------------------------------------------------------------

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A table with a caption, a header row and rows whose first cell is a row header. */
function table(id, caption, head, rows, cls = '') {
  const t = el('table', { id, class: `ind-table ${cls}`.trim() });
  t.append(el('caption', {}, caption));
  const tr = el('tr');
  head.forEach((h) => tr.append(el('th', { scope: 'col' }, h)));
  const thead = el('thead');
  thead.append(tr);
  t.append(thead);
  const tbody = t.appendChild(el('tbody'));
  fillRows(tbody, rows);
  return t;
}

function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map((r) => {
    const tr = el('tr');
    r.forEach((c, i) => {
      const cell = i === 0 ? el('th', { scope: 'row' }) : el('td');
      cell.append(c);
      tr.append(cell);
    });
    return tr;
  }));
}

/** A score or threshold as read on screen: three significant digits, a real minus sign. */
const sig = (v) => String(+v.toPrecision(3)).replace('-', '\u2212');
const truth = (r) => (r.member ? 'member' : 'non-member');
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// ---- building the view ----------------------------------------------------------------------

function build(v) {
  teardown();
  const result = v.result;
  const records = v.records;
  const n = result.roc.thresholds.length;
  const members = records.filter((r) => r.member);
  const nonMembers = records.filter((r) => !r.member);
  const scores = records.map((r) => r.score);
  const byRank = [...records].sort((a, b) => a.rank - b.rank);
  const label = `AUC ${num(result.roc_auc)} \u2014 ${v.condition}`;
  view = {
    result, records, byRank, members, nonMembers, bundled: !!v.bundled, condition: v.condition, label,
    n, idx: rocIndexForScore(result.roc, 0), colourBy: 'truth', selected: null,
    lo: Math.min(...scores), hi: Math.max(...scores), mid: scoreMid(scores),
    dist: { member: median(members.map((r) => r.centroid_distance)), nonMember: median(nonMembers.map((r) => r.centroid_distance)) },
    strip: null, pca: null, roc: null, frame: 0, ro: null,
  };
  view.home = view.idx;
  const body = $('individuals-body');
  const intro = el('p', { class: 'ind-intro' });
  intro.textContent = `Each dot is one of the ${records.length} target users (${members.length} members, `
    + `${nonMembers.length} non-members; ${label}). Drag the threshold line, or use the slider, to choose whom `
    + 'the attacker accuses: the black square \u25a0 on the ROC chart follows it. Click a dot, or pick a user '
    + 'below, to open that user\u2019s card.';
  const figs = el('div', { class: 'ind-figs' });
  figs.append(buildStrip(), buildPca());
  const pick = el('div', { class: 'ind-pick' });
  const sel = el('select', { id: 'ind-user' });
  sel.append(el('option', { value: '' }, 'Choose a user\u2026'));
  for (const r of byRank) {
    sel.append(el('option', { value: String(r.user) },
      `Rank ${r.rank}: user ${r.user} (${truth(r)}, score ${num(r.score, 2)})`));
  }
  sel.addEventListener('change', () => {
    const r = records.find((x) => String(x.user) === sel.value);
    if (r) openCard(r, { focus: false }); else closeCard(false);
  });
  pick.append(el('label', { for: 'ind-user' }, 'Open a user\u2019s card'), sel);
  view.select = sel;
  const users = table('ind-users-table',
    `The ${ENDS} users the attack is surest are members, and the ${ENDS} it is surest are not (${label})`,
    ['Rank', 'User', 'Truth', 'Score', 'At this threshold'], []);
  view.usersBody = users.tBodies[0];
  const usersBlock = el('div', { class: 'table-scroll' });
  usersBlock.append(users);
  const card = el('section', { id: 'ind-card', class: 'ind-card', tabindex: '-1', 'aria-labelledby': 'ind-card-h' });
  card.hidden = true;
  view.card = card;
  body.replaceChildren(intro, figs, usersBlock, pick, card);
  view.ro = new ResizeObserver(() => schedule(true));
  view.ro.observe(view.strip.holder);
  view.ro.observe(view.pca.holder);
  setIdx(view.idx);
}

// ---- the strip (beeswarm of scores) with the threshold ----------------------------------------

function buildStrip() {
  const fig = el('figure', { class: 'chart-box ind-fig' });
  fig.append(el('p', { class: 'chart-title' }, `Attack scores, one dot per target user \u2014 ${view.label}`));
  const holder = el('div', { class: 'ind-plot', role: 'img', 'aria-describedby': 'ind-counts-table ind-users-table' });
  const canvas = el('canvas', { class: 'ind-canvas ind-strip', id: 'ind-strip' });
  holder.append(canvas);
  const readout = el('p', { class: 'readout', id: 'ind-strip-readout' },
    'Hover over a dot to read it; press it to open the card.');
  const legend = el('ul', { class: 'chart-legend' });
  legend.append(
    el('li', { class: 'ind-member' }, `\u25cf Members (${view.members.length})`),
    el('li', { class: 'ind-nonmember' }, `\u25b2 Non-members (${view.nonMembers.length})`),
    el('li', {}, '\u2503 Threshold: users at or right of it are flagged'),
  );
  const ctl = el('div', { class: 'ind-threshold' });
  const slider = el('input', {
    type: 'range', id: 'ind-thr', min: '0', max: String(view.n - 1), step: '1',
  });
  const reset = el('button', { type: 'button', class: 'small-button', id: 'ind-thr-reset' },
    'Back to the attack\u2019s own cut-off (score \u2265 0)');
  ctl.append(el('label', { for: 'ind-thr' }, 'Threshold (\u2190 flags more users, \u2192 fewer)'), slider, reset);
  const counts = el('p', { class: 'ind-counts', id: 'ind-counts' });
  const ct = table('ind-counts-table', '', ['', 'Flagged as member', 'Not flagged', 'Total'], [], 'ind-counts-t');
  const ctBlock = el('div', { class: 'table-scroll' });
  ctBlock.append(ct);
  fig.append(holder, readout, legend, ctl, counts, ctBlock);
  // The slider runs over the ROC's points: position p is ROC point n-1-p, so → raises the threshold.
  slider.addEventListener('input', () => setIdx(view.n - 1 - Number(slider.value)));
  reset.addEventListener('click', () => setIdx(view.home));
  view.strip = { fig, holder, canvas, readout, slider, counts, countsTable: ct, layout: null };
  wireStripPointer(canvas);
  return fig;
}

/** Positions of every dot for the canvas width `W` (CSS px): recomputed only when W changes. */
function stripLayout(W) {
  const narrow = W < 480;
  const r = narrow ? 3.5 : 4.5;
  const padL = 14;
  const padR = 14;
  const span = view.hi - view.lo || 1;
  const lo = view.lo - span * 0.03;
  const hi = view.hi + span * 0.03;
  const px = (s) => padL + ((s - lo) / (hi - lo)) * (W - padL - padR);
  const lane = (recs) => {
    const xs = recs.map((x) => px(x.score));
    const ys = beeswarm(xs, 2 * r + 1.2, narrow ? 40 : 52);
    const half = Math.max(0, ...ys.map(Math.abs)) + r + 3;
    return { recs, xs, ys, half };
  };
  const m = lane(view.members);
  const nm = lane(view.nonMembers);
  const top = 30; // the threshold's label
  const labelH = 20;
  m.label = top + 14;
  m.centre = top + labelH + m.half;
  nm.label = m.centre + m.half + 20;
  nm.centre = nm.label + 6 + nm.half;
  const axisY = nm.centre + nm.half + 4;
  const H = Math.round(axisY + (narrow ? 44 : 46));
  const pts = [];
  for (const ln of [m, nm]) ln.recs.forEach((rec, i) => pts.push({ x: ln.xs[i], y: ln.centre + ln.ys[i], rec }));
  return { W, H, r, narrow, px, lo, hi, padL, padR, lanes: [m, nm], axisY, top, pts };
}

/** x (CSS px) of the threshold line: between the lowest flagged score and the highest unflagged one. */
function thresholdX(L) {
  const t = view.result.roc.thresholds;
  const i = view.idx;
  const right = i === 0 ? L.W - L.padR + 4 : L.px(t[i]);
  const left = i + 1 < t.length ? L.px(t[i + 1]) : L.padL - 6;
  return (left + right) / 2;
}

function drawStrip() {
  const s = view.strip;
  const W = Math.floor(s.holder.clientWidth);
  if (W < 50) return; // hidden (lecture mode, a folded panel): drawn when it shows again
  if (!s.layout || s.layout.W !== W) s.layout = stripLayout(W);
  const L = s.layout;
  const ctx = sizeCanvas(s.canvas, W, L.H);
  const tx = thresholdX(L);
  // The flagged side, shaded, with the line and its label on top.
  ctx.fillStyle = SHADE;
  ctx.fillRect(tx, L.top - 4, W - tx, L.axisY - L.top + 4);
  ctx.font = `700 14px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const [m, nm] = L.lanes;
  ctx.fillStyle = MEMBER;
  ctx.fillText(`\u25cf Members (${m.recs.length})`, 4, m.label);
  ctx.fillStyle = NONMEMBER;
  ctx.fillText(`\u25b2 Non-members (${nm.recs.length})`, 4, nm.label);
  let drawn = 0;
  for (const p of L.pts) {
    dot(ctx, p.x, p.y, L.r, p.rec.member, p.rec.member ? MEMBER : NONMEMBER);
    drawn++;
  }
  if (view.selected) {
    const p = L.pts.find((q) => q.rec === view.selected);
    if (p) ring(ctx, p.x, p.y, L.r + 4);
  }
  // Threshold line, handle and label.
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2.5;
  ctx.beginPath(); ctx.moveTo(tx, L.top - 4); ctx.lineTo(tx, L.axisY); ctx.stroke();
  ctx.fillStyle = INK;
  ctx.beginPath(); ctx.moveTo(tx - 7, L.top - 12); ctx.lineTo(tx + 7, L.top - 12); ctx.lineTo(tx, L.top - 3); ctx.closePath(); ctx.fill();
  const thr = view.result.roc.thresholds[view.idx];
  const text = view.idx === 0 ? 'nobody flagged' : `flagged: score \u2265 ${sig(thr)} \u2192`;
  ctx.font = `700 14px ${FONT}`;
  const w = ctx.measureText(text).width;
  haloText(ctx, text, tx + 10 + w <= W - 4 ? tx + 10 : Math.max(4, tx - 10 - w), L.top - 14, INK);
  // Score axis.
  axisX(ctx, L);
  s.canvas.dataset.dots = String(drawn);
  s.canvas.dataset.thresholdX = String(tx);
}

function axisX(ctx, L) {
  const y = L.axisY;
  ctx.strokeStyle = INK; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(L.padL, y + 0.5); ctx.lineTo(L.W - L.padR, y + 0.5); ctx.stroke();
  const tk = ticks(L.lo, L.hi, L.narrow ? 4 : 7);
  const step = tk.length > 1 ? tk[1] - tk[0] : 1;
  ctx.font = `13px ${FONT}`; ctx.fillStyle = INK; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const v of tk) {
    const x = L.px(v);
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y + 5); ctx.stroke();
    ctx.fillText(tickText(v, step), x, y + 7);
  }
  ctx.font = `600 13px ${FONT}`;
  ctx.fillText(L.narrow ? 'Attack score (higher = more likely member)'
    : 'Attack score (higher = more likely a member; the attack\u2019s own cut-off is 0)', L.W / 2, y + 26);
}

/** A member's circle or a non-member's triangle, filled with `colour`, a white edge between neighbours. */
function dot(ctx, x, y, r, member, colour) {
  ctx.beginPath();
  if (member) ctx.arc(x, y, r, 0, 2 * Math.PI);
  else {
    const a = r * 1.25;
    ctx.moveTo(x, y - a); ctx.lineTo(x + a * 0.95, y + a * 0.7); ctx.lineTo(x - a * 0.95, y + a * 0.7); ctx.closePath();
  }
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = 0.8;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
}

function ring(ctx, x, y, r) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 3; ctx.strokeStyle = '#ffffff'; ctx.stroke();
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 2; ctx.strokeStyle = INK; ctx.stroke();
}

function haloText(ctx, text, x, y, colour) {
  ctx.lineWidth = 4; ctx.strokeStyle = 'rgba(255,255,255,0.92)'; ctx.strokeText(text, x, y);
  ctx.fillStyle = colour; ctx.fillText(text, x, y);
}

/** Sizes a canvas to W×H CSS px at the screen's pixel ratio; returns its context in CSS px. */
function sizeCanvas(canvas, W, H) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(W * dpr);
  const h = Math.round(H * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  return ctx;
}

function local(canvas, e) {
  const b = canvas.getBoundingClientRect();
  return { x: e.clientX - b.left, y: e.clientY - b.top };
}

/** The dot under (x, y) in `pts`, if any (a little slack for fingers). */
function hit(pts, x, y, r) {
  let best = null;
  let bestD = (r + 4) ** 2;
  for (const p of pts) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) { bestD = d; best = p; }
  }
  return best;
}

function describeDot(rec) {
  return `User ${rec.user} \u00b7 ${truth(rec)} \u00b7 score ${num(rec.score, 2)} \u00b7 rank ${rec.rank} of ${view.records.length}`
    + ` \u00b7 ${rec.score >= view.result.roc.thresholds[view.idx] ? 'flagged' : 'not flagged'} at this threshold`;
}

/** Pointer, pen and touch: grab the line (or press anywhere and move) to drag; a click on a dot opens its card. */
function wireStripPointer(canvas) {
  let drag = null;
  const toIdx = (x) => {
    const L = view.strip.layout;
    const score = L.lo + ((x - L.padL) / (L.W - L.padL - L.padR)) * (L.hi - L.lo);
    setIdx(rocIndexForScore(view.result.roc, score));
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (!view?.strip.layout || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const { x, y } = local(canvas, e);
    const L = view.strip.layout;
    drag = { id: e.pointerId, x0: x, moved: false, grab: Math.abs(x - thresholdX(L)) <= GRAB_PX, on: hit(L.pts, x, y, L.r) };
    try {
      canvas.setPointerCapture(e.pointerId); // keep the drag when the pointer leaves the canvas
    } catch { /* a synthetic event has no active pointer to capture: the drag still works inside */ }
    e.preventDefault(); // no text selection while dragging
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!view?.strip.layout) return;
    const { x, y } = local(canvas, e);
    const L = view.strip.layout;
    if (drag && drag.id === e.pointerId) {
      if (Math.abs(x - drag.x0) > DRAG_PX) drag.moved = true;
      if (drag.moved) toIdx(x);
      return;
    }
    const p = hit(L.pts, x, y, L.r);
    canvas.classList.toggle('on-dot', !!p);
    if (p) view.strip.readout.textContent = `${describeDot(p.rec)}. Press to open the card.`;
  });
  const end = (e, cancelled) => {
    if (!drag || drag.id !== e.pointerId) return;
    const d = drag;
    drag = null;
    if (cancelled || d.moved) return;
    const { x } = local(canvas, e);
    if (d.on) openCard(d.on.rec, { focus: true });
    else if (!d.grab) toIdx(x);
  };
  canvas.addEventListener('pointerup', (e) => end(e, false));
  canvas.addEventListener('pointercancel', (e) => end(e, true));
}

/** Moves the threshold to ROC point `i` and updates everything that depends on it. */
function setIdx(i) {
  view.idx = Math.max(0, Math.min(view.n - 1, i));
  const r = view.result;
  const thr = r.roc.thresholds[view.idx];
  const c = countsAt(view.records, thr);
  const fromRoc = rocCountsAt(r, view.idx);
  if (c.tp !== fromRoc.tp || c.fp !== fromRoc.fp || c.members !== fromRoc.members) {
    // Cannot happen when the records and the ROC come from the same run; say so if it ever does.
    console.warn('MemberLens: the user records disagree with the ROC at threshold', thr, c, fromRoc);
  }
  const s = view.strip;
  const at = view.idx === 0 ? 'above every score: nobody flagged' : `flagged when score \u2265 ${sig(thr)}`;
  const words = `${c.tp} of ${c.members} members found, ${c.fp} of ${c.nonMembers} non-members wrongly flagged`;
  s.counts.textContent = `At this threshold (${at}): ${words}.`;
  Object.assign(s.counts.dataset, { threshold: String(thr), rocIndex: String(view.idx), tp: String(c.tp), fp: String(c.fp) });
  s.slider.value = String(view.n - 1 - view.idx);
  s.slider.setAttribute('aria-valuetext', `${at}: ${words}`);
  s.countsTable.caption.textContent = `Who is flagged at this threshold (${at}; ${view.label})`;
  fillRows(s.countsTable.tBodies[0], [
    ['Members', `${c.tp} (${pct(c.tp / c.members)})`, String(c.members - c.tp), String(c.members)],
    ['Non-members', `${c.fp} (${pct(c.fp / c.nonMembers)})`, String(c.nonMembers - c.fp), String(c.nonMembers)],
  ]);
  s.holder.setAttribute('aria-label', stripSummary(c, at));
  fillUsersTable(thr);
  if (view.selected) renderVerdict();
  schedule(false);
}

function stripSummary(c, at) {
  const part = (recs, name, shape) => {
    const sc = recs.map((x) => x.score);
    return `${name} (${recs.length}, ${shape}): scores from ${num(Math.min(...sc), 2)} to ${num(Math.max(...sc), 2)}, median ${num(median(sc), 2)}.`;
  };
  return `Attack scores of the ${view.records.length} target users, one dot each (${view.label}). `
    + `${part(view.members, 'Members', 'circles')} ${part(view.nonMembers, 'Non-members', 'triangles')} `
    + `At this threshold (${at}): ${c.tp} of ${c.members} members found, ${c.fp} of ${c.nonMembers} non-members wrongly flagged. `
    + 'The counts and the surest users are in the tables.';
}

function fillUsersTable(thr) {
  const rk = view.byRank;
  const ends = rk.length <= 2 * ENDS ? rk : [...rk.slice(0, ENDS), ...rk.slice(-ENDS)];
  fillRows(view.usersBody, ends.map((r) => {
    const b = el('button', { type: 'button', class: 'small-button ind-open', 'aria-label': `Open the card of user ${r.user}` }, `User ${r.user}`);
    b.addEventListener('click', () => openCard(r, { focus: true }));
    return [String(r.rank), b, truth(r), num(r.score, 2), r.score >= thr ? 'flagged' : 'not flagged'];
  }));
}

/** Redraws on the next frame (a drag moves many steps per frame); `relayout` after a resize. */
function schedule(relayout) {
  if (!view) return;
  if (relayout) { view.strip.layout = null; view.pca.layout = null; }
  if (view.frame) return;
  const v = view;
  view.frame = requestAnimationFrame(() => {
    v.frame = 0;
    if (view !== v) return;
    drawStrip();
    drawPca();
    redrawRoc();
  });
}

// ---- the ROC marker (drawn by a uPlot draw hook on the ROC chart of js/charts.js) --------------

/**
 * Hooks a draw callback onto the chart's uPlot instance (its documented `hooks`): after the chart
 * draws its curves, the marker goes on the current run's curve at the slider's ROC point. On log
 * axes a zero goes where charts.js draws it: the smallest non-zero FPR / TPR of the runs shown.
 */
function attachRoc(chart, rocs, log) {
  const u = chart && chart.plots && chart.plots[0];
  if (!view || !u) return;
  if (view.roc && view.roc.u === u) return;
  const minF = Math.min(...rocs.map((r) => {
    const nz = r.roc.fpr.filter((x) => x > 0);
    return r.min_nonzero_fpr || (nz.length ? Math.min(...nz) : 1 / (r.counts?.target_nonmembers || 100));
  }));
  const minT = Math.min(...rocs.map((r) => {
    const nz = r.roc.tpr.filter((x) => x > 0);
    return r.counts?.target_members ? 1 / r.counts.target_members : nz.length ? Math.min(...nz) : 0.01;
  }));
  view.roc = { u, log, minF, minT };
  u.hooks.draw = u.hooks.draw || [];
  u.hooks.draw.push(drawRocMarker);
  u.redraw(false, false);
}

function redrawRoc() {
  const u = view && view.roc && view.roc.u;
  if (u && u.root && u.root.isConnected) u.redraw(false, false);
}

function drawRocMarker(u) {
  if (!view || !view.roc || view.roc.u !== u) return;
  const { log, minF, minT } = view.roc;
  const roc = view.result.roc;
  let f = roc.fpr[view.idx];
  let t = roc.tpr[view.idx];
  if (log) { f = f > 0 ? f : minF; t = t > 0 ? t : minT; }
  const ctx = u.ctx;
  const k = ctx.canvas.width / u.width; // the chart's pixel ratio
  const x = u.valToPos(f, 'x', true);
  const y = u.valToPos(t, 'y', true);
  const { left, top, width, height } = u.bbox;
  ctx.save();
  // Guides to both axes: the FPR and TPR this threshold gives.
  ctx.strokeStyle = INK; ctx.lineWidth = 1.5 * k; ctx.setLineDash([4 * k, 4 * k]);
  ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, top + height); ctx.moveTo(x, y); ctx.lineTo(left, y); ctx.stroke();
  ctx.setLineDash([]);
  const h = 7 * k;
  ctx.fillStyle = INK; ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 2 * k;
  ctx.beginPath(); ctx.rect(x - h, y - h, 2 * h, 2 * h); ctx.fill(); ctx.stroke();
  const text = view.idx === 0 ? '\u25a0 threshold: nobody flagged' : `\u25a0 threshold: score \u2265 ${sig(roc.thresholds[view.idx])}`;
  ctx.font = `700 ${14 * k}px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const w = ctx.measureText(text).width;
  const lx = x + 14 * k + w <= left + width ? x + 14 * k : x - 14 * k - w;
  const ly = Math.min(Math.max(y + 18 * k, top + 10 * k), top + height - 10 * k);
  ctx.lineWidth = 4 * k; ctx.strokeStyle = 'rgba(255,255,255,0.92)'; ctx.strokeText(text, lx, ly);
  ctx.fillStyle = INK; ctx.fillText(text, lx, ly);
  ctx.restore();
}

// ---- PCA scatter ----------------------------------------------------------------------------

function buildPca() {
  const fig = el('figure', { class: 'chart-box ind-fig' });
  fig.append(el('p', { class: 'chart-title' },
    `Where the users sit: the attack\u2019s features on their first two principal directions \u2014 ${view.label}`));
  const fs = el('fieldset', { class: 'inline ind-colour' });
  fs.append(el('legend', {}, 'Colour the dots by'));
  for (const [value, text] of [['truth', 'truth (member or not)'], ['score', 'attack score']]) {
    const lab = el('label');
    const input = el('input', { type: 'radio', name: 'ind-colour', value });
    input.checked = value === view.colourBy;
    input.addEventListener('change', () => {
      view.colourBy = value;
      renderPcaLegend();
      view.pca.holder.setAttribute('aria-label', pcaSummary());
      schedule(false);
    });
    lab.append(input, document.createTextNode(` ${text}`));
    fs.append(lab);
  }
  const holder = el('div', { class: 'ind-plot', role: 'img', 'aria-describedby': 'ind-pca-table' });
  const canvas = el('canvas', { class: 'ind-canvas ind-pca', id: 'ind-pca' });
  holder.append(canvas);
  const readout = el('p', { class: 'readout', id: 'ind-pca-readout' }, 'Hover over a dot to read it; click it to open the card.');
  const legend = el('ul', { class: 'chart-legend' });
  // One row per measure, a column per group: narrow enough for a phone without scrolling.
  const both = (f) => [f(view.members), f(view.nonMembers)];
  const t = table('ind-pca-table', `The two groups in the feature space (${view.label})`, ['', 'Members', 'Non-members'], [
    ['Users', ...both((g) => String(g.length))],
    ['Mean position, 1st direction', ...both((g) => num(mean(g.map((r) => r.pca[0]))))],
    ['Mean position, 2nd direction', ...both((g) => num(mean(g.map((r) => r.pca[1]))))],
    ['Median centroid distance', ...both((g) => num(median(g.map((r) => r.centroid_distance))))],
    ['Median attack score', ...both((g) => num(median(g.map((r) => r.score)), 2))],
  ]);
  const tb = el('div', { class: 'table-scroll' });
  tb.append(t);
  const note = el('p', { class: 'small' },
    'Each user\u2019s feature is the centroid of the movies they rated minus the centroid of their list; the two '
    + 'axes are the directions along which these features vary most. Centroid distance: the feature\u2019s length.');
  fig.append(fs, holder, readout, legend, tb, note);
  view.pca = { fig, holder, canvas, readout, legend, layout: null };
  holder.setAttribute('aria-label', pcaSummary());
  renderPcaLegend();
  canvas.addEventListener('pointermove', (e) => {
    const L = view?.pca.layout;
    if (!L) return;
    const { x, y } = local(canvas, e);
    const p = hit(L.pts, x, y, L.r);
    canvas.classList.toggle('on-dot', !!p);
    if (p) readoutPca(p.rec);
  });
  canvas.addEventListener('click', (e) => {
    const L = view?.pca.layout;
    if (!L) return;
    const { x, y } = local(canvas, e);
    const p = hit(L.pts, x, y, L.r);
    if (p) openCard(p.rec, { focus: true });
  });
  return fig;
}

function readoutPca(rec) {
  view.pca.readout.textContent = `${describeDot(rec)} \u00b7 position (${num(rec.pca[0])}, ${num(rec.pca[1])}). Click to open the card.`;
}

function pcaSummary() {
  const c = (recs) => `(${num(mean(recs.map((r) => r.pca[0])))}, ${num(mean(recs.map((r) => r.pca[1])))})`;
  return `The ${view.records.length} target users on the first two principal directions of the attack\u2019s features `
    + `(${view.label}), coloured by ${view.colourBy === 'truth' ? 'truth: members blue circles, non-members orange triangles'
      : 'attack score, orange (low) through grey to blue (high); shapes still show the truth'}. `
    + `Members\u2019 mean position ${c(view.members)}, non-members\u2019 ${c(view.nonMembers)}. The numbers are in the table.`;
}

function renderPcaLegend() {
  const lg = view.pca.legend;
  if (view.colourBy === 'truth') {
    lg.replaceChildren(
      el('li', { class: 'ind-member' }, `\u25cf Members (${view.members.length})`),
      el('li', { class: 'ind-nonmember' }, `\u25b2 Non-members (${view.nonMembers.length})`),
    );
    return;
  }
  const scale = el('li', { class: 'ind-scale' });
  const bar = el('span', { class: 'ind-gradient', 'aria-hidden': 'true' });
  scale.append(document.createTextNode(`Score ${num(view.lo, 1)}`), bar,
    document.createTextNode(`${num(view.hi, 1)} (grey: ${num(view.mid, 1)})`));
  lg.replaceChildren(el('li', {}, 'Shape: \u25cf member, \u25b2 non-member'), scale);
}

function pcaLayout(W) {
  const narrow = W < 480;
  const H = Math.max(240, Math.min(440, Math.round(W * 0.72)));
  const m = { l: narrow ? 48 : 56, r: 12, t: 10, b: 48 };
  const ext = (k) => {
    const v = view.records.map((r) => r.pca[k]);
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const pad = (hi - lo || 1) * 0.05;
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = ext(0);
  const [y0, y1] = ext(1);
  const px = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (v) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  // Drawn in user-id order: neither group is always painted on top of the other.
  const order = [...view.records].sort((a, b) => a.user - b.user);
  const r = narrow ? 3.5 : 4.5;
  return { W, H, m, x0, x1, y0, y1, px, py, r, narrow, pts: order.map((rec) => ({ x: px(rec.pca[0]), y: py(rec.pca[1]), rec })) };
}

function drawPca() {
  const s = view.pca;
  const W = Math.floor(s.holder.clientWidth);
  if (W < 50) return;
  if (!s.layout || s.layout.W !== W) s.layout = pcaLayout(W);
  const L = s.layout;
  const ctx = sizeCanvas(s.canvas, W, L.H);
  const { m } = L;
  const tx = ticks(L.x0, L.x1, L.narrow ? 4 : 6);
  const ty = ticks(L.y0, L.y1, 5);
  ctx.strokeStyle = GRID; ctx.lineWidth = 1;
  for (const v of tx) { const x = Math.round(L.px(v)) + 0.5; ctx.beginPath(); ctx.moveTo(x, m.t); ctx.lineTo(x, L.H - m.b); ctx.stroke(); }
  for (const v of ty) { const y = Math.round(L.py(v)) + 0.5; ctx.beginPath(); ctx.moveTo(m.l, y); ctx.lineTo(W - m.r, y); ctx.stroke(); }
  ctx.strokeStyle = INK;
  ctx.beginPath(); ctx.moveTo(m.l + 0.5, m.t); ctx.lineTo(m.l + 0.5, L.H - m.b + 0.5); ctx.lineTo(W - m.r, L.H - m.b + 0.5); ctx.stroke();
  ctx.fillStyle = INK; ctx.font = `13px ${FONT}`;
  const sx = tx.length > 1 ? tx[1] - tx[0] : 1;
  const sy = ty.length > 1 ? ty[1] - ty[0] : 1;
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const v of tx) ctx.fillText(tickText(v, sx), L.px(v), L.H - m.b + 6);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const v of ty) ctx.fillText(tickText(v, sy), m.l - 6, L.py(v));
  ctx.font = `600 13px ${FONT}`;
  ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  ctx.fillText('1st principal direction', (m.l + W - m.r) / 2, L.H - 4);
  ctx.save();
  ctx.translate(13, (m.t + L.H - m.b) / 2); ctx.rotate(-Math.PI / 2); ctx.textBaseline = 'middle';
  ctx.fillText('2nd principal direction', 0, 0);
  ctx.restore();
  let drawn = 0;
  for (const p of L.pts) {
    const colour = view.colourBy === 'truth' ? (p.rec.member ? MEMBER : NONMEMBER)
      : scoreColour(p.rec.score, view.lo, view.mid, view.hi);
    dot(ctx, p.x, p.y, L.r, p.rec.member, colour);
    drawn++;
  }
  if (view.selected) {
    const p = L.pts.find((q) => q.rec === view.selected);
    if (p) ring(ctx, p.x, p.y, L.r + 4);
  }
  s.canvas.dataset.dots = String(drawn);
}

// ---- the user card --------------------------------------------------------------------------

function loadTitles() {
  if (!titlesPromise) {
    titlesPromise = fetch(TITLES_URL).then((res) => {
      if (!res.ok) throw new Error(`data/titles.tsv: HTTP ${res.status}`);
      return res.text();
    }).then(parseTitles);
    titlesPromise.catch(() => { titlesPromise = null; }); // the next card tries again
  }
  return titlesPromise;
}

async function openCard(rec, { focus }) {
  const v = view;
  v.selected = rec;
  v.select.value = String(rec.user);
  schedule(false);
  const card = v.card;
  card.hidden = false;
  const N = v.result.config?.top_n ?? rec.list.length;
  const head = el('div', { class: 'ind-card-head' });
  head.append(el('h4', { id: 'ind-card-h' }, `User ${rec.user}: ${truth(rec)}, rank ${rec.rank} of ${v.records.length}`));
  const close = el('button', { type: 'button', class: 'small-button' }, 'Close card');
  close.addEventListener('click', () => closeCard(true));
  head.append(close);
  const facts = el('dl', { class: 'ind-facts' });
  const fact = (dt, dd) => { const d = el('div'); d.append(el('dt', {}, dt), el('dd', {}, dd)); facts.append(d); return d; };
  fact('Truth', rec.member ? 'Member: their ratings trained the target recommender.'
    : 'Non-member: their ratings were not in the training set.');
  v.verdict = fact('Attack score', '').querySelector('dd');
  fact('Rank', `${rec.rank} of ${v.records.length} (1 = the user the attack is surest is a member)`);
  fact('Centroid distance', `${num(rec.centroid_distance)} (median: members ${num(v.dist.member)}, non-members ${num(v.dist.nonMember)})`);
  const grid = el('div', { class: 'ind-card-grid' });
  const listBox = el('div', { class: 'ind-card-col' });
  const histBox = el('div', { class: 'ind-card-col' });
  grid.append(centroidFigure(rec), listBox, histBox);
  card.replaceChildren(head, el('p', { class: 'small' }, v.label), facts, grid);
  renderVerdict();
  const loading = el('p', { class: 'small' }, 'Loading movie titles\u2026');
  listBox.append(loading);
  if (focus) {
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: 'nearest' });
  }
  let titles = null;
  let note = '';
  if (v.bundled) {
    try {
      titles = await loadTitles();
    } catch (e) {
      note = `Movie titles could not be loaded (${e.message}); movies are shown by id.`;
    }
  } else note = 'This run used your own ratings file: titles are only known for the bundled MovieLens sample, so movies are shown by id.';
  if (view !== v || v.selected !== rec) return; // another card (or run) replaced this one meanwhile
  const name = (id) => (titles && titles.get(id)) || `movie ${id}`;
  const rated = new Set(rec.history);
  const listed = new Set(rec.list);
  const hits = rec.list.filter((id) => rated.has(id)).length;
  const ol = el('ol', { class: 'ind-movies', tabindex: '0', 'aria-labelledby': 'ind-list-h' });
  for (const id of rec.list) {
    const li = el('li', {}, name(id));
    if (rated.has(id)) { li.classList.add('ind-rated'); li.append(' ', el('span', { class: 'ind-badge' }, '\u2713 rated')); }
    ol.append(li);
  }
  listBox.replaceChildren(
    el('h5', { id: 'ind-list-h' }, `Their top-${N} list, best first`),
    el('p', { class: 'small' }, `${plural(hits, 'movie', 'movies')} of ${rec.list.length} on the list ${hits === 1 ? 'is' : 'are'} one${hits === 1 ? '' : 's'} they rated (marked \u2713 rated).`),
    ol,
  );
  const sorted = [...rec.history].sort((a, b) => name(a).localeCompare(name(b), 'en'));
  const ul = el('ul', { class: 'ind-movies ind-history', tabindex: '0', 'aria-labelledby': 'ind-hist-h' });
  for (const id of sorted) {
    const li = el('li', {}, name(id));
    if (listed.has(id)) li.append(' ', el('span', { class: 'ind-badge' }, 'on the list'));
    ul.append(li);
  }
  histBox.replaceChildren(el('h5', { id: 'ind-hist-h' }, `Movies they rated (${rec.history.length}), A\u2013Z`), ul);
  if (note) listBox.prepend(el('p', { class: 'small' }, note));
}

function renderVerdict() {
  const v = view;
  const rec = v.selected;
  if (!rec || !v.verdict) return;
  const thr = v.result.roc.thresholds[v.idx];
  const flagged = rec.score >= thr;
  const right = flagged === rec.member;
  const at = v.idx === 0 ? 'nobody is flagged' : `score \u2265 ${sig(thr)}`;
  v.verdict.textContent = `${num(rec.score, 2)}: ${flagged ? 'flagged as a member' : 'not flagged'} at the current threshold (${at}). `
    + (right ? 'The attack is right about this user.'
      : rec.member ? 'The attack misses this member.' : 'The attack wrongly accuses this non-member.');
}

function closeCard(focusSelect) {
  if (!view) return;
  view.selected = null;
  view.verdict = null;
  view.card.hidden = true;
  view.card.replaceChildren();
  view.select.value = '';
  schedule(false);
  if (focusSelect) view.select.focus();
}

/**
 * The user's two centroids in the PCA plane: history (the movies they rated) → list (their
 * recommendations). The window is zoomed on the pair but never narrower than a quarter of the
 * spread of all users' centroids (so a short arrow stays short), with ticks for the scale and the
 * other users' history centroids as grey context.
 */
function centroidFigure(rec) {
  const v = view;
  if (!v.centroidSpan) {
    const all = v.records.flatMap((r) => [r.history_centroid, r.list_centroid]);
    v.centroidSpan = [0, 1].map((k) => Math.max(...all.map((p) => p[k])) - Math.min(...all.map((p) => p[k])) || 1);
  }
  const win = [0, 1].map((k) => {
    const a = Math.min(rec.history_centroid[k], rec.list_centroid[k]);
    const b = Math.max(rec.history_centroid[k], rec.list_centroid[k]);
    const span = Math.max((b - a) * 1.6, v.centroidSpan[k] * 0.25);
    const c = (a + b) / 2;
    return [c - span / 2, c + span / 2];
  });
  const [[x0, x1], [y0, y1]] = win;
  const W = 300;
  const H = 240;
  const m = { l: 52, r: 10, t: 10, b: 44 };
  const px = (x) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const [hx, hy] = [px(rec.history_centroid[0]), py(rec.history_centroid[1])];
  const [lx, ly] = [px(rec.list_centroid[0]), py(rec.list_centroid[1])];
  const planar = Math.hypot(rec.history_centroid[0] - rec.list_centroid[0], rec.history_centroid[1] - rec.list_centroid[1]);
  const k = v.result.config?.k;
  const dims = `all ${k ? `${k} ` : ''}dimensions`;
  const summary = `Centroids of user ${rec.user} on the first two principal directions: their rated movies at `
    + `(${num(rec.history_centroid[0])}, ${num(rec.history_centroid[1])}), their list at (${num(rec.list_centroid[0])}, `
    + `${num(rec.list_centroid[1])}); ${num(planar)} apart in this plane, ${num(rec.centroid_distance)} in ${dims}.`;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'ind-centroids', role: 'img', 'aria-label': summary });
  const text = (x, y, str, extra = {}) => {
    const t = svg('text', { x, y, fill: INK, 'font-size': 12, 'font-family': FONT, ...extra });
    t.textContent = str;
    s.append(t);
  };
  const clip = svg('clipPath', { id: 'ind-centroid-clip' });
  clip.append(svg('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b }));
  s.append(clip);
  const tx = ticks(x0, x1, 4);
  const ty = ticks(y0, y1, 4);
  const sx = tx.length > 1 ? tx[1] - tx[0] : x1 - x0;
  const sy = ty.length > 1 ? ty[1] - ty[0] : y1 - y0;
  for (const t of tx) {
    s.append(svg('line', { x1: px(t), x2: px(t), y1: m.t, y2: H - m.b, stroke: GRID }));
    text(px(t), H - m.b + 15, tickText(t, sx), { 'text-anchor': 'middle' });
  }
  for (const t of ty) {
    s.append(svg('line', { x1: m.l, x2: W - m.r, y1: py(t), y2: py(t), stroke: GRID }));
    text(m.l - 5, py(t) + 4, tickText(t, sy), { 'text-anchor': 'end' });
  }
  s.append(svg('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, fill: 'none', stroke: INK, 'stroke-width': 1 }));
  const ctxDots = svg('g', { 'clip-path': 'url(#ind-centroid-clip)', fill: '#767676' });
  for (const r of v.records) {
    if (r === rec) continue;
    const [cx, cy] = [px(r.history_centroid[0]), py(r.history_centroid[1])];
    if (cx >= m.l && cx <= W - m.r && cy >= m.t && cy <= H - m.b) ctxDots.append(svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 1.6 }));
  }
  s.append(ctxDots);
  text((m.l + W - m.r) / 2, H - 6, '1st principal direction', { 'text-anchor': 'middle' });
  text(12, (m.t + H - m.b) / 2, '2nd principal direction', { 'text-anchor': 'middle', transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` });
  // The arrow from the history centroid to the list centroid (head drawn by hand: no markup styles).
  const len = Math.hypot(lx - hx, ly - hy);
  if (len > 16) {
    const [ux, uy] = [(lx - hx) / len, (ly - hy) / len];
    const tipX = lx - ux * 8;
    const tipY = ly - uy * 8;
    s.append(svg('line', { x1: hx, y1: hy, x2: tipX - ux * 6, y2: tipY - uy * 6, stroke: INK, 'stroke-width': 2 }));
    s.append(svg('polygon', {
      points: [[tipX, tipY], [tipX - ux * 9 - uy * 5, tipY - uy * 9 + ux * 5], [tipX - ux * 9 + uy * 5, tipY - uy * 9 - ux * 5]]
        .map((p) => p.map((c) => c.toFixed(1)).join(',')).join(' '),
      fill: INK,
    }));
  }
  s.append(svg('circle', { cx: hx, cy: hy, r: 6, fill: INK, stroke: '#ffffff', 'stroke-width': 1.5 }));
  s.append(svg('rect', { x: lx - 5.5, y: ly - 5.5, width: 11, height: 11, fill: MEMBER, stroke: '#ffffff', 'stroke-width': 1.5 }));
  const fig = el('figure', { class: 'ind-card-col ind-centroid-fig' });
  const cap = el('figcaption', { class: 'small' });
  cap.textContent = `\u25cf the centroid of their rated movies \u2192 \u25a0 the centroid of their list; grey: other users\u2019 `
    + `rated-movie centroids. Distance between the two: ${num(rec.centroid_distance)} in ${dims} (${num(planar)} in this `
    + 'plane). Members\u2019 lists follow their own taste, so for members it tends to be smaller.';
  fig.append(el('h5', {}, 'The two centroids'), s, cap);
  return fig;
}
