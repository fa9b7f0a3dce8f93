// frontier.test.mjs — the privacy–utility frontier (run=frontier): from a link it runs Job.frontier
// with every applicable defence at strengths 0 … 1, puts the frontier JSON in #results (equal to the
// CLI's `frontier --json`, every point's runs included), paints one chart (a line per defence, the
// undefended point, chance and the popularity list, the natural curve) with a text equivalent and an
// ROC-AUC / TPR@1% toggle, shows the same numbers in a table and the engine's notes beside the chart,
// and downloads CSV / PNG named after the condition. The button runs a `defences=` subset; a phone
// (390 px) never scrolls sideways.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, CLI, RATINGS, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, download, chartInk, pngSize, longTasksWhileRunning } from './browser.mjs';

const { num, pct, meanStd } = await import(path.join(ROOT, 'www/js/format.js'));
const S = await import(path.join(ROOT, 'www/js/state.js'));

const QUICK = 'k=16&vector_k=16&epochs=6&vector_epochs=2&attack_epochs=6&attack_restarts=1';
// CURVE_STYLES' colours of charts.js, in the order the defences are drawn.
const LINE_COLOURS = ['#0057a3', '#a84800', '#007a5a', '#8e3b76'];

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// The whole frontier (every defence at 5 strengths and the natural curve) on small models: every
// check of the default one, in a fifth of its time.
const LINK = `#v=2&run=frontier&seeds=1&${QUICK}`;
const QUICK_CLI = ['--k', '16', '--epochs', '6', '--config', '{"vector_k":16,"vector_epochs":2,"attack_epochs":6,"attack_restarts":1}'];

test('run=frontier&seeds=1 (small models): chart, table, notes, downloads, and the CLI\'s frontier exactly', async (t) => {
  const { page, context, problems } = await openPage(env, LINK);
  const cond = S.captureCondition(S.parseHash(LINK).state, 'frontier');
  let r;
  try {
    await waitState(page, 'running', 60_000);
    assert.match(await page.locator('#results-empty').textContent(), /every defence at every strength/);
    assert.equal(await waitState(page, ['done', 'error'], 600_000), 'done', await page.locator('#error').textContent());
    const status = await page.locator('#status').textContent();
    t.diagnostic(`frontier in the page: ${status}`);
    r = await results(page);
    assert.deepEqual(r.seeds, [0]);
    assert.deepEqual(r.strengths, [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(r.defences.map((d) => d.defence), ['popularity-randomisation', 'list-perturbation', 'score-noise', 'dp-sgd']);
    assert.equal(r.config.defence, 'none', 'the frontier runs the base config undefended');
    assert.deepEqual(r.natural.map((p) => p.epochs), [10, 20, 40, 80]);
    assert.ok(r.notes.length > 0);

    // One chart: every defence's line painted in its colour, a role="img" labelled with every point.
    const img = page.locator('#chart [role="img"]');
    assert.equal(await img.count(), 1);
    assert.equal(await img.getAttribute('aria-describedby'), 'frontier-table');
    for (const [i, d] of r.defences.entries()) {
      const ink = await chartInk(page, LINE_COLOURS[i]);
      assert.ok(ink.curve > 200, `${d.defence}'s line painted on ${ink.curve} px`);
    }
    let label = await img.getAttribute('aria-label');
    assert.match(label, /y = the attack’s ROC-AUC; chance is 0\.500/);
    assert.ok(label.includes(`Undefended: recall@100 ${num(r.undefended.recall_at_n_mean)}, ROC-AUC ${num(r.undefended.roc_auc_mean)}`), label);
    for (const d of r.defences) {
      for (const p of d.points) assert.ok(label.includes(`strength ${p.strength}: recall@100 ${num(p.recall_at_n_mean)}, ROC-AUC ${num(p.roc_auc_mean)}`), `${d.defence} ${p.strength}`);
    }
    assert.ok(label.includes(`Popularity list: recall@100 ${num(r.popularity_recall_at_n)}`));
    assert.match(label, /Natural curve .*80 epochs/);
    assert.match(label, /Useful and private is the bottom right/);
    // The toggle: TPR at 1% FPR, chance 1%; the chart is repainted (its pixels change).
    const before = await page.locator('#chart canvas').evaluate((c) => c.toDataURL());
    await page.getByLabel('TPR at 1% FPR').check();
    assert.equal(await img.getAttribute('data-metric'), 'tpr');
    label = await img.getAttribute('aria-label');
    assert.match(label, /y = the attack’s TPR at 1% FPR; chance is 1\.0%/);
    assert.ok(label.includes(`TPR at 1% FPR ${pct(r.defences[0].points[4].tpr_at_1pct_mean)}`));
    assert.notEqual(await page.locator('#chart canvas').evaluate((c) => c.toDataURL()), before);
    await page.getByLabel('ROC-AUC').check();
    assert.equal(await img.getAttribute('data-metric'), 'auc');

    // The same numbers in a table: undefended, every defence point, the natural curve.
    const rows = await page.locator('#frontier-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    const want = [['undefended', '0', '', num(r.undefended.recall_at_n_mean), meanStd(r.undefended.roc_auc_mean, r.undefended.roc_auc_std, 3, 1), pct(r.undefended.tpr_at_1pct_mean), '—']];
    for (const d of r.defences) {
      for (const p of d.points) {
        want.push([d.defence, String(p.strength), `${d.parameter} = ${+p.parameter_value.toPrecision(3)}`, num(p.recall_at_n_mean),
          meanStd(p.roc_auc_mean, p.roc_auc_std, 3, 1), pct(p.tpr_at_1pct_mean), p.epsilon_mean === null ? '—' : num(p.epsilon_mean, 2)]);
      }
    }
    for (const p of r.natural) {
      want.push([`natural (${p.epochs} epochs)`, '', `epochs = ${p.epochs}`, num(p.recall_at_n_mean),
        meanStd(p.roc_auc_mean, p.roc_auc_std, 3, 1), pct(p.tpr_at_1pct_mean), '—']);
    }
    assert.deepEqual(rows, want);
    // dp-sgd above strength 0 has an ε in the table.
    assert.ok(r.defences[3].points[4].epsilon_mean > 0);
    // The engine's notes beside the chart, word for word.
    assert.deepEqual(await page.locator('#headline #frontier-notes li').allTextContents(), r.notes);

    // Downloads named after the condition: JSON = #results, CSV = every run, PNG at 2x.
    const stem = S.describeCondition(cond).slug;
    assert.match(stem, /^memberlens-frontier-seed0x1-k16/);
    const json = await download(page, '#btn-json');
    assert.equal(json.name, `${stem}.json`);
    assert.deepStrictEqual(JSON.parse(json.bytes.toString()), r);
    const csv = await download(page, '#btn-csv');
    assert.equal(csv.name, `${stem}.csv`);
    const lines = csv.bytes.toString().trim().split('\n');
    assert.equal(lines[0], `# MemberLens frontier: ${S.describeCondition(cond).text}`);
    assert.match(lines[0], /^# MemberLens frontier: seed 0, k = 16, /);
    assert.equal(lines[1], 'defence,strength,parameter_value,epochs,seed,roc_auc,tpr_at_1pct_fpr,recall_at_n');
    assert.equal(lines.length, 2 + 1 + 4 * 5 + 4);
    const lp = r.defences[1].points[2];
    assert.deepEqual(lines[3 + 5 + 2].split(','), ['list-perturbation', String(lp.strength), String(lp.parameter_value), '', '0',
      String(lp.runs[0].roc_auc), String(lp.runs[0].tpr_at_fpr['0.01']), String(lp.runs[0].recall_at_n)]);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, `${stem}.png`);
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    const cssWidth = await page.locator('#chart canvas').evaluate((c) => c.getBoundingClientRect().width);
    assert.ok(pngSize(png.bytes).width >= 2 * Math.min(cssWidth, 640), `PNG ${pngSize(png.bytes).width}px for a chart of ${cssWidth} CSS px`);
    await page.locator('#btn-copy-link').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(link.endsWith(S.toHash(S.conditionState(cond))), link);
    assert.deepStrictEqual(S.parseHash(new URL(link).hash).state, { ...S.parseHash(LINK).state, run: 'frontier' }, 'the copied link is another frontier');
    assert.match(await page.locator('#announce').textContent(), /^Frontier done\. Undefended: ROC-AUC/);
    const slow = await longTasksWhileRunning(page);
    assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms) while running: ${JSON.stringify(slow)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  requireCli();
  const { stdout } = await promisify(execFile)(CLI, ['frontier', '--seeds', '0', '--json', '--ratings', RATINGS, ...QUICK_CLI], { maxBuffer: 64 << 20 });
  const cli = JSON.parse(stdout);
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  assert.deepStrictEqual(r.defences.map((d) => d.points.map((p) => p.runs)), cli.defences.map((d) => d.points.map((p) => p.runs)),
    'the points\' runs differ from the CLI\'s');
  assert.deepStrictEqual(strip(r), strip(cli));
});

test('390 px: the button runs a defences= and strengths= subset; nothing scrolls sideways; bad ones are warnings', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&seeds=1&defences=list-perturbation,popularity-randomisation&strengths=1,0.5,0&${QUICK}`,
    { viewport: { width: 390, height: 844 } });
  try {
    await waitState(page, 'ready');
    await page.locator('#sweeps > summary').click();
    // Cancel stops it and leaves no result; then it runs to the end.
    await page.getByRole('button', { name: 'Defences: privacy vs usefulness' }).click();
    await waitState(page, 'running');
    await page.waitForFunction(() => /Stage \d of 8/.test(document.getElementById('status').textContent), null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitState(page, 'ready', 5_000);
    assert.equal(await results(page), null, 'a cancelled frontier must not leave results');
    await page.getByRole('button', { name: 'Defences: privacy vs usefulness' }).click();
    assert.equal(await waitState(page, ['done', 'error'], 300_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    assert.deepEqual(r.defences.map((d) => d.defence), ['list-perturbation', 'popularity-randomisation']);
    assert.equal(r.config.k, 16);
    const ink = await chartInk(page, LINE_COLOURS[0]);
    assert.ok(ink.curve > 50, `the first line painted on ${ink.curve} px`);
    const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= iw, `the page is ${sw}px wide in a ${iw}px window`);
    const right = await page.locator('#chart [role="img"]').evaluate((e) => e.getBoundingClientRect().right);
    assert.ok(right <= 390, `the chart ends at ${right}px`);
    // The strengths run in increasing order whatever order the link gave them in.
    assert.deepEqual(r.defences.map((d) => d.points.map((p) => p.strength)), [[0, 0.5, 1], [0, 0.5, 1]]);
    assert.equal(await page.locator('#frontier-table tbody tr').count(), 1 + 2 * 3 + r.natural.length);
    assert.match(await page.locator('#condition').textContent(), /defences list-perturbation, popularity-randomisation, strengths 0, 0\.5, 1/);
    assert.match(page.url(), /run=frontier/);
    assert.deepEqual(problems, []);

    // A hash change on the same page re-reads the link: the unknown name is a warning, not a run.
    await page.goto(`${env.server.url}#v=2&defences=list-perturbation,nope`);
    await page.waitForFunction(() => /defences = “list-perturbation,nope” is not valid/.test(document.getElementById('warnings').textContent),
      null, { timeout: 10_000 });
    for (const bad of ['0,0', '0.5,2', '-0.1', 'x', Array.from({ length: 12 }, (_, i) => i / 11).join(',')]) {
      await page.goto(`${env.server.url}#v=2&strengths=${bad}`);
      await page.waitForFunction((b) => document.getElementById('warnings').textContent.includes(`strengths = \u201c${b}\u201d is not valid`),
        bad, { timeout: 10_000 });
    }
  } finally {
    await context.close();
  }
});
