// modes.test.mjs — the page's run modes (www/js/modes/), without a browser: a toy mode (a sweep with
// one value, tests/js/fixtures/sweep-of-one.js) registered at run time goes through the page's
// generic machinery unchanged (its `run=` link round trip, its condition from its declared keys,
// its job and worker message, its CSV, its progress label); every built-in mode loads from its own
// module; and no page file outside www/js/modes/ branches on a mode's name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JS = path.join(ROOT, 'www/js');
const R = await import(path.join(JS, 'modes/index.js'));
const S = await import(path.join(JS, 'state.js'));
const { toCSV } = await import(path.join(JS, 'csv.js'));
const P = await import(path.join(JS, 'protocol.js'));
const BUILT_IN = R.RUN_OPTIONS.filter(Boolean); // before the toy is registered

/** Every .js file under www/js, as [path relative to www/js, text]. */
function sources(dir = JS) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.js') ? [[path.relative(JS, p), readFileSync(p, 'utf8')]] : [];
  });
}

test('a toy mode (a sweep of one value) needs its one module: link, condition, job, message, CSV, progress', async () => {
  // Before it is registered, a link naming it is an unknown value (a warning, no run).
  const before = S.parseHash('#v=2&run=sweep-of-one');
  assert.equal(before.state.run, '');
  assert.equal(before.warnings.length, 1, before.warnings.join(' | '));
  for (const [file, text] of sources()) assert.ok(!text.includes('sweep-of-one'), `${file} names the toy mode`);

  const toy = R.register((await import('./fixtures/sweep-of-one.js')).default);
  assert.equal(R.mode('sweep-of-one'), toy);
  assert.ok(R.isMode('sweep-of-one') && R.isLoaded('sweep-of-one'));

  // Its link: read, and written back the same.
  const { state: st, warnings } = S.parseHash('#v=2&seed=7&seeds=2&k=50&run=sweep-of-one');
  assert.deepEqual(warnings, []);
  assert.equal(st.run, 'sweep-of-one');
  assert.equal(S.toHash(st), '#v=2&seed=7&k=50&run=sweep-of-one&seeds=2');

  // Its condition comes from what it declares: the swept key is not part of it, the seeds are.
  const keys = S.conditionKeys('sweep-of-one');
  assert.ok(!keys.includes('epochs') && keys.includes('seeds') && keys.includes('k'), keys.join(','));
  const cond = S.captureCondition(st, 'sweep-of-one');
  assert.ok(S.sameCondition(cond, { ...st, epochs: 5 }), 'the swept key does not change the condition');
  assert.ok(!S.sameCondition(cond, { ...st, seeds: 3 }), 'the number of seeds does');
  assert.ok(!S.sameCondition(cond, { ...st, k: 51 }), 'another config key does');
  const d = S.describeCondition(cond);
  assert.equal(d.text, 'seeds 7\u20138, k = 50');
  assert.equal(d.slug, 'memberlens-sweep-of-one-seed7x2-k50');
  // The link to its result reproduces it.
  assert.equal(S.toHash(S.conditionState(cond)), '#v=2&seed=7&k=50&run=sweep-of-one&seeds=2');

  // Its job (a JobSpec) and the worker message (js/protocol.js `run`), built by the generic path.
  const config = S.toConfig(S.conditionState(cond));
  const run = R.buildRun(41, 'sweep-of-one', st, config);
  assert.deepEqual(run.job, { kind: 'sweep', param: 'epochs', values: [40], seeds: [7, 8] });
  assert.equal(run.def, toy);
  assert.deepEqual(run.msg, { type: 'run', id: 41, config, job: { kind: 'sweep', param: 'epochs', values: [40], seeds: [7, 8] } });
  assert.equal(P.refusal({ ...run.msg, v: P.PROTOCOL_VERSION }, P.TO_WORKER), null, 'the protocol takes the run message as it is');
  assert.equal(run.config.epochs, S.SCHEMA.epochs.default, 'the swept key is at its base in the config');

  // Its result: #results' payload, its partial result while it runs, its CSV and progress label.
  const runOf = (seed, auc) => ({ seed, roc_auc: auc, tpr_at_fpr: { '0.01': null, '0.001': 0 }, balanced_accuracy: 0.6,
    recall_at_n: 0.2, strongest: { attack: 'overlap', roc_auc: 0.8, tpr_at_1pct: 0.1 } });
  const report = { param: 'epochs', values: [40], seeds: [7, 8], config, takeaways: ['t'],
    points: [{ value: 40, runs: [runOf(7, 0.75), runOf(8, 0.7)] }] };
  const payload = toy.payload(report);
  assert.deepEqual(Object.keys(payload), ['config', 'sweep']);
  assert.equal(toCSV('sweep-of-one', payload, d.text), '# MemberLens sweep-of-one: seeds 7\u20138, k = 50\n'
    + 'epochs,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,balanced_accuracy,recall_at_n,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr\n'
    + '40,7,0.75,,0,0.6,0.2,overlap,0.8,0.1\n40,8,0.7,,0,0.6,0.2,overlap,0.8,0.1\n');
  const job = { mode: 'sweep-of-one', def: toy, spec: run.job, cond, partial: [] };
  toy.partial(job, { point: report.points[0] });
  assert.deepEqual(toy.partialResult(job).points, report.points);
  assert.equal(toy.progressLabel({ run_index: 1, run_count: 2 }, run.job), 'Run 2 of 2 (epochs = 40, seed 8). ');
  assert.equal(toy.announce({ result: report }, d.text), `Sweep done. t (${d.text}).`);
});

test('every built-in mode loads from its own module, which names it; a mode lacking what the page needs is refused', async () => {
  await R.loadAllModes();
  const files = Object.fromEntries(sources());
  for (const id of BUILT_IN) {
    const def = R.mode(id);
    assert.equal(def.id, id);
    for (const k of ['label', 'job', 'view', 'announce', 'slot']) assert.ok(def[k] !== undefined, `${id}: ${k}`);
    const own = Object.keys(files).filter((f) => f.startsWith('modes/') && f !== 'modes/index.js' && files[f].includes(`id: '${id}'`)
      || (f === 'modes/sweep.js' && files[f].includes(`id: '${id}'`)));
    assert.equal(own.length, 1, `${id} is defined in exactly one module: ${own}`);
  }
  assert.throws(() => R.register({ id: 'half-a-mode', label: 'x' }), /half-a-mode: missing job, view, announce/);
  assert.throws(() => R.mode('no-such-mode'), /run mode 'no-such-mode' is unknown/);
  await assert.rejects(R.loadMode('no-such-mode'), /unknown run mode 'no-such-mode'/);
});

// Files that still name modes, and why. worker.js and pool.js are the worker side's (the typed
// protocol, www/js/protocol.js, replaces their branches); the lecture's slides say which mode each
// slide shows; results.js's 'compare' and 'matrix' are CSS classes of tables; you.js (the picker)
// labels the reader's dot 'you'. In these files only a comparison with a mode's name is refused.
const NAMES_MODES = {
  'worker.js': 'the worker side (protocol.js)', 'pool.js': 'the worker side (protocol.js)',
  'protocol.js': 'the worker side: a message field named audit (its files and report), not the mode',
  'wasm-module.js': 'the worker side: the JobSpec kinds the core wasm module runs',
  'lecture-slides.js': 'a slide names the mode it shows', 'results.js': 'CSS classes',
  'you.js': 'the word under the reader\'s own dot (the picker, not the mode)',
};

test('no page file outside www/js/modes/ branches on a mode\'s name', () => {
  const ids = BUILT_IN.map((id) => id.replace(/[-]/g, '\\-')).join('|');
  const compare = new RegExp(`(mode\\s*[!=]==?\\s*['"](${ids})['"])|(['"](${ids})['"]\\s*[!=]==?\\s*[\\w.]*mode\\b)`);
  const quoted = new RegExp(`['"](${ids})['"]`);
  const found = [];
  for (const [file, text] of sources()) {
    if (file.startsWith('modes/')) continue;
    text.split('\n').forEach((line, i) => {
      if (compare.test(line) && !NAMES_MODES[file]?.startsWith('the worker side')) {
        found.push(`${file}:${i + 1}: ${line.trim()}`);
        return;
      }
      if (NAMES_MODES[file]) return;
      // A JobSpec's kind is Rust's word, not the page's mode; schema 1's k-sweep is an old link's.
      const rest = line.replace(/kind:\s*'[a-z-]+'/g, '').replace(/SCHEMA_1_RUNS = \{[^}]*\}/, '');
      if (quoted.test(rest)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
