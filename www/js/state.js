// state.js — owns the ONE typed schema of the page state: every run config key of
// docs/INTERFACES.md plus the page-only keys (`v`, `preset`, `run`, `seeds`, `recommenders`, the
// frontier's `defences`, `strengths` and `protocols`, `scale` and the lecture keys `present`,
// `hide`, `step`, `slow`). Parsing and serialising the URL
// hash (with its schema version and preset base), validation, the split of the state into the
// config sent to the worker, and the "condition" a result belongs to (which keys define it, how it
// is labelled, which link reproduces it) all live here, so the controls, the hash, the labels and
// the worker can never disagree about a key. What each run mode is comes from js/modes/.

import { RUN_OPTIONS, mode } from './modes/index.js';

// The version links carry (`v=`), Rust's config::SCHEMA_VERSION. A link without `v` is read as the
// current schema (a hand-typed `#seed=3&run=k-sweep` means today's k-sweep) unless it holds what only
// the schema-1 page wrote (oldLinkMark): then its keys apply over schema 1's defaults, the `paper` preset.
export const SCHEMA_VERSION = 2;

// The keys of schema 1 (the page before schema 2, 2026-11-28): a link with any other key was not
// made by it.
export const SCHEMA_1_KEYS = ['seed', 'k', 'lr', 'reg', 'epochs', 'top_n', 'protocol', 'hidden1', 'hidden2',
  'member_fraction', 'negatives', 'negative_sampling', 'exclude_seen', 'holdout', 'weighting', 'item_vectors',
  'vector_epochs', 'attack_lr', 'attack_epochs', 'attack_batch', 'attack_restarts', 'run', 'seeds', 'scale',
  'present', 'hide', 'step', 'slow'];
// Values only the schema-1 page wrote. It wrote a key only when it differed from schema 1's defaults
// (negatives by popularity, 40 epochs), so it wrote these two, which are today's defaults: a link of
// today never carries them (links keep only what differs from their base).
const SCHEMA_1_VALUES = { negative_sampling: 'uniform', epochs: '80' };
// Runs schema 1 named otherwise: its k-sweep swept k with the attacker's vectors tied to it, today's
// model-size sweep (the one place outside js/modes/ that names a mode: links of that time).
const SCHEMA_1_RUNS = { 'k-sweep': 'dim-sweep' };

/**
 * Why a hash without `v` counts as a schema-1 link, or '' when it does not: every key is one of
 * schema 1's, and it holds a value only schema 1 wrote (SCHEMA_1_VALUES) or a list with an escaped
 * comma (`hide=k%2Clr`: schema 1 escaped commas, today's links keep them).
 */
export function oldLinkMark(text) {
  const pairs = text.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
  });
  if (!pairs.length || pairs.some(([k]) => k !== 'workers' && !SCHEMA_1_KEYS.includes(safeDecode(k)))) return '';
  for (const [k, raw] of pairs) {
    const key = safeDecode(k);
    if (Object.hasOwn(SCHEMA_1_VALUES, key) && safeDecode(raw).trim() === SCHEMA_1_VALUES[key]) return `${key}=${SCHEMA_1_VALUES[key]}`;
    if (key === 'hide' && /%2C/i.test(raw)) return `hide=${raw}`;
  }
  return '';
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

// Rust's Config::preset(name), as changes over the defaults (tests/e2e/schema.test.mjs compares
// them with the wasm module's presetConfig()). `paper` = the defaults of schema 1.
export const PRESETS = {
  default: {},
  paper: { negative_sampling: 'popularity', vector_k: 0, epochs: 40, init: 'positive' },
};

// The algorithms this page knows before the worker says which ones its wasm module has
// (recommenderNames(); setRecommenderNames() replaces the list).
/** The frontier's strengths when the link names none (Rust: `frontier::DEFAULT_STRENGTHS`). */
export const DEFAULT_STRENGTHS = [0, 0.25, 0.5, 0.75, 1];
/** At most this many strengths in one frontier (each is a run per defence and seed). */
export const MAX_STRENGTHS = 11;

/** The serving protocols a frontier of `state` shows, one panel each (a frontier job's `protocols`). */
export function frontierProtocols(state) {
  return (state.protocols || 'popular,fold-in').split(',');
}

/** The strengths a frontier of `state` runs. */
export function frontierStrengths(state) {
  return state.strengths ? state.strengths.split(',').map(Number) : [...DEFAULT_STRENGTHS];
}

const RECOMMENDERS = ['lfm', 'item-knn', 'bpr', 'ncf', 'popularity'];

// Ranges mirror Config::check() in src/config.rs, so a value the page accepts is one Rust accepts.
// `group`: 'main' controls are always visible, 'advanced' ones sit in a <details>, 'page' keys are
// not part of the run config.
export const SCHEMA = {
  seed: { type: 'int', default: 0, min: 0, max: 4294967295, group: 'main', label: 'Seed',
    help: 'Seeds every random choice: the split, initialisation, sampling and the attack model.' },
  recommender: { type: 'enum', default: 'lfm', options: RECOMMENDERS.slice(), group: 'main',
    label: 'Recommender (target)', rawInLabels: true,
    optionLabels: { lfm: 'lfm: latent factors (paper)', 'item-knn': 'item-knn: similar movies', popularity: 'popularity: one list for all',
      bpr: 'bpr: latent factors, pairwise loss', ncf: 'ncf: neural collaborative filtering' },
    help: 'The algorithm of the service under attack.' },
  shadow_recommender: { type: 'enum', default: 'same', options: ['same', ...RECOMMENDERS], group: 'main',
    label: 'Shadow model', rawInLabels: true, optionLabels: { same: 'the same as the target (paper)' },
    help: 'The algorithm the attacker imitates the service with. The paper assumes the same; the transfer matrix tries every pair.' },
  attack: { type: 'enum', default: 'mlp', options: ['mlp', 'distance', 'overlap', 'new-user-list', 'reference-list', 'lira'],
    group: 'main', label: 'Attack', rawInLabels: true,
    optionLabels: { mlp: 'mlp: neural network (paper)', distance: 'distance: no shadow model', overlap: 'overlap: no shadow model',
      'new-user-list': 'new-user-list: vs a new user\u2019s list', 'reference-list': 'reference-list: vs a copy\u2019s list (fold-in)',
      lira: 'lira: calibrated by reference models (slow)' },
    help: 'Every run also scores the shadow-free attacks as baselines and reports the strongest of all it ran.' },
  k: { type: 'int', default: 100, min: 1, max: 512, group: 'main', label: 'Latent dimension k',
    help: 'Size of the factor recommenders\u2019 (lfm, bpr) user and movie vectors.' },
  vector_k: { type: 'int', default: 100, min: 0, max: 512, group: 'main', label: 'Attacker\u2019s vector length',
    help: 'Length of the attacker\u2019s item vectors (the paper\u2019s Figure 2 varies it); 0 = tied to k, as before schema 2.' },
  lr: { type: 'float', default: 0.01, min: 0, max: 1, minExclusive: true, group: 'main', step: 'any',
    label: 'Learning rate', help: 'SGD learning rate of the latent factor model (lfm), target and shadow.' },
  reg: { type: 'float', default: 0.01, min: 0, max: 10, group: 'main', step: 'any',
    label: 'Regularisation', help: 'L2 penalty of the latent factor model (lfm).' },
  epochs: { type: 'int', default: 80, min: 1, max: 500, group: 'main', label: 'Epochs',
    help: 'SGD passes of the latent factor model (lfm) over its training data, and of its fold-in.' },
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
  negative_sampling: { type: 'enum', default: 'uniform', options: ['popularity', 'uniform'],
    group: 'advanced', label: 'Negative sampling',
    optionLabels: { popularity: 'by popularity (paper)', uniform: 'uniform' },
    help: 'How negatives are drawn. By popularity, the LFM is no better than the popularity list here.' },
  init: { type: 'enum', default: 'centred', options: ['positive', 'centred'], group: 'advanced',
    label: 'Initial factors', optionLabels: { positive: 'all positive (paper)', centred: 'centred' },
    help: 'How lfm and bpr start their vectors: all positive, U[0, 1)/\u221ak, as the paper\u2019s LFM, or centred, U[\u22120.5, 0.5)/\u221ak.' },
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
  knn_neighbours: { type: 'int', default: 20, min: 1, max: 1000, group: 'advanced', label: 'item-knn neighbours',
    help: 'Neighbours each movie keeps in item-knn.' },
  knn_shrink: { type: 'float', default: 5, min: 0, max: 1000, group: 'advanced', step: 'any', label: 'item-knn shrinkage',
    help: 'Shrinks item-knn\u2019s cosine for rarely co-rated movies.' },
  ncf_factors: { type: 'int', default: 8, min: 1, max: 64, group: 'advanced', label: 'ncf embedding size',
    help: 'Embedding size d of each of ncf\u2019s two towers (GMF and MLP).' },
  ncf_lr: { type: 'float', default: 0.01, min: 0, max: 1, minExclusive: true, group: 'advanced', step: 'any',
    label: 'ncf learning rate', help: 'Adam learning rate of ncf (training and fold-in).' },
  ncf_epochs: { type: 'int', default: 3, min: 1, max: 200, group: 'advanced', label: 'ncf epochs',
    help: 'Epochs of ncf\u2019s training and of its fold-in.' },
  ncf_negatives: { type: 'int', default: 16, min: 1, max: 100, group: 'advanced', label: 'ncf negatives',
    help: 'Uniformly sampled negatives per positive for ncf.' },
  ncf_reg: { type: 'float', default: 0.01, min: 0, max: 10, group: 'advanced', step: 'any',
    label: 'ncf regularisation', help: 'L2 penalty of ncf\u2019s embeddings.' },
  defence: { type: 'enum', default: 'none',
    options: ['none', 'popularity-randomisation', 'list-perturbation', 'score-noise', 'dp-sgd'], group: 'advanced',
    label: 'Defence of the target', help: 'A defence of the attacked service; the attacker knows it unless switched off below.' },
  defence_strength: { type: 'float', default: 0, min: 0, max: 1, group: 'advanced', step: 'any',
    label: 'Defence strength', help: '0 = off (identical to no defence), 1 = the strongest setting worth showing.' },
  attacker_knows_defence: { type: 'bool', default: true, group: 'advanced', label: 'Attacker knows the defence',
    help: 'The attacker\u2019s shadow and reference models run the target\u2019s defence too, at the same strength: how a defence must be judged. Off: a naive attacker with an undefended shadow.' },
  dp_clip: { type: 'float', default: 0, min: 0, max: 1000, group: 'advanced', step: 'any',
    label: 'DP-SGD clip C', help: 'dp-sgd (lfm, bpr): bound on one member\u2019s change to the item vectors per step; 0 = the recommender\u2019s own (lfm 0.01, bpr 0.003).' },
  dp_sampling_rate: { type: 'float', default: 0.5, min: 0.01, max: 1, group: 'advanced', step: 'any',
    label: 'DP-SGD sampling rate q', help: 'dp-sgd: probability that a member joins a step (Poisson sampling).' },
  dp_delta: { type: 'float', default: 0, min: 0, max: 1, maxExclusive: true, group: 'advanced', step: 'any',
    label: 'DP-SGD \u03b4', help: 'dp-sgd: \u03b4 of the (\u03b5, \u03b4) guarantee; 0 = 1 / (members\u2019 training interactions).' },
  audit: { type: 'enum', default: 'dp-sgd', options: ['dp-sgd', 'always', 'off'], group: 'advanced',
    label: 'Privacy audit', optionLabels: { 'dp-sgd': 'with dp-sgd', always: 'every run', off: 'off' },
    help: 'A one-run audit with canary users (Steinke et al. 2023): an empirical lower bound on \u03b5 beside the accountant\u2019s. It trains the target once more.' },
  audit_canaries: { type: 'int', default: 100, min: 10, max: 1000, group: 'advanced', label: 'Audit canaries',
    help: 'Canary users of the privacy audit, each in its training with probability \u00bd.' },
  bpr_lr: { type: 'float', default: 0.07, min: 0, max: 1, minExclusive: true, group: 'advanced', step: 'any',
    label: 'bpr learning rate', help: 'SGD learning rate of bpr (matrix factorisation with the pairwise BPR loss).' },
  bpr_reg: { type: 'float', default: 0.02, min: 0, max: 10, group: 'advanced', step: 'any',
    label: 'bpr regularisation', help: 'L2 penalty of bpr\u2019s factors and item biases.' },
  bpr_epochs: { type: 'int', default: 20, min: 1, max: 500, group: 'advanced', label: 'bpr epochs',
    help: 'SGD epochs of bpr (one sampled triple per training interaction) and of its fold-in.' },
  attack_lr: { type: 'float', default: 0.01, min: 0, max: 1, minExclusive: true, group: 'advanced',
    step: 'any', label: 'Attack learning rate', help: 'Adam learning rate of the attack network.' },
  attack_epochs: { type: 'int', default: 30, min: 1, max: 2000, group: 'advanced', label: 'Attack epochs',
    help: 'Training epochs of the attack network.' },
  attack_batch: { type: 'int', default: 32, min: 1, max: 4096, group: 'advanced', label: 'Attack batch size',
    help: 'Mini-batch size of the attack network.' },
  attack_restarts: { type: 'int', default: 3, min: 1, max: 20, group: 'advanced', label: 'Attack restarts',
    help: 'Independent initialisations; the one with the lowest shadow loss is kept.' },
  lira_references: { type: 'int', default: 16, min: 2, max: 64, group: 'advanced', label: 'lira reference models',
    help: 'How many reference recommenders the lira attack trains (each on a random half of the users it holds); more is slower and steadier.' },
  lira_offline: { type: 'bool', default: false, group: 'advanced', label: 'lira offline',
    help: 'lira: the reference models train on the attacker\u2019s shadow users only, so every attacked user is out of every one.' },

  v: { type: 'int', default: SCHEMA_VERSION, min: 1, max: SCHEMA_VERSION, group: 'page', label: 'Schema version',
    help: 'The version of these keys the link was made with; without it, version 2, unless the link holds what only version 1 wrote (then it is read over the paper preset).' },
  preset: { type: 'enum', default: 'default', options: Object.keys(PRESETS), group: 'page', label: 'Preset',
    optionLabels: { default: 'the defaults', paper: 'the paper\u2019s settings' },
    help: 'The settings the link\u2019s keys change: the defaults, or the paper\u2019s (schema 1\u2019s defaults).' },
  run: { type: 'enum', default: '', options: RUN_OPTIONS, // js/modes/index.js: every run mode's id
    group: 'page', label: 'Run on load',
    help: 'single, compare (popular list vs fold-in), k-sweep (the attacker\u2019s vector length), dim-sweep (the recommenders\u2019 k), lr-sweep, matrix or frontier (every defence, privacy vs usefulness): or you (“Would it spot you?”, with the link’s `you` picks): starts that run when the link is opened. audit opens “Audit your own recommender” (its files are never in a link: choose them, then Run audit).' },
  you: { type: 'ids', default: '', group: 'page', label: 'Your picks',
    help: '“Would it spot you?”: 5 to 20 different movie ids you like, comma-separated; in a link only when you tick “Put my picks in the link”.' },
  seeds: { type: 'int', default: 3, min: 1, max: 20, group: 'page', label: 'Seeds per sweep point',
    help: 'Sweeps and the matrix repeat every value with seeds seed, seed+1, \u2026 and report mean \u00b1 std.' },
  recommenders: { type: 'list', default: '', group: 'page', label: 'Algorithms in the matrix',
    help: 'Comma-separated, in the order of the rows and columns; empty: every algorithm.' },
  defences: { type: 'defences', default: '', group: 'page', label: 'Defences in the frontier',
    help: 'Comma-separated defence names, each once, in the order drawn; empty: every defence that applies.' },
  strengths: { type: 'strengths', default: '', group: 'page', label: 'Strengths in the frontier',
    help: 'Comma-separated defence strengths in [0, 1], each once, at most 11 (drawn in increasing order); empty: 0, 0.25, 0.5, 0.75, 1.' },
  protocols: { type: 'enum', default: 'popular,fold-in', options: ['popular,fold-in', 'popular', 'fold-in'], group: 'page',
    label: 'Frontier panels', optionLabels: { 'popular,fold-in': 'both protocols, side by side', popular: 'popular list only', 'fold-in': 'fold-in only' },
    help: 'The serving protocols the frontier shows, one panel each: the paper\u2019s popular list and a service that serves everyone from its model (fold-in).' },
  scale: { type: 'enum', default: 'linear', options: ['linear', 'log'], group: 'page',
    label: 'ROC axes', help: 'Linear or log-log ROC axes.' },
  present: { type: 'bool', default: false, group: 'page', label: 'Lecture mode',
    help: 'Large type, only the figure and a one-line takeaway, guided steps (\u2190 / \u2192 / Space).' },
  hide: { type: 'keys', default: '', group: 'page', label: 'Hidden controls',
    help: 'Comma-separated setting keys whose controls are hidden (for a lecture).' },
  step: { type: 'int', default: 0, min: 0, max: 9, group: 'page', label: 'Lecture slide',
    help: 'Opens that slide of the lecture (1 \u2026 9; 0: none).' },
  notes: { type: 'bool', default: false, group: 'page', label: 'Speaker notes',
    help: 'Lecture mode: opens the presenter view (current slide, next slide, notes, timer) in a second window.' },
  slow: { type: 'bool', default: false, group: 'page', label: 'Slow motion',
    help: 'Narrates the eight stages one by one, pausing on each.' },
};

export const CONFIG_KEYS = Object.keys(SCHEMA).filter((k) => SCHEMA[k].group !== 'page');

// The pool's largest size (js/pool.js MAX_WORKERS; state.test.mjs checks they agree).
export const MAX_POOL_WORKERS = 8;
// Unknown link settings named one by one; the rest are counted.
const MAX_UNKNOWN_WARNINGS = 5;

/**
 * How a swept key is named: `short` in tables and readouts ("k = 50"), `long` in titles and
 * captions (for k it says whether the attacker's vectors are tied to it), `axis` under the x axis.
 */
export function paramText(param, config = {}) {
  if (param === 'vector_k') {
    return { short: 'vector length', long: 'the attacker\u2019s vector length', axis: 'Attacker\u2019s vector length' };
  }
  if (param === 'k') {
    const tie = config.vector_k === 0 ? 'the attacker\u2019s vector length tied to k'
      : `the attacker\u2019s vector length fixed at ${config.vector_k ?? SCHEMA.vector_k.default}`;
    return { short: 'k', long: `the recommenders\u2019 latent dimension k (${tie})`, axis: 'Recommenders\u2019 latent dimension k' };
  }
  if (param === 'lr') return { short: 'learning rate', long: 'the learning rate', axis: 'Learning rate (log scale)' };
  return { short: param, long: param, axis: param };
}

/** The worker's algorithm names (recommenderNames()); true when they differ from the ones in use. */
export function setRecommenderNames(names) {
  if (!Array.isArray(names) || !names.length) return false;
  const changed = names.join(',') !== SCHEMA.recommender.options.join(',');
  SCHEMA.recommender.options = names.slice();
  SCHEMA.shadow_recommender.options = ['same', ...names];
  return changed;
}

/** The algorithms of a matrix: the `recommenders` list, or every algorithm when it is empty. */
export function recommenderList(state) {
  return state.recommenders ? state.recommenders.split(',') : SCHEMA.recommender.options.slice();
}

/** A fresh state with every key at its default. */
export function defaults() {
  const s = {};
  for (const [k, spec] of Object.entries(SCHEMA)) s[k] = spec.default;
  return s;
}

/** The defaults with preset `name`'s config values (and `preset` set to it). */
export function baseState(name = 'default') {
  return { ...defaults(), ...(PRESETS[name] || {}), preset: Object.hasOwn(PRESETS, name) ? name : 'default' };
}

/** The full config of preset `name` (what presetConfig(name) returns in the worker). */
export function presetConfig(name) {
  return toConfig(baseState(name));
}

/** Human description of the allowed values of a key, for warnings and tooltips. */
export function describeRange(key) {
  const s = SCHEMA[key];
  if (key === 'protocols') return 'popular,fold-in (both, the default), popular or fold-in';
  if (s.type === 'enum') return 'one of ' + s.options.filter((o) => o !== '').join(', ');
  if (s.type === 'bool') return 'true or false';
  if (s.type === 'keys') return 'a comma-separated list of setting keys';
  if (s.type === 'defences') return `a comma-separated list of ${SCHEMA.defence.options.filter((o) => o !== 'none').join(', ')}, each once (empty: all that apply)`;
  if (s.type === 'strengths') return `a comma-separated list of 1 to ${MAX_STRENGTHS} different numbers between 0 and 1 (empty: ${DEFAULT_STRENGTHS.join(', ')})`;
  if (s.type === 'ids') return `${YOU_MIN} to ${YOU_MAX} different movie ids (whole numbers), comma-separated`;
  if (s.type === 'list') return `a comma-separated list of ${SCHEMA.recommender.options.join(', ')}, each once (empty: all)`;
  const lo = s.minExclusive ? `> ${s.min}` : `\u2265 ${s.min}`;
  const hi = s.maxExclusive ? `< ${s.max}` : `\u2264 ${s.max}`;
  return `${s.type === 'int' ? 'a whole number' : 'a number'} ${lo} and ${hi}`;
}

// Characters that would break or disguise what the page echoes: controls (C0, DEL, C1), invisible
// marks, line and paragraph separators and the bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), which would show text reversed. The same set as the core's messages escape.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

// Most characters of a link's value a warning shows: a whole list of 11 strengths or every
// algorithm fits, a 1 MB value does not. Keys and other fields show at most 40 (the core's too).
const ECHO_VALUE = 256;

/**
 * Text from a link or a file name as the page shows it: unsafe characters escaped as `\u{202e}`,
 * at most `max` characters (then "…"), so a 1 MB value or a reversed file name cannot flood or
 * disguise a message.
 */
export function echo(raw, max = 40) {
  const text = String(raw);
  const cut = [...text.slice(0, 4 * max + 8)];
  let out = '';
  for (const c of cut) {
    const shown = c.replace(UNSAFE, (u) => `\\u{${u.codePointAt(0).toString(16)}}`);
    if ([...out].length + [...shown].length > max) return `${out}\u2026`;
    out += shown;
  }
  return cut.length < [...text].length ? `${out}\u2026` : out;
}

/** A decimal text as [negative, significant digits, exponent], zero as [false, '', 0]; null if not one. */
function decimalKey(text) {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  let digits = (m[2] + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  return digits === '' ? [false, '', 0] : [m[1] === '-', digits, exp];
}

/** Whether two decimal texts denote the same number ("1", "1.0", "10e-1"; not "0.99999999999999999"). */
export function sameDecimal(a, b) {
  const x = decimalKey(a);
  const y = decimalKey(b);
  return x !== null && y !== null && x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
}

/**
 * Parses one raw string for `key`. Returns {ok: true, value} or {ok: false, error}.
 * Strict on purpose: "1e2" is fine for floats, "12abc" or "" is not; a number typed with more
 * digits than a 64-bit float holds that rounds onto an end of the allowed range is refused
 * (`0.99999999999999999` would be read as 1, `1.00000000000000001` as an allowed 1), as the
 * core's `Config::check_typed` refuses it.
 */
export function parseValue(key, raw) {
  const s = SCHEMA[key];
  if (!s) return { ok: false, error: `unknown setting \u201c${echo(key)}\u201d` };
  const text = String(raw).trim();
  const bad = () => ({ ok: false, error: `${key} = \u201c${echo(raw, ECHO_VALUE)}\u201d is not valid (expected ${describeRange(key)})` });
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
    case 'list': { // algorithm names, in the order given (rows and columns of the matrix)
      const names = text.split(',').map((k) => k.trim()).filter(Boolean);
      const known = SCHEMA.recommender.options;
      if (names.some((n) => !known.includes(n)) || new Set(names).size !== names.length) return bad();
      return { ok: true, value: names.join(',') };
    }
    case 'defences': { // defence names for the frontier, in the order given
      const names = text.split(',').map((k) => k.trim()).filter(Boolean);
      const known = SCHEMA.defence.options.filter((o) => o !== 'none');
      if (names.some((n) => !known.includes(n)) || new Set(names).size !== names.length) return bad();
      return { ok: true, value: names.join(',') };
    }
    case 'ids': { // "Would it spot you?": 5-20 distinct movie ids, in the order given
      if (text === '') return { ok: true, value: '' };
      const parts = text.split(',').map((k) => k.trim());
      if (parts.length < YOU_MIN || parts.length > YOU_MAX || parts.some((p) => !/^\d{1,15}$/.test(p))) return bad();
      if (new Set(parts.map(Number)).size !== parts.length) return bad();
      return { ok: true, value: parts.map(Number).join(',') };
    }
    case 'strengths': { // frontier strengths, kept in increasing order so the curves run left to right
      if (text === '') return { ok: true, value: '' };
      const parts = text.split(',').map((k) => k.trim());
      const num = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
      if (parts.length > MAX_STRENGTHS || parts.some((p) => !num.test(p))) return bad();
      const vals = parts.map(Number);
      if (vals.some((v) => !Number.isFinite(v) || v < 0 || v > 1) || new Set(vals).size !== vals.length) return bad();
      return { ok: true, value: vals.sort((a, b) => a - b).join(',') };
    }
    case 'int':
    case 'float': {
      if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return bad();
      const v = Number(text);
      if (!Number.isFinite(v)) return bad();
      if (s.type === 'int' && !Number.isInteger(v)) return bad();
      if ((v === s.min || v === s.max) && !sameDecimal(text, String(v))) {
        return { ok: false, error: `${key} = \u201c${echo(raw, ECHO_VALUE)}\u201d has more digits than a 64-bit number holds and rounds to ${v}, an end of the allowed range (${describeRange(key)})` };
      }
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

// Commas stay readable in links ("recommenders=lfm,popularity"); they are legal in a fragment.
const encode = (text) => encodeURIComponent(text).replace(/%2C/g, ',');

/**
 * Reads a location.hash ("#v=2&k=50&run=single"). Returns {state, warnings, version, notice}: every
 * unknown key or invalid value becomes a warning and leaves the base value in place — never an
 * exception. The base is the `preset` the link names; without one, the defaults of the link's schema
 * version. A link without `v` is version 2 (the current defaults) unless oldLinkMark() finds what
 * only schema 1 wrote: then it is version 1, read over the paper preset (schema 1's defaults), its
 * `run=k-sweep` (which swept k, the attacker's vectors tied to it) becomes `run=dim-sweep`, and
 * `notice` says so (the page shows it). An empty hash is a fresh page: the current defaults.
 */
export function parseHash(hash) {
  const text = String(hash || '').replace(/^#/, '');
  if (!text) return { state: defaults(), warnings: [], version: SCHEMA_VERSION, notice: '' };
  let params;
  try {
    params = [...new URLSearchParams(text)];
  } catch {
    return { state: defaults(), warnings: ['The link\u2019s settings could not be read; using the defaults.'], version: SCHEMA_VERSION, notice: '' };
  }
  const warnings = [];
  const last = (key) => params.filter(([k]) => k === key).map(([, v]) => v).pop();
  // The version and the preset first: they decide the base the other keys change.
  const mark = oldLinkMark(text);
  let version = mark ? 1 : SCHEMA_VERSION;
  const rawV = last('v');
  if (rawV !== undefined) {
    const r = parseValue('v', rawV);
    version = r.ok ? r.value : SCHEMA_VERSION;
    if (!r.ok) warnings.push(`The link\u2019s schema version v = \u201c${echo(rawV)}\u201d is unknown to this page (it reads 1 to ${SCHEMA_VERSION}); it is read as version ${SCHEMA_VERSION}.`);
  }
  let preset = version === 1 ? 'paper' : 'default';
  const rawP = last('preset');
  if (rawP !== undefined) {
    const r = parseValue('preset', rawP);
    if (r.ok) preset = r.value;
    else warnings.push(`In the link, ${r.error}; using ${preset === 'paper' ? 'the paper preset (the link is read as schema 1)' : 'the defaults'}.`);
  }
  const base = baseState(preset);
  const state = { ...base };
  // How often each key is set: one warning per key, however often it repeats.
  const times = new Map();
  for (const [key] of params) times.set(key, (times.get(key) || 0) + 1);
  for (const [key, n] of times) {
    if (n < 2 || !(Object.hasOwn(SCHEMA, key) || key === 'workers')) continue;
    warnings.push(key === 'workers' ? `The link sets \u201cworkers\u201d ${n} times; only the first whole number is used.`
      : `The link sets \u201c${key}\u201d ${n} times; the last value wins.`);
  }
  let unknown = 0;
  for (const [key, raw] of params) {
    // `workers` sizes the page's pool (js/pool.js, read by main.js), never a setting of a link:
    // an invalid one is ignored, and said so.
    if (key === 'workers') {
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(n >= 1 && n <= MAX_POOL_WORKERS)) {
        warnings.push(`The link\u2019s workers = \u201c${echo(raw)}\u201d is not valid (expected a whole number from 1 to ${MAX_POOL_WORKERS}); using the default pool size.`);
      }
      continue;
    }
    if (!Object.hasOwn(SCHEMA, key)) {
      if (++unknown <= MAX_UNKNOWN_WARNINGS) warnings.push(`Ignored unknown link setting \u201c${echo(key)}\u201d.`);
      continue;
    }
    if (key === 'v' || key === 'preset') continue;
    const r = parseValue(key, raw);
    if (r.ok) state[key] = r.value;
    else warnings.push(`In the link, ${r.error}; using ${formatBase(key, base)}.`);
  }
  if (unknown > MAX_UNKNOWN_WARNINGS) warnings.push(`\u2026 and ${unknown - MAX_UNKNOWN_WARNINGS} more unknown settings, ignored.`);
  if (version === 1 && Object.hasOwn(SCHEMA_1_RUNS, state.run)) state.run = SCHEMA_1_RUNS[state.run];
  state.v = SCHEMA_VERSION;
  const why = rawV === undefined ? `it holds ${mark}, which only links of that time carry` : 'v=1';
  const notice = version === 1
    ? `This link was made before schema 2 (${why}), so it is read `
      + `over ${preset === 'paper' ? 'the paper preset (schema 1\u2019s defaults: negatives sampled by popularity, 40 epochs, the attacker\u2019s vector length tied to k)' : 'the current defaults'}`
      + `${SCHEMA_1_RUNS[last('run')] && state.run === SCHEMA_1_RUNS[last('run')] ? ', and its k-sweep is today\u2019s model-size sweep' : ''}.`
    : '';
  return { state, warnings, version, notice };
}

function formatBase(key, base) {
  const d = base[key];
  const what = base.preset !== 'default' && CONFIG_KEYS.includes(key) && d !== SCHEMA[key].default
    ? `the ${base.preset} preset\u2019s` : 'the default';
  return `${what} ${d === '' ? '(none)' : String(d)}`;
}

/**
 * The hash for a state: `v`, the preset if not the defaults, then only the keys that differ from
 * that base, in schema order, so links stay short. The default state has no hash at all.
 */
export function toHash(state) {
  const preset = Object.hasOwn(PRESETS, state.preset) ? state.preset : 'default';
  const base = baseState(preset);
  const parts = [];
  if (preset !== 'default') parts.push(`preset=${encode(preset)}`);
  for (const key of Object.keys(SCHEMA)) {
    if (key === 'v' || key === 'preset') continue;
    const v = state[key];
    if (v === undefined || v === base[key]) continue;
    parts.push(`${encode(key)}=${encode(serialiseValue(key, v))}`);
  }
  return parts.length ? `#v=${SCHEMA_VERSION}&${parts.join('&')}` : '';
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

// The config keys an audit sets from its own panel (js/audit.js), not from the form.
export const AUDIT_OWN_KEYS = ['recommender', 'shadow_recommender', 'top_n'];

// "Would it spot you?": how many movies the reader picks (the core's MIN_PICKS, MAX_PICKS).
export const YOU_MIN = 5;
export const YOU_MAX = 20;

/**
 * The keys that define the result of a run of `mode`: every config key but those its job varies
 * itself (a sweep's key, a comparison's protocol, the matrix's algorithms: the mode's `varies`),
 * then the page keys it depends on (its `fields`: the number of seeds, the matrix's algorithms, ...).
 */
export function conditionKeys(id) {
  const m = mode(id);
  return [...CONFIG_KEYS.filter((k) => !m.varies.includes(k)), ...m.fields];
}

/** The condition of a run about to start: the mode, the preset and a copy of the keys that define it. */
export function captureCondition(state, mode) {
  const values = {};
  for (const k of conditionKeys(mode)) values[k] = state[k];
  return { mode, preset: Object.hasOwn(PRESETS, state.preset) ? state.preset : 'default', values };
}

/** Does the form (`state`) still describe the result of `cond`? (The preset is only a base.) */
export function sameCondition(cond, state) {
  return conditionKeys(cond.mode).every((k) => cond.values[k] === state[k]);
}

/**
 * A state that reproduces `cond`: its preset's base plus its values (swept, compared or matrix
 * keys at the base's value). Its config is also what the run is sent, so the link to a result
 * gives the same JSON.
 */
export function conditionState(cond) {
  // A mode may re-run as another from a link ("Would it spot you?" without its picks: a plain run).
  const m = mode(cond.mode);
  const run = m.linkRun ? m.linkRun(cond.values) : cond.mode;
  return { ...baseState(cond.preset || 'default'), ...cond.values, run };
}

function valueText(key, v) {
  const s = SCHEMA[key];
  if (s.type === 'enum' && !s.rawInLabels) return (s.optionLabels && s.optionLabels[v]) || v;
  if (s.type === 'bool') return v ? 'yes' : 'no';
  return String(v);
}

/**
 * Labels for a condition: `parts` (["seed 3", "paper preset", "k = 50", "protocol: fold-in"]: the
 * seed, the preset unless it is the defaults, then every key that differs from that base),
 * `text` (for titles and captions) and `slug` (for file names).
 */
export function describeCondition(cond) {
  const v = cond.values;
  const preset = cond.preset || 'default';
  const base = baseState(preset);
  const parts = [];
  const slug = [cond.mode];
  if ('seeds' in v) {
    const seeds = sweepSeeds({ seed: v.seed, seeds: v.seeds });
    parts.push(seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}\u2013${seeds[seeds.length - 1]}`);
    slug.push(`seed${v.seed}x${v.seeds}`);
  } else {
    parts.push(`seed ${v.seed}`);
    slug.push(`seed${v.seed}`);
  }
  if (preset !== 'default') {
    parts.push(`${preset} preset`);
    slug.push(preset);
  }
  for (const k of CONFIG_KEYS) {
    if (k === 'seed' || !(k in v) || v[k] === base[k]) continue;
    parts.push(SCHEMA[k].type === 'enum' ? `${k}: ${valueText(k, v[k])}` : `${k} = ${valueText(k, v[k])}`);
    slug.push(`${k}${String(v[k]).replace(/[^A-Za-z0-9.]+/g, '-')}`);
  }
  if (v.defences) {
    parts.push(`defences ${v.defences.split(',').join(', ')}`);
    slug.push(v.defences.replace(/[^A-Za-z0-9.]+/g, '-'));
  }
  if (v.strengths) {
    parts.push(`strengths ${v.strengths.split(',').join(', ')}`);
    slug.push(`s${v.strengths.replace(/[^A-Za-z0-9.]+/g, '-')}`);
  }
  if (v.protocols && v.protocols !== SCHEMA.protocols.default) {
    parts.push(`${v.protocols} panel only`);
    slug.push(v.protocols);
  }
  if (v.recommenders) {
    parts.push(`recommenders ${v.recommenders.split(',').join(', ')}`);
    slug.push(v.recommenders.replace(/[^A-Za-z0-9.]+/g, '-'));
  }
  const changed = parts.length > 1 ? '' : ', other settings at their defaults';
  return { parts, text: parts.join(', ') + changed, slug: `memberlens-${slug.join('-')}` };
}

/** Keys whose schema default differs from the wasm module's defaultConfig() (a build mismatch). */
export function defaultMismatches(wasmDefaults) {
  if (!wasmDefaults) return [];
  return CONFIG_KEYS.filter((k) => wasmDefaults[k] !== SCHEMA[k].default);
}

/** "preset.key" for every preset value that differs from the wasm module's presetConfig(). */
export function presetMismatches(wasmPresets) {
  if (!wasmPresets) return [];
  const out = [];
  for (const name of Object.keys(PRESETS)) {
    const mine = presetConfig(name);
    const theirs = wasmPresets[name];
    if (!theirs) { out.push(`${name} (unknown to the wasm module)`); continue; }
    for (const k of CONFIG_KEYS) if (theirs[k] !== mine[k]) out.push(`${name}.${k}`);
  }
  return out;
}
