// charts/sweep.js — the sweep chart: ROC-AUC and TPR at 1% FPR in two panels (and members' recall
// in a third for the learning-rate and model-size sweeps), each with its chance line, the run's
// attack and the strongest attack with their 95 % intervals, drawn point by point while a sweep
// runs; its readout; and warmUp(), which draws one off screen so the first real chart does not pay
// for uPlot's first draw.

import { pct, num, sweepValue, meanStd, pctStd } from '../format.js';
import { paramText } from '../state.js';
import { COLOURS, GREY, INK, ATTACK_STYLES, tickPct, axis, LOG_AXIS, el, plotSize, label, hLine } from './common.js';
import { mount, baseOpts, create } from './handle.js';

// ---- sweeps -----------------------------------------------------------------------------------

/**
 * Sweep chart in two panels, three for the learning-rate and model-size sweeps: ROC-AUC (chance
 * 0.5) and TPR at 1% FPR (chance 1%), each with the run's attack (bars: its 95 % interval) and the
 * strongest attack the runs ran (band: its 95 % interval), means over seeds; and members' recall@N
 * (± 1 std), which those two sweeps move. `sweep` may be partial (points for the first values
 * only): the x axis already spans every value, so points appear in place as they finish. A
 * learning-rate sweep gets a log x axis.
 */
export function drawSweep(box, first, { title, describedBy, condition = '', progressive = false } = {}) {
  // `sweep` is the latest state of the job: `update` replaces it as points arrive, and everything
  // below reads it when it draws (the values, seeds and settings stay those of `first`).
  let sweep = first;
  const logX = sweep.param === 'lr' || sweep.param === 'attack_lr';
  const xs = sweep.values.slice();
  const done = () => sweep.points.length;
  const col = (key) => xs.map((_, i) => (i < done() && Number.isFinite(sweep.points[i][key]) ? sweep.points[i][key] : null));
  const nSeeds = sweep.seeds.length;
  const names = paramText(sweep.param, sweep.config);
  const name = names.long;
  const axisName = names.axis;
  const own = sweep.config.attack || 'mlp';
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const pad = xs.length > 1 ? (maxX - minX) / (xs.length - 1) / 2 : Math.max(1, Math.abs(minX) * 0.1);
  const xRange = logX ? [minX / 1.6, maxX * 1.6] : [minX - pad, maxX + pad];
  const spread = nSeeds === 1 ? 'one seed: intervals are the run\u2019s bootstrap' : `means over ${nSeeds} seeds`;
  const interval95 = (ci) => (Array.isArray(ci) && ci.every(Number.isFinite) ? [Math.max(0, ci[0]), Math.min(1, ci[1])] : null);

  // A panel: `lines` = [{key, label, color, dash, bars?: (point) => [lo, hi], band?: (point) => [lo, hi]}].
  const panel = ({ heading, axisLabel, chance, chanceText, fmt, lines, yMax = () => 1 }) => {
    let data = null;
    const cols = () => lines.map((l) => col(l.key));
    const ranges = (f) => xs.map((_, i) => (i < done() && f ? f(sweep.points[i]) : null));
    return {
      get summary() {
        const finished = sweep.points.map((p) => `${sweepValue(p.value)}: ${lines.map((l) => `${l.label} ${fmt(p[l.key])}`).join(', ')}`);
        return `${heading} against ${name} (${spread}; ${condition}). ${done() < xs.length ? `${done()} of ${xs.length} points so far. ` : ''}`
          + `${finished.join('; ')}.${chance === null ? '' : ` Chance: ${chanceText}.`} The numbers are in the sweep table.`;
      },
      data() {
        data = [xs, ...cols()];
        return data;
      },
      size: (w) => plotSize(w, 0.8, 420),
      build(U, holder, width, readout) {
        const r = U.pxRatio;
        const narrow = width < 420;
        const opts = baseOpts(plotSize(width, 0.8, 420), {
          title: heading,
          scales: {
            x: logX ? { time: false, distr: 3, log: 10, range: () => xRange } : { time: false, range: () => xRange },
            y: { range: () => [0, yMax()] },
          },
          axes: [
            axis(narrow && logX ? 'Learning rate' : axisName, {
              values: (u, s) => s.map((v) => (v == null ? null : sweepValue(v))),
              ...(logX ? LOG_AXIS : { splits: () => xs }),
              ...(xs.length > 6 && width < 560 && !logX ? { values: (u, s) => s.map((v, i) => ((s.length - 1 - i) % 2 ? '' : sweepValue(v))) } : {}),
            }),
            axis(axisLabel, { values: (u, s) => s.map((v) => fmt(v, true)), size: 70 }),
          ],
          series: [
            {},
            ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 3, dash: l.dash, spanGaps: false,
              points: { show: true, size: l.band ? 9 : 11, fill: l.hollow ? '#fff' : l.color, stroke: l.color, width: 2 } })),
          ],
          cursor: { drag: { x: false, y: false }, sync: { key: `sweep-${box.id}` }, points: { show: false } },
          hooks: {
            draw: [(u) => {
              const ctx = u.ctx;
              ctx.save();
              if (chance !== null) {
                const py = hLine(u, r, chance, GREY, [6, 6]);
                label(ctx, r, `chance ${chanceText}`, u.bbox.left + u.bbox.width - 8 * r, py - 12 * r, INK, 'right');
              }
              const X = (i) => u.valToPos(xs[i], 'x', true);
              const Yv = (v) => u.valToPos(v, 'y', true);
              for (const l of lines) {
                // Band: a translucent polygon over the finished points' intervals.
                if (l.band) {
                  const iv = ranges(l.band);
                  const idx = iv.map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
                  if (idx.length) {
                    ctx.fillStyle = `${l.color}2e`; // ~18 % opacity
                    ctx.beginPath();
                    idx.forEach((i, j) => (j ? ctx.lineTo(X(i), Yv(iv[i][1])) : ctx.moveTo(X(i), Yv(iv[i][1]))));
                    [...idx].reverse().forEach((i) => ctx.lineTo(X(i), Yv(iv[i][0])));
                    ctx.closePath();
                    if (idx.length === 1) { ctx.lineWidth = 8 * r; ctx.strokeStyle = `${l.color}2e`; ctx.stroke(); } else ctx.fill();
                  }
                }
                // Bars: an interval at every finished point (none where it has no width).
                if (l.bars) {
                  ctx.strokeStyle = l.color; ctx.lineWidth = 2 * r;
                  ranges(l.bars).forEach((iv, i) => {
                    if (!iv || !(iv[1] > iv[0])) return;
                    const x = X(i);
                    const cap = 6 * r;
                    ctx.beginPath();
                    ctx.moveTo(x, Yv(iv[0])); ctx.lineTo(x, Yv(iv[1]));
                    ctx.moveTo(x - cap, Yv(iv[0])); ctx.lineTo(x + cap, Yv(iv[0]));
                    ctx.moveTo(x - cap, Yv(iv[1])); ctx.lineTo(x + cap, Yv(iv[1]));
                    ctx.stroke();
                  });
                }
              }
              ctx.restore();
            }],
            setCursor: readout ? [(u) => {
              const i = u.cursor.idx;
              if (i == null) return;
              readout.textContent = i < done() ? sweepReadout(sweep, i) : `${sweepValue(xs[i])}: not run yet`;
            }] : [],
          },
        });
        return create(U, opts, this.data(), holder);
      },
    };
  };
  const aucFmt = (v, tick) => (v == null ? (tick ? null : '\u2013') : tick ? v.toFixed(1) : num(v));
  const pctFmt = (v, tick) => (tick ? tickPct(v) : v == null ? 'not measurable' : pct(v));
  const panels = [
    panel({ heading: 'ROC-AUC', axisLabel: 'ROC-AUC', chance: 0.5, chanceText: '0.5', fmt: aucFmt, lines: [
      { key: 'roc_auc_mean', label: `${own} attack`, ...ATTACK_STYLES.own, bars: (p) => interval95(p.roc_auc_ci95) },
      { key: 'strongest_roc_auc_mean', label: 'strongest attack', ...ATTACK_STYLES.strongest, band: (p) => interval95(p.strongest_roc_auc_ci95) },
    ] }),
    panel({ heading: 'TPR at 1% FPR', axisLabel: 'TPR at 1% FPR', chance: 0.01, chanceText: '1%', fmt: pctFmt, lines: [
      { key: 'tpr_at_1pct_mean', label: `${own} attack`, ...ATTACK_STYLES.own },
      { key: 'strongest_tpr_at_1pct_mean', label: 'strongest attack', ...ATTACK_STYLES.strongest },
    ] }),
  ];
  // The learning rate and the model's size change what the recommender is worth: recall beside the attack.
  const withRecall = sweep.param === 'lr' || sweep.param === 'k';
  if (withRecall) {
    const top = () => Math.min(1, Math.max(0.05, ...sweep.points.map((p) => p.recall_at_n_mean + (p.recall_at_n_std || 0))) * 1.25);
    panels.push(panel({ heading: `Members\u2019 recall@${sweep.config.top_n}`, axisLabel: `Recall@${sweep.config.top_n}`, chance: null,
      fmt: (v, tick) => (v == null ? (tick ? null : '\u2013') : tick ? +v.toPrecision(3) : num(v)), yMax: top, lines: [
        { key: 'recall_at_n_mean', label: 'recall', ...ATTACK_STYLES.recall,
          bars: (p) => (p.recall_at_n_std > 0 ? [p.recall_at_n_mean - p.recall_at_n_std, p.recall_at_n_mean + p.recall_at_n_std] : null) },
      ] }));
  }
  const notes = [`Bars (the ${own} attack) and the shaded band (the strongest attack): 95% intervals, ${nSeeds > 1
    ? `Student\u2019s t over seeds ${sweep.seeds.join(', ')}` : 'the one run\u2019s bootstrap (use more seeds for the spread over seeds)'}.`
    + ' The strongest attack is the best of every attack each run scored (table: which one).',
  `Dashed grey lines: chance (AUC 0.5; TPR 1% at 1% FPR).${withRecall ? ` Recall: mean \u00b1 1 std${nSeeds > 1 ? '' : ' (one seed: none)'}.` : ''}`];
  const fullTitle = title || `Attack success against ${name} (${spread})`;
  const chart = mount(box, panels, {
    title: fullTitle, notes, describedBy, progressive,
    summary: panels.map((p) => p.summary).join(' '),
    legend: [
      { text: `The ${own} attack (solid, filled dots; 95% bars)`, color: ATTACK_STYLES.own.color },
      { text: 'The strongest attack (dash-dot, hollow dots; 95% band)', color: ATTACK_STYLES.strongest.color, dash: true },
      ...(withRecall ? [{ text: `Members\u2019 recall@${sweep.config.top_n} (dashed, squares; \u00b1 1 std)`, color: ATTACK_STYLES.recall.color, dash: true }] : []),
      { text: 'Chance', color: GREY, dash: true },
    ],
    hint: 'Hover over a chart to read a point.',
  });
  // Points of the same job as they arrive: new data on the plots already there. Rebuilding them
  // took 30-40 ms of the page's main thread per point, more while a pool of workers used every core.
  chart.sameSweep = (sw) => sw.param === first.param && sw.values.length === xs.length
    && sw.values.every((v, i) => v === xs[i]) && sw.seeds.join() === first.seeds.join();
  chart.update = (sw) => {
    sweep = sw;
    chart.summary = panels.map((p) => p.summary).join(' ');
    panels.forEach((p, i) => {
      // A plot not built yet reads the new points when it is.
      chart.plots[i]?.setData(p.data());
      chart.holders[i].setAttribute('aria-label', p.summary);
    });
  };
  return chart;
}

/**
 * Draws a small sweep chart off screen and removes it. The first chart a page draws pays for
 * compiling uPlot's code and resolving the chart fonts (about 20 ms more than any later one); done
 * while the workers load the data set, that cost does not land on the first point of a job, when
 * workers take every core and each millisecond of the main thread counts one and a half.
 */
export function warmUp() {
  const box = el('div', 'offscreen');
  box.id = 'chart-warm-up';
  document.body.append(box);
  const sweep = {
    param: 'vector_k', values: [10, 20], seeds: [0, 1], config: {},
    points: [{ value: 10, roc_auc_mean: 0.6, roc_auc_std: 0.1, tpr_at_1pct_mean: 0.1, tpr_at_1pct_std: 0.05 }],
  };
  const chart = drawSweep(box, sweep, { title: 'warm-up' });
  // uPlot draws in a microtask after it is built: remove it once that has happened.
  setTimeout(() => { chart.destroy(); box.remove(); }, 0);
}

export function sweepReadout(sweep, i) {
  const p = sweep.points[i];
  const n = sweep.seeds.length;
  const what = paramText(sweep.param).short;
  return `${what} = ${sweepValue(p.value)}: ROC-AUC ${meanStd(p.roc_auc_mean, p.roc_auc_std, 3, n)} \u00b7 `
    + `TPR at 1% FPR ${p.tpr_at_1pct_mean === null ? 'not measurable' : pctStd(p.tpr_at_1pct_mean, p.tpr_at_1pct_std, n)} \u00b7 `
    + `strongest (${p.strongest_attack}) ${meanStd(p.strongest_roc_auc_mean, p.strongest_roc_auc_std, 3, n)} \u00b7 `
    + `recall ${meanStd(p.recall_at_n_mean, p.recall_at_n_std, 3, n)} (${n === 1 ? '1 seed' : `${n} seeds`})`;
}
