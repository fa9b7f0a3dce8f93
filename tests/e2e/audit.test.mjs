// audit.test.mjs — "Audit your own recommender" (run=audit): the example's files chosen through the
// page's file inputs give the JSON `memberlens audit --json` prints for the same files (every key,
// in the same order; only the wall-clock timings differ), with no request leaving the origin while it
// runs; the report download is one self-contained HTML page holding both files' SHA-256; lists
// without labels show the users ranked by risk; a lists file with an unknown item names its line in
// the error banner, skipping it equals --skip-unknown, and a correct run then works; an audit of the bundled sample (no interactions
// file chosen) can be cancelled, takes every other setting from the link, and equals the CLI on
// the bundle, with a `memberlens run --users` file as the lists.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT, dataSet, requireCli } from './server.mjs';
import { setup, openPage, waitState, results, runAndWait, clickAndWaitState, download } from './browser.mjs';

const EXAMPLE = path.join(ROOT, 'docs/examples/audit');
const RATINGS_CSV = path.join(EXAMPLE, 'ratings.csv');
const LISTS_CSV = path.join(EXAMPLE, 'lists.csv');
// The example was made with item-knn serving lists of 10 (docs/audit.md).
const SHADOW = 'item-knn';
const TOP_N = 10;

let env;
let tmp;
before(async () => {
  env = await setup();
  tmp = mkdtempSync(path.join(tmpdir(), 'memberlens-audit-'));
});
after(async () => {
  await env?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `memberlens audit --json` on the same files and settings: {json} or {error: its stderr}. */
async function cliAudit(lists, { ratings = RATINGS_CSV, shadow = SHADOW, config = { top_n: TOP_N }, flags = [] } = {}) {
  requireCli();
  try {
    const { stdout } = await promisify(execFile)(CLI, ['audit', '--ratings', ratings, '--lists', lists, '--shadow', shadow,
      '--config', JSON.stringify(config), ...flags, '--json'], { maxBuffer: 64 << 20 });
    return { json: JSON.parse(stdout) };
  } catch (e) {
    return { error: e.stderr };
  }
}

/** The result without its wall-clock timings (the one part two runs of the same audit differ in). */
function strip(r) {
  const { timings_ms: timings, ...rest } = r;
  assert.ok(timings && Number.isFinite(timings.total), 'the audit reports its timings');
  return rest;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Chooses the files and settings in the audit panel. */
async function choose(page, lists, ratings = RATINGS_CSV) {
  await page.locator('#audit-ratings').setInputFiles(ratings);
  await page.locator('#audit-lists').setInputFiles(lists);
  await page.locator('#audit-shadow').selectOption(SHADOW);
  await page.locator('#audit-top-n').fill(String(TOP_N));
}

test('the page audit equals memberlens audit --json; nothing leaves the origin; the report is self-contained', async () => {
  const cli = await cliAudit(LISTS_CSV);
  assert.ok(cli.json, `the CLI failed: ${cli.error}`);
  const { page, context, problems } = await openPage(env, '#v=2&run=audit');
  try {
    await waitState(page, 'ready');
    // A run=audit link opens the audit's panel (its files are never in a link) and starts nothing.
    assert.equal(await page.locator('#audit-panel').getAttribute('open'), '', 'run=audit opens the audit panel');
    assert.match(await page.locator('#audit-panel').innerText(), /nothing is uploaded/);
    await choose(page, LISTS_CSV);
    const origin = new URL(env.server.url).origin;
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const r = await runAndWait(page, 'Run audit', 120_000);
    const left = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    assert.deepEqual(left, [], 'no request may leave the origin during the audit');

    // The page's JSON (#results and the download) is the CLI's: every key, value and key order.
    const want = JSON.stringify(strip(cli.json));
    assert.equal(JSON.stringify(strip(r)), want, '#results differs from memberlens audit --json');
    const json = await download(page, '#btn-audit-json');
    assert.match(json.name, /^memberlens-audit-\d{4}-\d{2}-\d{2}\.json$/);
    assert.equal(JSON.stringify(strip(JSON.parse(json.bytes.toString('utf8')))), want, 'the JSON download differs from the CLI');
    assert.ok(r.strongest && r.audited.labelled === 50, 'the example is labelled: the strongest attack is reported');

    // What the page shows: every attack that ran, the strongest marked, both slices, the most exposed.
    const attackRows = await page.locator('#audit-attacks tbody tr').allInnerTexts();
    assert.deepEqual(attackRows.map((t) => t.split('\t')[0].replace(' (strongest)', '')), Object.keys(r.attacks));
    assert.ok(attackRows.some((t) => t.startsWith(`${r.strongest.attack} (strongest)`)), 'the strongest attack is marked');
    assert.match(await page.locator('#audit-headline').textContent(), new RegExp(`Strongest attack: ${r.strongest.attack}, ROC-AUC ${r.strongest.roc_auc.toFixed(3)}`));
    assert.equal(await page.locator('#audit-slice-activity tbody tr').count(), r.slices.activity.length);
    assert.equal(await page.locator('#audit-slice-popularity tbody tr').count(), r.slices.popularity.length);
    assert.equal(r.exposed.length, 20);
    const exposed = await page.locator('#audit-exposed tbody tr').allInnerTexts();
    assert.deepEqual(exposed.map((t) => t.split('\t').at(-1)), r.exposed.map((u) => u.reason), 'each exposed user with the reason');
    assert.equal(await page.locator('#audit-risk').count(), 0, 'with labels the ROC numbers lead, not the risk ranking');
    const warnings = await page.locator('#audit-warnings li').allInnerTexts();
    assert.deepEqual(warnings, r.warnings);
    assert.match(await page.locator('#audit-cli').textContent(), /^memberlens audit --ratings ratings\.csv --lists lists\.csv --shadow item-knn --config '\{"top_n":10\}' --json$/);
    assert.match(page.url(), /[#&]run=audit(&|$)/, 'the address names the audit mode');

    // The report: one HTML page that asks for nothing, with both fingerprints.
    const report = await download(page, '#btn-audit-report');
    const html = report.bytes.toString('utf8');
    assert.match(report.name, /^memberlens-audit-\d{4}-\d{2}-\d{2}\.html$/);
    assert.match(html, /^<!doctype html>/i);
    // Every address in it is a data: URL or a fragment (the SVG namespace is a name, not an address).
    const refs = [...html.matchAll(/\b(?:src|href|xlink:href|action|poster|srcset|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)]
      .map((m) => m[1] ?? m[2] ?? m[3]);
    assert.deepEqual(refs.filter((u) => !/^(data:|#)/.test(u.trim())), [], 'no address outside the page');
    assert.doesNotMatch(html, /@import|url\(\s*["']?(?!data:|#)/i, 'no style loads anything');
    for (const f of [RATINGS_CSV, LISTS_CSV]) {
      const hash = sha256(f);
      assert.ok(html.includes(hash), `the report holds ${path.basename(f)}'s SHA-256 ${hash}`);
      assert.ok((await page.locator('#audit-fingerprints').textContent()).includes(hash), `the page shows ${path.basename(f)}'s SHA-256`);
    }
    assert.ok(html.includes(r.strongest.attack), 'the report names the strongest attack');
    // On a phone the tables scroll inside their boxes: the page itself never scrolls sideways.
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the audit's result overflows a 390 px screen by ${overflow} px`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('lists without labels: the users ranked by risk, equal to the CLI', async () => {
  // The example's lists with every `member` left empty (unknown).
  const file = path.join(tmp, 'lists-unlabelled.csv');
  const lines = readFileSync(LISTS_CSV, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'user,member,list');
  writeFileSync(file, `${lines.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),[^,]*,/, '$1,,'))).join('\n')}\n`);
  const cli = await cliAudit(file);
  assert.ok(cli.json, `the CLI failed: ${cli.error}`);
  const { page, context, problems } = await openPage(env, '#v=2');
  try {
    await waitState(page, 'ready');
    await page.locator('#audit-panel summary').click();
    await choose(page, file);
    const r = await runAndWait(page, 'Run audit', 120_000);
    assert.equal(JSON.stringify(strip(r)), JSON.stringify(strip(cli.json)), 'the unlabelled audit differs from the CLI');
    assert.equal(r.strongest, null);
    assert.equal(r.audited.labelled, 0);
    const rows = await page.locator('#audit-risk tbody tr').allInnerTexts();
    const ranked = [...r.users].sort((a, b) => a.rank - b.rank);
    assert.equal(rows.length, ranked.length, 'every one of the 50 users is listed (at most 50 are)');
    assert.deepEqual(rows.map((t) => t.split('\t').slice(0, 2)), ranked.map((u) => [String(u.rank), String(u.user)]));
    assert.match(await page.locator('#audit-headline').textContent(), new RegExp(`No member labels: every user is ranked by the ${r.risk.attack} attack`));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an unknown item names its line in the banner; a correct run then works', async () => {
  // Line 6 of the file (the header is line 1) serves an item the ratings do not hold.
  const file = path.join(tmp, 'lists-unknown.csv');
  const lines = readFileSync(LISTS_CSV, 'utf8').split('\n');
  lines[5] = lines[5].replace(/,([^,]*)$/, (_m, list) => `,9005 ${list.split(' ').slice(1).join(' ')}`);
  writeFileSync(file, lines.join('\n'));
  const cli = await cliAudit(file);
  assert.ok(cli.error, 'the CLI refuses the file');
  const cliLine = cli.error.trim().split('\n').find((l) => l.includes('lists-unknown.csv:6:'));
  assert.ok(cliLine, `the CLI names line 6: ${cli.error}`);

  const { page, context, problems } = await openPage(env, '#v=2&run=audit');
  try {
    await waitState(page, 'ready');
    // No lists file chosen yet: a clear message, no run.
    await clickAndWaitState(page, page.getByRole('button', { name: 'Run audit', exact: true }), 'error');
    assert.match(await page.locator('#error').textContent(), /The audit needs the lists your service served/);
    await choose(page, file);
    const state = await clickAndWaitState(page, page.getByRole('button', { name: 'Run audit', exact: true }), ['done', 'error'], 60_000);
    assert.equal(state, 'error');
    const banner = await page.locator('#error .error-message').textContent();
    assert.match(banner, /^lists-unknown\.csv:6: list: item 9005 is not in ratings\.csv/);
    assert.ok(cliLine.includes(banner.slice(0, 60)), `the banner says what the CLI says: ${banner} / ${cliLine}`);
    assert.equal(await results(page), null, 'a refused audit leaves no result');
    // "Skip ids the interactions do not hold" is --skip-unknown: the item leaves its list, counted.
    await page.locator('#audit-skip').check();
    const skipped = await runAndWait(page, 'Run audit', 120_000);
    const cliSkipped = await cliAudit(file, { flags: ['--skip-unknown'] });
    assert.equal(JSON.stringify(strip(skipped)), JSON.stringify(strip(cliSkipped.json)), 'the page\'s skip differs from --skip-unknown');
    assert.equal(skipped.audited.skipped_items, 1);
    assert.match(await page.locator('#audit-cli').textContent(), / --skip-unknown --json$/);
    await page.locator('#audit-skip').uncheck();
    // The page stays usable: the right file audits as the CLI does.
    await page.locator('#audit-lists').setInputFiles(LISTS_CSV);
    const r = await runAndWait(page, 'Run audit', 120_000);
    assert.equal(await page.locator('#error').isHidden(), true, 'the banner is gone after a good run');
    const good = await cliAudit(LISTS_CSV);
    assert.equal(JSON.stringify(strip(r)), JSON.stringify(strip(good.json)));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an audit of the bundled sample can be cancelled, follows the link\'s settings and equals the CLI on the bundle', async () => {
  requireCli();
  // The page's bundled sample: the small data set's (browser.mjs openPage), and the ratings it was made from.
  const { ratings, bundle } = dataSet('small');
  // The lists: what a run of the same data served its target users (the JSON array form, read as is).
  const quick = { k: 16, epochs: 8, vector_epochs: 3, attack_epochs: 8, attack_restarts: 1, lira_references: 2 };
  const users = path.join(tmp, 'users.json');
  await promisify(execFile)(CLI, ['run', '--ratings', ratings, '--config', JSON.stringify(quick), '--users', users], { maxBuffer: 64 << 20 });
  const cli = await cliAudit(users, { ratings: bundle, shadow: 'lfm', config: quick });
  assert.ok(cli.json, `the CLI failed: ${cli.error}`);
  const { page, context, problems } = await openPage(env, '#v=2&run=audit', { data: 'small' });
  try {
    await waitState(page, 'ready');
    await page.locator('#audit-lists').setInputFiles(users);
    // At the default settings (16 reference models) the audit runs long enough to cancel.
    await page.getByRole('button', { name: 'Run audit', exact: true }).click();
    await waitState(page, 'running');
    await page.waitForFunction(() => document.getElementById('overall').value > 0.02, null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitState(page, 'ready', 5_000);
    assert.match(await page.locator('#status').textContent(), /Cancelled/);
    assert.equal(await results(page), null, 'a cancelled audit leaves no result');
    // The link's settings are the audit's (its panel keeps the file and sets the shadow and list length).
    await page.evaluate((h) => { location.hash = h; }, `#v=2&${Object.entries(quick).map(([k, v]) => `${k}=${v}`).join('&')}&run=audit`);
    await page.locator('#audit-shadow').selectOption('lfm');
    const r = await runAndWait(page, 'Run audit', 120_000);
    assert.equal(JSON.stringify(strip(r)), JSON.stringify(strip(cli.json)), 'the bundled audit differs from the CLI on the bundle');
    assert.equal(r.audited.users, 305);
    assert.ok((await page.locator('#audit-fingerprints').textContent()).includes(sha256(bundle)), 'the bundle\'s SHA-256');
    assert.match(await page.locator('#audit-cli').textContent(), /--ratings ml-latest-small\.bin --lists users\.json --shadow lfm --config '\{"k":16,.*"lira_references":2\}' --json$/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
