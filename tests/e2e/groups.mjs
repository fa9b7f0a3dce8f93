// groups.mjs — owns how `make test-e2e` splits the e2e files: three groups run at the same time
// (three Node processes, `node --test --test-concurrency=3 group-1.mjs group-2.mjs group-3.mjs`), each with
// one server and one Chromium for all its files (browser.mjs). Most tests keep one core busy (the
// page's pool is cores − 1 = 1 worker here), so the two busy groups use both cores of this machine. The
// long-task checks measure a task's CPU time, not its wall time (browser.mjs), so they hold beside
// the other group and under pools larger than the cores; no file needs the machine to itself.
// Group 3 runs beside them: the files that mostly wait (GROUP_3: lecture mode's slow motion holds
// each stage 2.5 s, 20 s of the test's 23 s), which cost the busy groups little CPU but would add
// their wall time to one of them.
// Group 1 is the list below: about half of the busy files' summed test time, measured in a full run
// (docs/testing.md); group 2 is every other file, so a new file is never left out.

import { readdirSync } from 'node:fs';

export const GROUP_1 = ['pool.test.mjs', 'lecture.test.mjs', 'labels.test.mjs', 'you.test.mjs',
  'run.test.mjs', 'algorithms.test.mjs', 'state.test.mjs', 'schema.test.mjs', 'modules.test.mjs', 'defence-tools.test.mjs',
  'cost.test.mjs', 'offline.test.mjs', 'audit.test.mjs'];

export const GROUP_3 = ['lecture-slow.test.mjs'];

const here = new URL('.', import.meta.url);

/** Every e2e test file, in name order. */
export function allFiles() {
  return readdirSync(here).filter((n) => n.endsWith('.test.mjs')).sort();
}

/** The files of group 1, 2 or 3 (all of them for any other value), in name order. */
export function groupFiles(group) {
  const all = allFiles();
  for (const f of [...GROUP_1, ...GROUP_3]) {
    if (!all.includes(f)) throw new Error(`groups.mjs names ${f}, which is not in tests/e2e/`);
  }
  if (group === 1) return all.filter((f) => GROUP_1.includes(f));
  if (group === 2) return all.filter((f) => !GROUP_1.includes(f) && !GROUP_3.includes(f));
  if (group === 3) return all.filter((f) => GROUP_3.includes(f));
  return all;
}

/** Imports (and so runs, under `node --test`) the files of `group`, one after another. */
export async function runGroup(group) {
  for (const name of groupFiles(group)) await import(new URL(name, here));
}
