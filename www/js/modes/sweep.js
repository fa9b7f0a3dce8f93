// modes/sweep.js — owns the sweeps: one key of the config over a list of values, each value run
// with seeds seed, seed+1, ... (the form's `seeds`); one module, three variants (the buttons), and
// sweepMode() for another (a new sweep mode is one call of it in a module of its own). The k-sweep
// follows the paper's Figure 2: the attacker's vector length, the recommenders fixed; the dim-sweep
// varies the recommenders' own dimension (what schema 1's k-sweep did, the vector length tied to it).
// While it runs, the points done so far are drawn into the same chart (updatePartial).

import { paramText, sweepSeeds, toConfig, conditionState } from '../state.js';
import { num, sweepValue, interval } from '../format.js';
import { drawSweep } from '../charts.js';
import { renderSweepTables, renderHeadline } from '../results.js';
import { sweepCSV } from '../csv.js';

const $ = (id) => document.getElementById(id);

/** A sweep's headline: the strongest attack at the first and last value, recall; Rust's takeaways. */
export function headlineSweep(sw) {
  const pts = sw.points;
  const first = pts[0];
  const lastP = pts[pts.length - 1];
  const what = paramText(sw.param).short;
  const N = sw.config.top_n;
  const at = (p) => [`Strongest at ${what} = ${sweepValue(p.value)}`, num(p.strongest_roc_auc_mean),
    `${p.strongest_attack} ROC-AUC, 95% ${interval(p.strongest_roc_auc_ci95)}; the ${sw.config.attack} attack ${num(p.roc_auc_mean)}`];
  renderHeadline($('headline'), [
    at(first),
    ...(pts.length > 1 ? [at(lastP)] : []),
    [`Recall@${N}`, pts.length > 1 ? `${num(first.recall_at_n_mean)} \u2192 ${num(lastP.recall_at_n_mean)}` : num(first.recall_at_n_mean),
      `members\u2019 held-out ratings found, ${what} = ${sweepValue(first.value)}${pts.length > 1 ? ` to ${sweepValue(lastP.value)}` : ''}`],
  ], pts.length < sw.values.length
    ? `${pts.length} of ${sw.values.length} values done.`
    : (sw.takeaways || []).join(' '));
}

/** A sweep mode: `param` (a numeric config key) over `values`, named `id` and `label`. */
export function sweepMode({ id, label, param, values, slot = 'algorithms' }) {
  return {
    id,
    label,
    slot,
    param,
    values,
    varies: [param],
    fields: ['seeds'],
    job: (st) => ({ kind: 'sweep', param, values: values.slice(), seeds: sweepSeeds(st) }),
    view: 'sweep',
    payload: (result) => ({ config: result.config, sweep: result }),
    partial(job, msg) { job.partial.push(msg.point); },
    partialResult: (job) => ({
      param, values: job.spec.values, seeds: job.spec.seeds, config: { ...toConfig(conditionState(job.cond)) }, points: job.partial,
    }),
    // The sweep already on screen is this job's: only its points, tables and headline change.
    updatePartial(chart, result, condition) {
      if (!chart?.sameSweep?.(result)) return false;
      chart.update(result);
      renderSweepTables($('tables'), result, condition);
      headlineSweep(result);
      return true;
    },
    progressLabel(p, spec) {
      const v = spec.values[Math.floor(p.run_index / spec.seeds.length)];
      const seed = spec.seeds[p.run_index % spec.seeds.length];
      return `Run ${p.run_index + 1} of ${p.run_count} (${paramText(param).short} = ${sweepValue(v)}, seed ${seed}). `;
    },
    render(v, ctx) {
      const chart = drawSweep($('chart'), v.result, {
        title: `Attack success against ${paramText(param, v.result.config).long} \u2014 ${ctx.d.text}`,
        condition: ctx.d.text, describedBy: 'sweep-table', progressive: !!v.partial,
      });
      renderSweepTables($('tables'), v.result, ctx.d.text);
      headlineSweep(v.result);
      return chart;
    },
    announce: (s, what) => `Sweep done. ${(s.result.takeaways || []).join(' ')} (${what}).`,
    csv: (payload) => sweepCSV(payload.sweep),
    csvLabel: 'Download CSV (every run)',
  };
}

export const modes = [
  sweepMode({ id: 'k-sweep', label: 'vector-length sweep', param: 'vector_k', values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] }),
  sweepMode({ id: 'dim-sweep', label: 'model-size sweep', param: 'k', values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] }),
  sweepMode({ id: 'lr-sweep', label: 'learning-rate sweep', param: 'lr', values: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1] }),
];
