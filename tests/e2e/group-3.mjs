// group-3.mjs — the e2e files of group 3 in one process, run alone (groups.mjs; make test-e2e).
import { runGroup } from './groups.mjs';

await runGroup(3);
