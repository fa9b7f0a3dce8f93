// protocol.js — owns the messages between the page's pool (js/pool.js, which speaks for main.js)
// and the computation workers (js/worker.js): one declared list of message kinds per direction,
// each with its fields, a version every message carries, and the one check both sides run on
// what they receive. tests/js/protocol.test.mjs checks that every kind the three files send or
// handle is declared here and every kind declared here is used.
//
// A job is the JSON shape of the core's `experiment::JobSpec` (src/experiment/job_spec.rs):
// `{kind: 'single'} | {kind: 'compare', configs} | {kind: 'sweep', param, values, seeds} |
// {kind: 'matrix', recommenders, seeds} | {kind: 'frontier', defences, strengths, seeds,
// natural_epochs?, protocols?} | {kind: 'you', picks} | {kind: 'audit', skipUnknown?}`;
// the worker hands it to the core as JSON text (wasm `Job.start`, `planJob`, `Unit.start`, …).

/** Bumped whenever a kind or a field changes meaning: a worker of another version refuses. */
export const PROTOCOL_VERSION = 1;

/**
 * Pool (page) -> worker. Each kind: [required fields, optional fields]. Any of them may also carry
 * `fullModule`: the compiled full wasm module, which a message that needs it brings to a worker
 * still on the core module (js/wasm-module.js `withModule`; the worker switches before handling it).
 * @type {Record<string, [string[], string[]]>}
 */
export const TO_WORKER = {
  // The page's compiled WebAssembly.Module (js/wasm-module.js); absent: the worker fetches one.
  init: [[], ['module']],
  // A job run by one worker (lists, ratings: an audit's files as {bytes, name}; needs: the
  // reference models a spread lira run starts from, [{unit, served}]).
  run: [['id', 'config', 'job'], ['stagePauseMs', 'lists', 'ratings', 'needs']],
  cancel: [['id'], []],
  load: [['bytes', 'name'], ['loadId', 'wantBundle']],
  'use-bundled': [[], []],
  'random-seed': [[], []],
  // Pool requests: a job split into units (docs/INTERFACES.md "Pool").
  plan: [['id', 'config', 'job', 'fine'], []],
  unit: [['id', 'key', 'config', 'job', 'unit'], ['share', 'served', 'needs', 'testCrash']],
  'cancel-unit': [['id'], []],
  aggregate: [['id', 'config', 'job', 'pieces'], ['partial', 'done']],
  'sweep-point': [['id', 'config', 'job', 'index', 'pieces'], []],
  // Tests only: throw asynchronously, as a crashing worker would.
  'test-crash': [[], []],
};

/**
 * Worker -> pool (and, through the pool, the page). Each kind: [required fields, optional fields].
 * @type {Record<string, [string[], string[]]>}
 */
export const FROM_WORKER = {
  ready: [['summary', 'defaults', 'presets', 'recommenders', 'bundled'], []],
  loaded: [['summary', 'bundled'], ['loadId', 'bundle']],
  progress: [['id', 'progress', 'elapsedMs'], []],
  done: [['id', 'result', 'elapsedMs'], ['individuals', 'audit']],
  // A compared run (result), a sweep point (point), a matrix or frontier so far (result).
  partial: [['id', 'index'], ['point', 'result']],
  cancelled: [['id'], []],
  error: [['message', 'context', 'fatal'], ['id', 'loadId']],
  'random-seed': [['seed'], []],
  plan: [['id', 'units'], []],
  'unit-progress': [['id', 'key', 'progress'], []],
  'unit-done': [['id', 'key', 'piece', 'served', 'trained'], []],
  'unit-cancelled': [['id', 'key'], []],
  'unit-error': [['id', 'key', 'message', 'fatal'], []],
  aggregated: [['id', 'partial', 'result'], []],
  'sweep-point': [['id', 'index', 'point'], []],
};

/**
 * Why `msg` is not a message of this protocol in direction `kinds` (TO_WORKER or FROM_WORKER),
 * or null: another version, an undeclared kind, a required field missing or an undeclared one.
 */
export function refusal(msg, kinds) {
  if (!msg || typeof msg !== 'object') return 'a message must be an object';
  if (msg.v !== PROTOCOL_VERSION) {
    return `message protocol version ${msg.v === undefined ? '(none)' : msg.v} is not this side's ${PROTOCOL_VERSION}: `
      + 'the page and its worker come from different builds; reload the page';
  }
  const spec = Object.hasOwn(kinds, msg.type) ? kinds[msg.type] : null;
  if (!spec) return `unknown message type ${String(msg.type)}`;
  const [required, optional] = spec;
  const missing = required.filter((f) => msg[f] === undefined);
  if (missing.length) return `message '${msg.type}' lacks ${missing.join(', ')}`;
  const carried = (f) => f === 'type' || f === 'v' || (kinds === TO_WORKER && f === 'fullModule');
  const extra = Object.keys(msg).filter((f) => !carried(f) && !required.includes(f) && !optional.includes(f));
  if (extra.length) return `message '${msg.type}' has undeclared ${extra.join(', ')}`;
  return null;
}

/** `fields` as a message of kind `type` of this version; throws if it is not one (`refusal`). */
function make(kinds, type, fields) {
  const msg = { type, ...fields, v: PROTOCOL_VERSION };
  for (const f of Object.keys(msg)) if (msg[f] === undefined) delete msg[f];
  const why = refusal(msg, kinds);
  if (why) throw new Error(`MemberLens protocol: ${why}`);
  return msg;
}

/** A pool -> worker message. */
export const toWorker = (type, fields = {}) => make(TO_WORKER, type, fields);

/** A worker -> pool message. */
export const fromWorker = (type, fields = {}) => make(FROM_WORKER, type, fields);
