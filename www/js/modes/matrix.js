// modes/matrix.js — owns the transfer matrix: every shadow × target algorithm (the form's
// `recommenders`, or every one the module has), each cell with seeds seed, seed+1, ...; while it
// runs, the matrix of the seeds done so far (js/pool.js) is drawn.

import { recommenderList, sweepSeeds } from '../state.js';
import { num } from '../format.js';
import { drawMatrix } from '../charts.js';
import { renderMatrixTables, renderHeadline, matrixTakeaway } from '../results.js';
import { row, lines, strongest } from '../csv.js';

const $ = (id) => document.getElementById(id);

/** The matrix's headline: the personalised algorithms' diagonal against the rest (as the takeaway
 * Rust writes compares them: the popularity list sits at chance by construction). */
function headlineMatrix(m) {
  const personal = (c) => c.shadow !== 'popularity' && c.target !== 'popularity';
  const cells = m.cells.filter(personal);
  const diag = cells.filter((c) => c.shadow === c.target);
  const off = cells.filter((c) => c.shadow !== c.target);
  const mean = (cs) => cs.reduce((a, c) => a + c.roc_auc_mean, 0) / cs.length;
  const best = m.cells.reduce((a, c) => (c.strongest_roc_auc_mean > a.strongest_roc_auc_mean ? c : a), m.cells[0]);
  renderHeadline($('headline'), [
    ...(diag.length ? [['ROC-AUC, same algorithm', num(mean(diag)), 'personalised algorithms, the outlined diagonal: the paper\u2019s assumption']] : []),
    ...(off.length ? [['ROC-AUC, other algorithm', num(mean(off)), 'personalised algorithms off the diagonal: the attacker guessed wrong']] : []),
    ['Strongest attack, best cell', num(best.strongest_roc_auc_mean), `${best.strongest_attack}, shadow ${best.shadow} \u2192 target ${best.target} (table: every cell\u2019s strongest)`],
  ], matrixTakeaway(m));
}

export default {
  id: 'matrix',
  label: 'transfer matrix',
  slot: 'algorithms',
  varies: ['recommender', 'shadow_recommender'],
  fields: ['seeds', 'recommenders'],
  job: (st) => ({ kind: 'matrix', recommenders: recommenderList(st), seeds: sweepSeeds(st) }),
  runningText: 'Running the transfer matrix: its cells fill in as each seed is done\u2026',
  stageTexts: {
    target_recommender: 'Every algorithm of the matrix is trained on the target members\u2019 ratings, one after the other. The attacker never sees inside them.',
    shadow_recommender: 'The attacker trains every algorithm again on its own shadow members, so it knows who was in each training set.',
  },
  view: 'matrix',
  partial(job, msg) { job.partial = msg.result; }, // the matrix so far
  partialResult: (job) => job.partial,
  progressLabel: (p, spec) => `Seed ${p.run_index + 1} of ${p.run_count} (seed ${spec.seeds[p.run_index]}). `,
  render(v, ctx) {
    // While it runs: the matrix of the seeds done so far (js/pool.js), said in its title.
    const total = v.cond.values?.seeds;
    const sofar = v.partial ? ` (so far: ${v.result.seeds.length}${total ? ` of ${total}` : ''} seeds)` : '';
    const chart = drawMatrix($('chart'), v.result, {
      title: `Transfer matrix: ROC-AUC of the attack by shadow and target algorithm${sofar} \u2014 ${ctx.d.text}`,
      condition: ctx.d.text, describedBy: 'matrix-table',
    });
    renderMatrixTables($('tables'), v.result, ctx.d.text);
    headlineMatrix(v.result);
    return chart;
  },
  announce: (s, what) => `Transfer matrix done. ${matrixTakeaway(s.result)} (${what}).`,
  csv(payload) {
    const rows = ['shadow,target,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr'];
    for (const c of payload.cells) {
      for (const r of c.runs) rows.push(row([c.shadow, c.target, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001'], ...strongest(r)]));
    }
    return lines(rows);
  },
  csvLabel: 'Download CSV (every cell and seed)',
};
