// view.js — owns what the results panel SHOWS: the one chart on screen (drawn by js/charts.js or
// js/frontier.js, destroyed before the next), the tables, the headline numbers and their takeaway,
// the download buttons' state, the live-region announcement of a finished run, and the pinned runs
// that stay on the ROC chart. It knows nothing of runs or the worker: main.js decides WHICH result
// is shown (a finished one or a running job's partial one) and passes what drawing needs (the ROC
// scale, what a pin's Remove button does); currentChart() hands main.js the chart for its PNG
// download and for updating a partial sweep in place.

import { SWEEPS, COMPARE, SCHEMA, captureCondition, describeCondition, paramText } from './state.js';
import * as ui from './ui.js';
import { drawRoc, drawSweep, drawMatrix } from './charts.js';
import {
  renderSingleTables, renderSweepTables, renderMatrixTables, renderCompareTable, renderHeadline, singleTakeaway,
  compareTakeaway, matrixTakeaway, warningsBox,
} from './results.js';
import { pct, num, sweepValue, ratio, interval, pctInterval, tpr } from './format.js';
import * as individuals from './individuals.js';
import { drawFrontier, renderFrontierTables, frontierHeadline, frontierTakeaway } from './frontier.js';
import * as you from './you.js';

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
    const st = s.result.strongest;
    text = `Done. Strongest attack ${st.attack}: ROC-AUC ${num(st.roc_auc)}, TPR at 1% FPR ${tpr(st.tpr_at_1pct, s.result.counts.target_nonmembers)}`
      + `; the ${s.result.config.attack} attack: ROC-AUC ${num(s.result.roc_auc)} (${what}).`;
  } else if (s.mode === 'compare') {
    text = `Done. ${compareTakeaway(s.result)} (${what}).`;
  } else if (s.mode === 'frontier') {
    text = `Frontier done. ${frontierTakeaway(s.result)} (${what}).`;
  } else if (s.mode === 'you') {
    text = `Done. ${you.takeaway(s.result)}`;
  } else if (s.mode === 'matrix') {
    text = `Transfer matrix done. ${matrixTakeaway(s.result)} (${what}).`;
  } else {
    text = `Sweep done. ${(s.result.takeaways || []).join(' ')} (${what}).`;
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
  $('story').hidden = true; // the first screen's story gives way to the first result
  $('results-body').hidden = false; // visible before drawing: the chart takes the container's width
  if (chart) { chart.destroy(); chart = null; }
  const d = describeCondition(v.cond);
  $('condition').textContent = `${v.partial ? 'Running' : 'Showing'}: ${d.text}`;
  const rocView = v.mode === 'single' || v.mode === 'compare';
  $('scale-toggle').hidden = !rocView;
  $('btn-pin').hidden = !rocView;
  $('btn-pin').disabled = !!v.partial;
  $('btn-pin').textContent = v.mode === 'compare' ? 'Pin both runs' : 'Pin this run';
  // A single run's defence, to change on the spot (main.js re-runs on a change).
  $('defence-tools').hidden = v.mode !== 'single';
  if (v.mode === 'single') showDefence(v.result.config);
  $('results-body').dataset.mode = rocView ? 'roc' : ['matrix', 'frontier', 'you'].includes(v.mode) ? v.mode : 'sweep';
  $('btn-png').disabled = !!v.partial || v.mode === 'you';
  if (rocView) {
    const curves = rocCurves(v);
    const title = v.mode === 'compare'
      ? `ROC: popular list vs model lists \u2014 ${d.text}`
      : `ROC of the ${v.result.config.attack} attack \u2014 AUC ${num(v.result.roc_auc)} \u2014 ${d.text}`;
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
        const st = (r) => r.strongest;
        const t1 = (r) => tpr(st(r).tpr_at_1pct, r.counts.target_nonmembers);
        renderHeadline($('headline'), [
          ['Strongest attack, popular list', num(st(a).roc_auc), `${st(a).attack} ROC-AUC, 95% ${interval(st(a).ci95.roc_auc)}; the paper\u2019s protocol`],
          ['Strongest attack, model lists', num(st(b).roc_auc), `${st(b).attack} ROC-AUC, 95% ${interval(st(b).ci95.roc_auc)}; fold-in: everyone served by the model`],
          ['TPR at 1% FPR, strongest', `${t1(a)} vs ${t1(b)}`, 'popular vs fold-in'],
        ], compareTakeaway(v.result), warningsBox(v.result.runs.map((r, i) => ({ label: COMPARE[i].label, result: r }))));
      } else {
        headlineSingle(v.result.runs[0]);
        $('headline').querySelector('.takeaway').textContent = 'The popular-list run is done; the fold-in run follows.';
      }
    }
  } else if (v.mode === 'you') {
    chart = you.draw($('chart'), v.result);
    renderCompareTable($('compare-box'), []);
    $('tables').replaceChildren();
    renderHeadline($('headline'), you.headlineItems(v.result), you.takeaway(v.result));
  } else if (v.mode === 'frontier') {
    // While it runs: the points done so far (js/pool.js), said in its title.
    const sofar = v.partial ? ' (so far: the points done)' : '';
    chart = drawFrontier($('chart'), v.result, {
      title: `Defences against the strongest attack: privacy vs usefulness${sofar} \u2014 ${d.text}`, condition: d.text,
    });
    renderCompareTable($('compare-box'), []);
    if (v.partial) {
      // While it runs only the chart: the tables of every point cost the main thread 200+ ms a
      // redraw (tests/e2e/frontier.test.mjs's long tasks); they come with the whole.
      $('tables').replaceChildren();
      renderHeadline($('headline'), [], 'The points appear as they are done; the tables and findings follow the whole frontier.');
    } else {
      renderFrontierTables($('tables'), v.result, d.text);
      renderHeadline($('headline'), frontierHeadline(v.result), frontierTakeaway(v.result));
    }
  } else if (v.mode === 'matrix') {
    // While it runs: the matrix of the seeds done so far (js/pool.js), said in its title.
    const total = v.cond.values?.seeds;
    const sofar = v.partial ? ` (so far: ${v.result.seeds.length}${total ? ` of ${total}` : ''} seeds)` : '';
    chart = drawMatrix($('chart'), v.result, {
      title: `Transfer matrix: ROC-AUC of the attack by shadow and target algorithm${sofar} \u2014 ${d.text}`,
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
  $('btn-csv').disabled = !!v.partial || v.mode === 'you';
  $('btn-csv').textContent = v.mode === 'single' || v.mode === 'compare' ? 'Download CSV (ROC points)'
    : v.mode === 'matrix' ? 'Download CSV (every cell and seed)' : 'Download CSV (every run)';
  // Every target user as a dot (single runs): its threshold marks a point on this ROC chart.
  individuals.update(v.mode === 'single' && v.individuals ? {
    result: v.result, ...v.individuals, condition: d.text, chart, rocs: rocCurves(v).map((c) => c.result), scale: scale,
  } : null);
}

/** The defence tools show `config`'s defence and strength (the choices: the schema's defences). */
function showDefence(config) {
  const sel = $('defence-tools').querySelector('select');
  if (!sel.options.length) {
    for (const d of SCHEMA.defence.options) sel.append(new Option(d === 'none' ? 'none' : d, d));
  }
  sel.value = config.defence;
  $('dt-strength').value = String(config.defence_strength);
  $('dt-strength').disabled = config.defence === 'none';
  $('dt-strength-value').textContent = String(config.defence_strength);
}

/**
 * A single run's headline: the strongest attack the run ran (its ROC-AUC with the 95 % interval,
 * what it finds at 1 % FPR or why that cannot be measured), the run's own attack beside it, recall;
 * the takeaways Rust wrote from the same numbers, and the warnings.
 */
function headlineSingle(r) {
  const N = r.config.top_n;
  const t = r.recommender.target;
  const nN = r.counts.target_nonmembers;
  const st = r.strongest;
  const own = r.config.attack;
  const t1 = st.tpr_at_1pct;
  const items = [
    [`Strongest attack: ${st.attack}`, num(st.roc_auc), `ROC-AUC, 95% ${interval(st.ci95.roc_auc)}; 0.5 = guessing, 1 = perfect`],
    ['TPR at 1% FPR, strongest', tpr(t1, nN), t1 === null
      ? `one wrongly flagged non-member is already ${pct(r.min_nonzero_fpr)}`
      : `members found, \u2264 1% of non-members flagged (95% ${pctInterval(st.ci95.tpr_at_1pct)})`],
  ];
  if (st.attack !== own) {
    items.push([`This run\u2019s attack: ${own}`, num(r.roc_auc), `ROC-AUC, 95% ${interval(r.ci95?.roc_auc)}; ${tpr(r.tpr_at_fpr['0.01'], nN)} at 1% FPR`]);
  }
  items.push([`Recall@${N}`, num(t.recall_at_n), `${ratio(t.recall_vs_popularity)} the popularity list\u2019s ${num(t.popularity_recall_at_n)}: what the recommender is worth`]);
  renderHeadline($('headline'), items, singleTakeaway(r), warningsBox([{ result: r }]));
}

/** The matrix's headline: the personalised algorithms' diagonal against the rest (as the takeaway
 * Rust writes compares them: the popularity list sits at chance by construction). */
function headlineMatrix(m) {
  const personal = (c) => c.shadow !== 'popularity' && c.target !== 'popularity';
  const cells = m.cells.filter(personal);
  const diag = cells.filter((c) => c.shadow === c.target);
  const off = cells.filter((c) => c.shadow !== c.target);
  const mean = (cs) => cs.reduce((a, c) => a + c.roc_auc_mean, 0) / cs.length;
  const strongest = m.cells.reduce((a, c) => (c.strongest_roc_auc_mean > a.strongest_roc_auc_mean ? c : a), m.cells[0]);
  renderHeadline($('headline'), [
    ...(diag.length ? [['ROC-AUC, same algorithm', num(mean(diag)), 'personalised algorithms, the outlined diagonal: the paper\u2019s assumption']] : []),
    ...(off.length ? [['ROC-AUC, other algorithm', num(mean(off)), 'personalised algorithms off the diagonal: the attacker guessed wrong']] : []),
    ['Strongest attack, best cell', num(strongest.strongest_roc_auc_mean), `${strongest.strongest_attack}, shadow ${strongest.shadow} \u2192 target ${strongest.target} (table: every cell\u2019s strongest)`],
  ], matrixTakeaway(m));
}

/** A sweep's headline: the strongest attack at the first and last value, recall; Rust's takeaways. */
export function headlineSweep(sw) {
  const pts = sw.points;
  const first = pts[0];
  const lastP = pts[pts.length - 1];
  const what = paramText(sw.param).short;
  const N = sw.config.top_n;
  const at = (p) => [`Strongest at ${what} = ${sweepValue(p.value)}`, num(p.strongest_roc_auc_mean),
    `${p.strongest_attack} ROC-AUC, 95% ${interval(p.strongest_roc_auc_ci95)}; the ${sw.config.attack} attack ${num(p.roc_auc_mean)}`];
  renderHeadline($('headline'), [
    at(first),
    ...(pts.length > 1 ? [at(lastP)] : []),
    [`Recall@${N}`, pts.length > 1 ? `${num(first.recall_at_n_mean)} \u2192 ${num(lastP.recall_at_n_mean)}` : num(first.recall_at_n_mean),
      `members\u2019 held-out ratings found, ${what} = ${sweepValue(first.value)}${pts.length > 1 ? ` to ${sweepValue(lastP.value)}` : ''}`],
  ], pts.length < sw.values.length
    ? `${pts.length} of ${sw.values.length} values done.`
    : (sw.takeaways || []).join(' '));
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
