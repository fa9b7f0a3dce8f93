// modes/frontier.js — owns the privacy–utility frontier: every defence (the form's `defences`, or
// every one that applies) at every strength (`strengths`), against the strongest attack, one panel
// per serving protocol (`protocols`), each point with seeds seed, seed+1, ...; while it runs, the
// points done so far (js/pool.js). The drawing and tables are js/frontier.js's. Its #results payload
// is the report as it is (docs/INTERFACES.md, "Frontier result").

import { sweepSeeds, frontierStrengths, frontierProtocols } from '../state.js';
import { drawFrontier, renderFrontierTables, frontierHeadline, frontierTakeaway } from '../frontier.js';
import { renderHeadline } from '../results.js';
import { row, lines, strongest } from '../csv.js';

const $ = (id) => document.getElementById(id);

/** One row per run (seed) of every point of every panel, the undefended and natural runs included. */
function frontierCSV(f) {
  const rows = ['protocol,defence,strength,parameter_value,epochs,seed,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr,'
    + 'roc_auc,tpr_at_1pct_fpr,naive_roc_auc,recall_at_n'];
  const add = (protocol, d, s, pv, ep, r) => rows.push(row([protocol, d, s, pv, ep, r.seed, ...strongest(r),
    r.roc_auc, r.tpr_at_fpr['0.01'], r.naive_roc_auc, r.recall_at_n]));
  for (const panel of f.panels) {
    const p = panel.protocol;
    for (const r of panel.undefended.runs || []) add(p, 'none', 0, '', '', r);
    for (const d of panel.defences) for (const pt of d.points) for (const r of pt.runs) add(p, d.defence, pt.strength, pt.parameter_value, '', r);
    for (const pt of panel.natural) for (const r of pt.runs) add(p, `natural-${pt.init}`, '', '', pt.epochs, r);
  }
  return lines(rows);
}

export default {
  id: 'frontier',
  label: 'privacy\u2013utility frontier',
  slot: 'defences',
  // It varies the defence and its strength itself, and the protocol (one panel each of
  // `protocols`); it runs the base config undefended.
  varies: ['defence', 'defence_strength', 'protocol'],
  fields: ['seeds', 'defences', 'strengths', 'protocols'],
  // defences: [] asks the core for every defence that applies to the config (docs/INTERFACES.md).
  job: (st) => ({
    kind: 'frontier', defences: st.defences ? st.defences.split(',') : [], strengths: frontierStrengths(st), seeds: sweepSeeds(st),
    protocols: frontierProtocols(st),
    // Tests only (under automation): `__memberlensTestNaturalEpochs` (a list) shortens the natural
    // curve, whose default 10 to 80 epochs are most of a small frontier's time (tests/e2e).
    ...(navigator.webdriver && self.__memberlensTestNaturalEpochs ? { natural_epochs: self.__memberlensTestNaturalEpochs } : {}),
  }),
  runningText: 'Running every defence at every strength: its points appear as they are done\u2026',
  view: 'frontier',
  partial(job, msg) { job.partial = msg.result; }, // the frontier so far
  partialResult: (job) => job.partial,
  progressLabel(p, spec) { // panel-major: every seed of the first protocol, then the next
    const n = spec.seeds.length;
    const where = [spec.protocols?.[Math.floor(p.run_index / n)], `seed ${spec.seeds[p.run_index % n]}`].filter(Boolean).join(', ');
    return `Part ${p.run_index + 1} of ${p.run_count} (${where}). `;
  },
  render(v, ctx) {
    // While it runs: the points done so far (js/pool.js), said in its title.
    const sofar = v.partial ? ' (so far: the points done)' : '';
    const chart = drawFrontier($('chart'), v.result, {
      title: `Defences against the strongest attack: privacy vs usefulness${sofar} \u2014 ${ctx.d.text}`, condition: ctx.d.text,
    });
    if (v.partial) {
      // While it runs only the chart: the tables of every point cost the main thread 200+ ms a
      // redraw (tests/e2e/frontier.test.mjs's long tasks); they come with the whole.
      $('tables').replaceChildren();
      renderHeadline($('headline'), [], 'The points appear as they are done; the tables and findings follow the whole frontier.');
    } else {
      renderFrontierTables($('tables'), v.result, ctx.d.text);
      renderHeadline($('headline'), frontierHeadline(v.result), frontierTakeaway(v.result));
    }
    return chart;
  },
  announce: (s, what) => `Frontier done. ${frontierTakeaway(s.result)} (${what}).`,
  csv: frontierCSV,
  csvLabel: 'Download CSV (every run)',
};
