// screenshot.mjs — makes the README's pictures from the built site: the results after a default
// run (docs/screenshot.png) and after a one-seed k-sweep (docs/screenshot-ksweep.png).
// Usage: make web && node scripts/screenshot.mjs
import { setup, openPage, waitState } from '../tests/e2e/browser.mjs';
import { ROOT } from '../tests/e2e/server.mjs';

const env = await setup();
try {
  for (const [hash, file, timeout] of [
    ['#seed=0&run=single', 'docs/screenshot.png', 60_000],
    ['#seed=0&seeds=1&run=k-sweep', 'docs/screenshot-ksweep.png', 120_000],
  ]) {
    const { page, context, problems } = await openPage(env, hash, { viewport: { width: 1280, height: 900 } });
    const state = await waitState(page, ['done', 'error'], timeout);
    if (state !== 'done' || problems.length) throw new Error(`${hash}: ${state} ${problems.join('; ')}`);
    // The page moves focus to the results after a run; its focus ring does not belong in a picture.
    await page.evaluate(() => document.activeElement?.blur());
    await page.locator('#results-panel').screenshot({ path: `${ROOT}/${file}` });
    console.log('wrote', file);
    await context.close();
  }
} finally {
  await env.close();
}
