// story.test.mjs — meaning before numbers: at 1024×768 the first screen holds, beside the Run
// button, what members and non-members are and what the attacker sees, in words and in a diagram
// (who trains on what, what the attacker sees); the story gives way to the first result.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState } from './browser.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('the explanation and the diagram are on the first screen at 1024×768', async () => {
  const { page, context, problems, url } = await openPage(env, '', { viewport: { width: 1024, height: 768 } });
  await waitState(page, 'ready');
  const box = (sel) => page.locator(sel).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: r.height, right: r.right };
  });
  const story = await box('#story');
  const diagram = await box('#story-diagram');
  assert.ok(story.height > 0 && story.bottom <= 768, `the story ends at ${story.bottom}`);
  assert.ok(diagram.height >= 80 && diagram.bottom <= 768, `the diagram is ${diagram.height}px tall, ends at ${diagram.bottom}`);
  assert.ok(diagram.right <= 1024, 'the diagram is cut off on the right');
  const text = await page.locator('#story').textContent();
  for (const word of ['members', 'non-members', 'shadow', 'list']) assert.ok(text.includes(word), `the story says what ${word} are`);
  // The diagram names who trains the service and what the attacker sees.
  const labels = (await page.locator('#story-diagram text').allTextContents()).join(' | ');
  for (const l of ['members\u2019 ratings', 'non-members', 'the service', 'top-N list', 'attacker']) assert.ok(labels.includes(l), `diagram: ${labels}`);
  await page.goto(`${url}#v=2&seed=0&epochs=5&attack_epochs=5&run=single`);
  assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
  assert.equal(await page.locator('#story').isHidden(), true, 'the story stays over the result');
  assert.deepEqual(problems, []);
  await context.close();
});
