// charts.js — owns every chart: the ROC curves of single runs (the current one, a comparison and
// pinned runs, linear or log-log), the sweep charts (ROC-AUC and TPR@1% FPR in two panels, each
// with its own chance line, mean ± 1 std over seeds, drawn point by point while a sweep runs), the
// transfer matrix's heatmap (one fixed colour scale, the value written in every cell, the diagonal
// outlined), their hover / keyboard readouts, text equivalents for screen readers, and their 2×
// PNG export. Curves use the vendored uPlot (www/vendor/uplot, MIT), the heatmap a plain canvas;
// nothing is fetched elsewhere, and no style attribute is ever written as markup (the page's CSP
// forbids inline styles).

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { pct, num, sweepValue, meanStd, pctStd } from './format.js';
import { paramText } from './state.js';

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
const GREY = COLOURS.grey;
const INK = COLOURS.ink;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// Sizes in CSS px; uPlot multiplies by its pixel ratio itself, so charts stay sharp on HiDPI.
const AXIS_FONT = `600 16px ${FONT}`;
const LABEL_FONT = `700 18px ${FONT}`;
// PNG exports are drawn at this pixel ratio whatever the screen's (slides stay sharp).
const EXPORT_RATIO = 2;

// Tick labels: "10%", "0.5%" (no trailing zeros, unlike the tables' fixed decimals).
// uPlot passes null for ticks it wants unlabelled.
const tickPct = (v) => (v == null ? null : `${+(v * 100).toPrecision(3)}%`);

function axis(label, extra = {}) {
  const big = presenting(); // a lecture hall reads the axes from afar
  return {
    label, font: big ? AXIS_FONT.replace('16px', '20px') : AXIS_FONT, labelFont: big ? LABEL_FONT.replace('18px', '22px') : LABEL_FONT,
    labelSize: big ? 34 : 30, stroke: INK, size: big ? 56 : 48,
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

const LOG_AXIS = { splits: logSplits, filter: (u, splits) => splits };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const presenting = () => document.documentElement.classList.contains('present');

/**
 * The size of a plot `width` CSS px wide: at most `maxH` tall and never taller than the window
 * allows (in lecture mode the figure takes the screen below the step bar and takeaway).
 */
function plotSize(width, aspect, maxH) {
  const w = Math.max(260, Math.floor(width));
  const h = window.innerHeight || 800;
  const fit = presenting() ? Math.max(260, h - 330) : Math.max(300, Math.round(h * 0.62));
  return { width: w, height: Math.min(presenting() ? 2000 : maxH, fit, Math.round(w * aspect)) };
}

function label(ctx, r, text, x, y, color, align = 'left') {
  ctx.font = `700 ${15 * r}px ${FONT}`;
  ctx.textAlign = align;
  ctx.textBaseline = 'middle';
  // A white halo keeps the text readable where it crosses the curve or the grid.
  ctx.lineWidth = 4 * r;
  ctx.strokeStyle = 'rgba(255,255,255,0.92)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

function hLine(u, r, y, color, dash) {
  const ctx = u.ctx;
  const py = u.valToPos(y, 'y', true);
  ctx.strokeStyle = color; ctx.lineWidth = 1.5 * r; ctx.setLineDash(dash.map((d) => d * r));
  ctx.beginPath(); ctx.moveTo(u.bbox.left, py); ctx.lineTo(u.bbox.left + u.bbox.width, py); ctx.stroke();
  ctx.setLineDash([]);
  return py;
}

// ---- the chart handle: panels on screen, readout, legend, text equivalent, PNG ----------------

/**
 * Mounts `panels` (each {build(U, mount, width) -> uPlot}) in `box`, with a legend and a readout
 * line under them. `meta` = {title, notes, legend: [{text, color, dash}], summary, describedBy}.
 * The plots carry role="img", the summary as their label and the tables as their description.
 */
function mount(box, panels, meta) {
  box.replaceChildren();
  // Panels carry their own short titles; the figure's title (with the condition) heads them all.
  if (panels.length > 1) box.append(el('p', 'chart-title', meta.title));
  const row = el('div', `plots n${panels.length}`);
  const readout = el('p', 'readout');
  readout.id = `${box.id}-readout`;
  readout.setAttribute('aria-live', 'polite');
  readout.textContent = meta.hint || '';
  const legend = el('ul', 'chart-legend');
  for (const item of meta.legend) {
    const li = el('li');
    const sw = el('span', 'swatch');
    sw.setAttribute('aria-hidden', 'true');
    // CSSOM, not a style attribute: allowed by style-src 'self'.
    sw.style.borderTopColor = item.color;
    sw.style.borderTopStyle = item.dash ? 'dashed' : 'solid';
    li.append(sw, document.createTextNode(item.text));
    legend.append(li);
  }
  box.append(row, readout, legend);
  const holders = panels.map((p, i) => {
    const h = el('div', 'plot');
    h.id = `${box.id}-plot${i}`;
    h.setAttribute('role', 'img');
    h.setAttribute('aria-label', p.summary || meta.summary);
    if (meta.describedBy) h.setAttribute('aria-describedby', meta.describedBy);
    row.append(h);
    return h;
  });
  const width = () => (panels.length > 1 && row.clientWidth >= 700 ? (row.clientWidth - 16) / 2 : row.clientWidth);
  const plots = [];
  const build = (i) => { plots[i] = panels[i].build(uPlot, holders[i], width(), readout); };
  // `progressive` (a job's first points, while workers use every core): the frame now, then one
  // plot per animation frame, so no task of the page's main thread holds more than one first draw
  // of a plot (20-30 ms each; 1.5 times that in wall time when the workers take every core).
  let frame = 0;
  if (meta.progressive) {
    const next = () => {
      frame = 0;
      if (plots.length >= panels.length) return;
      build(plots.length);
      frame = requestAnimationFrame(next);
    };
    frame = requestAnimationFrame(next);
  } else panels.forEach((_, i) => build(i));
  // Redraw at the container's width when the layout changes (window resize, projector switch).
  let w0 = row.clientWidth;
  const ro = new ResizeObserver(() => {
    if (row.clientWidth === w0) return;
    w0 = row.clientWidth;
    plots.forEach((u, i) => u.setSize(panels[i].size(width())));
  });
  ro.observe(row);
  return {
    plots, holders, title: meta.title, notes: meta.notes, summary: meta.summary,
    destroy() { cancelAnimationFrame(frame); ro.disconnect(); plots.forEach((u) => u.destroy()); box.replaceChildren(); },
    async downloadPNG(filename) {
      const U = await exportUPlot();
      const off = el('div', 'offscreen');
      document.body.append(off);
      try {
        const copies = panels.map((p, i) => p.build(U, off.appendChild(el('div')), plots[i].width, null));
        await new Promise((r) => setTimeout(r, 0)); // uPlot commits its first draw in a microtask
        const blob = await toPNG(copies.map((u) => u.ctx.canvas), U.pxRatio, meta, panels.length > 1 && width() === row.clientWidth);
        copies.forEach((u) => u.destroy());
        saveBlob(blob, filename);
        return blob;
      } finally {
        off.remove();
      }
    },
  };
}

// A second instance of uPlot whose pixel ratio is EXPORT_RATIO: uPlot reads devicePixelRatio once,
// when its module is evaluated, so the export copy is imported under another URL while the
// property reads 2, which is then restored. Charts on screen keep the screen's own ratio.
let exportCtor = null;
async function exportUPlot() {
  if (uPlot.pxRatio >= EXPORT_RATIO) return uPlot;
  if (!exportCtor) {
    const own = Object.getOwnPropertyDescriptor(window, 'devicePixelRatio');
    Object.defineProperty(window, 'devicePixelRatio', { configurable: true, get: () => EXPORT_RATIO });
    try {
      exportCtor = (await import(`../vendor/uplot/uPlot.esm.js?ratio=${EXPORT_RATIO}`)).default;
    } finally {
      if (own) Object.defineProperty(window, 'devicePixelRatio', own);
      else delete window.devicePixelRatio;
    }
  }
  return exportCtor;
}

/** uPlot options shared by every plot (the legend is ours: HTML under the plots, and in the PNG). */
function baseOpts(size, extra) {
  return { ...size, legend: { show: false }, ...extra };
}

// `U` is the uPlot constructor the plot is made with (the screen's or the 2x export copy).
function create(U, opts, data, holder) {
  const u = new U(opts, data, holder);
  u.pxRatioOf = U.pxRatio; // for logSplits (uPlot draws first in a microtask, after this line)
  return u;
}

// ---- ROC --------------------------------------------------------------------------------------

/**
 * ROC chart of one or more runs. `curves` = [{label, result, style, markers}] (style: index into
 * CURVE_STYLES; markers: draw the TPR@1% / 0.1% markers). `scale` is 'linear' or 'log'.
 * Log axes cannot show 0: FPR = 0 is drawn at the smallest non-zero FPR the data allows
 * (1 / non-members) and TPR = 0 at the smallest non-zero TPR; the notes say so.
 */
export function drawRoc(box, curves, { scale = 'linear', title, describedBy, condition = '' } = {}) {
  const log = scale === 'log';
  const first = curves[0].result;
  const lims = curves.map(({ result: r }) => {
    const nz = r.roc.fpr.filter((v) => v > 0);
    const minF = r.min_nonzero_fpr || (nz.length ? Math.min(...nz) : 1 / (r.counts?.target_nonmembers || 100));
    const nzT = r.roc.tpr.filter((v) => v > 0);
    const minT = r.counts?.target_members ? 1 / r.counts.target_members : nzT.length ? Math.min(...nzT) : 0.01;
    return { minF, minT };
  });
  const minF = Math.min(...lims.map((l) => l.minF));
  const minT = Math.min(...lims.map((l) => l.minT));
  const lo = Math.min(minF, minT, 0.001);
  const nonMembers = first.counts?.target_nonmembers;
  const styled = curves.map((c, i) => ({ ...c, ...CURVE_STYLES[(c.style ?? i) % CURVE_STYLES.length] }));

  const notes = [];
  const marked = styled.find((c) => c.markers);
  if (!log) {
    notes.push(`${marked ? 'Markers on the solid curve: TPR at 1% (\u25cf) and 0.1% (\u25c6) FPR' : 'TPR at 1% and 0.1% FPR: see the table'}${nonMembers ? `; with ${nonMembers} non-members the smallest`
      + ` non-zero FPR is ${pct(minF)}` : ''}. Log\u2013log axes magnify this low-FPR corner.`);
  } else {
    notes.push(`Log\u2013log axes cannot show 0: points with FPR = 0 are drawn at ${pct(minF)}, the smallest `
      + `non-zero FPR${nonMembers ? ` with ${nonMembers} non-members` : ''} (dotted line), and TPR = 0 at ${pct(minT)}.`);
  }

  const legend = styled.map((c) => ({ text: `${c.label}: AUC ${num(c.result.roc_auc)}`, color: c.color, dash: c.dash.length > 0 }));
  legend.push({ text: 'Chance (AUC 0.5)', color: GREY, dash: true });
  if (marked) {
    legend.push({ text: `\u25cf TPR at 1% FPR = ${pct(marked.result.tpr_at_fpr['0.01'])}   \u25c6 TPR at 0.1% FPR = ${pct(marked.result.tpr_at_fpr['0.001'])}`, color: marked.color });
  }
  const summary = `ROC chart${condition ? ` (${condition})` : ''}. `
    + styled.map((c) => `${c.label}: AUC ${num(c.result.roc_auc)}, ${pct(c.result.tpr_at_fpr['0.01'])} of members found at 1% FPR, `
      + `${pct(c.result.tpr_at_fpr['0.001'])} at 0.1% FPR.`).join(' ')
    + ' Chance is the diagonal (AUC 0.5). The numbers are in the tables.';

  const panel = {
    summary,
    size: (w) => plotSize(w, 0.78, 620),
    build(U, holder, width, readout) {
      const r = U.pxRatio;
      const size = plotSize(width, 0.78, 620);
      const narrow = width < 520 || size.height < 480; // shorter axis labels that fit
      const xs = log ? [lo, 1] : [0, 1];
      let focus = null; // {c, i}: the point the readout describes
      let show = () => {};
      const opts = baseOpts(size, {
        title,
        padding: [12, 28, 0, 0], // room for the last x tick label ("100%")
        scales: {
          x: log ? { time: false, distr: 3, log: 10, range: () => [lo, 1] } : { time: false, range: () => [0, 1] },
          y: log ? { distr: 3, log: 10, range: () => [lo, 1] } : { range: () => [0, 1] },
        },
        axes: [
          axis(narrow ? 'False-positive rate' : 'False-positive rate (non-members flagged)', { values: (u, s) => s.map(tickPct), space: 70, ...(log ? LOG_AXIS : {}) }),
          axis(narrow ? 'True-positive rate' : 'True-positive rate (members found)', { values: (u, s) => s.map(tickPct), size: 80, space: 40, ...(log ? LOG_AXIS : {}) }),
        ],
        series: [{}, { label: 'Chance', stroke: GREY, width: 2, dash: [8, 6], points: { show: false } }],
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        hooks: {
          draw: [(u) => drawCurves(u, r, styled, lims, log, minF, minT, focus)],
          setCursor: readout ? [(u) => {
            if (u.cursor.left == null || u.cursor.left < 0) return;
            const near = nearest(u, styled, lims, log, u.cursor.left, u.cursor.top);
            if (near && (!focus || near.c !== focus.c || near.i !== focus.i)) { focus = near; show(u); }
          }] : [],
        },
      });
      const u = create(U, opts, [xs, xs.slice()], holder);
      if (!readout) return u;
      show = (uu) => {
        readout.textContent = rocReadout(styled[focus.c], focus.i);
        uu.redraw(false, false);
      };
      // Keyboard: the plot is focusable; arrows walk along the first curve.
      holder.tabIndex = 0;
      holder.addEventListener('keydown', (e) => {
        const n = styled[0].result.roc.fpr.length;
        const i = focus && focus.c === 0 ? focus.i : 0;
        const next = { ArrowRight: i + 1, ArrowUp: i + 1, ArrowLeft: i - 1, ArrowDown: i - 1, Home: 0, End: n - 1 }[e.key];
        if (next === undefined) return;
        e.preventDefault();
        focus = { c: 0, i: Math.max(0, Math.min(n - 1, next)) };
        show(u);
      });
      return u;
    },
  };
  return mount(box, [panel], { title, notes, legend, summary, describedBy,
    hint: 'Hover over the curve (or focus it and use \u2190 / \u2192) to read a point: its FPR, TPR, threshold and how many people that is.' });
}

// Position of ROC point i of curve c on log or linear axes (zeros moved to the drawable minimum).
function rocXY(c, l, log, i) {
  const f = c.result.roc.fpr[i];
  const t = c.result.roc.tpr[i];
  return log ? [f > 0 ? f : l.minF, t > 0 ? t : l.minT] : [f, t];
}

function drawCurves(u, r, curves, lims, log, minF, minT, focus) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
  if (log) { // where the data's FPR resolution ends
    const x = u.valToPos(minF, 'x', true);
    ctx.strokeStyle = GREY; ctx.lineWidth = 1.5 * r; ctx.setLineDash([2 * r, 4 * r]);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
  }
  // Later curves first, so the current run (curve 0) is on top.
  for (let c = curves.length - 1; c >= 0; c--) {
    const cv = curves[c];
    ctx.strokeStyle = cv.color;
    ctx.lineWidth = (c === 0 ? 3 : 2.5) * r;
    ctx.setLineDash(cv.dash.map((d) => d * r));
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const n = cv.result.roc.fpr.length;
    for (let i = 0; i < n; i++) {
      const [f, t] = rocXY(cv, lims[c], log, i);
      const x = u.valToPos(f, 'x', true);
      const y = u.valToPos(t, 'y', true);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.restore();
  ctx.save();
  for (const cv of curves.filter((c) => c.markers)) {
    const markers = [
      { f: 0.01, t: cv.result.tpr_at_fpr['0.01'], text: `TPR ${pct(cv.result.tpr_at_fpr['0.01'])} at 1% FPR`, shape: 'circle' },
      { f: 0.001, t: cv.result.tpr_at_fpr['0.001'], text: `TPR ${pct(cv.result.tpr_at_fpr['0.001'])} at 0.1% FPR`, shape: 'diamond' },
    ];
    let prevY = null;
    for (const m of markers) {
      const x = u.valToPos(m.f, 'x', true);
      const y = u.valToPos(log ? Math.max(m.t, minT) : m.t, 'y', true);
      ctx.fillStyle = cv.color; // the markers read off their own curve
      ctx.strokeStyle = '#fff'; ctx.lineWidth = 2 * r;
      ctx.beginPath();
      const rad = 7 * r;
      if (m.shape === 'circle') ctx.arc(x, y, rad, 0, 2 * Math.PI);
      else { ctx.moveTo(x, y - rad * 1.3); ctx.lineTo(x + rad * 1.3, y); ctx.lineTo(x, y + rad * 1.3); ctx.lineTo(x - rad * 1.3, y); ctx.closePath(); }
      ctx.fill(); ctx.stroke();
      // Keep the two labels apart when the two TPRs are (nearly) the same.
      const lo = top + 12 * r;
      const hi = top + height - 12 * r;
      let ly = Math.min(Math.max(y, lo), hi);
      if (prevY !== null && Math.abs(ly - prevY) < 24 * r) ly = prevY + 24 * r <= hi ? prevY + 24 * r : prevY - 24 * r;
      label(ctx, r, m.text, x + 14 * r, ly, ctx.fillStyle);
      prevY = ly;
    }
  }
  if (focus) { // the point the readout describes
    const cv = curves[focus.c];
    const [f, t] = rocXY(cv, lims[focus.c], log, focus.i);
    const x = u.valToPos(f, 'x', true);
    const y = u.valToPos(t, 'y', true);
    ctx.setLineDash([]);
    ctx.beginPath(); ctx.arc(x, y, 7 * r, 0, 2 * Math.PI);
    ctx.fillStyle = cv.color; ctx.fill();
    ctx.lineWidth = 3 * r; ctx.strokeStyle = '#fff'; ctx.stroke();
    ctx.beginPath(); ctx.arc(x, y, 9.5 * r, 0, 2 * Math.PI);
    ctx.lineWidth = 2 * r; ctx.strokeStyle = INK; ctx.stroke();
  }
  ctx.restore();
}

/** The ROC point nearest to the pointer (CSS px inside the plot), over all curves. */
function nearest(u, curves, lims, log, left, top) {
  let best = null;
  let bestD = Infinity;
  curves.forEach((cv, c) => {
    const n = cv.result.roc.fpr.length;
    for (let i = 0; i < n; i++) {
      const [f, t] = rocXY(cv, lims[c], log, i);
      const dx = u.valToPos(f, 'x') - left;
      const dy = u.valToPos(t, 'y') - top;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = { c, i }; }
    }
  });
  return best;
}

/** "Popular list: FPR 1.3% (2 of 152 non-members flagged) · TPR 45.1% (69 of 153 members found) · …" */
export function rocReadout(curve, i) {
  const r = curve.result;
  const f = r.roc.fpr[i];
  const t = r.roc.tpr[i];
  const thr = r.roc.thresholds[i];
  const nN = r.counts.target_nonmembers;
  const nM = r.counts.target_members;
  const threshold = i === 0 ? 'threshold above every score (nobody flagged)' : `flagged when score \u2265 ${+thr.toPrecision(3)}`;
  return `${curve.label}: FPR ${pct(f)} (${Math.round(f * nN)} of ${nN} non-members flagged) \u00b7 `
    + `TPR ${pct(t)} (${Math.round(t * nM)} of ${nM} members found) \u00b7 ${threshold}`;
}

// ---- sweeps -----------------------------------------------------------------------------------

/**
 * Sweep chart in two panels: ROC-AUC (chance 0.5) and TPR at 1% FPR (chance 1%), mean over seeds
 * with ±1 std bars. `sweep` may be partial (points for the first values only): the x axis already
 * spans every value, so points appear in place as they finish. A learning-rate sweep gets a log x axis.
 */
export function drawSweep(box, first, { title, describedBy, condition = '', progressive = false } = {}) {
  // `sweep` is the latest state of the job: `update` replaces it as points arrive, and everything
  // below reads it when it draws (the values, seeds and settings stay those of `first`).
  let sweep = first;
  const logX = sweep.param === 'lr' || sweep.param === 'attack_lr';
  const xs = sweep.values.slice();
  const done = () => sweep.points.length;
  const col = (key) => xs.map((_, i) => (i < done() ? sweep.points[i][key] : null));
  const nSeeds = sweep.seeds.length;
  const names = paramText(sweep.param, sweep.config);
  const name = names.long;
  const axisName = names.axis;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const pad = xs.length > 1 ? (maxX - minX) / (xs.length - 1) / 2 : Math.max(1, Math.abs(minX) * 0.1);
  const xRange = logX ? [minX / 1.6, maxX * 1.6] : [minX - pad, maxX + pad];
  const spread = nSeeds === 1 ? 'one seed, so no spread' : `mean \u00b1 1 std over ${nSeeds} seeds`;

  const metric = (key, stdKey, heading, chance, chanceText, color, fmt) => {
    let mean = col(key);
    let std = col(stdKey);
    return {
      key,
      get summary() {
        const finished = sweep.points.map((p) => `${sweepValue(p.value)}: ${fmt(p[key])}`);
        return `${heading} against ${name} (${spread}; ${condition}). ${done() < xs.length ? `${done()} of ${xs.length} points so far. ` : ''}`
          + `${finished.join(', ')}. Chance: ${chanceText}. The numbers are in the sweep table.`;
      },
      data() {
        mean = col(key);
        std = col(stdKey);
        return [xs, mean];
      },
      size: (w) => plotSize(w, 0.8, 420),
      build(U, holder, width, readout) {
        const r = U.pxRatio;
        const narrow = width < 420;
        const opts = baseOpts(plotSize(width, 0.8, 420), {
          title: heading,
          scales: {
            x: logX ? { time: false, distr: 3, log: 10, range: () => xRange } : { time: false, range: () => xRange },
            y: { range: () => [0, 1] },
          },
          axes: [
            axis(narrow && logX ? 'Learning rate' : axisName, {
              values: (u, s) => s.map((v) => (v == null ? null : sweepValue(v))),
              ...(logX ? LOG_AXIS : { splits: () => xs }),
              ...(xs.length > 6 && width < 560 && !logX ? { values: (u, s) => s.map((v, i) => ((s.length - 1 - i) % 2 ? '' : sweepValue(v))) } : {}),
            }),
            axis(heading.startsWith('ROC') ? 'ROC-AUC' : 'TPR at 1% FPR', {
              values: (u, s) => s.map((v) => (key === 'roc_auc_mean' ? v.toFixed(1) : tickPct(v))), size: 70,
            }),
          ],
          series: [
            {},
            { label: heading, stroke: color, width: 3, dash: key === 'roc_auc_mean' ? [] : [10, 6], spanGaps: false,
              points: { show: true, size: 11, fill: color, stroke: color } },
          ],
          cursor: { drag: { x: false, y: false }, sync: { key: `sweep-${box.id}` }, points: { show: false } },
          hooks: {
            draw: [(u) => {
              const ctx = u.ctx;
              ctx.save();
              const py = hLine(u, r, chance, GREY, [6, 6]);
              label(ctx, r, `chance ${chanceText}`, u.bbox.left + u.bbox.width - 8 * r, py - 12 * r, INK, 'right');
              // Error bars: ±1 sample std over seeds (none with one seed).
              ctx.strokeStyle = color; ctx.lineWidth = 2 * r;
              for (let i = 0; i < xs.length; i++) {
                if (!(std[i] > 0) || mean[i] == null) continue;
                const x = u.valToPos(xs[i], 'x', true);
                const y0 = u.valToPos(Math.max(0, mean[i] - std[i]), 'y', true);
                const y1 = u.valToPos(Math.min(1, mean[i] + std[i]), 'y', true);
                const cap = 6 * r;
                ctx.beginPath();
                ctx.moveTo(x, y0); ctx.lineTo(x, y1);
                ctx.moveTo(x - cap, y0); ctx.lineTo(x + cap, y0);
                ctx.moveTo(x - cap, y1); ctx.lineTo(x + cap, y1);
                ctx.stroke();
              }
              ctx.restore();
            }],
            setCursor: readout ? [(u) => {
              const i = u.cursor.idx;
              if (i == null) return;
              readout.textContent = i < done() ? sweepReadout(sweep, i) : `${sweepValue(xs[i])}: not run yet`;
            }] : [],
          },
        });
        return create(U, opts, this.data(), holder);
      },
    };
  };
  const panels = [
    metric('roc_auc_mean', 'roc_auc_std', 'ROC-AUC', 0.5, '0.5', COLOURS.blue, (v) => num(v)),
    metric('tpr_at_1pct_mean', 'tpr_at_1pct_std', 'TPR at 1% FPR', 0.01, '1%', COLOURS.orange, (v) => pct(v)),
  ];
  const notes = [nSeeds > 1 ? `Bars: \u00b11 sample standard deviation over seeds ${sweep.seeds.join(', ')}.`
    : 'One seed: no error bars (\u00b1 \u2014 in the table). Use more seeds to see the spread.',
  'Dashed grey lines: chance (AUC 0.5; TPR 1% at 1% FPR).'];
  const fullTitle = title || `Attack success against ${name} (${spread})`;
  const chart = mount(box, panels, {
    title: fullTitle, notes, describedBy, progressive,
    summary: panels.map((p) => p.summary).join(' '),
    legend: [
      { text: 'ROC-AUC (mean)', color: COLOURS.blue },
      { text: 'TPR at 1% FPR (mean)', color: COLOURS.orange, dash: true },
      { text: 'Chance', color: GREY, dash: true },
    ],
    hint: 'Hover over a chart to read a point.',
  });
  // Points of the same job as they arrive: new data on the plots already there. Rebuilding them
  // took 30-40 ms of the page's main thread per point, more while a pool of workers used every core.
  chart.sameSweep = (sw) => sw.param === first.param && sw.values.length === xs.length
    && sw.values.every((v, i) => v === xs[i]) && sw.seeds.join() === first.seeds.join();
  chart.update = (sw) => {
    sweep = sw;
    chart.summary = panels.map((p) => p.summary).join(' ');
    panels.forEach((p, i) => {
      // A plot not built yet reads the new points when it is.
      chart.plots[i]?.setData(p.data());
      chart.holders[i].setAttribute('aria-label', p.summary);
    });
  };
  return chart;
}

/**
 * Draws a small sweep chart off screen and removes it. The first chart a page draws pays for
 * compiling uPlot's code and resolving the chart fonts (about 20 ms more than any later one); done
 * while the workers load the data set, that cost does not land on the first point of a job, when
 * workers take every core and each millisecond of the main thread counts one and a half.
 */
export function warmUp() {
  const box = el('div', 'offscreen');
  box.id = 'chart-warm-up';
  document.body.append(box);
  const sweep = {
    param: 'vector_k', values: [10, 20], seeds: [0, 1], config: {},
    points: [{ value: 10, roc_auc_mean: 0.6, roc_auc_std: 0.1, tpr_at_1pct_mean: 0.1, tpr_at_1pct_std: 0.05 }],
  };
  const chart = drawSweep(box, sweep, { title: 'warm-up' });
  // uPlot draws in a microtask after it is built: remove it once that has happened.
  setTimeout(() => { chart.destroy(); box.remove(); }, 0);
}

export function sweepReadout(sweep, i) {
  const p = sweep.points[i];
  const n = sweep.seeds.length;
  const what = paramText(sweep.param).short;
  return `${what} = ${sweepValue(p.value)}: ROC-AUC ${meanStd(p.roc_auc_mean, p.roc_auc_std, 3, n)} \u00b7 `
    + `TPR at 1% FPR ${pctStd(p.tpr_at_1pct_mean, p.tpr_at_1pct_std, n)} (${n === 1 ? '1 seed' : `${n} seeds`})`;
}

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

/** Where everything of a heatmap `width` CSS px wide with `n` algorithms goes (CSS px). */
function heatLayout(ctx, width, m) {
  const n = m.recommenders.length;
  const big = presenting();
  const f = big ? 1.25 : 1;
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
  const cellH = Math.max(54 * f, Math.min(96 * f, Math.round(cellW * 0.62)));
  const gridH = cellH * n;
  const barH = Math.max(gridH, 190 * f);
  return {
    n, f, left, top, labelW, axisBand, cellW, cellH, gridH, barH,
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
  // Axis titles: columns are the attacked (target) algorithm, rows the one the attack trained on.
  ctx.fillStyle = INK;
  ctx.textBaseline = 'middle';
  ctx.font = `700 ${15 * L.f}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.fillText('Target (attacked) \u2192', L.left + (L.cellW * L.n) / 2, 11 * L.f);
  ctx.textAlign = 'right';
  ctx.fillText(HEAT_ROWS[0], L.left - 8, 11 * L.f);
  ctx.fillText(HEAT_ROWS[1], L.left - 8, L.top - 13 * L.f);
  ctx.font = `600 ${15 * L.f}px ${FONT}`;
  names.forEach((name, i) => {
    ctx.textAlign = 'center';
    ctx.fillText(name, L.left + L.cellW * (i + 0.5), L.top - 13 * L.f);
    ctx.textAlign = 'right';
    ctx.fillText(name, L.left - 8, L.top + L.cellH * (i + 0.5));
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
    ctx.font = `700 ${20 * L.f}px ${FONT}`;
    ctx.fillText(num(c.roc_auc_mean), x + w / 2, y + h / 2 - (two ? 9 * L.f : 0));
    if (two) {
      ctx.font = `500 ${13 * L.f}px ${FONT}`;
      ctx.fillText(`\u00b1 ${num(c.roc_auc_std)}`, x + w / 2, y + h / 2 + 12 * L.f);
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
    + ` (${n === 1 ? '1 seed' : `${n} seeds`}) \u00b7 TPR at 1% FPR ${pct(c.tpr_at_1pct_mean)}`
    + `${c.shadow === c.target ? ' \u00b7 same algorithm (the paper\u2019s assumption)' : ''}`;
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
  const draw = () => { layout = drawHeat(canvas, m, row.clientWidth, ratio(), focus); };
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
function toPNG(canvases, r, meta, stacked) {
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

function saveBlob(blob, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
