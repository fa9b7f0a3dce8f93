// The page's typed URL schema (www/js/state.js) and the Rust Config must agree on every key,
// default, range edge, allowed name, preset and the schema version; otherwise a shared link could
// mean different runs to the page and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const S = await import(`${root}www/js/state.js`);
const { SCHEMA } = S;
const wasm = await import(`${root}www/pkg/memberlens.js`);
wasm.initSync({ module: readFileSync(`${root}www/pkg/memberlens_bg.wasm`) });

const configKeys = Object.keys(SCHEMA).filter((k) => SCHEMA[k].group !== 'page');
// The names the page offers before the worker reports the module's own (state.js's static list).
const staticRecommenders = SCHEMA.recommender.options.slice();

/** checkConfig's error for `key` = `value`, or null when Rust accepts it. */
function rustError(key, value) {
  try {
    wasm.checkConfig({ [key]: value });
    return null;
  } catch (e) {
    return e.message;
  }
}

/**
 * The values Rust allows for an enum key, read from its error for a bad value: serde's "expected
 * `a` or `b`" / "expected one of `a`, `b`, `c`", or the config's own "(allowed: a, b, c)".
 */
function rustAllowed(key) {
  const e = rustError(key, 'no-such-value');
  assert.ok(e, `${key} accepted a made-up value`);
  assert.ok(e.startsWith(`config: ${key}:`), `the error does not name ${key}: ${e}`);
  const allowed = e.match(/\(allowed: ([^)]+)\)/);
  if (allowed) return allowed[1].split(',').map((x) => x.trim());
  const expected = e.slice(e.indexOf('expected'));
  return [...expected.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

test('the schema has exactly the Rust config keys, with the same defaults', () => {
  const defaults = wasm.defaultConfig();
  assert.deepEqual([...configKeys].sort(), Object.keys(defaults).sort());
  for (const k of configKeys) assert.equal(SCHEMA[k].default, defaults[k], `default of ${k}`);
});

test('the schema ranges match Config::check at their edges', () => {
  for (const k of configKeys) {
    const s = SCHEMA[k];
    if (s.type !== 'int' && s.type !== 'float') continue;
    if (k === 'seed') continue; // u32: the whole range is valid
    const check = (v) => rustError(k, v) === null;
    if (!s.minExclusive) assert.ok(check(s.min), `${k}=${s.min} accepted`);
    if (!s.maxExclusive) assert.ok(check(s.max), `${k}=${s.max} accepted`);
    const below = s.type === 'int' ? s.min - 1 : s.min - 1e-6;
    const above = s.type === 'int' ? s.max + 1 : s.max + 1e-6;
    if (s.minExclusive) assert.ok(!check(s.min), `${k}=${s.min} rejected`);
    else if (below >= 0 || s.type === 'float') assert.ok(!check(below), `${k}=${below} rejected`);
    assert.ok(!check(s.maxExclusive ? s.max : above), `${k} above max rejected`);
  }
});

test('every enum offers exactly the names Rust accepts, in the module\'s order for algorithms and attacks', () => {
  const names = wasm.recommenderNames();
  // Before the worker answers, the page offers only names the module has.
  for (const n of staticRecommenders) assert.ok(names.includes(n), `the page offers ${n}, which the module does not know`);
  // The worker's list becomes the page's (ui.refreshOptions); then both algorithm keys match Rust.
  S.setRecommenderNames(names);
  assert.deepEqual(SCHEMA.recommender.options, names);
  assert.deepEqual(SCHEMA.attack.options, wasm.attackNames());
  for (const k of configKeys.filter((key) => SCHEMA[key].type === 'enum')) {
    const allowed = rustAllowed(k);
    assert.ok(allowed.length >= 2, `could not read the allowed values of ${k}: ${allowed}`);
    assert.deepEqual([...SCHEMA[k].options].sort(), [...allowed].sort(), `options of ${k}`);
    for (const o of SCHEMA[k].options) assert.equal(rustError(k, o), null, `${k}=${o} rejected by Rust`);
  }
  // The matrix's list takes the same names, and nothing else.
  assert.ok(S.parseValue('recommenders', names.join(',')).ok);
  assert.ok(!S.parseValue('recommenders', 'svd').ok);
  assert.ok(!S.parseValue('recommenders', `${names[0]},${names[0]}`).ok, 'a repeated algorithm (Rust refuses it)');
});

test('presets and the schema version are Rust\'s', () => {
  assert.equal(S.SCHEMA_VERSION, wasm.schemaVersion());
  assert.equal(SCHEMA.v.max, wasm.schemaVersion());
  assert.deepEqual(SCHEMA.preset.options, wasm.presetNames());
  for (const name of wasm.presetNames()) {
    assert.deepStrictEqual(S.presetConfig(name), wasm.presetConfig(name), `preset ${name}`);
  }
  // The paper preset is schema 1's defaults: what a schema-1 link (no v=, a value only schema 1
  // wrote) is read with.
  const old = S.parseHash('#seed=4&negative_sampling=uniform&run=single').state;
  assert.deepStrictEqual(S.toConfig(old), { ...wasm.presetConfig('paper'), seed: 4, negative_sampling: 'uniform' });
  assert.deepStrictEqual(S.presetMismatches(Object.fromEntries(wasm.presetNames().map((n) => [n, wasm.presetConfig(n)]))), []);
  // Negative control: a preset that drifted is reported.
  const drifted = { default: wasm.presetConfig('default'), paper: { ...wasm.presetConfig('paper'), vector_k: 100 } };
  assert.deepEqual(S.presetMismatches(drifted), ['paper.vector_k']);
});
