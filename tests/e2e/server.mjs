// server.mjs — owns the e2e tests' static file server: serves www/ on 127.0.0.1 at a free port with
// the MIME types a browser insists on (application/wasm for streaming compile, text/javascript for
// module scripts), and the shared Chromium launch settings (no sandbox, no network side traffic).

import http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WWW = path.join(ROOT, 'www');
// The native CLI the "page equals CLI" checks compare with (make test points MEMBERLENS_CLI at the
// one its native layer built), and the ratings file the site's bundle was made from.
export const CLI = process.env.MEMBERLENS_CLI || path.join(ROOT, 'target/release/memberlens');
export const RATINGS = process.env.MEMBERLENS_RATINGS || path.resolve(ROOT, '../shared/data/ml-latest-small/ratings.csv');

/** The page-equals-CLI checks need both: a missing one FAILS the test with what to do, never skips it. */
export function requireCli() {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it (make build) or set MEMBERLENS_CLI`);
  if (!existsSync(RATINGS)) throw new Error(`${RATINGS} is missing: set MEMBERLENS_RATINGS (make test-e2e sets it from data/fetch.sh)`);
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

/** Starts the server; resolves to {url, close()}. `log` collects every request path. */
export async function serve(dir = WWW, log = []) {
  const root = path.resolve(dir);
  const server = http.createServer(async (req, res) => {
    try {
      const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(root, rel);
      if (file !== root && !file.startsWith(root + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      log.push(rel);
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
