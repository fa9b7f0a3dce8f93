// lecture-diagram.js — owns the lecture's pipeline picture (inline SVG, no style attributes: the
// page's CSP): the data split into the attacker's shadow half and the service's target half, the
// members (●) who train each model and the non-members (▲) who do not, the lists every user gets,
// and the attacker who learns on the shadow lists and scores the target users. It builds up in
// four steps (`show(n)`). Text is 26 units in a 960-unit-wide picture drawn at least 960 px wide
// on a 1024 px projector, so it reads at ≥ 24 px (tests/e2e/lecture.test.mjs measures it).

const NS = 'http://www.w3.org/2000/svg';
export const BUILDS = 4;
const MEMBER = '#0057a3';
const NONMEMBER = '#a84800';
const INK = '#111111';

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function box(g, x, y, w, h, lines, fill = '#f6f7f9') {
  g.append(svg('rect', { x, y, width: w, height: h, rx: 10, fill, stroke: INK, 'stroke-width': 2 }));
  const top = y + h / 2 - ((lines.length - 1) * 30) / 2;
  lines.forEach((t, i) => g.append(svg('text', { x: x + w / 2, y: top + i * 30, 'text-anchor': 'middle', 'dominant-baseline': 'middle', 'font-size': 26, 'font-weight': i ? 400 : 700, fill: INK }, t)));
}

function arrow(g, x1, y1, x2, y2) {
  g.append(svg('line', { x1, y1, x2, y2, stroke: INK, 'stroke-width': 3, 'marker-end': 'url(#lec-arrow)' }));
}

/** Users as marks: members ● and non-members ▲ in a row. */
function people(g, x, y) {
  for (let i = 0; i < 3; i++) g.append(svg('circle', { cx: x + i * 30, cy: y, r: 10, fill: MEMBER }));
  for (let i = 0; i < 3; i++) {
    const cx = x + 100 + i * 30;
    g.append(svg('path', { d: `M${cx} ${y - 11} L${cx + 11} ${y + 9} L${cx - 11} ${y + 9} Z`, fill: NONMEMBER }));
  }
}

/** Builds the picture into `holder` (replacing what was there). */
export function build(holder) {
  const root = svg('svg', { viewBox: '0 0 960 380', role: 'img', class: 'lec-svg', id: 'lec-svg' });
  root.append(svg('title', {}, 'The pipeline: shadow and target halves, members and non-members, the models, the lists, the attacker'));
  const defs = svg('defs');
  const m = svg('marker', { id: 'lec-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  m.append(svg('path', { d: 'M0 0 L10 5 L0 10 Z', fill: INK }));
  defs.append(m);
  root.append(defs);
  const groups = [];
  for (let i = 1; i <= BUILDS; i++) {
    const g = svg('g', { 'data-build': i, class: 'lec-build' });
    groups.push(g);
    root.append(g);
  }
  const [halves, members, lists, attacker] = groups;
  // 1. The data, split in two halves.
  box(halves, 10, 10, 270, 150, ['Shadow half', 'the attacker\u2019s']);
  box(halves, 10, 190, 270, 150, ['Target half', 'the service\u2019s']);
  // 2. Members (●) train each model; non-members (▲) do not.
  people(members, 60, 135);
  people(members, 60, 315);
  box(members, 330, 35, 190, 100, ['Shadow', 'model']);
  box(members, 330, 215, 190, 100, ['Target', 'model']);
  arrow(members, 282, 85, 326, 85);
  arrow(members, 282, 265, 326, 265);
  members.append(svg('text', { x: 10, y: 368, 'font-size': 26, fill: INK, 'dominant-baseline': 'middle' }, '\u25cf members train the model   \u25b2 non-members do not'));
  members.lastChild.setAttribute('class', 'lec-legend');
  // 3. Every user gets a list.
  box(lists, 565, 35, 160, 100, ['Lists', 'top 100']);
  box(lists, 565, 215, 160, 100, ['Lists', 'top 100']);
  arrow(lists, 522, 85, 561, 85);
  arrow(lists, 522, 265, 561, 265);
  // 4. The attacker learns on the shadow lists (it knows who is a member there) and scores the targets.
  box(attacker, 770, 95, 180, 160, ['Attacker', 'learns \u25cf/\u25b2', 'on shadow,', 'scores target'], '#e8f0fa');
  arrow(attacker, 727, 85, 766, 130);
  arrow(attacker, 727, 265, 766, 220);
  holder.replaceChildren(root);
  return root;
}

/** Shows the first `n` build steps (0: none; BUILDS: all). */
export function show(holder, n) {
  for (const g of holder.querySelectorAll('[data-build]')) g.classList.toggle('lec-hidden', Number(g.dataset.build) > n);
  holder.dataset.builds = String(n);
}
