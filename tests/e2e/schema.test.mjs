// The page's typed URL schema (www/js/state.js) and the Rust Config must agree on every key,
// default and range edge; otherwise a shared link could mean different runs to the page and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { SCHEMA } = await import(`${root}www/js/state.js`);
const wasm = await import(`${root}www/pkg/memberlens.js`);
wasm.initSync({ module: readFileSync(`${root}www/pkg/memberlens_bg.wasm`) });

const configKeys = Object.keys(SCHEMA).filter((k) => SCHEMA[k].group !== 'page');

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
    const check = (v) => { try { wasm.checkConfig({ [k]: v }); return true; } catch { return false; } };
    if (!s.minExclusive) assert.ok(check(s.min), `${k}=${s.min} accepted`);
    if (!s.maxExclusive) assert.ok(check(s.max), `${k}=${s.max} accepted`);
    const below = s.type === 'int' ? s.min - 1 : s.min - 1e-6;
    const above = s.type === 'int' ? s.max + 1 : s.max + 1e-6;
    if (s.minExclusive) assert.ok(!check(s.min), `${k}=${s.min} rejected`);
    else if (below >= 0 || s.type === 'float') assert.ok(!check(below), `${k}=${below} rejected`);
    assert.ok(!check(s.maxExclusive ? s.max : above), `${k} above max rejected`);
  }
});
