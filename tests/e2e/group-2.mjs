// group-2.mjs — the e2e files of group 2 (every file not in group 1 or 3) in one process (groups.mjs; make test-e2e).
import { runGroup } from './groups.mjs';

await runGroup(2);
