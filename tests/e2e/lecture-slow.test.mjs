// lecture-slow.test.mjs — lecture mode's slow motion (slow=1): the takeaway line narrates the run's
// eight stages one by one, each held on screen (2.5 s: js/main.js SLOW_STAGE_MS). A file of its
// own: the test mostly waits (about 20 s of the pauses), so make test-e2e runs it beside the two
// busy groups (tests/e2e/groups.mjs, group 3), not as 20 s of one of them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, naturalEpochs } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
// The slides ahead compute the frontier in the background: its natural curve short, as in lecture.test.mjs.
const NATURAL = naturalEpochs([1, 2]);

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const slide = (page) => page.evaluate(() => ({ state: document.getElementById('lec-slide').dataset.state }));

test('slow=1 narrates the eight stages one by one', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&present=1&slow=1&step=3&${QUICK}`, { viewport: { width: 1024, height: 768 }, init: NATURAL });
  try {
    const seen = new Set();
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      const t = await page.locator('#lec-takeaway').textContent();
      const m = t.match(/^Stage (\d) of 8 — ([^:]+): .{20,}/);
      if (m) seen.add(`${m[1]} ${m[2]}`);
      if ((await slide(page)).state === 'done' && !m) break;
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
