// lecture.test.mjs — lecture mode (present=1): large type at 1024×768, only the figure and a
// one-line takeaway, guided steps moved with ← / → / Space that set the controls, run (or reuse
// the result on screen) and write their takeaway from the numbers they got; step=N opens a step;
// hide= hides controls; slow=1 narrates the eight stages one by one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState, results } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const takeaway = (page) => page.locator('#lec-takeaway').textContent();
const runsStarted = (page) => page.evaluate(() => window.__states.filter((s) => s.state === 'running').length);

async function waitStep(page, n) {
  await page.waitForFunction((k) => new RegExp(`^${k}\\. [^\\u2014]*: `).test(document.getElementById('lec-takeaway').textContent)
    && document.body.dataset.state === 'done', n, { timeout: 90_000 });
}

test('present=1: big type, only the figure and the takeaway; ←/→/Space walk the steps', async () => {
  const { page, context, problems } = await openPage(env, `#present=1&seed=3&${QUICK}`, { viewport: { width: 1024, height: 768 } });
  try {
    await waitState(page, 'ready');
    const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(size >= 24, `body text is ${size}px in lecture mode`);
    assert.match(await takeaway(page), /Press → or Space/);
    assert.equal(await runsStarted(page), 0, 'present=1 without a step should wait for the lecturer');

    // Step 1 (→): the paper's setting; the takeaway quotes the numbers of the run it made.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 1);
    const r1 = await results(page);
    assert.equal(r1.config.protocol, 'popular');
    assert.equal(r1.config.seed, 3, 'the step changed a setting it is not about');
    let text = await takeaway(page);
    assert.ok(text.includes(`AUC ${r1.roc_auc.toFixed(3)}`), text);
    assert.match(await page.evaluate(() => location.hash), /step=1/);
    // Only the figure and the takeaway: settings, tables, headline, explanations are hidden.
    for (const sel of ['#controls-panel', '#tables', '#headline', '#explain', '#progress-panel', '.question']) {
      assert.ok(await page.locator(sel).isHidden(), `${sel} is visible in lecture mode`);
    }
    const plot = await page.locator('#chart .plot').boundingBox();
    assert.ok(plot.y + plot.height <= 768, `the figure ends at ${plot.y + plot.height}px, below the screen`);
    assert.ok(plot.width >= 600, `the figure is only ${plot.width}px wide`);
    assert.ok(await page.locator('#lec-takeaway').evaluate((e) => parseFloat(getComputedStyle(e).fontSize)) >= 24);

    // Step 2 (Space): same run, log-log view, who is flagged — no new run.
    const before = await runsStarted(page);
    await page.keyboard.press(' ');
    await waitStep(page, 2);
    assert.equal(await runsStarted(page), before, 'step 2 re-ran what step 1 already showed');
    assert.match(await page.evaluate(() => location.hash), /scale=log.*step=2|step=2.*scale=log/);
    text = await takeaway(page);
    const named = Math.round(r1.tpr_at_fpr['0.01'] * r1.counts.target_members);
    assert.ok(text.includes(`names ${named} of ${r1.counts.target_members} members`), text);

    // Step 3: popular list vs fold-in.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 3);
    const r3 = await results(page);
    assert.deepEqual(r3.runs.map((x) => x.config.protocol), ['popular', 'fold-in']);
    assert.strictEqual(r3.runs[0].roc_auc, r1.roc_auc, 'the comparison\'s popular run differs from step 1');
    text = await takeaway(page);
    assert.ok(text.includes(r3.runs[1].roc_auc.toFixed(3)), text);

    // Step 4: a one-seed k-sweep; the takeaway quotes its first and last points.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 4);
    const { sweep } = await results(page);
    assert.deepEqual(sweep.seeds, [3]);
    text = await takeaway(page);
    assert.ok(text.includes(`AUC ${sweep.points[0].roc_auc_mean.toFixed(3)} at k = 10`), text);
    assert.equal(await page.locator('#chart .plot').count(), 2);

    // ← goes back: step 3 again (a new comparison run, same numbers).
    await page.keyboard.press('ArrowLeft');
    await waitStep(page, 3);
    assert.deepStrictEqual((await results(page)).runs.map((x) => x.roc_auc), r3.runs.map((x) => x.roc_auc));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('step=3 opens step 3 directly; the step buttons open steps too', async () => {
  const { page, context, problems } = await openPage(env, `#present=1&step=3&seed=4&${QUICK}`, { viewport: { width: 1024, height: 768 } });
  try {
    await waitStep(page, 3);
    const r = await results(page);
    assert.equal(r.runs.length, 2);
    assert.equal(await page.locator('#lec-steps button[aria-current="step"]').textContent(), '3. Fold-in');
    await page.getByRole('button', { name: '1. The paper’s setting' }).click();
    await waitStep(page, 1);
    assert.equal((await results(page)).config.protocol, 'popular');
    // Leaving lecture mode brings the settings and tables back, with normal type.
    await page.getByRole('button', { name: 'Exit lecture' }).click();
    assert.ok(await page.locator('#controls-panel').isVisible());
    assert.ok(await page.locator('#tables').isVisible());
    assert.ok(await page.locator('#lecture').isHidden());
    assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize)) < 24);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /present/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('hide= hides the named controls (and only those)', async () => {
  const { page, context, problems } = await openPage(env, `#hide=k,lr&${QUICK}`);
  try {
    await waitState(page, 'ready');
    assert.ok(await page.locator('#f-k').isHidden());
    assert.ok(await page.locator('#f-lr').isHidden());
    assert.ok(await page.locator('#f-epochs').isVisible());
    // An unknown key makes the list invalid: a warning, and nothing hidden by mistake.
    await page.evaluate(() => { location.hash = '#hide=k,lr,nope'; });
    await page.waitForFunction(() => !document.getElementById('f-k').closest('.field').hidden);
    assert.match(await page.locator('#warnings').textContent(), /hide = “k,lr,nope” is not valid/);
    assert.ok(await page.locator('#f-lr').isVisible());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('slow=1 narrates the eight stages one by one', async () => {
  const { page, context, problems } = await openPage(env, `#present=1&slow=1&step=1&${QUICK}`, { viewport: { width: 1024, height: 768 } });
  try {
    const seen = new Set();
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      const t = await takeaway(page);
      const m = t.match(/^Stage (\d) of 8 — ([^:]+): .{20,}/);
      if (m) seen.add(`${m[1]} ${m[2]}`);
      if (/^1\. [^—]*: /.test(t)) break;
      await page.waitForTimeout(250);
    }
    assert.deepEqual([...seen].map((s) => +s[0]), [1, 2, 3, 4, 5, 6, 7, 8], `stages narrated: ${[...seen].join('; ')}`);
    assert.ok(Date.now() - t0 > 8 * 2000, 'the stages were not held long enough to narrate');
    assert.ok(await page.locator('#lec-slow').isChecked());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
