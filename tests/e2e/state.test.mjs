// state.test.mjs — the page's URL schema and conditions (www/js/state.js), without a browser: the
// schema version (a link without v= is today's, unless it holds what only schema 1 wrote: then it is
// read over schema 1's defaults, the paper preset, with a notice), presets
// as the base links are written against, which keys define a result of each mode, how a condition
// is labelled and named, which link reproduces it, and the lecture and matrix keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const S = await import(`${root}www/js/state.js`);

test('links carry v=2 and only what differs from their base; a schema-1 link is read over the paper preset', () => {
  // A fresh page (no hash) is the current defaults.
  const fresh = S.parseHash('');
  assert.deepEqual(fresh.warnings, []);
  assert.deepStrictEqual(fresh.state, S.defaults());
  assert.equal(fresh.notice, '');
  assert.equal(S.toHash(S.defaults()), '', 'the default state needs no hash');

  // A link made by schema 1: no v=, only schema-1 keys, and negative_sampling=uniform, which schema 1
  // wrote only because its default was popularity (today's links never carry a value at its base).
  const old = S.parseHash('#seed=0&negative_sampling=uniform&run=single');
  assert.equal(old.version, 1);
  assert.deepEqual(old.warnings, []);
  assert.equal(old.state.preset, 'paper');
  assert.equal(old.state.negative_sampling, 'uniform', 'its own value');
  assert.equal(old.state.vector_k, 0, 'schema 1 tied the vector length to k');
  assert.equal(old.state.epochs, 40);
  assert.deepStrictEqual(S.toConfig(old.state), { ...S.presetConfig('paper'), negative_sampling: 'uniform' });
  assert.match(old.notice, /before schema 2 \(it holds negative_sampling=uniform, .*\), so it is read over the paper preset \(schema 1’s defaults/);
  // Written again, it says so: v=2, the paper preset, and what differs from it.
  assert.equal(S.toHash(old.state), '#v=2&preset=paper&negative_sampling=uniform&run=single');
  assert.deepStrictEqual(S.parseHash(S.toHash(old.state)).state, old.state, 'the rewritten link means the same');
  assert.equal(S.parseHash(S.toHash(old.state)).notice, '', 'the rewritten link is no old link');
  // The other marks: epochs=80 (schema 1's default was 40) and a list with an escaped comma.
  assert.equal(S.parseHash('#epochs=80&seed=2').version, 1);
  assert.equal(S.parseHash('#epochs=80&seed=2').state.epochs, 80);
  const hidden = S.parseHash('#present=1&hide=k%2Clr');
  assert.equal(hidden.version, 1);
  assert.match(hidden.notice, /hide=k%2Clr/);
  assert.equal(hidden.state.hide, 'k,lr');
  // An explicit v=1 is read the same way, and says so.
  assert.match(S.parseHash('#v=1&k=8').notice, /\(v=1\), so it is read over the paper preset/);

  // The same keys with v=2 are read over the current defaults.
  const now = S.parseHash('#v=2&seed=0&run=single');
  assert.equal(now.version, 2);
  assert.equal(now.notice, '');
  assert.equal(now.state.preset, 'default');
  assert.equal(now.state.negative_sampling, 'uniform');
  assert.equal(now.state.vector_k, 100);
  assert.equal(S.toHash(now.state), '#v=2&run=single');

  // preset=paper selects the preset explicitly; keys on top of it are kept, values at the base dropped.
  const p = S.parseHash('#v=2&preset=paper&k=50&negative_sampling=popularity&run=single');
  assert.deepEqual(p.warnings, []);
  assert.equal(p.state.k, 50);
  assert.equal(p.state.vector_k, 0);
  assert.equal(S.toHash(p.state), '#v=2&preset=paper&k=50&run=single');
  // A key changed back to the default of schema 2 differs from the paper base, so it is written.
  assert.equal(S.toHash({ ...p.state, negative_sampling: 'uniform' }), '#v=2&preset=paper&k=50&negative_sampling=uniform&run=single');
  // An explicit preset=default without v: its keys apply over the current defaults.
  assert.equal(S.parseHash('#preset=default&k=8').state.negative_sampling, 'uniform');

  // Unknown versions and presets are warnings, never a blank page.
  const future = S.parseHash('#v=3&k=8');
  assert.equal(future.warnings.length, 1);
  assert.match(future.warnings[0], /schema version v = “3”/);
  assert.equal(future.state.k, 8);
  assert.equal(S.parseHash('#v=2&preset=fast').warnings.length, 1);
  // In an old link, a bad value falls back to the paper preset's value, and the warning says so.
  const bad = S.parseHash('#negative_sampling=uniform&epochs=abc');
  assert.equal(bad.state.epochs, 40);
  assert.match(bad.warnings[0], /using the paper preset’s 40/);
});

test('a link without v= is read as today\'s schema unless it holds what only schema 1 wrote', () => {
  // Hand-typed: today's k-sweep (the attacker's vector length), over today's defaults, no notice.
  const typed = S.parseHash('#seed=3&run=k-sweep');
  assert.equal(typed.version, 2);
  assert.deepEqual(typed.warnings, []);
  assert.equal(typed.notice, '');
  assert.equal(typed.state.run, 'k-sweep');
  assert.equal(typed.state.preset, 'default');
  assert.equal(typed.state.vector_k, 100);
  assert.equal(S.toHash(typed.state), '#v=2&seed=3&run=k-sweep');
  // Every schema-1 key alone is no mark: the values schema 1 and today share mean today's.
  for (const h of ['#seed=0&run=single', '#k=50&lr=0.02&epochs=40', '#negative_sampling=popularity', '#present=1&hide=k,lr&step=2']) {
    const r = S.parseHash(h);
    assert.equal(r.version, 2, `${h} read as schema 1`);
    assert.equal(r.notice, '', h);
  }
  // A mark beside a key schema 1 never had is no schema-1 link either.
  for (const h of ['#vector_k=5&negative_sampling=uniform', '#recommender=bpr&epochs=80', '#preset=paper&epochs=80']) {
    assert.equal(S.parseHash(h).version, 2, `${h} read as schema 1`);
  }
});

test('the k-sweep sweeps the attacker\'s vector length; a schema-1 k-sweep link keeps sweeping k, tied', () => {
  assert.equal(S.SWEEPS['k-sweep'].param, 'vector_k');
  assert.equal(S.SWEEPS['dim-sweep'].param, 'k');
  const { state: old, notice } = S.parseHash('#epochs=80&seeds=1&run=k-sweep');
  assert.equal(old.run, 'dim-sweep', 'schema 1\'s k-sweep varied k');
  assert.equal(old.vector_k, 0, 'with the attacker\'s vectors tied to it');
  assert.match(notice, /its k-sweep is today’s model-size sweep\.$/);
  assert.equal(S.toHash(old), '#v=2&preset=paper&epochs=80&run=dim-sweep&seeds=1');
  assert.equal(S.parseHash('#v=2&run=k-sweep').state.run, 'k-sweep');
  // The caption names which k: tied, or the vector length it is fixed at.
  assert.match(S.paramText('k', old).long, /latent dimension k \(the attacker’s vector length tied to k\)/);
  assert.match(S.paramText('k', S.defaults()).long, /fixed at 100/);
  assert.match(S.paramText('vector_k', S.defaults()).long, /attacker’s vector length/);
});

test('a condition is the config keys that shape the result (not the swept, compared or matrix keys)', () => {
  assert.deepEqual(S.conditionKeys('single'), S.CONFIG_KEYS);
  assert.ok(!S.conditionKeys('compare').includes('protocol'));
  assert.ok(!S.conditionKeys('k-sweep').includes('vector_k') && S.conditionKeys('k-sweep').includes('k'));
  assert.ok(!S.conditionKeys('dim-sweep').includes('k') && S.conditionKeys('dim-sweep').includes('seeds'));
  assert.ok(!S.conditionKeys('lr-sweep').includes('lr') && S.conditionKeys('lr-sweep').includes('k'));
  const m = S.conditionKeys('matrix');
  assert.ok(!m.includes('recommender') && !m.includes('shadow_recommender'));
  assert.ok(m.includes('seeds') && m.includes('recommenders') && m.includes('attack'));
  const form = { ...S.defaults(), seed: 5, k: 16 };
  const c = S.captureCondition(form, 'single');
  form.k = 24; // the form moves on; the captured condition does not
  assert.equal(c.values.k, 16);
  assert.ok(!S.sameCondition(c, form));
  form.k = 16;
  assert.ok(S.sameCondition(c, form));
  form.scale = 'log'; // a view option, not a condition
  assert.ok(S.sameCondition(c, form));
  const sweep = S.captureCondition({ ...S.defaults(), vector_k: 50 }, 'k-sweep');
  assert.ok(S.sameCondition(sweep, { ...S.defaults(), vector_k: 70 }), 'the swept key made a sweep stale');
  assert.ok(!S.sameCondition(sweep, { ...S.defaults(), seeds: 5 }));
  // The matrix does not depend on the form's algorithm; the run is sent the base's, so its link
  // reproduces the same JSON.
  const mc = S.captureCondition({ ...S.defaults(), recommender: 'item-knn', recommenders: 'lfm,popularity' }, 'matrix');
  assert.ok(S.sameCondition(mc, { ...S.defaults(), recommender: 'popularity', recommenders: 'lfm,popularity' }));
  assert.ok(!S.sameCondition(mc, { ...S.defaults(), recommenders: 'lfm' }));
  assert.equal(S.toConfig(S.conditionState(mc)).recommender, 'lfm');
  assert.equal(S.toHash(S.conditionState(mc)), '#v=2&run=matrix&recommenders=lfm,popularity');
});

test('labels name the seed, the preset and every key off its base; the link reproduces the condition', () => {
  const d = S.describeCondition(S.captureCondition({ ...S.defaults(), seed: 5, k: 16, protocol: 'fold-in' }, 'single'));
  assert.deepEqual(d.parts, ['seed 5', 'k = 16', 'protocol: model lists (fold-in)']);
  assert.equal(d.text, 'seed 5, k = 16, protocol: model lists (fold-in)');
  assert.equal(d.slug, 'memberlens-single-seed5-k16-protocolfold-in');
  assert.equal(S.describeCondition(S.captureCondition(S.defaults(), 'single')).text,
    'seed 0, other settings at their defaults');
  const paper = S.describeCondition(S.captureCondition({ ...S.baseState('paper'), seed: 2, k: 30 }, 'single'));
  assert.equal(paper.text, 'seed 2, paper preset, k = 30');
  assert.equal(paper.slug, 'memberlens-single-seed2-paper-k30');
  const algo = S.describeCondition(S.captureCondition({ ...S.defaults(), recommender: 'item-knn', attack: 'distance' }, 'single'));
  assert.equal(algo.text, 'seed 0, recommender: item-knn, attack: distance');
  const sw = S.describeCondition(S.captureCondition({ ...S.defaults(), seed: 2, seeds: 3, vector_k: 40 }, 'k-sweep'));
  assert.equal(sw.text, 'seeds 2\u20134, other settings at their defaults');
  assert.equal(sw.slug, 'memberlens-k-sweep-seed2x3');
  const mx = S.describeCondition(S.captureCondition({ ...S.defaults(), seeds: 1, recommenders: 'lfm,popularity' }, 'matrix'));
  assert.equal(mx.text, 'seed 0, recommenders lfm, popularity');
  assert.equal(mx.slug, 'memberlens-matrix-seed0x1-lfm-popularity');
  const cmp = S.captureCondition({ ...S.defaults(), seed: 1, protocol: 'fold-in', lr: 0.02 }, 'compare');
  assert.equal(S.toHash(S.conditionState(cmp)), '#v=2&seed=1&lr=0.02&run=compare');
  const { state, warnings } = S.parseHash(S.toHash(S.conditionState(S.captureCondition({ ...S.defaults(), k: 8 }, 'single'))));
  assert.deepEqual(warnings, []);
  assert.equal(state.k, 8);
  assert.equal(state.run, 'single');
});

test('lecture keys: present, step, slow, hide', () => {
  const { state, warnings } = S.parseHash('#v=2&present=1&step=3&slow=1&hide=lr,k');
  assert.deepEqual(warnings, []);
  assert.equal(state.present, true);
  assert.equal(state.step, 3);
  assert.equal(state.slow, true);
  assert.equal(state.hide, 'k,lr', 'hide keys are kept in schema order');
  assert.equal(S.toHash(state), '#v=2&present=1&hide=k,lr&step=3&slow=1');
  for (const bad of ['#hide=k,run', '#hide=colour', '#step=9', '#present=maybe']) {
    assert.equal(S.parseHash(bad).warnings.length, 1, `${bad} accepted`);
  }
});

test('matrix keys: recommenders (the module\'s names, each once, in order) and seeds (a count from seed)', () => {
  const ok = S.parseHash('#v=2&run=matrix&recommenders=popularity,lfm&seeds=2&seed=7');
  assert.deepEqual(ok.warnings, []);
  assert.deepEqual(S.recommenderList(ok.state), ['popularity', 'lfm'], 'rows and columns in the order given');
  assert.deepEqual(S.sweepSeeds(ok.state), [7, 8]);
  assert.deepEqual(S.recommenderList(S.defaults()), S.SCHEMA.recommender.options, 'empty: every algorithm');
  for (const bad of ['#v=2&recommenders=svd', '#v=2&recommenders=lfm,lfm', '#v=2&seeds=0']) {
    assert.equal(S.parseHash(bad).warnings.length, 1, `${bad} accepted`);
  }
  // A newer module's algorithm becomes a valid name once the worker reports it.
  assert.equal(S.parseHash('#v=2&recommender=future-algo').warnings.length, 1);
  assert.ok(S.setRecommenderNames([...S.SCHEMA.recommender.options, 'future-algo']));
  const later = S.parseHash('#v=2&recommender=future-algo&shadow_recommender=future-algo&recommenders=future-algo,lfm');
  assert.deepEqual(later.warnings, []);
  assert.equal(later.state.recommender, 'future-algo');
  assert.ok(!S.setRecommenderNames(S.SCHEMA.recommender.options.slice()), 'the same names are no change');
});
