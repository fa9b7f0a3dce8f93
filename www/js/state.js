// state.js — owns the ONE typed schema of the page state: every run config key of
// docs/INTERFACES.md plus the page-only keys (`run`, `seeds`, `scale` and the lecture keys
// `present`, `hide`, `step`, `slow`). Parsing and serialising the URL hash, validation, the split
// of the state into the config sent to the worker, and the "condition" a result belongs to (which
// keys define it, how it is labelled, which link reproduces it) all live here, so the controls,
// the hash, the labels and the worker can never disagree about a key.

// Ranges mirror Config::check() in src/config.rs, so a value the page accepts is one Rust accepts.
// `group`: 'main' controls are always visible, 'advanced' ones sit in a <details>, 'page' keys are
// not part of the run config.
export const SCHEMA = {
  seed: { type: 'int', default: 0, min: 0, max: 4294967295, group: 'main', label: 'Seed',
    help: 'Seeds every random choice: the split, initialisation, sampling and the attack model.' },
  k: { type: 'int', default: 100, min: 1, max: 512, group: 'main', label: 'Latent dimension k',
    help: 'Size of the recommenders\u2019 user and movie vectors, and of the attacker\u2019s item vectors.' },
  lr: { type: 'float', default: 0.01, min: 0, max: 1, minExclusive: true, group: 'main', step: 'any',
    label: 'Learning rate', help: 'SGD learning rate of the target and shadow recommenders.' },
  reg: { type: 'float', default: 0.01, min: 0, max: 10, group: 'main', step: 'any',
    label: 'Regularisation', help: 'L2 penalty of the recommenders.' },
  epochs: { type: 'int', default: 40, min: 1, max: 500, group: 'main', label: 'Epochs',
    help: 'SGD passes over the training data of each recommender.' },
  top_n: { type: 'int', default: 100, min: 1, max: 1000, group: 'main', label: 'List length N',
    help: 'How many movies every recommendation list holds.' },
  protocol: { type: 'enum', default: 'popular', options: ['popular', 'fold-in'], group: 'main',
    label: 'Non-members get',
    optionLabels: { popular: 'the popular list (paper)', 'fold-in': 'model lists (fold-in)' },
    help: 'Popular: every non-member gets the same most-popular list, as in the paper. Fold-in: the model serves them too.' },
  hidden1: { type: 'int', default: 32, min: 1, max: 1024, group: 'main', label: 'Attack layer 1',
    help: 'Width of the attack network\u2019s first hidden layer.' },
  hidden2: { type: 'int', default: 8, min: 1, max: 1024, group: 'main', label: 'Attack layer 2',
    help: 'Width of the attack network\u2019s second hidden layer.' },

  member_fraction: { type: 'float', default: 0.5, min: 0, max: 1, minExclusive: true,
    maxExclusive: true, group: 'advanced', step: 'any', label: 'Member fraction',
    help: 'Share of each half whose data trains the recommender.' },
  negatives: { type: 'int', default: 1, min: 0, max: 20, group: 'advanced', label: 'Negatives per positive',
    help: 'Sampled non-interactions per interaction during SGD.' },
  negative_sampling: { type: 'enum', default: 'popularity', options: ['popularity', 'uniform'],
    group: 'advanced', label: 'Negative sampling', help: 'How negatives are drawn.' },
  exclude_seen: { type: 'bool', default: false, group: 'advanced', label: 'Exclude seen items',
    help: 'Drop movies the user already rated from the lists (the paper keeps them).' },
  holdout: { type: 'float', default: 0.1, min: 0, max: 0.9, group: 'advanced', step: 'any',
    label: 'Held-out share', help: 'Share of each member\u2019s ratings kept aside to measure recall@N (0 disables).' },
  weighting: { type: 'enum', default: 'rank', options: ['rank', 'uniform'], group: 'advanced',
    label: 'List centroid weighting', help: 'Rank: item j of N weighs N \u2212 j. Uniform: all weigh 1/N.' },
  item_vectors: { type: 'enum', default: 'joint', options: ['joint', 'shadow'], group: 'advanced',
    label: 'Attacker item vectors from', help: 'Joint: shadow and queried target histories. Shadow: shadow only.' },
  vector_epochs: { type: 'int', default: 5, min: 1, max: 500, group: 'advanced', label: 'Item-vector epochs',
    help: 'SGD epochs of the attacker\u2019s item-vector factorisation.' },
  attack_lr: { type: 'float', default: 0.01, min: 0, max: 1, minExclusive: true, group: 'advanced',
    step: 'any', label: 'Attack learning rate', help: 'Adam learning rate of the attack network.' },
  attack_epochs: { type: 'int', default: 30, min: 1, max: 2000, group: 'advanced', label: 'Attack epochs',
    help: 'Training epochs of the attack network.' },
  attack_batch: { type: 'int', default: 32, min: 1, max: 4096, group: 'advanced', label: 'Attack batch size',
    help: 'Mini-batch size of the attack network.' },
  attack_restarts: { type: 'int', default: 3, min: 1, max: 20, group: 'advanced', label: 'Attack restarts',
    help: 'Independent initialisations; the one with the lowest shadow loss is kept.' },

  run: { type: 'enum', default: '', options: ['', 'single', 'compare', 'k-sweep', 'lr-sweep'], group: 'page',
    label: 'Run on load',
    help: 'single, compare (popular list vs fold-in), k-sweep or lr-sweep: starts that run when the link is opened.' },
  seeds: { type: 'int', default: 3, min: 1, max: 20, group: 'page', label: 'Seeds per sweep point',
    help: 'Sweeps repeat every value with seeds seed, seed+1, \u2026 and report mean \u00b1 std.' },
  scale: { type: 'enum', default: 'linear', options: ['linear', 'log'], group: 'page',
    label: 'ROC axes', help: 'Linear or log-log ROC axes.' },
  present: { type: 'bool', default: false, group: 'page', label: 'Lecture mode',
    help: 'Large type, only the figure and a one-line takeaway, guided steps (\u2190 / \u2192 / Space).' },
  hide: { type: 'keys', default: '', group: 'page', label: 'Hidden controls',
    help: 'Comma-separated setting keys whose controls are hidden (for a lecture).' },
  step: { type: 'int', default: 0, min: 0, max: 4, group: 'page', label: 'Lecture step',
    help: 'Opens that step of the guided tour (1 \u2026 4; 0: none).' },
  slow: { type: 'bool', default: false, group: 'page', label: 'Slow motion',
    help: 'Narrates the eight stages one by one, pausing on each.' },
};

export const CONFIG_KEYS = Object.keys(SCHEMA).filter((k) => SCHEMA[k].group !== 'page');

// The sweeps the buttons start (values fixed by the brief; the seeds come from `seed` and `seeds`).
export const SWEEPS = {
  'k-sweep': { param: 'k', values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], label: 'k' },
  'lr-sweep': { param: 'lr', values: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1], label: 'learning rate' },
};

/** A fresh state with every key at its default. */
export function defaults() {
  const s = {};
  for (const [k, spec] of Object.entries(SCHEMA)) s[k] = spec.default;
  return s;
}

/** Human description of the allowed values of a key, for warnings and tooltips. */
export function describeRange(key) {
  const s = SCHEMA[key];
  if (s.type === 'enum') return 'one of ' + s.options.filter((o) => o !== '').join(', ');
  if (s.type === 'bool') return 'true or false';
  if (s.type === 'keys') return 'a comma-separated list of setting keys';
  const lo = s.minExclusive ? `> ${s.min}` : `\u2265 ${s.min}`;
  const hi = s.maxExclusive ? `< ${s.max}` : `\u2264 ${s.max}`;
  return `${s.type === 'int' ? 'a whole number' : 'a number'} ${lo} and ${hi}`;
}

/**
 * Parses one raw string for `key`. Returns {ok: true, value} or {ok: false, error}.
 * Strict on purpose: "1e2" is fine for floats, "12abc" or "" is not.
 */
export function parseValue(key, raw) {
  const s = SCHEMA[key];
  if (!s) return { ok: false, error: `unknown setting \u201c${key}\u201d` };
  const text = String(raw).trim();
  const bad = () => ({ ok: false, error: `${key} = \u201c${raw}\u201d is not valid (expected ${describeRange(key)})` });
  switch (s.type) {
    case 'bool':
      if (['true', '1', 'yes', 'on'].includes(text)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(text)) return { ok: true, value: false };
      return bad();
    case 'enum':
      return s.options.includes(text) ? { ok: true, value: text } : bad();
    case 'keys': { // a comma-separated list of setting keys, kept in schema order without repeats
      const keys = text.split(',').map((k) => k.trim()).filter(Boolean);
      if (keys.some((k) => !Object.hasOwn(SCHEMA, k) || SCHEMA[k].group === 'page')) return bad();
      return { ok: true, value: Object.keys(SCHEMA).filter((k) => keys.includes(k)).join(',') };
    }
    case 'int':
    case 'float': {
      if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return bad();
      const v = Number(text);
      if (!Number.isFinite(v)) return bad();
      if (s.type === 'int' && !Number.isInteger(v)) return bad();
      if (v < s.min || v > s.max || (s.minExclusive && v === s.min) || (s.maxExclusive && v === s.max)) {
        return bad();
      }
      return { ok: true, value: v };
    }
    default:
      return bad();
  }
}

/** The string a value takes in the hash (shortest round-trip form for numbers, 1/0 for flags). */
export function serialiseValue(key, value) {
  if (SCHEMA[key]?.type === 'bool' && SCHEMA[key].group === 'page') return value ? '1' : '0';
  return String(value);
}

/**
 * Reads a location.hash ("#k=50&run=single"). Returns {state, warnings}: every unknown key or
 * invalid value becomes a warning and leaves the default in place — never an exception.
 */
export function parseHash(hash) {
  const state = defaults();
  const warnings = [];
  const text = String(hash || '').replace(/^#/, '');
  if (!text) return { state, warnings };
  let params;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { state, warnings: ['The link\u2019s settings could not be read; using the defaults.'] };
  }
  const seen = new Set();
  for (const [key, raw] of params) {
    if (!Object.hasOwn(SCHEMA, key)) {
      warnings.push(`Ignored unknown link setting \u201c${key}\u201d.`);
      continue;
    }
    if (seen.has(key)) warnings.push(`The link sets \u201c${key}\u201d twice; the last value wins.`);
    seen.add(key);
    const r = parseValue(key, raw);
    if (r.ok) state[key] = r.value;
    else warnings.push(`In the link, ${r.error}; using the default ${formatDefault(key)}.`);
  }
  return { state, warnings };
}

function formatDefault(key) {
  const d = SCHEMA[key].default;
  return d === '' ? '(none)' : String(d);
}

/** The hash for a state: only non-default keys, in schema order, so links stay short. */
export function toHash(state) {
  const parts = [];
  for (const [key, spec] of Object.entries(SCHEMA)) {
    const v = state[key];
    if (v === undefined || v === spec.default) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(serialiseValue(key, v))}`);
  }
  return parts.length ? '#' + parts.join('&') : '';
}

/** The full run config (every config key, nothing page-only) sent to the worker. */
export function toConfig(state) {
  const c = {};
  for (const k of CONFIG_KEYS) c[k] = state[k];
  return c;
}

/** Seeds of a sweep: seed, seed+1, … (kept within u32). */
export function sweepSeeds(state) {
  const out = [];
  for (let i = 0; i < state.seeds; i++) out.push((state.seed + i) % 4294967296);
  return out;
}

// ---- conditions: what a result on screen belongs to ------------------------------------------

// The one-click comparison: the paper's protocol against the model serving everyone (fold-in).
export const COMPARE = [
  { protocol: 'popular', label: 'Popular list (paper)' },
  { protocol: 'fold-in', label: 'Model lists (fold-in)' },
];

/**
 * The keys that define the result of a run of `mode`: every config key, except the one a sweep
 * varies or the protocol a comparison varies; a sweep also depends on its number of seeds.
 */
export function conditionKeys(mode) {
  if (mode === 'compare') return CONFIG_KEYS.filter((k) => k !== 'protocol');
  if (SWEEPS[mode]) return [...CONFIG_KEYS.filter((k) => k !== SWEEPS[mode].param), 'seeds'];
  return CONFIG_KEYS;
}

/** The condition of a run about to start: the mode and a copy of the keys that define it. */
export function captureCondition(state, mode) {
  const values = {};
  for (const k of conditionKeys(mode)) values[k] = state[k];
  return { mode, values };
}

/** Does the form (`state`) still describe the result of `cond`? */
export function sameCondition(cond, state) {
  return conditionKeys(cond.mode).every((k) => cond.values[k] === state[k]);
}

/** A state that reproduces `cond`: defaults plus its values (swept / compared keys at default). */
export function conditionState(cond) {
  return { ...defaults(), ...cond.values, run: cond.mode };
}

function valueText(key, v) {
  const s = SCHEMA[key];
  if (s.type === 'enum') return (s.optionLabels && s.optionLabels[v]) || v;
  if (s.type === 'bool') return v ? 'yes' : 'no';
  return String(v);
}

/**
 * Labels for a condition: `parts` (["seed 3", "k = 50", "protocol: fold-in"]: the seed, then every
 * key that differs from its default), `text` (for titles and captions) and `slug` (for file names).
 */
export function describeCondition(cond) {
  const v = cond.values;
  const parts = [];
  const slug = [cond.mode];
  const sw = SWEEPS[cond.mode];
  if (sw) {
    const seeds = sweepSeeds({ seed: v.seed, seeds: v.seeds });
    parts.push(seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}\u2013${seeds[seeds.length - 1]}`);
    slug.push(`seed${v.seed}x${v.seeds}`);
  } else {
    parts.push(`seed ${v.seed}`);
    slug.push(`seed${v.seed}`);
  }
  for (const k of CONFIG_KEYS) {
    if (k === 'seed' || !(k in v) || v[k] === SCHEMA[k].default) continue;
    parts.push(SCHEMA[k].type === 'enum' ? `${k}: ${valueText(k, v[k])}` : `${k} = ${valueText(k, v[k])}`);
    slug.push(`${k}${String(v[k]).replace(/[^A-Za-z0-9.]+/g, '-')}`);
  }
  const changed = parts.length > 1 ? '' : ', other settings at their defaults';
  return { parts, text: parts.join(', ') + changed, slug: `memberlens-${slug.join('-')}` };
}

/** Keys whose schema default differs from the wasm module's defaultConfig() (a build mismatch). */
export function defaultMismatches(wasmDefaults) {
  if (!wasmDefaults) return [];
  return CONFIG_KEYS.filter((k) => wasmDefaults[k] !== SCHEMA[k].default);
}
