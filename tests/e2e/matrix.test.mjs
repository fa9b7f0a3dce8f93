// matrix.test.mjs — the transfer matrix (run=matrix): from a link it runs a matrix job with the
// link's algorithms and seeds, puts the matrix JSON in #results (equal to the CLI's `matrix --json`),
// draws a heatmap (rows shadow, columns target, one fixed colour scale, values in the cells, the
// diagonal outlined) of the run's attack with a text equivalent and a keyboard readout, shows the
// numbers in tables (each cell's strongest attack beside), Rust's verdict, and downloads CSV / PNG
// named after the condition. The matrix button runs it with progress and
// Cancel, like every other job; a shadow-free attack is refused with a clear message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, download, pngSize, longTasksWhileRunning, contrast } from './browser.mjs';

const { pct } = await import(path.join(ROOT, 'www/js/format.js'));

const QUICK = 'k=16&vector_k=16&epochs=6&vector_epochs=2&attack_epochs=6&attack_restarts=1';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** Pixels of the heatmap canvas within `tol` of each colour in `hexes`. */
async function heatPixels(page, hexes, tol = 6) {
  return page.evaluate(([want, t]) => {
    const c = document.querySelector('#chart canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const rgb = want.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const n = rgb.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      rgb.forEach((w, j) => {
        if (Math.abs(d[i] - w[0]) <= t && Math.abs(d[i + 1] - w[1]) <= t && Math.abs(d[i + 2] - w[2]) <= t) n[j]++;
      });
    }
    return n;
  }, [hexes, tol]);
}

test('#v=2&run=matrix&recommenders=lfm,popularity&seeds=1: heatmap, tables, downloads, and the CLI\'s matrix exactly', async (t) => {
  let slow = [];
  // seeds= counts seeds from seed= (as sweeps do): seeds=1 is the CLI's --seeds 0.
  const { page, context, problems, ratings } = await openPage(env, '#v=2&run=matrix&recommenders=lfm,popularity&seeds=1', { traceTasks: true });
  let r;
  try {
    // Progress comes from the core's matrix job: stage by stage, naming the algorithm it trains.
    await page.waitForFunction(() => /seed 0: (target|shadow) (lfm|popularity)/.test(document.getElementById('stages').textContent),
      null, { timeout: 60_000 });
    assert.equal(await waitState(page, ['done', 'error'], 120_000), 'done', await page.locator('#error').textContent());
    r = await results(page);
    assert.deepEqual(r.recommenders, ['lfm', 'popularity']);
    assert.deepEqual(r.seeds, [0]);
    assert.equal(r.cells.length, 4);
    assert.deepEqual(r.cells.map((c) => `${c.shadow}>${c.target}`), ['lfm>lfm', 'lfm>popularity', 'popularity>lfm', 'popularity>popularity']);
    assert.equal(r.config.negative_sampling, 'uniform', 'a v=2 link runs over the current defaults');

    // The heatmap: a canvas in a role="img" whose label lists every cell, described by the table.
    const img = page.locator('#chart [role="img"]');
    assert.equal(await img.count(), 1);
    const label = await img.getAttribute('aria-label');
    for (const c of r.cells) {
      assert.ok(label.includes(`Shadow ${c.shadow}, target ${c.target}: ${c.roc_auc_mean.toFixed(3)}`), `the label lacks ${c.shadow}>${c.target}: ${label}`);
    }
    assert.equal(await img.getAttribute('aria-describedby'), 'matrix-table');
    // Each cell is painted in its colour of the fixed scale (0.5 → 1): the lfm diagonal (AUC ≈ 0.85)
    // in a mid colour, the popularity cells (≈ 0.5) in the lightest.
    const colours = await page.evaluate(async (vals) => {
      const { heatColour } = await import('./js/charts.js');
      return vals.map(heatColour);
    }, r.cells.map((c) => c.roc_auc_mean));
    const px = await heatPixels(page, [...new Set(colours)]);
    for (const [i, n] of px.entries()) assert.ok(n > 2000, `cell colour ${[...new Set(colours)][i]} painted on ${n} px`);
    assert.ok(r.cells[0].roc_auc_mean > 0.7, `lfm>lfm AUC ${r.cells[0].roc_auc_mean}`);
    // The colour scale does not move with the data: 0.5 is the lightest, 1 the darkest, below 0.5 clamps.
    const scale = await page.evaluate(async () => {
      const { heatColour, HEAT } = await import('./js/charts.js');
      return [heatColour(0.5), heatColour(0.3), heatColour(1), HEAT[0], HEAT[HEAT.length - 1]];
    });
    assert.deepEqual(scale, [scale[3], scale[3], scale[4], scale[3], scale[4]]);
    // The number written in a cell reads at WCAG AA contrast on every colour of the scale.
    const inks = await page.evaluate(async () => {
      const { heatColour, heatInk } = await import('./js/charts.js');
      const out = [];
      for (let v = 0.5; v <= 1.00001; v += 0.005) out.push([v, heatColour(v), heatInk(heatColour(v))]);
      return out;
    });
    const rgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    for (const [v, bg, fg] of inks) assert.ok(contrast(rgb(bg), rgb(fg)) >= 4.5, `cell text at AUC ${v.toFixed(3)}: ${contrast(rgb(bg), rgb(fg)).toFixed(2)}:1`);
    assert.match(await page.locator('#chart-notes').textContent(), /one fixed scale, from 0\.5 \(chance; lightest\) to 1 \(darkest\)/);
    assert.match(await page.locator('#chart .chart-legend').textContent(), /Outlined: shadow = target/);

    // The numbers also in a table: rows shadow, columns target, the diagonal marked.
    const rows = await page.locator('#matrix-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    assert.deepEqual(rows, [
      ['shadow lfm', `${r.cells[0].roc_auc_mean.toFixed(3)} ± —`, `${r.cells[1].roc_auc_mean.toFixed(3)} ± —`],
      ['shadow popularity', `${r.cells[2].roc_auc_mean.toFixed(3)} ± —`, `${r.cells[3].roc_auc_mean.toFixed(3)} ± —`],
    ]);
    assert.equal(await page.locator('#matrix-table td.diagonal').count(), 2);
    // The heatmap stays the run's attack (the transfer question); a table adds each cell's strongest.
    const strong = await page.locator('#matrix-strongest-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(1).map((c) => c.textContent)));
    assert.deepEqual(strong.flat(), r.cells.map((c) => `${c.strongest_roc_auc_mean.toFixed(3)} (${c.strongest_attack})`));
    // The verdict is Rust's (personalised algorithms only: here lfm alone), word for word.
    assert.equal(await page.locator('#headline .takeaway').textContent(), r.takeaways.join(' '));
    assert.match(r.takeaways[0], /^One personalised algorithm only \(lfm\)/);
    assert.equal(await page.locator('#matrix-utility-table tbody tr').count(), 2);

    // Keyboard readout: focus the heatmap, walk to a cell.
    await img.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#chart-readout').textContent(),
      `Shadow lfm → target popularity: ROC-AUC ${r.cells[1].roc_auc_mean.toFixed(3)} ± — (1 seed) · TPR at 1% FPR ${pct(r.cells[1].tpr_at_1pct_mean)}`
      + ` · strongest attack: ${r.cells[1].strongest_attack} ${r.cells[1].strongest_roc_auc_mean.toFixed(3)}`);
    await page.keyboard.press('End');
    assert.match(await page.locator('#chart-readout').textContent(), /^Shadow popularity → target popularity: .*same algorithm/);

    // Downloads named after the condition: JSON = #results, CSV = every cell and seed, PNG at 2x.
    const stem = 'memberlens-matrix-seed0x1-lfm-popularity';
    const json = await download(page, '#btn-json');
    assert.equal(json.name, `${stem}.json`);
    assert.deepStrictEqual(JSON.parse(json.bytes.toString()), r);
    const csv = await download(page, '#btn-csv');
    assert.equal(csv.name, `${stem}.csv`);
    const lines = csv.bytes.toString().trim().split('\n');
    assert.equal(lines[0], '# MemberLens matrix: seed 0, recommenders lfm, popularity');
    assert.equal(lines[1], 'shadow,target,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr');
    assert.equal(lines.length, 2 + 4);
    const run1 = r.cells[1].runs[0];
    assert.equal(run1.tpr_at_fpr['0.001'], null);
    assert.deepEqual(lines[3].split(','), ['lfm', 'popularity', '0', String(run1.roc_auc), String(run1.tpr_at_fpr['0.01']), '',
      run1.strongest.attack, String(run1.strongest.roc_auc), String(run1.strongest.tpr_at_1pct)]);
    const png = await download(page, '#btn-png');
    assert.equal(png.name, `${stem}.png`);
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    const cssWidth = await page.locator('#chart canvas').evaluate((c) => c.getBoundingClientRect().width);
    assert.ok(pngSize(png.bytes).width >= 2 * cssWidth, `PNG ${pngSize(png.bytes).width}px for a heatmap of ${cssWidth} CSS px`);
    // The link reproduces the matrix.
    await page.locator('#btn-copy-link').click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /#v=2&run=matrix&seeds=1&recommenders=lfm,popularity$/);
    assert.ok((await page.locator('#announce').textContent()).startsWith(`Transfer matrix done. ${r.takeaways.join(' ')}`));
    // Asserted after the comparison with the CLI below: a slow moment on a loaded machine must
    // not keep that comparison from running.
    slow = await longTasksWhileRunning(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  requireCli();
  const { stdout } = await promisify(execFile)(CLI, ['matrix', '--recommenders', 'lfm,popularity', '--seeds', '0', '--json',
    '--ratings', ratings], { maxBuffer: 64 << 20 });
  const cli = JSON.parse(stdout);
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  assert.deepStrictEqual(r.cells.map((c) => c.runs), cli.cells.map((c) => c.runs), 'the cells\' runs differ from the CLI\'s');
  assert.deepStrictEqual(strip(r), strip(cli));
  assert.deepEqual(slow, [], `main-thread long tasks (> 200 ms of CPU) while running: ${JSON.stringify(slow)}`);
});

// Every text #status shows, as it changes (a MutationObserver): a seed's progress line can be on
// screen for less than a check of the page takes.
function recordStatus() {
  window.__status = [];
  new MutationObserver(() => {
    const t = document.getElementById('status')?.textContent;
    if (t && window.__status[window.__status.length - 1] !== t) window.__status.push(t);
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

test('the matrix button: progress per seed, Cancel stops it, then a run completes', async () => {
  // On the real data set: on the small one the second run takes under 0.5 s and the page, which
  // shows progress a few times a second, never shows its second seed (measured).
  const { page, context, problems } = await openPage(env, `#v=2&seeds=2&recommenders=lfm,item-knn&${QUICK}`, { init: recordStatus, data: 'full' });
  try {
    await waitState(page, 'ready');
    await page.getByRole('button', { name: /^Transfer matrix/ }).click();
    await waitState(page, 'running');
    await page.waitForFunction(() => window.__status.some((t) => /^Seed 1 of 2 \(seed 0\)\. Stage \d of 8/.test(t)), null, { timeout: 30_000 });
    assert.match(await page.locator('#results-empty').textContent(), /transfer matrix/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitState(page, 'ready', 5_000);
    assert.match(await page.locator('#status').textContent(), /Cancelled/);
    assert.equal(await results(page), null, 'a cancelled matrix must not leave results');
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', 'the worker kept sending after the cancel');

    // Run it to the end: two seeds give a spread in every cell.
    const seen = await page.evaluate(() => window.__status.length);
    await page.getByRole('button', { name: /^Transfer matrix/ }).click();
    await page.waitForFunction((n) => window.__status.slice(n).some((t) => /^Seed 2 of 2 \(seed 1\)/.test(t)), seen, { timeout: 60_000 });
    assert.equal(await waitState(page, ['done', 'error'], 120_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    assert.deepEqual(r.seeds, [0, 1]);
    assert.deepEqual(r.recommenders, ['lfm', 'item-knn']);
    for (const c of r.cells) assert.equal(c.runs.length, 2);
    const cell = await page.locator('#matrix-table tbody tr').first().locator('td').first().textContent();
    assert.equal(cell.trim(), `${r.cells[0].roc_auc_mean.toFixed(3)} ± ${r.cells[0].roc_auc_std.toFixed(3)}`);
    assert.match(await page.locator('#condition').textContent(), /seeds 0–1, .*recommenders lfm, item-knn/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a shadow-free attack cannot make a matrix: the page says why and stays usable', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&attack=distance&seeds=1&recommenders=popularity&run=matrix&${QUICK}`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 30_000), 'error');
    assert.match(await page.locator('#error').textContent(), /attack: the matrix needs an attack trained on a shadow model \(mlp\)/);
    assert.ok(await page.getByRole('button', { name: 'Run attack' }).isEnabled());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Issue 18 (item 4): a long job draws what it has. The titles the chart takes and the running
// job's time line are recorded as they change (a MutationObserver: the job takes ~2 s here).
function recordProgress() {
  window.__seen = { titles: [], times: [] };
  new MutationObserver(() => {
    const t = document.querySelector('#chart .chart-title')?.textContent;
    const s = window.__seen;
    if (t && s.titles[s.titles.length - 1] !== t) s.titles.push(t);
    const j = document.getElementById('job-time');
    if (j && !j.hidden && j.textContent && s.times[s.times.length - 1] !== j.textContent) s.times.push(j.textContent);
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

for (const workers of [1, 2]) {
  test(`a 3-seed matrix fills in seed by seed while it runs, with its estimate and time left (workers=${workers})`, async () => {
    const { page, context, problems, url } = await openPage(env, '', { init: recordProgress });
    try {
      await page.goto(`${url}#workers=${workers}&v=2&seeds=3&recommenders=lfm,popularity&${QUICK}&run=matrix`);
      assert.equal(await waitState(page, ['done', 'error'], 120_000), 'done', await page.locator('#error').textContent());
      const { titles, times } = await page.evaluate(() => window.__seen);
      assert.ok(titles.some((t) => t.includes('(so far: 1 of 3 seeds)')), `no partial matrix after one seed: ${titles.join(' | ')}`);
      assert.ok(titles.some((t) => t.includes('(so far: 2 of 3 seeds)')), `no partial matrix after two seeds: ${titles.join(' | ')}`);
      assert.doesNotMatch(titles[titles.length - 1], /so far/, 'the finished matrix still says "so far"');
      assert.ok(times.length > 0 && times.every((t) => /^Estimated \d+ (min \d+ )?s · \d+ (min \d+ )?s so far · (about \d+ (min \d+ )?s left|almost done)$/.test(t)),
        `the running job's time line: ${times.join(' | ')}`);
      assert.match(await page.locator('#status').textContent(), /^Done in .* \(in this browser tab; estimated \d+/);
      assert.ok(await page.locator('#job-time').isHidden(), 'the time line stays after the job');
      // The finished cells are the whole job's (the partial ones were only on screen).
      assert.deepEqual((await results(page)).seeds, [0, 1, 2]);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
