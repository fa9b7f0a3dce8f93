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
const R = await import(`${root}www/js/modes/index.js`);
await R.loadAllModes(); // conditions are the modes' (js/modes/): loaded as the page loads them

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
  assert.equal(R.mode('k-sweep').param, 'vector_k');
  assert.equal(R.mode('dim-sweep').param, 'k');
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
  for (const bad of ['#hide=k,run', '#hide=colour', '#step=10', '#present=maybe']) {
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

test('frontier keys: protocols (both by default, one panel each) replaces protocol in a frontier\'s condition', () => {
  assert.equal(S.SCHEMA.protocols.default, 'popular,fold-in');
  assert.deepEqual(S.frontierProtocols(S.defaults()), ['popular', 'fold-in']);
  const one = S.parseHash('#v=2&run=frontier&protocols=fold-in');
  assert.deepEqual(one.warnings, []);
  assert.deepEqual(S.frontierProtocols(one.state), ['fold-in']);
  assert.equal(S.toHash(one.state), '#v=2&run=frontier&protocols=fold-in');
  assert.equal(S.toHash({ ...S.defaults(), run: 'frontier' }), '#v=2&run=frontier', 'both panels is the default: not written');
  for (const bad of ['#v=2&protocols=fold-in,popular', '#v=2&protocols=both', '#v=2&protocols=']) {
    assert.equal(S.parseHash(bad).warnings.length, 1, `${bad} accepted`);
  }
  // The frontier sets each panel's protocol itself: the form's protocol does not change its result, protocols does.
  const fc = S.captureCondition({ ...S.defaults(), protocol: 'fold-in' }, 'frontier');
  assert.ok(S.sameCondition(fc, S.defaults()));
  assert.ok(!S.sameCondition(fc, { ...S.defaults(), protocols: 'popular' }));
  assert.equal(S.toHash(S.conditionState(fc)), '#v=2&run=frontier');
  const d = S.describeCondition(S.captureCondition({ ...S.defaults(), protocols: 'popular' }, 'frontier'));
  assert.equal(d.text, 'seeds 0\u20132, popular panel only');
  assert.equal(d.slug, 'memberlens-frontier-seed0x3-popular');
  // The new config keys take their links like every other.
  const k = S.parseHash('#v=2&attack=lira&lira_references=4&lira_offline=true&attacker_knows_defence=false');
  assert.deepEqual(k.warnings, []);
  assert.deepEqual([k.state.attack, k.state.lira_references, k.state.lira_offline, k.state.attacker_knows_defence], ['lira', 4, true, false]);
  assert.equal(S.parseHash('#v=2&lira_references=65').warnings.length, 1);
});

test('what a link echoes is capped and escaped: long values, repeated and unknown keys, bidi controls (issue 19)', () => {
  // A 1 MB value was echoed whole into the warning box.
  const huge = S.parseHash(`#v=2&lr=${'9'.repeat(1_000_000)}`);
  assert.equal(huge.warnings.length, 1);
  assert.ok(huge.warnings[0].length < 400, `${huge.warnings[0].length} characters`);
  // 5,000 repeats of a key were 5,000 identical lines: now one, with the count.
  const repeated = S.parseHash(`#v=2&${Array(5000).fill('k=8').join('&')}`);
  assert.deepEqual(repeated.warnings, ['The link sets \u201ck\u201d 5000 times; the last value wins.']);
  // Unknown keys: five named, the rest counted.
  const unknown = S.parseHash(`#v=2&${Array.from({ length: 300 }, (_, i) => `x${i}=1`).join('&')}`);
  assert.equal(unknown.warnings.length, 6);
  assert.equal(unknown.warnings[5], '\u2026 and 295 more unknown settings, ignored.');
  // U+202E (right-to-left override) and friends were shown raw, reversing the text after them.
  const bidi = S.parseHash('#v=2&k=1%E2%80%AE2&x%E2%81%A6y=1');
  for (const w of bidi.warnings) assert.doesNotMatch(w, /[\u202a-\u202e\u2066-\u2069]/u, w);
  assert.match(bidi.warnings.join(' '), /1\\u\{202e\}2/);
  assert.equal(S.echo('a\u202eb\u2069c\u0000'), 'a\\u{202e}b\\u{2069}c\\u{0}');
  assert.equal(S.echo('x'.repeat(100)), `${'x'.repeat(40)}\u2026`);
  assert.equal(S.echo('\u202e'.repeat(1000), 20), `${'\\u{202e}'.repeat(2)}\u2026`);
});

test('an invalid workers= is a warning, not silently ignored; the pool and the schema agree on its limit', async () => {
  for (const bad of ['0', 'NaN', '9', '-1', '1.5', '']) {
    const r = S.parseHash(`#v=2&workers=${bad}`);
    assert.equal(r.warnings.length, 1, `workers=${bad} ignored silently`);
    assert.match(r.warnings[0], /workers = .* is not valid \(expected a whole number from 1 to 8\)/);
  }
  for (const good of ['1', '8']) assert.deepEqual(S.parseHash(`#v=2&workers=${good}`).warnings, []);
  const { readFile } = await import('node:fs/promises');
  const pool = await readFile(`${root}www/js/pool.js`, 'utf8');
  assert.equal(Number(/export const MAX_WORKERS = (\d+);/.exec(pool)[1]), S.MAX_POOL_WORKERS);
});

test('numbers that round onto an end of their range are refused as typed, as the core refuses them', () => {
  // 0.99999999999999999 is read as 1, which member_fraction excludes; the warning shows what was typed.
  const r = S.parseValue('member_fraction', '0.99999999999999999');
  assert.equal(r.ok, false);
  assert.match(r.error, /“0\.99999999999999999” has more digits than a 64-bit number holds and rounds to 1/);
  // 1.00000000000000001 was read as the allowed 1.
  assert.equal(S.parseValue('defence_strength', '1.00000000000000001').ok, false);
  // The ends typed as they are, and numbers inside the range, are fine.
  assert.deepEqual(S.parseValue('defence_strength', '1.0'), { ok: true, value: 1 });
  assert.deepEqual(S.parseValue('dp_sampling_rate', '0.010'), { ok: true, value: 0.01 });
  assert.equal(S.parseValue('member_fraction', '0.9999999999999999').ok, true);
  assert.ok(S.sameDecimal('1e-7', String(1e-7)) && S.sameDecimal('1e21', String(1e21)));
  assert.ok(!S.sameDecimal('1', '0.99999999999999999'));
});
