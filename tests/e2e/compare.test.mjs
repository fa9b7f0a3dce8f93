// compare.test.mjs — comparing conditions: `run=compare` runs the paper's popular list and the
// model's own lists (fold-in) with the same settings, shows both ROC curves and puts
// {"runs": [popular, fold-in], "takeaways": [Rust's sentence]} in #results, whose numbers equal the
// native CLI's (the strongest attack of each included); "Pin this run"
// keeps a run on the ROC chart as a labelled curve with its numbers in the comparison table.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, chartInk, runAndWait } from './browser.mjs';

const SEED = 2;
const ORANGE = '#a84800';
const GREEN = '#007a5a';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const rowOf = (page, name) => page.locator('#compare-table tbody tr', { hasText: name });

test(`run=compare shows popular vs fold-in; both AUCs equal the CLI's (seed ${SEED})`, async (t) => {
  // The default config on the real data set, as the paper's comparison is read (the pinned runs below: the small one).
  const { page, context, problems, ratings } = await openPage(env, `#v=2&seed=${SEED}&run=compare`, { data: 'full' });
  let r;
  try {
    // The popular-list curve is drawn as soon as its run is done, while fold-in still runs.
    await page.waitForFunction(() => document.body.dataset.state === 'running'
      && document.querySelector('#chart canvas') && /Running/.test(document.getElementById('condition').textContent),
    null, { timeout: 60_000 });
    const state = await waitState(page, ['done', 'error'], 120_000);
    assert.equal(state, 'done', await page.locator('#error').textContent());
    r = await results(page);
    assert.deepEqual(Object.keys(r), ['runs', 'takeaways']);
    assert.equal(r.runs.length, 2);
    assert.deepEqual(r.runs.map((x) => x.config.protocol), ['popular', 'fold-in']);
    for (const x of r.runs) assert.equal(x.config.seed, SEED);
    // Both curves are drawn, in their own colours, with both numbers in the comparison table.
    assert.ok((await chartInk(page)).curve > 300, 'the popular-list curve is not drawn');
    assert.ok((await chartInk(page, ORANGE)).curve > 200, 'the fold-in curve is not drawn');
    assert.equal(await page.locator('#compare-table tbody tr').count(), 2);
    for (const [i, name] of [[0, 'Popular list'], [1, 'fold-in']]) {
      const cell = (await rowOf(page, name).locator('td').nth(1).textContent()).trim();
      assert.equal(cell, r.runs[i].roc_auc.toFixed(3), `${name} AUC in the table`);
      // Each run's strongest attack, with its interval, beside its own attack.
      const st = r.runs[i].strongest;
      const strong = (await rowOf(page, name).locator('td').nth(3).textContent()).trim();
      assert.ok(strong.startsWith(`${st.attack}: ${st.roc_auc.toFixed(3)} (`), strong);
    }
    // Under fold-in the attack built for it runs as a baseline too.
    assert.ok('reference-list' in r.runs[1].baselines && !('reference-list' in r.runs[0].baselines));
    assert.match(await page.locator('#chart .chart-legend').textContent(), /Popular list \(paper\): AUC .*Model lists \(fold-in\): AUC/);
    // The takeaway is Rust's (wasm compareTakeaway, sent with the result), word for word.
    assert.equal(r.takeaways.length, 1);
    assert.match(r.takeaways[0], /^Strongest attack \d\.\d{3} \([a-z-]+\) with the popular list, \d\.\d{3} \([a-z-]+\) with model lists \(fold-in\)/);
    assert.equal(await page.locator('#headline .takeaway').textContent(), r.takeaways[0]);
    // The link reproduces the comparison.
    await page.locator('#btn-copy-link').click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), new RegExp(`#v=2&seed=${SEED}&run=compare$`));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  requireCli();
  for (const [i, protocol] of [[0, 'popular'], [1, 'fold-in']]) {
    const { stdout } = await promisify(execFile)(CLI, ['run', '--json', '--seed', String(SEED), '--protocol', protocol,
      '--ratings', ratings], { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout);
    assert.strictEqual(r.runs[i].roc_auc, cli.roc_auc, `${protocol}: page AUC ${r.runs[i].roc_auc} vs CLI ${cli.roc_auc}`);
    assert.deepStrictEqual(r.runs[i].tpr_at_fpr, cli.tpr_at_fpr);
    assert.deepStrictEqual(r.runs[i].config, cli.config);
    assert.deepStrictEqual(r.runs[i].strongest, cli.strongest);
    assert.deepStrictEqual(r.runs[i].takeaways, cli.takeaways);
  }
});

test('a pinned run stays on the ROC chart as a labelled curve, with its numbers in the table', async () => {
  const QUICK = 'epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=4&k=16&${QUICK}`);
  try {
    await waitState(page, 'ready');
    const first = await runAndWait(page);
    await page.getByRole('button', { name: 'Pin this run' }).click();
    // A second run with another k: the pinned k = 16 curve stays beside it.
    await page.locator('#f-k').fill('32');
    const second = await runAndWait(page);
    assert.equal(second.config.k, 32);
    assert.deepEqual(await results(page), second, '#results holds the current run only');
    assert.equal(await page.locator('#compare-table tbody tr').count(), 2);
    const pinned = rowOf(page, 'Pinned');
    assert.match(await pinned.locator('th').textContent(), /k = 16/);
    assert.equal((await pinned.locator('td').nth(1).textContent()).trim(), first.roc_auc.toFixed(3));
    assert.equal((await rowOf(page, 'This run').locator('td').nth(1).textContent()).trim(), second.roc_auc.toFixed(3));
    assert.match(await page.locator('#chart .chart-legend').textContent(), /Pinned: k = 16: AUC \d\.\d{3}/);
    assert.ok((await chartInk(page, GREEN)).curve > 150, 'the pinned curve is not drawn');
    // Pins survive the log-log view and are removable.
    await page.getByLabel('Log–log (low-FPR view)').check();
    assert.ok((await chartInk(page, GREEN)).curve > 100, 'the pinned curve is lost in the log-log view');
    await pinned.getByRole('button', { name: /Remove/ }).click();
    assert.equal(await page.locator('#compare-table').count(), 0);
    assert.ok((await chartInk(page, GREEN)).curve < 20, 'a removed pin is still drawn');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
