// wasm-module.js — owns fetching and compiling the site's two WebAssembly modules, each once per
// page, and which jobs need the second. The core module (pkg/memberlens_core_bg.wasm: the crate
// without its cargo feature `full`, src/full.rs) is what the first screen runs: a single run, a
// comparison and "would it spot you?" on every recommender but ncf. The full module
// (pkg/memberlens_bg.wasm, the whole crate) adds sweeps and every job split into units (matrix,
// frontier, a LiRA run spread over workers), the audit and ncf; it is fetched and compiled the
// first time a job needs it, then sent to every worker with that job's messages (a compiled
// WebAssembly.Module is structured-cloneable: one download and one compilation for the page,
// however many workers). Both modules are the same
// code built twice, so a job gives the same numbers in either. One JS glue (pkg/memberlens.js,
// wasm-bindgen's for the full module) drives both: the core module has the same exports and a
// subset of the imports (scripts/build-web.sh checks that), and `reinitSync` (appended to the glue
// by build-web.sh) moves a worker from the core instance to the full one.

const CORE_URL = new URL('../pkg/memberlens_core_bg.wasm', import.meta.url);
const FULL_URL = new URL('../pkg/memberlens_bg.wasm', import.meta.url);

// The run modes the core module has: what one worker runs by itself (src/full.rs).
const CORE_KINDS = new Set(['single', 'compare', 'you']); // the JobSpec kinds the core module runs

let core = null;
let full = null;
let fullCompiled = null; // the full module once compiled: attached to worker messages synchronously

/** The core module, compiled (a promise; the same one for every caller): the page's and the workers' first. */
export function wasmModule() {
  if (!core) core = compile(CORE_URL);
  return core;
}

/** The full module, compiled on the first call (a promise; the same one for every caller). */
export function fullModule() {
  if (!full) {
    full = compile(FULL_URL).then((m) => (fullCompiled = m));
    full.catch(() => { full = null; }); // a failed download may be tried again by the next job
  }
  return full;
}

/** Whether a message to a worker (a run, or a pooled job's plan, unit or aggregation) needs the full module. */
export function needsFull(msg) {
  if (!msg || typeof msg !== 'object') return false;
  // A job split into units: every plan, unit, aggregation and sweep-point message (js/protocol.js).
  if (msg.job && msg.type !== 'run') return true;
  if (msg.type === 'run' && !CORE_KINDS.has(msg.job?.kind)) return true;
  // ncf; and LiRA, which the pool spreads over its workers as units (js/pool.js `spreads`).
  const full = (c) => c?.recommender === 'ncf' || c?.shadow_recommender === 'ncf' || c?.attack === 'lira';
  return full(msg.config) || (Array.isArray(msg.job?.configs) && msg.job.configs.some(full));
}

// Messages held while the full module compiles, so that the worker sees them in the order sent.
let held = null;

/**
 * Calls `send()` at once, or, for a message that needs the full module (and every message after
 * it until then), once the full module is compiled. If it cannot be had, the message is sent all
 * the same: the worker's core module then refuses the job with a message naming what needs it.
 */
export function whenModuleReady(msg, send) {
  if (!held && (fullCompiled || !needsFull(msg))) {
    send();
    return;
  }
  const mine = (held || Promise.resolve())
    .then(() => (needsFull(msg) ? fullModule() : null))
    .catch((e) => console.warn('MemberLens: the full WebAssembly module could not be loaded', e))
    .then(send);
  held = mine;
  const clear = () => { if (held === mine) held = null; };
  mine.then(clear, clear);
}

/** `msg` with the compiled full module as `fullModule` if it needs it and the page has it, else `msg`. */
export function withModule(msg) {
  return fullCompiled && needsFull(msg) && !msg.fullModule ? { ...msg, fullModule: fullCompiled } : msg;
}

async function compile(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} fetching ${url.pathname}`);
  // Streaming compilation needs the application/wasm type; a host that sends another one still
  // works, compiling from the bytes.
  const type = res.headers.get('Content-Type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}
