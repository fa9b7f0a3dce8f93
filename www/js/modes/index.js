// modes/index.js — owns the registry of run modes: which modes the page has (the `run=` values of a
// link, in this order), loading each one's module the first time it is needed (dynamic import():
// the first screen loads none of them, and a visit that only runs the attack never fetches the
// matrix's, the frontier's or the audit's code), and the lookups the page's generic code makes
// instead of branching on a mode's name. Nothing here imports the page's other modules, so
// js/state.js can import it without a cycle (the mode modules import js/state.js; they are loaded
// later).
//
// A mode module (www/js/modes/<name>.js) default-exports its definition, or exports `modes`, a list
// of them (the sweeps). What a definition holds and what the page does with each field:
// docs/INTERFACES.md, "Adding a run mode: the page's side" (this file is part of the first load).

// The modes the page has, and where their code is. Adding a mode: one module and one line here.
const LOADERS = {
  single: () => import('./single.js'),
  compare: () => import('./compare.js'),
  'k-sweep': () => import('./sweep.js'),
  'dim-sweep': () => import('./sweep.js'),
  'lr-sweep': () => import('./sweep.js'),
  matrix: () => import('./matrix.js'),
  frontier: () => import('./frontier.js'),
  you: () => import('./you.js'),
  audit: () => import('./audit.js'),
};

/** The mode a plain run is (the Run button, live mode, a link without `run`). */
export const FIRST_MODE = 'single';

/** The `run=` values a link may hold: '' (none) and every mode's id; register() adds to it. */
export const RUN_OPTIONS = ['', ...Object.keys(LOADERS)];

const loaded = new Map(); // id -> definition
const loading = new Map(); // id -> promise of the definition

const REQUIRED = ['id', 'label', 'job', 'view', 'announce'];

/** Adds a mode definition (a module's export); a new id becomes a `run=` value. */
export function register(def) {
  const missing = REQUIRED.filter((k) => def[k] === undefined);
  if (missing.length) throw new Error(`run mode ${def.id ?? '(no id)'}: missing ${missing.join(', ')}`);
  loaded.set(def.id, { varies: [], fields: [], slot: 'attack', ...def });
  if (!RUN_OPTIONS.includes(def.id)) RUN_OPTIONS.push(def.id);
  return loaded.get(def.id);
}

/** Whether `id` names a mode (loaded or not). */
export function isMode(id) {
  return RUN_OPTIONS.includes(id) && id !== '';
}

/** The loaded definition of mode `id`; a mode not loaded yet is a programming error. */
export function mode(id) {
  const m = loaded.get(id);
  if (!m) throw new Error(`run mode '${id}' is ${isMode(id) ? 'not loaded yet (loadMode first)' : 'unknown'}`);
  return m;
}

/** Whether mode `id` can be used synchronously now. */
export function isLoaded(id) {
  return loaded.has(id);
}

/** The definitions loaded so far. */
export function loadedModes() {
  return [...loaded.values()];
}

/** Loads mode `id`'s module (once) and resolves with its definition. */
export function loadMode(id) {
  if (loaded.has(id)) return Promise.resolve(loaded.get(id));
  if (!LOADERS[id]) return Promise.reject(new Error(`unknown run mode '${id}'`));
  if (!loading.has(id)) {
    const p = LOADERS[id]().then((m) => {
      for (const def of m.modes || [m.default]) register(def);
      return mode(id);
    });
    p.catch(() => loading.delete(id)); // a later start tries again
    loading.set(id, p);
  }
  return loading.get(id);
}

/** Loads every built-in mode (the lecture and the tests, which use several at once). */
export function loadAllModes() {
  return Promise.all(Object.keys(LOADERS).map(loadMode));
}

/**
 * The run of mode `id` on the form state `st`: `{def, config, job, msg}`, `job` the JobSpec the mode
 * builds and `msg` the worker message (run id `runId`) that starts it. `config` is the condition's
 * config (js/state.js: toConfig(conditionState(cond)), so the link to its result reproduces the very
 * same JSON), with the keys a mode sets from its own panel over it (the audit's `configOverrides`).
 */
export function buildRun(runId, id, st, config) {
  const def = mode(id);
  const full = { ...config, ...(def.configOverrides ? def.configOverrides() : {}) };
  const job = def.job(st, full);
  // js/protocol.js `run`; a mode's `files` (the audit's) travel beside the job, not in it.
  const msg = { type: 'run', id: runId, config: full, job, ...(def.files ? def.files() : {}) };
  return { def, config: full, job, msg };
}
