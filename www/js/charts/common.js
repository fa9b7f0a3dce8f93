// charts/common.js — what every chart shares: the colours and dash styles (Okabe–Ito, darkened
// for contrast), the fonts, axis options (linear and 1-2-5 log ticks), the plot's size on screen and
// in lecture mode, and small canvas helpers (haloed labels, horizontal lines). No chart lives here.

import uPlot from '../../vendor/uplot/uPlot.esm.js';

// Okabe–Ito hues, darkened until every one reaches 4.5:1 on white (WCAG AA for the chart labels
// drawn in them; lines need 3:1): blue 7.3, orange 5.9, green 5.3, purple 6.9, ink 18.9.
export const COLOURS = {
  blue: '#0057a3', orange: '#a84800', green: '#007a5a', purple: '#8e3b76', ink: '#111111', grey: '#555555',
};
// Curves in the order they are handed out (the current run first); dashes tell them apart in grey print.
export const CURVE_STYLES = [
  { color: COLOURS.blue, dash: [] },
  { color: COLOURS.orange, dash: [10, 5] },
  { color: COLOURS.green, dash: [3, 4] },
  { color: COLOURS.purple, dash: [14, 4, 3, 4] },
  { color: COLOURS.ink, dash: [2, 6] },
];
// One style per attack line in every panel of a sweep (issue 18: the run's attack was blue in one
// panel and orange in the next): colour, dash and a filled or hollow dot, so grey print tells them apart.
export const ATTACK_STYLES = {
  own: { color: COLOURS.blue, dash: [], hollow: false },
  strongest: { color: COLOURS.purple, dash: [14, 4, 3, 4], hollow: true },
  recall: { color: COLOURS.green, dash: [8, 4], hollow: false },
};
export const GREY = COLOURS.grey;
export const INK = COLOURS.ink;
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// Sizes in CSS px; uPlot multiplies by its pixel ratio itself, so charts stay sharp on HiDPI.
const AXIS_FONT = `600 16px ${FONT}`;
const LABEL_FONT = `700 18px ${FONT}`;

// Tick labels: "10%", "0.5%" (no trailing zeros, unlike the tables' fixed decimals).
// uPlot passes null for ticks it wants unlabelled.
export const tickPct = (v) => (v == null ? null : `${+(v * 100).toPrecision(3)}%`);

export function axis(label, extra = {}) {
  const big = presenting(); // a lecture hall reads the axes from afar: 24 px at least
  return {
    label, font: big ? AXIS_FONT.replace('16px', '24px') : AXIS_FONT, labelFont: big ? LABEL_FONT.replace('18px', '26px') : LABEL_FONT,
    labelSize: big ? 40 : 30, stroke: INK, size: big ? 72 : 48,
    grid: { stroke: '#d0d0d0', width: 1 }, ticks: { stroke: '#888', width: 1, size: 8 }, ...extra,
  };
}

// Ticks on log axes: 1, 2 and 5 per decade inside [min, max] (uPlot's own start at the minimum).
function logSplits(u, axisIdx, min, max) {
  const out = [];
  // Decades only when 1-2-5 ticks would sit closer than ~64 CSS px.
  const lenPx = (axisIdx === 0 ? u.bbox.width : u.bbox.height) / (u.pxRatioOf || uPlot.pxRatio);
  const decades = Math.log10(max / min);
  const mults = lenPx / (decades * 3) >= 64 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of mults) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) out.push(+v.toPrecision(3));
    }
  }
  return out;
}

export const LOG_AXIS = { splits: logSplits, filter: (u, splits) => splits };

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export const presenting = () => document.documentElement.classList.contains('present');

/** A canvas font size: `n` CSS px, or 24 px at least in lecture mode (read from the back row). */
export const textPx = (n) => (presenting() ? Math.max(24, n) : n);

/**
 * The size of a plot `width` CSS px wide: at most `maxH` tall and never taller than the window
 * allows (in lecture mode the figure takes the screen below the step bar and takeaway).
 */
export function plotSize(width, aspect, maxH) {
  const w = Math.max(260, Math.floor(width));
  const h = window.innerHeight || 800;
  // Lecture mode: the screen below where the figure starts, less its legend (about 3 lines).
  const top = presenting() ? Math.max(0, document.getElementById('chart')?.getBoundingClientRect().top ?? 330) : 0;
  const fit = presenting() ? Math.max(220, h - top - 130) : Math.max(300, Math.round(h * 0.62));
  return { width: w, height: Math.min(presenting() ? 2000 : maxH, fit, Math.round(w * aspect)) };
}

export function label(ctx, r, text, x, y, color, align = 'left') {
  ctx.font = `700 ${textPx(15) * r}px ${FONT}`;
  ctx.textBaseline = 'middle';
  // Never past the canvas's edges (issue 18: a phone clipped the ROC's marker labels): a label
  // that would run out is moved back inside, at the same height.
  const w = ctx.measureText(text).width;
  const start = align === 'center' ? x - w / 2 : align === 'right' ? x - w : x;
  const fit = Math.max(2 * r, Math.min(start, ctx.canvas.width - 2 * r - w));
  ctx.textAlign = 'left';
  x = fit;
  // A white halo keeps the text readable where it crosses the curve or the grid.
  ctx.lineWidth = 4 * r;
  ctx.strokeStyle = 'rgba(255,255,255,0.92)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

export function hLine(u, r, y, color, dash) {
  const ctx = u.ctx;
  const py = u.valToPos(y, 'y', true);
  ctx.strokeStyle = color; ctx.lineWidth = 1.5 * r; ctx.setLineDash(dash.map((d) => d * r));
  ctx.beginPath(); ctx.moveTo(u.bbox.left, py); ctx.lineTo(u.bbox.left + u.bbox.width, py); ctx.stroke();
  ctx.setLineDash([]);
  return py;
}
