// screenshot.mjs — makes the README's pictures from the built site: the results after a default
// run (docs/screenshot.png), after a one-seed k-sweep (docs/screenshot-ksweep.png), and the
// Individuals view's score strip with its threshold at 1024×768 (docs/screenshot-individuals.png).
// Usage: make web && node scripts/screenshot.mjs
import { setup, openPage, waitState } from '../tests/e2e/browser.mjs';
import { ROOT } from '../tests/e2e/server.mjs';

const env = await setup();
try {
  // [link, file, timeout, element pictured (default: the results panel), viewport]
  for (const [hash, file, timeout, shot = '#results-panel', viewport = { width: 1280, height: 900 }] of [
    ['#seed=0&run=single', 'docs/screenshot.png', 60_000],
    ['#seed=0&seeds=1&run=k-sweep', 'docs/screenshot-ksweep.png', 120_000],
    ['#seed=0&run=single', 'docs/screenshot-individuals.png', 60_000, '#individuals .ind-fig', { width: 1024, height: 768 }],
  ]) {
    const { page, context, problems } = await openPage(env, hash, { viewport });
    const state = await waitState(page, ['done', 'error'], timeout);
    if (state !== 'done' || problems.length) throw new Error(`${hash}: ${state} ${problems.join('; ')}`);
    // The page moves focus to the results after a run; its focus ring does not belong in a picture.
    await page.evaluate(() => document.activeElement?.blur());
    // The results panel's pictures stay one screen tall: the Individuals view has its own picture.
    if (shot === '#results-panel') await page.evaluate(() => { document.getElementById('individuals').hidden = true; });
    await page.locator(shot).first().screenshot({ path: `${ROOT}/${file}` });
    console.log('wrote', file);
    await context.close();
  }
} finally {
  await env.close();
}
