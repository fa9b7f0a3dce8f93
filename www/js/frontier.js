//! frontier.js — owns the privacy–utility frontier view (run=frontier): one plain-canvas chart
//! (x = the target's member recall@N, y = attack success as ROC-AUC or TPR at 1% FPR, one line per
//! defence with its strengths written at the points, the undefended point, the popularity list's
//! recall as a vertical line, chance as a horizontal line, the "useful and private" corner and the
//! natural (epochs) curve dashed), its text equivalent, the table of the same numbers, the engine's
//! notes, and the CSV. The chart is drawn on a canvas and styled through the CSSOM only, so the
//! page's CSP (no inline styles) holds. The numbers come unchanged from Job.frontier's result.

import { COLOURS, CURVE_STYLES } from './charts.js';
import { num, pct, meanStd } from './format.js';

// The two views of attack success; chance is what guessing scores on each.
export const METRICS = {
  auc: { key: 'roc_auc_mean', label: 'ROC-AUC', axis: 'Attack ROC-AUC', chance: 0.5, fmt: (v) => num(v) },
  tpr: { key: 'tpr_at_1pct_mean', label: 'TPR at 1% FPR', axis: 'Attack TPR at 1% FPR', chance: 0.01, fmt: (v) => pct(v) },
};
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const INK = COLOURS.ink;
const GREY = COLOURS.grey;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The axis ranges of `metric` for frontier `f` (every point, the natural curve and the lines). */
function ranges(f, metric) {
  const m = METRICS[metric];
  const pts = [f.undefended, ...f.natural, ...f.defences.flatMap((d) => d.points)];
  const xs = [...pts.map((p) => p.recall_at_n_mean), f.popularity_recall_at_n].filter(Number.isFinite);
  const ys = [...pts.map((p) => p[m.key]), m.chance].filter(Number.isFinite);
  const xmax = Math.max(...xs) * 1.08 || 1;
  const ymax = metric === 'auc' ? 1 : Math.min(1, Math.max(...ys) * 1.1 || 0.05);
  const ymin = metric === 'auc' ? Math.min(0.4, Math.floor(Math.min(...ys) * 20) / 20) : 0;
  return { x: [0, xmax], y: [ymin, ymax] };
}

function ticks(lo, hi, n) {
  const step = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step));
  const nice = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= step) || step;
  const out = [];
  for (let v = Math.ceil(lo / nice - 1e-9) * nice; v <= hi + 1e-9; v += nice) out.push(+v.toPrecision(6));
  return out;
}

/**
 * Draws the frontier on `canvas` at `width` CSS px and pixel ratio `r`; returns the layout (for
 * tests and hover). Labels sit beside their points; overlapping labels are skipped, the table has them.
 */
export function paintFrontier(canvas, f, metric, width, r) {
  const m = METRICS[metric];
  const height = Math.round(Math.max(300, Math.min(480, width * 0.72)));
  canvas.width = Math.round(width * r);
  canvas.height = Math.round(height * r);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const pad = { left: 58, right: 14, top: 14, bottom: 50 };
  const pw = width - pad.left - pad.right;
  const ph = height - pad.top - pad.bottom;
  const { x: [x0, x1], y: [y0, y1] } = ranges(f, metric);
  const X = (v) => pad.left + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v) => pad.top + (1 - (v - y0) / (y1 - y0)) * ph;
  const small = width < 480;
  ctx.font = `${small ? 11 : 13}px ${FONT}`;
  ctx.textBaseline = 'middle';
  // Grid and ticks.
  ctx.strokeStyle = '#d0d0d0';
  ctx.lineWidth = 1;
  ctx.fillStyle = INK;
  for (const v of ticks(x0, x1, small ? 4 : 6)) {
    ctx.beginPath(); ctx.moveTo(X(v), pad.top); ctx.lineTo(X(v), pad.top + ph); ctx.stroke();
    ctx.textAlign = 'center';
    ctx.fillText(num(v, 2), X(v), pad.top + ph + 12);
  }
  for (const v of ticks(y0, y1, 5)) {
    ctx.beginPath(); ctx.moveTo(pad.left, Y(v)); ctx.lineTo(pad.left + pw, Y(v)); ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(metric === 'auc' ? num(v, 2) : `${+(v * 100).toPrecision(3)}%`, pad.left - 6, Y(v));
  }
  ctx.strokeStyle = INK;
  ctx.strokeRect(pad.left, pad.top, pw, ph);
  ctx.font = `600 ${small ? 12 : 14}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.fillText(`Member recall@${f.config.top_n} (usefulness \u2192)`, pad.left + pw / 2, height - 14);
  ctx.save();
  ctx.translate(14, pad.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${m.axis} (\u2190 more private)`, 0, 0);
  ctx.restore();
  ctx.font = `${small ? 11 : 13}px ${FONT}`;
  const taken = [];
  const label = (text, x, y, colour, align = 'left') => {
    const w = ctx.measureText(text).width;
    const bx = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
    const box = [bx - 1, y - 7, bx + w + 1, y + 7];
    if (box[0] < pad.left || box[2] > pad.left + pw || box[1] < pad.top || box[3] > pad.top + ph) return false;
    if (taken.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) return false;
    taken.push(box);
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.fillText(text, x, y);
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
  if (Number.isFinite(f.popularity_recall_at_n)) {
    ctx.beginPath(); ctx.moveTo(X(f.popularity_recall_at_n), pad.top); ctx.lineTo(X(f.popularity_recall_at_n), pad.top + ph); ctx.stroke();
  }
  // The natural curve: the undefended target at fewer epochs, dashed ink.
  const nat = f.natural.filter((p) => Number.isFinite(p[m.key]));
  if (nat.length) {
    ctx.strokeStyle = INK;
    ctx.setLineDash([3, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    nat.forEach((p, i) => (i ? ctx.lineTo(X(p.recall_at_n_mean), Y(p[m.key])) : ctx.moveTo(X(p.recall_at_n_mean), Y(p[m.key]))));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // One line per defence, in the curve styles' colours (solid: the dashes belong to the natural curve).
  f.defences.forEach((d, i) => {
    const colour = CURVE_STYLES[i % 4].color;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    d.points.forEach((p, j) => (j ? ctx.lineTo(X(p.recall_at_n_mean), Y(p[m.key])) : ctx.moveTo(X(p.recall_at_n_mean), Y(p[m.key]))));
    ctx.stroke();
    for (const p of d.points) {
      ctx.beginPath(); ctx.arc(X(p.recall_at_n_mean), Y(p[m.key]), 4, 0, 2 * Math.PI); ctx.fill();
    }
  });
  // The undefended point: a large ink diamond.
  const ux = X(f.undefended.recall_at_n_mean);
  const uy = Y(f.undefended[m.key]);
  ctx.fillStyle = INK;
  ctx.beginPath(); ctx.moveTo(ux, uy - 8); ctx.lineTo(ux + 8, uy); ctx.lineTo(ux, uy + 8); ctx.lineTo(ux - 8, uy); ctx.closePath(); ctx.fill();
  ctx.restore();
  // Labels (after the lines, skipped where they would overlap): named lines first, then strengths.
  ctx.font = `600 ${small ? 11 : 13}px ${FONT}`;
  label('useful and private \u2198', pad.left + pw - 4, Y(m.chance) + (Y(m.chance) + 18 < pad.top + ph ? 14 : -14), COLOURS.green, 'right');
  label('undefended', ux + 10, uy - 12, INK);
  label('chance', pad.left + 4, Y(m.chance) - 10, GREY);
  if (Number.isFinite(f.popularity_recall_at_n)) label('popularity list', X(f.popularity_recall_at_n) + 4, pad.top + 10, GREY);
  ctx.font = `${small ? 10 : 12}px ${FONT}`;
  for (const p of nat) label(`${p.epochs} ep`, X(p.recall_at_n_mean) + 6, Y(p[m.key]) + 10, INK);
  f.defences.forEach((d, i) => {
    for (const p of d.points) {
      if (p.strength === 0) continue; // the undefended point is labelled already
      label(String(p.strength), X(p.recall_at_n_mean) + 6, Y(p[m.key]) - 9, CURVE_STYLES[i % 4].color);
    }
  });
  return { width, height, X, Y, pad };
}

/** The text equivalent of the chart: every point of every line, in words. */
export function frontierSummary(f, metric, condition = '') {
  const m = METRICS[metric];
  const N = f.config.top_n;
  const pt = (p) => `recall@${N} ${num(p.recall_at_n_mean)}, ${m.label} ${m.fmt(p[m.key])}`;
  const parts = [`Privacy\u2013utility frontier${condition ? ` (${condition})` : ''}: x = member recall@${N}, y = the attack\u2019s ${m.label}; chance is ${m.fmt(m.chance)}.`,
    `Undefended: ${pt(f.undefended)}.`,
    `Popularity list: recall@${N} ${num(f.popularity_recall_at_n)}.`];
  for (const d of f.defences) parts.push(`${d.defence}: ${d.points.map((p) => `strength ${p.strength}: ${pt(p)}`).join('; ')}.`);
  if (f.natural.length) parts.push(`Natural curve (undefended, fewer epochs): ${f.natural.map((p) => `${p.epochs} epochs: ${pt(p)}`).join('; ')}.`);
  parts.push('Useful and private is the bottom right: high recall, an attack at chance. The numbers are in the table.');
  return parts.join(' ');
}

/**
 * Draws the frontier into `box` with its metric toggle; returns the chart interface main.js uses
 * ({notes, destroy, downloadPNG}).
 */
export function drawFrontier(box, f, { title, describedBy, condition = '' } = {}) {
  box.replaceChildren();
  let metric = 'auc';
  box.append(el('p', 'chart-title', title));
  const toggle = el('fieldset', 'inline frontier-metric');
  toggle.append(el('legend', '', 'Attack success'));
  for (const [k, spec] of Object.entries(METRICS)) {
    const lab = el('label');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'frontier-metric';
    input.value = k;
    input.checked = k === metric;
    input.addEventListener('change', () => { metric = k; draw(); });
    lab.append(input, document.createTextNode(` ${spec.label}`));
    toggle.append(lab);
  }
  const holder = el('div', 'plot frontier-plot');
  holder.id = `${box.id}-plot0`;
  holder.setAttribute('role', 'img');
  if (describedBy) holder.setAttribute('aria-describedby', describedBy);
  const canvas = document.createElement('canvas');
  holder.append(canvas);
  const legend = el('ul', 'chart-legend');
  const item = (text, colour, dashed) => {
    const li = el('li');
    const sw = el('span', 'swatch');
    sw.setAttribute('aria-hidden', 'true');
    sw.style.borderTopColor = colour;
    if (dashed) sw.style.borderTopStyle = 'dashed';
    li.append(sw, document.createTextNode(text));
    legend.append(li);
  };
  f.defences.forEach((d, i) => item(`${d.defence} (strength at each point)`, CURVE_STYLES[i % 4].color, false));
  if (f.natural.length) item(`natural: undefended at ${f.natural.map((p) => p.epochs).join(', ')} epochs`, INK, true);
  item('chance (horizontal), popularity list\u2019s recall (vertical)', GREY, true);
  box.append(toggle, holder, legend);
  let layout = null;
  const ratio = () => window.devicePixelRatio || 1;
  function draw() {
    layout = paintFrontier(canvas, f, metric, Math.max(200, holder.clientWidth || box.clientWidth), ratio());
    holder.setAttribute('aria-label', frontierSummary(f, metric, condition));
    holder.dataset.metric = metric;
  }
  draw();
  let w0 = holder.clientWidth;
  const ro = new ResizeObserver(() => {
    if (holder.clientWidth === w0) return;
    w0 = holder.clientWidth;
    draw();
  });
  ro.observe(holder);
  const notes = [`Each line is one defence of the target from strength 0 (the undefended point, \u25c6) to 1; bottom right is useful and private. `
    + `Dashed: the undefended target trained for fewer epochs. Seeds ${f.seeds.join(', ')}${f.seeds.length > 1 ? ' (means)' : ''}.`];
  return {
    plots: [], title, notes, get metric() { return metric; }, get layout() { return layout; },
    destroy() { ro.disconnect(); box.replaceChildren(); },
    async downloadPNG(filename) {
      const copy = document.createElement('canvas');
      paintFrontier(copy, f, metric, Math.max(layout.width, 640), 2);
      const blob = await new Promise((resolve) => copy.toBlob(resolve, 'image/png'));
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      return blob;
    },
  };
}

/** The rows of the table (and of the CSV's means): undefended, every defence point, the natural curve. */
export function frontierRows(f) {
  const rows = [{ what: 'undefended', strength: 0, parameter: '', p: f.undefended }];
  for (const d of f.defences) {
    for (const p of d.points) rows.push({ what: d.defence, strength: p.strength, parameter: `${d.parameter} = ${+p.parameter_value.toPrecision(3)}`, p });
  }
  for (const p of f.natural) rows.push({ what: `natural (${p.epochs} epochs)`, strength: '', parameter: `epochs = ${p.epochs}`, p });
  return rows;
}

/** The table of the frontier's numbers (id frontier-table) and the engine's notes. */
export function renderFrontierTables(box, f, condition) {
  const n = f.seeds.length;
  const N = f.config.top_n;
  const table = el('table', 'sweep frontier');
  table.id = 'frontier-table';
  table.append(el('caption', '', `Privacy\u2013utility frontier (${condition}); popularity list recall@${N} ${num(f.popularity_recall_at_n)}`));
  const head = el('tr');
  for (const h of ['Defence', 'Strength', 'Setting', `Recall@${N}`, 'ROC-AUC', 'TPR at 1% FPR', '\u03b5']) {
    const th = el('th', '', h);
    th.scope = 'col';
    head.append(th);
  }
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const r of frontierRows(f)) {
    const tr = el('tr');
    const th = el('th', '', r.what);
    th.scope = 'row';
    tr.append(th, el('td', '', String(r.strength)), el('td', '', r.parameter), el('td', '', num(r.p.recall_at_n_mean)),
      el('td', '', meanStd(r.p.roc_auc_mean, r.p.roc_auc_std, 3, n)), el('td', '', pct(r.p.tpr_at_1pct_mean)),
      el('td', '', Number.isFinite(r.p.epsilon_mean) ? num(r.p.epsilon_mean, 2) : '\u2014'));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  const wrap = el('div', 'table-scroll');
  wrap.append(table);
  box.replaceChildren(wrap);
}

/** The engine's notes (written from the numbers), beside the chart. */
export function renderFrontierNotes(box, f) {
  const h = el('h3', '', 'What the numbers say');
  const ul = el('ul', 'frontier-notes');
  ul.id = 'frontier-notes';
  for (const t of f.notes) ul.append(el('li', '', t));
  box.replaceChildren(h, ul);
}

/** CSV: one row per run (seed) of every point, the undefended and natural runs included. */
export function frontierCSV(f, condition = '') {
  const out = [];
  if (condition) out.push(`# MemberLens frontier: ${condition}`);
  out.push('defence,strength,parameter_value,epochs,seed,roc_auc,tpr_at_1pct_fpr,recall_at_n');
  const row = (d, s, pv, ep, r) => out.push([d, s, pv, ep, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.recall_at_n].join(','));
  for (const r of f.undefended.runs || []) row('none', 0, '', '', r);
  for (const d of f.defences) for (const p of d.points) for (const r of p.runs) row(d.defence, p.strength, p.parameter_value, '', r);
  for (const p of f.natural) for (const r of p.runs) row('natural', '', '', p.epochs, r);
  return `${out.join('\n')}\n`;
}

/** One sentence for the headline and screen readers. */
export function frontierTakeaway(f) {
  const best = f.defences.map((d) => {
    const last = d.points[d.points.length - 1];
    return { d: d.defence, auc: last.roc_auc_mean, rec: last.recall_at_n_mean };
  });
  return `Undefended: ROC-AUC ${num(f.undefended.roc_auc_mean)} at recall@${f.config.top_n} ${num(f.undefended.recall_at_n_mean)}. At strength 1: `
    + best.map((b) => `${b.d} ${num(b.auc)} at ${num(b.rec)}`).join('; ') + '.';
}
