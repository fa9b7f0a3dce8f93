// frontier.js — owns the privacy–utility frontier view (run=frontier): one panel per serving
// protocol (the paper's popular list, and fold-in: the model serves everyone), side by side when
// they fit and behind a switch on a narrow screen; under each chart the panel's chart note and
// its notes (written in Rust from its numbers); one legend whose colours, dashes and markers are
// the same in both panels; the ROC-AUC / TPR at 1 % FPR toggle; the text equivalents, a table per
// panel, the headline and the PNG. The canvas painting is js/charts/frontier.js's; every number
// comes unchanged from a frontier job's result (wasm `Job.start`) (docs/INTERFACES.md "Frontier result"). Drawn with the
// CSSOM only, so the page's CSP (no inline styles) holds.

import { num, meanStd, interval, tpr, auditBound } from './format.js';
import { COLOURS } from './charts.js';
import { presenting } from './charts/common.js';
import { EXPORT_RATIO, toPNG, saveBlob } from './charts/export.js';
import {
  METRICS, DEFENCE_STYLES, naturalCurves, defenceStyle, frontierRanges, paintFrontierPanel, panelSummary, marker,
} from './charts/frontier.js';

export { METRICS, DEFENCE_STYLES };

// Two panels side by side need this much room (each at least ~340 CSS px); below it, a switch.
const SIDE_BY_SIDE_PX = 700;

// How each protocol's panel is titled.
export const PROTOCOL_TITLES = {
  popular: 'Non-members get the popular list (the paper\u2019s protocol)',
  'fold-in': 'The model serves everyone (fold-in)',
};
const SHORT = { popular: 'popular list', 'fold-in': 'fold-in' };
const title = (p) => PROTOCOL_TITLES[p] || p;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A small canvas swatch: the defence's line with its marker (the legend, the same as the chart). */
function swatch(style, hollow = false) {
  const c = document.createElement('canvas');
  const r = window.devicePixelRatio || 1;
  c.width = 40 * r;
  c.height = 16 * r;
  c.style.width = '40px';
  c.style.height = '16px';
  c.className = 'frontier-swatch';
  c.setAttribute('aria-hidden', 'true');
  const ctx = c.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.strokeStyle = style.color;
  ctx.fillStyle = style.color;
  ctx.lineWidth = hollow ? 1 : 2.5;
  ctx.setLineDash(hollow ? [2, 3] : style.dash);
  ctx.beginPath(); ctx.moveTo(2, 8); ctx.lineTo(38, 8); ctx.stroke();
  ctx.setLineDash([]);
  if (style.marker) marker(ctx, style.marker, 20, 8, hollow ? 3.5 : 5, hollow);
  return c;
}

/** The legend items of frontier `f` (every defence any panel ran, in a fixed order). */
export function legendItems(f) {
  const names = [...new Set(f.panels.flatMap((p) => p.defences.map((d) => d.defence)))];
  const order = Object.keys(DEFENCE_STYLES);
  names.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const items = names.map((n) => ({ text: n, style: defenceStyle(n), defence: n }));
  items.push({ text: 'thin, hollow: the same defence against the naive attacker (an MLP on an undefended shadow)', style: { color: COLOURS.grey, dash: [], marker: 'circle' }, hollow: true });
  const withNatural = f.panels.find((p) => p.natural.length);
  if (withNatural) {
    for (const c of naturalCurves(withNatural)) items.push({ text: `natural, ${c.init} initial factors: undefended at ${c.points.map((p) => p.epochs).join(', ')} epochs`, style: c.style });
  }
  items.push({ text: 'undefended service (\u2605), its 95% interval as a bar', style: { color: COLOURS.ink, dash: [], marker: 'star' } });
  items.push({ text: 'chance (horizontal), popularity list\u2019s recall (vertical)', style: { color: COLOURS.grey, dash: [6, 4] } });
  return items;
}

/**
 * Draws frontier `f` into `box`: the metric toggle, the panels (with a switch when they do not fit
 * side by side), each panel's chart note and notes, the legend. Returns the chart interface main.js
 * and view.js use ({notes, destroy, downloadPNG, metric, shown, layouts}).
 */
export function drawFrontier(box, f, { title: chartTitle, condition = '' } = {}) {
  box.replaceChildren();
  let metric = 'auc';
  let chosen = 0; // the panel a narrow screen shows
  box.append(el('p', 'chart-title', chartTitle));
  const tools = el('div', 'frontier-tools');
  const radios = (legend, name, options, onPick) => {
    const fs = el('fieldset', 'inline');
    fs.append(el('legend', '', legend));
    options.forEach(([value, text, checked]) => {
      const lab = el('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = value;
      input.checked = checked;
      input.addEventListener('change', () => onPick(value));
      lab.append(input, document.createTextNode(` ${text}`));
      fs.append(lab);
    });
    return fs;
  };
  tools.append(radios('Attack success', 'frontier-metric', Object.entries(METRICS).map(([k, s]) => [k, s.label, k === metric]), (k) => { metric = k; draw(); }));
  const switcher = f.panels.length > 1
    ? radios('Protocol', 'frontier-panel', f.panels.map((p, i) => [String(i), SHORT[p.protocol] || p.protocol, i === 0]), (i) => { chosen = +i; layout(); })
    : null;
  if (switcher) { switcher.classList.add('frontier-switch'); tools.append(switcher); }
  const row = el('div', `frontier-panels n${f.panels.length}`);
  const panels = f.panels.map((p, i) => {
    const fig = el('figure', 'frontier-panel');
    fig.dataset.protocol = p.protocol;
    const h = el('p', 'frontier-panel-title', title(p.protocol));
    h.id = `${box.id}-panel${i}-title`;
    const holder = el('div', 'plot frontier-plot');
    holder.id = `${box.id}-plot${i}`;
    holder.setAttribute('role', 'img');
    holder.setAttribute('aria-describedby', `frontier-table-${p.protocol}`);
    const canvas = document.createElement('canvas');
    holder.append(canvas);
    const cap = el('figcaption', 'frontier-caption');
    if (p.chart_note) cap.append(el('p', 'frontier-chart-note', p.chart_note));
    const ul = el('ul', 'frontier-notes');
    ul.id = `frontier-notes-${p.protocol}`;
    for (const t of p.notes) ul.append(el('li', '', t));
    cap.append(ul);
    fig.append(h, holder, cap);
    row.append(fig);
    return { p, fig, holder, canvas, layout: null };
  });
  const legend = el('ul', 'chart-legend frontier-legend');
  for (const item of legendItems(f)) {
    const li = el('li');
    li.append(swatch(item.style, item.hollow), document.createTextNode(item.text));
    // What the chart also labels itself (lecture mode leaves these out to fit the screen).
    if (item.hollow || /^chance/.test(item.text)) li.classList.add('secondary');
    legend.append(li);
  }
  box.append(tools, row, legend);
  const ratio = () => window.devicePixelRatio || 1;
  let side = true;
  function layout() {
    side = panels.length < 2 || box.clientWidth >= SIDE_BY_SIDE_PX;
    row.classList.toggle('side', side && panels.length > 1);
    if (switcher) switcher.hidden = side;
    panels.forEach((x, i) => { x.fig.hidden = !side && i !== chosen; });
    draw();
  }
  function draw(shrink = 0) {
    const ranges = frontierRanges(f, metric);
    for (const x of panels) {
      if (x.fig.hidden) continue;
      // Lecture mode: the panel and the legend under it fit on the screen.
      const maxH = presenting() ? window.innerHeight - x.holder.getBoundingClientRect().top - legend.offsetHeight - 40 - shrink : Infinity;
      x.layout = paintFrontierPanel(x.canvas, f, x.p, metric, Math.max(200, x.holder.clientWidth || box.clientWidth), ratio(), ranges, maxH);
      x.holder.setAttribute('aria-label', panelSummary(f, x.p, metric, title(x.p.protocol), condition));
      x.holder.dataset.metric = metric;
    }
    // What the estimate missed (a panel title or a legend line more): once, smaller by the overflow.
    const over = presenting() && !shrink ? document.documentElement.scrollHeight - window.innerHeight : 0;
    if (over > 0) draw(over);
  }
  layout();
  let w0 = box.clientWidth;
  const ro = new ResizeObserver(() => {
    if (box.clientWidth === w0) return;
    w0 = box.clientWidth;
    layout();
  });
  ro.observe(box);
  const notes = ['Each panel is one way of serving non-members; each line one defence of the target, from strength 0 (the undefended \u2605) to 1,'
    + ' its points labelled with the strength (DP-SGD: with \u03b5); y is the strongest attack the run ran against it (bars: 95% intervals),'
    + ' the thin hollow line the naive attacker. Bottom right is useful and private.'
    + ` Seeds ${f.seeds.join(', ')}${f.seeds.length > 1 ? ' (means)' : ''}.`];
  return {
    plots: [], title: chartTitle, notes,
    get metric() { return metric; },
    get shown() { return panels.filter((x) => !x.fig.hidden).map((x) => x.p.protocol); },
    get layouts() { return panels.map((x) => x.layout); },
    destroy() { ro.disconnect(); box.replaceChildren(); },
    /** Every panel side by side at 2x, with the title, the legend and each panel's notes. */
    async downloadPNG(filename) {
      const ranges = frontierRanges(f, metric);
      const width = Math.max(...panels.map((x) => x.layout?.width || 0), 560);
      const copies = panels.map((x) => {
        const c = document.createElement('canvas');
        paintFrontierPanel(c, f, x.p, metric, width, EXPORT_RATIO, ranges);
        return c;
      });
      const meta = {
        title: `${chartTitle} \u2014 left to right: ${f.panels.map((p) => title(p.protocol)).join('; ')}`,
        legend: legendItems(f).map((i) => ({ text: i.text, color: i.style.color, dash: (i.style.dash || []).length > 0 })),
        notes: [...notes, ...f.panels.flatMap((p) => [p.chart_note, ...p.notes].filter(Boolean).map((t) => `${SHORT[p.protocol] || p.protocol}: ${t}`))],
      };
      const blob = await toPNG(copies, EXPORT_RATIO, meta, false);
      saveBlob(blob, filename);
      return blob;
    },
  };
}

/** The rows of a panel's table: undefended, every defence point, the natural curve. */
export function frontierRows(panel) {
  const rows = [{ what: 'undefended', strength: 0, parameter: '', p: panel.undefended }];
  for (const d of panel.defences) {
    for (const p of d.points) rows.push({ what: d.defence, strength: p.strength, parameter: `${d.parameter} = ${+p.parameter_value.toPrecision(3)}`, p });
  }
  for (const p of panel.natural) rows.push({ what: `natural (${p.epochs} epochs, ${p.init})`, strength: '', parameter: `epochs = ${p.epochs}, init = ${p.init}`, p });
  return rows;
}

/** One table per panel (id frontier-table-<protocol>): the strongest attack with its interval
 * beside the run's attack and the naive attacker, recall and ε. */
export function renderFrontierTables(box, f, condition) {
  const n = f.seeds.length;
  const N = f.config.top_n;
  const blocks = f.panels.map((panel) => {
    const table = el('table', 'sweep frontier');
    table.id = `frontier-table-${panel.protocol}`;
    table.append(el('caption', '', `${title(panel.protocol)}: privacy\u2013utility frontier (${condition}); popularity list recall@${N} ${num(panel.popularity_recall_at_n)}`));
    const head = el('tr');
    for (const h of ['Defence', 'Strength', 'Setting', `Recall@${N}`, 'Strongest attack', 'Its ROC-AUC', '95% interval', 'Its TPR at 1% FPR',
      `${f.config.attack} (knows the defence)`, 'Naive MLP', '\u03b5', 'audit \u03b5 \u2265']) {
      const th = el('th', '', h);
      th.scope = 'col';
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const r of frontierRows(panel)) {
      const tr = el('tr');
      const th = el('th', '', r.what);
      th.scope = 'row';
      const naive = r.p.naive_roc_auc_mean;
      tr.append(th, el('td', '', String(r.strength)), el('td', '', r.parameter), el('td', '', num(r.p.recall_at_n_mean)),
        el('td', '', r.p.strongest_attack ?? '\u2013'), el('td', '', meanStd(r.p.strongest_roc_auc_mean, r.p.strongest_roc_auc_std, 3, n)),
        el('td', '', interval(r.p.strongest_roc_auc_ci95)), el('td', '', r.p.strongest_tpr_at_1pct_mean === null ? 'not measurable' : tpr(r.p.strongest_tpr_at_1pct_mean)),
        el('td', '', meanStd(r.p.roc_auc_mean, r.p.roc_auc_std, 3, n)), el('td', '', Number.isFinite(naive) ? num(naive) : '\u2014'),
        el('td', '', Number.isFinite(r.p.epsilon_mean) ? num(r.p.epsilon_mean, 2) : '\u2014'),
        el('td', '', auditBound(r.p) === null ? '\u2014' : num(auditBound(r.p), 2)));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    const wrap = el('div', 'table-scroll');
    wrap.append(table);
    return wrap;
  });
  box.replaceChildren(...blocks);
}

/** The headline items of a frontier: each panel's undefended strongest attack. */
export function frontierHeadline(f) {
  const N = f.config.top_n;
  return f.panels.map((p) => {
    const u = p.undefended;
    return [`Undefended, ${SHORT[p.protocol] || p.protocol}`, num(u.strongest_roc_auc_mean),
      `strongest attack (${u.strongest_attack}) ROC-AUC, 95% ${interval(u.strongest_roc_auc_ci95)}; recall@${N} ${num(u.recall_at_n_mean)}`];
  });
}

/** The frontier's verdict: each panel's last note (Rust writes what it costs to stop the attack there). */
export function frontierTakeaway(f) {
  return f.panels.map((p) => `${SHORT[p.protocol] || p.protocol}: ${p.notes[p.notes.length - 1] || ''}`).join(' ');
}
