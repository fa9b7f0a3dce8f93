// charts/frontier.js — paints one panel of the privacy–utility frontier (one serving protocol) on a
// plain canvas: x = members' recall@N, y = the STRONGEST attack's ROC-AUC (with its 95 % interval
// as a bar) or its TPR at 1 % FPR; one line per defence, each with a colour, a dash and a marker of
// its own that never change between panels (so print and colour-blind readers can tell them apart);
// the naive attacker (an MLP on an undefended shadow) thin and hollow beside each line; the
// undefended service as a star; the natural curve (fewer epochs, no defence); chance and the
// popularity list's recall as dashed grey lines; DP points labelled with their ε. Also the panel's
// text equivalent. Both panels of a frontier take the same axes (`frontierRanges`), so they compare
// by eye. The view around it (panels, switch, legend, tables, notes) is js/frontier.js's.

import { num, pct, dpLabel } from '../format.js';
import { COLOURS, FONT, presenting, textPx } from './common.js';

const INK = COLOURS.ink;
const GREY = COLOURS.grey;

// One style per defence, the same in every panel, chart, legend and PNG.
export const DEFENCE_STYLES = {
  'popularity-randomisation': { color: COLOURS.blue, dash: [], marker: 'circle' },
  'list-perturbation': { color: COLOURS.orange, dash: [10, 5], marker: 'square' },
  'score-noise': { color: COLOURS.green, dash: [3, 4], marker: 'triangle' },
  'dp-sgd': { color: COLOURS.purple, dash: [14, 4, 3, 4], marker: 'diamond' },
};
const OTHER_STYLE = { color: INK, dash: [2, 2], marker: 'circle' }; // a defence this page does not know yet
export const NATURAL_STYLE = { color: INK, dash: [6, 3, 1, 3], marker: 'ring' };
// The natural curve under the other initialisation (the engine runs it under both: `init`).
export const NATURAL_OTHER_STYLE = { color: GREY, dash: [1, 3], marker: 'ring' };

/** A panel's natural points grouped by init, the config's first: [{init, points, style}]. */
export function naturalCurves(panel) {
  const inits = [...new Set(panel.natural.map((p) => p.init))];
  return inits.map((init, i) => ({ init, points: panel.natural.filter((p) => p.init === init), style: i === 0 ? NATURAL_STYLE : NATURAL_OTHER_STYLE }));
}

export function defenceStyle(name) {
  return DEFENCE_STYLES[name] || OTHER_STYLE;
}

// The two views of attack success; chance is what guessing scores on each.
export const METRICS = {
  auc: { key: 'strongest_roc_auc_mean', ci: 'strongest_roc_auc_ci95', naive: 'naive_roc_auc_mean', label: 'ROC-AUC',
    axis: 'Strongest attack\u2019s ROC-AUC', axisShort: 'Strongest attack\u2019s ROC-AUC', chance: 0.5, fmt: (v) => num(v) },
  tpr: { key: 'strongest_tpr_at_1pct_mean', ci: null, naive: null, label: 'TPR at 1% FPR',
    axis: 'Strongest attack\u2019s TPR at 1% FPR', axisShort: 'Strongest TPR at 1% FPR', chance: 0.01, fmt: (v) => (v === null || v === undefined ? 'not measurable' : pct(v)) },
};

const y = (p, m) => (Number.isFinite(p[m.key]) ? p[m.key] : null);

/** The axis ranges of `metric` over every panel of frontier `f` (the same for all of them). */
export function frontierRanges(f, metric) {
  const m = METRICS[metric];
  const pts = f.panels.flatMap((pn) => [pn.undefended, ...pn.natural, ...pn.defences.flatMap((d) => d.points)]);
  const xs = [...pts.map((p) => p.recall_at_n_mean), ...f.panels.map((pn) => pn.popularity_recall_at_n)].filter(Number.isFinite);
  const ys = [...pts.map((p) => y(p, m)), ...(m.naive ? pts.map((p) => p[m.naive]) : []), m.chance].filter(Number.isFinite);
  const xmax = Math.max(...xs) * 1.08 || 1;
  const ymax = metric === 'auc' ? 1.02 : Math.min(1.02, Math.max(...ys) * 1.1 || 0.05);
  const ymin = metric === 'auc' ? Math.min(0.4, Math.floor(Math.min(...ys) * 20) / 20) : 0;
  return { x: [0, xmax], y: [ymin, ymax] };
}

/** The digits that print every tick exactly (0.025 as "0.025", 0.05 as "0.050"): labels never repeat. */
export function tickDigits(vals) {
  for (let d = 0; d < 6; d++) if (vals.every((v) => Math.abs(Number(v.toFixed(d)) - v) < 1e-9)) return d;
  return 6;
}

function ticks(lo, hi, n) {
  const step = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step));
  const nice = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= step) || step;
  const out = [];
  for (let v = Math.ceil(lo / nice - 1e-9) * nice; v <= hi + 1e-9; v += nice) out.push(+v.toPrecision(6));
  return out;
}

/** A marker of `shape` at (x, y), radius `r` CSS px; hollow markers are stroked only. */
export function marker(ctx, shape, x, yy, r, hollow = false) {
  ctx.beginPath();
  if (shape === 'square') ctx.rect(x - r * 0.85, yy - r * 0.85, r * 1.7, r * 1.7);
  else if (shape === 'triangle') { ctx.moveTo(x, yy - r * 1.15); ctx.lineTo(x + r * 1.05, yy + r * 0.75); ctx.lineTo(x - r * 1.05, yy + r * 0.75); ctx.closePath(); }
  else if (shape === 'diamond') { ctx.moveTo(x, yy - r * 1.25); ctx.lineTo(x + r * 1.05, yy); ctx.lineTo(x, yy + r * 1.25); ctx.lineTo(x - r * 1.05, yy); ctx.closePath(); }
  else if (shape === 'star') {
    for (let i = 0; i < 10; i++) {
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      const rr = i % 2 ? r * 0.45 : r;
      if (i) ctx.lineTo(x + rr * Math.cos(a), yy + rr * Math.sin(a)); else ctx.moveTo(x + rr * Math.cos(a), yy + rr * Math.sin(a));
    }
    ctx.closePath();
  } else ctx.arc(x, yy, r, 0, 2 * Math.PI);
  if (hollow || shape === 'ring') { ctx.lineWidth = 1.5; ctx.stroke(); } else ctx.fill();
}

/** A polyline through the points that have a y (a gap where one has none). */
function line(ctx, pts, X, Y, key) {
  ctx.beginPath();
  let pen = false;
  for (const p of pts) {
    const v = Number.isFinite(p[key]) ? p[key] : null;
    if (v === null) { pen = false; continue; }
    if (pen) ctx.lineTo(X(p.recall_at_n_mean), Y(v)); else ctx.moveTo(X(p.recall_at_n_mean), Y(v));
    pen = true;
  }
  ctx.stroke();
}

/**
 * Paints `panel` of frontier `f` on `canvas` at `width` CSS px and pixel ratio `r`, on the axes
 * `ranges` (frontierRanges: both panels alike). Returns the layout (for tests): the size, the
 * mapping and where each drawn label went. Labels that would overlap are skipped (the table has them).
 */
export function paintFrontierPanel(canvas, f, panel, metric, width, r, ranges, maxH = Infinity) {
  const m = METRICS[metric];
  // maxH: lecture mode fits the panel (and the legend under it) on the screen.
  const height = Math.round(Math.max(Math.min(300, Math.max(220, maxH)), Math.min(460, width * 0.8, maxH)));
  canvas.width = Math.round(width * r);
  canvas.height = Math.round(height * r);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const big = presenting();
  const pad = big ? { left: 84, right: 14, top: 14, bottom: 76 } : { left: 58, right: 14, top: 14, bottom: 50 };
  const pw = width - pad.left - pad.right;
  const ph = height - pad.top - pad.bottom;
  const { x: [x0, x1], y: [y0, y1] } = ranges;
  const X = (v) => pad.left + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v) => pad.top + (1 - (v - y0) / (y1 - y0)) * ph;
  const small = width < 480;
  ctx.font = `${textPx(small ? 11 : 13)}px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = '#d0d0d0';
  ctx.lineWidth = 1;
  ctx.fillStyle = INK;
  // Tick labels with the digits the ticks need (tickDigits), so no two read the same.
  const xt = ticks(x0, x1, small || big ? 4 : 6);
  for (const v of xt) {
    ctx.beginPath(); ctx.moveTo(X(v), pad.top); ctx.lineTo(X(v), pad.top + ph); ctx.stroke();
    ctx.textAlign = 'center';
    ctx.fillText(v.toFixed(tickDigits(xt)), X(v), pad.top + ph + (big ? 18 : 12));
  }
  const yt = ticks(y0, Math.min(y1, 1), big ? 4 : 5);
  for (const v of yt) {
    ctx.beginPath(); ctx.moveTo(pad.left, Y(v)); ctx.lineTo(pad.left + pw, Y(v)); ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(metric === 'auc' ? v.toFixed(tickDigits(yt)) : `${+(v * 100).toPrecision(3)}%`, pad.left - 6, Y(v));
  }
  // The tick labels as drawn (tests/e2e/lecture.test.mjs checks that none repeats).
  canvas.dataset.xticks = xt.map((v) => v.toFixed(tickDigits(xt))).join('|');
  canvas.dataset.yticks = yt.map((v) => (metric === 'auc' ? v.toFixed(tickDigits(yt)) : `${+(v * 100).toPrecision(3)}%`)).join('|');
  ctx.strokeStyle = INK;
  ctx.strokeRect(pad.left, pad.top, pw, ph);
  ctx.font = `600 ${textPx(small ? 12 : 14)}px ${FONT}`;
  ctx.textAlign = 'center';
  const fits = (...t) => t.find((x) => ctx.measureText(x).width <= pw) || t[t.length - 1];
  ctx.fillText(fits(`Member recall@${f.config.top_n} (usefulness \u2192)`, `Recall@${f.config.top_n} \u2192`, 'Recall'), pad.left + pw / 2, height - (big ? 20 : 14));
  ctx.save();
  ctx.translate(14, pad.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  // The long axis title where it fits the plot's height, else the short one.
  const long = `${m.axis} (\u2190 more private)`;
  ctx.fillText([long, m.axisShort, metric === 'auc' ? 'ROC-AUC' : 'TPR@1%'].find((t) => ctx.measureText(t).width <= ph) || 'AUC', 0, 0);
  ctx.restore();
  const taken = [];
  const labels = [];
  const label = (text, x, yy, colour, align = 'left') => {
    const w = ctx.measureText(text).width;
    const bx = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
    const box = [bx - 1, yy - 7, bx + w + 1, yy + 7];
    if (box[0] < pad.left || box[2] > pad.left + pw || box[1] < pad.top || box[3] > pad.top + ph) return false;
    if (taken.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) return false;
    taken.push(box);
    labels.push({ text, box });
    // A white ground under the whole label, not only a halo round its letters: a line crossing it
    // no longer strikes it through (issue 18: the phone's labels were struck through by lines).
    ctx.fillStyle = 'rgba(255,255,255,0.88)';
    ctx.fillRect(box[0] - 1, box[1], box[2] - box[0] + 2, box[3] - box[1]);
    ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.92)'; ctx.textAlign = align; ctx.strokeText(text, x, yy);
    ctx.fillStyle = colour;
    ctx.fillText(text, x, yy);
    return true;
  };
  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.left, pad.top, pw, ph);
  ctx.clip();
  // Chance (horizontal) and the popularity list's recall (vertical), dashed grey.
  ctx.strokeStyle = GREY;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([6, 4]);
  ctx.beginPath(); ctx.moveTo(pad.left, Y(m.chance)); ctx.lineTo(pad.left + pw, Y(m.chance)); ctx.stroke();
  const pop = panel.popularity_recall_at_n;
  if (Number.isFinite(pop)) { ctx.beginPath(); ctx.moveTo(X(pop), pad.top); ctx.lineTo(X(pop), pad.top + ph); ctx.stroke(); }
  // The naive attacker first, underneath: thin, hollow, in its defence's colour.
  if (m.naive) {
    for (const d of panel.defences) {
      const st = defenceStyle(d.defence);
      ctx.globalAlpha = 0.7;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      line(ctx, d.points, X, Y, m.naive);
      ctx.setLineDash([]);
      for (const p of d.points) if (Number.isFinite(p[m.naive]) && p.strength > 0) marker(ctx, st.marker, X(p.recall_at_n_mean), Y(p[m.naive]), 3.5, true);
      ctx.globalAlpha = 1;
    }
  }
  // The natural curves: the undefended target at fewer epochs, under each initialisation.
  const natural = []; // [points, colour] of each curve drawn, labelled with their epochs below
  for (const c of naturalCurves(panel)) {
    const nat = c.points.filter((p) => y(p, m) !== null);
    if (!nat.length) continue;
    natural.push([nat, c.style.color]);
    ctx.strokeStyle = c.style.color;
    ctx.setLineDash(c.style.dash);
    ctx.lineWidth = 1.5;
    line(ctx, nat, X, Y, m.key);
    ctx.setLineDash([]);
    for (const p of nat) marker(ctx, c.style.marker, X(p.recall_at_n_mean), Y(p[m.key]), 4);
  }
  // One line per defence: its 95 % interval as a bar at every point, its own dash and marker.
  for (const d of panel.defences) {
    const st = defenceStyle(d.defence);
    ctx.strokeStyle = st.color;
    ctx.fillStyle = st.color;
    if (m.ci) {
      ctx.lineWidth = 1.5;
      for (const p of d.points) {
        const ci = p[m.ci];
        if (!Array.isArray(ci) || !ci.every(Number.isFinite) || p.strength === 0) continue;
        const px = X(p.recall_at_n_mean);
        const [a, b] = [Y(Math.max(0, ci[0])), Y(Math.min(1, ci[1]))];
        ctx.beginPath(); ctx.moveTo(px, a); ctx.lineTo(px, b); ctx.moveTo(px - 4, a); ctx.lineTo(px + 4, a); ctx.moveTo(px - 4, b); ctx.lineTo(px + 4, b); ctx.stroke();
      }
    }
    ctx.lineWidth = 2.5;
    ctx.setLineDash(st.dash);
    line(ctx, d.points, X, Y, m.key);
    ctx.setLineDash([]);
    ctx.strokeStyle = '#fff';
    for (const p of d.points) {
      if (p.strength === 0 || y(p, m) === null) continue; // strength 0 is the undefended star
      marker(ctx, st.marker, X(p.recall_at_n_mean), Y(p[m.key]), 5);
    }
  }
  // The undefended service: a large ink star, its interval as a bar.
  const u = panel.undefended;
  const uy = y(u, m);
  const ux = X(u.recall_at_n_mean);
  if (uy !== null) {
    ctx.fillStyle = INK;
    ctx.strokeStyle = INK;
    if (m.ci && Array.isArray(u[m.ci]) && u[m.ci].every(Number.isFinite)) {
      ctx.lineWidth = 1.5;
      const [a, b] = [Y(Math.max(0, u[m.ci][0])), Y(Math.min(1, u[m.ci][1]))];
      ctx.beginPath(); ctx.moveTo(ux, a); ctx.lineTo(ux, b); ctx.stroke();
    }
    marker(ctx, 'star', ux, Y(uy), 9);
  }
  ctx.restore();
  // Labels (after the lines, skipped where they would overlap): named lines first, then strengths.
  ctx.font = `600 ${textPx(small ? 11 : 13)}px ${FONT}`;
  label('useful and private \u2198', pad.left + pw - 4, Y(m.chance) + (Y(m.chance) + 18 < pad.top + ph ? 14 : -14), COLOURS.green, 'right');
  if (uy !== null) label('undefended', ux + 12, Y(uy) - 12, INK);
  label('chance', pad.left + 4, Y(m.chance) - 10, GREY);
  if (Number.isFinite(pop)) label('popularity list', X(pop) + 4, pad.top + 10, GREY);
  ctx.font = `${textPx(small ? 10 : 12)}px ${FONT}`;
  // A point's label goes to the first free spot around it: right above, right below, left above, left below.
  const around = (text, px, py, colour) => [[7, -10, 'left'], [7, 10, 'left'], [-7, -10, 'right'], [-7, 10, 'right']]
    .some(([dx, dy, align]) => label(text, px + dx, py + dy, colour, align));
  // DP points first (they say what they promise: ε, the seeds' mean), then the strengths, then epochs.
  const defences = [...panel.defences].sort((a, b) => (b.defence === 'dp-sgd') - (a.defence === 'dp-sgd'));
  for (const d of defences) {
    const st = defenceStyle(d.defence);
    for (const p of d.points) {
      if (p.strength === 0 || y(p, m) === null) continue;
      const text = Number.isFinite(p.epsilon_mean) ? dpLabel(p) : String(p.strength);
      around(text, X(p.recall_at_n_mean), Y(p[m.key]), st.color);
    }
  }
  // Epoch labels: the config's init in ink, the other init's (the grey curve) in its colour.
  for (const [nat, colour] of natural) for (const p of nat) around(`${p.epochs} ep`, X(p.recall_at_n_mean), Y(p[m.key]), colour);
  return { width, height, X, Y, pad, labels };
}

/** The text equivalent of one panel: every point of every line, in words. */
export function panelSummary(f, panel, metric, title, condition = '') {
  const m = METRICS[metric];
  const N = f.config.top_n;
  const pt = (p) => `recall@${N} ${num(p.recall_at_n_mean)}, ${m.label} ${m.fmt(p[m.key])}`
    + (p.strongest_attack && metric === 'auc' ? ` (${p.strongest_attack})` : '')
    + (m.naive && Number.isFinite(p[m.naive]) && p.strength > 0 ? `, naive MLP ${num(p[m.naive])}` : '')
    + (Number.isFinite(p.epsilon_mean) ? `, ${dpLabel(p)}` : '');
  const parts = [`${title}${condition ? ` (${condition})` : ''}: x = member recall@${N}, y = the strongest attack\u2019s ${m.label}; chance is ${m.fmt(m.chance)}.`,
    `Undefended: ${pt(panel.undefended)}.`,
    `Popularity list: recall@${N} ${num(panel.popularity_recall_at_n)}.`];
  for (const d of panel.defences) parts.push(`${d.defence}: ${d.points.map((p) => `strength ${p.strength}: ${pt(p)}`).join('; ')}.`);
  for (const c of naturalCurves(panel)) parts.push(`Natural curve (undefended, fewer epochs, ${c.init} initial factors): ${c.points.map((p) => `${p.epochs} epochs: ${pt(p)}`).join('; ')}.`);
  if (panel.chart_note) parts.push(panel.chart_note);
  parts.push('Useful and private is the bottom right: high recall, an attack at chance. The numbers are in the table.');
  return parts.join(' ');
}
