// defence-tools.test.mjs — defences you can feel: on a single run's result, the defence selector
// and the strength slider re-run at once, and each re-run equals `memberlens run` with that
// defence and strength (three strengths), while the individuals strip and the recall follow.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, results } from './browser.mjs';

const QUICK = 'epochs=5&vector_epochs=2&attack_epochs=5&attack_restarts=1';
const strip = ({ timings_ms: _t, ...rest }) => rest;

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

async function cliRun(config, ratings) {
  requireCli();
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratings, '--config', JSON.stringify(config), '--json'],
    { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

/** Does `act`, then waits until the page enters `done` (or `error`) after it. */
async function afterRun(page, act) {
  const n = await page.evaluate(() => window.__states.length);
  await act();
  await page.waitForFunction((k) => window.__states.slice(k).some((s) => s.state === 'done' || s.state === 'error'), n,
    { timeout: 90_000 });
  await page.waitForFunction(() => document.body.dataset.state !== 'running');
  if (await page.evaluate(() => document.body.dataset.state) !== 'done') throw new Error(await page.locator('#error').textContent());
  return results(page);
}

test('the defence slider re-runs and equals the CLI at three strengths', async () => {
  const { page, context, problems, ratings } = await openPage(env, `#v=2&seed=0&${QUICK}&run=single`);
  assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done');
  const undefended = await results(page);
  assert.equal(await page.locator('#defence-tools').isVisible(), true);
  const counts = async () => page.locator('#ind-counts').textContent();
  const before = await counts();
  // Switching a defence on starts it at half strength.
  const seen = [];
  let r = await afterRun(page, () => page.locator('#dt-defence').selectOption('list-perturbation'));
  assert.equal(r.config.defence, 'list-perturbation');
  assert.equal(r.config.defence_strength, 0.5);
  seen.push(r);
  for (const s of ['0.25', '1']) {
    r = await afterRun(page, () => page.locator('#dt-strength').fill(s));
    assert.equal(r.config.defence_strength, Number(s));
    seen.push(r);
  }
  for (const run of seen) {
    assert.deepStrictEqual(strip(run), strip(await cliRun(run.config, ratings)), `strength ${run.config.defence_strength}: page vs CLI`);
  }
  // Replacing half of every list with random films moves the dots and the recall.
  assert.notEqual(seen[0].roc_auc, undefended.roc_auc);
  assert.ok(seen[2].recommender.target.recall_at_n < undefended.recommender.target.recall_at_n,
    `recall ${seen[2].recommender.target.recall_at_n} at strength 1 vs ${undefended.recommender.target.recall_at_n}`);
  assert.notEqual(await counts(), before, 'the individuals strip did not change');
  assert.match(page.url(), /defence=list-perturbation&defence_strength=1/);
  // Back to none: strength 0, the undefended numbers again.
  r = await afterRun(page, () => page.locator('#dt-defence').selectOption('none'));
  assert.deepStrictEqual(strip(r), strip(undefended));
  assert.deepEqual(problems, []);
  await context.close();
});
