// you.test.mjs — "Would it spot you?": picking movies by title search, running, and the page's two
// runs equal `memberlens run --you FILE` on the same picks to the bit (scores, ranks, thresholds,
// verdicts, lists, the other users' scores); the picks enter the link only with the switch on, and
// such a link re-runs the same; too few picks is a clear error, never a run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, ratingsOf, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, runAndWait } from './browser.mjs';

// Searched by title on the page; the ids are what the page must send (movies.csv). Films of the real
// data set: five of them are not in the small one (server.mjs DATA), so every page here runs on 'full'.
const DATA = 'full';
const PICKS = [
  ['Toy Story (1995)', 1], ['Heat (1995)', 6], ['Braveheart', 110], ['Matrix, The', 2571],
  ['Amelie', 4973], ['Spirited Away', 5618],
];

// A small model (the page's config goes to the CLI as it is, so the comparison holds at any size).
const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';

let env;
let tmp;
before(async () => {
  env = await setup();
  tmp = mkdtempSync(path.join(tmpdir(), 'memberlens-you-'));
});
after(async () => {
  await env?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function cliYou(config, ids) {
  requireCli(DATA);
  const file = path.join(tmp, `you-${ids.join('-')}.txt`);
  writeFileSync(file, `${ids.join('\n')}\n`);
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratingsOf(DATA), '--config', JSON.stringify(config),
    '--json', '--you', file], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

async function pick(page, query, id) {
  await page.locator('#you-search').fill(query);
  const b = page.locator(`#you-matches button[data-id="${id}"]`);
  await b.waitFor({ timeout: 20_000 });
  await b.click();
}

test('picks found by title give the numbers the CLI gives for the same ids', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&seed=0&${QUICK}`, { data: DATA });
  await waitState(page, 'ready');
  await pick(page, PICKS[0][0], PICKS[0][1]);
  // Too few picks: a clear message, no run.
  await page.getByRole('button', { name: 'Would it spot you?', exact: true }).click();
  await waitState(page, 'error');
  assert.match(await page.locator('#error').textContent(), /needs at least 5 movies: 1 picked/);
  for (const [q, id] of PICKS.slice(1)) await pick(page, q, id);
  assert.equal(await page.locator('#you-picks li').count(), PICKS.length);
  const r = await runAndWait(page, 'Would it spot you?', 120_000);
  assert.deepEqual(r.picks, PICKS.map(([, id]) => id).sort((a, b) => a - b));
  // Not shared: the address holds no picks and does not start this run.
  assert.doesNotMatch(page.url(), /you=|run=you/);
  const cli = await cliYou(r.config, r.picks);
  assert.deepEqual(r, cli, 'page vs memberlens run --you');
  for (const s of [r.as_member, r.as_non_member]) assert.equal(s.flagged, s.score >= s.threshold);
  // What the page shows is what it computed.
  const verdicts = await page.locator('.you-verdict').allTextContents();
  assert.equal(verdicts.length, 2);
  assert.match(verdicts[0], new RegExp(`rank ${r.as_member.rank} of ${r.as_member.users}`));
  assert.match(verdicts[1], new RegExp(`rank ${r.as_non_member.rank} of ${r.as_non_member.users}`));
  assert.match(verdicts[0], r.as_member.flagged ? /spots you/ : /does not spot you/);
  assert.equal(await page.locator('.you-side').first().locator('circle').count(), r.as_member.users);
  const first = await page.locator('.you-list').first().locator('li').first().textContent();
  assert.ok(!/^movie \d+$/.test(first), `a title, not an id: ${first}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('with the switch on, the picks go into the link and the link re-runs the same', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&seed=1&${QUICK}`, { data: DATA });
  await waitState(page, 'ready');
  for (const [q, id] of PICKS.slice(0, 5)) await pick(page, q, id);
  await page.locator('#you-share').check();
  const r = await runAndWait(page, 'Would it spot you?', 120_000);
  const hash = new URL(page.url()).hash;
  assert.match(hash, /run=you/);
  assert.match(hash, new RegExp(`you=${PICKS.slice(0, 5).map(([, id]) => id).join(',')}`));
  await context.close();
  const again = await openPage(env, hash, { data: DATA });
  await waitState(again.page, ['done', 'error'], 120_000);
  assert.deepEqual(await results(again.page), r);
  assert.equal(await again.page.locator('#you-picks li').count(), 5);
  assert.deepEqual([...problems, ...again.problems], []);
  await again.context.close();
});
