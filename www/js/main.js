// main.js — owns the page's flow: state <-> URL hash, the worker's life cycle (start, restart
// after a crash), starting / cancelling runs, and showing results. It does UI work only: every
// computation happens in js/worker.js, and progress is drawn at most once per animation frame.

import { SWEEPS, parseHash, toHash, toConfig, sweepSeeds, defaultMismatches } from './state.js';
import * as ui from './ui.js';
import { drawRoc, drawSweep } from './charts.js';
import {
  renderSingleTables, renderSweepTables, resultsPayload, publishResults, toCSV, download,
} from './results.js';

const $ = (id) => document.getElementById(id);
// If the worker does not confirm a cancel in this time (stuck in a long step), it is replaced.
const CANCEL_TIMEOUT_MS = 3000;

let state; // the page state (schema in state.js); the hash mirrors it
let worker = null;
let ready = false; // the worker has a data set
let job = null; // the run in progress: {id, mode, values, seeds}
let nextId = 1;
let last = null; // the last finished run: {mode, result, payload, config}
let chart = null;
let userFile = null; // {bytes, name} of the user's loaded file, re-sent to a restarted worker
let pendingFile = null;
let restoring = false; // re-sending userFile to a restarted worker
let pendingRun = null; // a run asked for before the worker was ready
let cancelTimer = 0;
let latestProgress = null;
let frame = 0;

function writeHash() {
  history.replaceState(null, '', location.pathname + location.search + toHash(state));
}

function onControl(key, value) {
  state[key] = value;
  state.run = ''; // the link no longer describes the results on screen
  writeHash();
}

// ---- worker -------------------------------------------------------------------------------

function startWorker() {
  ready = false;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const w = worker;
  w.onmessage = (ev) => { if (w === worker) onMessage(ev.data); };
  w.onerror = (ev) => {
    if (w !== worker) return;
    ev.preventDefault();
    fail(`The computation worker could not start (${ev.message || 'module failed to load'}). Was the site built with \`make web\`?`);
  };
}

function restartWorker() {
  if (worker) worker.terminate();
  restoring = false;
  worker = null;
  startWorker();
}

function onMessage(msg) {
  switch (msg.type) {
    case 'ready': return onReady(msg);
    case 'loaded': return onLoaded(msg);
    case 'progress':
      if (job && msg.id === job.id) scheduleProgress(msg.progress);
      return;
    case 'done':
      if (job && msg.id === job.id) onDone(msg);
      return;
    case 'cancelled':
      if (job && msg.id === job.id) onCancelled();
      return;
    case 'error': return onWorkerError(msg);
    default: console.warn('MemberLens: unknown worker message', msg);
  }
}

function onReady(msg) {
  ready = true;
  const odd = defaultMismatches(msg.defaults);
  if (odd.length) console.warn(`MemberLens: page and wasm defaults differ for ${odd.join(', ')}`);
  if (userFile) { // a restarted worker: give it the user's file back
    restoring = true;
    worker.postMessage({ type: 'load', bytes: userFile.bytes.slice(0), name: userFile.name });
  } else {
    ui.renderDataset(msg.summary, true);
  }
  if (document.body.dataset.state === 'loading') {
    ui.setPageState('ready');
    ui.setStatus('Ready. Choose settings and press Run attack.');
  } else if (document.body.dataset.state !== 'running') {
    ui.setPageState(document.body.dataset.state);
  }
  if (pendingRun) {
    const mode = pendingRun;
    pendingRun = null;
    start(mode);
  }
}

function onLoaded(msg) {
  ui.renderDataset(msg.summary, msg.bundled);
  if (restoring) { restoring = false; return; } // the page's state and messages stay as they are
  if (pendingFile) { userFile = pendingFile; pendingFile = null; }
  if (msg.bundled) userFile = null;
  ui.showError(null);
  if (!job) {
    ui.setPageState('ready');
    ui.setStatus('Data set loaded. Press Run attack.');
  }
}

function onWorkerError(msg) {
  if (msg.id !== undefined && (!job || msg.id !== job.id)) return; // from a run already replaced
  const text = msg.context === 'load' ? `Could not read the file: ${msg.message}`
    : msg.context === 'config' ? `Invalid settings: ${msg.message}` : msg.message;
  if (msg.context === 'load') { pendingFile = null; restoring = false; }
  fail(text);
  if (msg.fatal && msg.context !== 'init') restartWorker();
}

/** Shows an error and leaves the page usable (state `error`, buttons enabled when possible). */
function fail(text) {
  clearTimeout(cancelTimer);
  job = null;
  ui.showError(text);
  ui.setStatus('Stopped by an error (see above).');
  ui.setPageState('error', ready);
}

// ---- runs ---------------------------------------------------------------------------------

function start(mode) {
  if (!ready) { pendingRun = mode; return; }
  if (job) return; // the buttons are disabled while running; a hash change may still ask
  const bad = ui.invalidFields();
  if (bad.length) { fail(`Some settings are not valid. ${bad.join('; ')}.`); return; }
  ui.showError(null);
  state.run = mode;
  writeHash();
  const msg = { type: 'run', id: nextId++, mode, config: toConfig(state) };
  if (mode !== 'single') {
    const sw = SWEEPS[mode];
    Object.assign(msg, { param: sw.param, values: sw.values, seeds: sweepSeeds(state) });
  }
  job = { id: msg.id, mode, values: msg.values, seeds: msg.seeds };
  latestProgress = null;
  publishResults(null);
  clearResultsView(mode === 'single' ? 'Running the attack\u2026' : 'Running the sweep\u2026');
  ui.resetProgress();
  ui.setStatus('Starting\u2026');
  ui.setPageState('running');
  worker.postMessage(msg);
}

// Progress arrives ~20 times a second; drawing the latest once per frame keeps the main thread idle.
function scheduleProgress(p) {
  latestProgress = p;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (job && latestProgress) ui.renderProgress(latestProgress, job);
  });
}

function cancel() {
  if (!job) return;
  worker.postMessage({ type: 'cancel', id: job.id });
  ui.setStatus('Cancelling\u2026');
  $('btn-cancel').disabled = true;
  cancelTimer = setTimeout(() => { restartWorker(); onCancelled(); }, CANCEL_TIMEOUT_MS);
}

function onCancelled() {
  clearTimeout(cancelTimer);
  job = null;
  ui.resetProgress();
  ui.setStatus('Cancelled. Change the settings or run again.');
  $('results-empty').textContent = 'Cancelled.';
  ui.setPageState('ready', ready);
}

function onDone(msg) {
  clearTimeout(cancelTimer);
  job = null;
  const payload = resultsPayload(msg.mode, msg.result);
  last = { mode: msg.mode, result: msg.result, payload, config: JSON.stringify(toConfig(state)) };
  publishResults(payload); // before state=done: tests read #results as soon as they see `done`
  ui.finishProgress(msg.elapsedMs);
  try {
    showResults();
  } catch (e) {
    // The numbers are in #results and the downloads; only the drawing failed.
    console.warn('MemberLens: drawing the results failed', e);
    fail(`The run finished but its results could not be drawn (${e.message}). Download JSON still has them.`);
    $('btn-json').disabled = false;
    return;
  }
  ui.setPageState('done');
  // Bring the chart into view when it landed below the fold (the stages were being watched).
  const top = $('results-panel').getBoundingClientRect().top;
  if (top > window.innerHeight * 0.6) $('results-panel').scrollIntoView({ block: 'start' });
}

function clearResultsView(text) {
  if (chart) { chart.destroy(); chart = null; }
  $('results-body').hidden = true;
  $('results-empty').hidden = false;
  $('results-empty').textContent = text;
  $('btn-json').disabled = true;
  $('btn-csv').disabled = true;
}

function showResults() {
  if (!last) return;
  $('results-empty').hidden = true;
  $('results-body').hidden = false; // visible before drawing: the chart takes the container's width
  if (chart) chart.destroy();
  const single = last.mode === 'single';
  $('scale-toggle').hidden = !single;
  chart = single ? drawRoc($('chart'), last.result, state.scale) : drawSweep($('chart'), last.result);
  $('chart-notes').textContent = chart.notes.join(' ');
  if (single) renderSingleTables($('tables'), last.result);
  else renderSweepTables($('tables'), last.result);
  $('btn-json').disabled = false;
  $('btn-csv').disabled = false;
  $('btn-csv').textContent = single ? 'Download CSV (ROC points)' : 'Download CSV (every run)';
}

function fileStem() {
  const c = last.result.config;
  const seeds = last.mode === 'single' ? '' : `x${last.result.seeds.length}`;
  return `memberlens-${last.mode}-seed${c.seed}${seeds}-k${c.k}`;
}

// ---- sharing ------------------------------------------------------------------------------

async function copyLink() {
  // A shared link runs on open: the last run's kind if the settings still match it, else a single run.
  const sameAsLast = last && last.config === JSON.stringify(toConfig(state));
  const link = { ...state, run: sameAsLast ? last.mode : state.run || 'single' };
  const url = location.origin + location.pathname + location.search + toHash(link);
  try {
    await navigator.clipboard.writeText(url);
    ui.setShareStatus(`Link copied. Opening it starts the same ${link.run === 'single' ? 'run' : link.run}: ${url}`);
  } catch {
    ui.setShareStatus(`Copy this link: ${url}`);
  }
}

async function loadFile() {
  const f = $('file').files[0];
  if (!f || !ready) return;
  const bytes = await f.arrayBuffer();
  pendingFile = { bytes: bytes.slice(0), name: f.name };
  ui.showError(null);
  ui.setStatus(`Reading ${f.name}\u2026`);
  ui.setPageState('loading');
  worker.postMessage({ type: 'load', bytes, name: f.name }, [bytes]);
  $('file').value = ''; // choosing the same file again fires 'change' again
}

// ---- start-up -----------------------------------------------------------------------------

function applyHash() {
  const { state: s, warnings } = parseHash(location.hash);
  state = s;
  ui.setControls(state);
  ui.showWarnings(warnings);
  if (warnings.length) writeHash(); // drop what was ignored, so the address shows what is used
  return state.run;
}

function wire() {
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); start('single'); });
  $('btn-k-sweep').addEventListener('click', () => start('k-sweep'));
  $('btn-lr-sweep').addEventListener('click', () => start('lr-sweep'));
  $('btn-cancel').addEventListener('click', cancel);
  $('btn-copy-link').addEventListener('click', copyLink);
  $('btn-json').addEventListener('click', () => last && download(`${JSON.stringify(last.payload, null, 2)}\n`, `${fileStem()}.json`, 'application/json'));
  $('btn-csv').addEventListener('click', () => last && download(toCSV(last.mode, last.payload), `${fileStem()}.csv`, 'text/csv'));
  $('btn-png').addEventListener('click', () => chart && chart.downloadPNG(`${fileStem()}.png`));
  $('file').addEventListener('change', loadFile);
  $('btn-bundled').addEventListener('click', () => { pendingFile = null; worker.postMessage({ type: 'use-bundled' }); });
  for (const r of document.querySelectorAll('input[name="scale"]')) {
    r.addEventListener('change', () => {
      state.scale = r.value;
      writeHash();
      if (last && last.mode === 'single') showResults();
    });
  }
  // Escape cancels a running job from anywhere on the page.
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && job) cancel(); });
  // Editing the address (or following another MemberLens link in this tab) re-reads it.
  window.addEventListener('hashchange', () => {
    const run = applyHash();
    if (run && !job) start(run);
  });
  window.addEventListener('unhandledrejection', (e) => fail(`Unexpected error: ${e.reason?.message || e.reason}`));
}

function main() {
  ({ state } = parseHash(location.hash));
  ui.buildControls(state, onControl);
  ui.buildStages();
  pendingRun = applyHash() || null;
  ui.resetProgress();
  wire();
  startWorker();
}

main();
