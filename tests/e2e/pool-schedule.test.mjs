// pool-schedule.test.mjs — js/pool.js's scheduling of a sweep whose runs share their seeds'
// recommenders (`served` groups), in Node with stand-in workers (no browser): every group's first
// run is given out before any other run of it; a run waits while its group's first run is going;
// a worker that does not hold a seed gets the lists with the run, one that holds it does not; a
// second job's groups (the same unit keys) are not mistaken for the first job's; and a matrix
// seed's attack waits for its training units and gets only the lists its worker does not hold.

import { test } from 'node:test';
import assert from 'node:assert/strict';

/** Stand-in workers: record what they are sent; the test answers for them. */
class FakeWorker {
  static all = [];
  constructor() { this.sent = []; this.onmessage = null; this.onerror = null; FakeWorker.all.push(this); }
  postMessage(msg) { this.sent.push(msg); }
  terminate() {}
  // Replies carry the protocol's version (www/js/protocol.js), as worker.js's do.
  reply(msg) { this.onmessage({ data: { ...msg, v: PROTOCOL_VERSION } }); }
}
globalThis.Worker = FakeWorker;
if (!globalThis.navigator) globalThis.navigator = { hardwareConcurrency: 3, webdriver: false };
const { Pool } = await import('../../www/js/pool.js');
const { PROTOCOL_VERSION } = await import('../../www/js/protocol.js');

/** A k-sweep of `values` × `seeds` as the core plans it: run r = value r/S, seed r%S; every run
 * of a seed shares the group of that seed's first run. */
function plan(values, seeds) {
  return Array.from({ length: values * seeds }, (_, run) => ({
    unit: { kind: 'run', run }, weight: 1, group: Math.floor(run / seeds), served: run % seeds,
  }));
}

function startPool(size) {
  FakeWorker.all = [];
  const pool = new Pool(size);
  const heard = [];
  pool.onmessage = (ev) => heard.push(ev.data);
  for (const w of FakeWorker.all) w.reply({ type: 'ready', summary: {}, defaults: {}, presets: {}, recommenders: [], bundled: true });
  return { pool, workers: FakeWorker.all, heard };
}

const units = (w, id) => w.sent.filter((m) => m.type === 'unit' && m.id === id);
const lastUnit = (w, id) => units(w, id).at(-1);

/**
 * The worker asked to plan job `id`, once the pool has sent the request: a job split into units
 * waits for the full wasm module first (js/wasm-module.js `whenModuleReady`), which Node cannot
 * fetch, so the request goes out a few ticks later without it.
 */
async function plannerOf(workers, id) {
  for (let i = 0; i < 200; i++) {
    const w = workers.find((x) => x.sent.some((m) => m.type === 'plan' && m.id === id));
    if (w) return w;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no worker was asked to plan job ${id}`);
}

async function runJob(pool, workers, id, values, seeds) {
  pool.postMessage({ type: 'run', id, config: {}, job: { kind: 'sweep', param: 'vector_k', values: Array.from({ length: values }, (_, i) => i), seeds: Array.from({ length: seeds }, (_, i) => i) } });
  (await plannerOf(workers, id)).reply({ type: 'plan', id, units: plan(values, seeds) });
}

/** Worker `w` finishes its unit of job `id` (a first run returns its lists when asked to share). */
function finish(w, id, seeds) {
  const m = lastUnit(w, id);
  (w.finished ||= new Set()).add(`${id}:${m.key}`);
  w.reply({ type: 'unit-done', id, key: m.key, piece: { unit: m.unit }, served: m.share ? { lists: `seed ${m.key}` } : null, trained: m.unit.run < seeds });
  return m;
}

const running = (w, id) => { const m = lastUnit(w, id); return m && !(w.finished ||= new Set()).has(`${id}:${m.key}`); };

/** Finishes units, worker by worker in turn, until none of job `id` is running. */
function drain(workers, id, seeds) {
  for (let guard = 0; guard < 200 && workers.some((w) => running(w, id)); guard++) {
    for (const w of workers) if (running(w, id)) finish(w, id, seeds);
  }
}

/** Every worker that ran a value of a seed it did not train in this job was sent its lists first. */
function listsWentWhereNeeded(workers, id, seeds) {
  let sent = 0;
  for (const w of workers) {
    const held = new Set();
    for (const m of units(w, id)) {
      const seed = m.unit.run % seeds;
      if (m.unit.run < seeds) { held.add(seed); continue; } // a first run trains
      if (m.served) { assert.equal(m.served.lists, `seed ${seed}`); assert.ok(!held.has(seed), `seed ${seed} sent twice`); held.add(seed); sent++; }
      assert.ok(held.has(seed), `run ${m.unit.run} went to a worker without seed ${seed}'s lists`);
    }
  }
  return sent;
}

test('first runs go out first, other runs wait for theirs, and lists go only where the seed is not held', async () => {
  const { pool, workers } = startPool(2);
  const [a, b] = workers;
  await runJob(pool, workers, 1, 3, 3);
  // Two workers, three seeds: seeds 0 and 1 train at once, both asked to share their lists.
  assert.deepEqual([lastUnit(a, 1).key, lastUnit(b, 1).key], [0, 1]);
  assert.equal(lastUnit(a, 1).share, true);
  assert.equal(lastUnit(a, 1).served, undefined);
  // A finishes seed 0: it starts seed 2's training (the long run), before more values of seed 0.
  finish(a, 1, 3);
  assert.equal(lastUnit(a, 1).key, 2);
  // B finishes seed 1: it holds seed 1 and takes its next value (run 4), no lists sent.
  finish(b, 1, 3);
  assert.equal(lastUnit(b, 1).key, 4);
  assert.equal(lastUnit(b, 1).served, undefined);
  drain(workers, 1, 3);
  const given = workers.flatMap((w) => units(w, 1).map((m) => m.key)).sort((x, y) => x - y);
  assert.deepEqual(given, Array.from({ length: 9 }, (_, i) => i), 'every run given out once');
  assert.ok(listsWentWhereNeeded(workers, 1, 3) > 0, 'three seeds on two workers: some lists must travel');
});

test("a second job's seeds are not taken for the first job's: lists go with them again", async () => {
  const { pool, workers } = startPool(2);
  // Three seeds on two workers: in job 1 some seeds' lists travel, so a worker ends up holding a
  // seed it did not train (group 1, say). Job 2 numbers its units and groups 0 … 8 again.
  await runJob(pool, workers, 1, 3, 3);
  drain(workers, 1, 3);
  assert.ok(listsWentWhereNeeded(workers, 1, 3) > 0);
  const agg = workers.find((w) => w.sent.some((m) => m.type === 'aggregate' && m.id === 1));
  agg.reply({ type: 'aggregated', id: 1, partial: false, result: {} });
  assert.equal(pool.job, null);
  await runJob(pool, workers, 2, 3, 3);
  drain(workers, 2, 3);
  listsWentWhereNeeded(workers, 2, 3);
});

/** A matrix of `algos` recommenders × `seeds` as the core plans it for several workers: per seed,
 * a training unit per algorithm (its own `served` group), then the seed's attack, which `needs`
 * them. */
function matrixPlan(algos, seeds) {
  const out = [];
  for (let s = 0; s < seeds; s++) {
    const first = out.length;
    for (let r = 0; r < algos; r++) out.push({ unit: { kind: 'matrix_train', seed_index: s, recommender: r }, weight: 0.8 / algos, group: s, served: first + r });
    out.push({ unit: { kind: 'seed', seed_index: s }, weight: 0.2, group: s, needs: Array.from({ length: algos }, (_, r) => first + r) });
  }
  return out;
}

test("a matrix seed's attack waits for its training units and gets the lists its worker does not hold", async () => {
  const { pool, workers } = startPool(2);
  const [a, b] = workers;
  pool.postMessage({ type: 'run', id: 7, config: {}, job: { kind: 'matrix', recommenders: ['lfm', 'bpr', 'popularity'], seeds: [0] } });
  assert.equal(await plannerOf(workers, 7), a, 'the first worker plans');
  a.reply({ type: 'plan', id: 7, units: matrixPlan(3, 1) });
  const done = (w) => {
    const m = lastUnit(w, 7);
    w.reply({ type: 'unit-done', id: 7, key: m.key, piece: { unit: m.unit }, served: m.share ? { lists: `algo ${m.key}` } : null, trained: true });
    return m;
  };
  // Two trainings at once, each asked to share; the attack (key 3) is not given out before all
  // three are done, even to an idle worker.
  assert.deepEqual([lastUnit(a, 7).key, lastUnit(b, 7).key], [0, 1]);
  assert.ok(lastUnit(a, 7).share && lastUnit(b, 7).share);
  done(a);
  assert.equal(lastUnit(a, 7).key, 2);
  done(b);
  assert.equal(units(b, 7).length, 1, 'B stays idle: the attack needs training unit 2');
  done(a);
  // Both idle: the first worker, A, takes the attack. It trained algorithms 0 and 2 itself, so
  // only algorithm 1's lists (B's) go along.
  const attack = lastUnit(a, 7);
  assert.equal(attack.key, 3);
  assert.deepEqual(attack.needs.map((n) => n.served.lists), ['algo 1']);
  assert.deepEqual(attack.needs.map((n) => n.unit), [{ kind: 'matrix_train', seed_index: 0, recommender: 1 }]);
  done(a);
  assert.ok(a.sent.some((m) => m.type === 'aggregate' && m.id === 7));
});
