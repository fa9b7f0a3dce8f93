// charts/sweep.js — the sweep chart: ROC-AUC and TPR at 1% FPR in two panels, each with its chance
// line, mean ± 1 std over seeds, drawn point by point while a sweep runs; its readout; and warmUp(),
// which draws one off screen so the first real chart does not pay for uPlot's first draw.

import { pct, num, sweepValue, meanStd, pctStd } from '../format.js';
import { paramText } from '../state.js';
import { COLOURS, GREY, INK, tickPct, axis, LOG_AXIS, el, plotSize, label, hLine } from './common.js';
import { mount, baseOpts, create } from './handle.js';

// ---- sweeps -----------------------------------------------------------------------------------

/**
 * Sweep chart in two panels: ROC-AUC (chance 0.5) and TPR at 1% FPR (chance 1%), mean over seeds
 * with ±1 std bars. `sweep` may be partial (points for the first values only): the x axis already
 * spans every value, so points appear in place as they finish. A learning-rate sweep gets a log x axis.
 */
export function drawSweep(box, first, { title, describedBy, condition = '', progressive = false } = {}) {
  // `sweep` is the latest state of the job: `update` replaces it as points arrive, and everything
  // below reads it when it draws (the values, seeds and settings stay those of `first`).
  let sweep = first;
  const logX = sweep.param === 'lr' || sweep.param === 'attack_lr';
  const xs = sweep.values.slice();
  const done = () => sweep.points.length;
  const col = (key) => xs.map((_, i) => (i < done() ? sweep.points[i][key] : null));
  const nSeeds = sweep.seeds.length;
  const names = paramText(sweep.param, sweep.config);
  const name = names.long;
  const axisName = names.axis;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const pad = xs.length > 1 ? (maxX - minX) / (xs.length - 1) / 2 : Math.max(1, Math.abs(minX) * 0.1);
  const xRange = logX ? [minX / 1.6, maxX * 1.6] : [minX - pad, maxX + pad];
  const spread = nSeeds === 1 ? 'one seed, so no spread' : `mean \u00b1 1 std over ${nSeeds} seeds`;

  const metric = (key, stdKey, heading, chance, chanceText, color, fmt) => {
    let mean = col(key);
    let std = col(stdKey);
    return {
      key,
      get summary() {
        const finished = sweep.points.map((p) => `${sweepValue(p.value)}: ${fmt(p[key])}`);
        return `${heading} against ${name} (${spread}; ${condition}). ${done() < xs.length ? `${done()} of ${xs.length} points so far. ` : ''}`
          + `${finished.join(', ')}. Chance: ${chanceText}. The numbers are in the sweep table.`;
      },
      data() {
        mean = col(key);
        std = col(stdKey);
        return [xs, mean];
      },
      size: (w) => plotSize(w, 0.8, 420),
      build(U, holder, width, readout) {
        const r = U.pxRatio;
        const narrow = width < 420;
        const opts = baseOpts(plotSize(width, 0.8, 420), {
          title: heading,
          scales: {
            x: logX ? { time: false, distr: 3, log: 10, range: () => xRange } : { time: false, range: () => xRange },
            y: { range: () => [0, 1] },
          },
          axes: [
            axis(narrow && logX ? 'Learning rate' : axisName, {
              values: (u, s) => s.map((v) => (v == null ? null : sweepValue(v))),
              ...(logX ? LOG_AXIS : { splits: () => xs }),
              ...(xs.length > 6 && width < 560 && !logX ? { values: (u, s) => s.map((v, i) => ((s.length - 1 - i) % 2 ? '' : sweepValue(v))) } : {}),
            }),
            axis(heading.startsWith('ROC') ? 'ROC-AUC' : 'TPR at 1% FPR', {
              values: (u, s) => s.map((v) => (key === 'roc_auc_mean' ? v.toFixed(1) : tickPct(v))), size: 70,
            }),
          ],
          series: [
            {},
            { label: heading, stroke: color, width: 3, dash: key === 'roc_auc_mean' ? [] : [10, 6], spanGaps: false,
              points: { show: true, size: 11, fill: color, stroke: color } },
          ],
          cursor: { drag: { x: false, y: false }, sync: { key: `sweep-${box.id}` }, points: { show: false } },
          hooks: {
            draw: [(u) => {
              const ctx = u.ctx;
              ctx.save();
              const py = hLine(u, r, chance, GREY, [6, 6]);
              label(ctx, r, `chance ${chanceText}`, u.bbox.left + u.bbox.width - 8 * r, py - 12 * r, INK, 'right');
              // Error bars: ±1 sample std over seeds (none with one seed).
              ctx.strokeStyle = color; ctx.lineWidth = 2 * r;
              for (let i = 0; i < xs.length; i++) {
                if (!(std[i] > 0) || mean[i] == null) continue;
                const x = u.valToPos(xs[i], 'x', true);
                const y0 = u.valToPos(Math.max(0, mean[i] - std[i]), 'y', true);
                const y1 = u.valToPos(Math.min(1, mean[i] + std[i]), 'y', true);
                const cap = 6 * r;
                ctx.beginPath();
                ctx.moveTo(x, y0); ctx.lineTo(x, y1);
                ctx.moveTo(x - cap, y0); ctx.lineTo(x + cap, y0);
                ctx.moveTo(x - cap, y1); ctx.lineTo(x + cap, y1);
                ctx.stroke();
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
  const panels = [
    metric('roc_auc_mean', 'roc_auc_std', 'ROC-AUC', 0.5, '0.5', COLOURS.blue, (v) => num(v)),
    metric('tpr_at_1pct_mean', 'tpr_at_1pct_std', 'TPR at 1% FPR', 0.01, '1%', COLOURS.orange, (v) => pct(v)),
  ];
  const notes = [nSeeds > 1 ? `Bars: \u00b11 sample standard deviation over seeds ${sweep.seeds.join(', ')}.`
    : 'One seed: no error bars (\u00b1 \u2014 in the table). Use more seeds to see the spread.',
  'Dashed grey lines: chance (AUC 0.5; TPR 1% at 1% FPR).'];
  const fullTitle = title || `Attack success against ${name} (${spread})`;
  const chart = mount(box, panels, {
    title: fullTitle, notes, describedBy, progressive,
    summary: panels.map((p) => p.summary).join(' '),
    legend: [
      { text: 'ROC-AUC (mean)', color: COLOURS.blue },
      { text: 'TPR at 1% FPR (mean)', color: COLOURS.orange, dash: true },
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
    + `TPR at 1% FPR ${pctStd(p.tpr_at_1pct_mean, p.tpr_at_1pct_std, n)} (${n === 1 ? '1 seed' : `${n} seeds`})`;
}
