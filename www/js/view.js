// view.js — owns what the results panel SHOWS: the one chart on screen (drawn by js/charts.js or
// js/frontier.js, destroyed before the next), the tables, the headline numbers and their takeaway,
// the download buttons' state, the live-region announcement of a finished run, and the pinned runs
// that stay on the ROC chart. It knows nothing of runs or the worker: main.js decides WHICH result
// is shown (a finished one or a running job's partial one) and passes what drawing needs (the ROC
// scale, what a pin's Remove button does); currentChart() hands main.js the chart for its PNG
// download and for updating a partial sweep in place.

import { SWEEPS, COMPARE, captureCondition, describeCondition, paramText } from './state.js';
import * as ui from './ui.js';
import { drawRoc, drawSweep, drawMatrix } from './charts.js';
import {
  renderSingleTables, renderSweepTables, renderMatrixTables, renderCompareTable, renderHeadline, singleTakeaway,
  compareTakeaway, baselineTakeaway, matrixTakeaway, otherBaselines, warningsBox,
} from './results.js';
import { pct, num, sweepValue, ratio } from './format.js';
import * as individuals from './individuals.js';
import {
  drawFrontier, renderFrontierTables, renderFrontierNotes, frontierTakeaway,
} from './frontier.js';

const $ = (id) => document.getElementById(id);
// Pins are drawn in curve styles 2, 3, 4 (0 and 1 belong to the current run / comparison).
const MAX_PINS = 3;

let chart = null; // the chart on screen (its interface: js/charts.js), or null
let pins = []; // [{result, style}]

/** The chart on screen, or null. */
export function currentChart() {
  return chart;
}

/** The headline number for screen readers (the live region), once per finished run. */
export function announce(s) {
  const what = describeCondition(s.cond).text;
  let text;
  if (s.mode === 'single') {
    text = `Done. ROC-AUC ${num(s.result.roc_auc)}, TPR at 1% FPR ${pct(s.result.tpr_at_fpr['0.01'])} (${what}).`;
  } else if (s.mode === 'compare') {
    const [a, b] = s.result.runs;
    text = `Done. Popular list: ROC-AUC ${num(a.roc_auc)}. Model lists (fold-in): ROC-AUC ${num(b.roc_auc)} (${what}).`;
  } else if (s.mode === 'frontier') {
    text = `Frontier done. ${frontierTakeaway(s.result)} (${what}).`;
  } else if (s.mode === 'matrix') {
    text = `Transfer matrix done. ${matrixTakeaway(s.result)} (${what}).`;
  } else {
    const pts = s.result.points;
    text = `Sweep done. ROC-AUC ${num(pts[0].roc_auc_mean)} at ${sweepValue(pts[0].value)} to ${num(pts[pts.length - 1].roc_auc_mean)} at ${sweepValue(pts[pts.length - 1].value)} (${what}).`;
  }
  $('announce').textContent = text;
}

export function clearResultsView(text) {
  if (chart) { chart.destroy(); chart = null; }
  $('results-body').hidden = true;
  $('results-empty').hidden = false;
  $('results-empty').textContent = text;
  $('condition').textContent = '';
  $('btn-json').disabled = true;
  $('btn-csv').disabled = true;
  individuals.update(null);
}

/** The run's own label: its condition as a single run (protocol included). */
function runCondition(result) {
  return describeCondition(captureCondition(result.config, 'single'));
}

/** A pin's label: what differs from the first run shown ("Pinned: k = 16"). */
function pinLabel(p, ref) {
  const mine = runCondition(p.result).parts;
  const theirs = new Set(runCondition(ref).parts);
  const diff = mine.filter((x) => !theirs.has(x));
  return `Pinned: ${diff.length ? diff.join(', ') : 'same settings'}`;
}

/** The curves on the ROC chart: the shown run(s) first, then pinned runs not already among them. */
function rocCurves(v) {
  const runs = v.mode === 'compare' ? v.result.runs : [v.result];
  const curves = v.mode === 'compare'
    ? runs.map((r, i) => ({ label: COMPARE[i].label, result: r, style: i, markers: i === 0, condition: runCondition(r).text }))
    : [{ label: 'This run', result: v.result, style: 0, markers: true, condition: runCondition(v.result).text }];
  const keys = new Set(runs.map((r) => JSON.stringify(r.config)));
  for (const p of pins) {
    if (keys.has(JSON.stringify(p.result.config))) continue;
    curves.push({ label: pinLabel(p, runs[0]), result: p.result, style: p.style, condition: runCondition(p.result).text, pin: p });
  }
  return curves;
}

/**
 * Draws `v` ({mode, cond, result, partial?, individuals?}) into the results panel: chart, tables,
 * headline, buttons. `scale` is the ROC axes' (the form's `scale`); `onUnpin(pin)` is called by a
 * pinned curve's Remove button.
 */
export function showView(v, { scale, onUnpin }) {
  $('results-empty').hidden = true;
  $('results-body').hidden = false; // visible before drawing: the chart takes the container's width
  if (chart) { chart.destroy(); chart = null; }
  const d = describeCondition(v.cond);
  $('condition').textContent = `${v.partial ? 'Running' : 'Showing'}: ${d.text}`;
  const rocView = v.mode === 'single' || v.mode === 'compare';
  $('scale-toggle').hidden = !rocView;
  $('btn-pin').hidden = !rocView;
  $('btn-pin').disabled = !!v.partial;
  $('btn-pin').textContent = v.mode === 'compare' ? 'Pin both runs' : 'Pin this run';
  $('results-body').dataset.mode = rocView ? 'roc' : v.mode === 'matrix' || v.mode === 'frontier' ? v.mode : 'sweep';
  $('btn-png').disabled = !!v.partial;
  if (rocView) {
    const curves = rocCurves(v);
    const title = v.mode === 'compare'
      ? `ROC: popular list vs model lists \u2014 ${d.text}`
      : `ROC of the attack \u2014 AUC ${num(v.result.roc_auc)} \u2014 ${d.text}`;
    const many = curves.length > 1;
    chart = drawRoc($('chart'), curves, {
      scale: scale, title, condition: d.text,
      describedBy: many ? 'compare-table' : 'metrics-table',
    });
    if (many) {
      renderCompareTable($('compare-box'), curves.map((c) => ({
        label: c.label, condition: c.condition, result: c.result,
        onRemove: c.pin ? () => onUnpin(c.pin) : undefined,
      })));
    } else renderCompareTable($('compare-box'), []);
    if (v.mode === 'single') {
      renderSingleTables($('tables'), v.result, d.text);
      headlineSingle(v.result);
    } else {
      $('tables').replaceChildren();
      if (v.result.runs.length === 2) {
        const [a, b] = v.result.runs;
        renderHeadline($('headline'), [
          ['ROC-AUC, popular list', num(a.roc_auc), 'the paper\u2019s protocol'],
          ['ROC-AUC, model lists', num(b.roc_auc), 'fold-in: everyone served by the model'],
          ['TPR at 1% FPR', `${pct(a.tpr_at_fpr['0.01'])} vs ${pct(b.tpr_at_fpr['0.01'])}`, 'popular vs fold-in'],
        ], compareTakeaway(a, b), warningsBox(v.result.runs.map((r, i) => ({ label: COMPARE[i].label, result: r }))));
      } else {
        headlineSingle(v.result.runs[0]);
        $('headline').querySelector('.takeaway').textContent = 'The popular-list run is done; the fold-in run follows.';
      }
    }
  } else if (v.mode === 'frontier') {
    chart = drawFrontier($('chart'), v.result, {
      title: `Defences: privacy vs usefulness \u2014 ${d.text}`, condition: d.text, describedBy: 'frontier-table',
    });
    renderCompareTable($('compare-box'), []);
    renderFrontierTables($('tables'), v.result, d.text);
    renderFrontierNotes($('headline'), v.result);
  } else if (v.mode === 'matrix') {
    chart = drawMatrix($('chart'), v.result, {
      title: `Transfer matrix: ROC-AUC of the attack by shadow and target algorithm \u2014 ${d.text}`,
      condition: d.text, describedBy: 'matrix-table',
    });
    renderCompareTable($('compare-box'), []);
    renderMatrixTables($('tables'), v.result, d.text);
    headlineMatrix(v.result);
  } else {
    chart = drawSweep($('chart'), v.result, {
      title: `Attack success against ${paramText(SWEEPS[v.mode].param, v.result.config).long} \u2014 ${d.text}`,
      condition: d.text, describedBy: 'sweep-table', progressive: !!v.partial,
    });
    renderCompareTable($('compare-box'), []);
    renderSweepTables($('tables'), v.result, d.text);
    headlineSweep(v.result);
  }
  $('chart-notes').textContent = chart.notes.join(' ');
  $('btn-json').disabled = !!v.partial;
  $('btn-csv').disabled = !!v.partial;
  $('btn-csv').textContent = v.mode === 'single' || v.mode === 'compare' ? 'Download CSV (ROC points)'
    : v.mode === 'matrix' ? 'Download CSV (every cell and seed)' : 'Download CSV (every run)';
  // Every target user as a dot (single runs): its threshold marks a point on this ROC chart.
  individuals.update(v.mode === 'single' && v.individuals ? {
    result: v.result, ...v.individuals, condition: d.text, chart, rocs: rocCurves(v).map((c) => c.result), scale: scale,
  } : null);
}

function headlineSingle(r) {
  const N = r.config.top_n;
  const t = r.recommender.target;
  const [best] = otherBaselines(r);
  renderHeadline($('headline'), [
    ['ROC-AUC', num(r.roc_auc), `the ${r.config.attack} attack; 0.5 = guessing, 1 = perfect`],
    ['TPR at 1% FPR', pct(r.tpr_at_fpr['0.01']), 'members found, \u2264 1% of non-members flagged'],
    ...(best ? [[`Baseline: ${best[0]}`, num(best[1].roc_auc), `ROC-AUC without a shadow model (${pct(best[1].tpr_at_fpr['0.01'])} at 1% FPR): does the ${r.config.attack === 'mlp' ? 'network' : 'attack'} earn its keep?`]] : []),
    [`Recall@${N}`, num(t.recall_at_n), `${ratio(t.recall_vs_popularity)} the popularity list\u2019s ${num(t.popularity_recall_at_n)}: what the recommender is worth`],
  ], `${singleTakeaway(r)} ${baselineTakeaway(r)}`.trim(), warningsBox([{ result: r }]));
}

function headlineMatrix(m) {
  const diag = m.cells.filter((c) => c.shadow === c.target);
  const off = m.cells.filter((c) => c.shadow !== c.target);
  const mean = (cs) => cs.reduce((a, c) => a + c.roc_auc_mean, 0) / cs.length;
  renderHeadline($('headline'), [
    ['ROC-AUC, same algorithm', num(mean(diag)), 'mean of the outlined diagonal: the paper\u2019s assumption'],
    ...(off.length ? [['ROC-AUC, other algorithm', num(mean(off)), 'mean off the diagonal: the attacker guessed wrong']] : []),
  ], matrixTakeaway(m));
}

export function headlineSweep(sw) {
  const pts = sw.points;
  const first = pts[0];
  const lastP = pts[pts.length - 1];
  const what = paramText(sw.param).short;
  renderHeadline($('headline'), [
    [`ROC-AUC at ${what} = ${sweepValue(first.value)}`, num(first.roc_auc_mean)],
    [`ROC-AUC at ${what} = ${sweepValue(lastP.value)}`, num(lastP.roc_auc_mean)],
  ], pts.length < sw.values.length
    ? `${pts.length} of ${sw.values.length} values done.`
    : `From ${what} = ${sweepValue(first.value)} to ${sweepValue(lastP.value)} the attack's AUC goes from ${num(first.roc_auc_mean)} to ${num(lastP.roc_auc_mean)}.`);
}

// ---- pins ---------------------------------------------------------------------------------

/** Pins the run(s) of `shown` (single or compare) to the ROC chart; false when it has none to pin. */
export function pin(shown) {
  if (!shown || (shown.mode !== 'single' && shown.mode !== 'compare')) return false;
  const runs = shown.mode === 'compare' ? shown.result.runs : [shown.result];
  for (const r of runs) {
    const key = JSON.stringify(r.config);
    if (pins.some((p) => JSON.stringify(p.result.config) === key)) continue;
    if (pins.length === MAX_PINS) pins.shift(); // the oldest pin makes room
    const used = new Set(pins.map((p) => p.style));
    const style = [2, 3, 4].find((s) => !used.has(s));
    pins.push({ result: r, style });
  }
  ui.setShareStatus(`Pinned. ${pins.length} pinned run${pins.length === 1 ? '' : 's'} stay on the ROC chart until removed (at most ${MAX_PINS}).`);
  return true;
}

/** Removes pin `p` (the caller redraws). */
export function unpin(p) {
  pins = pins.filter((x) => x !== p);
}
