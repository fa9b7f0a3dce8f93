// lecture.test.mjs — lecture mode (present=1): large type at 1024×768, only the figure and a
// one-line takeaway, guided steps moved with ← / → / Space that set the controls, run (or reuse
// the result on screen) and show the takeaway Rust wrote from the numbers they got; step=N opens a step;
// hide= hides controls; slow=1 narrates the eight stages one by one. The five steps: the paper's
// setting (paper preset), who is flagged (the Individuals strip), fold-in, the transfer matrix of
// three algorithms, the model-size sweep; at 390 px nothing scrolls sideways.

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

test('present=1: big type, only the figure and the takeaway; ←/→/Space walk the five steps', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&present=1&seed=3&${QUICK}`, { viewport: { width: 1024, height: 768 } });
  try {
    await waitState(page, 'ready');
    const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(size >= 24, `body text is ${size}px in lecture mode`);
    assert.match(await takeaway(page), /^5 steps\. Press → or Space/);
    assert.equal(await runsStarted(page), 0, 'present=1 without a step should wait for the lecturer');

    // Step 1 (→): the paper's setting — the paper preset under the link's own changes (its quick
    // keys stay); the takeaway quotes the numbers of the run it made.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 1);
    const r1 = await results(page);
    assert.equal(r1.config.protocol, 'popular');
    assert.equal(r1.config.negative_sampling, 'popularity', 'step 1 is not on the paper preset');
    assert.equal(r1.config.vector_k, 0, 'step 1 is not on the paper preset');
    assert.equal(r1.config.epochs, 8, 'step 1 dropped the link\'s own epochs');
    assert.equal(r1.config.seed, 3, 'the step changed a setting it is not about');
    let text = await takeaway(page);
    // Rust's first takeaway: the strongest attack with its interval.
    assert.ok(text.includes(`${r1.takeaways[0]} (paper preset`), text);
    assert.match(text, /The strongest attack, [a-z-]+, reaches ROC-AUC \d\.\d{3} \(95% /);
    assert.ok(text.includes('paper preset, seed 3'), text);
    assert.match(await page.evaluate(() => location.hash), /preset=paper.*step=1/);
    // Only the figure and the takeaway: settings, tables, headline, explanations are hidden.
    for (const sel of ['#controls-panel', '#tables', '#headline', '#explain', '#progress-panel', '.question', '#individuals']) {
      assert.ok(await page.locator(sel).isHidden(), `${sel} is visible in lecture mode`);
    }
    const plot = await page.locator('#chart .plot').boundingBox();
    assert.ok(plot.y + plot.height <= 768, `the figure ends at ${plot.y + plot.height}px, below the screen`);
    assert.ok(plot.width >= 600, `the figure is only ${plot.width}px wide`);
    assert.ok(await page.locator('#lec-takeaway').evaluate((e) => parseFloat(getComputedStyle(e).fontSize)) >= 24);

    // Step 2 (Space): same run, no new one; the Individuals strip replaces the ROC chart.
    const before = await runsStarted(page);
    await page.keyboard.press(' ');
    await waitStep(page, 2);
    assert.equal(await runsStarted(page), before, 'step 2 re-ran what step 1 already showed');
    assert.ok(await page.locator('#chart').isHidden(), 'the ROC chart stays next to the strip');
    const strip = await page.locator('#ind-strip').boundingBox();
    assert.ok(strip && strip.width >= 600 && strip.y + strip.height <= 768, `the strip is at ${JSON.stringify(strip)}`);
    const ink = await page.locator('#ind-strip').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] < 120 && d[i + 2] > 120) n++; // member blue
      return n;
    });
    assert.ok(ink > 500, `the strip shows only ${ink} member-blue pixels`);
    for (const sel of ['#ind-thr', '#ind-user', '#ind-counts', '.ind-intro']) {
      assert.ok(await page.locator(sel).isHidden(), `${sel} is visible in lecture mode`);
    }
    text = await takeaway(page);
    const named = Math.round(r1.tpr_at_fpr['0.01'] * r1.counts.target_members);
    assert.ok(text.includes(`names ${named} of ${r1.counts.target_members} members`), text);
    // The counts at the attack's own cut-off, as the Individuals view itself states them.
    const { tp, fp } = await page.locator('#ind-counts').evaluate((e) => ({ ...e.dataset }));
    assert.ok(text.includes(`flags ${tp} members and ${fp} non-members`), `${text} (view: ${tp}, ${fp})`);

    // Step 3: popular list vs fold-in; the ROC chart is back, the strip gone.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 3);
    const r3 = await results(page);
    assert.deepEqual(r3.runs.map((x) => x.config.protocol), ['popular', 'fold-in']);
    assert.strictEqual(r3.runs[0].roc_auc, r1.roc_auc, 'the comparison\'s popular run differs from step 1');
    text = await takeaway(page);
    assert.ok(text.endsWith(r3.takeaways[0]), text);
    assert.ok(text.includes(r3.runs[1].strongest.roc_auc.toFixed(3)), text);
    assert.ok(await page.locator('#chart .plot').isVisible());
    assert.ok(await page.locator('#individuals').isHidden());

    // Step 4: the transfer matrix of three algorithms, one seed; the takeaway quotes its numbers.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 4);
    const m = await results(page);
    assert.deepEqual(m.cells.map((c) => `${c.shadow}>${c.target}`), ['lfm', 'item-knn', 'popularity']
      .flatMap((s) => ['lfm', 'item-knn', 'popularity'].map((t) => `${s}>${t}`)));
    for (const c of m.cells) assert.deepEqual(c.runs.map((r) => r.seed), [3]);
    assert.equal(m.cells[0].runs[0].roc_auc, r1.roc_auc, 'the matrix\'s lfm>lfm cell differs from step 1');
    // The verdict is Rust's, over the personalised algorithms only (the popularity row and column sit
    // at chance by construction), with the personalised diagonal's mean.
    const mean = (cs) => cs.reduce((a, c) => a + c.roc_auc_mean, 0) / cs.length;
    const personal = m.cells.filter((c) => c.shadow !== 'popularity' && c.target !== 'popularity');
    const diag = mean(personal.filter((c) => c.shadow === c.target));
    text = await takeaway(page);
    assert.ok(text.endsWith(m.takeaways.join(' ')), text);
    assert.ok(text.includes(`Among the personalised algorithms (lfm, item-knn), the mlp attack reaches ROC-AUC ${diag.toFixed(3)} with the target's own algorithm`), text);
    assert.match(await page.evaluate(() => location.hash), /recommenders=lfm,item-knn,popularity/);

    // Step 5: a one-seed model-size sweep; the takeaway quotes its first and last points.
    await page.keyboard.press('ArrowRight');
    await waitStep(page, 5);
    const { sweep } = await results(page);
    assert.deepEqual(sweep.seeds, [3]);
    assert.equal(sweep.param, 'k');
    text = await takeaway(page);
    assert.ok(text.endsWith(sweep.takeaways.join(' ')), text);
    assert.match(text, /From k = 10 to 100, the strongest attack's ROC-AUC/);
    // ROC-AUC, TPR at 1% FPR and the members' recall that the model's size moves.
    assert.equal(await page.locator('#chart .plot').count(), 3);
    // → at the last step stays there.
    assert.ok(await page.locator('#lec-next').isDisabled());

    // ← goes back: step 4 again (a new matrix run, same numbers).
    await page.keyboard.press('ArrowLeft');
    await waitStep(page, 4);
    assert.deepStrictEqual((await results(page)).cells.map((c) => c.roc_auc_mean), m.cells.map((c) => c.roc_auc_mean));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('step=3 opens step 3 directly; the step buttons open steps too', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&present=1&step=3&seed=4&${QUICK}`, { viewport: { width: 1024, height: 768 } });
  try {
    await waitStep(page, 3);
    const r = await results(page);
    assert.equal(r.runs.length, 2);
    // Opened directly, the step stands on the paper preset too.
    assert.deepEqual(r.runs.map((x) => x.config.negative_sampling), ['popularity', 'popularity']);
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
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&hide=k,lr&${QUICK}`);
  try {
    await waitState(page, 'ready');
    assert.ok(await page.locator('#f-k').isHidden());
    assert.ok(await page.locator('#f-lr').isHidden());
    assert.ok(await page.locator('#f-epochs').isVisible());
    // An unknown key makes the list invalid: a warning, and nothing hidden by mistake.
    await page.evaluate(() => { location.hash = '#v=2&preset=paper&hide=k,lr,nope'; });
    await page.waitForFunction(() => !document.getElementById('f-k').closest('.field').hidden);
    assert.match(await page.locator('#warnings').textContent(), /hide = “k,lr,nope” is not valid/);
    assert.ok(await page.locator('#f-lr').isVisible());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('slow=1 narrates the eight stages one by one', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&present=1&slow=1&step=1&${QUICK}`, { viewport: { width: 1024, height: 768 } });
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

test('390 px wide: the steps fit the screen (no sideways scrolling), nothing is logged', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&present=1&step=2&${QUICK}`, { viewport: { width: 390, height: 844 } });
  try {
    const noOverflow = async (when) => {
      const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(sw <= iw, `${when}: the page is ${sw}px wide in a ${iw}px window (horizontal scrolling)`);
    };
    await waitStep(page, 2);
    await noOverflow('step 2');
    const strip = await page.locator('#ind-strip').boundingBox();
    assert.ok(strip && strip.x >= 0 && strip.x + strip.width <= 390, `the strip spans ${JSON.stringify(strip)}`);
    for (const n of [3, 4]) {
      await page.keyboard.press('ArrowRight');
      await waitStep(page, n);
      await noOverflow(`step ${n}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
