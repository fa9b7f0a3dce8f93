// server.mjs — owns the e2e tests' static file server: serves www/ on 127.0.0.1 at a free port with
// the MIME types a browser insists on (application/wasm for streaming compile, text/javascript for
// module scripts), and the same site under /small/ with the small data set's bundle in place of the
// real one (DATA); and the shared Chromium launch settings (no sandbox, no network side traffic).

import http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WWW = path.join(ROOT, 'www');
// The native CLI the "page equals CLI" checks compare with (make test points MEMBERLENS_CLI at the
// one its native layer built).
export const CLI = process.env.MEMBERLENS_CLI || path.join(ROOT, 'target/release/memberlens');
// The ratings file the site's bundle was made from: the real data set.
const FULL_RATINGS = process.env.MEMBERLENS_RATINGS || path.resolve(ROOT, '../shared/data/ml-latest-small/ratings.csv');
// The small data set (scripts/e2e-data.sh, run by make web-test): every user, a third of the films.
const SMALL_DIR = path.join(ROOT, 'target/e2e-data');
const SMALL_BUNDLE = path.join(SMALL_DIR, 'ml-latest-small.bin');

/**
 * The two data sets a test's page can run on (browser.mjs openPage's `data`), each with the ratings
 * file the CLI must be given to compute what that page computed, and where the site is served with
 * it, the bundle the page loads and its counts: `full`, the real ml-latest-small (www/data), at
 * the server's root; `small`, at /small/.
 * Most behaviour tests use the small one: a default single run costs a third of the CPU
 * (docs/testing.md).
 */
export const DATA = {
  full: { ratings: FULL_RATINGS, bundle: path.join(WWW, 'data/ml-latest-small.bin'), prefix: '', counts: { users: 610, items: 9724, interactions: 100836 } },
  // The counts scripts/e2e-data.sh checks when it writes the files.
  small: { ratings: path.join(SMALL_DIR, 'ratings.csv'), bundle: SMALL_BUNDLE, prefix: 'small/', counts: { users: 610, items: 3206, interactions: 33201 } },
};

/** `DATA[name]`, failing (never falling back) when the name is unknown or its files are missing. */
export function dataSet(name) {
  const d = DATA[name];
  if (!d) throw new Error(`unknown e2e data set "${name}": full or small`);
  if (name === 'small' && !(existsSync(d.bundle) && existsSync(d.ratings))) {
    throw new Error(`${SMALL_DIR} lacks the small data set: run make web-test (scripts/e2e-data.sh writes it)`);
  }
  return d;
}

/** The ratings file of data set `name`, for the CLI (requireCli checks the files exist). */
export function ratingsOf(name) {
  return dataSet(name).ratings;
}

/** The page-equals-CLI checks need both: a missing one FAILS the test with what to do, never skips it. */
export function requireCli(data = 'small') {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it (make build) or set MEMBERLENS_CLI`);
  if (!existsSync(FULL_RATINGS)) throw new Error(`${FULL_RATINGS} is missing: set MEMBERLENS_RATINGS (make test-e2e sets it from data/fetch.sh)`);
  dataSet(data);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.webmanifest': 'application/manifest+json',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
};

/**
 * Starts the server; resolves to {url, close()}. `log` collects every request path. `/small/<path>`
 * is `<path>` of the same site, except the data bundle, which is the small data set's (DATA): the
 * page's worker fetches ../data/ml-latest-small.bin from its own module (www/js/worker.js), so
 * the site under /small/ runs on it, its service worker (scope /small/) included.
 */
export async function serve(dir = WWW, log = []) {
  const root = path.resolve(dir);
  const server = http.createServer(async (req, res) => {
    try {
      const asked = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const small = asked.startsWith('/small/');
      const rel = small ? asked.slice('/small'.length) : asked;
      let file = path.join(root, rel);
      if (file !== root && !file.startsWith(root + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      if (small && rel === '/data/ml-latest-small.bin') file = SMALL_BUNDLE;
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      log.push(asked);
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-store',
      }).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

export const CHROMIUM = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
};

// Run directly (`node tests/e2e/server.mjs`) to look at the page by hand.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await serve();
  console.log(`serving ${WWW} at ${s.url}`);
}
