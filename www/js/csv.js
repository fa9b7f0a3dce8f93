// csv.js — owns the CSV downloads' common form: the first line `# MemberLens <mode>: <condition>`,
// fields as JavaScript prints numbers (every digit kept), and a number the run could not measure (a
// TPR at an FPR below one non-member's share: null in the JSON) as an empty field, never the text
// "null". What the rows are is each run mode's (its `csv(payload)`, js/modes/): one row per ROC point
// (a run, or each run of a comparison with its protocol), per run of a sweep value, per cell and seed
// of a matrix, per run of every frontier point; the shapes modes share are here (rocCSV, sweepCSV).

import { mode } from './modes/index.js';

/** One CSV field: numbers as JavaScript prints them (every digit kept), null or undefined empty. */
export function field(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line of `values`. */
export const row = (values) => values.map(field).join(',');

/** Lines (the header first) as a CSV body. */
export const lines = (rows) => `${rows.join('\n')}\n`;

/** CSV of the numbers behind the chart of mode `id` (#results' payload), headed by `condition`. */
export function toCSV(id, payload, condition = '') {
  const m = mode(id);
  if (!m.csv) throw new Error(`run mode '${id}' has no CSV`);
  const head = condition ? `# MemberLens ${id}: ${condition}\n` : '';
  return head + m.csv(payload);
}

/** The strongest attack of a run (a sweep's, matrix cell's or frontier point's): name, ROC-AUC, TPR at 1% FPR. */
export const strongest = (r) => [r.strongest?.attack, r.strongest?.roc_auc, r.strongest?.tpr_at_1pct];

/** ROC points: `[[prefix values, roc], ...]`, each prefix named by `heads` (a comparison: the protocol). */
export function rocCSV(heads, rocs) {
  const rows = [[...heads, 'threshold', 'fpr', 'tpr'].join(',')];
  for (const [prefix, { fpr, tpr, thresholds }] of rocs) {
    for (let i = 0; i < fpr.length; i++) rows.push(row([...prefix, thresholds[i], fpr[i], tpr[i]]));
  }
  return lines(rows);
}

/** A sweep (the report of a sweep job, wasm `Job.start`): one row per run (seed) of every value. */
export function sweepCSV(sw) {
  const rows = [`${sw.param},seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,balanced_accuracy,recall_at_n,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr`];
  for (const p of sw.points) {
    for (const r of p.runs) {
      rows.push(row([p.value, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001'], r.balanced_accuracy, r.recall_at_n, ...strongest(r)]));
    }
  }
  return lines(rows);
}
