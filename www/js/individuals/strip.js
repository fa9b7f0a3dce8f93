// individuals/strip.js — the strip: a beeswarm of attack scores, one dot per target user (members
// and non-members in two lanes, two colours and two shapes), the flagged side shaded behind the
// threshold line, the threshold slider and its reset, the confusion counts in words and as a table,
// and the pointer: drag the line (mouse, pen or touch), press a dot to open its card.

import { MEMBER, NONMEMBER, rocIndexForScore, beeswarm, ticks, tickText } from '../individuals-model.js';
import {
  FONT, INK, view, el, table, sig, dot, ring, haloText, sizeCanvas, local, hit, describeDot,
} from './common.js';
import { setIdx } from './threshold.js';
import { textPx } from '../charts/common.js';
import { openCard } from './card.js';


const SHADE = '#eef3fa'; // the flagged side of the strip (behind ink text: 16:1)
// A pointer within this many CSS px of the threshold line grabs it; a press that moves less than
// DRAG_PX before release is a click (opens the dot's card).
const GRAB_PX = 12;
const DRAG_PX = 4;

// ---- the strip (beeswarm of scores) with the threshold ----------------------------------------

export function buildStrip() {
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
  const fs = textPx(14); // the lanes' and the threshold's labels (24 px in lecture mode)
  const top = fs + 16; // the threshold's label
  const labelH = fs + 6;
  m.label = top + fs;
  m.centre = top + labelH + m.half;
  nm.label = m.centre + m.half + fs + 6;
  nm.centre = nm.label + fs / 2 - 1 + nm.half;
  const axisY = nm.centre + nm.half + 4;
  const H = Math.round(axisY + (narrow ? 44 : 46) + 2 * (textPx(13) - 13));
  const pts = [];
  for (const ln of [m, nm]) ln.recs.forEach((rec, i) => pts.push({ x: ln.xs[i], y: ln.centre + ln.ys[i], rec }));
  return { W, H, r, narrow, px, lo, hi, padL, padR, lanes: [m, nm], axisY, top, pts };
}

/** x (CSS px) of the threshold line: between the lowest flagged score and the highest unflagged one. */
export function thresholdX(L) {
  const t = view.result.roc.thresholds;
  const i = view.idx;
  const right = i === 0 ? L.W - L.padR + 4 : L.px(t[i]);
  const left = i + 1 < t.length ? L.px(t[i + 1]) : L.padL - 6;
  return (left + right) / 2;
}

export function drawStrip() {
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
  ctx.font = `700 ${textPx(14)}px ${FONT}`;
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
  ctx.font = `700 ${textPx(14)}px ${FONT}`;
  const w = ctx.measureText(text).width;
  haloText(ctx, text, tx + 10 + w <= W - 4 ? tx + 10 : Math.max(4, tx - 10 - w), L.top - textPx(14) / 2 - 7, INK);
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
  ctx.font = `${textPx(13)}px ${FONT}`; ctx.fillStyle = INK; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const v of tk) {
    const x = L.px(v);
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y + 5); ctx.stroke();
    ctx.fillText(tickText(v, step), x, y + 7);
  }
  ctx.font = `600 ${textPx(13)}px ${FONT}`;
  // The longest caption that fits (lecture mode's 24 px type leaves room for less).
  const caption = ['Attack score (higher = more likely a member; the attack\u2019s own cut-off is 0)',
    'Attack score (higher = more likely member)', 'Attack score'].find((t, i) => (i > 0 || !L.narrow) && ctx.measureText(t).width <= L.W - 8) || 'Score';
  ctx.fillText(caption, L.W / 2, y + 13 + textPx(13));
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
