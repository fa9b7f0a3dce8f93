// groups.mjs — owns how `make test-e2e` splits the e2e files: groups 1 and 2 run at the same time
// (two Node processes, `node --test --test-concurrency=2 group-1.mjs group-2.mjs`), then group 3
// alone. Each process has one server and one Chromium for all its files (browser.mjs). Most tests
// keep one core busy (the page's pool is cores − 1 = 1 worker here), so two at once use both cores
// of this machine. Group 3 holds the files that check the main thread has no long task while a run
// is in progress, or that force a pool larger than the page would choose: they assume the page
// has the machine to itself (a core left for the main thread), which a second group would take.
// Group 1 is the list below (about half of what groups 1 and 2 run, by measured test time);
// group 2 is every other file, so a new file is never left out.

import { readdirSync } from 'node:fs';

export const GROUP_1 = ['lecture.test.mjs', 'you.test.mjs', 'condition.test.mjs', 'cost.test.mjs', 'schema.test.mjs',
  'state.test.mjs'];
export const GROUP_3 = ['pool.test.mjs', 'pool-schedule.test.mjs', 'frontier.test.mjs', 'matrix.test.mjs', 'run.test.mjs',
  'sweep.test.mjs'];

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
