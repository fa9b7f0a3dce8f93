// individuals/common.js — what the pieces of the Individuals view share: the run on screen (`view`,
// set by individuals.js through setView, read everywhere else as a live binding), the colours and
// font, small DOM helpers (elements, SVG, tables), how a score and a user are written, and the canvas
// helpers of both scatter plots (a dot's shape, its ring, sizing, hit-testing, its description).
// The view's modules import each other in a cycle (the strip moves the threshold, the threshold
// redraws the strip): every such use is inside a function, run after all of them are evaluated.

import { num } from '../format.js';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const INK = '#111111';
export const GRID = '#e2e5ea';
// Rows of the "surest / least sure" table at each end of the ranking.
export const ENDS = 5;

export let view = null; // the run on screen: records, derived numbers, threshold, selection, DOM handles

/** Replaces the run on screen (individuals.js: a new result, or null when the view is torn down). */
export function setView(v) {
  view = v;
}

// ---- small DOM helpers ----------------------------------------------------------------------

export function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

export function svg(tag, attrs = {}) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A table with a caption, a header row and rows whose first cell is a row header. */
export function table(id, caption, head, rows, cls = '') {
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

export function fillRows(tbody, rows) {
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
export const sig = (v) => String(+v.toPrecision(3)).replace('-', '\u2212');
export const truth = (r) => (r.member ? 'member' : 'non-member');
export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** A member's circle or a non-member's triangle, filled with `colour`, a white edge between neighbours. */
export function dot(ctx, x, y, r, member, colour) {
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

export function ring(ctx, x, y, r) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 3; ctx.strokeStyle = '#ffffff'; ctx.stroke();
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 2; ctx.strokeStyle = INK; ctx.stroke();
}

export function haloText(ctx, text, x, y, colour) {
  ctx.lineWidth = 4; ctx.strokeStyle = 'rgba(255,255,255,0.92)'; ctx.strokeText(text, x, y);
  ctx.fillStyle = colour; ctx.fillText(text, x, y);
}

/** Sizes a canvas to W×H CSS px at the screen's pixel ratio; returns its context in CSS px. */
export function sizeCanvas(canvas, W, H) {
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

export function local(canvas, e) {
  const b = canvas.getBoundingClientRect();
  return { x: e.clientX - b.left, y: e.clientY - b.top };
}

/** The dot under (x, y) in `pts`, if any (a little slack for fingers). */
export function hit(pts, x, y, r) {
  let best = null;
  let bestD = (r + 4) ** 2;
  for (const p of pts) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) { bestD = d; best = p; }
  }
  return best;
}

export function describeDot(rec) {
  return `User ${rec.user} \u00b7 ${truth(rec)} \u00b7 score ${num(rec.score, 2)} \u00b7 rank ${rec.rank} of ${view.records.length}`
    + ` \u00b7 ${rec.score >= view.result.roc.thresholds[view.idx] ? 'flagged' : 'not flagged'} at this threshold`;
}
