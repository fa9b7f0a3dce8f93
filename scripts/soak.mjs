// soak.mjs — owns the page's soak test (`make soak`; on demand, not part of `make test`): one page
// in headless Chromium goes through N run / cancel / change cycles (default 200) across every run
// mode (single, compare, the three sweeps, matrix, frontier, a lira single run, "Would it spot
// you?", and the audit mode if the page has one), each with a changed setting or seed, started from
// the form or from a link, then either left to finish or cancelled after a random delay. About
// every 10th cycle a fault is injected into a random worker of the pool (its test-crash message,
// or terminate() plus the error event a browser raises for a killed worker) and the page must
// recover: the job completes or ends in a one-line error banner, the worker is replaced, the next
// run completes and clears the banner. Every 10 cycles, after one reference run (the base link,
// seed 0: the same page each time), it samples each worker's wasm memory, the
// renderer's JS heap (CDP Performance.getMetrics after HeapProfiler.collectGarbage), its event
// listeners and DOM nodes, and prints a table. Exit 1 when memory grows past the bounds below
// between the first and the last third of the samples, or any cycle ends in an unexpected state
// (blank results, stuck `running`, an error nobody injected, a page or console error).
//
// Usage: node scripts/soak.mjs [--cycles 200] [--seed 1] [--workers 2] [--www DIR] [--json FILE]
// The choice sequence (modes, settings, finish or cancel, delays, faults) is a function of --seed;
// how far a cancelled job got depends on the machine's speed.

import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { ROOT, WWW, serve, CHROMIUM } from '../tests/e2e/server.mjs';
import { openPage } from '../tests/e2e/browser.mjs';

// Growth allowed between the first and the last third of the samples. The JS heap after a forced
// GC: median of the last third ≤ 1.5 × median of the first (noise between samples was ±10 %). wasm
// linear memory only grows: the largest worker's size in the last third ≤ 1.2 × the high-water mark
// of the first third (by then every mode has run: the script checks and says so).
const HEAP_GROWTH = 1.5;
const WASM_GROWTH = 1.2;
const NODE_GROWTH = 1.5;
const LISTENER_GROWTH = 1.5;
// The small models the e2e tests use; one seed for sweeps and matrix, one cheap defence for the frontier.
const QUICK = 'k=16&vector_k=16&epochs=6&vector_epochs=2&attack_epochs=6&attack_restarts=1';
const BASE = `v=2&seeds=1&recommenders=lfm,popularity&defences=score-noise&lira_references=2&${QUICK}`;
const PICKS = [1, 6, 110, 2571, 4973, 5618];
const AUDIT_EXAMPLE = path.join(ROOT, 'docs/examples/audit');
// A mode's button (clicked through the DOM: the sweeps sit in a folded <details>).
const BUTTONS = {
  single: 'btn-run', compare: 'btn-compare', 'k-sweep': 'btn-k-sweep', 'dim-sweep': 'btn-dim-sweep',
  'lr-sweep': 'btn-lr-sweep', matrix: 'btn-matrix', frontier: 'btn-frontier', lira: 'btn-run', you: 'btn-you', audit: 'btn-audit',
};
// Form changes a cycle makes (bounded, so the jobs stay small): [field, values].
const CHANGES = [
  ['seed', null], ['k', [12, 16, 20]], ['epochs', [4, 6, 8]], ['attack', ['mlp', 'distance', 'overlap']],
  ['vector_k', [12, 16, 24]], ['attack_epochs', [4, 6]],
];
const FINISH_MS = 300_000; // a finishing job longer than this is stuck
const SETTLE_MS = 8_000; // cancel: CANCEL_TIMEOUT_MS (3 s, js/main.js) plus slack on a loaded machine

function args() {
  const a = { cycles: 200, seed: 1, workers: 2, www: WWW, json: null };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a) || i + 1 >= argv.length) throw new Error(`soak.mjs: unknown or incomplete option ${argv[i]} (--cycles N, --seed S, --workers W, --www DIR, --json FILE)`);
    const v = argv[++i];
    a[k] = ['cycles', 'seed', 'workers'].includes(k) ? Number(v) : v;
    if (k !== 'www' && k !== 'json' && !(Number.isInteger(a[k]) && a[k] >= (k === 'seed' ? 0 : 1))) {
      throw new Error(`soak.mjs: --${k} must be an integer ≥ ${k === 'seed' ? 0 : 1}, got ${v}`);
    }
  }
  return a;
}

/** mulberry32: the soak's own deterministic choice sequence. */
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const opts = args();
const R = rng(opts.seed);
const t0 = Date.now();
const failures = [];
const samples = [];
const tally = { finished: 0, cancelled: 0, faults: 0, faultsMidJob: 0, recovered: 0, errors: 0 };
const modesSeen = new Set();

const www = path.resolve(opts.www);
if (!existsSync(path.join(www, 'pkg')) || !existsSync(path.join(www, 'data'))) throw new Error(`${www}/pkg or data is missing: run \`make web\` first`);
const env = { server: await serve(www), browser: await chromium.launch(CHROMIUM) };
let { page, context, problems } = await open();
let cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const modes = Object.keys(BUTTONS).filter((m) => m !== 'audit');
if (await page.evaluate(() => !!document.getElementById('btn-audit'))) modes.push('audit');

async function open() {
  const o = await openPage(env, `#workers=${opts.workers}&${BASE}&you=${PICKS.join(',')}`);
  await o.page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 120_000 });
  // The audit mode (where the page has it) audits the example service of docs/audit.md: its files
  // are chosen once (they never go into a link), as tests/e2e/audit.test.mjs chooses them.
  if (await o.page.evaluate(() => !!document.getElementById('audit-lists'))) {
    await o.page.evaluate(() => { const d = document.getElementById('audit-panel'); if (d) d.open = true; });
    await o.page.locator('#audit-ratings').setInputFiles(path.join(AUDIT_EXAMPLE, 'ratings.csv'));
    await o.page.locator('#audit-lists').setInputFiles(path.join(AUDIT_EXAMPLE, 'lists.csv'));
    await o.page.locator('#audit-shadow').selectOption('item-knn');
    await o.page.locator('#audit-top-n').fill('10');
  }
  return o;
}

const pageState = () => page.evaluate(() => document.body.dataset.state);
const errorText = () => page.evaluate(() => { const e = document.getElementById('error'); return e.hidden ? '' : e.textContent.trim(); });
const pool = () => page.evaluate(() => {
  const p = window.__memberlensPool;
  return { busy: p.busyCount(), replaced: p.replaced, slots: p.slots.length, up: p.slots.filter((s) => s.up).length };
});

async function setField(key, value) {
  await page.evaluate(([k, v]) => {
    const el = document.getElementById(`f-${k}`);
    if (!el) throw new Error(`no field f-${k}`);
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, [key, value]);
}

/** Starts `mode` (form + button, or a link); resolves once the page is running or already ended. */
async function startMode(mode, viaLink, seed) {
  const before = await page.evaluate(() => window.__states.length);
  if (viaLink) {
    const extra = mode === 'lira' ? '&attack=lira' : '';
    const run = mode === 'lira' ? 'single' : mode;
    await page.evaluate((h) => { location.hash = h; }, `${BASE}&seed=${seed}${extra}&you=${PICKS.join(',')}&run=${run}`);
  } else {
    await page.evaluate((id) => document.getElementById(id).click(), BUTTONS[mode]);
  }
  // The cost dialog (a job estimated above a minute) is answered yes.
  const t = Date.now();
  while (Date.now() - t < 30_000) {
    const s = await page.evaluate((n) => ({
      states: window.__states.slice(n).map((x) => x.state), dialog: !!document.querySelector('#cost-dialog[open]'),
    }), before);
    if (s.dialog) await page.evaluate(() => document.getElementById('cost-yes').click());
    if (s.states.some((x) => x === 'running' || x === 'error')) return true;
    await page.waitForTimeout(50);
  }
  return false;
}

async function waitEnd(timeout) {
  try {
    await page.waitForSelector('body:not([data-state="running"]):not([data-state="loading"])', { state: 'attached', timeout });
    return await pageState();
  } catch {
    return 'running';
  }
}

/** What a finished job left on the page: results, a drawing, no banner. Returns a problem or null. */
async function checkDone(mode) {
  return page.evaluate((m) => {
    const text = document.getElementById('results').textContent;
    if (!text) return 'done but #results is empty';
    let r;
    try { r = JSON.parse(text); } catch { return 'done but #results is not JSON'; }
    if (!r || typeof r !== 'object' || !Object.keys(r).length) return 'done but #results is blank';
    const err = document.getElementById('error');
    if (!err.hidden) return `done with an error banner: ${err.textContent.trim()}`;
    const drawn = document.querySelectorAll('#chart canvas, #chart svg, .you-verdict, #tables table, #results-panel table').length;
    if (!drawn) return `done but nothing is drawn for ${m}`;
    if (document.body.innerText.trim().length < 200) return 'blank page';
    return null;
  }, mode);
}

async function sample(cycle) {
  // The same page every time: what is on screen decides the DOM (a frontier ~4,100 nodes, a single
  // run ~1,800) and part of the heap, so each sample follows one reference run (the base link, seed 0).
  const before = await page.evaluate(() => window.__states.length);
  await page.evaluate((h) => { location.hash = h; }, `${BASE}&seed=0&you=${PICKS.join(',')}&run=single`);
  await page.waitForFunction((n) => window.__states.slice(n).some((x) => x.state === 'running'), before, { timeout: 30_000 });
  if ((await waitEnd(FINISH_MS)) !== 'done') fail(cycle, `the reference run before the sample ended ${await pageState()}`);
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const wasm = [];
  for (const w of page.workers()) {
    const b = await w.evaluate(() => self.__memberlensMemory?.buffer.byteLength ?? null).catch(() => null);
    if (b !== null) wasm.push(b);
  }
  const dom = await page.evaluate(() => document.getElementsByTagName('*').length);
  const s = { cycle, elapsed_s: Math.round((Date.now() - t0) / 1000), js_heap_mb: m.JSHeapUsedSize / 2 ** 20,
    listeners: m.JSEventListeners, nodes: m.Nodes, dom_elements: dom, workers: wasm.length,
    wasm_mb: wasm.map((b) => b / 2 ** 20), load: os.loadavg()[0] };
  samples.push(s);
  console.log(`sample ${String(cycle).padStart(4)}  ${String(s.elapsed_s).padStart(5)} s  heap ${s.js_heap_mb.toFixed(1).padStart(6)} MB  `
    + `listeners ${String(s.listeners).padStart(5)}  nodes ${String(s.nodes).padStart(6)}  dom ${String(dom).padStart(5)}  `
    + `wasm ${s.wasm_mb.map((x) => x.toFixed(0)).join('/').padStart(9)} MB  load ${s.load.toFixed(2)}`);
}

function fail(cycle, what) {
  failures.push({ cycle, what });
  console.log(`  FAIL cycle ${cycle}: ${what}`);
}

/** Injects fault `kind` (crash or terminate) into worker `index` of the pool. */
async function inject(index, kind) {
  await page.evaluate(([i, k]) => {
    const w = window.__memberlensPool.slots[i].w;
    if (k === 'crash') window.__memberlensPool.testCrash(i);
    else {
      // A worker the browser kills (out of memory) raises an error event on its Worker object.
      w.terminate();
      w.dispatchEvent(new ErrorEvent('error', { message: 'worker terminated (soak fault)', cancelable: true }));
    }
  }, [index, kind]);
}

const seen = () => problems.filter((p) => !/injected worker crash|soak fault/.test(p));
let problemsSeen = 0;
let afterFault = false;
let lastFault = null;

for (let cycle = 1; cycle <= opts.cycles; cycle++) {
  // Every choice is drawn here, whatever happens next: the sequence depends on --seed alone, not on
  // which jobs ended before their cancel or fault.
  const mode = R.pick(modes);
  const viaLink = R.next() < 0.2 && mode !== 'audit'; // a run=audit link only opens the audit's panel
  const linkSeed = R.int(10_000);
  const [changeKey, changeValues] = R.pick(CHANGES);
  const changeValue = changeValues ? R.pick(changeValues) : R.int(10_000);
  const fault = cycle % 10 === 5;
  const faultIndex = R.int(opts.workers);
  const faultKind = R.next() < 0.5 ? 'crash' : 'terminate';
  const cancelDraw = R.next();
  const cancelByKey = R.next() < 0.5; // Escape, else the Cancel button
  const cancel = !fault && !afterFault && cancelDraw < 0.5;
  // Quick jobs took 0.4-12 s here (frontier the longest): most cancels and faults land mid-job.
  const delay = 50 + R.int(2000);
  let change = null;
  const c0 = Date.now();
  if (!viaLink) {
    change = [changeKey, changeValue];
    await setField(...change);
    // lira only for its own mode; a matrix needs an attack trained on a shadow model (mlp).
    await setField('attack', mode === 'lira' ? 'lira' : change[0] === 'attack' && mode !== 'matrix' ? change[1] : 'mlp');
  }
  const errBefore = await errorText();
  const started = await startMode(mode, viaLink, linkSeed);
  let outcome;
  let faultDone = null;
  let cancelled = false; // the cancel was pressed while the job ran (it may have ended first)
  if (!started) {
    fail(cycle, `${mode} did not start (state ${await pageState()})`);
    outcome = 'no-start';
  } else {
    if (fault || cancel) await page.waitForTimeout(delay);
    if (fault) {
      // Mid-job if it still runs, else into an idle worker: the next run must complete either way.
      const during = (await pageState()) === 'running';
      const { replaced } = await pool();
      await inject(faultIndex, faultKind);
      faultDone = { index: faultIndex, kind: faultKind, during, replaced };
      tally.faults++;
      if (during) tally.faultsMidJob++;
    }
    if (cancel && (await pageState()) === 'running') {
      cancelled = true;
      if (cancelByKey) await page.keyboard.press('Escape');
      else await page.evaluate(() => document.getElementById('btn-cancel').click());
      outcome = await waitEnd(SETTLE_MS);
      if (outcome === 'running') fail(cycle, `${mode}: still running ${SETTLE_MS / 1000} s after cancel`);
      else tally.cancelled++;
    } else {
      outcome = await waitEnd(FINISH_MS);
      if (outcome === 'running') fail(cycle, `${mode}: stuck running for ${FINISH_MS / 1000} s${faultDone ? ` after a ${faultDone.kind} of worker ${faultDone.index}` : ''}`);
    }
  }
  if (outcome === 'done' || outcome === 'stale') {
    // Finished, or cancelled with an earlier result still on screen: either way a whole result.
    const bad = await checkDone(mode);
    if (bad) fail(cycle, `${mode}: ${bad}`);
    else if (!cancelled) { tally.finished++; modesSeen.add(mode); }
  } else if (outcome === 'error') {
    const text = await errorText();
    if (!text) fail(cycle, `${mode}: state error without a banner`);
    else if (/\n/.test(text)) fail(cycle, `${mode}: multi-line error banner`);
    if (!faultDone?.during) fail(cycle, `${mode}: error nobody injected: ${text}`);
    tally.errors++;
  }
  // A stuck page: cancel it (the page's own way out), else open a fresh one, and go on.
  if ((await pageState()) === 'running') {
    await page.evaluate(() => document.getElementById('btn-cancel').click());
    if ((await waitEnd(SETTLE_MS)) === 'running') {
      fail(cycle, 'cancel did not free the stuck page: reopened');
      await context.close();
      ({ page, context, problems } = await open());
      problemsSeen = 0;
      cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
    }
  }
  if (afterFault) {
    // The run after a fault: it completed and the banner (if any) is gone; the pool is whole again.
    const p = await pool();
    if (outcome === 'done' || outcome === 'stale') tally.recovered++;
    else fail(cycle, `the run after a fault ended ${outcome}`);
    if (p.slots !== opts.workers || p.up !== opts.workers) fail(cycle, `the pool has ${p.up} of ${p.slots} workers up, not ${opts.workers}`);
    if (p.replaced <= lastFault.replaced) fail(cycle, `the worker hit by the fault (${lastFault.kind} of worker ${lastFault.index}) was not replaced`);
    if (await errorText()) fail(cycle, 'the error banner stayed after the next run');
  }
  afterFault = !!faultDone;
  lastFault = faultDone;
  if (await page.evaluate(() => document.body.innerText.trim().length < 200)) fail(cycle, `blank page after ${mode} (${outcome})`);
  if (!faultDone && errBefore && outcome === 'done' && (await errorText())) fail(cycle, 'an old error banner stayed after a run');
  const fresh = seen().slice(problemsSeen);
  problemsSeen = seen().length;
  for (const p of fresh) fail(cycle, p);
  console.log(`cycle ${String(cycle).padStart(4)}  ${mode.padEnd(9)} ${viaLink ? 'link' : `${change[0]}=${change[1]}`.padEnd(16)} `
    + `${fault ? `fault ${faultDone.kind} w${faultDone.index}${faultDone.during ? '' : ' (idle: job ended first)'}` : cancel ? `cancel@${delay}ms${cancelled ? '' : ' (ended first)'}` : 'finish'} → ${outcome} (${((Date.now() - c0) / 1000).toFixed(1)} s)`);
  if (cycle % 10 === 0 || cycle === 1) await sample(cycle);
}

// ---- verdict ---------------------------------------------------------------------------------

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const third = Math.max(1, Math.floor(samples.length / 3));
const first = samples.slice(0, third);
const last = samples.slice(-third);
const verdict = [];
function bound(name, a, b, limit) {
  const ok = b <= a * limit;
  verdict.push({ name, first: +a.toFixed(2), last: +b.toFixed(2), ratio: +(b / a).toFixed(3), limit, ok });
  if (!ok) failures.push({ cycle: null, what: `${name} grew ×${(b / a).toFixed(2)} (limit ×${limit})` });
}
// Fewer than 6 samples (under 50 cycles): a third is one or two samples, the first taken before
// most modes ran, so growth means nothing yet; the table is printed, no memory verdict is given.
const MIN_SAMPLES = 6;
if (samples.length < MIN_SAMPLES) console.log(`\nno memory verdict: ${samples.length} samples, at least ${MIN_SAMPLES} needed (--cycles 50 or more)`);
else {
  bound('JS heap (MB, median after GC)', median(first.map((s) => s.js_heap_mb)), median(last.map((s) => s.js_heap_mb)), HEAP_GROWTH);
  bound('wasm memory (MB, largest worker)', Math.max(...first.flatMap((s) => s.wasm_mb)), Math.max(...last.flatMap((s) => s.wasm_mb)), WASM_GROWTH);
  bound('DOM nodes (median)', median(first.map((s) => s.nodes)), median(last.map((s) => s.nodes)), NODE_GROWTH);
  bound('JS event listeners (median)', median(first.map((s) => s.listeners)), median(last.map((s) => s.listeners)), LISTENER_GROWTH);
}
const firstThirdCycles = first.at(-1)?.cycle ?? 0;
console.log('\nbound                               first third   last third   ratio   limit');
for (const v of verdict) console.log(`${v.name.padEnd(36)}${String(v.first).padStart(11)}${String(v.last).padStart(13)}${String(v.ratio).padStart(8)}   ×${v.limit}  ${v.ok ? 'ok' : 'EXCEEDED'}`);
const wall = Math.round((Date.now() - t0) / 1000);
console.log(`\n${opts.cycles} cycles, seed ${opts.seed}, ${opts.workers} workers, modes ${modes.join(' ')}: ${wall} s wall; `
  + `${tally.finished} finished, ${tally.cancelled} cancelled, ${tally.faults} faults injected (${tally.faultsMidJob} mid-job; the next run completed after ${tally.recovered}), ${tally.errors} ended in an error banner; `
  + `load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; first-third samples up to cycle ${firstThirdCycles}`);
const missing = modes.filter((m) => !modesSeen.has(m));
if (missing.length) console.log(`note: modes never finished: ${missing.join(', ')}`);
if (opts.json) writeFileSync(opts.json, JSON.stringify({ opts, wall_s: wall, tally, samples, verdict, failures }, null, 1));
await context.close();
await env.browser.close();
await env.server.close();
if (failures.length) {
  console.log(`\nFAILED: ${failures.length} problem(s)`);
  for (const f of failures) console.log(`  ${f.cycle === null ? 'memory' : `cycle ${f.cycle}`}: ${f.what}`);
  process.exit(1);
}
console.log('\nsoak: ok');
