// sweep.test.mjs — sweeps. A model-size sweep over the paper preset (what a schema-1 k-sweep link
// meant: the recommenders' k with the attacker's vectors tied to it; state.test.mjs reads such links): ten
// points, in the {config, sweep} shape of docs/INTERFACES.md, drawn as they finish (with progress
// in the result area), three chart panels (ROC-AUC and TPR@1% FPR, each with its own chance line,
// the run's attack and the strongest attack with its 95% band; members' recall) whose captions say
// which k, and a table with one row per k ("± —" for one seed, never "± 0.000") naming the
// strongest attack; headline and takeaway are Rust's. Schema 2's k-sweep varies the attacker's
// vector length (the paper's Figure 2: two panels, recall does not move) and its dim-sweep the
// recommenders' k; both, and the lr-sweep (recall drawn), equal the CLI's sweeps; the CSV writes an
// unmeasurable TPR as an empty field. The paper-preset sweep runs on the real data set (its k = 100
// AUC is the paper's number: 0.889 on the small data set, measured), the others on the small one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT, CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, chartInk, longTasksWhileRunning, download, pngSize, unmeasuredShown } from './browser.mjs';

const PURPLE = '#8e3b76'; // the strongest attack's colour (charts/common.js COLOURS.purple)
const GREEN = '#007a5a'; // recall's


let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('a model-size sweep over the paper preset (what a schema-1 k-sweep link meant) sweeps k, tied, in 10 points with a chart and a table', async (t) => {
  const { page, context, problems, ratings } = await openPage(env, '#v=2&preset=paper&run=dim-sweep&seeds=1', { traceTasks: true, data: 'full' });
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
    assert.equal(r.config.vector_k, 0, 'the attacker\'s vector length is tied to k, as in schema 1');
    assert.equal(r.config.negative_sampling, 'popularity', 'schema 1\'s defaults are the paper preset');
    assert.equal(await page.evaluate(() => location.hash), '#v=2&preset=paper&run=dim-sweep&seeds=1');
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
    assert.equal((table.match(/\u00b1 \u2014/g) || []).length, 40, 'each of 10 rows × 4 columns should read "± —"');
    // The strongest attack of every value, with its interval, beside the run's attack.
    const rows = await page.locator('#sweep-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    rows.forEach((row, i) => {
      const p = r.sweep.points[i];
      assert.equal(row[3], p.strongest_attack);
      assert.equal(row[4], `${p.strongest_roc_auc_mean.toFixed(3)} \u00b1 \u2014`);
      assert.equal(row[5], `${p.strongest_roc_auc_ci95[0].toFixed(3)}\u2013${p.strongest_roc_auc_ci95[1].toFixed(3)}`);
    });
    // Headline and takeaway: Rust's sentences over the whole sweep.
    assert.ok(r.sweep.takeaways.length >= 2);
    assert.equal(await page.locator('#headline .takeaway').textContent(), r.sweep.takeaways.join(' '));
    assert.match(await page.locator('#headline').textContent(), new RegExp(`Strongest at k = 10${r.sweep.points[0].strongest_roc_auc_mean.toFixed(3)}`));
    // Three panels: AUC (blue: the mlp attack; purple: the strongest with its band), TPR@1% (orange),
    // each with its own chance line, and members' recall (green), which the model's size moves.
    assert.equal(await page.locator('#chart .plot').count(), 3);
    const ink = await chartInk(page);
    assert.ok(ink.curve > 200, `the AUC panel is not drawn (${JSON.stringify(ink)})`);
    assert.ok((await chartInk(page, PURPLE)).curve > 200, 'the strongest attack is not drawn in the AUC panel');
    // The run's attack keeps its colour in every panel (issue 18: it was blue here, orange there).
    const tprInk = await chartInk(page, '#0057a3', 1);
    assert.ok(tprInk.curve > 200, `the TPR panel is not drawn in the run's attack's blue (${JSON.stringify(tprInk)})`);
    assert.ok((await chartInk(page, '#a84800', 1)).curve < 50, 'the run\u2019s attack changed colour between panels');
    assert.ok((await chartInk(page, GREEN, 2)).curve > 200, 'the recall panel is not drawn');
    const labels = await page.locator('#chart .plot').evaluateAll((ps) => ps.map((p) => p.getAttribute('aria-label')));
    assert.match(labels[0], /^ROC-AUC against the recommenders’ latent dimension k \(the attacker’s vector length tied to k\).*mlp attack 0\.\d{3}, strongest attack [01]\.\d{3}.*Chance: 0\.5\./);
    assert.match(labels[1], /^TPR at 1% FPR against the recommenders’ latent dimension k \(the attacker’s vector length tied to k\).*Chance: 1%\./);
    assert.match(labels[2], /^Members’ recall@100 against the recommenders’ latent dimension k.*10: recall 0\.\d{3}/);
    assert.match(await page.locator('#chart .chart-title').textContent(), /latent dimension k \(the attacker’s vector length tied to k\) — seed 0, paper preset$/);
    assert.equal((await page.locator('#chart .u-title').allTextContents()).join('|'), 'ROC-AUC|TPR at 1% FPR|Members’ recall@100');
    assert.deepEqual(await unmeasuredShown(page), []);
    // Hovering a point reads it out.
    await page.locator('#chart .u-over').first().scrollIntoViewIfNeeded(); // the result sits in its section, maybe below the screen
    const plot = await page.locator('#chart .u-over').first().boundingBox();
    await page.mouse.move(plot.x + plot.width - 4, plot.y + plot.height / 2);
    await page.waitForFunction(() => /k = 100: ROC-AUC 0\.\d{3} \u00b1 \u2014/.test(document.getElementById('chart-readout').textContent));
    assert.ok(r.sweep.points[9].roc_auc_mean >= 0.9, `k=100 AUC ${r.sweep.points[9].roc_auc_mean}`);
    const slow = await longTasksWhileRunning(page);
    assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms of CPU) while running: ${JSON.stringify(slow)}`);
    assert.deepEqual(problems, []);
    // The k=100 point is schema 1's default run with seed 0: the CLI's --preset paper run.
    requireCli();
    const { stdout } = await promisify(execFile)(CLI, ['run', '--json', '--preset', 'paper', '--seed', '0', '--ratings', ratings],
      { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout);
    assert.strictEqual(r.sweep.points[9].runs[0].roc_auc, cli.roc_auc);
    assert.deepStrictEqual(r.sweep.points[9].runs[0].tpr_at_fpr, cli.tpr_at_fpr);
  } finally {
    await context.close();
  }
});

const QUICK = 'k=20&epochs=6&vector_epochs=2&attack_epochs=6';
const QUICK_CLI = ['--epochs', '6', '--config', '{"vector_epochs":2,"attack_epochs":6}'];

async function cliSweep(param, values, k, ratings) {
  const { stdout } = await promisify(execFile)(CLI, ['sweep', '--json', '--ratings', ratings, '--param', param,
    '--values', values.join(','), '--seeds', '0', '--k', String(k), ...QUICK_CLI], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

const strip = ({ timings_ms: _t, ...rest }) => rest;

test('schema 2\'s k-sweep varies the attacker\'s vector length (Figure 2); the dim-sweep button varies k; both equal the CLI', async (t) => {
  const { page, context, problems, ratings } = await openPage(env, `#v=2&run=k-sweep&seeds=1&${QUICK}`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 120_000), 'done', await page.locator('#error').textContent());
    const { sweep } = await results(page);
    assert.equal(sweep.param, 'vector_k');
    assert.deepEqual(sweep.values, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.equal(sweep.config.k, 20, 'the recommenders stay at k = 20');
    assert.match(await page.locator('#chart .chart-title').textContent(), /^Attack success against the attacker’s vector length — seed 0, k = 20/);
    assert.equal(await page.locator('#sweep-table thead th').first().textContent(), 'Vector length');
    // The attacker's vector length does not change the recommender: no recall panel.
    assert.equal(await page.locator('#chart .plot').count(), 2);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, 'memberlens-k-sweep-seed0x1-k20-epochs6-vector_epochs2-attack_epochs6.png');

    // The model-size sweep from its button: k varies, the attacker's vector length stays at 100.
    await page.getByRole('button', { name: /^Model-size sweep/ }).click();
    assert.equal(await waitState(page, ['done', 'error'], 120_000), 'done', await page.locator('#error').textContent());
    const dim = (await results(page)).sweep;
    assert.equal(dim.param, 'k');
    assert.equal(dim.config.vector_k, 100);
    assert.match(await page.locator('#chart .chart-title').textContent(), /latent dimension k \(the attacker’s vector length fixed at 100\)/);
    assert.match(await page.evaluate(() => location.hash), /run=dim-sweep/);
    assert.deepEqual(problems, []);

    requireCli();
    assert.deepStrictEqual(strip(sweep), strip(await cliSweep('vector_k', sweep.values, 20, ratings)));
    // The page sends the condition's config: the swept k at its base value (100), as the link has it.
    assert.deepStrictEqual(strip(dim), strip(await cliSweep('k', dim.values, 100, ratings)));
  } finally {
    await context.close();
  }
});

test('a learning-rate sweep draws on a log axis with one point per rate, and equals the CLI\'s sweep', async (t) => {
  // A smaller model keeps this quick; the values are the page's fixed lr list.
  const { page, context, problems, ratings } = await openPage(env, `#v=2&run=lr-sweep&seeds=1&${QUICK}`);
  try {
    const state = await waitState(page, ['done', 'error'], 120_000);
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const { sweep } = await results(page);
    assert.equal(sweep.param, 'lr');
    assert.deepEqual(sweep.values, [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]);
    assert.equal(sweep.points.length, 7);
    assert.equal(await page.locator('table.sweep tbody tr').count(), 7);
    assert.ok((await chartInk(page)).curve > 200, 'the lr-sweep chart is not drawn');
    // Recall rises with the learning rate: its own panel.
    assert.equal(await page.locator('#chart .plot').count(), 3);
    assert.ok((await chartInk(page, GREEN, 2)).curve > 200, 'the recall panel is not drawn');
    // The figure's title, the PNG and CSV names carry the condition; the PNG holds both panels at 2x.
    assert.match(await page.locator('#chart .chart-title').textContent(), /learning rate — seed 0, k = 20, epochs = 6, vector_epochs = 2, attack_epochs = 6/);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, 'memberlens-lr-sweep-seed0x1-k20-epochs6-vector_epochs2-attack_epochs6.png');
    const rowWidth = await page.locator('#chart .plots').evaluate((e) => e.clientWidth);
    assert.ok(pngSize(png.bytes).width >= 2 * rowWidth - 40, `PNG ${pngSize(png.bytes).width}px for ${rowWidth} CSS px of panels`);
    const csv = await download(page, '#btn-csv');
    assert.equal(csv.name, 'memberlens-lr-sweep-seed0x1-k20-epochs6-vector_epochs2-attack_epochs6.csv');
    const lines = csv.bytes.toString().trim().split('\n');
    assert.match(lines[0], /^# MemberLens lr-sweep: seed 0, k = 20/);
    assert.equal(lines[1], 'lr,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,balanced_accuracy,recall_at_n,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr');
    const run0 = sweep.points[0].runs[0];
    // The unmeasurable TPR at 0.1% FPR (null) is an empty field, never "null".
    assert.deepEqual(lines[2].split(','), ['0.001', '0', String(run0.roc_auc), String(run0.tpr_at_fpr['0.01']), '', String(run0.balanced_accuracy),
      String(run0.recall_at_n), run0.strongest.attack, String(run0.strongest.roc_auc), String(run0.strongest.tpr_at_1pct)]);
    assert.doesNotMatch(csv.bytes.toString(), /null/);
    assert.deepEqual(problems, []);

    // The worker puts the sweep together point by point; the result is the CLI's sweep exactly.
    requireCli();
    const { stdout } = await promisify(execFile)(CLI, ['sweep', '--json', '--ratings', ratings, '--param', 'lr',
      '--values', sweep.values.join(','), '--seeds', '0', '--k', '20', ...QUICK_CLI], { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout);
    assert.deepStrictEqual(strip(sweep), strip(cli));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
