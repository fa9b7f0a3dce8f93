// sweep.test.mjs — a k-sweep started from a link (#run=k-sweep&seeds=1): ten points, in the
// {config, sweep} shape of docs/INTERFACES.md, drawn as they finish (with progress in the result
// area), two chart panels (ROC-AUC and TPR@1% FPR, each with its own chance line) and a table
// with one row per k ("± —" for one seed, never "± 0.000").

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './server.mjs';
import { setup, openPage, waitState, results, chartInk, longTasksWhileRunning, download, pngSize } from './browser.mjs';

const CLI = path.join(ROOT, 'target/release/memberlens');
const RATINGS = process.env.MEMBERLENS_RATINGS || path.resolve(ROOT, '../shared/data/ml-latest-small/ratings.csv');

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('a k-sweep with one seed produces 10 points, a chart and a table', async () => {
  const { page, context, problems } = await openPage(env, '#run=k-sweep&seeds=1');
  try {
    // Progress names the run of the sweep while it works, in the result area.
    await page.waitForFunction(() => /Run \d+ of 10/.test(document.querySelector('#results-panel #status').textContent),
      null, { timeout: 60_000 });
    // Points are drawn as they finish: the chart and the table fill in while the sweep runs.
    await page.waitForFunction(() => document.body.dataset.state === 'running'
      && document.querySelectorAll('#sweep-table tbody tr').length >= 2, null, { timeout: 60_000 });
    const partial = await page.locator('#sweep-table tbody tr').count();
    assert.ok(partial < 10, `all ${partial} rows were there at once`);
    assert.ok((await chartInk(page)).curve > 20, 'the finished points are not drawn while the sweep runs');
    assert.match(await page.locator('#chart .plot').first().getAttribute('aria-label'), /of 10 points so far/);
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
    // One seed: no spread to show, so "± —" and never a made-up "± 0.000".
    const table = await page.locator('table.sweep').textContent();
    assert.ok(!table.includes('\u00b1 0.000') && !table.includes('\u00b1 0%'), 'one seed shows a zero spread');
    assert.equal((table.match(/\u00b1 \u2014/g) || []).length, 30, 'each of 10 rows × 3 columns should read "± —"');
    // Two panels: AUC (blue) and TPR@1% (orange), each with its own chance line.
    assert.equal(await page.locator('#chart .plot').count(), 2);
    const ink = await chartInk(page);
    assert.ok(ink.curve > 200, `the AUC panel is not drawn (${JSON.stringify(ink)})`);
    const tprInk = await chartInk(page, '#a84800', 1);
    assert.ok(tprInk.curve > 200, `the TPR panel is not drawn (${JSON.stringify(tprInk)})`);
    const labels = await page.locator('#chart .plot').evaluateAll((ps) => ps.map((p) => p.getAttribute('aria-label')));
    assert.match(labels[0], /^ROC-AUC against latent dimension k.*Chance: 0\.5\./);
    assert.match(labels[1], /^TPR at 1% FPR against latent dimension k.*Chance: 1%\./);
    assert.equal((await page.locator('#chart .u-title').allTextContents()).join('|'), 'ROC-AUC|TPR at 1% FPR');
    // Hovering a point reads it out.
    const plot = await page.locator('#chart .u-over').first().boundingBox();
    await page.mouse.move(plot.x + plot.width - 4, plot.y + plot.height / 2);
    await page.waitForFunction(() => /k = 100: ROC-AUC 0\.\d{3} \u00b1 \u2014/.test(document.getElementById('chart-readout').textContent));
    // The k=100 point is the default single run with seed 0 (the CLI test pins that one).
    assert.ok(r.sweep.points[9].roc_auc_mean >= 0.9, `k=100 AUC ${r.sweep.points[9].roc_auc_mean}`);
    const slow = await longTasksWhileRunning(page);
    assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms) while running: ${JSON.stringify(slow)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a learning-rate sweep draws on a log axis with one point per rate, and equals the CLI\'s sweep', async (t) => {
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
    // The figure's title, the PNG and CSV names carry the condition; the PNG holds both panels at 2x.
    assert.match(await page.locator('#chart .chart-title').textContent(), /learning rate — seed 0, k = 20, epochs = 10, vector_epochs = 3, attack_epochs = 10/);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, 'memberlens-lr-sweep-seed0x1-k20-epochs10-vector_epochs3-attack_epochs10.png');
    const rowWidth = await page.locator('#chart .plots').evaluate((e) => e.clientWidth);
    assert.ok(pngSize(png.bytes).width >= 2 * rowWidth - 40, `PNG ${pngSize(png.bytes).width}px for ${rowWidth} CSS px of panels`);
    const csv = await download(page, '#btn-csv');
    assert.equal(csv.name, 'memberlens-lr-sweep-seed0x1-k20-epochs10-vector_epochs3-attack_epochs10.csv');
    assert.match(csv.bytes.toString().split('\n')[0], /^# MemberLens lr-sweep: seed 0, k = 20/);
    assert.deepEqual(problems, []);

    // The worker puts the sweep together point by point; the result is the CLI's sweep exactly.
    if (!existsSync(CLI) || !existsSync(RATINGS)) { t.skip('CLI or ratings missing (make build; MEMBERLENS_RATINGS)'); return; }
    const { stdout } = await promisify(execFile)(CLI, ['sweep', '--json', '--ratings', RATINGS, '--param', 'lr',
      '--values', sweep.values.join(','), '--seeds', '0', '--k', '20', '--epochs', '10',
      '--config', '{"vector_epochs":3,"attack_epochs":10}'], { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout);
    const strip = ({ timings_ms: _t, ...rest }) => rest;
    assert.deepStrictEqual(strip(sweep), strip(cli));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
