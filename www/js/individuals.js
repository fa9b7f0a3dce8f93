// individuals.js — owns the Individuals view of a single run: every target user as a dot. A
// beeswarm of attack scores (members and non-members in two colour-blind-safe colours AND shapes)
// with a threshold the user drags (pointer, touch, or the keyboard on a real slider) that moves a
// marked point on the ROC chart and states the confusion counts in words; the users' 2-D PCA
// positions (coloured by truth or by score); a user card (rated movies and top-N list by title,
// both centroids, score and rank); and the text equivalents of both canvases. Everything is
// labelled with the run's condition. main.js calls update() whenever it draws a result; the
// records come from the worker (wasm Job.users(), the same records as `memberlens run --users`).
// Drawing is plain canvas / SVG through the DOM: no markup style attributes (the page's CSP).
//
// This module builds the view and is what view.js imports; its pieces live in www/js/individuals/:
// strip.js (the beeswarm and the threshold's controls), threshold.js (moving it and redrawing),
// roc-marker.js (the marker on the ROC chart), pca.js (the PCA scatter), card.js (the user card)
// and common.js (the shared state and helpers).

import { num } from './format.js';
import { rocIndexForScore, scoreMid, median } from './individuals-model.js';
import { ENDS, view, setView, el, table, truth } from './individuals/common.js';
import { buildStrip } from './individuals/strip.js';
import { setIdx, schedule } from './individuals/threshold.js';
import { attachRoc } from './individuals/roc-marker.js';
import { buildPca } from './individuals/pca.js';
import { openCard, closeCard } from './individuals/card.js';

const $ = (id) => document.getElementById(id);

/**
 * Shows the Individuals view for `v` = {result, records, bundled, condition, chart, rocs, scale}
 * (chart: the ROC handle of js/charts.js; rocs: the results drawn on it; scale: 'linear' | 'log'),
 * or hides it (null). The same result keeps its threshold, card and toggles; the ROC chart is
 * redrawn by main.js on every view change, so the marker is attached to the chart passed each time.
 */
export function update(v) {
  const box = $('individuals');
  if (!box) return;
  if (!v || !Array.isArray(v.records) || !v.records.length || !v.result?.roc) {
    teardown();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (!view || view.result !== v.result) build(v);
  attachRoc(v.chart, v.rocs || [v.result], v.scale === 'log');
}

function teardown() {
  if (!view) return;
  view.ro.disconnect();
  setView(null);
  const body = $('individuals-body');
  if (body) body.replaceChildren();
}

// ---- building the view ----------------------------------------------------------------------

function build(v) {
  teardown();
  const result = v.result;
  const records = v.records;
  const n = result.roc.thresholds.length;
  const members = records.filter((r) => r.member);
  const nonMembers = records.filter((r) => !r.member);
  const scores = records.map((r) => r.score);
  const byRank = [...records].sort((a, b) => a.rank - b.rank);
  const label = `AUC ${num(result.roc_auc)} \u2014 ${v.condition}`;
  setView({
    result, records, byRank, members, nonMembers, bundled: !!v.bundled, condition: v.condition, label,
    n, idx: rocIndexForScore(result.roc, 0), colourBy: 'truth', selected: null,
    lo: Math.min(...scores), hi: Math.max(...scores), mid: scoreMid(scores),
    dist: { member: median(members.map((r) => r.centroid_distance)), nonMember: median(nonMembers.map((r) => r.centroid_distance)) },
    strip: null, pca: null, roc: null, frame: 0, ro: null,
  });
  view.home = view.idx;
  const body = $('individuals-body');
  const intro = el('p', { class: 'ind-intro' });
  intro.textContent = `Each dot is one of the ${records.length} target users (${members.length} members, `
    + `${nonMembers.length} non-members; ${label}). Drag the threshold line, or use the slider, to choose whom `
    + 'the attacker accuses: the black square \u25a0 on the ROC chart follows it. Click a dot, or pick a user '
    + 'below, to open that user\u2019s card.';
  const figs = el('div', { class: 'ind-figs' });
  figs.append(buildStrip(), buildPca());
  const pick = el('div', { class: 'ind-pick' });
  const sel = el('select', { id: 'ind-user' });
  sel.append(el('option', { value: '' }, 'Choose a user\u2026'));
  for (const r of byRank) {
    sel.append(el('option', { value: String(r.user) },
      `Rank ${r.rank}: user ${r.user} (${truth(r)}, score ${num(r.score, 2)})`));
  }
  sel.addEventListener('change', () => {
    const r = records.find((x) => String(x.user) === sel.value);
    if (r) openCard(r, { focus: false }); else closeCard(false);
  });
  pick.append(el('label', { for: 'ind-user' }, 'Open a user\u2019s card'), sel);
  view.select = sel;
  const users = table('ind-users-table',
    `The ${ENDS} users the attack is surest are members, and the ${ENDS} it is surest are not (${label})`,
    ['Rank', 'User', 'Truth', 'Score', 'At this threshold'], []);
  view.usersBody = users.tBodies[0];
  const usersBlock = el('div', { class: 'table-scroll' });
  usersBlock.append(users);
  const card = el('section', { id: 'ind-card', class: 'ind-card', tabindex: '-1', 'aria-labelledby': 'ind-card-h' });
  card.hidden = true;
  view.card = card;
  body.replaceChildren(intro, figs, usersBlock, pick, card);
  view.ro = new ResizeObserver(() => schedule(true));
  view.ro.observe(view.strip.holder);
  view.ro.observe(view.pca.holder);
  setIdx(view.idx);
}
