// algorithms.test.mjs — the new config keys on the page: the recommender and shadow model chosen in
// the form reach the run (equal to the CLI's), a shadow-free attack skips the shadow stages (shown
// as "not needed") and has no shadow utility to show, a run's warnings stand next to its numbers,
// the new attacks are offered and equal the CLI (reference-list under fold-in, lira with two
// reference models), and the preset buttons set every setting (and the base of the link).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, runAndWait } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
const QUICK_JSON = { k: 16, epochs: 8, vector_epochs: 3, attack_epochs: 8, attack_restarts: 1 };

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('recommender and shadow model chosen in the form reach the run, which equals the CLI\'s', async (t) => {
  // A small member fraction: too few target members per class, which the core warns about.
  const { page, context, problems, ratings } = await openPage(env, `#v=2&seed=3&member_fraction=0.05&${QUICK}`);
  let r;
  try {
    await waitState(page, 'ready');
    await page.getByLabel('Recommender (target)').selectOption('item-knn');
    await page.getByLabel('Shadow model').selectOption('popularity');
    assert.match(await page.evaluate(() => location.hash), /recommender=item-knn&shadow_recommender=popularity/);
    r = await runAndWait(page);
    assert.equal(r.config.recommender, 'item-knn');
    assert.equal(r.config.shadow_recommender, 'popularity');
    assert.match(await page.locator('#condition').textContent(), /recommender: item-knn, shadow_recommender: popularity/);
    // The utility table names both algorithms; the target stage says what item-knn learns.
    const head = await page.locator('#utility-table thead').textContent();
    assert.ok(head.includes('Target (item-knn)') && head.includes('Shadow (popularity)'), head);
    assert.match(await page.locator('li[data-stage="target_recommender"] .stage-text').textContent(), /item-knn learns/);
    // The core's warnings are shown next to the headline numbers, word for word.
    assert.ok(r.warnings.length >= 1, `no warnings: ${JSON.stringify(r.warnings)}`);
    const shown = await page.locator('#headline #run-warnings li').allTextContents();
    assert.deepEqual(shown, r.warnings);
    assert.match(shown.join(' '), /only \d+ target members and \d+ non-members/);
    assert.match(await page.locator('#run-warnings').textContent(), /^Read these numbers with care/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  requireCli();
  const cfg = JSON.stringify({ ...QUICK_JSON, member_fraction: 0.05, recommender: 'item-knn', shadow_recommender: 'popularity' });
  const { stdout } = await promisify(execFile)(CLI, ['run', '--json', '--seed', '3', '--config', cfg, '--ratings', ratings],
    { maxBuffer: 64 << 20 });
  const cli = JSON.parse(stdout);
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  assert.deepStrictEqual(strip(r), strip(cli));
});

test('a shadow-free attack: shadow stages "not needed", no shadow numbers, its own numbers are its baseline\'s', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&seed=1&attack=distance&${QUICK}&run=single`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    assert.equal(r.config.attack, 'distance');
    assert.equal(r.recommender.shadow, null);
    assert.equal(r.attack, null);
    // The headline attack IS the distance baseline: the same numbers, computed once each.
    assert.strictEqual(r.roc_auc, r.baselines.distance.roc_auc);
    assert.deepStrictEqual(r.tpr_at_fpr, r.baselines.distance.tpr_at_fpr);
    for (const id of ['shadow_recommender', 'attack_model']) {
      const li = page.locator(`li[data-stage="${id}"]`);
      assert.equal(await li.getAttribute('data-progress'), 'skipped', `${id} is not marked as skipped`);
      assert.equal((await li.locator('.stage-live').textContent()).trim(), 'not needed');
    }
    assert.equal(await page.locator('li[data-stage="target_recommender"]').getAttribute('data-progress'), 'done');
    assert.match(await page.locator('#utility-table thead').textContent(), /Shadow \(not trained: the distance attack needs none\)/);
    const shadowCol = await page.locator('#utility-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.cells[2].textContent));
    assert.ok(shadowCol.every((x) => x === '\u2014'), `shadow column: ${shadowCol}`);
    // The headline leads with the strongest attack the run scored; the run's own beside it.
    const head = await page.locator('#headline').textContent();
    assert.ok(head.includes(`Strongest attack: ${r.strongest.attack}`), head);
    if (r.strongest.attack !== 'distance') assert.match(head, /This run’s attack: distance/);
    // With no shadow model the baselines keep their usual direction: nothing labelled to check it on.
    const dirs = await page.locator('#baselines-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.cells[6].textContent));
    assert.deepEqual(dirs, Object.keys(r.baselines).map(() => 'the statistic’s usual one (no labelled data to check it)'));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the attack select offers the new attacks; reference-list under fold-in and lira (2 references) equal the CLI', async (t) => {
  const { page, context, problems, ratings } = await openPage(env, `#v=2&seed=2&${QUICK}`);
  const runs = {};
  try {
    await waitState(page, 'ready');
    const options = await page.locator('#f-attack option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options.map((o) => o[0]), ['mlp', 'distance', 'overlap', 'new-user-list', 'reference-list', 'lira']);
    for (const [, label] of options) assert.ok(label.length <= 48, `a long option label: ${label}`);
    await page.getByLabel('Attack', { exact: true }).selectOption('reference-list');
    await page.getByLabel('Non-members get').selectOption('fold-in');
    runs['reference-list'] = await runAndWait(page);
    assert.equal(runs['reference-list'].config.attack, 'reference-list');
    assert.match(await page.locator('li[data-stage="features"] .stage-text').textContent(), /a copy of their history/);
    await page.getByLabel('Attack', { exact: true }).selectOption('lira');
    await page.locator('#advanced > summary').click();
    await page.locator('#f-lira_references').fill('2');
    assert.match(await page.evaluate(() => location.hash), /attack=lira&.*&lira_references=2$/);
    runs.lira = await runAndWait(page);
    // lira trains its references in the attack stage, which is therefore not skipped.
    assert.equal(await page.locator('li[data-stage="attack_model"]').getAttribute('data-progress'), 'done');
    assert.match(await page.locator('li[data-stage="attack_model"] .stage-text').textContent(), /2 reference recommenders/);
    assert.equal(runs.lira.oriented_on, 'trained');
    assert.ok(Object.values(runs.lira.baselines).every((b) => b.oriented_on === 'references'), 'baselines oriented on the references');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  requireCli();
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  for (const [attack, extra] of [['reference-list', {}], ['lira', { lira_references: 2 }]]) {
    const cfg = JSON.stringify({ ...QUICK_JSON, protocol: 'fold-in', attack, ...extra });
    const { stdout } = await promisify(execFile)(CLI, ['run', '--json', '--seed', '2', '--config', cfg, '--ratings', ratings], { maxBuffer: 64 << 20 });
    assert.deepStrictEqual(strip(runs[attack]), strip(JSON.parse(stdout)), `${attack}: page and CLI differ`);
  }
});

test('the preset buttons set every setting but the seed, and become the base of the link', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&seed=9&k=24`);
  try {
    await waitState(page, 'ready');
    assert.equal(await page.locator('#btn-preset-default').getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'the paper’s settings' }).click();
    assert.equal(await page.locator('#btn-preset-paper').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#f-negative_sampling').inputValue(), 'popularity');
    assert.equal(await page.locator('#f-vector_k').inputValue(), '0');
    assert.equal(await page.locator('#f-k').inputValue(), '100', 'the preset replaces k');
    assert.equal(await page.locator('#f-seed').inputValue(), '9', 'the seed stays');
    assert.equal(await page.evaluate(() => location.hash), '#v=2&preset=paper&seed=9');
    await page.locator('#f-k').fill('50');
    assert.equal(await page.evaluate(() => location.hash), '#v=2&preset=paper&seed=9&k=50');
    await page.getByRole('button', { name: 'the defaults' }).click();
    assert.equal(await page.locator('#f-negative_sampling').inputValue(), 'uniform');
    assert.equal(await page.locator('#f-vector_k').inputValue(), '100');
    assert.equal(await page.evaluate(() => location.hash), '#v=2&seed=9');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
