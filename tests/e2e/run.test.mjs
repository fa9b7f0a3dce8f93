// run.test.mjs — a fixed-seed single run from a link: it finishes, its AUC is plausible, the ROC is
// drawn, the strongest attack with its interval, every attack's interval and orientation, the
// recall ratio, Rust's takeaways and the warnings are shown next to the numbers, the TPR at 0.1% FPR
// (unmeasurable with 152 non-members) is drawn nowhere, the same link gives the same numbers twice,
// those equal the native CLI's bit for bit (strongest, ci95 and takeaways included), and the page stays
// clean (no console / page errors, no other origin, no long main-thread tasks). A link made before
// schema 2 (no v=, holding what only schema 1 wrote) still gives what it gave, the CLI's --preset
// paper run, and says so in a notice; a hand-typed link without v= is read as today's. A second run that changes
// only the attacker reuses the seed's trained recommenders and still equals the CLI.
// The first run and its CLI check are on the real data set (its 152 non-members, its warnings); the
// others on the small one (browser.mjs openPage), each compared with the CLI on the same data.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ROOT, CLI, ratingsOf, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, chartInk, longTasksWhileRunning, download, pngSize, unmeasuredShown, canvasTextsAbout } from './browser.mjs';

const { num, pct, interval } = await import(path.join(ROOT, 'www/js/format.js'));

const LINK = '#v=2&seed=1&run=single';

let env;
const runs = { full: [], small: [] }; // the result of each opening of LINK, by data set

before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

async function openAndRun(data, traceTasks = false) {
  // With the site's service worker, as it ships (browser.mjs openPage blocks it by default).
  const { page, context, problems } = await openPage(env, LINK, { traceTasks, data, serviceWorker: true });
  const state = await waitState(page, ['done', 'error'], 90_000);
  const errorText = state === 'error' ? await page.locator('#error').textContent() : '';
  assert.equal(state, 'done', `the run ended in state ${state}: ${errorText}`);
  const r = await results(page);
  runs[data].push(r);
  return { page, context, problems, r };
}

test('a fixed-seed run from a link reaches done with a plausible AUC and a drawn ROC', async () => {
  const { page, context, problems, r } = await openAndRun('full', true);
  try {
    assert.equal(r.config.seed, 1);
    // Schema 2's defaults (uniform negatives) at seed 1: the attack still separates clearly.
    assert.ok(r.roc_auc >= 0.75 && r.roc_auc <= 1.0, `roc_auc ${r.roc_auc} not in [0.75, 1]`);
    assert.equal(r.roc.fpr.length, r.roc.tpr.length);
    for (const key of ['tpr_at_fpr', 'min_nonzero_fpr', 'balanced_accuracy', 'attacker_advantage', 'ci95', 'strongest', 'takeaways',
      'oriented_on', 'flipped', 'recommender', 'attack', 'baselines', 'warnings', 'counts', 'timings_ms']) assert.ok(key in r, `#results lacks ${key}`);
    assert.equal(r.config.negative_sampling, 'uniform');
    // With 152 non-members the TPR at 0.1% FPR cannot be measured: null in #results.
    assert.equal(r.tpr_at_fpr['0.001'], null);

    // Every attack the run scored sits in one table with its 95% interval and how its direction
    // was set; the strongest is marked.
    assert.deepEqual(Object.keys(r.baselines).sort(), ['distance', 'new-user-list', 'overlap']);
    const rows = await page.locator('#baselines-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    assert.equal(rows.length, 4);
    assert.match(rows[0][0], /^mlp \(this run’s attack/);
    assert.deepEqual(rows[0].slice(1), [num(r.roc_auc), interval(r.ci95.roc_auc), pct(r.tpr_at_fpr['0.01']), `${pct(r.ci95.tpr_at_1pct[0])}–${pct(r.ci95.tpr_at_1pct[1])}`,
      num(r.attacker_advantage), 'learnt from the attacker’s own data']);
    const others = Object.keys(r.baselines).filter((n) => n !== 'mlp');
    others.forEach((name, i) => {
      const b = r.baselines[name];
      assert.ok(rows[i + 1][0].startsWith(`${name} (baseline`), rows[i + 1][0]);
      assert.deepEqual(rows[i + 1].slice(1, 3), [num(b.roc_auc), interval(b.ci95.roc_auc)]);
      assert.equal(b.oriented_on, 'shadow');
      assert.match(rows[i + 1][6], b.flipped ? /set on the shadow users; reversed/ : /^set on the shadow users$/);
    });
    const strongRow = await page.locator('#baselines-table tbody tr.strongest th').textContent();
    assert.ok(strongRow.startsWith(r.strongest.attack) && strongRow.endsWith('strongest'), strongRow);
    // The headline leads with the strongest attack and its interval, the run's own attack beside it;
    // the takeaway is Rust's, word for word.
    const headline = await page.locator('#headline').textContent();
    assert.ok(headline.includes(`Strongest attack: ${r.strongest.attack}${num(r.strongest.roc_auc)}ROC-AUC, 95% ${interval(r.strongest.ci95.roc_auc)}`), headline);
    if (r.strongest.attack !== 'mlp') assert.ok(headline.includes(`This run’s attack: mlp${num(r.roc_auc)}ROC-AUC, 95% ${interval(r.ci95.roc_auc)}`), headline);
    assert.equal(await page.locator('#headline .takeaway').textContent(), r.takeaways.join(' '));
    assert.equal(r.takeaways.length, 3);
    // The recall ratio next to both recalls (target and shadow), and in the headline.
    const t = r.recommender.target;
    assert.ok(t.recall_vs_popularity > 0);
    assert.ok(headline.includes(`${t.recall_vs_popularity.toFixed(2)}× the popularity list’s ${t.popularity_recall_at_n.toFixed(3)}`), headline);
    const ratioRow = await page.locator('#utility-table tr', { hasText: 'Recall vs the popularity list' }).locator('td').allTextContents();
    assert.deepEqual(ratioRow, [`${t.recall_vs_popularity.toFixed(2)}×`, `${r.recommender.shadow.recall_vs_popularity.toFixed(2)}×`]);
    // The only warning of a sound run here: 0.1% FPR cannot be measured. It is shown with the numbers.
    assert.deepEqual(r.warnings, ['TPR at 0.1% FPR is not measurable with 152 non-members (the smallest non-zero FPR is 0.66%): reported as null']);
    assert.equal(await page.locator('#run-warnings li').allTextContents().then((x) => x.join('|')), r.warnings[0]);
    // Stage timings come from performance.now() in the worker (web-sys WorkerGlobalScope).
    assert.ok(r.timings_ms.total > 0 && r.timings_ms.target_recommender > 0, `timings ${JSON.stringify(r.timings_ms)}`);

    const ink = await chartInk(page);
    assert.ok(ink.ink > 2000, `the ROC canvas is nearly empty (${JSON.stringify(ink)})`);
    assert.ok(ink.curve > 300, `the ROC curve is not drawn (${JSON.stringify(ink)})`);

    // The numbers behind the chart are in a real table.
    const auc = await page.locator('table.metrics tr', { hasText: 'ROC-AUC' }).locator('td').first().textContent();
    assert.equal(auc.trim(), r.roc_auc.toFixed(3));
    assert.match(await page.locator('table.metrics').textContent(), /smallest non-zero FPR is 0\.66%/);
    const deep = await page.locator('table.metrics tr', { hasText: 'TPR at 0.1% FPR' }).locator('td').first().textContent();
    assert.equal(deep, 'not measurable with 152 non-members');

    // No TPR at 0.1% FPR drawn or written anywhere as a number: tables, headline, legend, notes,
    // the charts' text equivalents, canvas text; the notes say why instead.
    assert.deepEqual(await unmeasuredShown(page), []);
    assert.deepEqual(await canvasTextsAbout(page, '0.1% FPR'), []);
    assert.match(await page.locator('#chart-notes').textContent(), /TPR at 0\.1% FPR: not measurable with 152 non-members/);
    assert.doesNotMatch(await page.locator('#chart .chart-legend').textContent(), /0\.1%/);

    // Hovering the curve reads out a point: FPR, TPR, threshold and the people behind them.
    const over = await page.locator('#chart .u-over').boundingBox();
    await page.mouse.move(over.x + over.width * 0.05, over.y + over.height * 0.1);
    const readout = await page.locator('#chart-readout').textContent();
    const m = readout.match(/^This run: FPR ([\d.]+)% \((\d+) of 152 non-members flagged\) · TPR ([\d.]+)% \((\d+) of 153 members found\) · flagged when score ≥ [\d.e-]+$/);
    assert.ok(m, `hover readout: ${readout}`);
    assert.ok(Math.abs(+m[2] / 152 * 100 - +m[1]) < 0.06 && Math.abs(+m[4] / 153 * 100 - +m[3]) < 0.06, readout);

    // Log-log view: still drawn, and the page says where zeros went.
    await page.getByLabel('Log–log (low-FPR view)').check();
    assert.match(await page.locator('#chart-notes').textContent(), /cannot show 0/);
    assert.ok((await chartInk(page)).curve > 300, 'the log-log ROC curve is not drawn');
    assert.deepEqual(await unmeasuredShown(page), [], 'a 0.1% FPR number in the log-log view');
    assert.deepEqual(await canvasTextsAbout(page, '0.1% FPR'), [], 'a 0.1% FPR marker label in the log-log view');
    assert.match(await page.evaluate(() => location.hash), /scale=log/);

    // Exports: JSON = #results, CSV = the ROC points, PNG = a real image at 2x; each is named after
    // its condition and the CSV says it in its first line; the link reruns this run.
    const json = await download(page, '#btn-json');
    assert.deepStrictEqual(JSON.parse(json.bytes.toString()), r);
    assert.equal(json.name, 'memberlens-single-seed1.json');
    const csvFile = await download(page, '#btn-csv');
    assert.equal(csvFile.name, 'memberlens-single-seed1.csv');
    const csv = csvFile.bytes.toString().trim().split('\n');
    assert.equal(csv[0], '# MemberLens single: seed 1, other settings at their defaults');
    assert.equal(csv[1], 'threshold,fpr,tpr');
    assert.equal(csv.length, r.roc.fpr.length + 2);
    assert.deepEqual(csv[2].split(',').map(Number), [r.roc.thresholds[0], r.roc.fpr[0], r.roc.tpr[0]]);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, 'memberlens-single-seed1-loglog.png');
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.bytes.length > 10_000, `PNG of ${png.bytes.length} bytes`);
    const cssWidth = await page.locator('#chart .plot').evaluate((e) => e.clientWidth);
    const { width } = pngSize(png.bytes);
    assert.ok(width >= 2 * cssWidth, `PNG ${width}px wide for a chart of ${cssWidth} CSS px: not drawn at 2x`);
    await page.locator('#btn-copy-link').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(link, /#v=2&seed=1&run=single&scale=log$/);

    const slow = await longTasksWhileRunning(page);
    assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms of CPU) while running: ${JSON.stringify(slow)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the long-task check sees a task of about 0.4 s of CPU the test puts on the main thread during a run', async () => {
  // The check every run mode's test relies on (browser.mjs: CPU time from a Chromium trace) must
  // be able to fail: a busy loop of fixed work started while the page is running is reported.
  const { page, context } = await openPage(env, '#v=2&seed=1&run=single&epochs=40', { traceTasks: true });
  try {
    await waitState(page, 'running');
    await page.evaluate(() => setTimeout(() => {
      let x = 0;
      for (let i = 0; i < 5e7; i++) x += Math.sqrt(x + i);
      window.__busy = x;
    }, 0));
    assert.equal(await waitState(page, ['done', 'error']), 'done');
    const slow = await longTasksWhileRunning(page);
    assert.equal(slow.length, 1, `one long task expected: ${JSON.stringify(slow)}`);
    assert.ok(slow[0].cpuMs > 200 && slow[0].cpuMs < 5000, JSON.stringify(slow));
  } finally {
    await context.close();
  }
});

test('the page equals the native CLI (memberlens run --seed 1 --json)', async (t) => {
  requireCli('full');
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratingsOf('full'), '--seed', '1', '--json'],
    { maxBuffer: 64 << 20 });
  const cli = JSON.parse(stdout);
  const page = runs.full[0];
  assert.ok(page, 'no page result to compare (the first test failed)');
  assert.strictEqual(page.roc_auc, cli.roc_auc);
  assert.deepStrictEqual(page.roc, cli.roc);
  assert.deepStrictEqual(page.tpr_at_fpr, cli.tpr_at_fpr);
  assert.deepStrictEqual(page.config, cli.config);
  assert.deepStrictEqual(page.counts, cli.counts);
  assert.deepStrictEqual(page.baselines, cli.baselines);
  assert.deepStrictEqual(page.recommender, cli.recommender);
  assert.deepStrictEqual(page.warnings, cli.warnings);
  // The strongest attack, the bootstrap intervals (seeded: the same resamples in wasm and natively),
  // the orientation and the takeaways Rust writes from them.
  assert.deepStrictEqual(page.strongest, cli.strongest);
  assert.deepStrictEqual(page.ci95, cli.ci95);
  assert.deepStrictEqual([page.oriented_on, page.flipped], [cli.oriented_on, cli.flipped]);
  assert.deepStrictEqual(page.takeaways, cli.takeaways);
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  assert.deepStrictEqual(strip(page), strip(cli));
});

test('a link made before schema 2 (no v=, negative_sampling=uniform) gives what it gave: memberlens run --preset paper, with a notice', async () => {
  // Schema 1 wrote negative_sampling=uniform only because its default was popularity: an old link.
  const { page, context, problems } = await openPage(env, '#seed=0&negative_sampling=uniform&run=single');
  let r;
  try {
    assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done', await page.locator('#error').textContent());
    r = await results(page);
    assert.equal(r.config.negative_sampling, 'uniform', 'the link\'s own value');
    assert.equal(r.config.epochs, 40, 'schema 1 trained 40 epochs');
    assert.equal(r.config.vector_k, 0, 'schema 1 tied the attacker\'s vector length to k');
    // A notice says which preset it was read with; the label and the address say it in schema 2's words.
    const notice = page.locator('#link-notice');
    assert.ok(await notice.isVisible(), 'no notice for an old link');
    assert.match(await notice.textContent(), /before schema 2 \(it holds negative_sampling=uniform.*read over the paper preset/);
    assert.match(await page.locator('#condition').textContent(), /seed 0, paper preset, negative_sampling: uniform/);
    assert.equal(await page.evaluate(() => location.hash), '#v=2&preset=paper&negative_sampling=uniform&run=single');
    assert.equal(await page.locator('#btn-preset-paper').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  requireCli();
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratingsOf('small'), '--preset', 'paper', '--seed', '0',
    '--config', '{"negative_sampling":"uniform"}', '--json'], { maxBuffer: 64 << 20 });
  const cli = JSON.parse(stdout);
  assert.strictEqual(r.roc_auc, cli.roc_auc, `page AUC ${r.roc_auc} vs CLI --preset paper ${cli.roc_auc}`);
  assert.deepStrictEqual(r.roc, cli.roc);
  assert.deepStrictEqual(r.config, cli.config);
});

test('a hand-typed link without v= (#seed=3&k=16) is read as today\'s schema, with no notice', async () => {
  const { page, context, problems } = await openPage(env, '#seed=3&k=16');
  try {
    await waitState(page, 'ready', 30_000);
    assert.ok(await page.locator('#link-notice').isHidden(), 'a notice for a current link');
    assert.equal(await page.locator('#btn-preset-default').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#f-vector_k').inputValue(), '100', 'today\'s vector length, not tied to k');
    assert.equal(await page.locator('#f-negative_sampling').inputValue(), 'uniform');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a second run that changes only the attacker reuses the seed\'s recommenders and equals the CLI', async (t) => {
  const { page, context, problems, r } = await openAndRun('small');
  try {
    assert.ok(r.timings_ms.target_recommender > 0, 'the first run trains');
    // Only the attacker's vector length changes: the recommenders, their lists and the split stay.
    await page.evaluate(() => {
      const f = document.getElementById('f-vector_k');
      f.value = '40';
      f.dispatchEvent(new Event('input', { bubbles: true }));
      f.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.getByRole('button', { name: 'Run attack', exact: true }).click();
    await page.waitForFunction(() => document.body.dataset.state === 'running', null, { timeout: 10_000 }).catch(() => {});
    assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done', await page.locator('#error').textContent());
    const second = await results(page);
    assert.equal(second.config.vector_k, 40);
    for (const stage of ['target_recommender', 'shadow_recommender', 'recommendations']) {
      assert.equal(second.timings_ms[stage], 0, `${stage} ran again`);
    }
    assert.deepStrictEqual(second.recommender, r.recommender, 'the same recommenders served the lists');
    assert.deepEqual(problems, []);
    requireCli();
    const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratingsOf('small'), '--seed', '1', '--vector-k', '40', '--json'],
      { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout);
    const strip = ({ timings_ms: _t, ...rest }) => rest;
    assert.deepStrictEqual(strip(second), strip(cli));
  } finally {
    await context.close();
  }
});

test('the same link opened again gives identical numbers', async () => {
  // On the small data set, as the previous test opened it.
  assert.equal(runs.small.length, 1, 'no earlier opening of the link to compare with (the previous test failed)');
  const { context, problems, r } = await openAndRun('small');
  await context.close();
  assert.deepEqual(problems, []);
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  assert.deepStrictEqual(strip(r), strip(runs.small[0]));
});
