// individuals/card.js — the user card: truth, score and the verdict at the current threshold, rank,
// centroid distance, their top-N list and rated movies by title (data/titles.tsv, fetched once, for
// the bundled sample only), and an SVG of their two centroids in the PCA plane.

import { num } from '../format.js';
import { MEMBER, ticks, tickText, parseTitles, cardReasons, sharedNonMemberList } from '../individuals-model.js';
import { FONT, INK, GRID, view, el, svg, sig, truth, plural } from './common.js';
import { schedule } from './threshold.js';


const TITLES_URL = new URL('../../data/titles.tsv', import.meta.url);
let titlesPromise = null; // Map id -> title, fetched once when the first card opens

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

export async function openCard(rec, { focus }) {
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
  // Why, from this user's own numbers (individuals-model.js cardReasons), at the current threshold.
  v.why = fact('Why', '').querySelector('dd');
  v.why.id = 'ind-why';
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

export function renderVerdict() {
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
  if (v.why) {
    const popular = v.result.config?.protocol === 'popular' ? sharedNonMemberList(v.records) : null;
    const why = cardReasons(rec, thr, { popular, dist: v.dist });
    v.why.textContent = [...why.reasons, why.note].filter(Boolean).join(' ');
  }
}

export function closeCard(focusSelect) {
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
