// state.test.mjs — the page's conditions (www/js/state.js), without a browser: which keys define
// a result of each mode, how a condition is labelled and named, which link reproduces it, and the
// lecture keys of the URL schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const S = await import(`${root}www/js/state.js`);

test('a condition is the config keys that shape the result (not the swept or compared key)', () => {
  assert.deepEqual(S.conditionKeys('single'), S.CONFIG_KEYS);
  assert.ok(!S.conditionKeys('compare').includes('protocol'));
  assert.ok(!S.conditionKeys('k-sweep').includes('k') && S.conditionKeys('k-sweep').includes('seeds'));
  assert.ok(!S.conditionKeys('lr-sweep').includes('lr') && S.conditionKeys('lr-sweep').includes('k'));
  const form = { ...S.defaults(), seed: 5, k: 16 };
  const c = S.captureCondition(form, 'single');
  form.k = 24; // the form moves on; the captured condition does not
  assert.equal(c.values.k, 16);
  assert.ok(!S.sameCondition(c, form));
  form.k = 16;
  assert.ok(S.sameCondition(c, form));
  form.scale = 'log'; // a view option, not a condition
  assert.ok(S.sameCondition(c, form));
  const sweep = S.captureCondition({ ...S.defaults(), k: 50 }, 'k-sweep');
  assert.ok(S.sameCondition(sweep, { ...S.defaults(), k: 70 }), 'the swept key made a sweep stale');
  assert.ok(!S.sameCondition(sweep, { ...S.defaults(), seeds: 5 }));
});

test('labels name the seed and every non-default key; the link reproduces the condition', () => {
  const d = S.describeCondition(S.captureCondition({ ...S.defaults(), seed: 5, k: 16, protocol: 'fold-in' }, 'single'));
  assert.deepEqual(d.parts, ['seed 5', 'k = 16', 'protocol: model lists (fold-in)']);
  assert.equal(d.text, 'seed 5, k = 16, protocol: model lists (fold-in)');
  assert.equal(d.slug, 'memberlens-single-seed5-k16-protocolfold-in');
  assert.equal(S.describeCondition(S.captureCondition(S.defaults(), 'single')).text,
    'seed 0, other settings at their defaults');
  const sw = S.describeCondition(S.captureCondition({ ...S.defaults(), seed: 2, seeds: 3, k: 40 }, 'k-sweep'));
  assert.equal(sw.text, 'seeds 2\u20134, other settings at their defaults');
  assert.equal(sw.slug, 'memberlens-k-sweep-seed2x3');
  const cmp = S.captureCondition({ ...S.defaults(), seed: 1, protocol: 'fold-in', lr: 0.02 }, 'compare');
  assert.equal(S.toHash(S.conditionState(cmp)), '#seed=1&lr=0.02&run=compare');
  const { state, warnings } = S.parseHash(S.toHash(S.conditionState(S.captureCondition({ ...S.defaults(), k: 8 }, 'single'))));
  assert.deepEqual(warnings, []);
  assert.equal(state.k, 8);
  assert.equal(state.run, 'single');
});

test('lecture keys: present, step, slow, hide', () => {
  const { state, warnings } = S.parseHash('#present=1&step=3&slow=1&hide=lr,k');
  assert.deepEqual(warnings, []);
  assert.equal(state.present, true);
  assert.equal(state.step, 3);
  assert.equal(state.slow, true);
  assert.equal(state.hide, 'k,lr', 'hide keys are kept in schema order');
  assert.equal(S.toHash(state), '#present=1&hide=k%2Clr&step=3&slow=1');
  for (const bad of ['#hide=k,run', '#hide=colour', '#step=9', '#present=maybe']) {
    assert.equal(S.parseHash(bad).warnings.length, 1, `${bad} accepted`);
  }
});
