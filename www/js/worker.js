// worker.js — owns all computation: loads the wasm module and the bundled data set, runs jobs in
// small steps, and talks to the page only through messages (docs/INTERFACES.md, "wasm API").
//
// Page -> worker:  {type:'run', id, mode, config, param?, values?, seeds?} | {type:'cancel', id}
//                  {type:'load', bytes, name} | {type:'use-bundled'}
// Worker -> page:  {type:'ready', summary, defaults, bundled:true} | {type:'loaded', summary, bundled}
//                  {type:'progress', id, progress, elapsedMs} | {type:'done', id, mode, result, elapsedMs}
//                  {type:'cancelled', id} | {type:'error', id?, message, context, fatal}
// `id` tags every message of one run, so the page can ignore late messages of an older run.

import init, { Dataset, Job, defaultConfig } from '../pkg/memberlens.js';

const DATA_URL = new URL('../data/ml-latest-small.bin', import.meta.url);
// How often progress is posted. Between posts the worker yields, so a 'cancel' can arrive.
const POST_EVERY_MS = 50;

let bundled = null; // the shipped sample, kept so the page can switch back to it
let active = null; // the data set runs use (bundled or the user's file)
let current = null; // {cancelled} of the running job, or null

const post = (msg) => self.postMessage(msg);

// A wasm trap (RuntimeError, e.g. a panic under panic=abort) may leave the module's memory in an
// inconsistent state: the page must then start a fresh worker rather than reuse this one.
function errorMessage(e, context, id) {
  const fatal = e instanceof WebAssembly.RuntimeError;
  let message = e && e.message ? e.message : String(e);
  if (fatal) message = `the WebAssembly module crashed (${message}); see the browser console for details`;
  return { type: 'error', id, message, context, fatal };
}

async function start() {
  try {
    const exports = await init();
    // Read by scripts/bench-browser.mjs (worker.evaluate) to report the wasm memory's peak size.
    self.__memberlensMemory = exports.memory;
  } catch (e) {
    post({ type: 'error', context: 'init', fatal: true,
      message: `Could not load the WebAssembly module (${e.message || e}). Was the site built with \`make web\`?` });
    return;
  }
  let bytes;
  try {
    const res = await fetch(DATA_URL);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    post({ type: 'error', context: 'init', fatal: true,
      message: `Could not fetch the bundled data set data/ml-latest-small.bin (${e.message || e}).` });
    return;
  }
  try {
    bundled = Dataset.fromBytes(bytes, 'ml-latest-small.bin');
    active = bundled;
    post({ type: 'ready', summary: active.summary(), defaults: defaultConfig(), bundled: true });
  } catch (e) {
    post(errorMessage(e, 'init'));
  }
}

function load(bytes, name) {
  let ds;
  try {
    ds = Dataset.fromBytes(new Uint8Array(bytes), name);
  } catch (e) {
    // The parser says "file:line: what"; the bundled (or previous) data set stays active.
    post(errorMessage(e, 'load'));
    return;
  }
  if (active && active !== bundled) active.free();
  active = ds;
  post({ type: 'loaded', summary: ds.summary(), bundled: false });
}

function useBundled() {
  if (active && active !== bundled) active.free();
  active = bundled;
  post({ type: 'loaded', summary: active.summary(), bundled: true });
}

async function run(msg) {
  if (current) current.cancelled = true; // a new run replaces a running one
  const id = msg.id;
  const token = { cancelled: false, id };
  current = token;
  const t0 = performance.now();
  let job;
  try {
    if (!active) throw new Error('the data set is not loaded yet');
    job = msg.mode === 'single'
      ? Job.single(active, msg.config)
      : Job.sweep(active, msg.config, msg.param, Float64Array.from(msg.values), Uint32Array.from(msg.seeds));
  } catch (e) {
    if (current === token) current = null;
    post(errorMessage(e, 'config', id));
    return;
  }
  let freed = false;
  const free = () => { if (!freed) { freed = true; try { job.free(); } catch { /* already gone */ } } };
  try {
    let last = performance.now();
    for (;;) {
      const p = job.step();
      if (p.done) break;
      const now = performance.now();
      if (now - last >= POST_EVERY_MS) {
        post({ type: 'progress', id, progress: p, elapsedMs: now - t0 });
        // Yield to the event loop so 'cancel' (or a newer 'run') can be received.
        await new Promise((r) => setTimeout(r, 0));
        last = performance.now();
        if (token.cancelled) {
          free();
          if (current === token) current = null;
          post({ type: 'cancelled', id });
          return;
        }
      }
    }
    const result = job.result();
    free();
    if (current === token) current = null;
    post({ type: 'done', id, mode: msg.mode, result, elapsedMs: performance.now() - t0 });
  } catch (e) {
    const m = errorMessage(e, 'run', id);
    if (!m.fatal) free();
    if (current === token) current = null;
    post(m);
  }
}

self.onmessage = (ev) => {
  const msg = ev.data || {};
  switch (msg.type) {
    case 'run':
      run(msg);
      break;
    case 'cancel':
      // Only the run the page means; if it already finished, its 'done' is on the way.
      if (current && current.id === msg.id) current.cancelled = true;
      else post({ type: 'cancelled', id: msg.id });
      break;
    case 'load':
      load(msg.bytes, msg.name || 'ratings file');
      break;
    case 'use-bundled':
      useBundled();
      break;
    default:
      post({ type: 'error', context: 'message', fatal: false, message: `unknown message type ${msg.type}` });
  }
};

start();
