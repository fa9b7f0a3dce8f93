// protocol.test.mjs — the page–worker protocol (www/js/protocol.js) against its users, without a
// browser: every message kind that worker.js, pool.js and main.js send or handle is declared,
// every declared kind is sent and handled, and a message of another version is refused — by
// worker.js itself (run in Node with a stub wasm module) and by pool.js (with stub workers).
// Run: node --test tests/js/protocol.test.mjs (make test runs it first in test-e2e).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const js = (name) => readFileSync(path.join(root, 'www/js', name), 'utf8');
const P = await import(pathToFileURL(path.join(root, 'www/js/protocol.js')));

/** Kinds a source names: `type: 'x'` (a message made), `case 'x'`, `type === 'x'` (handled). */
function kinds(source) {
  const made = new Set([...source.matchAll(/\btype: '([a-z-]+)'/g)].map((m) => m[1]));
  const handled = new Set([...source.matchAll(/(?:\bcase |\btype === )'([a-z-]+)'/g)].map((m) => m[1]));
  // A Worker's own option (`new Worker(url, {type: 'module'})`), not a message.
  made.delete('module');
  return { made, handled };
}

const worker = kinds(js('worker.js'));
const pool = kinds(js('pool.js'));
const main = kinds(js('main.js'));
const to = Object.keys(P.TO_WORKER);
const from = Object.keys(P.FROM_WORKER);

test('every kind the three files send or handle is declared', () => {
  const declared = new Set([...to, ...from]);
  for (const [file, k] of Object.entries({ 'worker.js': worker, 'pool.js': pool, 'main.js': main })) {
    for (const kind of [...k.made, ...k.handled]) assert.ok(declared.has(kind), `${file}: '${kind}' is not in protocol.js`);
  }
  // The worker makes only worker -> pool messages and handles only pool -> worker ones.
  for (const kind of worker.made) assert.ok(from.includes(kind), `worker.js sends '${kind}', not a FROM_WORKER kind`);
  for (const kind of worker.handled) assert.ok(to.includes(kind), `worker.js handles '${kind}', not a TO_WORKER kind`);
  for (const kind of main.handled) assert.ok(from.includes(kind), `main.js handles '${kind}', not a FROM_WORKER kind`);
});

test('every declared kind is sent and handled', () => {
  for (const kind of to) {
    assert.ok(worker.handled.has(kind), `worker.js does not handle '${kind}'`);
    assert.ok(pool.made.has(kind) || main.made.has(kind) || pool.handled.has(kind), `no one sends '${kind}' to a worker`);
  }
  for (const kind of from) {
    assert.ok(worker.made.has(kind), `worker.js never sends '${kind}'`);
    assert.ok(pool.handled.has(kind) || main.handled.has(kind), `neither pool.js nor main.js handles '${kind}'`);
  }
});

test('refusal: another version, an unknown kind, a missing or undeclared field', () => {
  const run = { type: 'run', id: 1, config: {}, job: { kind: 'single' } };
  assert.equal(P.refusal({ ...run, v: P.PROTOCOL_VERSION }, P.TO_WORKER), null);
  assert.match(P.refusal({ ...run, v: P.PROTOCOL_VERSION + 1 }, P.TO_WORKER), /version 2 is not this side's 1/);
  assert.match(P.refusal(run, P.TO_WORKER), /version \(none\)/);
  assert.match(P.refusal({ type: 'runn', v: 1 }, P.TO_WORKER), /unknown message type runn/);
  assert.match(P.refusal({ type: 'run', v: 1, id: 1, config: {} }, P.TO_WORKER), /'run' lacks job/);
  assert.match(P.refusal({ ...run, v: 1, mode: 'single' }, P.TO_WORKER), /undeclared mode/);
  assert.throws(() => P.toWorker('cancel', {}), /'cancel' lacks id/);
  assert.deepEqual(P.toWorker('cancel', { id: 3 }), { type: 'cancel', id: 3, v: P.PROTOCOL_VERSION });
});

const after = [];

/** worker.js, pool.js and protocol.js copied beside stubs of the wasm package and module. */
function sandbox() {
  const dir = mkdtempSync(path.join(tmpdir(), 'memberlens-protocol-'));
  mkdirSync(path.join(dir, 'js'));
  mkdirSync(path.join(dir, 'pkg'));
  for (const f of ['worker.js', 'pool.js', 'protocol.js']) copyFileSync(path.join(root, 'www/js', f), path.join(dir, 'js', f));
  const names = ['Dataset', 'Job', 'Unit', 'planJob', 'aggregateJob', 'frontierSoFar', 'sweepPoint', 'exportServed', 'importServed',
    'defaultConfig', 'presetConfig', 'presetNames', 'recommenderNames', 'randomSeed', 'Audit', 'fileFingerprint',
    'reinitSync'];
  writeFileSync(path.join(dir, 'pkg/memberlens.js'),
    `export default async function init() { throw new Error('stub module'); }\n${names.map((n) => `export const ${n} = () => 0;`).join('\n')}\n`);
  // The core module only: no message needs the full one here (js/wasm-module.js).
  writeFileSync(path.join(dir, 'js/wasm-module.js'), 'export const wasmModule = () => Promise.resolve(undefined);\n'
    + 'export const whenModuleReady = (msg, send) => send();\nexport const withModule = (msg) => msg;\n');
  return dir;
}

test('worker.js refuses a message of another version, saying so', async () => {
  const dir = sandbox();
  try {
    const posted = [];
    globalThis.self = { postMessage: (m) => posted.push(m) };
    // worker.js yields through a MessageChannel; Node's would keep this process alive.
    const Channel = globalThis.MessageChannel;
    globalThis.MessageChannel = class { constructor() { this.port1 = {}; this.port2 = { postMessage() {} }; } };
    after.push(() => { globalThis.MessageChannel = Channel; });
    await import(pathToFileURL(path.join(dir, 'js/worker.js')));
    const run = { type: 'run', id: 7, config: {}, job: { kind: 'single' } };
    self.onmessage({ data: { ...run, v: P.PROTOCOL_VERSION + 1 } });
    assert.equal(posted.length, 1);
    assert.equal(posted[0].type, 'error');
    assert.equal(posted[0].id, 7);
    assert.equal(posted[0].context, 'protocol');
    assert.equal(posted[0].v, P.PROTOCOL_VERSION);
    assert.match(posted[0].message, /refused a message: message protocol version 2 is not this side's 1/);
    // An init of another build: the worker never starts, and the page hears why (context init).
    self.onmessage({ data: { type: 'init' } });
    assert.equal(posted[1].context, 'init');
    assert.equal(posted[1].fatal, true);
    // A message of this version reaches its handler (a cancel of no run: 'cancelled').
    self.onmessage({ data: { type: 'cancel', id: 9, v: P.PROTOCOL_VERSION } });
    assert.deepEqual(posted[2], { type: 'cancelled', id: 9, v: P.PROTOCOL_VERSION });
  } finally {
    delete globalThis.self;
    for (const f of after.splice(0)) f();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pool.js sends the page\'s {config, job} as versioned messages and refuses another version', async () => {
  const dir = sandbox();
  const workers = [];
  globalThis.Worker = class { constructor() { this.sent = []; workers.push(this); } postMessage(m) { this.sent.push(m); } terminate() {} };
  globalThis.navigator = { hardwareConcurrency: 2 };
  try {
    const { Pool } = await import(pathToFileURL(path.join(dir, 'js/pool.js')));
    const pool = new Pool(1);
    const seen = [];
    pool.onmessage = (ev) => seen.push(ev.data);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(workers[0].sent[0], { type: 'init', v: P.PROTOCOL_VERSION });
    workers[0].onmessage({ data: { type: 'ready', summary: {}, defaults: {}, presets: {}, recommenders: [], bundled: true, v: P.PROTOCOL_VERSION } });
    assert.equal(seen[0].type, 'ready');
    pool.postMessage({ type: 'run', id: 3, config: {}, job: { kind: 'single' } });
    assert.deepEqual(workers[0].sent.at(-1), { type: 'run', id: 3, config: {}, job: { kind: 'single' }, v: P.PROTOCOL_VERSION });
    // The page gets 'done' without the version stamp.
    workers[0].onmessage({ data: { type: 'done', id: 3, result: {}, elapsedMs: 1, v: P.PROTOCOL_VERSION } });
    assert.deepEqual(seen[1], { type: 'done', id: 3, result: {}, elapsedMs: 1 });
    // A worker of another build: refused, and the page is told.
    workers[0].onmessage({ data: { type: 'progress', id: 3, progress: {}, elapsedMs: 1, v: 0 } });
    assert.equal(seen[2].type, 'error');
    assert.equal(seen[2].context, 'protocol');
    assert.match(seen[2].message, /version 0 is not this side's 1/);
    pool.terminate();
  } finally {
    delete globalThis.Worker;
    delete globalThis.navigator;
    rmSync(dir, { recursive: true, force: true });
  }
});
