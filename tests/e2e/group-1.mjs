// group-1.mjs — the e2e files of group 1 in one process (groups.mjs; make test-e2e).
import { runGroup } from './groups.mjs';

await runGroup(1);
