// charts/heatmap.js — the transfer matrix's heatmap on a plain canvas: one fixed colour scale
// (ColorBrewer YlGnBu, 0.5 → 1) with its bar, the value written in every cell in the ink that
// contrasts more, the diagonal outlined, the hover / arrow-key readout, and its own PNG export.

import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { pct, num, meanStd } from '../format.js';
import { GREY, INK, FONT, el, presenting } from './common.js';
import { EXPORT_RATIO, toPNG, saveBlob } from './export.js';

// ---- transfer matrix heatmap ------------------------------------------------------------------

// ColorBrewer YlGnBu (colour-blind safe, light to dark), one fixed scale for every matrix so two
// matrices can be compared by eye: HEAT_RANGE[0] (chance) is the lightest, HEAT_RANGE[1] the darkest.
export const HEAT = ['#ffffd9', '#edf8b1', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#253494', '#081d58'];
export const HEAT_RANGE = [0.5, 1];

// The rows' title, in two lines over the row labels (a rotated title would not fit two rows).
const HEAT_ROWS = ['Shadow', '(trained on) \u2193'];

const hexRgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const rgbHex = (c) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** The colour of a ROC-AUC on the fixed scale (values below 0.5 take the 0.5 colour). */
export function heatColour(v) {
  const [lo, hi] = HEAT_RANGE;
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  const x = t * (HEAT.length - 1);
  const i = Math.min(HEAT.length - 2, Math.floor(x));
  const a = hexRgb(HEAT[i]);
  const b = hexRgb(HEAT[i + 1]);
  return rgbHex(a.map((c, j) => c + (b[j] - c) * (x - i)));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * Ink for text on `hex`: black or white, whichever contrasts more. Pure black (not INK) keeps the
 * worst case, where both contrast equally, at 4.58:1 (WCAG AA).
 */
export function heatInk(hex) {
  const l = luminance(hexRgb(hex));
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

// Short column and row names for a phone (issue 18: 2 of 5 columns showed at 390 px, the colour
// bar off screen); the notes spell them out.
const SHORT = { 'item-knn': 'knn', popularity: 'pop' };
const NARROW = 520;

/**
 * A phone's layout: short names, smaller type, the colour bar under the grid, so five algorithms
 * and the scale fit 370 CSS px (no scrolling); anything wider still scrolls, with a visible cue.
 */
function narrowLayout(ctx, width, m) {
  const n = m.recommenders.length;
  const names = m.recommenders.map((x) => SHORT[x] || x);
  ctx.font = `600 13px ${FONT}`;
  const nameW = Math.max(...names.map((x) => ctx.measureText(x).width));
  const labelW = nameW + 10; // the rows' title goes on the top line, left of the columns' title
  const left = 4 + labelW;
  const top = 44;
  const cellW = Math.max(46, Math.ceil(nameW) + 8, Math.min(120, Math.floor((width - left - 6) / n)));
  const cellH = Math.max(44, Math.min(70, Math.round(cellW * 0.8)));
  const gridH = cellH * n;
  const barY = top + gridH + 30;
  const barW = Math.min(cellW * n, 260);
  return {
    n, f: 1, narrow: true, names, left, top, labelW, axisBand: 22, cellW, cellH, gridH, barX: left, barY, barW, barH: 14,
    width: Math.max(width, left + cellW * n + 6), height: barY + 14 + 26,
  };
}

/** Where everything of a heatmap `width` CSS px wide with `n` algorithms goes (CSS px). */
function heatLayout(ctx, width, m) {
  if (width < NARROW && !presenting()) return narrowLayout(ctx, width, m);
  const n = m.recommenders.length;
  const big = presenting() && width >= 600; // a phone keeps the normal type: 24 px cells would not fit
  const f = big ? 24 / 13 : 1; // the smallest text (13 px) at 24 px in lecture mode
  ctx.font = `600 ${15 * f}px ${FONT}`;
  ctx.font = `700 ${15 * f}px ${FONT}`;
  const cornerW = ctx.measureText(HEAT_ROWS[1]).width;
  ctx.font = `600 ${15 * f}px ${FONT}`;
  const nameW = Math.max(...m.recommenders.map((x) => ctx.measureText(x).width));
  const labelW = Math.max(cornerW, nameW) + 14;
  const axisBand = 26 * f; // the axis titles: the rows' in two lines over the row labels, the columns' over the columns
  const left = 8 + labelW;
  const top = axisBand + 26 * f;
  const bar = 112 * f; // the gap before the colour bar, the bar, its ticks and their labels ("≤ 0.5")
  // Never narrower than the longest name (the column labels must not run into each other).
  const cellW = Math.max(60, Math.ceil(nameW) + 16, Math.min(170 * f, Math.floor((width - left - bar - 8) / n)));
  // Lecture mode: the grid and its colour bar end on the screen (below where the figure starts).
  const room = big ? window.innerHeight - (document.getElementById('chart')?.getBoundingClientRect().top ?? 0) - top - 12 * f - 80 : Infinity;
  const cellH = Math.max(40, Math.min(Math.max(54 * f, Math.min(96 * f, Math.round(cellW * 0.62))), Math.floor(room / n)));
  const gridH = cellH * n;
  const barH = Math.max(gridH, Math.min(190 * f, room));
  return {
    n, f, narrow: false, names: m.recommenders, left, top, labelW, axisBand, cellW, cellH, gridH, barH,
    barX: left + cellW * n + 34 * f, width: Math.max(width, left + cellW * n + bar), height: top + barH + 12 * f,
  };
}

/** Draws the heatmap on `canvas` at `r` device px per CSS px; `focus` = {s, t} cell indices or null. */
function drawHeat(canvas, m, width, r, focus) {
  const ctx = canvas.getContext('2d');
  const L = heatLayout(ctx, width, m);
  canvas.width = Math.round(L.width * r);
  canvas.height = Math.round(L.height * r);
  canvas.style.width = `${L.width}px`; // CSSOM (allowed by style-src 'self'), not a style attribute
  canvas.style.height = `${L.height}px`;
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, L.width, L.height);
  const names = m.recommenders;
  const nSeeds = m.seeds.length;
  const fs = L.narrow ? 13 : 15 * L.f; // the labels' type size
  // Axis titles: columns are the attacked (target) algorithm, rows the one the attack trained on.
  ctx.fillStyle = INK;
  ctx.textBaseline = 'middle';
  ctx.font = `700 ${fs}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.fillText(L.narrow ? 'Target \u2192' : 'Target (attacked) \u2192', L.left + (L.cellW * L.n) / 2, 11 * L.f);
  ctx.textAlign = 'right';
  if (L.narrow) { ctx.textAlign = 'left'; ctx.fillText('Shadow \u2193', 4, 11); }
  else {
    ctx.fillText(HEAT_ROWS[0], L.left - 8, 11 * L.f);
    ctx.fillText(HEAT_ROWS[1], L.left - 8, L.top - 13 * L.f);
  }
  ctx.font = `600 ${fs}px ${FONT}`;
  L.names.forEach((name, i) => {
    ctx.textAlign = 'center';
    ctx.fillText(name, L.left + L.cellW * (i + 0.5), L.narrow ? 30 : L.top - 13 * L.f);
    ctx.textAlign = 'right';
    ctx.fillText(name, L.left - 6, L.top + L.cellH * (i + 0.5));
  });
  // Cells: the colour of the mean AUC, the number written on it, 2 px of white between cells.
  names.forEach((s, i) => names.forEach((t, j) => {
    const c = m.cells.find((x) => x.shadow === s && x.target === t);
    const x = L.left + L.cellW * j + 1;
    const y = L.top + L.cellH * i + 1;
    const w = L.cellW - 2;
    const h = L.cellH - 2;
    const fill = heatColour(c.roc_auc_mean);
    ctx.fillStyle = fill;
    ctx.fillRect(x, y, w, h);
    ctx.fillStyle = heatInk(fill);
    ctx.textAlign = 'center';
    const two = nSeeds > 1;
    ctx.font = `700 ${L.narrow ? 14 : 20 * L.f}px ${FONT}`;
    ctx.fillText(num(c.roc_auc_mean), x + w / 2, y + h / 2 - (two ? (L.narrow ? 7 : 9 * L.f) : 0));
    if (two) {
      ctx.font = `500 ${L.narrow ? 11 : 13 * L.f}px ${FONT}`;
      ctx.fillText(`\u00b1 ${num(c.roc_auc_std)}`, x + w / 2, y + h / 2 + (L.narrow ? 9 : 12 * L.f));
    }
    if (i === j) { // the paper's assumption: a black frame with a white inner line, visible on any colour
      ctx.lineWidth = 3;
      ctx.strokeStyle = INK;
      ctx.strokeRect(x + 1.5, y + 1.5, w - 3, h - 3);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(x + 3.75, y + 3.75, w - 7.5, h - 7.5);
    }
  }));
  if (focus) {
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#b3005e'; // the page's focus colour
    ctx.strokeRect(L.left + L.cellW * focus.t - 1, L.top + L.cellH * focus.s - 1, L.cellW + 2, L.cellH + 2);
  }
  if (L.narrow) { // the colour bar under the grid: chance on the left, 1 on the right
    const g = ctx.createLinearGradient(L.barX, 0, L.barX + L.barW, 0);
    HEAT.forEach((h, i) => g.addColorStop(i / (HEAT.length - 1), h));
    ctx.fillStyle = g;
    ctx.fillRect(L.barX, L.barY, L.barW, L.barH);
    ctx.lineWidth = 1;
    ctx.strokeStyle = GREY;
    ctx.strokeRect(L.barX, L.barY, L.barW, L.barH);
    ctx.fillStyle = INK;
    ctx.font = `700 13px ${FONT}`;
    ctx.textAlign = 'left';
    ctx.fillText('AUC', L.barX, L.barY - 10);
    ctx.font = `500 12px ${FONT}`;
    for (let v = 0.5; v <= 1.0001; v += 0.1) {
      const x = L.barX + L.barW * ((v - 0.5) / 0.5);
      ctx.beginPath(); ctx.moveTo(x, L.barY + L.barH); ctx.lineTo(x, L.barY + L.barH + 4); ctx.stroke();
      ctx.textAlign = v < 0.55 ? 'left' : v > 0.95 ? 'right' : 'center';
      ctx.fillText(v < 0.55 ? '\u2264 0.5' : v.toFixed(1), x, L.barY + L.barH + 13);
    }
    return L;
  }
  // The colour bar: the fixed scale, 1 at the top, chance at the bottom.
  const bw = 18 * L.f;
  const g = ctx.createLinearGradient(0, L.top + L.barH, 0, L.top);
  HEAT.forEach((h, i) => g.addColorStop(i / (HEAT.length - 1), h));
  ctx.fillStyle = g;
  ctx.fillRect(L.barX, L.top, bw, L.barH);
  ctx.lineWidth = 1;
  ctx.strokeStyle = GREY;
  ctx.strokeRect(L.barX, L.top, bw, L.barH);
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  ctx.font = `500 ${14 * L.f}px ${FONT}`;
  for (let v = 0.5; v <= 1.0001; v += 0.1) {
    const y = L.top + L.barH * (1 - (v - 0.5) / 0.5);
    ctx.beginPath(); ctx.moveTo(L.barX + bw, y); ctx.lineTo(L.barX + bw + 5, y); ctx.stroke();
    ctx.fillText(v < 0.55 ? '\u2264 0.5' : v.toFixed(1), L.barX + bw + 8, y);
  }
  ctx.font = `700 ${14 * L.f}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.fillText('AUC', L.barX + bw / 2, L.top - 13 * L.f);
  return L;
}

/** "Shadow lfm → target popularity: ROC-AUC 0.474 ± — (1 seed) · TPR at 1% FPR 2.0%" */
export function matrixReadout(m, s, t) {
  const c = m.cells.find((x) => x.shadow === m.recommenders[s] && x.target === m.recommenders[t]);
  const n = m.seeds.length;
  return `Shadow ${c.shadow} \u2192 target ${c.target}: ROC-AUC ${meanStd(c.roc_auc_mean, c.roc_auc_std, 3, n)}`
    + ` (${n === 1 ? '1 seed' : `${n} seeds`}) \u00b7 TPR at 1% FPR ${c.tpr_at_1pct_mean === null ? 'not measurable' : pct(c.tpr_at_1pct_mean)}`
    + `${c.shadow === c.target ? ' \u00b7 same algorithm (the paper\u2019s assumption)' : ''}`
    + (c.strongest_attack ? ` \u00b7 strongest attack: ${c.strongest_attack} ${num(c.strongest_roc_auc_mean)}` : '');
}

/**
 * The transfer matrix as a heatmap: rows = the shadow model's algorithm (what the attack was
 * trained on), columns = the target's (what it attacks), ROC-AUC mean over seeds written in each
 * cell on one fixed colour scale (0.5 → 1, with its bar), the diagonal outlined. Hover or the arrow
 * keys read a cell out; the plot's label lists every cell and `describedBy` points at the tables.
 */
export function drawMatrix(box, m, { title, describedBy, condition = '' } = {}) {
  box.replaceChildren();
  const names = m.recommenders;
  const nSeeds = m.seeds.length;
  const spread = nSeeds === 1 ? 'one seed' : `mean over ${nSeeds} seeds`;
  const summary = `Transfer matrix heatmap${condition ? ` (${condition})` : ''}: ROC-AUC of the attack, ${spread}. `
    + 'Rows: the algorithm of the shadow model the attack was trained on; columns: the algorithm attacked. '
    + m.cells.map((c) => `Shadow ${c.shadow}, target ${c.target}: ${num(c.roc_auc_mean)}${c.shadow === c.target ? ' (same algorithm)' : ''}.`).join(' ')
    + ' Colours from light (0.5, chance) to dark (1). The numbers are in the tables.';
  const notes = [`Colour: ROC-AUC on one fixed scale, from 0.5 (chance; lightest) to 1 (darkest), the same in every matrix;`
    + ' cells at or below 0.5 take the lightest colour. '
    + (nSeeds > 1 ? `The number in each cell is the mean \u00b1 sample std over seeds ${m.seeds.join(', ')}.`
      : `The number in each cell is the AUC of seed ${m.seeds[0]} (one seed: no spread).`),
  'Outlined: shadow = target, the paper\u2019s assumption; off the diagonal, the attacker guessed the algorithm wrong.'];
  const short = names.filter((x) => SHORT[x]);
  if (short.length) notes.push(`On a narrow screen: ${short.map((x) => `${SHORT[x]} = ${x}`).join(', ')}.`);
  box.append(el('p', 'chart-title', title));
  const row = el('div', 'plots n1');
  const holder = el('div', 'plot heatmap');
  holder.id = `${box.id}-plot0`;
  holder.setAttribute('role', 'img');
  holder.setAttribute('aria-label', summary);
  if (describedBy) holder.setAttribute('aria-describedby', describedBy);
  holder.tabIndex = 0;
  const canvas = document.createElement('canvas');
  holder.append(canvas);
  row.append(holder);
  const readout = el('p', 'readout');
  readout.id = `${box.id}-readout`;
  readout.setAttribute('aria-live', 'polite');
  readout.textContent = 'Hover over a cell (or focus the matrix and use the arrow keys) to read it.';
  const legend = el('ul', 'chart-legend');
  const li = el('li');
  const sw = el('span', 'swatch');
  sw.setAttribute('aria-hidden', 'true');
  sw.style.borderTopColor = INK;
  li.append(sw, document.createTextNode('Outlined: shadow = target (the paper\u2019s assumption)'));
  legend.append(li);
  box.append(row, readout, legend);

  let focus = null;
  let layout = null;
  const ratio = () => uPlot.pxRatio || window.devicePixelRatio || 1;
  // Wider than its box (many algorithms): it scrolls inside the box, and says so.
  const cue = el('p', 'scroll-cue small', 'Scroll sideways for every column \u2192');
  cue.hidden = true;
  row.after(cue);
  const draw = () => {
    layout = drawHeat(canvas, m, row.clientWidth, ratio(), focus);
    cue.hidden = !(layout.width > row.clientWidth + 1);
  };
  const show = () => { draw(); readout.textContent = matrixReadout(m, focus.s, focus.t); };
  draw();
  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const t = Math.floor((e.clientX - rect.left - layout.left) / layout.cellW);
    const s = Math.floor((e.clientY - rect.top - layout.top) / layout.cellH);
    if (s < 0 || t < 0 || s >= names.length || t >= names.length) return;
    if (!focus || focus.s !== s || focus.t !== t) { focus = { s, t }; show(); }
  });
  holder.addEventListener('keydown', (e) => {
    const n = names.length;
    const f = focus || { s: 0, t: 0 };
    const next = {
      ArrowRight: { s: f.s, t: f.t + 1 }, ArrowLeft: { s: f.s, t: f.t - 1 },
      ArrowDown: { s: f.s + 1, t: f.t }, ArrowUp: { s: f.s - 1, t: f.t },
      Home: { s: 0, t: 0 }, End: { s: n - 1, t: n - 1 },
    }[e.key];
    if (!next) return;
    e.preventDefault();
    const clamp = (v) => Math.max(0, Math.min(n - 1, v));
    focus = { s: clamp(next.s), t: clamp(next.t) };
    show();
  });
  let w0 = row.clientWidth;
  const ro = new ResizeObserver(() => {
    if (row.clientWidth === w0) return;
    w0 = row.clientWidth;
    draw();
  });
  ro.observe(row);
  return {
    plots: [], title, notes, summary,
    destroy() { ro.disconnect(); box.replaceChildren(); },
    async downloadPNG(filename) {
      const copy = document.createElement('canvas');
      // At least 640 CSS px wide, so the title, the legend and the notes fit beside a small matrix.
      drawHeat(copy, m, Math.max(layout.width, 640), EXPORT_RATIO, null);
      const blob = await toPNG([copy], EXPORT_RATIO, {
        title, notes, legend: [{ text: 'Outlined: shadow = target (the paper\u2019s assumption)', color: INK }],
      }, false);
      saveBlob(blob, filename);
      return blob;
    },
  };
}
