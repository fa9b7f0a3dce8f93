// group-3.mjs — the e2e files that mostly wait, run beside groups 1 and 2 (groups.mjs; make test-e2e).
import { runGroup } from './groups.mjs';

await runGroup(3);
