// ui.js — owns the page's interactive widgets: the form fields (generated from the schema in
// state.js, so a new config key appears everywhere at once), the progress view with the eight
// stages (which say what this run's algorithm and attack do, and which stages it does not need),
// the warning / error banners (and the upload error next to the file input), the dataset line, the
// stale-results notice, the preset buttons and the busy state of the buttons.
// It never talks to the worker; main.js wires events to actions.

import { SCHEMA, parseValue, describeRange, echo } from './state.js';
import { count, duration, clock } from './format.js';

const $ = (id) => document.getElementById(id);
// The config fields: the form's ("All settings") and those beside the buttons of the sections
// that use them (the matrix's algorithms, the frontier's defences).
const FIELDS = '#controls [data-key], .chapter [data-key]';

// One or two plain sentences per stage, for a lecture audience (ids from docs/INTERFACES.md).
export const STAGES = [
  ['split', 'Split the users',
    'The users are divided into the attacker\u2019s own \u201cshadow\u201d half and the \u201ctarget\u201d half. In each half, some users are members: only their ratings train that half\u2019s recommender.'],
  ['target_recommender', 'Train the target recommender',
    'The system under attack learns from the target members\u2019 ratings. The attacker never sees inside it.'],
  ['shadow_recommender', 'Train the shadow recommender',
    'The attacker trains a look-alike model on its own shadow members, so it knows exactly who was in that training set.'],
  ['recommendations', 'Collect recommendation lists',
    'Every user gets a top-N list. Members get personalised lists; non-members get the popular list (or, with fold-in, a list the model computes for them). The lists are all the attacker observes.'],
  ['item_vectors', 'Place the movies in space',
    'The attacker factorises the rating histories it can see, giving each movie a k-dimensional vector.'],
  ['features', 'Describe each user',
    'One vector per user: the average of the movies they watched minus the (rank-weighted) average of the movies recommended to them.'],
  ['attack_model', 'Train the attack model',
    'A small neural network learns from the shadow users, whose membership the attacker knows, to tell members from non-members.'],
  ['evaluation', 'Attack the target',
    'The attack scores every target user; comparing the scores with the truth gives the ROC curve, AUC and the true-positive rate at low false-positive rates.'],
];

// What each algorithm learns, said in the target stage's text.
const LEARNS = {
  lfm: 'a latent factor model learns a vector for every user and movie',
  'item-knn': 'item-knn learns which movies are rated by the same people',
  popularity: 'the popularity recommender only counts how often each movie was rated',
  bpr: 'BPR learns a vector for every user and movie from pairwise comparisons',
  ncf: 'a neural network learns user and movie embeddings',
};

// Stages a shadow-free attack skips (the core reports them as "not needed").
const SHADOW_STAGES = ['shadow_recommender', 'attack_model'];

/**
 * The stage texts for a run of `config` (a full config; the matrix trains every algorithm): what
 * the target learns, and, for a shadow-free attack, which stages it skips and how it scores.
 * Returns [[id, title, text, skipped]] in stage order.
 */
// What a shadow-free attack's one number per user is (the features stage's text).
const SHADOW_FREE_FEATURE = {
  distance: 'One number per user: how far the centroid of the movies they watched sits from the centroid of their list.',
  overlap: 'One number per user: the share of their list made of movies they already rated.',
  'new-user-list': 'One number per user: how far their list is from the list a new user without history gets.',
  'reference-list': 'One number per user: how far their list is from the list a new account holding a copy of their history gets.',
};

/**
 * The stage list of a run of `config` by run mode `def` (js/modes/: its own list, `stages`, or its
 * texts for some stages, `stageTexts`): [id, title, text, skipped].
 */
export function stagesFor(config, def = null) {
  if (def?.stages) return def.stages(STAGES);
  const lira = config && config.attack === 'lira';
  const shadowFree = config && config.attack && config.attack !== 'mlp';
  return STAGES.map(([id, title, text]) => {
    let t = text;
    if (def?.stageTexts?.[id]) {
      t = def.stageTexts[id];
    } else if (id === 'target_recommender' && config && LEARNS[config.recommender]) {
      t = `From the target members\u2019 ratings, ${LEARNS[config.recommender]}. The attacker never sees inside it.`;
    }
    if (shadowFree && id === 'shadow_recommender') t = `The ${config.attack} attack uses no shadow model.`;
    if (shadowFree && id === 'attack_model') t = `The ${config.attack} attack learns nothing: it scores every user directly.`;
    if (shadowFree && id === 'features' && SHADOW_FREE_FEATURE[config.attack]) t = SHADOW_FREE_FEATURE[config.attack];
    if (lira && id === 'attack_model') {
      t = `The attacker trains ${config.lira_references} reference recommenders, each on a random half of the users it holds, and learns per user how lists look with and without them.`;
    }
    return [id, title, t, shadowFree && SHADOW_STAGES.includes(id) && !(lira && id === 'attack_model')];
  });
}

let stageSkips = new Set();

/** Puts the texts of a run of `config` into the stage list (before it starts). */
export function describeStages(config, def = null) {
  const rows = stagesFor(config, def);
  stageSkips = new Set(rows.filter((r) => r[3]).map((r) => r[0]));
  for (const li of $('stages').children) {
    const row = rows.find((r) => r[0] === li.dataset.stage);
    if (row) li.querySelector('.stage-text').textContent = row[2];
  }
}

function optionLabel(spec, o) {
  return (spec.optionLabels && spec.optionLabels[o]) || o;
}

function field(key, value) {
  const spec = SCHEMA[key];
  const wrap = document.createElement('div');
  wrap.className = `field field-${spec.type}${key === 'seed' ? ' field-seed' : ''}`;
  const id = `f-${key}`;
  const helpId = `${id}-help`;
  let input;
  if (spec.type === 'enum') {
    input = document.createElement('select');
    fillOptions(input, spec);
  } else if (spec.type === 'bool') {
    input = document.createElement('input');
    input.type = 'checkbox';
  } else {
    input = document.createElement('input');
    input.type = 'text'; // text + inputmode: the browser must not silently "fix" a bad value
    if (spec.type === 'int' || spec.type === 'float') input.inputMode = spec.type === 'int' ? 'numeric' : 'decimal';
    input.autocomplete = 'off';
    input.spellcheck = false;
  }
  input.id = id;
  input.name = key;
  input.dataset.key = key;
  input.setAttribute('aria-describedby', helpId);
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.textContent = spec.label;
  const help = document.createElement('span');
  help.id = helpId;
  help.className = 'help';
  help.textContent = spec.type === 'enum' || spec.default === '' ? spec.help : `${spec.help} Default: ${spec.default}.`;
  if (spec.type === 'int' || spec.type === 'float') input.title = `Allowed: ${describeRange(key)}`;
  const err = document.createElement('span');
  err.className = 'field-error';
  err.setAttribute('aria-live', 'polite');
  if (spec.type === 'bool') {
    const row = document.createElement('div');
    row.className = 'check';
    row.append(input, lab);
    wrap.append(row, help, err);
  } else if (key === 'seed') {
    // The seed gets a "new random seed" button (the wasm module's randomSeed(), via the worker).
    const row = document.createElement('div');
    row.className = 'with-button';
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'btn-random-seed';
    b.className = 'small-button';
    b.textContent = 'New random seed';
    b.disabled = true;
    row.append(input, b);
    wrap.append(lab, row, help, err);
  } else {
    wrap.append(lab, input, help, err);
  }
  setInput(input, value);
  return wrap;
}

function fillOptions(select, spec) {
  select.replaceChildren();
  for (const o of spec.options.filter((x) => x !== '')) {
    const opt = document.createElement('option');
    opt.value = o;
    opt.textContent = optionLabel(spec, o);
    select.append(opt);
  }
}

/** Re-lists the options of the enum fields `keys` (the worker's algorithm names), keeping `state`'s values. */
export function refreshOptions(keys, state) {
  for (const key of keys) {
    const input = document.getElementById(`f-${key}`);
    if (!input || input.tagName !== 'SELECT') continue;
    fillOptions(input, SCHEMA[key]);
    setInput(input, state[key]);
  }
  const help = document.getElementById('f-recommenders-help');
  if (help) help.textContent = `${SCHEMA.recommenders.help} (${SCHEMA.recommender.options.join(', ')})`;
}

function setInput(input, value) {
  if (input.type === 'checkbox') input.checked = !!value;
  else input.value = String(value);
  input.removeAttribute('aria-invalid');
  const err = input.closest('.field')?.querySelector('.field-error');
  if (err) err.textContent = '';
}

/** Builds every field; `onChange(key, value)` fires with a valid, parsed value. */
export function buildControls(state, onChange) {
  const groups = { main: $('main-fields'), advanced: $('advanced-fields') };
  for (const [key, spec] of Object.entries(SCHEMA)) {
    if (groups[spec.group]) groups[spec.group].append(field(key, state[key]));
  }
  $('sweep-fields').append(field('seeds', state.seeds));
  $('matrix-fields').append(field('recommenders', state.recommenders));
  $('frontier-fields').append(field('defences', state.defences), field('strengths', state.strengths), field('protocols', state.protocols));
  refreshOptions([], state);
  for (const input of document.querySelectorAll(FIELDS)) {
    const handler = () => {
      const r = readInput(input);
      if (r.ok) onChange(input.dataset.key, r.value);
    };
    input.addEventListener(input.tagName === 'SELECT' || input.type === 'checkbox' ? 'change' : 'input', handler);
  }
}

/** Parses one input with the schema, marking it invalid (with the reason) when it does not parse. */
function readInput(input) {
  const key = input.dataset.key;
  const raw = input.type === 'checkbox' ? String(input.checked) : input.value;
  const r = parseValue(key, raw);
  const err = input.closest('.field').querySelector('.field-error');
  if (r.ok) {
    input.removeAttribute('aria-invalid');
    err.textContent = '';
  } else {
    input.setAttribute('aria-invalid', 'true');
    err.textContent = `Needs ${describeRange(key)}.`;
  }
  return r;
}

/** Every invalid field as "Label: needs …"; empty when the form can run. */
export function invalidFields() {
  const out = [];
  for (const input of document.querySelectorAll(FIELDS)) {
    if (!readInput(input).ok) out.push(`${SCHEMA[input.dataset.key].label}: needs ${describeRange(input.dataset.key)}`);
  }
  return out;
}

/** Puts a whole state into the fields (after a hash change). */
export function setControls(state) {
  for (const input of document.querySelectorAll(FIELDS)) setInput(input, state[input.dataset.key]);
  for (const r of document.querySelectorAll('input[name="scale"]')) r.checked = r.value === state.scale;
  const hidden = new Set(String(state.hide || '').split(',').filter(Boolean));
  for (const input of document.querySelectorAll(FIELDS)) {
    input.closest('.field').hidden = hidden.has(input.dataset.key);
  }
  showPreset(state.preset);
}

/** Marks the preset button of the base the link is written against. */
export function showPreset(preset) {
  for (const b of document.querySelectorAll('[data-preset]')) b.setAttribute('aria-pressed', String(b.dataset.preset === preset));
}

/** Sets one field (a lecture step, the random seed) as if the user had typed it. */
export function setField(key, value) {
  const input = document.getElementById(`f-${key}`);
  if (input) setInput(input, value);
}

export function buildStages() {
  const ol = $('stages');
  for (const [id, title, text] of STAGES) {
    const li = document.createElement('li');
    li.dataset.stage = id;
    li.innerHTML = `<div class="stage-head"><span class="stage-title"></span><span class="stage-live"></span></div>
      <p class="stage-text"></p><progress max="1" value="0" hidden></progress>`;
    li.querySelector('.stage-title').textContent = title;
    li.querySelector('.stage-text').textContent = text;
    li.querySelector('progress').setAttribute('aria-label', `${title}: progress`);
    ol.append(li);
  }
}

let lastStage = null;

/** Marks stages done / current / to do; live numbers go to the current stage only. */
export function renderProgress(p, job) {
  $('overall').value = p.fraction;
  for (const li of $('stages').children) {
    const i = STAGES.findIndex((s) => s[0] === li.dataset.stage);
    const skip = stageSkips.has(li.dataset.stage);
    const state = skip ? 'skipped' : p.done || i < p.stage_index ? 'done' : i === p.stage_index ? 'current' : 'todo';
    if (li.dataset.progress !== state) {
      li.dataset.progress = state;
      if (state === 'current') li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
      li.querySelector('progress').hidden = state !== 'current';
      if (state !== 'current') li.querySelector('.stage-live').textContent = liveText(state);
    }
    if (state === 'current') {
      li.querySelector('progress').value = p.stage_fraction;
      const bits = [];
      if (p.message) bits.push(p.message);
      if (p.loss !== null && p.loss !== undefined) bits.push(`loss ${p.loss.toFixed(4)}`);
      li.querySelector('.stage-live').textContent = bits.join(' \u00b7 ');
    }
  }
  // The aria-live status changes only when the stage or the run changes, so screen readers are
  // not flooded 20 times a second.
  const where = runLabel(p, job);
  const key = `${p.stage}|${p.run_index}`;
  if (key !== lastStage) {
    lastStage = key;
    const title = STAGES[p.stage_index]?.[1] ?? p.stage;
    setStatus(`${where}Stage ${p.stage_index + 1} of ${p.stage_count}: ${title}\u2026`);
  }
}

function liveText(state) {
  return state === 'done' ? '\u2713 done' : state === 'skipped' ? 'not needed' : '';
}

/** Which run of a multi-run job `p` is about, in the job's mode's words (its progressLabel). */
function runLabel(p, job) {
  if (!job || !(p.run_count > 1) || !job.def.progressLabel) return '';
  return job.def.progressLabel(p, job.spec);
}

// Puts every stage in one state (before a run: all to do; after it: all done).
function markAllStages(overall, progress) {
  $('overall').value = overall;
  for (const li of $('stages').children) {
    const state = stageSkips.has(li.dataset.stage) ? 'skipped' : progress;
    li.dataset.progress = state;
    li.removeAttribute('aria-current');
    li.querySelector('progress').hidden = true;
    li.querySelector('.stage-live').textContent = liveText(state);
  }
}

/**
 * The running job's time (issue 18, item 4): its estimate, the time so far and what is left. The
 * remaining time starts as the estimate less the time spent and, once a tenth of the work is done
 * (units finished or in progress: js/pool.js weighs them), is projected from the measured pace,
 * which is what a slower machine than the cost model's actually does.
 * `job`: {t0 (performance.now()), estimate (seconds or null)}; `fraction`: 0..1 of the work.
 */
export function renderJobTime(job, fraction) {
  const el = $('job-time');
  if (!job) { el.hidden = true; el.textContent = ''; return null; }
  const spent = (performance.now() - job.t0) / 1000;
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  let left = null;
  if (f >= 0.1) left = (spent * (1 - f)) / f;
  else if (Number.isFinite(job.estimate)) left = Math.max(0, job.estimate - spent);
  const bits = [];
  if (Number.isFinite(job.estimate)) bits.push(`Estimated ${clock(job.estimate)}`);
  bits.push(`${clock(spent)} so far`);
  if (left !== null) bits.push(left < 1 ? 'almost done' : `about ${clock(left)} left`);
  el.textContent = bits.join(' \u00b7 ');
  el.dataset.left = left === null ? '' : String(Math.round(left));
  el.hidden = false;
  return el.textContent;
}

export function resetProgress() {
  lastStage = null;
  renderJobTime(null);
  markAllStages(0, 'todo');
}

export function finishProgress(elapsedMs, estimate = null) {
  markAllStages(1, 'done');
  renderJobTime(null);
  const est = Number.isFinite(estimate) ? `; estimated ${clock(estimate)}` : '';
  setStatus(`Done in ${duration(elapsedMs)} (in this browser tab${est}).`);
}

// What the banners and the status line show at most: lines of a message list (then "… and N
// more"), characters of one message, of a file name. Everything they show goes through `echo`
// (js/state.js): a hostile link or file name can neither flood the page (1 MB warning boxes,
// 5,000 identical lines) nor show text reversed (U+202E).
const MAX_LINES = 12;
const MAX_MESSAGE = 400;
const MAX_NAME = 120;

export function setStatus(text) {
  $('status').textContent = echo(text, MAX_MESSAGE);
}

/**
 * The body's state is the e2e tests' hook: loading | ready | running | done | stale | error.
 * `stale`: results are shown, but the settings have changed since their run. While running, the
 * settings stay editable (a change marks the coming result stale, or restarts it in live mode);
 * only the buttons that start another job are disabled.
 */
export function setPageState(s, canRun = true) {
  document.body.dataset.state = s;
  const running = s === 'running';
  const usable = s !== 'loading' && !running && canRun;
  for (const id of ['btn-run', 'file', 'btn-rerun']) $(id).disabled = !usable;
  for (const b of document.querySelectorAll('button[data-run]')) b.disabled = !usable; // every mode's button
  $('btn-cancel').disabled = !running;
  $('results-panel').setAttribute('aria-busy', String(running));
}

/** Shows or hides the notice that the results on screen were made with other settings. */
export function showStale(conditionText, running = false) {
  $('stale-note').hidden = !conditionText;
  if (!conditionText) return;
  $('stale-text').textContent = running
    ? `The run in progress uses the settings from when it started (${conditionText}); its result will be marked as stale.`
    : `The results below are still those of: ${conditionText}. They are kept until the next run.`;
}

/** An error about the user's file, shown next to the file input (where they are looking). */
export function showFileError(message) {
  const box = $('file-error');
  box.textContent = message ? `Could not read the file: ${echo(message, MAX_MESSAGE)}` : '';
  box.hidden = !message;
}

export function showWarnings(list) {
  const box = $('warnings');
  box.replaceChildren();
  if (!list.length) { box.hidden = true; return; }
  const h = document.createElement('strong');
  h.textContent = 'Some settings in the link were not used:';
  const ul = document.createElement('ul');
  // The same line once, with how often it came; at most MAX_LINES lines.
  const lines = new Map();
  for (const w of list) lines.set(w, (lines.get(w) || 0) + 1);
  const shown = [...lines].slice(0, MAX_LINES);
  for (const [w, n] of shown) {
    const li = document.createElement('li');
    li.textContent = echo(w, MAX_MESSAGE) + (n > 1 ? ` (\u00d7${n})` : '');
    ul.append(li);
  }
  if (lines.size > MAX_LINES) {
    const li = document.createElement('li');
    li.textContent = `\u2026 and ${lines.size - MAX_LINES} more.`;
    ul.append(li);
  }
  box.append(body(h, ul), dismissButton(box));
  box.hidden = false;
}

export function showError(message) {
  const box = $('error');
  box.replaceChildren();
  if (!message) { box.hidden = true; return; }
  const h = document.createElement('strong');
  h.textContent = 'Error: ';
  const m = document.createElement('span');
  m.className = 'error-message';
  m.textContent = echo(message, MAX_MESSAGE);
  const hint = document.createElement('span');
  hint.className = 'small';
  hint.textContent = ' The page is still usable: fix the setting or file and run again.';
  box.append(body(h, m, hint), dismissButton(box));
  box.hidden = false;
}

function body(...children) {
  const d = document.createElement('div');
  d.className = 'banner-body';
  d.append(...children);
  return d;
}

function dismissButton(box) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'dismiss';
  b.textContent = 'Dismiss';
  b.addEventListener('click', () => { box.hidden = true; });
  return b;
}

export function renderDataset(summary, bundled) {
  const what = bundled ? 'MovieLens ml-latest-small (bundled sample)' : `your file \u201c${echo(summary.name, MAX_NAME)}\u201d (only in this tab)`;
  $('dataset').textContent = `Loaded: ${what} \u2014 ${count(summary.users)} users, ${count(summary.items)} movies, ${count(summary.interactions)} ratings.`;
  $('btn-bundled').hidden = bundled;
}

export function setShareStatus(text) {
  $('share-status').textContent = text;
}
