// offline.test.mjs — the site works offline after a first visit (www/sw.js, the lecture hall's
// Wi-Fi): a first visit installs the service worker, which keeps every file the build listed
// (www/sw-build.js) in the cache named after the build; then the server is STOPPED, the page
// reloaded, a run made and a user card opened, its movies by title (data/titles.tsv from the cache).
// It also checks the web manifest is served and read (installable).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve, CHROMIUM, WWW } from './server.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';

test('offline after the first visit: stop the server, reload, run, open a user card with titles', async () => {
  const build = readFileSync(path.join(WWW, 'sw-build.js'), 'utf8');
  const hash = /MEMBERLENS_BUILD = '([0-9a-f]{12})'/.exec(build)?.[1];
  assert.ok(hash, 'www/sw-build.js has no build hash: run make web');
  const assets = [...build.matchAll(/^ {2}'([^']+)'/gm)].map((m) => m[1]);
  // The run modes' modules (js/modes/, minified into app/modes/) load when first chosen: offline
  // too, so every one is kept; the sources (js/, css/) and source maps the page never loads are not.
  const modes = readdirSync(path.join(WWW, 'js/modes')).filter((f) => f.endsWith('.js')).map((f) => `app/modes/${f}`);
  assert.ok(modes.includes('app/modes/single.js') && modes.length >= 8, modes.join(', '));
  assert.deepEqual(assets.filter((a) => a.startsWith('js/') || a.startsWith('css/') || a.endsWith('.map')), [],
    'sources in the offline list: the page loads app/');
  for (const want of ['./', 'index.html', 'app/main.js', 'app/worker.js', 'app/lecture.js', 'app/style.css', ...modes, 'pkg/memberlens_core_bg.wasm', 'pkg/memberlens_bg.wasm', 'data/ml-latest-small.bin', 'data/titles.tsv', 'vendor/uplot/uPlot.esm.js', 'manifest.webmanifest']) {
    assert.ok(assets.includes(want), `${want} is not in the offline list`);
  }
  const titles = new Set(readFileSync(path.join(WWW, 'data/titles.tsv'), 'utf8').split('\n').map((l) => l.split('\t')[1]).filter(Boolean));

  // Its own server: this test stops it.
  const server = await serve();
  const browser = await chromium.launch(CHROMIUM);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${server.url}#v=2&${QUICK}`);
    await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 60_000 });
    // The worker takes over and holds every listed file under this build's name.
    const cached = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      for (let i = 0; i < 200 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 50));
      const names = await caches.keys();
      const c = await caches.open(names.find((n) => n.startsWith('memberlens-')));
      return { names, n: (await c.keys()).length, active: !!reg.active, controlled: !!navigator.serviceWorker.controller };
    });
    assert.deepEqual(cached.names, [`memberlens-${hash}`]);
    assert.equal(cached.n, assets.length, 'not every listed file is cached');
    assert.ok(cached.active && cached.controlled, JSON.stringify(cached));
    const manifest = await page.evaluate(() => fetch('manifest.webmanifest').then((r) => r.json()));
    assert.equal(manifest.short_name, 'MemberLens');

    await server.close();
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 60_000 });
    await page.getByRole('button', { name: 'Run attack', exact: true }).click();
    await page.waitForSelector('body[data-state="done"]', { state: 'attached', timeout: 90_000 });
    await page.locator('#ind-user').selectOption({ index: 1 });
    const first = page.locator('#ind-card ol.ind-movies li').first();
    await first.waitFor({ timeout: 10_000 });
    const text = await first.textContent();
    assert.ok([...titles].some((t) => text.startsWith(t)), `the card's first movie reads "${text}", not a title`);
    assert.ok(!/movie \d+/.test(await page.locator('#ind-card').textContent()), 'a movie shown by id offline');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await browser.close();
    await server.close().catch(() => {});
  }
});
