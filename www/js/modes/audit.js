// modes/audit.js — owns the audit as a run mode: an outsider's every attack on the lists a service
// served (the files and settings come from the audit panel, js/audit.js, which also draws the
// result). A link opens that panel and never starts one (its files are never in a link); it has no
// cost estimate (its cost depends on its files, which only the worker reads). Its #results payload
// is what `memberlens audit --json` prints (docs/INTERFACES.md, "Audit result").

import { AUDIT_OWN_KEYS } from '../state.js';
import * as audit from '../audit.js';

// An audit: the service under attack is the auditor's; its lists come from their file.
const AUDIT_STAGES = {
  split: 'Your users who are not audited become the attacker\u2019s own data (the shadow half), cut into members and non-members as a run cuts a half. The audited users\u2019 labels are not read until the evaluation.',
  target_recommender: 'Not needed: your service is the target, and the lists it served come from your file.',
  recommendations: 'The shadow serves its users lists; your file holds the lists your service served the audited users.',
  attack_model: 'The MLP learns from the shadow half; the calibrated attack (lira) trains reference recommenders that imitate your service on shares of the audited users\u2019 histories.',
  evaluation: 'Every attack scores every audited user: with labels, ROC-AUC and TPR at 1% FPR with intervals; always, each user\u2019s risk and rank, the slices and the most exposed users.',
};

const $ = (id) => document.getElementById(id);

let wired = false;
/** The panel's code is wired the first time the panel is used (opened, a link, its button). */
function panel(api) {
  if (wired) return;
  wired = true;
  audit.init({ topN: api.state().top_n });
  $('btn-audit-report').addEventListener('click', audit.downloadReport);
  $('btn-audit-json').addEventListener('click', audit.downloadJSON);
}

export default {
  id: 'audit',
  label: 'audit',
  slot: 'data',
  // An audit takes the shadow family and the list length from its own panel.
  varies: AUDIT_OWN_KEYS,
  configOverrides: () => audit.overrides(),
  job: () => ({ kind: 'audit', ...audit.jobFields() }),
  // The files go beside the job in the run message (js/protocol.js), not in the core's JobSpec.
  files: () => audit.files(),
  cost: null,
  preflight: () => audit.problem() || '',
  initPanel: panel,
  refresh() { if (wired) audit.refreshShadows(); }, // the worker's algorithm names arrived
  beforeStart(api) { // a file chosen a moment ago is read first
    panel(api);
    return audit.whenRead();
  },
  linkStarts: false,
  open(api) {
    panel(api);
    audit.open();
  },
  runningText: 'Running the audit: every attack an outsider could run on your lists\u2026',
  stages: (STAGES) => STAGES.map(([id, title, text]) => [id, title, AUDIT_STAGES[id] || text, id === 'target_recommender']),
  view: 'audit',
  show: (v, conditionText) => audit.show(v, conditionText),
  hide: () => audit.hide(),
  announce: (s) => `Audit done. ${audit.headline(s.result)}`,
};
