// pool.js — owns the page's pool of computation workers (js/worker.js). To main.js it looks like
// one worker: the same messages in and out (docs/INTERFACES.md). Single runs, comparisons, the
// per-user records and slow-motion runs go to worker 0. A sweep, matrix or frontier is split by
// the core into units (planJob), each sent to an idle worker; finished pieces are put together by
// the core (aggregateJob, sweepPoint) in a fixed order, so the result is bit-identical whatever
// the number of workers and whatever order the units finished in. Every worker has the data set:
// the bundled file it fetches, or the user's file, which only worker 0 parses; the others get
// the parsed data set from it as a bundle (`memberlens bundle`'s format), so a huge or hostile
// text costs one worker's memory, not every worker's. A worker that crashes is replaced and its
// unit queued again; a unit that fails twice fails the job, and the pool stays usable; a crash of
// worker 0 during a run of its own (not split into units) ends that run with an error, and a run
// sent while its replacement starts waits for it. Cancel stops every worker's unit. Every worker,
// a replacement too, gets the page's one compiled wasm module (js/wasm-module.js) in its first
// message: one download, one compilation. Messages both ways are js/protocol.js's: every one
// sent to a worker is made there (`send`), every one received is checked there.

import { wasmModule, whenModuleReady, withModule } from './wasm-module.js';
import { FROM_WORKER, refusal, toWorker } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
export const MAX_WORKERS = 8;
// Served entries a worker keeps (the core's SERVED_SEEDS in src/wasm.rs: one per algorithm of a
// matrix seed, plus one): the pool mirrors each worker's cache to know which units it can start
// without lists sent along.
const SERVED_SEEDS = 6;
// The page hears the whole job's progress at most this often, however many workers report. Each
// report costs the page a style, layout and paint (and the compositor a frame): at 50 ms that took
// about a fifth of a core, which workers on every core do not have to spare. 200 ms cut the
// 2-worker k-sweep on 2 cores from 0.62-0.68 to 0.55-0.58 of one worker's time.
const PROGRESS_EVERY_MS = 200;
// Jobs split into units over the workers (the others run in worker 0, whole).
const POOLED = new Set(['sweep', 'matrix', 'frontier']);

/** Posts `msg` to worker `w` as a message of the protocol (js/protocol.js; throws if it is not one). */
function send(w, msg, transfer) {
  w.postMessage(toWorker(msg.type, msg), transfer);
}

/** The pool size: hardwareConcurrency − 1 in 1..8, or `workers=N` (1..8) from the address. */
export function poolSize(hash = '') {
  const m = /(?:^#?|&)workers=(\d+)(?:&|$)/.exec(hash);
  if (m) {
    const n = Number(m[1]);
    if (n >= 1 && n <= MAX_WORKERS) return n;
  }
  const cores = Number(navigator.hardwareConcurrency) || 2;
  return Math.min(MAX_WORKERS, Math.max(1, cores - 1));
}

export class Pool {
  constructor(size) {
    this.size = size;
    this.onmessage = null;
    this.slots = [];
    // The user's file, or null for the bundled one: {bytes, name, parsed, loadId}, its bytes the
    // raw text until worker 0 has parsed it (parsed: false), then the bundle it sent (true).
    this.data = null;
    this.previousData = null; // what this.data was before a load that may yet be refused
    this.loads = 0;
    this.version = 0; // bumped whenever the data set changes
    this.job = null; // the pooled job in progress
    // A run worker 0 does itself (not split into units): {id, msg, sent}. Held until worker 0 is up
    // (a replacement still starting would refuse it: "the data set is not loaded yet"); when worker 0
    // crashes while running it, the page is told, or it would wait on a run that no worker has.
    this.direct = null;
    this.requests = []; // pool requests waiting for a ready worker
    this.maxBusy = 0; // most workers ever running units at once (read by the tests)
    this.replaced = 0; // workers replaced after a crash (read by the tests)
    this.trainedRuns = 0; // units that trained their recommenders rather than reuse a seed's (tests)
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(i, false));
  }

  spawn(index, replacement) {
    const w = new Worker(WORKER_URL, { type: 'module' });
    // A message that needs the full wasm module carries it (js/wasm-module.js).
    const post = w.postMessage.bind(w);
    w.postMessage = (m, transfer) => post(withModule(m), transfer);
    // Without the page's module (it failed to compile), the worker fetches its own and reports
    // why that failed too.
    wasmModule().then((module) => send(w, { type: 'init', module }), () => send(w, { type: 'init' }));
    // pending: data-set changes sent and not yet confirmed ('loaded' or a load error).
    // served: `jobId:group` (experiment::served) of the seeds this worker holds, least recently used first.
    // asked: planning and aggregation requests sent to it and not answered yet.
    const slot = { index, w, up: false, pending: 0, version: -1, busy: null, replacement, served: [], asked: [] };
    w.onmessage = (ev) => { if (this.slots[index] === slot || !this.slots[index]) this.fromWorker(slot, ev.data || {}); };
    w.onerror = (ev) => {
      if (this.slots[index] !== slot) return;
      ev.preventDefault();
      if (!slot.up) {
        // It never started (the module failed to load): replacing it would fail the same way.
        if (index === 0 && !replacement) {
          this.emit({ type: 'error', context: 'init', fatal: true,
            message: `The computation worker could not start (${ev.message || 'module failed to load'}). Was the site built with \`make web\`?` });
        }
        return;
      }
      this.crashed(slot, ev.message || 'the worker stopped');
    };
    return slot;
  }

  emit(msg) {
    if (this.onmessage) this.onmessage({ data: msg });
  }

  terminate() {
    for (const s of this.slots) s.w.terminate();
    this.slots = [];
    this.job = null;
    this.direct = null;
  }

  /** Sends the run worker 0 does itself once worker 0 is up (messages after it keep their order). */
  flushDirect() {
    const d = this.direct;
    if (!d || d.sent || !this.slots[0]?.up) return;
    d.sent = true;
    send(this.slots[0].w, d.msg);
  }

  /** For tests only (main.js exposes it under automation): crash worker `index`, or the worker
   * running a unit. */
  testCrash(index) {
    const s = this.slots[index] || this.slots.find((x) => x.busy !== null) || this.slots[0];
    send(s.w, { type: 'test-crash' });
    return s.index;
  }

  /** For tests only: how many workers are running a unit. */
  busyCount() { return this.slots.filter((s) => s.busy !== null).length; }

  ready(slot) { return slot.up && slot.version === this.version; }

  loadSettled(slot) {
    slot.pending = Math.max(0, slot.pending - 1);
    if (!slot.pending) slot.version = this.version;
  }

  // ---- page -> pool ---------------------------------------------------------------------------

  postMessage(msg, transfer) {
    // A job that needs the full wasm module waits for it (and the messages after it with it).
    whenModuleReady(msg, () => this.accept(msg, transfer));
  }

  accept(msg, transfer) {
    switch (msg.type) {
      case 'run':
        if ((POOLED.has(msg.job.kind) && !(msg.stagePauseMs > 0)) || this.spreads(msg)) this.startJob(msg);
        else {
          this.job = null;
          this.direct = { id: msg.id, msg, sent: false };
          this.flushDirect();
        }
        return;
      case 'cancel':
        // A spread lira run in its last part is worker 0's own run: worker 0 answers.
        if (this.job && this.job.id === msg.id && this.job.directSent) send(this.slots[0].w, msg);
        else if (this.job && this.job.id === msg.id) this.cancelJob();
        else if (this.direct && this.direct.id === msg.id && !this.direct.sent) {
          this.direct = null;
          this.emit({ type: 'cancelled', id: msg.id });
        } else send(this.slots[0].w, msg);
        return;
      case 'load':
        this.version++;
        for (const s of this.slots) s.served = []; // a new data set: every worker's cache is new
        this.dropWaiting();
        if (!this.data || this.data.parsed) this.previousData = this.data;
        this.data = { bytes: msg.bytes.slice(0), name: msg.name, parsed: false, loadId: ++this.loads };
        for (const s of this.slots) {
          s.pending++;
          // A worker 0 not up yet gets it once it is ('ready'); the others once worker 0 parsed it.
          if (s !== this.slots[0]) s.waiting = true;
          else if (s.up) send(s.w, { ...msg, loadId: this.data.loadId, wantBundle: this.size > 1 }, transfer);
        }
        return;
      case 'use-bundled':
        this.version++;
        for (const s of this.slots) s.served = [];
        this.dropWaiting();
        this.data = null;
        for (const s of this.slots) { s.pending++; send(s.w, msg); }
        return;
      default:
        send(this.slots[0].w, msg, transfer);
    }
  }

  /** Sends the user's data set to `slot`: the bundle once parsed, the text to worker 0, else later. */
  sendData(slot) {
    const d = this.data;
    if (d.parsed) send(slot.w, { type: 'load', bytes: d.bytes.slice(0), name: d.name });
    else if (slot.index === 0) send(slot.w, { type: 'load', bytes: d.bytes.slice(0), name: d.name, loadId: d.loadId, wantBundle: this.size > 1 });
    else slot.waiting = true;
  }

  /** Worker 0 has parsed load `loadId` (`bundle`: the data set, for the others) or refused it. */
  parsed(loadId, bundle) {
    const d = this.data;
    if (!d || d.parsed || d.loadId !== loadId) return; // a load since replaced
    if (bundle) this.data = { bytes: bundle.slice().buffer, name: d.name, parsed: true };
    else this.data = this.previousData; // refused: every worker keeps what it had
    for (const s of this.slots) {
      if (!s.waiting) continue;
      s.waiting = false;
      if (bundle) send(s.w, { type: 'load', bytes: this.data.bytes.slice(0), name: this.data.name });
      else this.loadSettled(s);
    }
  }

  /** A load that another data-set change replaces: its waiting workers wait no more. */
  dropWaiting() {
    for (const s of this.slots) {
      if (!s.waiting) continue;
      s.waiting = false;
      this.loadSettled(s);
    }
  }

  // ---- worker -> pool -------------------------------------------------------------------------

  fromWorker(slot, msg) {
    const why = refusal(msg, FROM_WORKER);
    if (why) {
      // Another build's worker (or a message this pool does not know): said, never silently dropped.
      this.emit({ type: 'error', context: 'protocol', fatal: false, message: `The page refused a message of its worker: ${why}.` });
      return;
    }
    delete msg.v;
    const sj = this.job;
    if (sj && sj.directSent && slot.index === 0 && msg.id === sj.id) {
      // The last part of a spread lira run: worker 0's own run, its messages go to the page as
      // they are, with its progress counted after the reference models'.
      if (['done', 'cancelled', 'error'].includes(msg.type)) slot.busy = null;
      if (msg.type === 'done' || msg.type === 'cancelled') this.job = null; // (an error fails the job below)
      else if (msg.type === 'progress' && msg.progress) {
        const run = sj.units[slot.busy]?.weight ?? 0;
        msg = { ...msg, progress: { ...msg.progress, fraction: (sj.weight - run + run * msg.progress.fraction) / sj.weight } };
      }
    }
    if (slot.index === 0 && this.direct && msg.id === this.direct.id && ['done', 'cancelled', 'error'].includes(msg.type)) this.direct = null;
    if (slot.asked.length && msg.id !== undefined) slot.asked = slot.asked.filter((r) => !answers(msg, r));
    switch (msg.type) {
      case 'ready':
        slot.up = true;
        // A worker starts on the bundled data set: the user's file, if any, is sent to it once.
        slot.pending = 0;
        slot.waiting = false;
        if (this.data) {
          slot.pending = 1;
          this.sendData(slot);
        } else slot.version = this.version;
        // Only the first worker 0 speaks for the pool; a replaced one is restored silently (and
        // speaks again once it has the data set).
        if (slot.index === 0 && !slot.replacement) this.emit({ ...msg });
        if (!slot.pending) slot.replacement = false;
        this.flushDirect();
        this.dispatch();
        return;
      case 'loaded':
        if (slot === this.slots[0] && msg.loadId !== undefined) this.parsed(msg.loadId, msg.bundle || null);
        delete msg.bundle;
        this.loadSettled(slot);
        if (slot.index === 0 && !slot.replacement) this.emit(msg);
        if (!slot.pending) slot.replacement = false;
        this.dispatch();
        return;
      case 'unit-progress': return this.onUnitProgress(slot, msg);
      case 'unit-done': return this.onUnitDone(slot, msg);
      case 'unit-cancelled': return this.onUnitCancelled(slot, msg);
      case 'unit-error': return this.onUnitError(slot, msg);
      case 'plan': return this.onPlan(msg);
      case 'aggregated': return this.onAggregated(msg);
      case 'sweep-point': return this.onSweepPoint(msg);
      case 'error':
        if (msg.context === 'load') {
          if (slot === this.slots[0] && msg.loadId !== undefined) this.parsed(msg.loadId, null);
          this.loadSettled(slot);
        }
        if (this.job && msg.id === this.job.id) { this.failJob(msg.message, msg.context); return; }
        if (msg.context === 'load' && slot.index !== 0) return; // worker 0 reports the same error
        if (slot.index === 0 && !(slot.replacement && msg.context === 'init')) this.emit(msg);
        return;
      default:
        if (slot.index === 0) this.emit(msg);
    }
  }

  // ---- pooled jobs ----------------------------------------------------------------------------

  /**
   * A job split into units. A lira run on more than one worker (`spreads`) is one too: its
   * reference models (nearly all of its work) are units of the core's plan (`{kind: 'single'}`,
   * fine), spread over the pool; then worker 0 runs the run itself with the other workers' models
   * sent along (`needs`), so the page gets its stages and per-user records as from any single run,
   * and the numbers one worker gives.
   */
  startJob(msg) {
    const spread = this.spreads(msg);
    if (spread) this.direct = null;
    const job = msg.job;
    this.job = {
      id: msg.id, config: msg.config, job, t0: performance.now(), units: null, queue: [],
      points: [], nextPoint: 0, cancelled: false, lastProgress: null, pendingProgress: null, progressTimer: 0,
      served: new Map(), // group -> the lists its first run served (null: none came back)
      direct: spread ? msg : null, directSent: false, // a spread lira run: its own run message
    };
    this.request({ type: 'plan', id: msg.id, config: msg.config, job, fine: this.size > 1 });
  }

  /** Whether run message `msg` is a lira run whose reference models the pool spreads out. */
  spreads(msg) {
    return this.size > 1 && msg.job.kind === 'single' && msg.config?.attack === 'lira' && !(msg.stagePauseMs > 0);
  }

  /** Sends a planning or aggregation request to a ready worker (worker 0 if it can). */
  request(msg) {
    this.requests.push(msg);
    this.flushRequests();
  }

  flushRequests() {
    while (this.requests.length) {
      const s = this.ready(this.slots[0]) ? this.slots[0] : this.slots.find((x) => this.ready(x));
      if (!s) return;
      const r = this.requests.shift();
      s.asked.push(r); // until answered: asked again of another worker if this one crashes
      send(s.w, r);
    }
  }

  onPlan(msg) {
    const j = this.job;
    if (!j || j.id !== msg.id || j.cancelled) return;
    j.units = msg.units.map((u, key) => ({ ...u, key, piece: null, fraction: 0, fails: 0 }));
    // Sweeps in value order (points are drawn in order); a frontier's heaviest parts first.
    const order = j.units.map((u) => u.key);
    if (j.job.kind === 'frontier') order.sort((a, b) => j.units[b].weight - j.units[a].weight || a - b);
    j.queue = order;
    j.weight = j.units.reduce((t, u) => t + u.weight, 0);
    this.dispatch();
  }

  dispatch() {
    this.flushRequests();
    const j = this.job;
    if (!j || !j.units || j.cancelled) return;
    for (const s of this.slots) {
      if (!j.queue.length) break;
      if (s.busy !== null || !this.ready(s)) continue;
      // The first unit in the queue this worker can start now. A sweep's runs of one seed share
      // its trained recommenders (`served`): the first run trains them, the others start from its
      // lists — held by this worker, or sent along — and wait while that first run is going.
      // Among the next few units (values stay roughly in order, so points keep coming): a unit
      // that trains (no group, or its group's first run: the long ones, best started early), then
      // one whose seed this worker holds (sending lists costs the page and the worker a little),
      // then the first one that can start.
      const holds = (k) => s.served.includes(`${j.id}:${j.units[k].served}`);
      // A matrix seed's attack starts from its training units' lists: once they are all done.
      const needs = (k) => j.units[k].needs || [];
      // (A spread lira run's own part is worker 0's.)
      const ready = (k) => needs(k).length > 0 && needs(k).every((n) => j.units[n].piece) && (!j.direct || s.index === 0);
      const trains = (k) => {
        const g = j.units[k].served;
        return !needs(k).length && (g === undefined || g === null || g === k);
      };
      const near = j.queue.slice(0, 2 * this.size);
      let at = near.findIndex((k) => trains(k) || ready(k));
      if (at < 0) at = near.findIndex(holds);
      if (at < 0) at = j.queue.findIndex((k) => trains(k) || ready(k) || holds(k) || j.served.has(j.units[k].served));
      if (at < 0) continue;
      const [key] = j.queue.splice(at, 1);
      const u = j.units[key];
      const g = u.served;
      const msg = { type: 'unit', id: j.id, key, config: j.config, job: j.job, unit: u.unit };
      // Groups are unit keys, which every job reuses: the mirror names them with the job.
      const keep = (held) => { s.served = [...s.served.filter((x) => x !== held), held].slice(-SERVED_SEEDS); };
      if (g !== undefined && g !== null) {
        const held = `${j.id}:${g}`;
        // A spread lira run's reference models stay where worker 0 runs the run.
        if (g === key) msg.share = j.direct ? s.index !== 0 : this.size > 1;
        else if (!s.served.includes(held) && j.served.get(g)) msg.served = j.served.get(g);
        keep(held);
      }
      if (needs(key).length) {
        // Lists this worker does not hold go along (none came back: the unit trains that part).
        msg.needs = [];
        for (const n of needs(key)) {
          const held = `${j.id}:${n}`;
          if (s.served.includes(held)) keep(held);
          else if (j.served.get(n)) { msg.needs.push({ unit: j.units[n].unit, served: j.served.get(n) }); keep(held); }
        }
      }
      if (j.direct && u.unit.kind === 'single') {
        const run = { ...j.direct, needs: msg.needs || [] };
        s.busy = key;
        j.directSent = true;
        this.direct = { id: j.id, msg: run, sent: true };
        send(s.w, run);
        continue;
      }
      // Tests only (under automation): `__memberlensTestCrash = {key, times}` makes the worker given
      // unit `key` crash instead of running it, the next `times` times it is given out.
      const crash = navigator.webdriver ? self.__memberlensTestCrash : null;
      if (crash && crash.key === key && crash.times > 0) { crash.times--; msg.testCrash = true; }
      s.busy = key;
      send(s.w, msg);
    }
    this.maxBusy = Math.max(this.maxBusy, this.busyCount());
  }

  onUnitProgress(slot, msg) {
    const j = this.job;
    if (!j || j.id !== msg.id || j.cancelled) return;
    j.units[msg.key].fraction = msg.progress.fraction;
    this.progress(msg.progress);
  }

  /** The whole job's progress: each unit's share of the work, done or in progress. */
  progress(p) {
    const j = this.job;
    const done = j.units.reduce((t, u) => t + u.weight * (u.piece ? 1 : u.fraction), 0);
    const runs = j.job.kind === 'sweep' ? j.units.length : j.job.seeds?.length ?? 1;
    const progress = { ...p, done: false, fraction: Math.min(1, done / j.weight), run_count: runs };
    j.pendingProgress = progress;
    if (j.progressTimer) return;
    const wait = Math.max(0, PROGRESS_EVERY_MS - (performance.now() - (j.lastProgress ?? -Infinity)));
    j.progressTimer = setTimeout(() => {
      j.progressTimer = 0;
      if (this.job !== j || j.cancelled) return;
      j.lastProgress = performance.now();
      this.emit({ type: 'progress', id: j.id, progress: j.pendingProgress, elapsedMs: j.lastProgress - j.t0 });
    }, wait);
  }

  onUnitDone(slot, msg) {
    if (slot.busy === msg.key) slot.busy = null;
    const j = this.job;
    if (!j || j.id !== msg.id) { this.dispatch(); return; }
    if (j.cancelled) { this.cancelSettled(); return; }
    const u = j.units[msg.key];
    u.piece = msg.piece;
    if (msg.trained) this.trainedRuns++;
    if (u.served === msg.key) j.served.set(msg.key, msg.served ?? null);
    if (j.job.kind === 'sweep') this.sweepPoints();
    const all = j.units.every((x) => x.piece);
    if (!all && j.job.kind === 'matrix' && u.unit.kind === 'seed') this.matrixSoFar();
    if (!all && j.job.kind === 'frontier') this.frontierSoFar();
    if (all) {
      this.request({ type: 'aggregate', id: j.id, config: j.config, job: j.job, pieces: j.units.map((x) => x.piece) });
    }
    this.dispatch();
  }

  /** Asks for each sweep value's point once its seeds are done, in value order. */
  sweepPoints() {
    const j = this.job;
    const per = j.job.seeds.length;
    while (j.nextPoint < j.job.values.length) {
      const i = j.nextPoint;
      const units = j.units.slice(i * per, (i + 1) * per);
      if (!units.every((u) => u.piece)) return;
      j.nextPoint++;
      this.request({ type: 'sweep-point', id: j.id, config: j.config, job: j.job, index: i, pieces: units.map((u) => u.piece) });
    }
  }

  /**
   * The matrix of the seeds done so far (issue 18: cells fill in while the job runs): the core's
   * own aggregation of a matrix over just those seeds, their pieces renumbered 0.. in seed order
   * (a seed's numbers do not depend on its index: the seed itself is in the spec). Its cells are
   * the final ones once every seed is in.
   */
  matrixSoFar() {
    const j = this.job;
    const done = j.units.filter((x) => x.unit.kind === 'seed' && x.piece).sort((a, b) => a.unit.seed_index - b.unit.seed_index);
    const seeds = done.map((x) => j.job.seeds[x.unit.seed_index]);
    const pieces = done.map((x, i) => ({ ...x.piece, unit: { kind: 'seed', seed_index: i } }));
    this.request({ type: 'aggregate', id: j.id, config: j.config, job: { ...j.job, seeds }, pieces, partial: true, done: done.length });
  }

  /**
   * The frontier so far (issue 18: points appear as units finish): the core's report of the
   * finished pieces (frontierSoFar: a panel once its undefended runs are in, each point once its
   * every seed is), one request at a time — a unit finished meanwhile is in the next one.
   */
  frontierSoFar() {
    const j = this.job;
    if (j.soFarAsked) { j.soFarAgain = true; return; }
    const done = j.units.filter((x) => x.piece);
    j.soFarAsked = true;
    j.soFarAgain = false;
    this.request({ type: 'aggregate', id: j.id, config: j.config, job: j.job, pieces: done.map((x) => x.piece), partial: true, done: done.length });
  }

  onSweepPoint(msg) {
    const j = this.job;
    if (!j || j.id !== msg.id || j.cancelled) return;
    this.emit({ type: 'partial', id: j.id, index: msg.index, point: msg.point });
  }

  onAggregated(msg) {
    const j = this.job;
    if (!j || j.id !== msg.id || j.cancelled) return;
    if (msg.partial) {
      if (j.job.kind === 'frontier') {
        j.soFarAsked = false;
        // Drawn once a panel has its undefended point; a unit finished meanwhile asks again.
        if (msg.result.panels?.length) this.emit({ type: 'partial', id: j.id, index: 0, result: msg.result });
        if (j.soFarAgain && !j.units.every((x) => x.piece)) this.frontierSoFar();
        return;
      }
      // A matrix so far: drawn unless a later one (or the whole) came first.
      const n = msg.result.seeds?.length ?? 0;
      if (n > (j.partialSeeds ?? 0)) {
        j.partialSeeds = n;
        this.emit({ type: 'partial', id: j.id, index: n, result: msg.result });
      }
      return;
    }
    this.job = null;
    this.emit({ type: 'done', id: j.id, result: msg.result, elapsedMs: performance.now() - j.t0, individuals: null });
  }

  onUnitError(slot, msg) {
    if (slot.busy === msg.key) slot.busy = null;
    const j = this.job;
    if (!j || j.id !== msg.id) { this.dispatch(); return; }
    if (j.cancelled) { this.cancelSettled(); return; }
    if (msg.fatal) {
      // The module's memory may be inconsistent: a fresh worker takes this one's place.
      this.replace(slot);
      this.retry(msg.key, msg.message);
      return;
    }
    // An error of the computation itself (a setting, a diverging model) would recur: stop.
    this.failJob(msg.message, 'run');
  }

  crashed(slot, message) {
    const key = slot.busy;
    const spreadRun = slot.index === 0 && this.job?.directSent; // its last part: worker 0's own run
    if (slot.index === 0 && this.direct?.sent) {
      const { id } = this.direct;
      this.direct = null;
      this.emit({ type: 'error', id, context: 'run', fatal: false,
        message: oneLine(`The computation worker stopped during the run (${message}); a fresh worker has taken its place: run again.`) });
    }
    this.replace(slot);
    if (spreadRun) { this.job = null; return; }
    const j = this.job;
    if (key === null || !j) return;
    if (j.cancelled) { this.cancelSettled(); return; }
    this.retry(key, message);
  }

  replace(slot) {
    // Its unanswered planning and aggregation requests of the job going on go to another worker
    // (else the job waits for good: found by scripts/soak.mjs, a crash of worker 0 mid-sweep).
    this.requests.unshift(...slot.asked.filter((r) => this.job && r.id === this.job.id && !this.job.cancelled));
    slot.asked = [];
    slot.w.terminate();
    this.replaced++;
    const fresh = this.spawn(slot.index, true);
    this.slots[slot.index] = fresh;
    this.flushRequests();
  }

  retry(key, message) {
    const j = this.job;
    const u = j.units[key];
    u.fails++;
    u.fraction = 0;
    if (u.fails >= 2) {
      this.failJob(`A part of the job (${describe(u.unit)}) failed twice, the last time with: ${message}`, 'run');
      return;
    }
    console.warn(`MemberLens: a worker failed (${message}); its part of the job (${describe(u.unit)}) runs again`);
    j.queue.unshift(key);
    this.dispatch();
  }

  failJob(message, context) {
    const j = this.job;
    if (!j) return;
    this.stopUnits(j);
    this.job = null;
    this.emit({ type: 'error', id: j.id, context, message: oneLine(message), fatal: false });
  }

  stopUnits(j) {
    j.cancelled = true;
    j.queue = [];
    for (const s of this.slots) if (s.busy !== null) send(s.w, { type: 'cancel-unit', id: j.id });
  }

  cancelJob() {
    const j = this.job;
    this.stopUnits(j);
    this.requests = this.requests.filter((r) => r.id !== j.id);
    this.cancelSettled();
  }

  /** 'cancelled' once no worker is still running a unit of the cancelled job. */
  cancelSettled() {
    const j = this.job;
    if (!j || !j.cancelled) return;
    if (this.slots.some((s) => s.busy !== null)) return;
    this.job = null;
    this.emit({ type: 'cancelled', id: j.id });
  }

  onUnitCancelled(slot, msg) {
    if (slot.busy === msg.key) slot.busy = null;
    this.cancelSettled();
    this.dispatch();
  }
}

/** Whether worker message `msg` answers pool request `r` (an error answers any of its job's). */
function answers(msg, r) {
  if (msg.id !== r.id) return false;
  if (msg.type === 'error') return true;
  if (r.type === 'plan') return msg.type === 'plan';
  if (r.type === 'aggregate') return msg.type === 'aggregated' && !!msg.partial === !!r.partial;
  return msg.type === 'sweep-point' && msg.index === r.index;
}

function describe(unit) {
  if (unit.kind === 'run') return `run ${unit.run + 1}`;
  if (unit.kind === 'seed') return `seed index ${unit.seed_index}`;
  if (unit.kind === 'matrix_train') return `seed index ${unit.seed_index}, training of recommender ${unit.recommender + 1}`;
  const p = unit.part;
  const what = p.part === 'train' ? `defence ${p.defence} at strength ${p.strength}` : p.part === 'natural' ? `natural point ${p.index}` : p.part;
  return `seed index ${unit.seed_index}, ${what}`;
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}
