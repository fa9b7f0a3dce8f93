// main.js — owns the page's flow: state <-> URL hash, the worker's life cycle (start, restart
// after a crash), starting / cancelling runs, and which result is SHOWN. A result always belongs
// to the condition captured when its run started (never the form when it ends): its labels, its
// downloads and "Copy link" come from that condition, and when the form no longer matches it the
// page is `stale` until the next run (or re-runs by itself with the Live switch). Drawing what is
// shown (and the pinned runs on the ROC chart) is js/view.js's; its link and downloads are
// js/share.js's. The preset buttons set every setting to a preset (the base links are written
// against). It does UI work only: every computation happens in js/worker.js, on the pool of
// workers js/pool.js runs, and progress and partial points are drawn at most once per animation frame.
// What the first screen does not need is loaded when first needed (import()): the drawing and
// sharing of results (view, share, results, the charts with uPlot, the individuals view) when the
// first job starts, a run mode's module (js/modes/, with what only it draws: the frontier's, the
// matrix's) when it is first chosen, the audit panel's code when it is first opened, lecture mode when a link asks for it (present=1) or the
// Present button is pressed. The lecture's runs ahead of its slides live here too (not in
// js/lecture.js): they are jobs of the same pool, and which one runs, is replaced or is shown is
// this file's business; that is why it is longer than ~400 lines.
// What a run mode does (its job, how its result is drawn, its link keys) is its module's, js/modes/,
// loaded the first time it is chosen; this file asks the mode, never branches on its name. A mode
// whose links never start a job (the audit: its files are never in a link) opens its panel instead.

import {
  parseHash, toHash, toConfig, defaultMismatches, presetMismatches,
  captureCondition, sameCondition, conditionState, describeCondition, setRecommenderNames,
  baseState, CONFIG_KEYS, YOU_MIN,
} from './state.js';
import { mode, loadMode, isLoaded, loadAllModes, loadedModes, FIRST_MODE, buildRun } from './modes/index.js';
import * as ui from './ui.js';
import * as sections from './sections.js';
import { Pool, poolSize } from './pool.js';
import * as cost from './cost.js';
import * as you from './you.js';

const $ = (id) => document.getElementById(id);
// If the worker does not confirm a cancel in this time (stuck in a long step), it is replaced.
const CANCEL_TIMEOUT_MS = 3000;
// Live mode waits this long after the last change before it re-runs (typing "100" is one change).
const LIVE_DEBOUNCE_MS = 600;
// Slow motion (lecture): the worker pauses this long at the start of every stage.
const SLOW_STAGE_MS = 2500;

let state; // the form's state (schema in state.js); the address bar mirrors it
let worker = null;
let ready = false; // the worker has a data set
let job = null; // the run in progress: {id, mode, def (its mode), spec (its job), cond, origin, partial}
let nextId = 1;
let shown = null; // the result on screen: {mode, cond, result, payload}
let partialView = false; // the chart shows the running job's partial result, not `shown`
let partialFrame = 0; // a pending redraw of the partial result (one per animation frame)
let live = false;
let liveTimer = 0;
let userFile = null; // {bytes, name} of the user's loaded file, re-sent to a restarted worker
let pendingFile = null;
let restoring = false; // re-sending userFile to a restarted worker
let pendingRun = null; // {mode, origin} asked for before the worker was ready
let cancelTimer = 0;
let latestProgress = null;
let frame = 0;
let firstReady = true; // the worker's first 'ready' brings its algorithm names
let linkWarnings = []; // warnings of the link read at start-up (the address is rewritten once the worker is ready)
const doneListeners = []; // the lecture waits on results
let view = null; // js/view.js, js/share.js and js/results.js once loaded (loadDisplay)
let share = null;
let results = null;
let displayLoading = null;
let lecture = null; // js/lecture.js once a link asked for lecture mode (loadLecture)
let lectureLoading = null;
let summary = null; // the bundled data set's summary (counts), from the worker's `ready`

/**
 * The modules that draw and share results, loaded when the first job starts (about 100 KB
 * gzipped that the first screen does not need: uPlot alone is 42 KB); then the charts' code and
 * fonts are warmed up in a task of their own, before the job starts, so that neither the running
 * job's progress nor its first draw waits on them.
 */
function loadDisplay() {
  if (!displayLoading) {
    // The first mode too: the view labels every run (a pin, a compared run) as a single run's condition.
    displayLoading = Promise.all([import('./view.js'), import('./share.js'), import('./results.js'), import('./charts.js'), loadMode(FIRST_MODE)])
      .then(([v, sh, r, charts]) => new Promise((resolve) => {
        // A task of its own (a timer, not a frame: a link opened in a background tab still runs).
        setTimeout(() => {
          try { charts.warmUp(); } catch (e) { console.warn('MemberLens: chart warm-up failed', e); }
          [view, share, results] = [v, sh, r];
          resolve();
        }, 0);
      }));
    displayLoading.catch(() => { displayLoading = null; }); // a later start tries again
  }
  return displayLoading;
}

/** Lecture mode (js/lecture.js), loaded the first time the state asks for it. */
function loadLecture() {
  if (!lectureLoading) {
    // Its slides run several modes, and ask for kept results synchronously: every mode is loaded.
    lectureLoading = Promise.all([import('./lecture.js'), loadAllModes()]).then(([m]) => {
      m.init(api);
      lecture = m;
      return m;
    });
    lectureLoading.catch((e) => { lectureLoading = null; fail(`Lecture mode could not be loaded (${e.message}).`); });
  }
  return lectureLoading;
}

/** Lecture mode follows the state: configured now when loaded, else loaded first if the state asks for it. */
function configureLecture() {
  if (lecture) {
    lecture.configure(state);
    return Promise.resolve(lecture);
  }
  if (!state.present) return Promise.resolve(null);
  return loadLecture().then((m) => {
    m.configure(state);
    if (ready) m.onReady(); // the worker was ready first: open the step the link asks for now
    return m;
  });
}

function writeHash() {
  history.replaceState(null, '', location.pathname + location.search + toHash(state));
  cost.refresh(toConfig(state));
}

function onControl(key, value) {
  state[key] = value;
  state.run = ''; // the address no longer starts a run: it describes the form
  writeHash();
  refreshStale();
  if (live && key !== 'seeds') scheduleLive();
}

/** Marks the page `stale` when the form no longer describes the result shown (or the run going on). */
function refreshStale() {
  const ref = job ? job.cond : shown && !partialView ? shown.cond : null;
  const stale = !!ref && !sameCondition(ref, state);
  ui.showStale(stale ? describeCondition(ref).text : '', !!job);
  if (!job && shown && !partialView) ui.setPageState(stale ? 'stale' : 'done', ready);
  $('results-panel').classList.toggle('is-stale', stale);
}

function scheduleLive() {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    if (ui.invalidFields().length) return; // wait until the field being typed in is valid
    start(FIRST_MODE, { origin: 'live' });
  }, LIVE_DEBOUNCE_MS);
}

// ---- worker -------------------------------------------------------------------------------

// The pool's size comes from the address as it was opened (`workers=N`): it changes speed, not
// results, so it is no setting of the form and never goes into a link.
const POOL_SIZE = poolSize(location.hash);
cost.setWorkers(POOL_SIZE); // multi-run jobs share the pool, so their estimates divide among it

function startWorker() {
  ready = false;
  // A pool of workers that speaks the one worker's messages (js/pool.js).
  worker = new Pool(POOL_SIZE);
  const w = worker;
  w.onmessage = (ev) => { if (w === worker) onMessage(ev.data); };
  // Under automation only: the e2e tests inject a worker crash and count busy workers.
  if (navigator.webdriver) window.__memberlensPool = w;
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
      if (bg && msg.id === bg.id) onBackgroundProgress(msg);
      if (job && msg.id === job.id) scheduleProgress(msg.progress);
      return;
    case 'partial':
      if (job && msg.id === job.id) onPartial(msg);
      return;
    case 'done':
      if (bg && msg.id === bg.id) onBackgroundDone(msg);
      if (job && msg.id === job.id) onDone(msg);
      return;
    case 'cancelled':
      if (job && msg.id === job.id) onCancelled();
      pumpBackground();
      return;
    case 'random-seed':
      ui.setField('seed', msg.seed);
      onControl('seed', msg.seed);
      return;
    case 'error': return onWorkerError(msg);
    default: console.warn('MemberLens: unknown worker message', msg);
  }
}

function onReady(msg) {
  ready = true;
  const odd = [...defaultMismatches(msg.defaults), ...presetMismatches(msg.presets)];
  if (odd.length) console.warn(`MemberLens: page and wasm defaults differ for ${odd.join(', ')}`);
  if (firstReady) {
    firstReady = false;
    // The module's algorithms are the allowed values from now on; a link naming one the page did
    // not know yet (a newer module) is read again with them.
    if (setRecommenderNames(msg.recommenders)) {
      ui.refreshOptions(['recommender', 'shadow_recommender'], state);
      for (const m of loadedModes()) m.refresh?.(); // a mode's panel lists the algorithms too
      const run = applyHash();
      if (pendingRun && run) pendingRun.mode = run;
    } else if (linkWarnings.length) {
      writeHash(); // drop what was ignored, so the address shows what is used
    }
  }
  $('btn-random-seed').disabled = false;
  if (userFile) { // a restarted worker: give it the user's file back
    restoring = true;
    worker.postMessage({ type: 'load', bytes: userFile.bytes.slice(0), name: userFile.name });
  } else {
    summary = msg.summary;
    ui.renderDataset(msg.summary, true);
    cost.setDataset(msg.summary, toConfig(state));
  }
  if (document.body.dataset.state === 'loading') {
    ui.setPageState('ready');
    ui.setStatus('Ready. Choose settings and press Run attack.');
  } else if (document.body.dataset.state !== 'running') {
    ui.setPageState(document.body.dataset.state);
  }
  if (lecture) lecture.onReady();
  pumpBackground();
  registerOffline();
  if (pendingRun) {
    const { mode, origin } = pendingRun;
    pendingRun = null;
    start(mode, { origin });
  }
}

function onLoaded(msg) {
  ui.renderDataset(msg.summary, msg.bundled);
  cost.setDataset(msg.summary, toConfig(state));
  if (restoring) { restoring = false; return; } // the page's state and messages stay as they are
  if (pendingFile) { userFile = pendingFile; pendingFile = null; }
  if (msg.bundled) userFile = null;
  ui.showError(null);
  ui.showFileError(null);
  if (!job) {
    ui.setPageState('ready');
    ui.setStatus('Data set loaded. Press Run attack.');
  }
}

function onWorkerError(msg) {
  if (bg && msg.id === bg.id) { onBackgroundError(msg); return; }
  if (msg.id !== undefined && (!job || msg.id !== job.id)) return; // from a run already replaced
  if (msg.context === 'load') {
    // Next to the file input, where the user is looking; the data set in use stays as it was.
    pendingFile = null;
    restoring = false;
    ui.showFileError(msg.message);
    ui.setStatus('The file could not be read (see the message next to the file input).');
    ui.setPageState('error', ready);
    return;
  }
  const text = msg.context === 'config' ? `Invalid settings: ${msg.message}` : msg.message;
  fail(text);
  if (msg.fatal && msg.context !== 'init') restartWorker();
}

/** Shows an error and leaves the page usable (state `error`, buttons enabled when possible). */
function fail(text) {
  clearTimeout(cancelTimer);
  job = null;
  tickJobTime();
  ui.showError(text);
  ui.setStatus('Stopped by an error (see above).');
  ui.setPageState('error', ready);
  pumpBackground();
}

// ---- runs ---------------------------------------------------------------------------------

/** The run of mode `id` on the state `st` (its condition `cond`): js/modes/index.js buildRun. */
function jobOf(id, st, cond) {
  return buildRun(nextId++, id, st, toConfig(conditionState(cond)));
}

/**
 * Starts a job of `mode` with the form's current settings, captured now. `origin`: 'user' (a
 * button), 'link' (the address), 'live' (the Live switch) or 'lecture' (a guided step); live and
 * lecture runs replace a running job, the others wait for it.
 */
function start(id, { origin = 'user', costChecked = false } = {}) {
  if (!ready) { pendingRun = { mode: id, origin }; return; }
  if (job && origin !== 'live' && origin !== 'lecture') return; // buttons are disabled while running
  if (!view || !isLoaded(id)) {
    Promise.all([loadDisplay(), loadMode(id)]).then(() => start(id, { origin, costChecked }),
      (e) => fail(`The page's code for showing results could not be loaded (${e.message}). Reload the page to try again.`));
    return;
  }
  const def = mode(id);
  clearTimeout(liveTimer);
  if (partialView) { // a replaced job's partial result leaves the screen
    partialView = false;
    if (shown) showView(shown); else view.clearResultsView('');
  }
  const bad = ui.invalidFields();
  if (bad.length) { fail(`Some settings are not valid. ${bad.join('; ')}.`); return; }
  ui.showError(null);
  const why = def.preflight ? def.preflight(state) : ''; // e.g. too few picks, no lists file
  if (why) { fail(why); return; }
  const cond = captureCondition(state, id);
  const run = jobOf(id, state, cond);
  sections.placeResults(def.slot);
  if (state.slow) run.msg.stagePauseMs = SLOW_STAGE_MS;
  // Jobs estimated above a minute ask first (js/cost.js); declining starts nothing. A mode without
  // an estimate (`cost: null`, the audit: its cost depends on its files) starts at once.
  if (!costChecked && origin !== 'lecture' && def.cost !== null) {
    cost.check(run, { mayAsk: origin !== 'live' }).then((r) => {
      if (r === 'run') start(id, { origin, costChecked: true });
      else if (r.refused) fail(`Not started: ${r.refused}.`);
      else if (r.held) ui.setStatus(`Live mode did not start this setting: ${r.held}. Press Run attack to run it anyway.`);
    });
    return;
  }
  // A mode may re-run as another from a link (linkRun): then the address starts no run.
  state.run = def.linkRun && def.linkRun(state) !== id ? '' : id;
  writeHash();
  // The job's own estimate, shown while it runs with the time left (ui.renderJobTime).
  let estimate = null;
  try { estimate = cost.estimate(run)?.seconds ?? null; } catch { /* an invalid config: the worker says why */ }
  job = { id: run.msg.id, mode: id, def, spec: run.job, cond, origin, partial: [], t0: performance.now(), estimate, fraction: 0 };
  document.body.dataset.estimate = estimate === null ? '' : String(estimate);
  ui.describeStages(run.config, def);
  latestProgress = null;
  results.publishResults(null); // #results only ever holds a finished result
  if (!shown) view.clearResultsView(def.runningText || 'Running\u2026');
  $('condition').textContent = `Running: ${describeCondition(cond).text}`;
  ui.resetProgress();
  tickJobTime();
  ui.setStatus('Starting\u2026');
  ui.setPageState('running');
  refreshStale();
  stopBackground();
  worker.postMessage(run.msg);
}

/**
 * A link's (or an edited address's) `run`: starts that mode's job, or, for a mode whose links never
 * start one (`linkStarts: false`), opens its panel.
 */
function followLink(id) {
  loadMode(id).then((def) => {
    if (def.linkStarts === false) def.open(api);
    else if (!job) start(id, { origin: 'link' });
  }, (e) => fail(`The page's code for this run could not be loaded (${e.message}). Reload the page to try again.`));
}

/** Mode `id`'s own panel, wired the first time it is opened (its `initPanel`). */
function usePanel(id) {
  loadMode(id).then((def) => def.initPanel?.(api),
    (e) => fail(`The page's code for this panel could not be loaded (${e.message}). Reload the page to try again.`));
}

/** A mode's button: its `beforeStart` first (the audit waits for a file chosen a moment ago to be read). */
function startFromButton(id) {
  loadMode(id).then((def) => def.beforeStart?.(api)).then(() => start(id),
    (e) => fail(`The page's code for this run could not be loaded (${e.message}). Reload the page to try again.`));
}

// The running job's time left, once a second (progress may pause: an aggregation, a long step)
// and with every progress frame; the line under the Run button speaks of this job meanwhile.
let jobTimer = 0;
function tickJobTime() {
  clearTimeout(jobTimer);
  jobTimer = 0;
  if (!job) { ui.renderJobTime(null); cost.showRunning(null); return; }
  const text = ui.renderJobTime(job, job.fraction);
  cost.showRunning(`This job: ${text.charAt(0).toLowerCase()}${text.slice(1)}.`);
  jobTimer = setTimeout(tickJobTime, 1000);
}

// Progress arrives ~20 times a second; drawing the latest once per frame keeps the main thread idle.
function scheduleProgress(p) {
  latestProgress = p;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (job && latestProgress) {
      ui.renderProgress(latestProgress, job);
      if (Number.isFinite(latestProgress.fraction)) job.fraction = latestProgress.fraction;
      tickJobTime();
      if (lecture) lecture.onProgress(latestProgress);
    }
  });
}

/**
 * A finished sweep point or compared run: drawn where the result will be, at the next animation
 * frame, so points that a pool of workers finishes together cost one redraw, not one each.
 */
function onPartial(msg) {
  if (!job.def.partial) return;
  job.def.partial(job, msg); // the runs, points, matrix or frontier so far
  partialView = true;
  if (partialFrame) return;
  const j = job;
  partialFrame = requestAnimationFrame(() => {
    partialFrame = 0;
    if (job !== j) return; // finished, cancelled or replaced meanwhile: its own view is shown
    try {
      const result = j.def.partialResult(j);
      // A mode may update the chart already on screen in place (a sweep: only its points change).
      if (!(j.drawn && j.def.updatePartial?.(view.currentChart(), result, describeCondition(j.cond).text))) {
        showView({ mode: j.mode, cond: j.cond, result, partial: true });
        j.drawn = true;
      }
    } catch (e) {
      console.warn('MemberLens: drawing a partial result failed', e);
    }
    refreshStale();
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
  tickJobTime();
  ui.resetProgress();
  ui.setStatus('Cancelled. Change the settings or run again.');
  if (shown && !partialView) {
    // The result on screen is still whole: it stays, with its own link and downloads.
    results.publishResults(shown.payload);
    $('condition').textContent = `Showing: ${describeCondition(shown.cond).text}`;
    refreshStale();
    return;
  }
  shown = null;
  partialView = false;
  view.clearResultsView('Cancelled.');
  refreshStale();
  ui.setPageState('ready', ready);
}

function onDone(msg) {
  clearTimeout(cancelTimer);
  const j = job;
  job = null;
  tickJobTime();
  // #results' payload is the mode's (docs/INTERFACES.md): most are the result as it is.
  const payload = j.def.payload ? j.def.payload(msg.result) : msg.result;
  shown = { mode: j.mode, cond: j.cond, result: msg.result, payload, individuals: msg.individuals, audit: msg.audit };
  partialView = false;
  results.publishResults(payload); // before state=done: tests read #results as soon as they see `done`
  ui.finishProgress(msg.elapsedMs, j.estimate);
  try {
    showView(shown);
  } catch (e) {
    // The numbers are in #results and the downloads; only the drawing failed.
    console.warn('MemberLens: drawing the results failed', e);
    fail(`The run finished but its results could not be drawn (${e.message}). Download JSON still has them.`);
    $('btn-json').disabled = false;
    return;
  }
  view.announce(shown);
  ui.setPageState('done');
  refreshStale();
  // Keyboard and screen-reader users land on what they asked for (not while typing in live mode).
  if (j.origin === 'user' || j.origin === 'link') $('results-panel').focus();
  else {
    const top = $('results-panel').getBoundingClientRect().top;
    if (top > window.innerHeight * 0.6) $('results-panel').scrollIntoView({ block: 'start' });
  }
  remember(shown);
  for (const f of doneListeners.splice(0)) f(shown);
  pumpBackground();
}

// ---- the lecture's runs ahead of the slides (no dead air) ----------------------------------

// While a slide is shown, js/lecture.js asks for the following slides' runs (`prefetch`): they
// run one at a time on the pool when no job of the page's own runs, and their results wait here
// until a slide asks for them (`api.run`), which then shows them at once. Results are kept by
// condition (the same settings give the same numbers, so a kept result is the run's result).
const cache = new Map(); // condKey(cond) -> a shown-like {mode, cond, result, payload, individuals}
const MAX_CACHED = 24;
let bgQueue = []; // [{mode, st}] asked for, not started
let bg = null; // the background run going on: {id, mode, cond, key, waiters: [resolve]}

const condKey = (cond) => JSON.stringify([cond.mode, cond.preset, cond.values]);

const cacheWaiters = new Map(); // condKey -> [resolve] of `compute` calls

function remember(entry) {
  const key = condKey(entry.cond);
  cache.delete(key);
  cache.set(key, entry);
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value);
  for (const f of cacheWaiters.get(key) || []) f(entry);
  cacheWaiters.delete(key);
}

/** The result of `mode` on the current state with `values`, computed in the background first if need be. */
function compute(mode, values) {
  const st = { ...state, ...values };
  const key = condKey(captureCondition(st, mode));
  if (cache.has(key)) return Promise.resolve(cache.get(key));
  return new Promise((resolve) => {
    if (!cacheWaiters.has(key)) cacheWaiters.set(key, []);
    cacheWaiters.get(key).push(resolve);
    if (!(bg && bg.key === key) && !(job && condKey(job.cond) === key)) bgQueue.unshift({ mode, st });
    pumpBackground();
  });
}

/** Queues runs of `[{mode, values}]` (settings over the current state), replacing the queue. */
function prefetch(list) {
  bgQueue = list.map(({ mode, values }) => ({ mode, st: { ...state, ...values } }));
  // None asked for (the lecture ended): a background run nobody waits on stops too.
  if (!list.length && bg && !bg.waiters.length) {
    stopBackground();
    bgQueue = [];
  }
  // From the first slide on: the drawing code is needed to keep results (and shows them later).
  Promise.all([loadDisplay(), loadAllModes()]).then(pumpBackground, () => {});
}

/** Starts the next queued background run when nothing else runs. */
function pumpBackground() {
  pumpOnce();
  // `busy` while runs are asked for and not yet kept (tests and the benchmark wait for `idle`).
  document.documentElement.dataset.prefetch = bg || bgQueue.length ? 'busy' : 'idle';
}

function pumpOnce() {
  if (!ready || job || bg || !worker || !view) return;
  while (bgQueue.length) {
    const { mode, st } = bgQueue.shift();
    const cond = captureCondition(st, mode);
    const key = condKey(cond);
    if (cache.has(key)) continue;
    const { msg } = jobOf(mode, st, cond);
    bg = { id: msg.id, mode, cond, key, st, waiters: [] };
    worker.postMessage(msg);
    return;
  }
}

/** A page's own run replaces the background one (queued again first, unless a slide waits on it). */
function stopBackground() {
  if (!bg) return;
  worker.postMessage({ type: 'cancel', id: bg.id });
  if (!bg.waiters.length) bgQueue.unshift({ mode: bg.mode, st: bg.st });
  bg = null;
}

function onBackgroundProgress(msg) {
  if (!bg.waiters.length) return;
  const p = msg.progress;
  if (p && Number.isFinite(p.fraction)) $('overall').value = p.fraction;
}

function onBackgroundDone(msg) {
  const b = bg;
  bg = null;
  const def = mode(b.mode);
  const payload = def.payload ? def.payload(msg.result) : msg.result;
  const entry = { mode: b.mode, cond: b.cond, result: msg.result, payload, individuals: msg.individuals };
  remember(entry);
  if (b.waiters.length && !job) {
    showCached(entry);
    for (const f of b.waiters) f(shown);
  }
  pumpBackground();
}

function onBackgroundError(msg) {
  const b = bg;
  bg = null;
  // A slide waiting on it runs it itself, so the error is shown where it always is.
  if (b.waiters.length) {
    doneListeners.push(...b.waiters);
    start(b.mode, { origin: 'lecture' });
  }
  pumpBackground();
}

/** Shows a kept result as if its run had just finished. */
function showCached(entry) {
  shown = { ...entry };
  partialView = false;
  results.publishResults(entry.payload);
  ui.resetProgress();
  showView(shown);
  ui.setStatus('Done.');
  ui.setPageState('done');
  refreshStale();
}

/**
 * Shows the result of `mode` on the current settings for a slide: the one on screen, a kept one,
 * the background run of it (waited for), or a new run.
 */
async function lectureRun(mode) {
  if (shown && !job && shown.mode === mode && sameCondition(shown.cond, state)) { redraw(); return shown; }
  await Promise.all([loadDisplay(), loadMode(mode)]);
  const cond = captureCondition(state, mode);
  const key = condKey(cond);
  if (job && job.origin === 'lecture' && condKey(job.cond) !== key) {
    // An earlier slide's run goes on in the background: its result is kept for when it is back.
    bg = { id: job.id, mode: job.mode, cond: job.cond, key: condKey(job.cond), st: { ...state, ...conditionState(job.cond) }, waiters: [] };
    job = null;
    ui.resetProgress();
  }
  const hit = cache.get(key);
  if (hit && !job) { showCached(hit); return shown; }
  if (job && condKey(job.cond) === key) return new Promise((resolve) => doneListeners.push(resolve));
  if (bg && bg.key === key && !job) {
    ui.setStatus('Computing\u2026');
    ui.setPageState('running');
    return new Promise((resolve) => bg.waiters.push(resolve));
  }
  return new Promise((resolve) => { doneListeners.push(resolve); start(mode, { origin: 'lecture' }); });
}

// ---- showing a result (drawn by js/view.js) ------------------------------------------------

function showView(v) {
  const def = mode(v.mode);
  sections.placeResults(def.slot);
  for (const m of loadedModes()) if (m !== def) m.hide?.(); // another mode's own view (the audit's)
  if (def.show) { def.show(v, describeCondition(v.cond).text); return; }
  view.showView(v, { scale: state.scale, onUnpin: unpin });
}

function redraw() {
  if (job && partialView) showView({ mode: job.mode, cond: job.cond, result: job.def.partialResult(job), partial: true });
  else if (shown) showView(shown);
}

// ---- pins ---------------------------------------------------------------------------------

// The pinned runs themselves live in js/view.js, which draws them.
function pin() {
  if (view.pin(shown)) redraw();
}

function unpin(p) {
  view.unpin(p);
  redraw();
  $('btn-pin').focus();
}

// ---- the user's file ----------------------------------------------------------------------

async function loadFile() {
  const f = $('file').files[0];
  if (!f || !ready) return;
  const bytes = await f.arrayBuffer();
  pendingFile = { bytes: bytes.slice(0), name: f.name };
  ui.showError(null);
  ui.showFileError(null);
  ui.setStatus(`Reading ${f.name}\u2026`);
  ui.setPageState('loading');
  worker.postMessage({ type: 'load', bytes, name: f.name }, [bytes]);
  $('file').value = ''; // choosing the same file again fires 'change' again
}

// ---- start-up -----------------------------------------------------------------------------

/**
 * Reads the address into the form. Until the worker is ready the address stays as it is (a link
 * may name an algorithm of the module that the page only learns of then); after that, what was
 * ignored is dropped, so the address shows what is used.
 */
function applyHash() {
  const { state: s, warnings, notice } = parseHash(location.hash);
  state = s;
  linkWarnings = warnings;
  ui.setControls(state);
  if (state.you) you.setPicks(state.you.split(',').map(Number));
  ui.showWarnings(warnings);
  // An old link says which preset it was read with (the address is then rewritten in today's words).
  $('link-notice').textContent = notice;
  $('link-notice').hidden = !notice;
  if (warnings.length && !firstReady) writeHash();
  configureLecture();
  return state.run;
}

/** Sets every setting but the seed to preset `name`, the base links are then written against. */
function applyPreset(name) {
  const base = baseState(name);
  for (const k of CONFIG_KEYS) if (k !== 'seed') state[k] = base[k];
  state.preset = name;
  state.run = '';
  ui.setControls(state);
  writeHash();
  refreshStale();
  ui.setShareStatus(name === 'paper'
    ? 'The paper\u2019s settings: popularity-sampled negatives, the attacker\u2019s vector length tied to k (the defaults before schema 2).'
    : 'The default settings.');
  if (live) scheduleLive();
}

function wire() {
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); start(FIRST_MODE); });
  $('btn-rerun').addEventListener('click', () => start(FIRST_MODE));
  // Every mode's button names its mode (index.html: data-run).
  for (const b of document.querySelectorAll('button[data-run]')) b.addEventListener('click', () => startFromButton(b.dataset.run));
  // A mode's own panel (index.html: <details data-mode-panel="<id>">, the audit's) loads its code
  // when first opened: the first screen does not need it.
  for (const p of document.querySelectorAll('details[data-mode-panel]')) {
    p.addEventListener('toggle', () => { if (p.open) usePanel(p.dataset.modePanel); });
  }
  // Defences you can feel: a change of the shown run's defence or strength re-runs it at once
  // (as Live does: it replaces a running job); its strip, ROC and recall follow.
  const tryDefence = () => {
    const defence = $('dt-defence').value;
    // A defence switched on at strength 0 would change nothing: start it at half strength.
    let strength = Number($('dt-strength').value);
    if (defence !== 'none' && state.defence === 'none' && strength === 0) strength = 0.5;
    if (defence === 'none') strength = 0;
    for (const [k, v] of [['defence', defence], ['defence_strength', strength]]) { state[k] = v; ui.setField(k, v); }
    $('dt-strength').value = String(strength);
    $('dt-strength-value').textContent = String(strength);
    writeHash();
    start(FIRST_MODE, { origin: 'live' });
  };
  $('dt-defence').addEventListener('change', tryDefence);
  $('dt-strength').addEventListener('input', () => { $('dt-strength-value').textContent = $('dt-strength').value; });
  $('dt-strength').addEventListener('change', tryDefence);
  // The picks enter the address only with the switch on; changing them updates it then.
  you.init({ changed: () => {
    if (!state) return;
    const next = you.shared() ? you.currentPicks().join(',') : '';
    if (next !== state.you && (next === '' || you.currentPicks().length >= YOU_MIN)) { state.you = next; writeHash(); }
  } });
  for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => applyPreset(b.dataset.preset));
  $('btn-cancel').addEventListener('click', cancel);
  // Into lecture mode at its first slide (the button loses focus: a clicker's Space moves slides).
  $('btn-present').addEventListener('click', (e) => {
    e.currentTarget.blur();
    state.present = true;
    state.step = 1;
    writeHash();
    configureLecture().then((m) => m?.openFromState());
  });
  // Copy link works before any run too (the form's link): the sharing code is loaded then.
  $('btn-copy-link').addEventListener('click', () => loadDisplay().then(() => share.copyLink(state, shown)));
  $('btn-pin').addEventListener('click', pin);
  $('btn-random-seed').addEventListener('click', () => worker && worker.postMessage({ type: 'random-seed' }));
  $('btn-json').addEventListener('click', () => share.downloadJSON(shown));
  $('btn-csv').addEventListener('click', () => share.downloadCSV(shown));
  $('btn-png').addEventListener('click', () => share.downloadPNG(view.currentChart(), shown, state.scale));
  $('file').addEventListener('change', loadFile);
  $('btn-bundled').addEventListener('click', () => { pendingFile = null; ui.showFileError(null); worker.postMessage({ type: 'use-bundled' }); });
  $('live').addEventListener('change', () => {
    live = $('live').checked;
    // Switching on with stale (or no) results runs at once.
    if (live && (!shown || !sameCondition(shown.cond, state) || shown.mode !== FIRST_MODE)) scheduleLive();
    if (!live) clearTimeout(liveTimer);
  });
  for (const r of document.querySelectorAll('input[name="scale"]')) {
    r.addEventListener('change', () => {
      state.scale = r.value;
      writeHash();
      redraw();
    });
  }
  // Escape cancels a running job from anywhere on the page (in lecture mode it leaves the lecture:
  // js/lecture.js takes it first).
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && job) cancel(); });
  // Editing the address (or following another MemberLens link in this tab) re-reads it.
  window.addEventListener('hashchange', () => {
    const run = applyHash();
    refreshStale();
    if (state.present) { configureLecture().then((m) => m?.openFromState()); return; }
    if (run) followLink(run);
  });
  window.addEventListener('unhandledrejection', (e) => fail(`Unexpected error: ${e.reason?.message || e.reason}`));
}

/**
 * Offline after the first visit (www/sw.js): registered once the page is ready, so its copy of
 * every file does not compete with the first load. A site built without `make web`'s
 * sw-build.js simply has no offline copy.
 */
function registerOffline() {
  if (!('serviceWorker' in navigator) || registerOffline.done) return;
  registerOffline.done = true;
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn('MemberLens: no offline copy', e));
}

/** What the lecture module may do: set controls, run, read results (js/lecture.js). */
const api = {
  state: () => state,
  shown: () => shown,
  busy: () => !!job,
  ready: () => ready,
  set(values) {
    for (const [k, v] of Object.entries(values)) { state[k] = v; ui.setField(k, v); }
    ui.showPreset(state.preset);
    for (const r of document.querySelectorAll('input[name="scale"]')) r.checked = r.value === state.scale;
    writeHash();
    refreshStale();
  },
  /** Shows the result for `mode` with the current settings: reuses what is shown if it matches. */
  run: lectureRun,
  /** Runs these `[{mode, values}]` in the background, in order, for later slides. */
  prefetch,
  /** Resolves with the kept result of `mode` on the current settings with `values` (computed if need be). */
  compute,
  /** The result kept for `mode` on the current settings with `values`, or null. */
  cached(mode, values) { return cache.get(condKey(captureCondition({ ...state, ...values }, mode))) || null; },
  /** The data set's summary (the worker's `ready`), or null before it. */
  summary: () => summary,
  redraw,
  writeHash,
};

function main() {
  ({ state } = parseHash(location.hash));
  if (state.notes) {
    // The presenter view (js/lecture.js) follows the audience window: it computes nothing.
    import('./lecture.js').then((m) => m.presenter(), (e) => fail(`The presenter view could not be loaded (${e.message}).`));
    return;
  }
  ui.buildControls(state, onControl);
  ui.buildStages();
  const run = applyHash(); // loads lecture mode if the link asks for it
  // "All settings" starts folded (the story and the Run button come first); a link that sets
  // other settings than its preset's opens it and says so.
  const base = baseState(state.preset);
  sections.noteSettings(CONFIG_KEYS.filter((k) => k !== 'seed' && state[k] !== base[k]));
  sections.watchSections();
  ui.resetProgress();
  wire();
  if (run && !state.present) followLink(run); // before the worker is ready, start() keeps it as pendingRun
  startWorker();
}

main();
