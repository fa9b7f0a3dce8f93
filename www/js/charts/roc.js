// charts/roc.js — the ROC chart of single runs: the current run, a comparison and pinned runs, on
// linear or log-log axes (zeros drawn at the smallest non-zero rate the data allows), the TPR at 1% /
// 0.1% FPR markers (only where the run could measure them), and the hover / keyboard readout of a point.

import { pct, num, tpr, notMeasurable } from '../format.js';
import { CURVE_STYLES, GREY, INK, tickPct, axis, LOG_AXIS, plotSize, label, presenting } from './common.js';
import { mount, baseOpts, create } from './handle.js';

// ---- ROC --------------------------------------------------------------------------------------

// The low-FPR points marked on the current run's curve (`tpr_at_fpr` keys), when the run measured them.
const MARKERS = [
  { key: '0.01', fpr: 0.01, name: '1%', glyph: '\u25cf', shape: 'circle' },
  { key: '0.001', fpr: 0.001, name: '0.1%', glyph: '\u25c6', shape: 'diamond' },
];

/**
 * Whether the run measured its TPR at marker `m`'s FPR: a number, at an FPR no smaller than one
 * non-member's share (1 / non-members, the smallest FPR the run can show). Issue 18: a "TPR at
 * 0.1 % FPR" marker was drawn left of where the log-log curve begins.
 */
export function measurable(result, m) {
  const v = result.tpr_at_fpr?.[m.key];
  if (!Number.isFinite(v)) return false;
  const n = result.counts?.target_nonmembers;
  const minF = n ? 1 / n : result.min_nonzero_fpr;
  return !(minF > 0) || m.fpr >= minF * (1 - 1e-9);
}

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
  // A TPR the run cannot measure (its FPR is below one non-member's share: null) is never drawn.
  const measured = marked ? MARKERS.filter((m) => measurable(marked.result, m)) : [];
  const unmeasured = marked ? MARKERS.filter((m) => !measured.includes(m)) : [];
  const why = unmeasured.length ? ` TPR at ${unmeasured.map((m) => m.name).join(' and ')} FPR: ${notMeasurable(nonMembers)}.` : '';
  if (!log) {
    notes.push(`${marked && measured.length ? `Marker${measured.length > 1 ? 's' : ''} on the solid curve: ${measured.map((m) => `TPR at ${m.name} FPR (${m.glyph})`).join(' and ')}` : 'TPR at 1% FPR: see the table'}${nonMembers ? `; with ${nonMembers} non-members the smallest`
      + ` non-zero FPR is ${pct(minF)}` : ''}.${why} Log\u2013log axes magnify this low-FPR corner.`);
  } else {
    notes.push(`Log\u2013log axes cannot show 0: points with FPR = 0 are drawn at ${pct(minF)}, the smallest `
      + `non-zero FPR${nonMembers ? ` with ${nonMembers} non-members` : ''} (dotted line), and TPR = 0 at ${pct(minT)}.${why}`);
  }

  const legend = styled.map((c) => ({ text: `${c.label}: AUC ${num(c.result.roc_auc)}`, color: c.color, dash: c.dash.length > 0 }));
  legend.push({ text: 'Chance (AUC 0.5)', color: GREY, dash: true });
  if (measured.length) {
    legend.push({ text: measured.map((m) => `${m.glyph} TPR at ${m.name} FPR = ${pct(marked.result.tpr_at_fpr[m.key])}`).join('   '), color: marked.color });
  }
  const summary = `ROC chart${condition ? ` (${condition})` : ''}. `
    + styled.map((c) => `${c.label}: AUC ${num(c.result.roc_auc)}, `
      + MARKERS.map((m) => `TPR at ${m.name} FPR ${tpr(c.result.tpr_at_fpr[m.key], c.result.counts?.target_nonmembers)}`).join(', ') + '.').join(' ')
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
        padding: [12, presenting() ? 40 : 28, 0, 0], // room for the last x tick label ("100%"; 24 px in lecture mode)
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
    // Only the TPRs the run measured (null: an FPR below one non-member's share, never drawn).
    const markers = MARKERS.filter((m) => measurable(cv.result, m)).map((m) => ({
      f: m.fpr, t: cv.result.tpr_at_fpr[m.key], text: `TPR ${pct(cv.result.tpr_at_fpr[m.key])} at ${m.name} FPR`, shape: m.shape,
    }));
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
