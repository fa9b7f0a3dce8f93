// charts/export.js — the 2× PNG export of every chart: a second uPlot drawn at the export pixel
// ratio, and one PNG with the title, the plot canvases, the legend and the notes (uPlot's title and
// legend are HTML, not part of its canvas), saved as a download.

import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { FONT, INK } from './common.js';

// PNG exports are drawn at this pixel ratio whatever the screen's (slides stay sharp).
export const EXPORT_RATIO = 2;

// A second instance of uPlot whose pixel ratio is EXPORT_RATIO: uPlot reads devicePixelRatio once,
// when its module is evaluated, so the export copy is imported under another URL while the
// property reads 2, which is then restored. Charts on screen keep the screen's own ratio.
let exportCtor = null;
export async function exportUPlot() {
  if (uPlot.pxRatio >= EXPORT_RATIO) return uPlot;
  if (!exportCtor) {
    const own = Object.getOwnPropertyDescriptor(window, 'devicePixelRatio');
    Object.defineProperty(window, 'devicePixelRatio', { configurable: true, get: () => EXPORT_RATIO });
    try {
      exportCtor = (await import(`../../vendor/uplot/uPlot.esm.js?ratio=${EXPORT_RATIO}`)).default;
    } finally {
      if (own) Object.defineProperty(window, 'devicePixelRatio', own);
      else delete window.devicePixelRatio;
    }
  }
  return exportCtor;
}

// ---- PNG --------------------------------------------------------------------------------------

/** Splits text into lines no wider than `width` device px in `font`. */
function wrap(ctx, text, font, width) {
  ctx.font = font;
  const lines = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word;
    if (cur && ctx.measureText(next).width > width) { lines.push(cur); cur = word; } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

/**
 * One PNG: white background, the title (with the condition), the plot canvases (axes included;
 * side by side or stacked as on screen) and a legend and notes, because uPlot's title and legend
 * are HTML and not part of its canvas. `r` is the canvases' pixel ratio.
 */
export function toPNG(canvases, r, meta, stacked) {
  const pad = 16 * r;
  const line = 26 * r;
  const gap = 16 * r;
  const plotW = stacked ? Math.max(...canvases.map((c) => c.width)) : canvases.reduce((s, c) => s + c.width, 0) + gap * (canvases.length - 1);
  const plotH = stacked ? canvases.reduce((s, c) => s + c.height, 0) + gap * (canvases.length - 1) : Math.max(...canvases.map((c) => c.height));
  const canvas = document.createElement('canvas');
  canvas.width = plotW + 2 * pad;
  const noteFont = `${14 * r}px ${FONT}`;
  const titleFont = `700 ${20 * r}px ${FONT}`;
  const probe = canvas.getContext('2d');
  const noteLines = wrap(probe, meta.notes.join(' '), noteFont, plotW);
  const titleLines = wrap(probe, meta.title, titleFont, plotW);
  const head = line * 1.2 * titleLines.length + 0.3 * line;
  canvas.height = plotH + pad * 2 + head + line * (meta.legend.length + noteLines.length);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = INK;
  ctx.textBaseline = 'top';
  ctx.font = titleFont;
  titleLines.forEach((t, i) => ctx.fillText(t, pad, pad + i * line * 1.2));
  let x = pad;
  let y0 = pad + head;
  for (const c of canvases) {
    ctx.drawImage(c, x, y0);
    if (stacked) y0 += c.height + gap; else x += c.width + gap;
  }
  let y = pad + head + plotH + 6 * r;
  ctx.font = `600 ${16 * r}px ${FONT}`;
  for (const item of meta.legend) {
    ctx.strokeStyle = item.color;
    ctx.lineWidth = 3 * r;
    ctx.setLineDash(item.dash ? [8 * r, 5 * r] : []);
    ctx.beginPath(); ctx.moveTo(pad, y + 10 * r); ctx.lineTo(pad + 36 * r, y + 10 * r); ctx.stroke();
    ctx.fillStyle = INK;
    ctx.fillText(item.text, pad + 46 * r, y);
    y += line;
  }
  ctx.setLineDash([]);
  ctx.font = noteFont;
  for (const n of noteLines) { ctx.fillText(n, pad, y); y += line; }
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

export function saveBlob(blob, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
