// run-all.mjs — runs every e2e test file (`*.test.mjs`, in name order) in ONE process: one static
// server and one Chromium for all of them (browser.mjs shares them), instead of a Node process, a
// server and a browser per file. `make test-e2e` runs the same files in three groups at once
// (group-1.mjs, group-2.mjs and group-3.mjs: groups.mjs); `node --test tests/e2e/` still runs each file in its own
// process; `node --test tests/e2e/x.test.mjs` runs one.

import { runGroup } from './groups.mjs';

await runGroup(0);
