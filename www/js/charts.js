// charts.js — owns every chart: the ROC curve (linear or log-log) of a single run, and the sweep
// charts (AUC and TPR@1% FPR against k or the learning rate, mean ± 1 std over seeds), plus their
// PNG export. Drawing uses the vendored uPlot (www/vendor/uplot, MIT); nothing is fetched elsewhere.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { pct, num, sweepValue } from './format.js';

// Okabe–Ito colours: distinguishable with colour-blindness and on a washed-out projector.
const BLUE = '#0057a3';
const ORANGE = '#c35a00';
const GREY = '#555';
const INK = '#111';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// Sizes in CSS px; uPlot multiplies by devicePixelRatio itself, so charts stay sharp on HiDPI.
const AXIS_FONT = `600 16px ${FONT}`;
const LABEL_FONT = `700 18px ${FONT}`;

const px = (v) => v * uPlot.pxRatio;
// Tick labels: "10%", "0.5%" (no trailing zeros, unlike the tables' fixed decimals).
// uPlot passes null for ticks it wants unlabelled.
const tickPct = (v) => (v == null ? null : `${+(v * 100).toPrecision(3)}%`);

function axis(label, extra = {}) {
  return {
    label, font: AXIS_FONT, labelFont: LABEL_FONT, labelSize: 30, stroke: INK, size: 48,
    grid: { stroke: '#d0d0d0', width: 1 }, ticks: { stroke: '#888', width: 1, size: 8 }, ...extra,
  };
}

// Ticks on log axes: 1, 2 and 5 per decade inside [min, max] (uPlot's own start at the minimum).
function logSplits(u, axisIdx, min, max) {
  const out = [];
  // Decades only when 1-2-5 ticks would sit closer than ~64 CSS px.
  const lenPx = (axisIdx === 0 ? u.bbox.width : u.bbox.height) / uPlot.pxRatio;
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

const LOG_AXIS = { splits: logSplits, filter: (u, splits) => splits };

function sizeOf(el, aspect, maxH) {
  const w = Math.max(300, Math.floor(el.clientWidth || 640));
  return { width: w, height: Math.min(maxH, Math.round(w * aspect)) };
}

// Redraws at the container's width when the layout changes (window resize, projector switch).
function autoResize(u, el, aspect, maxH) {
  const ro = new ResizeObserver(() => {
    const s = sizeOf(el, aspect, maxH);
    if (s.width !== u.width || s.height !== u.height) u.setSize(s);
  });
  ro.observe(el);
  return () => ro.disconnect();
}

function label(ctx, text, x, y, color, align = 'left') {
  ctx.font = `700 ${px(15)}px ${FONT}`;
  ctx.textAlign = align;
  ctx.textBaseline = 'middle';
  // A white halo keeps the text readable where it crosses the curve or the grid.
  ctx.lineWidth = px(4);
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

/**
 * ROC chart of one run. `scale` is 'linear' or 'log'. Returns a handle {u, destroy, downloadPNG, notes}.
 * Log axes cannot show 0: FPR = 0 is drawn at the smallest non-zero FPR the data allows
 * (1 / non-members) and TPR = 0 at the smallest non-zero TPR; `notes` says so for the caption.
 */
export function drawRoc(el, result, scale = 'linear') {
  const { fpr, tpr } = result.roc;
  const log = scale === 'log';
  const nonMembers = result.counts?.target_nonmembers;
  const members = result.counts?.target_members;
  const minF = result.min_nonzero_fpr || Math.min(...fpr.filter((v) => v > 0)) || 1 / (nonMembers || 100);
  // The smallest non-zero TPR the data allows is one member out of all members.
  const nzT = tpr.filter((v) => v > 0);
  const minT = members ? 1 / members : nzT.length ? Math.min(...nzT) : 0.01;
  const t1 = result.tpr_at_fpr['0.01'];
  const t01 = result.tpr_at_fpr['0.001'];
  const auc = result.roc_auc;
  const lo = Math.min(minF, minT, 0.001);

  const xs = log ? fpr.map((v) => (v > 0 ? v : minF)) : fpr;
  const ys = log ? tpr.map((v) => (v > 0 ? v : minT)) : tpr;
  const diag = xs.slice(); // chance: TPR = FPR at every drawn x (exact, the diagonal is straight)
  const notes = [];
  if (!log) {
    notes.push(`Orange markers: TPR at 1% (\u25cf) and 0.1% (\u25c6) FPR${nonMembers ? `; with ${nonMembers} non-members the smallest`
      + ` non-zero FPR is ${pct(minF)}` : ''}. Log\u2013log axes magnify this low-FPR corner.`);
  } else {
    notes.push(`Log\u2013log axes cannot show 0: points with FPR = 0 are drawn at ${pct(minF)}, the smallest `
      + `non-zero FPR${nonMembers ? ` with ${nonMembers} non-members` : ''} (dotted line), and TPR = 0 at ${pct(minT)}.`);
  }
  const markers = [
    { f: 0.01, t: t1, text: `TPR ${pct(t1)} at 1% FPR`, shape: 'circle' },
    { f: 0.001, t: t01, text: `TPR ${pct(t01)} at 0.1% FPR`, shape: 'diamond' },
  ];

  const title = `ROC of the attack on the target users \u2014 AUC ${num(auc)}`;
  const narrow = el.clientWidth < 520; // phones: shorter axis labels that fit
  const opts = {
    title,
    ...sizeOf(el, 0.78, 620),
    scales: {
      x: log ? { time: false, distr: 3, log: 10, range: () => [lo, 1] } : { time: false, range: () => [0, 1] },
      y: log ? { distr: 3, log: 10, range: () => [lo, 1] } : { range: () => [0, 1] },
    },
    axes: [
      axis(narrow ? 'False-positive rate' : 'False-positive rate (non-members flagged)', { values: (u, s) => s.map(tickPct), space: 70, ...(log ? LOG_AXIS : {}) }),
      axis(narrow ? 'True-positive rate' : 'True-positive rate (members found)', { values: (u, s) => s.map(tickPct), size: 80, space: 40, ...(log ? LOG_AXIS : {}) }),
    ],
    series: [
      { label: 'FPR', value: (u, v) => (v == null ? '\u2013' : pct(v)) },
      { label: `Attack ROC (AUC ${num(auc)})`, stroke: BLUE, width: 3, points: { show: false },
        value: (u, v) => (v == null ? '\u2013' : pct(v)) },
      { label: 'Chance (AUC 0.5)', stroke: GREY, width: 2, dash: [8, 6], points: { show: false },
        value: (u, v) => (v == null ? '\u2013' : pct(v)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        if (log) { // where the data's FPR resolution ends
          const x = u.valToPos(minF, 'x', true);
          ctx.strokeStyle = GREY; ctx.lineWidth = px(1.5); ctx.setLineDash([px(2), px(4)]);
          ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
          ctx.setLineDash([]);
        }
        let prevY = null;
        for (const m of markers) {
          const x = u.valToPos(m.f, 'x', true);
          const y = u.valToPos(log ? Math.max(m.t, minT) : m.t, 'y', true);
          ctx.fillStyle = ORANGE; ctx.strokeStyle = '#fff'; ctx.lineWidth = px(2);
          ctx.beginPath();
          const r = px(7);
          if (m.shape === 'circle') ctx.arc(x, y, r, 0, 2 * Math.PI);
          else { ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.3, y); ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r * 1.3, y); ctx.closePath(); }
          ctx.fill(); ctx.stroke();
          // Keep the two labels apart when the two TPRs are (nearly) the same.
          const top = u.bbox.top + px(12), bottom = u.bbox.top + u.bbox.height - px(12);
          let ly = Math.min(Math.max(y, top), bottom);
          if (prevY !== null && Math.abs(ly - prevY) < px(24)) {
            // below the previous label if there is room (labels near the floor go above it)
            ly = prevY + px(24) <= bottom ? prevY + px(24) : prevY - px(24);
          }
          label(ctx, m.text, x + px(14), ly, ORANGE);
          prevY = ly;
        }
        ctx.restore();
      }],
    },
  };
  const u = new uPlot(opts, [xs, ys, diag], el);
  return handle(u, el, 0.78, 620, title, notes, [
    { text: `Attack ROC (AUC ${num(auc)})`, color: BLUE },
    { text: 'Chance', color: GREY, dash: true },
    { text: `\u25cf TPR at 1% FPR = ${pct(t1)}   \u25c6 TPR at 0.1% FPR = ${pct(t01)}`, color: ORANGE },
  ]);
}

/**
 * Sweep chart: ROC-AUC and TPR@1% FPR (mean over seeds, bars ±1 std) against the swept value.
 * A learning-rate sweep gets a log x axis.
 */
export function drawSweep(el, sweep) {
  const logX = sweep.param === 'lr' || sweep.param === 'attack_lr';
  const pts = sweep.points;
  const xs = pts.map((p) => p.value);
  const auc = pts.map((p) => p.roc_auc_mean);
  const aucStd = pts.map((p) => p.roc_auc_std);
  const tpr = pts.map((p) => p.tpr_at_1pct_mean);
  const tprStd = pts.map((p) => p.tpr_at_1pct_std);
  const nSeeds = sweep.seeds.length;
  const name = sweep.param === 'k' ? 'latent dimension k' : sweep.param === 'lr' ? 'learning rate' : sweep.param;
  const title = `Attack success against ${name} (${nSeeds === 1 ? '1 seed' : `mean \u00b1 1 std over ${nSeeds} seeds`})`;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const pad = xs.length > 1 ? (maxX - minX) / (xs.length - 1) / 2 : Math.max(1, Math.abs(minX) * 0.1);
  const narrow = el.clientWidth < 520;
  const aspect = narrow ? 0.85 : 0.6;
  const xRange = logX ? [minX / 1.6, maxX * 1.6] : [minX - pad, maxX + pad];

  const opts = {
    title,
    ...sizeOf(el, aspect, 520),
    scales: {
      x: logX ? { time: false, distr: 3, log: 10, range: () => xRange } : { time: false, range: () => xRange },
      y: { range: () => [0, 1] },
    },
    axes: [
      axis(sweep.param === 'k' ? 'Latent dimension k' : sweep.param === 'lr' ? 'Learning rate (log scale)' : sweep.param, {
        values: (u, s) => s.map((v) => (v == null ? null : sweepValue(v))),
        ...(logX ? LOG_AXIS : { splits: () => xs }),
      }),
      axis(narrow ? 'AUC / TPR@1%' : 'ROC-AUC  /  TPR at 1% FPR', { values: (u, s) => s.map((v) => v.toFixed(1)), size: 70 }),
    ],
    series: [
      { label: sweep.param, value: (u, v) => (v == null ? '\u2013' : sweepValue(v)) },
      { label: 'ROC-AUC (mean)', stroke: BLUE, width: 3, points: { show: true, size: 10, fill: BLUE },
        value: (u, v) => (v == null ? '\u2013' : num(v)) },
      { label: 'TPR at 1% FPR (mean)', stroke: ORANGE, width: 3, dash: [10, 6],
        points: { show: true, size: 10, fill: ORANGE }, value: (u, v) => (v == null ? '\u2013' : pct(v)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        // Chance level for the AUC.
        const y5 = u.valToPos(0.5, 'y', true);
        ctx.strokeStyle = GREY; ctx.lineWidth = px(1.5); ctx.setLineDash([px(6), px(6)]);
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y5); ctx.lineTo(u.bbox.left + u.bbox.width, y5); ctx.stroke();
        ctx.setLineDash([]);
        // Error bars: ±1 sample std over seeds (0 with one seed, then nothing is drawn).
        const bars = [[auc, aucStd, BLUE, -px(4)], [tpr, tprStd, ORANGE, px(4)]];
        for (const [mean, std, color, dx] of bars) {
          ctx.strokeStyle = color; ctx.lineWidth = px(2);
          for (let i = 0; i < xs.length; i++) {
            if (!(std[i] > 0) || mean[i] == null) continue;
            const x = u.valToPos(xs[i], 'x', true) + dx;
            const y0 = u.valToPos(Math.max(0, mean[i] - std[i]), 'y', true);
            const y1 = u.valToPos(Math.min(1, mean[i] + std[i]), 'y', true);
            const cap = px(6);
            ctx.beginPath();
            ctx.moveTo(x, y0); ctx.lineTo(x, y1);
            ctx.moveTo(x - cap, y0); ctx.lineTo(x + cap, y0);
            ctx.moveTo(x - cap, y1); ctx.lineTo(x + cap, y1);
            ctx.stroke();
          }
        }
        ctx.restore();
      }],
    },
  };
  const u = new uPlot(opts, [xs, auc, tpr], el);
  const notes = [nSeeds > 1 ? `Bars: \u00b11 sample standard deviation over seeds ${sweep.seeds.join(', ')}.`
    : 'One seed: no error bars. Use more seeds to see the spread.', 'Dashed grey line: chance (AUC 0.5).'];
  return handle(u, el, aspect, 520, title, notes, [
    { text: 'ROC-AUC (mean)', color: BLUE },
    { text: 'TPR at 1% FPR (mean)', color: ORANGE, dash: true },
    { text: 'Chance AUC 0.5', color: GREY, dash: true },
  ]);
}

function handle(u, el, aspect, maxH, title, notes, legend) {
  const stop = autoResize(u, el, aspect, maxH);
  return {
    u, title, notes,
    destroy() { stop(); u.destroy(); },
    downloadPNG(filename) { return downloadPNG(u, title, legend, notes, filename); },
  };
}

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
 * Saves a chart as PNG: white background, the title, the plot canvas (axes included) and a legend,
 * because uPlot's title and legend are HTML and not part of its canvas.
 */
export function downloadPNG(u, title, legend, notes, filename) {
  const src = u.ctx.canvas;
  const r = uPlot.pxRatio;
  const pad = 16 * r;
  const line = 26 * r;
  const canvas = document.createElement('canvas');
  canvas.width = src.width + 2 * pad;
  const noteFont = `${14 * r}px ${FONT}`;
  const titleFont = `700 ${20 * r}px ${FONT}`;
  const noteLines = wrap(canvas.getContext('2d'), notes.join(' '), noteFont, src.width);
  const titleLines = wrap(canvas.getContext('2d'), title, titleFont, src.width);
  const head = line * 1.2 * titleLines.length + 0.3 * line;
  canvas.height = src.height + pad * 2 + head + line * (legend.length + noteLines.length);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = INK;
  ctx.textBaseline = 'top';
  ctx.font = titleFont;
  titleLines.forEach((t, i) => ctx.fillText(t, pad, pad + i * line * 1.2));
  ctx.drawImage(src, pad, pad + head);
  let y = pad + head + src.height + 6 * r;
  ctx.font = `600 ${16 * r}px ${FONT}`;
  for (const item of legend) {
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
  return new Promise((resolve) => canvas.toBlob((blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    resolve(blob);
  }, 'image/png'));
}
