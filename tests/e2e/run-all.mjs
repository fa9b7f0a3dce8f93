// run-all.mjs — runs every e2e test file (`*.test.mjs`, in name order) in ONE process, as
// `make test-e2e` does: one static server and one Chromium for all of them (browser.mjs shares
// them), instead of a Node process, a server and a browser per file. `node --test tests/e2e/`
// still runs each file in its own process; `node --test tests/e2e/x.test.mjs` runs one.

import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url);
for (const name of readdirSync(here).filter((n) => n.endsWith('.test.mjs')).sort()) {
  await import(new URL(name, here));
}
