// individuals/roc-marker.js — the threshold's marker on the ROC chart of js/charts.js: a square on
// the current run's curve at the slider's ROC point, with guides to both axes and its label, drawn by
// a draw hook on the chart's uPlot instance.

import { FONT, INK, view, sig } from './common.js';
import { textPx } from '../charts/common.js';


// ---- the ROC marker (drawn by a uPlot draw hook on the ROC chart of js/charts.js) --------------

/**
 * Hooks a draw callback onto the chart's uPlot instance (its documented `hooks`): after the chart
 * draws its curves, the marker goes on the current run's curve at the slider's ROC point. On log
 * axes a zero goes where charts.js draws it: the smallest non-zero FPR / TPR of the runs shown.
 */
export function attachRoc(chart, rocs, log) {
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

export function redrawRoc() {
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
  // The longest wording that fits the plot's width (issue 18: on a phone "…core ≥ 0.00204" ran past
  // the canvas), then smaller type: never clipped (tests/e2e/labels.test.mjs).
  const words = view.idx === 0 ? ['\u25a0 threshold: nobody flagged', '\u25a0 nobody flagged']
    : [`\u25a0 threshold: score \u2265 ${sig(roc.thresholds[view.idx])}`, `\u25a0 score \u2265 ${sig(roc.thresholds[view.idx])}`];
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let text = words[0];
  let px = textPx(14);
  const room = width - 8 * k;
  ctx.font = `700 ${px * k}px ${FONT}`;
  if (ctx.measureText(text).width > room) text = words[1];
  while (ctx.measureText(text).width > room && px > 9) {
    px -= 1;
    ctx.font = `700 ${px * k}px ${FONT}`;
  }
  const w = ctx.measureText(text).width;
  // Right of the marker if it fits, else left of it, never past the plot's left edge.
  const lx = x + 14 * k + w <= left + width ? x + 14 * k : Math.max(left + 4 * k, x - 14 * k - w);
  const ly = Math.min(Math.max(y + 18 * k, top + 10 * k), top + height - 10 * k);
  ctx.lineWidth = 4 * k; ctx.strokeStyle = 'rgba(255,255,255,0.92)'; ctx.strokeText(text, lx, ly);
  ctx.fillStyle = INK; ctx.fillText(text, lx, ly);
  ctx.restore();
}
