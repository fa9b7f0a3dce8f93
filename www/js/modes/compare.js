// modes/compare.js — owns the one-click comparison: the paper's protocol (non-members get the popular
// list) against the model serving everyone (fold-in), two single runs on one ROC chart; its partial
// result is the runs done so far.

import { num, interval, tpr } from '../format.js';
import { renderHeadline, compareTakeaway, warningsBox } from '../results.js';
import { rocCSV } from '../csv.js';
import { headlineSingle } from './single.js';

const $ = (id) => document.getElementById(id);

/** The runs compared, in order. */
export const COMPARE = [
  { protocol: 'popular', label: 'Popular list (paper)' },
  { protocol: 'fold-in', label: 'Model lists (fold-in)' },
];

export default {
  id: 'compare',
  label: 'comparison',
  slot: 'serving',
  varies: ['protocol'],
  job: (st, config) => ({ kind: 'compare', configs: COMPARE.map((c) => ({ ...config, protocol: c.protocol })) }),
  view: 'roc',
  pinText: 'Pin both runs',
  pinRuns: (result) => result.runs,
  rocCurves: (result) => result.runs.map((r, i) => ({ label: COMPARE[i].label, result: r })),
  partial(job, msg) { job.partial.push(msg.result); },
  partialResult: (job) => ({ runs: job.partial }),
  progressLabel: (p) => `Run ${p.run_index + 1} of ${p.run_count} (${COMPARE[p.run_index]?.label}). `,
  render(v, ctx) {
    const chart = ctx.roc(`ROC: popular list vs model lists \u2014 ${ctx.d.text}`);
    $('tables').replaceChildren();
    if (v.result.runs.length === 2) {
      const [a, b] = v.result.runs;
      const st = (r) => r.strongest;
      const t1 = (r) => tpr(st(r).tpr_at_1pct, r.counts.target_nonmembers);
      renderHeadline($('headline'), [
        ['Strongest attack, popular list', num(st(a).roc_auc), `${st(a).attack} ROC-AUC, 95% ${interval(st(a).ci95.roc_auc)}; the paper\u2019s protocol`],
        ['Strongest attack, model lists', num(st(b).roc_auc), `${st(b).attack} ROC-AUC, 95% ${interval(st(b).ci95.roc_auc)}; fold-in: everyone served by the model`],
        ['TPR at 1% FPR, strongest', `${t1(a)} vs ${t1(b)}`, 'popular vs fold-in'],
      ], compareTakeaway(v.result), warningsBox(v.result.runs.map((r, i) => ({ label: COMPARE[i].label, result: r }))));
    } else {
      headlineSingle(v.result.runs[0]);
      $('headline').querySelector('.takeaway').textContent = 'The popular-list run is done; the fold-in run follows.';
    }
    return chart;
  },
  announce: (s, what) => `Done. ${compareTakeaway(s.result)} (${what}).`,
  csv: (payload) => rocCSV(['protocol'], payload.runs.map((r) => [[r.config.protocol], r.roc])),
  csvLabel: 'Download CSV (ROC points)',
};
