#!/usr/bin/env node
// bench-browser.mjs — owns the in-browser benchmark (not a test): in headless Chromium it times the
// default single run (k = 100) and a one-seed k-sweep, samples the worker's memory (wasm linear
// memory, which only grows, so its last size is the peak; and the worker's JS heap via CDP when
// available), measures what the site ships (wasm raw / gzipped, the whole first load), and times
// the native CLI on the same run for comparison. Then the pool-size table: the page's default
// k-sweep (schema 2: the attacker's vector length 10 … 100) with 3 seeds at workers=1, 2 and 3 —
// wall time, its ratio to one worker, the main thread's longest task while the job ran
// (PerformanceObserver 'longtask': only tasks of 50 ms or more exist), and each worker's peak
// memory (wasm linear memory + JS heap). Prints one JSON object on stdout.
//
//   node scripts/bench-browser.mjs            (needs `make web`; the CLI part needs `make build`)
//   MEMBERLENS_RATINGS=/path/ratings.csv CHROMIUM=/usr/bin/chromium node scripts/bench-browser.mjs
//   BENCH_POOL_ONLY=1 node scripts/bench-browser.mjs   (the pool-size table only)

import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { serve, CHROMIUM, ROOT, WWW } from '../tests/e2e/server.mjs';

const RATINGS = process.env.MEMBERLENS_RATINGS || path.resolve(ROOT, '../shared/data/ml-latest-small/ratings.csv');
const CLI = path.join(ROOT, 'target/release/memberlens');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const log = (...a) => console.error('bench-browser:', ...a);

if (!existsSync(path.join(WWW, 'pkg/memberlens_bg.wasm'))) {
  console.error('bench-browser: www/pkg is missing: run `make web` first');
  process.exit(1);
}

const server = await serve();
const browser = await chromium.launch(CHROMIUM);

/** Worker heap via CDP (non-flattened target session); null when the browser does not allow it. */
async function workerHeap(cdp) {
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const w = targetInfos.find((t) => t.type === 'worker' && t.url.includes('worker.js'));
    if (!w) return null;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false });
    const reply = new Promise((resolve) => {
      const on = (ev) => {
        if (ev.sessionId !== sessionId) return;
        const m = JSON.parse(ev.message);
        if (m.id === 1) { cdp.off('Target.receivedMessageFromTarget', on); resolve(m.result || null); }
      };
      cdp.on('Target.receivedMessageFromTarget', on);
    });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
    const r = await Promise.race([reply, new Promise((resolve) => setTimeout(() => resolve(null), 2000))]);
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    return r ? r.usedSize : null;
  } catch {
    return null;
  }
}

/** Opens `hash`, waits for `done`, samples memory every 100 ms. */
async function timedRun(hash, timeoutMs) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await browser.newBrowserCDPSession();
  const pageCdp = await context.newCDPSession(page);
  await pageCdp.send('Performance.enable');
  await page.goto(server.url + hash);
  await page.waitForSelector('body[data-state="running"], body[data-state="done"]', { state: 'attached' });
  const t0 = Date.now();
  let wasmPeak = 0;
  let workerHeapPeak = null;
  let pageHeapPeak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const worker = page.workers()[0];
      if (worker) {
        const bytes = await worker.evaluate(() => self.__memberlensMemory?.buffer.byteLength ?? 0).catch(() => 0);
        wasmPeak = Math.max(wasmPeak, bytes);
      }
      const heap = await workerHeap(cdp);
      if (heap !== null) workerHeapPeak = Math.max(workerHeapPeak ?? 0, heap);
      const { metrics } = await pageCdp.send('Performance.getMetrics');
      pageHeapPeak = Math.max(pageHeapPeak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { state: 'attached', timeout: timeoutMs });
  const wallMs = Date.now() - t0;
  sampling = false;
  await sampler;
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'done') throw new Error(`${hash}: ${await page.locator('#error').textContent()}`);
  const res = JSON.parse(await page.locator('#results').textContent());
  await context.close();
  return { wallMs, res, wasmPeak, workerHeapPeak, pageHeapPeak };
}

/** Every response body of a first load (until the page is ready), raw and gzipped. */
async function firstLoad() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = [];
  page.on('response', async (r) => {
    try {
      const body = await r.body();
      files.push({ url: new URL(r.url()).pathname, raw: body.length, gzip: gz(body) });
    } catch { /* redirects have no body */ }
  });
  const t0 = Date.now();
  await page.goto(server.url);
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 60_000 });
  const readyMs = Date.now() - t0;
  await page.waitForTimeout(300); // let the last response bodies arrive
  await context.close();
  files.sort((a, b) => b.raw - a.raw);
  return {
    ready_ms: readyMs,
    requests: files.length,
    raw_bytes: files.reduce((s, f) => s + f.raw, 0),
    gzip_bytes: files.reduce((s, f) => s + f.gzip, 0),
    largest: files.slice(0, 6),
  };
}

/** The pool runs with their ratio to one worker; the points must be the same at every size. */
function poolTable(runs) {
  const same = runs.every((r) => JSON.stringify(r.points) === JSON.stringify(runs[0].points));
  if (!same) throw new Error('the pool sizes gave different sweeps');
  return runs.map(({ points: _p, ...r }) => ({ ...r, ratio_to_1_worker: +(r.wall_ms / runs[0].wall_ms).toFixed(2) }));
}

async function native() {
  if (!existsSync(CLI) || !existsSync(RATINGS)) return null;
  const t0 = Date.now();
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', RATINGS, '--json'], { maxBuffer: 64 << 20 });
  return { wall_ms: Date.now() - t0, pipeline_ms: JSON.parse(stdout).timings_ms.total };
}

/** Every worker's JS heap via CDP, by target id (empty when the browser does not allow it). */
async function workerHeaps(cdp) {
  const out = new Map();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    for (const w of targetInfos.filter((t) => t.type === 'worker' && t.url.includes('worker.js'))) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false });
      const reply = new Promise((resolve) => {
        const on = (ev) => {
          if (ev.sessionId !== sessionId) return;
          const m = JSON.parse(ev.message);
          if (m.id === 1) { cdp.off('Target.receivedMessageFromTarget', on); resolve(m.result || null); }
        };
        cdp.on('Target.receivedMessageFromTarget', on);
      });
      await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
      const r = await Promise.race([reply, new Promise((resolve) => setTimeout(() => resolve(null), 2000))]);
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      if (r) out.set(w.targetId, r.usedSize);
    }
  } catch { /* no CDP target access: heaps stay unknown */ }
  return out;
}

/** The default k-sweep with 3 seeds on a pool of `n` workers: wall time, longest main-thread
 * task during the job, and each worker's peak memory. */
async function poolRun(n) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const cdp = await browser.newBrowserCDPSession();
  await page.goto(`${server.url}#workers=${n}&v=2&run=k-sweep&seeds=3`);
  await page.waitForSelector('body[data-state="running"]', { state: 'attached', timeout: 120_000 });
  const start = await page.evaluate(() => performance.now());
  const t0 = Date.now();
  const wasm = new Map();
  const heap = new Map();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const w of page.workers()) {
        const bytes = await w.evaluate(() => self.__memberlensMemory?.buffer.byteLength ?? 0).catch(() => 0);
        wasm.set(w, Math.max(wasm.get(w) ?? 0, bytes));
      }
      for (const [id, used] of await workerHeaps(cdp)) heap.set(id, Math.max(heap.get(id) ?? 0, used));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { state: 'attached', timeout: 900_000 });
  const wallMs = Date.now() - t0;
  sampling = false;
  await sampler;
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'done') throw new Error(`workers=${n}: ${await page.locator('#error').textContent()}`);
  const end = await page.evaluate(() => performance.now());
  const tasks = await page.evaluate(() => window.__longtasks);
  const during = tasks.filter((t) => t.start >= start && t.start <= end);
  const res = JSON.parse(await page.locator('#results').textContent());
  const size = await page.evaluate(() => window.__memberlensPool?.size ?? null);
  await context.close();
  const mib = (b) => +(b / 2 ** 20).toFixed(1);
  const wasmPeaks = [...wasm.values()].sort((a, b) => b - a);
  const heapPeaks = [...heap.values()].sort((a, b) => b - a);
  return {
    workers: size,
    wall_ms: wallMs,
    runs: res.sweep.points.length * res.sweep.seeds.length,
    main_thread_longest_task_ms: during.length ? Math.round(Math.max(...during.map((t) => t.duration))) : 0,
    main_thread_long_tasks: during.length,
    worker_peak_mib: wasmPeaks.map((w, i) => ({
      wasm_memory: mib(w),
      js_heap: heapPeaks[i] === undefined ? null : mib(heapPeaks[i]),
      total: mib(w + (heapPeaks[i] ?? 0)),
    })),
    points: res.sweep.points.map((p) => p.roc_auc_mean),
  };
}

try {
  if (process.env.BENCH_POOL_ONLY) {
    const pool = [];
    for (const n of [1, 2, 3]) { log(`pool: default k-sweep, 3 seeds, workers=${n}…`); pool.push(await poolRun(n)); }
    console.log(JSON.stringify({ chromium: browser.version(), pool: poolTable(pool) }, null, 2));
  } else {
    const wasm = readFileSync(path.join(WWW, 'pkg/memberlens_bg.wasm'));
    log('first load…');
    const load = await firstLoad();
    log('single run (defaults, k = 100)…');
    const single = await timedRun('#run=single', 120_000);
    log('k-sweep, one seed…');
    const sweep = await timedRun('#run=k-sweep&seeds=1', 600_000);
    log('native CLI…');
    const cli = await native();
    const pool = [];
    for (const n of [1, 2, 3]) { log(`pool: default k-sweep, 3 seeds, workers=${n}…`); pool.push(await poolRun(n)); }
    const mb = (b) => (b === null ? null : +(b / 2 ** 20).toFixed(1));
    const summary = {
      chromium: browser.version(),
      single_run: {
        wall_ms: single.wallMs,
        pipeline_ms: Math.round(single.res.timings_ms.total),
        stages_ms: Object.fromEntries(Object.entries(single.res.timings_ms).map(([k, v]) => [k, Math.round(v)])),
        roc_auc: single.res.roc_auc,
      },
      k_sweep_one_seed: {
        wall_ms: sweep.wallMs,
        pipeline_ms: Math.round(sweep.res.sweep.timings_ms.total),
        runs: sweep.res.sweep.points.length,
      },
      native_single_run: cli,
      wasm_vs_native: cli ? +(single.res.timings_ms.total / cli.pipeline_ms).toFixed(2) : null,
      memory_peak_mib: {
        worker_wasm_memory: mb(Math.max(single.wasmPeak, sweep.wasmPeak)),
        worker_js_heap: mb(single.workerHeapPeak === null && sweep.workerHeapPeak === null ? null
          : Math.max(single.workerHeapPeak ?? 0, sweep.workerHeapPeak ?? 0)),
        page_js_heap: mb(Math.max(single.pageHeapPeak, sweep.pageHeapPeak)),
      },
      pool: poolTable(pool),
      shipped: {
        wasm_raw_bytes: wasm.length,
        wasm_gzip_bytes: gz(wasm),
        first_load: load,
      },
    };
    console.log(JSON.stringify(summary, null, 2));
  }
} finally {
  await browser.close();
  await server.close();
}
