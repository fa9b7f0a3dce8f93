// screenshot.mjs — makes the README's pictures from the built site: the first screen at 1366×768
// after a default run (docs/screenshot.png: the section bar, the Run button, the ROC), after a one-seed k-sweep of the attacker's vector length
// (docs/screenshot-ksweep.png), the transfer matrix of every algorithm as a 1440×900 screen
// shows it (docs/screenshot-matrix.png: the results panel, cut at the screen's height), and the
// Individuals view's score strip with its threshold at 1024×768 (docs/screenshot-individuals.png),
// the popular-list vs fold-in comparison laid out at 1024×768 (docs/screenshot-compare.png: the
// chart, its legend, the headline numbers and the takeaway)
// lecture mode's fold-in slide, the whole 1024×768 screen (docs/screenshot-lecture.png), and the
// privacy–utility frontier of every defence, one seed (docs/screenshot-frontier.png: its chart;
// the job asks first, and the script confirms).
// The audit's report (docs/screenshot-audit.png: the top of the page the Download report button
// saves, after the page audited docs/examples/audit/ through its file inputs, at 1000×1100).
// Usage: make web && node scripts/screenshot.mjs [name …]   (names: e.g. frontier matrix; none: all)
import path from 'node:path';
import { setup, openPage, waitState, download } from '../tests/e2e/browser.mjs';
import { ROOT } from '../tests/e2e/server.mjs';

const ONLY = process.argv.slice(2);
const env = await setup();
try {
  // [link, file, timeout, viewport, cut at the screen's height, element pictured (null: the screen)]
  for (const [hash, file, timeout, viewport, screenOnly, shot = '#results-panel'] of [
    ['#v=2&run=single', 'docs/screenshot.png', 60_000, { width: 1366, height: 768 }, false, null],
    ['#v=2&seeds=1&run=k-sweep', 'docs/screenshot-ksweep.png', 180_000, { width: 1280, height: 900 }, false],
    ['#v=2&seeds=1&run=matrix', 'docs/screenshot-matrix.png', 180_000, { width: 1440, height: 900 }, true],
    ['#v=2&run=single', 'docs/screenshot-individuals.png', 60_000, { width: 1024, height: 768 }, false, '#individuals .ind-fig'],
    ['#v=2&run=compare', 'docs/screenshot-compare.png', 60_000, { width: 1024, height: 768 }, false, '#results-panel .results-grid'],
    ['#v=2&present=1&step=5', 'docs/screenshot-lecture.png', 120_000, { width: 1024, height: 768 }, false, null],
    ['#v=2&seeds=1&run=frontier', 'docs/screenshot-frontier.png', 900_000, { width: 1280, height: 900 }, false, '#chart'],
  ].filter(([, file]) => !ONLY.length || ONLY.some((n) => file.endsWith(`-${n}.png`) || (n === 'single' && file.endsWith('screenshot.png'))))) {
    const { page, context, problems } = await openPage(env, hash, { viewport });
    // A job estimated above a minute asks first (the frontier: ~113 s of CPU natively); the
    // picture is of the job, so it is confirmed (the script waited 300 s on the question before).
    await page.waitForFunction(() => ['running', 'done', 'error'].includes(document.body.dataset.state)
      || document.getElementById('cost-dialog')?.open, null, { timeout: 60_000 });
    if (await page.evaluate(() => !!document.getElementById('cost-dialog')?.open)) await page.locator('#cost-yes').click();
    const state = await waitState(page, ['done', 'error'], timeout);
    if (state !== 'done' || problems.length) throw new Error(`${hash}: ${state} ${problems.join('; ')}`);
    // A lecture slide writes its sentences once its result is drawn.
    if (hash.includes('present=1')) await page.waitForSelector('#lec-slide[data-state="done"]', { timeout, state: 'attached' });
    // The page moves focus to the results after a run; its focus ring does not belong in a picture.
    await page.evaluate(() => document.activeElement?.blur());
    // The sticky section bar would cover the top of a pictured element; the first-screen picture
    // (shot null) keeps it, scrolled to the top.
    if (shot !== null) await page.evaluate(() => { document.getElementById('section-nav').hidden = true; });
    else await page.evaluate(() => window.scrollTo(0, 0));
    // The results panel's pictures stay one screen tall: the Individuals view has its own picture.
    if (shot === '#results-panel') {
      await page.evaluate(() => { const e = document.getElementById('individuals'); if (e) e.hidden = true; });
    }
    if (shot === null) {
      await page.screenshot({ path: `${ROOT}/${file}` });
      console.log('wrote', file);
      await context.close();
      continue;
    }
    const panel = page.locator(shot).first();
    if (screenOnly) {
      // In page coordinates (a full-page clip), wherever the page has scrolled to.
      const b = await panel.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
      });
      await page.screenshot({ path: `${ROOT}/${file}`, fullPage: true,
        clip: { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, viewport.height) } });
    } else {
      await panel.screenshot({ path: `${ROOT}/${file}` });
    }
    console.log('wrote', file);
    await context.close();
  }
  if (!ONLY.length || ONLY.includes('audit')) {
    const file = 'docs/screenshot-audit.png';
    const viewport = { width: 1000, height: 1100 };
    const { page, context, problems } = await openPage(env, '#v=2&run=audit', { viewport });
    await waitState(page, 'ready');
    const example = path.join(ROOT, 'docs/examples/audit');
    await page.locator('#audit-ratings').setInputFiles(path.join(example, 'ratings.csv'));
    await page.locator('#audit-lists').setInputFiles(path.join(example, 'lists.csv'));
    await page.locator('#audit-shadow').selectOption('item-knn');
    await page.locator('#audit-top-n').fill('10'); // the example's lists are 10 long (docs/audit.md)
    await page.getByRole('button', { name: 'Run audit', exact: true }).click();
    const state = await waitState(page, ['done', 'error'], 120_000);
    if (state !== 'done' || problems.length) throw new Error(`audit: ${state} ${problems.join('; ')}`);
    const report = await download(page, '#btn-audit-report');
    const shot = await context.newPage();
    await shot.setContent(report.bytes.toString('utf8'));
    await shot.screenshot({ path: `${ROOT}/${file}` });
    console.log('wrote', file);
    await context.close();
  }
} finally {
  await env.close();
}
