// modes/single.js — owns the single run, the page's first mode (the Run button, live mode, the
// defence tools): its job, its headline (the strongest attack, the run's own, recall), its live-region
// sentence and its CSV (the ROC points). The ROC chart itself is drawn by js/view.js (ctx.roc), which
// the comparison shares.

import { pct, num, ratio, interval, pctInterval, tpr } from '../format.js';
import { renderSingleTables, renderHeadline, singleTakeaway, warningsBox } from '../results.js';
import { rocCSV } from '../csv.js';

const $ = (id) => document.getElementById(id);

/**
 * A single run's headline: the strongest attack the run ran (its ROC-AUC with the 95 % interval,
 * what it finds at 1 % FPR or why that cannot be measured), the run's own attack beside it, recall;
 * the takeaways Rust wrote from the same numbers, and the warnings.
 */
export function headlineSingle(r) {
  const N = r.config.top_n;
  const t = r.recommender.target;
  const nN = r.counts.target_nonmembers;
  const st = r.strongest;
  const own = r.config.attack;
  const t1 = st.tpr_at_1pct;
  const items = [
    [`Strongest attack: ${st.attack}`, num(st.roc_auc), `ROC-AUC, 95% ${interval(st.ci95.roc_auc)}; 0.5 = guessing, 1 = perfect`],
    ['TPR at 1% FPR, strongest', tpr(t1, nN), t1 === null
      ? `one wrongly flagged non-member is already ${pct(r.min_nonzero_fpr)}`
      : `members found, \u2264 1% of non-members flagged (95% ${pctInterval(st.ci95.tpr_at_1pct)})`],
  ];
  if (st.attack !== own) {
    items.push([`This run\u2019s attack: ${own}`, num(r.roc_auc), `ROC-AUC, 95% ${interval(r.ci95?.roc_auc)}; ${tpr(r.tpr_at_fpr['0.01'], nN)} at 1% FPR`]);
  }
  items.push([`Recall@${N}`, num(t.recall_at_n), `${ratio(t.recall_vs_popularity)} the popularity list\u2019s ${num(t.popularity_recall_at_n)}: what the recommender is worth`]);
  renderHeadline($('headline'), items, singleTakeaway(r), warningsBox([{ result: r }]));
}

export default {
  id: 'single',
  label: 'run',
  slot: 'attack',
  job: () => ({ kind: 'single' }),
  runningText: 'Running the attack\u2026',
  view: 'roc',
  defenceTools: true, // a change of the shown run's defence re-runs it at once (main.js)
  individuals: true, // every target user as a dot (js/individuals.js)
  pinRuns: (result) => [result],
  render(v, ctx) {
    const chart = ctx.roc(`ROC of the ${v.result.config.attack} attack \u2014 AUC ${num(v.result.roc_auc)} \u2014 ${ctx.d.text}`);
    renderSingleTables($('tables'), v.result, ctx.d.text);
    headlineSingle(v.result);
    return chart;
  },
  announce(s, what) {
    const st = s.result.strongest;
    return `Done. Strongest attack ${st.attack}: ROC-AUC ${num(st.roc_auc)}, TPR at 1% FPR ${tpr(st.tpr_at_1pct, s.result.counts.target_nonmembers)}`
      + `; the ${s.result.config.attack} attack: ROC-AUC ${num(s.result.roc_auc)} (${what}).`;
  },
  csv: (payload) => rocCSV([], [[[], payload.roc]]),
  csvLabel: 'Download CSV (ROC points)',
};
