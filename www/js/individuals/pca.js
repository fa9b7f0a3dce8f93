// individuals/pca.js — the PCA scatter: the users' attack features on their first two principal
// directions, coloured by truth or by score (shapes always show the truth), its legend, its text
// equivalent and the table of both groups; hover reads a dot, a click opens its card.

import { num } from '../format.js';
import { MEMBER, NONMEMBER, ticks, tickText, scoreColour, median, mean } from '../individuals-model.js';
import {
  FONT, INK, GRID, view, el, table, dot, ring, sizeCanvas, local, hit, describeDot,
} from './common.js';
import { schedule } from './threshold.js';
import { openCard } from './card.js';


// ---- PCA scatter ----------------------------------------------------------------------------

export function buildPca() {
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

export function drawPca() {
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
