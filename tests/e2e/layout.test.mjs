// layout.test.mjs — the first screen: the question, one clear Run button and the result area are
// above the fold at 1280×800 and 1024×768, with the settings in a compact collapsible panel; and a
// phone (390 px) never scrolls sideways, before a run, after a run and a sweep (after a transfer
// matrix: labels.test.mjs, which runs that matrix on a phone already).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState } from './browser.mjs';

const QUICK = 'epochs=5&vector_epochs=2&attack_epochs=5&attack_restarts=1';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

async function box(page, sel) {
  return page.locator(sel).first().evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, visible: r.height > 0 };
  });
}

for (const [width, height] of [[1366, 768], [1280, 800], [1024, 768]]) {
  test(`first screen at ${width}×${height}: question, Run button and result area above the fold; sections and their navigation`, async () => {
    const { page, context, problems, url } = await openPage(env, '', { viewport: { width, height } });
    try {
      await waitState(page, 'ready');
      const q = await box(page, '.question');
      assert.ok(q.visible && q.bottom <= height, `the question ends at ${q.bottom}`);
      assert.match(await page.locator('.question').textContent(), /whose ratings a recommender was trained on\?/);
      const run = await box(page, '#btn-run');
      assert.ok(run.visible && run.bottom <= height, `the Run button ends at ${run.bottom}`);
      assert.ok(run.height >= 40, `the Run button is ${run.height}px tall: not "one clear button"`);
      // Exactly one primary button.
      assert.equal(await page.locator('button.big:visible').count(), 1);
      const res = await box(page, '#results-panel');
      assert.ok(res.top < height - 250, `the result area starts at ${res.top}, not above the fold`);
      assert.ok((await box(page, '#results-empty')).bottom <= height, 'the result placeholder is below the fold');
      // Beside the settings, not under them.
      const side = await box(page, '#controls-panel');
      assert.ok(res.left >= side.right, 'the results are not beside the settings');
      // The whole form sits folded under "All settings" (issue 18) and opens on a click.
      const settings = page.locator('#settings');
      assert.equal(await settings.evaluate((d) => d.open), false);
      assert.match(await settings.locator(':scope > summary').textContent(), /^All settings/);
      assert.ok(await page.locator('#f-k').isHidden());
      await settings.locator(':scope > summary').click();
      assert.ok(await page.locator('#f-k').isVisible());
      // A persistent navigation between the sections: still on screen after scrolling to the last one.
      await page.locator('#section-nav a[href="#sec-data"]').click();
      await page.waitForFunction(() => document.getElementById('sec-data').getBoundingClientRect().top < 200);
      const nav = await box(page, '#section-nav');
      assert.ok(nav.visible && nav.top >= 0 && nav.bottom <= 120, `the section navigation is at ${nav.top}..${nav.bottom} after scrolling`);
      assert.equal(await page.locator('#section-nav a[aria-current]').getAttribute('href'), '#sec-data');
      // Each section opens with a caption that says what to look for.
      for (const id of ['attack', 'flagged', 'serving', 'algorithms', 'defences', 'data']) {
        assert.ok((await page.locator(`#sec-${id} .caption`).textContent()).length > 40, `section ${id} has no caption`);
      }
      await page.evaluate(() => window.scrollTo(0, 0));

      // After a run the chart itself is on screen.
      await page.goto(`${url}#v=2&preset=paper&seed=0&k=16&${QUICK}&run=single`);
      assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
      const plot = await box(page, '#chart .plot');
      assert.ok(plot.top < height && plot.top >= 0, `the chart starts at ${plot.top} after the run`);
      assert.ok(plot.height <= height * 0.75, `the chart is ${plot.height}px tall, more than the screen allows`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

async function noOverflow(page, when) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `${when}: the page is ${sw}px wide in a ${iw}px window (horizontal scrolling)`);
}

test('390 px wide: no horizontal overflow before a run, after a run, a comparison and a sweep', async () => {
  const { page, context, problems, url } = await openPage(env, '', { viewport: { width: 390, height: 844 } });
  try {
    await waitState(page, 'ready');
    await noOverflow(page, 'on load');
    // On a phone the settings start folded, so the result area begins on the first screen.
    assert.equal(await page.locator('#settings').evaluate((d) => d.open), false);
    const res = await box(page, '#results-panel');
    assert.ok(res.top < 844 - 100, `the result area starts at ${res.top}px on a phone`);
    // The section navigation scrolls inside its bar, never the page, and stays on screen.
    await page.locator('#section-nav a[href="#sec-defences"]').click();
    await page.waitForFunction(() => document.getElementById('sec-defences').getBoundingClientRect().top < 300);
    const nav = await box(page, '#section-nav');
    assert.ok(nav.top >= 0 && nav.bottom <= 120, `the section navigation is at ${nav.top}..${nav.bottom} on a phone after scrolling`);
    await noOverflow(page, 'after following the section navigation');
    await page.locator('#settings > summary').click();
    await page.locator('#advanced summary').click();
    await noOverflow(page, 'with every settings panel open');
    // A link that sets settings leaves them folded on a phone, and says so.
    await page.goto(`${url}#v=2&seed=0&k=16&${QUICK}`);
    await page.reload();
    await waitState(page, 'ready');
    assert.equal(await page.locator('#settings').evaluate((d) => d.open), false);
    assert.match(await page.locator('#settings-note').textContent(), /this link sets .*\bk\b.*|this link sets .*epochs/);
    assert.ok((await box(page, '#results-panel')).top < 844, 'the result area is below the first screen with a link');
    await page.goto(`${url}#v=2&preset=paper&seed=0&k=16&${QUICK}&run=single`);
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    await noOverflow(page, 'after a run');
    await page.getByLabel('Log–log (low-FPR view)').check();
    await page.getByRole('button', { name: 'Pin this run' }).click();
    await noOverflow(page, 'after pinning, log-log');
    await page.goto(`${url}#v=2&preset=paper&seed=0&k=16&${QUICK}&run=compare`);
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    await noOverflow(page, 'after a comparison');
    await page.goto(`${url}#v=2&preset=paper&seeds=2&${QUICK}&run=dim-sweep`);
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    await page.waitForSelector('#sweep-table tbody tr', { timeout: 60_000 });
    await noOverflow(page, 'during a sweep');
    assert.equal(await waitState(page, ['done', 'error'], 180_000), 'done');
    await noOverflow(page, 'after a sweep');
    // Both sweep panels fit the phone's width.
    for (const p of await page.locator('#chart .plot').all()) {
      const b = await p.evaluate((e) => e.getBoundingClientRect().right);
      assert.ok(b <= 390, `a sweep panel ends at ${b}px`);
    }
    // The transfer matrix of every algorithm on a phone: labels.test.mjs (the same page state there).
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
