// condition.test.mjs — results always belong to the condition captured when their run started:
// changing a control afterwards marks them stale (body[data-state="stale"]) but keeps their labels,
// "Copy link" encodes what is SHOWN (so the link reproduces the numbers on screen, not the form),
// a change during a run leaves that run's result stale, and the Live switch re-runs by itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState, results, runAndWait } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const text = (page, sel) => page.locator(sel).first().textContent();

test('a control changed after a run marks the results stale; the copied link reproduces what was shown', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=5&${QUICK}`);
  let shownAuc;
  let link;
  try {
    await waitState(page, 'ready');
    const r = await runAndWait(page);
    assert.equal(r.config.seed, 5);
    assert.equal(r.config.k, 16);
    shownAuc = (await page.locator('table.metrics tr', { hasText: 'ROC-AUC' }).locator('td').first().textContent()).trim();
    assert.equal(shownAuc, r.roc_auc.toFixed(3));
    // Every label names the condition.
    for (const sel of ['#condition', '#chart .u-title', 'table.metrics caption', 'table.utility caption']) {
      // A link without v= is read over the paper preset, and the labels say so.
      assert.match(await text(page, sel), /seed 5, paper preset, k = 16, epochs = 8/, `${sel} does not name the condition`);
    }

    // Change k (and the seed): the page is stale, the shown result and its labels stay.
    await page.locator('#f-k').fill('24');
    await waitState(page, 'stale', 2_000);
    assert.ok(await page.locator('#stale-note').isVisible());
    assert.match(await text(page, '#stale-note'), /seed 5, paper preset, k = 16/);
    await page.locator('#f-seed').fill('6');
    assert.match(await text(page, '#chart .u-title'), /seed 5, paper preset, k = 16/);
    assert.deepStrictEqual(await results(page), r, '#results changed without a run');

    // Copy link: the shown run (seed 5, k 16), not the form (seed 6, k 24).
    await page.locator('#btn-copy-link').click();
    link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, await page.locator('#btn-copy-link').getAttribute('data-link'));
    assert.ok((await text(page, '#share-status')).includes(link), 'the status does not show the link');
    assert.match(link, /#v=2&preset=paper&seed=5&k=16&.*run=single/);
    assert.doesNotMatch(link, /k=24|seed=6/);

    // Back to the shown settings: no longer stale.
    await page.locator('#f-k').fill('16');
    await page.locator('#f-seed').fill('5');
    await waitState(page, 'done', 2_000);
    assert.ok(await page.locator('#stale-note').isHidden());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // The link, opened fresh, shows the same numbers the first page showed.
  const second = await openPage(env, new URL(link).hash);
  try {
    const state = await waitState(second.page, ['done', 'error'], 60_000);
    assert.equal(state, 'done');
    const again = (await second.page.locator('table.metrics tr', { hasText: 'ROC-AUC' }).locator('td').first().textContent()).trim();
    assert.equal(again, shownAuc);
    const r2 = await results(second.page);
    assert.equal(r2.config.seed, 5);
    assert.equal(r2.config.k, 16);
    assert.deepEqual(second.problems, []);
  } finally {
    await second.context.close();
  }
});

test('a control changed during a run: the result belongs to the settings it started with, and is stale', async () => {
  // On the real data set: the run must still be going when the test changes a control.
  const { page, context, problems } = await openPage(env, "#v=2&preset=paper&seed=2&k=16", { data: 'full' });
  try {
    await waitState(page, 'ready');
    await page.getByRole('button', { name: 'Run attack', exact: true }).click();
    await waitState(page, 'running');
    await page.locator('#f-k').fill('20'); // while it runs
    assert.ok(await page.locator('#stale-note').isVisible(), 'a change during a run is not flagged');
    const state = await waitState(page, ['stale', 'done', 'error'], 60_000);
    assert.equal(state, 'stale');
    const r = await results(page);
    assert.equal(r.config.k, 16, 'the run used the form at its end, not at its start');
    assert.match(await text(page, '#chart .u-title'), /k = 16/);
    await page.locator('#btn-copy-link').click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /k=16/);
    // The stale note's button runs the new settings.
    await page.getByRole('button', { name: 'Run with the new settings' }).click();
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    assert.equal((await results(page)).config.k, 20);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the Live switch re-runs a single run shortly after a change', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=3&${QUICK}`);
  try {
    await waitState(page, 'ready');
    const live = page.getByRole('switch', { name: /Live/ });
    await live.check();
    // Switched on with nothing shown: it runs at once.
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    assert.equal((await results(page)).config.k, 16);
    // Two quick changes are debounced into one run with both.
    const runsBefore = await page.evaluate(() => window.__states.filter((s) => s.state === 'running').length);
    await page.locator('#f-k').fill('12');
    await page.locator('#f-epochs').fill('6');
    await page.waitForFunction(() => {
      const r = document.getElementById('results').textContent;
      return document.body.dataset.state === 'done' && r && JSON.parse(r).config.k === 12;
    }, null, { timeout: 60_000 });
    const r = await results(page);
    assert.equal(r.config.epochs, 6);
    const runsAfter = await page.evaluate(() => window.__states.filter((s) => s.state === 'running').length);
    assert.equal(runsAfter - runsBefore, 1, 'two quick changes should give one live run');
    // Live runs do not take the focus away from the field being edited.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-epochs');
    // Off: a change only marks the results stale.
    await live.uncheck();
    await page.locator('#f-k').fill('14');
    await waitState(page, 'stale', 2_000);
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'stale');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
