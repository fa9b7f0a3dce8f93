// modules.test.mjs — the site's two wasm modules (www/js/wasm-module.js, src/full.rs): a first
// visit downloads the core module only, once; the first job that needs the full module (here a
// run with ncf as the target's recommender) downloads it, once, and the worker moves to it; runs
// after that, ncf or not, use it without another download. (Under `make test` the site's core
// module is a copy of the full one: the downloads and the worker's move are the same.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, requireCli } from './server.mjs';
import { setup, openPage, waitState, runAndWait } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
const QUICK_JSON = { k: 16, epochs: 8, vector_epochs: 3, attack_epochs: 8, attack_restarts: 1 };

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** How many times the page fetched each wasm module (its resource timing entries). */
function downloads(page) {
  return page.evaluate(() => {
    const names = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
    return {
      core: names.filter((n) => n.endsWith('/pkg/memberlens_core_bg.wasm')).length,
      full: names.filter((n) => n.endsWith('/pkg/memberlens_bg.wasm')).length,
    };
  });
}

test('the first load fetches the core module only; an ncf run fetches the full one once, and runs after it reuse it', async () => {
  requireCli();
  // The site as it ships: the real data set's bundle (a small model: the data set's size changes little here).
  const { page, context, problems, ratings } = await openPage(env, `#v=2&seed=2&${QUICK}`, { data: 'full', serviceWorker: true });
  let ncf;
  let lfm;
  try {
    await waitState(page, 'ready');
    assert.deepEqual(await downloads(page), { core: 1, full: 0 });

    await page.getByLabel('Recommender (target)').selectOption('ncf');
    ncf = await runAndWait(page);
    assert.equal(ncf.config.recommender, 'ncf');
    assert.deepEqual(await downloads(page), { core: 1, full: 1 });

    await page.getByLabel('Recommender (target)').selectOption('lfm');
    lfm = await runAndWait(page);
    assert.equal(lfm.config.recommender, 'lfm');
    assert.deepEqual(await downloads(page), { core: 1, full: 1 });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  // Both runs of the full module are the CLI's, bit for bit (timings aside).
  const strip = ({ timings_ms: _t, ...rest }) => rest;
  for (const r of [ncf, lfm]) {
    const cfg = JSON.stringify({ ...QUICK_JSON, recommender: r.config.recommender });
    const { stdout } = await promisify(execFile)(CLI, ['run', '--json', '--seed', '2', '--config', cfg, '--ratings', ratings],
      { maxBuffer: 64 << 20 });
    assert.deepStrictEqual(strip(r), strip(JSON.parse(stdout)), r.config.recommender);
  }
});
