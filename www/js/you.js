// you.js — owns "Would it spot you?": the picker (title search over the bundled titles, the chosen
// movies as removable chips, the "put my picks in the link" switch) and the drawing of its result
// in the results panel: for each of the two runs (the service trained with you, and without you)
// where the attack puts you among the target users on a score strip, whether it flags you at its
// own threshold, and the list you were served, by title. The computation is the worker's
// (a `you` job, src/experiment/you.rs); nothing leaves the browser. main.js starts the run; view.js
// calls draw().

import { num } from './format.js';
import { YOU_MIN, YOU_MAX } from './state.js';

const $ = (id) => document.getElementById(id);
const TITLES_URL = new URL('../data/titles.tsv', import.meta.url);
const MAX_MATCHES = 6;
const SVG_NS = 'http://www.w3.org/2000/svg';

let titles = null; // Map id -> title once loaded
let titlesLoading = null;
let picks = []; // movie ids, in the order picked
let onChange = () => {};

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgEl(tag, attrs = {}) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * The bundled titles, fetched once (also what the user cards use), with their parser
 * (js/individuals-model.js: loaded with them, not with the first screen).
 */
export function loadTitles() {
  if (!titlesLoading) {
    const text = fetch(TITLES_URL).then((res) => {
      if (!res.ok) throw new Error(`data/titles.tsv: HTTP ${res.status}`);
      return res.text();
    });
    titlesLoading = Promise.all([text, import('./individuals-model.js')])
      .then(([t, { parseTitles }]) => { titles = parseTitles(t); return titles; });
    titlesLoading.catch(() => { titlesLoading = null; });
  }
  return titlesLoading;
}

const titleOf = (id) => (titles && titles.get(id)) || `movie ${id}`;

/** The picks as the worker takes them (movie ids). */
export function currentPicks() {
  return picks.slice();
}

/** Does the reader want their picks in the link? */
export function shared() {
  return $('you-share').checked;
}

/** Picks from a link (`you=` ids, already checked by state.js), with the switch on. */
export function setPicks(ids) {
  picks = ids.slice(0, YOU_MAX);
  $('you-share').checked = picks.length > 0;
  renderPicks();
  if (picks.length) loadTitles().then(renderPicks, () => {});
}

function renderPicks() {
  const list = $('you-picks');
  list.replaceChildren(...picks.map((id) => {
    const li = el('li');
    const b = el('button', { type: 'button', class: 'chip', 'aria-label': `Remove ${titleOf(id)}` }, `${titleOf(id)} \u00d7`);
    b.addEventListener('click', () => { picks = picks.filter((p) => p !== id); renderPicks(); onChange(); });
    li.append(b);
    return li;
  }));
  const n = picks.length;
  $('you-count').textContent = n < YOU_MIN ? `${n} picked: pick at least ${YOU_MIN - n} more (${YOU_MIN} to ${YOU_MAX}).`
    : `${n} picked${n === YOU_MAX ? ' (the most)' : ''}: ready.`;
  $('btn-you').dataset.enough = String(n >= YOU_MIN);
  onChange();
}

function search() {
  const q = $('you-search').value.trim().toLowerCase();
  const box = $('you-matches');
  if (!titles || q.length < 2) { box.replaceChildren(); return; }
  const found = [];
  for (const [id, t] of titles) {
    if (t.toLowerCase().includes(q) && !picks.includes(id)) found.push([id, t]);
    if (found.length >= MAX_MATCHES) break;
  }
  box.replaceChildren(...found.map(([id, t]) => {
    const li = el('li');
    const b = el('button', { type: 'button', class: 'you-match', 'data-id': String(id) }, t);
    b.disabled = picks.length >= YOU_MAX;
    b.addEventListener('click', () => {
      if (picks.length >= YOU_MAX || picks.includes(id)) return;
      picks.push(id);
      renderPicks();
      search();
      $('you-search').focus();
    });
    li.append(b);
    return li;
  }));
  if (!found.length) box.append(el('li', { class: 'muted' }, 'No title matches.'));
}

/** Wires the picker; `changed()` is called when the picks or the switch change. */
export function init({ changed }) {
  onChange = changed;
  const input = $('you-search');
  input.addEventListener('focus', () => loadTitles().then(search, (e) => {
    $('you-matches').replaceChildren(el('li', { class: 'field-error' }, `The titles could not be loaded (${e.message}).`));
  }), { once: false });
  input.addEventListener('input', () => (titles ? search() : loadTitles().then(search, () => {})));
  $('you-share').addEventListener('change', () => onChange());
  renderPicks();
}

// ---- the result ------------------------------------------------------------------------------

/** A score strip: the other target users as dots (members above, non-members below), the attack's
 * threshold, and you. */
function strip(side) {
  const W = 360, H = 96, pad = 14, mid = H / 2;
  const all = [...side.member_scores, ...side.non_member_scores, side.score, side.threshold];
  const lo = Math.min(...all), hi = Math.max(...all);
  const x = (s) => pad + (hi > lo ? (s - lo) / (hi - lo) : 0.5) * (W - 2 * pad);
  const s = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'you-strip', role: 'img',
    'aria-label': `Your score ${num(side.score)} among ${side.users - 1} other target users; threshold ${num(side.threshold)}` });
  s.append(svgEl('line', { x1: pad, x2: W - pad, y1: mid, y2: mid, class: 'you-axis' }));
  // A fixed jitter per dot (its index), so the same result always draws the same picture.
  const dots = (scores, y0, cls) => scores.forEach((v, i) => {
    s.append(svgEl('circle', { cx: x(v).toFixed(1), cy: (y0 + ((i * 7) % 13) - 6).toFixed(1), r: 2.2, class: cls }));
  });
  dots(side.member_scores, mid - 20, 'you-dot-member');
  dots(side.non_member_scores, mid + 20, 'you-dot-non');
  const tx = x(side.threshold);
  s.append(svgEl('line', { x1: tx, x2: tx, y1: 4, y2: H - 4, class: 'you-threshold' }));
  const me = svgEl('circle', { cx: x(side.score).toFixed(1), cy: side.member ? mid - 20 : mid + 20, r: 6, class: 'you-me' });
  s.append(me);
  const label = svgEl('text', { x: Math.min(W - 30, Math.max(4, x(side.score) - 12)), y: side.member ? 12 : H - 2, class: 'you-me-label' });
  label.textContent = 'you';
  s.append(label);
  return s;
}

function verdict(side) {
  return side.flagged ? 'flagged as a member' : 'not flagged';
}

function sideBox(side, picksSet, title) {
  const box = el('section', { class: 'you-side', 'data-member': String(side.member) });
  box.append(el('h4', {}, title));
  box.append(el('p', { class: `you-verdict ${side.flagged ? 'flagged' : 'missed'}` },
    `The attack ${side.flagged ? 'spots you' : 'does not spot you'}: score ${num(side.score)} `
    + `(threshold ${num(side.threshold)}), rank ${side.rank} of ${side.users}, above ${side.percentile.toFixed(0)}% of the other users.`));
  box.append(strip(side));
  box.append(el('p', { class: 'small' }, 'Dots: the other target users (members above the line, non-members below); the upright line: the attack\u2019s threshold.'));
  box.append(el('p', { class: 'small' }, `Your list (${side.picks_in_list} of your picks are in it; bold = one of your picks), first 20 of ${side.list.length}:`));
  const ol = el('ol', { class: 'you-list' });
  for (const id of side.list.slice(0, 20)) {
    const li = el('li', {}, titleOf(id));
    if (picksSet.has(id)) li.classList.add('picked');
    ol.append(li);
  }
  box.append(ol);
  return box;
}

/** The takeaway in words, from the two verdicts. */
export function takeaway(r) {
  const m = r.as_member, n = r.as_non_member;
  if (m.flagged && !n.flagged) return 'The attack tells the two apart: trained with you, it flags you; without you, it does not. Your membership leaks through your list.';
  if (m.flagged && n.flagged) return 'The attack flags you either way: your list looks like a member\u2019s even when the service never saw you (a mainstream taste is served what members get), so its verdict on you says little.';
  if (!m.flagged && !n.flagged) return 'The attack misses you either way: your list does not stand out, so here your membership stays hidden.';
  return 'The attack gets you backwards: it flags you when you were not trained on and misses you when you were.';
}

function build(container, r) {
  const picksSet = new Set(r.picks);
  const wrap = el('div', { class: 'you-result', id: 'you-result' });
  wrap.append(el('p', { class: 'small' }, `Your ${r.picks.length} picks: ${r.picks.map(titleOf).join('; ')}. The ${r.attack} attack scored every target user in two runs with the same settings and seed.`));
  const sides = el('div', { class: 'you-sides' });
  sides.append(sideBox(r.as_member, picksSet, 'Trained with you (you are a member)'),
    sideBox(r.as_non_member, picksSet, 'Trained without you (you are a non-member)'));
  wrap.append(sides);
  container.replaceChildren(wrap);
  return wrap;
}

/** Draws the result into the results panel's chart box (titles once loaded); returns a chart-like
 * handle (notes, destroy). */
export function draw(container, r) {
  let wrap = build(container, r);
  let gone = false;
  if (!titles) loadTitles().then(() => { if (!gone && wrap.isConnected) wrap = build(container, r); }, () => {});
  return {
    notes: [`Run ROC-AUC ${num(r.as_member.roc_auc)} with you as a member, ${num(r.as_non_member.roc_auc)} without you.`],
    destroy() { gone = true; container.replaceChildren(); },
  };
}

export function headlineItems(r) {
  const item = (s, what) => [what, s.flagged ? 'spotted' : 'not spotted', `score ${num(s.score)}, rank ${s.rank} of ${s.users}`];
  return [item(r.as_member, 'Trained with you'), item(r.as_non_member, 'Trained without you')];
}
