// sweep.test.mjs — a k-sweep started from a link (#run=k-sweep&seeds=1): ten points, in the
// {config, sweep} shape of docs/INTERFACES.md, a drawn chart and a table with one row per k.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState, results, chartInk, longTasksWhileRunning } from './browser.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('a k-sweep with one seed produces 10 points, a chart and a table', async () => {
  const { page, context, problems } = await openPage(env, '#run=k-sweep&seeds=1');
  try {
    // Progress names the run of the sweep while it works.
    await page.waitForFunction(() => /Run \d+ of 10/.test(document.getElementById('status').textContent),
      null, { timeout: 60_000 });
    const state = await waitState(page, ['done', 'error'], 150_000);
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const r = await results(page);
    assert.ok(r.config && r.sweep, '#results is not {config, sweep}');
    assert.equal(r.sweep.param, 'k');
    assert.deepEqual(r.sweep.values, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.deepEqual(r.sweep.seeds, [0]);
    assert.equal(r.sweep.points.length, 10);
    for (const p of r.sweep.points) {
      assert.ok(p.roc_auc_mean > 0.4 && p.roc_auc_mean <= 1, `AUC ${p.roc_auc_mean} at k=${p.value}`);
      assert.equal(p.roc_auc_std, 0, 'one seed has std 0');
      assert.equal(p.runs.length, 1);
    }
    assert.equal(await page.locator('table.sweep tbody tr').count(), 10);
    const ink = await chartInk(page);
    assert.ok(ink.curve > 200, `the sweep chart is not drawn (${JSON.stringify(ink)})`);
    // The k=100 point is the default single run with seed 0 (the CLI test pins that one).
    assert.ok(r.sweep.points[9].roc_auc_mean >= 0.9, `k=100 AUC ${r.sweep.points[9].roc_auc_mean}`);
    const slow = await longTasksWhileRunning(page);
    assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms) while running: ${JSON.stringify(slow)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a learning-rate sweep draws on a log axis with one point per rate', async () => {
  // A smaller model keeps this quick; the values are the page's fixed lr list.
  const { page, context, problems } = await openPage(env, '#run=lr-sweep&seeds=1&k=20&epochs=10&vector_epochs=3&attack_epochs=10');
  try {
    const state = await waitState(page, ['done', 'error'], 120_000);
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const { sweep } = await results(page);
    assert.equal(sweep.param, 'lr');
    assert.deepEqual(sweep.values, [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]);
    assert.equal(sweep.points.length, 7);
    assert.equal(await page.locator('table.sweep tbody tr').count(), 7);
    assert.ok((await chartInk(page)).curve > 200, 'the lr-sweep chart is not drawn');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
