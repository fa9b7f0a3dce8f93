// view.js — owns what the results panel SHOWS: the one chart on screen (drawn by the result's run
// mode, js/modes/, destroyed before the next; the ROC chart with its pins for the modes that draw
// one), the panel's layout and the download buttons' state from what the mode declares, the
// live-region announcement of a finished run, and the pinned runs that stay on the ROC chart. It knows nothing of runs or the worker: main.js decides WHICH result
// is shown (a finished one or a running job's partial one) and passes what drawing needs (the ROC
// scale, what a pin's Remove button does); currentChart() hands main.js the chart for its PNG
// download and for updating a partial sweep in place.

import { SCHEMA, captureCondition, describeCondition } from './state.js';
import * as ui from './ui.js';
import { drawRoc } from './charts.js';
import { renderCompareTable } from './results.js';
import * as individuals from './individuals.js';
import { mode, FIRST_MODE } from './modes/index.js';

const $ = (id) => document.getElementById(id);
// Pins are drawn in curve styles 2, 3, 4 (0 and 1 belong to the current run / comparison).
const MAX_PINS = 3;

let chart = null; // the chart on screen (its interface: js/charts.js), or null
let pins = []; // [{result, style}]

/** The chart on screen, or null. */
export function currentChart() {
  return chart;
}

/** The headline number for screen readers (the live region), once per finished run: the mode's sentence. */
export function announce(s) {
  $('announce').textContent = mode(s.mode).announce(s, describeCondition(s.cond).text);
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
  return describeCondition(captureCondition(result.config, FIRST_MODE));
}

/** A pin's label: what differs from the first run shown ("Pinned: k = 16"). */
function pinLabel(p, ref) {
  const mine = runCondition(p.result).parts;
  const theirs = new Set(runCondition(ref).parts);
  const diff = mine.filter((x) => !theirs.has(x));
  return `Pinned: ${diff.length ? diff.join(', ') : 'same settings'}`;
}

/**
 * The curves on the ROC chart: the shown run(s) first (the mode's rocCurves, else "This run"), then
 * pinned runs not already among them.
 */
function rocCurves(v) {
  const m = mode(v.mode);
  const own = m.rocCurves ? m.rocCurves(v.result) : [{ label: 'This run', result: v.result }];
  const curves = own.map((c, i) => ({ ...c, style: i, markers: i === 0, condition: runCondition(c.result).text }));
  const runs = own.map((c) => c.result);
  const keys = new Set(runs.map((r) => JSON.stringify(r.config)));
  for (const p of pins) {
    if (keys.has(JSON.stringify(p.result.config))) continue;
    curves.push({ label: pinLabel(p, runs[0]), result: p.result, style: p.style, condition: runCondition(p.result).text, pin: p });
  }
  return curves;
}

/** The ROC chart of a 'roc' mode's result with the pinned runs, and the table of its curves. */
function drawRocView(v, title, d, scale, onUnpin) {
  const curves = rocCurves(v);
  const many = curves.length > 1;
  const c = drawRoc($('chart'), curves, {
    scale, title, condition: d.text,
    describedBy: many ? 'compare-table' : 'metrics-table',
  });
  renderCompareTable($('compare-box'), many ? curves.map((x) => ({
    label: x.label, condition: x.condition, result: x.result,
    onRemove: x.pin ? () => onUnpin(x.pin) : undefined,
  })) : []);
  return c;
}

/**
 * Draws `v` ({mode, cond, result, partial?, individuals?}) into the results panel: the mode draws
 * its chart, tables and headline (its `render`); the panel's layout, buttons and the individuals
 * view follow what the mode declares. `scale` is the ROC axes' (the form's `scale`); `onUnpin(pin)`
 * is called by a pinned curve's Remove button.
 */
export function showView(v, { scale, onUnpin }) {
  const m = mode(v.mode);
  $('results-empty').hidden = true;
  $('story').hidden = true; // the first screen's story gives way to the first result
  $('results-body').hidden = false; // visible before drawing: the chart takes the container's width
  if (chart) { chart.destroy(); chart = null; }
  const d = describeCondition(v.cond);
  $('condition').textContent = `${v.partial ? 'Running' : 'Showing'}: ${d.text}`;
  const rocView = m.view === 'roc';
  $('scale-toggle').hidden = !rocView;
  $('btn-pin').hidden = !m.pinRuns;
  $('btn-pin').disabled = !!v.partial;
  $('btn-pin').textContent = m.pinText || 'Pin this run';
  // A single run's defence, to change on the spot (main.js re-runs on a change).
  $('defence-tools').hidden = !m.defenceTools;
  if (m.defenceTools) showDefence(v.result.config);
  $('results-body').dataset.mode = m.view;
  $('btn-png').disabled = !!v.partial || m.png === false;
  if (!rocView) renderCompareTable($('compare-box'), []);
  chart = m.render(v, { d, scale, roc: (title) => drawRocView(v, title, d, scale, onUnpin) });
  $('chart-notes').textContent = chart.notes.join(' ');
  $('btn-json').disabled = !!v.partial;
  $('btn-csv').disabled = !!v.partial || !m.csv;
  $('btn-csv').textContent = m.csvLabel || 'Download CSV';
  // Every target user as a dot (single runs): its threshold marks a point on this ROC chart.
  individuals.update(m.individuals && v.individuals ? {
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

// ---- pins ---------------------------------------------------------------------------------

/** Pins the run(s) of `shown` (its mode's pinRuns) to the ROC chart; false when it has none to pin. */
export function pin(shown) {
  const runs = shown && mode(shown.mode).pinRuns?.(shown.result);
  if (!runs) return false;
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
