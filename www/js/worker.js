// worker.js — owns all computation: loads the wasm module and the bundled data set, runs jobs in
// small steps, and talks to the page only through messages (docs/INTERFACES.md, "wasm API").
//
// The messages (their kinds, fields and version) are js/protocol.js's; what each job's result
// is, docs/INTERFACES.md ("Jobs", "Worker messages"). A job (`{kind, ...fields}`) runs here alone
// ('run') or, split into units by js/pool.js, one unit at a time ('plan', 'unit', 'aggregate',
// 'sweep-point'). An audit's files are parsed for its run only and freed after it.

import init, {
  Dataset, Job, Unit, planJob, aggregateJob, frontierSoFar, sweepPoint, exportServed, importServed, defaultConfig, presetConfig, presetNames, recommenderNames, randomSeed,
  Audit, fileFingerprint, reinitSync,
} from '../pkg/memberlens.js';
import { TO_WORKER, fromWorker, refusal } from './protocol.js';

const DATA_URL = new URL('../data/ml-latest-small.bin', import.meta.url);
// How often progress is posted. Between posts the worker yields, so a 'cancel' can arrive.
const POST_EVERY_MS = 50;

// Yielding to the event loop (so a 'cancel' can arrive) through a message, not setTimeout(0):
// nested timers are clamped to 4 ms, which at one yield per 50 ms cost a unit about 8 % of its time.
const yieldChannel = new MessageChannel();
const yielded = [];
yieldChannel.port1.onmessage = () => yielded.shift()();
function yieldNow() {
  return new Promise((resolve) => { yielded.push(resolve); yieldChannel.port2.postMessage(null); });
}

let bundled = null; // the shipped sample, kept so the page can switch back to it
let bundledBytes = null; // its file's bytes: an audit of the bundled sample fingerprints them
let active = null; // the data set runs use (bundled or the user's file)
let current = null; // {cancelled} of the running job, or null
let onFull = false; // this worker runs the full wasm module (js/wasm-module.js)

const post = (msg, transfer = []) => self.postMessage(fromWorker(msg.type, msg), transfer);
const SINGLE = JSON.stringify({ kind: 'single' });
// The core takes a job as JSON text (src/experiment/job_spec.rs).
const jobText = (job) => JSON.stringify(job);

// A wasm trap (RuntimeError, e.g. a panic under panic=abort) may leave the module's memory in an
// inconsistent state: the page must then start a fresh worker rather than reuse this one.
function errorMessage(e, context, id) {
  const fatal = e instanceof WebAssembly.RuntimeError;
  let message = e && e.message ? e.message : String(e);
  if (fatal) message = `the WebAssembly module crashed (${message}); see the browser console for details`;
  return { type: 'error', id, message, context, fatal };
}

async function start(module) {
  try {
    // The page's compiled module; without it (the page could not compile it), fetched here.
    const exports = await init(module ? { module_or_path: module } : undefined);
    // Read by scripts/bench-browser.mjs (worker.evaluate) to report the wasm memory's peak size.
    self.__memberlensMemory = exports.memory;
    onFull = !module; // without the page's module, init fetched the glue's own: the full one
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
    bundledBytes = bytes;
    active = bundled;
    // What this build of the core knows, so the page's schema can be checked against it and the
    // algorithm lists follow the module (new algorithms appear without a page change).
    const presets = Object.fromEntries(presetNames().map((n) => [n, presetConfig(n)]));
    post({ type: 'ready', summary: active.summary(), defaults: defaultConfig(), presets, recommenders: recommenderNames(),
      bundled: true });
  } catch (e) {
    post(errorMessage(e, 'init'));
  }
}

function load(msg) {
  let ds;
  try {
    ds = Dataset.fromBytes(new Uint8Array(msg.bytes), msg.name || 'ratings file');
  } catch (e) {
    // The parser says "file:line: what"; the bundled (or previous) data set stays active.
    post({ ...errorMessage(e, 'load'), loadId: msg.loadId });
    return;
  }
  if (active && active !== bundled) active.free();
  active = ds;
  // The pool's first worker parses the user's file; the others load this copy (js/pool.js).
  const bundle = msg.wantBundle ? ds.toBundle() : undefined;
  post({ type: 'loaded', summary: ds.summary(), bundled: false, loadId: msg.loadId, bundle }, bundle ? [bundle.buffer] : []);
}

function useBundled() {
  if (active && active !== bundled) active.free();
  active = bundled;
  post({ type: 'loaded', summary: active.summary(), bundled: true });
}

/**
 * The parts of a job, each a wasm Job run to its end in turn: a comparison's runs, else one Job.
 * Sweeps, matrices and frontiers come here only in slow motion (js/pool.js splits them into units
 * otherwise): one stepped job then, whose report carries the takeaways Rust writes over all values.
 * All parts are created up front, so a bad setting fails before any work.
 */
function parts(msg) {
  const { kind } = msg.job;
  // A single run reuses its seed's trained recommenders when only the attacker's settings changed
  // (Job.start's `reuse`); slow motion (a lecture showing every stage) trains them in full.
  const reuse = !(msg.stagePauseMs > 0);
  if (kind === 'compare') return msg.job.configs.map((c) => Job.start(active, c, SINGLE, reuse));
  if (kind === 'audit') return [startAudit(msg)];
  return [Job.start(active, msg.config, jobText(msg.job), reuse && kind === 'single')];
}

/**
 * An audit: the auditor's interactions (the user's file, parsed for this audit only, or the bundled
 * sample) and the lists file, read by Audit.start (which throws "lists.csv:6: list: …"). The
 * Audit keeps its own copy of the data set, so a parsed file is freed at once; the fingerprints
 * are taken here, where the bytes are, for the report.
 */
function startAudit(msg) {
  if (!msg.lists) throw new Error('choose the lists file your service served first');
  const own = !!msg.ratings;
  const ratingsBytes = own ? new Uint8Array(msg.ratings.bytes) : bundledBytes;
  const ratingsName = own ? msg.ratings.name : 'ml-latest-small.bin';
  const ds = own ? Dataset.fromBytes(ratingsBytes, ratingsName) : bundled;
  try {
    const listsBytes = new Uint8Array(msg.lists.bytes);
    const audit = Audit.start(ds, listsBytes, msg.lists.name, msg.config, !!msg.job.skipUnknown);
    audit.files = { ratings: fileFingerprint(ratingsBytes, ratingsName), lists: fileFingerprint(listsBytes, msg.lists.name) };
    return audit;
  } finally {
    if (own) ds.free();
  }
}

/** What the page shows beside an audit's result: the report page and both fingerprints. */
function auditExtras(audit) {
  const today = new Date().toISOString().slice(0, 10); // UTC, as the CLI dates its report
  return { report: audit.reportHtml(today, audit.files.ratings), ...audit.files };
}

/** The job's result from its parts' `results` (a comparison's from its finished `jobs`, then freed by `free`). */
function assemble(msg, results, jobs, free) {
  // A comparison's takeaway is written in Rust from both runs (Job.compareTakeaway:
  // eval::takeaways::compare), which stay until then.
  if (msg.job.kind === 'compare') {
    const takeaways = jobs.length === 2 ? [jobs[0].compareTakeaway(jobs[1])] : [];
    jobs.forEach(free);
    return { runs: results, takeaways };
  }
  return results[0];
}

/** One record per target user (js/individuals.js); null if the module cannot give them. */
function userRecords(job) {
  try {
    return { records: job.users(), bundled: active === bundled };
  } catch (e) {
    console.warn('MemberLens: no per-user records for this run', e);
    return null;
  }
}

async function run(msg) {
  if (current) current.cancelled = true; // a new run replaces a running one
  const id = msg.id;
  const token = { cancelled: false, id };
  current = token;
  const t0 = performance.now();
  let jobs;
  try {
    if (!active) throw new Error('the data set is not loaded yet');
    // A lira run the pool spread out (js/pool.js): the reference models other workers trained.
    for (const n of msg.needs || []) importServed(active, msg.config, SINGLE, n.unit, n.served);
    jobs = parts(msg);
  } catch (e) {
    if (current === token) current = null;
    // An audit's files are read here: their errors name file and line (no "invalid settings").
    post(errorMessage(e, msg.job.kind === 'audit' ? 'audit' : 'config', id));
    return;
  }
  const freed = new Set();
  const free = (j) => { if (!freed.has(j)) { freed.add(j); try { j.free(); } catch { /* already gone */ } } };
  const freeAll = () => jobs.forEach(free);
  const results = [];
  let individuals = null;
  let audit; // an audit's report and fingerprints
  try {
    let last = performance.now();
    let stage = -1;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      for (;;) {
        const p = job.step();
        if (p.done) {
          // Slow motion: the last stage (evaluation) usually ends inside one step; hold it too.
          if (msg.stagePauseMs > 0 && p.stage_index !== stage) {
            stage = p.stage_index;
            post({ type: 'progress', id, progress: { ...p, done: false, stage_fraction: 1 }, elapsedMs: performance.now() - t0 });
            await new Promise((r) => setTimeout(r, msg.stagePauseMs));
            if (token.cancelled) {
              freeAll();
              if (current === token) current = null;
              post({ type: 'cancelled', id });
              return;
            }
          }
          break;
        }
        const now = performance.now();
        // Slow motion (lecture): each new stage is posted at once and held for stagePauseMs.
        const pause = msg.stagePauseMs > 0 && p.stage_index !== stage ? msg.stagePauseMs : 0;
        stage = p.stage_index;
        if (pause || now - last >= POST_EVERY_MS) {
          // A comparison's progress is the whole job's: this part is run i of its runs.
          if (jobs.length > 1) {
            p.run_index += i;
            p.run_count = jobs.length;
            p.fraction = (i + p.fraction) / jobs.length;
          }
          post({ type: 'progress', id, progress: p, elapsedMs: now - t0 });
          // Yield to the event loop so 'cancel' (or a newer 'run') can be received.
          await (pause ? new Promise((r) => setTimeout(r, pause)) : yieldNow());
          last = performance.now();
          if (token.cancelled) {
            freeAll();
            if (current === token) current = null;
            post({ type: 'cancelled', id });
            return;
          }
        }
      }
      const r = job.result();
      // The per-user records live in the job: read them before it is freed.
      if (msg.job.kind === 'single') individuals = userRecords(job);
      if (msg.job.kind === 'audit') audit = auditExtras(job);
      if (msg.job.kind !== 'compare') free(job); // a comparison's runs: after its takeaway (assemble)
      results.push(r);
      if (msg.job.kind === 'compare') post({ type: 'partial', id, index: i, result: r });
    }
    if (current === token) current = null;
    post({ type: 'done', id, result: assemble(msg, results, jobs, free), elapsedMs: performance.now() - t0, individuals, audit });
  } catch (e) {
    const m = errorMessage(e, 'run', id);
    if (!m.fatal) freeAll();
    if (current === token) current = null;
    post(m);
  }
}

let unitToken = null; // {id, key, cancelled} of the unit being run, or null

/** Runs one unit of a pooled job, posting its progress and yielding between posts (so a
 * 'cancel-unit' can arrive); ends with its piece. */
async function runUnit(msg) {
  const { id, key } = msg;
  const token = { id, key, cancelled: false };
  unitToken = token;
  if (msg.testCrash) { // tests only (js/pool.js): crash while this unit is the worker's
    setTimeout(() => { throw new Error('injected worker crash (test hook)'); }, 0);
    return;
  }
  let unit = null;
  try {
    if (!active) throw new Error('the data set is not loaded yet');
    // A seed another worker trained the recommenders of (a k-sweep's other value): its lists.
    const job = jobText(msg.job);
    if (msg.served) importServed(active, msg.config, job, msg.unit, msg.served);
    // A matrix seed's attack: the lists its training units made on other workers.
    for (const n of msg.needs || []) importServed(active, msg.config, job, n.unit, n.served);
    unit = Unit.start(active, msg.config, job, msg.unit);
    let last = performance.now();
    for (;;) {
      const p = unit.step();
      if (p.done) break;
      const now = performance.now();
      if (now - last >= POST_EVERY_MS) {
        post({ type: 'unit-progress', id, key, progress: p });
        await yieldNow();
        last = performance.now();
        if (token.cancelled) {
          unit.free();
          if (unitToken === token) unitToken = null;
          post({ type: 'unit-cancelled', id, key });
          return;
        }
      }
    }
    const piece = unit.piece();
    const trained = !unit.reused();
    unit.free();
    if (unitToken === token) unitToken = null;
    // The first run of a seed shares what it served, for the other workers' runs of that seed.
    const served = msg.share ? exportServed(active, msg.config, job, msg.unit) : null;
    post({ type: 'unit-done', id, key, piece, served, trained });
  } catch (e) {
    const m = errorMessage(e, 'unit', id);
    if (unit && !m.fatal) { try { unit.free(); } catch { /* already gone */ } }
    if (unitToken === token) unitToken = null;
    post({ type: 'unit-error', id, key, message: m.message, fatal: m.fatal });
  }
}

/** Pool requests answered at once (planning and aggregation take well under a millisecond). */
function poolRequest(msg) {
  try {
    if (!active) throw new Error('the data set is not loaded yet');
    const job = jobText(msg.job);
    if (msg.type === 'plan') post({ type: 'plan', id: msg.id, units: planJob(active, msg.config, job, msg.fine) });
    else if (msg.type === 'aggregate') {
      // partial: a matrix of the seeds done so far (aggregateJob over them) or a frontier so far.
      const result = msg.partial && msg.job.kind === 'frontier' ? frontierSoFar(active, msg.config, job, msg.pieces)
        : aggregateJob(active, msg.config, job, msg.pieces);
      post({ type: 'aggregated', id: msg.id, partial: !!msg.partial, result });
    }
    else post({ type: 'sweep-point', id: msg.id, index: msg.index, point: sweepPoint(active, msg.config, job, msg.index, msg.pieces) });
  } catch (e) {
    post(errorMessage(e, msg.type === 'plan' ? 'config' : 'run', msg.id));
  }
}

/**
 * Moves this worker from the core wasm module to the full one (js/wasm-module.js) before the
 * first job that needs it: the data sets are read again into the new instance (the user's from
 * its bundle). Not while a job runs (the pool sends jobs to idle workers only).
 */
function toFull(module) {
  if (onFull || !bundled || current || unitToken) return;
  const own = active !== bundled ? { bytes: active.toBundle(), name: active.summary().name || 'ratings file' } : null;
  if (own) active.free();
  bundled.free();
  self.__memberlensMemory = reinitSync(module).memory;
  bundled = Dataset.fromBytes(bundledBytes, 'ml-latest-small.bin');
  active = own ? Dataset.fromBytes(own.bytes, own.name) : bundled;
  onFull = true;
}

self.onmessage = (ev) => {
  const msg = ev.data || {};
  // Another build's page, or a kind or field this worker does not know: refused, said to the page.
  const why = refusal(msg, TO_WORKER);
  if (why) {
    post({ type: 'error', id: typeof msg.id === 'number' ? msg.id : undefined, context: msg.type === 'init' ? 'init' : 'protocol',
      fatal: msg.type === 'init', message: `The computation worker refused a message: ${why}.` });
    return;
  }
  // A message that needs the full wasm module carries it (js/wasm-module.js `withModule`).
  if (msg.fullModule) toFull(msg.fullModule);
  switch (msg.type) {
    case 'init':
      start(msg.module);
      break;
    case 'unit':
      runUnit(msg);
      break;
    case 'cancel-unit':
      if (unitToken && unitToken.id === msg.id) unitToken.cancelled = true;
      break;
    case 'plan':
    case 'aggregate':
    case 'sweep-point':
      poolRequest(msg);
      break;
    case 'test-crash':
      // Thrown outside any handler: the worker's 'error' event, as a real crash would raise.
      setTimeout(() => { throw new Error('injected worker crash (test hook)'); }, 0);
      break;
    case 'run':
      run(msg);
      break;
    case 'cancel':
      // Only the run the page means; if it already finished, its 'done' is on the way.
      if (current && current.id === msg.id) current.cancelled = true;
      else post({ type: 'cancelled', id: msg.id });
      break;
    case 'load':
      load(msg);
      break;
    case 'use-bundled':
      useBundled();
      break;
    case 'random-seed':
      try {
        post({ type: 'random-seed', seed: randomSeed() });
      } catch (e) {
        post(errorMessage(e, 'random-seed'));
      }
      break;
    default: // declared in protocol.js but not handled here: protocol.test.mjs fails first
      post({ type: 'error', context: 'protocol', fatal: false, message: `unhandled message type ${msg.type}` });
  }
};
