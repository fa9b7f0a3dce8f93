// individuals.test.mjs — the Individuals view after a single run: one dot per target user (as many
// as `memberlens run --users` writes for the same config), a threshold dragged with the mouse, a
// finger and the keyboard whose counts equal those computed from the CLI's records and the run's
// ROC (and whose marker sits on the ROC chart at that point), user cards with real movie titles
// (checked against movies.csv), the colour-by-score toggle, text equivalents, and a page that
// stays clean: no console error, no CSP violation, no horizontal overflow at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, ratingsOf, requireCli } from './server.mjs';
import { setup, openPage, waitState, results } from './browser.mjs';

const LINK = '#v=2&preset=paper&seed=0&run=single';
// The real data set's movies.csv: the small one's films are a third of its films (server.mjs DATA).
const DATA_DIR = process.env.MEMBERLENS_DATA_DIR || path.dirname(ratingsOf('full'));
const MOVIES = path.join(DATA_DIR, 'movies.csv');
const COUNTS = /(\d+) of (\d+) members found, (\d+) of (\d+) non-members wrongly flagged/;

let env;
let tmp;
before(async () => {
  env = await setup();
  tmp = mkdtempSync(path.join(tmpdir(), 'memberlens-indiv-'));
});
after(async () => {
  await env?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The CLI's records for exactly the page's effective config (so defaults can never differ), on the page's `ratings`. */
async function cliRecords(config, ratings) {
  requireCli();
  const file = path.join(tmp, `users-${config.seed}.json`);
  const { stdout } = await promisify(execFile)(CLI, ['run', '--ratings', ratings, '--config', JSON.stringify(config),
    '--json', '--users', file], { maxBuffer: 64 << 20 });
  return { run: JSON.parse(stdout), records: JSON.parse(readFileSync(file, 'utf8')) };
}

/** movies.csv -> Map id -> title (titles holding commas are quoted, "" escapes a quote). */
function movieTitles() {
  assert.ok(existsSync(MOVIES), `movies.csv not found at ${MOVIES}: set MEMBERLENS_DATA_DIR`);
  const titles = new Map();
  for (const line of readFileSync(MOVIES, 'utf8').split(/\r?\n/).slice(1)) {
    const m = line.match(/^(\d+),(?:"((?:[^"]|"")*)"|([^,]*)),/);
    if (m) titles.set(Number(m[1]), m[2] !== undefined ? m[2].replace(/""/g, '"') : m[3]);
  }
  assert.ok(titles.size > 9000, `only ${titles.size} titles parsed from ${MOVIES}`);
  return titles;
}

/** The threshold state the page shows: its exact threshold, ROC point, and the counts it states. */
async function shown(page) {
  // Canvases are redrawn on the next animation frame: wait for two, so pixels match the text.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const d = await page.locator('#ind-counts').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
  const m = d.text.match(COUNTS);
  assert.ok(m, `counts sentence: ${d.text}`);
  return { threshold: Number(d.threshold), idx: Number(d.rocIndex), tp: +m[1], members: +m[2], fp: +m[3], nonMembers: +m[4], text: d.text };
}

/**
 * The page's counts equal those of the CLI's records (flagged = score ≥ threshold, the engine's
 * rule) and the run's ROC at the point the page says it is on. Computed here, not with the page's code.
 */
function assertCounts(s, records, r, when) {
  const flagged = (member) => records.filter((x) => x.member === member && x.score >= s.threshold).length;
  const nM = records.filter((x) => x.member).length;
  assert.deepEqual([s.tp, s.members, s.fp, s.nonMembers], [flagged(true), nM, flagged(false), records.length - nM],
    `${when}: page vs CLI records`);
  assert.equal(s.threshold, r.roc.thresholds[s.idx], `${when}: the threshold is not the ROC's point ${s.idx}`);
  assert.deepEqual([s.tp, s.fp], [Math.round(r.roc.tpr[s.idx] * nM), Math.round(r.roc.fpr[s.idx] * (records.length - nM))],
    `${when}: page vs the run's ROC`);
}

/**
 * Near-black pixels of the ROC canvas in a box of ±`half` CSS px around (fpr, tpr) on the linear
 * axes: the marker is a 14 px ink square there (the curves are blue, the grid light grey).
 */
async function markerInk(page, fpr, tpr, half = 5) {
  return page.evaluate(([f, t, h]) => {
    const over = document.querySelector('#chart .u-over').getBoundingClientRect();
    const c = document.querySelector('#chart canvas');
    const cb = c.getBoundingClientRect();
    const k = c.width / cb.width;
    const x = (over.left - cb.left + f * over.width) * k;
    const y = (over.top - cb.top + (1 - t) * over.height) * k;
    const d = c.getContext('2d').getImageData(Math.round(x - h * k), Math.round(y - h * k), Math.round(2 * h * k), Math.round(2 * h * k)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 60 && d[i + 1] < 60 && d[i + 2] < 60 && d[i + 3] > 200) n++;
    return n / (k * k);
  }, [fpr, tpr, half]);
}

/** Pixels of the canvas `sel` within 40 of `hex` per channel; `rightmost`: the right-most one (CSS px). */
async function colourPixels(page, sel, hex) {
  return page.evaluate(([s, h]) => {
    const c = document.querySelector(s);
    const want = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const k = c.width / c.getBoundingClientRect().width;
    let n = 0;
    let best = null;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200 && Math.abs(d[i] - want[0]) < 40 && Math.abs(d[i + 1] - want[1]) < 40 && Math.abs(d[i + 2] - want[2]) < 40) {
        n++;
        const x = (i / 4) % c.width;
        if (!best || x > best.x) best = { x, y: Math.floor(i / 4 / c.width) };
      }
    }
    return { n: n / (k * k), rightmost: best && { x: best.x / k, y: best.y / k } };
  }, [sel, hex]);
}

async function noOverflow(page, when) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `${when}: the page is ${sw}px wide in a ${iw}px window`);
}

test('one dot per target user; the threshold (mouse, touch, keyboard) gives the CLI records\u2019 and the ROC\u2019s counts', async () => {
  const { page, context, problems, ratings } = await openPage(env, LINK, { viewport: { width: 1280, height: 900 } });
  try {
    assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    const { run, records } = await cliRecords(r.config, ratings);
    assert.deepStrictEqual(run.roc, r.roc, 'the CLI with the page\u2019s config gives another ROC');
    assert.ok(records.length > 100, `${records.length} CLI records`);

    // One dot per record in both views, in the select too, and both colours painted.
    assert.ok(await page.locator('#individuals').isVisible());
    assert.equal(Number(await page.locator('#ind-strip').getAttribute('data-dots')), records.length);
    assert.equal(Number(await page.locator('#ind-pca').getAttribute('data-dots')), records.length);
    assert.equal(await page.locator('#ind-user option').count(), records.length + 1);
    const blue = await colourPixels(page, '#ind-strip', '#0057a3');
    const orange = await colourPixels(page, '#ind-strip', '#a84800');
    const nM = records.filter((x) => x.member).length;
    // A dot of radius 4.5 covers ~50 px; overlapping swarms and labels aside, most must show.
    assert.ok(blue.n > nM * 20 && orange.n > (records.length - nM) * 20, `painted: blue ${blue.n}, orange ${orange.n}`);

    // The start: the attack's own cut-off (score ≥ 0), the ROC marker at that point.
    let s = await shown(page);
    assertCounts(s, records, r, 'at the start');
    assert.equal(s.idx, r.roc.thresholds.filter((t, i) => i > 0 && t >= 0).length);
    assert.ok(await markerInk(page, r.roc.fpr[s.idx], r.roc.tpr[s.idx]) > 40, 'no ROC marker at the start point');
    const inkThere = await markerInk(page, r.roc.fpr[s.idx], r.roc.tpr[s.idx], 3);

    // Mouse: grab the line and drag it left: more users flagged.
    const strip = page.locator('#ind-strip');
    await strip.scrollIntoViewIfNeeded();
    const box = await strip.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 900, `the strip is not on screen (${box.y}…${box.y + box.height})`);
    const lineX = box.x + Number(await strip.getAttribute('data-threshold-x'));
    await page.mouse.move(lineX, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(lineX - box.width * 0.12, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const dragged = await shown(page);
    assert.ok(dragged.idx > s.idx && dragged.tp + dragged.fp > s.tp + s.fp, `mouse drag: ${s.text} -> ${dragged.text}`);
    assertCounts(dragged, records, r, 'after the mouse drag');
    assert.ok(await markerInk(page, r.roc.fpr[dragged.idx], r.roc.tpr[dragged.idx]) > 40, 'the ROC marker did not follow the drag');
    // At the old point at most a dashed guide line of the new marker may pass (not the square).
    const inkLeft = await markerInk(page, r.roc.fpr[s.idx], r.roc.tpr[s.idx], 3);
    assert.ok(inkThere > 30 && inkLeft < 15, `ink at the old point: ${inkThere} before the drag, ${inkLeft} after`);
    s = dragged;

    // Touch (a real touch sequence through the DevTools protocol): drag the line right.
    const cdp = await context.newCDPSession(page);
    const tx = box.x + Number(await strip.getAttribute('data-threshold-x'));
    const ty = box.y + box.height / 2;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: tx, y: ty }] });
    for (let i = 1; i <= 8; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: tx + i * box.width * 0.03, y: ty }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const touched = await shown(page);
    assert.ok(touched.idx < s.idx, `touch drag: ${s.text} -> ${touched.text}`);
    assertCounts(touched, records, r, 'after the touch drag');
    s = touched;

    // Keyboard: the slider. → raises the threshold one ROC point per press; End / Home are the ends.
    const slider = page.locator('#ind-thr');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    let k = await shown(page);
    assert.equal(k.idx, s.idx - 2, 'two presses of → are two ROC points');
    assertCounts(k, records, r, 'after → →');
    await page.keyboard.press('ArrowLeft');
    k = await shown(page);
    assert.equal(k.idx, s.idx - 1);
    assertCounts(k, records, r, 'after ←');
    assert.match(await slider.getAttribute('aria-valuetext'), new RegExp(`${k.tp} of ${k.members} members found, ${k.fp} of ${k.nonMembers} non-members`));
    await page.keyboard.press('End');
    k = await shown(page);
    assert.deepEqual([k.idx, k.tp, k.fp], [0, 0, 0], `End: ${k.text}`);
    await page.keyboard.press('Home');
    k = await shown(page);
    assert.deepEqual([k.idx, k.tp, k.fp], [r.roc.thresholds.length - 1, k.members, k.nonMembers], `Home: ${k.text}`);
    assert.ok(await markerInk(page, 1, 1) > 20, 'the marker is not at (100%, 100%) with everyone flagged');
    // The counts table says the same in cells.
    const cells = await page.locator('#ind-counts-table tbody tr').evaluateAll((rows) => rows.map((tr) => tr.children[1].textContent));
    assert.match(cells[0], new RegExp(`^${k.tp} `));
    assert.match(cells[1], new RegExp(`^${k.fp} `));
    await page.getByRole('button', { name: /Back to the attack.s own cut-off/ }).click();
    const home = await shown(page);
    assert.equal(home.idx, r.roc.thresholds.filter((t, i) => i > 0 && t >= 0).length);

    // Log–log axes and a pinned run redraw the ROC chart: the marker follows onto the new chart,
    // at its log position (both axes from 0.001, the smallest value drawn here, to 1).
    await page.getByLabel('Log–log (low-FPR view)').check();
    await page.getByRole('button', { name: 'Pin this run' }).click();
    const lo = Math.min(r.min_nonzero_fpr, 1 / r.counts.target_members, 0.001);
    const logPos = (v) => (Math.log10(v) - Math.log10(lo)) / -Math.log10(lo);
    await shown(page);
    assert.ok(await markerInk(page, logPos(r.roc.fpr[home.idx]), logPos(r.roc.tpr[home.idx])) > 40,
      'no ROC marker on the log-log chart with a pinned run');
    await page.getByLabel('Linear').check();

    // Text equivalents: both canvases sit in role="img" with a label naming the run, and are
    // described by tables whose captions name it too.
    const auc = r.roc_auc.toFixed(3);
    for (const id of ['ind-strip', 'ind-pca']) {
      const a = await page.locator(`#${id}`).evaluate((c) => {
        const img = c.closest('[role="img"]');
        return { label: img?.getAttribute('aria-label') || '', described: (img?.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map((x) => document.getElementById(x)?.textContent || '') };
      });
      assert.match(a.label, new RegExp(`AUC ${auc} \u2014 seed 0`), `${id} label: ${a.label}`);
      assert.ok(a.described.length && a.described.every((t) => t.includes(`AUC ${auc}`)), `${id}: descriptions ${a.described}`);
    }
    assert.match(await page.locator('#ind-strip').evaluate((c) => c.closest('[role="img"]').getAttribute('aria-label')),
      new RegExp(`${nM} of ${nM} members|\\d+ of ${nM} members found`));

    // Colour by score: the PCA dots change colour (fewer pure-blue pixels), the legend shows the scale.
    const before = await colourPixels(page, '#ind-pca', '#0057a3');
    await page.getByRole('radio', { name: 'attack score' }).check();
    await page.waitForFunction(() => document.querySelector('.ind-gradient'));
    await page.waitForTimeout(100); // drawn on the next frame
    const afterScore = await colourPixels(page, '#ind-pca', '#0057a3');
    assert.ok(afterScore.n < before.n * 0.8, `colour by score: blue pixels ${before.n} -> ${afterScore.n}`);
    assert.match(await page.locator('#ind-pca').evaluate((c) => c.closest('[role="img"]').getAttribute('aria-label')), /coloured by attack score/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a user card shows the movies by title: the top-ranked user\u2019s list and ratings, rank and centroids', async () => {
  const { page, context, problems, ratings } = await openPage(env, LINK, { viewport: { width: 1024, height: 768 } });
  try {
    assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    const { records } = await cliRecords(r.config, ratings);
    const titles = movieTitles();
    const top = records.find((x) => x.rank === 1);
    assert.ok(top, 'no rank-1 record');

    // Click the top-ranked user's dot: the right-most dot of its colour (its score is the highest).
    const strip = page.locator('#ind-strip');
    await strip.scrollIntoViewIfNeeded();
    const px = await colourPixels(page, '#ind-strip', top.member ? '#0057a3' : '#a84800');
    const box = await strip.boundingBox();
    await page.mouse.click(box.x + px.rightmost.x - 3, box.y + px.rightmost.y);
    const card = page.locator('#ind-card');
    await card.waitFor({ state: 'visible' });
    assert.equal(await card.locator('h4').textContent(),
      `User ${top.user}: ${top.member ? 'member' : 'non-member'}, rank 1 of ${records.length}`);
    assert.equal(await page.locator('#ind-user').inputValue(), String(top.user));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ind-card', 'focus did not move to the card');

    // Titles, not ids: the list in its order, the ratings all there, rated ones marked.
    await card.locator('ol.ind-movies li').first().waitFor();
    const listed = await card.locator('ol.ind-movies li').allTextContents();
    assert.equal(listed.length, top.list.length);
    const rated = new Set(top.history);
    top.list.forEach((id, i) => {
      assert.ok(listed[i].startsWith(titles.get(id)), `list item ${i + 1}: "${listed[i]}", expected ${titles.get(id)} (movie ${id})`);
      assert.equal(/✓ rated/.test(listed[i]), rated.has(id), `list item ${i + 1} (${listed[i]}): rated mark`);
    });
    const history = await card.locator('ul.ind-history li').allTextContents();
    assert.equal(history.length, top.history.length);
    const first = titles.get(top.history[0]);
    assert.ok(first && history.some((t) => t.startsWith(first)), `"${first}" (movie ${top.history[0]}) not among the rated movies`);
    const text = await card.textContent();
    assert.ok(!/movie \d+/.test(text), 'a movie shown by id although the titles are loaded');
    assert.ok(text.includes(`${top.centroid_distance.toFixed(3)} in all ${r.config.k} dimensions`), 'the card lacks the centroid distance');
    const score = await card.locator('.ind-facts dd').nth(1).textContent();
    assert.ok(score.startsWith(`${top.score.toFixed(2)}: flagged`), `score line: ${score}`);
    // The centroid plot has its text equivalent.
    assert.match(await card.locator('svg.ind-centroids').getAttribute('aria-label'),
      new RegExp(`their rated movies at \\(${top.history_centroid[0].toFixed(3).replace('-', '\u2212')}`));

    // Another card from the accessible list: the least sure user.
    const last = records.find((x) => x.rank === records.length);
    await page.locator('#ind-user').selectOption(String(last.user));
    await assert.doesNotReject(card.locator('h4', { hasText: `rank ${records.length} of ${records.length}` }).waitFor({ timeout: 5000 }));
    await card.locator('ol.ind-movies li').first().waitFor();
    assert.ok((await card.locator('ol.ind-movies li').first().textContent()).startsWith(titles.get(last.list[0])));
    await page.evaluate(() => document.activeElement?.blur());
    await card.getByRole('button', { name: 'Close card' }).click();
    assert.ok(await card.isHidden());
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ind-user');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a run on an uploaded file: dots for its users, cards by movie id (titles belong to the bundled sample)', async () => {
  const { page, context, problems } = await openPage(env, '#v=2&preset=paper&seed=0&k=8&epochs=5&vector_epochs=2&attack_epochs=5&attack_restarts=1');
  const asked = [];
  page.on('request', (q) => asked.push(new URL(q.url()).pathname));
  try {
    await waitState(page, 'ready');
    // 120 users, 60 movies, a fixed pattern: every user rates about two thirds of the movies.
    const lines = ['userId,movieId,rating,timestamp'];
    for (let u = 1; u <= 120; u++) for (let i = 1; i <= 60; i++) if ((u * 7 + i * 5) % 3) lines.push(`${u},${1000 + i},4.0,1`);
    await page.setInputFiles('#file', { name: 'ratings.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.waitForFunction(() => /120 users/.test(document.getElementById('dataset').textContent), null, { timeout: 10_000 });
    await page.getByRole('button', { name: 'Run attack', exact: true }).click();
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done', await page.locator('#error').textContent());
    const r = await results(page);
    const n = r.counts.target_members + r.counts.target_nonmembers;
    assert.equal(Number(await page.locator('#ind-strip').getAttribute('data-dots')), n);
    await page.locator('#ind-user').selectOption({ index: 1 });
    const first = page.locator('#ind-card ol.ind-movies li').first();
    await first.waitFor();
    assert.match(await first.textContent(), /^movie 10\d\d/);
    assert.match(await page.locator('#ind-card').textContent(), /your own ratings file/);
    assert.ok(!asked.some((p) => p.endsWith('titles.tsv')), 'the bundled titles were fetched for an uploaded file');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('390 px wide: the view and a card fit the screen, the slider works, nothing is logged', async () => {
  const { page, context, problems } = await openPage(env, LINK, { viewport: { width: 390, height: 844 } });
  try {
    assert.equal(await waitState(page, ['done', 'error'], 90_000), 'done', await page.locator('#error').textContent());
    await noOverflow(page, 'after the run');
    for (const sel of ['#ind-strip', '#ind-pca', '#ind-thr', '#ind-user']) {
      const b = await page.locator(sel).boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= 390, `${sel} spans ${b?.x}…${b && b.x + b.width}`);
    }
    const before = await shown(page);
    await page.locator('#ind-thr').focus();
    await page.keyboard.press('PageDown');
    const after = await shown(page);
    assert.ok(after.idx !== before.idx, 'PageDown did not move the threshold');
    await page.locator('#ind-user').selectOption({ index: 1 });
    await page.locator('#ind-card ol.ind-movies li').first().waitFor();
    await noOverflow(page, 'with a user card open');
    const card = await page.locator('#ind-card').boundingBox();
    assert.ok(card.x >= 0 && card.x + card.width <= 390, `the card spans ${card.x}…${card.x + card.width}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a comparison hides the view; lecture mode (only the figure) hides it', async () => {
  const quick = 'k=16&epochs=5&vector_epochs=2&attack_epochs=5&attack_restarts=1';
  const { page, context, problems, url } = await openPage(env, `#v=2&preset=paper&seed=0&${quick}&run=single`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    assert.ok(await page.locator('#individuals').isVisible());
    // Entered `running` after the link changed (window.__states: on the small data set the comparison
    // can be done before a check of the state in the page sees it running).
    const before = await page.evaluate(() => window.__states.length);
    await page.goto(`${url}#v=2&preset=paper&seed=0&${quick}&run=compare`);
    await page.waitForFunction((n) => window.__states.slice(n).some((s) => s.state === 'running'), before);
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    assert.ok(await page.locator('#individuals').isHidden(), 'a comparison shows the individuals of a single run');
    // Slide 3 (the attack): a single run, shown as its ROC chart only.
    await page.goto(`${url}#v=2&preset=paper&present=1&step=3&seed=0&${quick}`);
    await page.waitForSelector('#lec-slide[data-step="3"][data-state="done"]', { timeout: 60_000, state: 'attached' });
    assert.equal((await results(page)).config.seed, 0);
    assert.ok(await page.locator('#individuals').isHidden(), 'lecture mode shows the individuals view');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
