// individuals/threshold.js — moving the threshold: setIdx() takes it to a ROC point and updates
// everything that depends on it (the counts, the slider's value text, the tables, the open card's
// verdict), and schedule() redraws the strip, the PCA scatter and the ROC marker on the next frame.

import { num, pct } from '../format.js';
import { countsAt, rocCountsAt, median } from '../individuals-model.js';
import { ENDS, view, el, fillRows, sig, truth } from './common.js';
import { drawStrip } from './strip.js';
import { drawPca } from './pca.js';
import { redrawRoc } from './roc-marker.js';
import { openCard, renderVerdict } from './card.js';


/** Moves the threshold to ROC point `i` and updates everything that depends on it. */
export function setIdx(i) {
  view.idx = Math.max(0, Math.min(view.n - 1, i));
  const r = view.result;
  const thr = r.roc.thresholds[view.idx];
  const c = countsAt(view.records, thr);
  const fromRoc = rocCountsAt(r, view.idx);
  if (c.tp !== fromRoc.tp || c.fp !== fromRoc.fp || c.members !== fromRoc.members) {
    // Cannot happen when the records and the ROC come from the same run; say so if it ever does.
    console.warn('MemberLens: the user records disagree with the ROC at threshold', thr, c, fromRoc);
  }
  const s = view.strip;
  const at = view.idx === 0 ? 'above every score: nobody flagged' : `flagged when score \u2265 ${sig(thr)}`;
  const words = `${c.tp} of ${c.members} members found, ${c.fp} of ${c.nonMembers} non-members wrongly flagged`;
  s.counts.textContent = `At this threshold (${at}): ${words}.`;
  Object.assign(s.counts.dataset, { threshold: String(thr), rocIndex: String(view.idx), tp: String(c.tp), fp: String(c.fp) });
  s.slider.value = String(view.n - 1 - view.idx);
  s.slider.setAttribute('aria-valuetext', `${at}: ${words}`);
  s.countsTable.caption.textContent = `Who is flagged at this threshold (${at}; ${view.label})`;
  fillRows(s.countsTable.tBodies[0], [
    ['Members', `${c.tp} (${pct(c.tp / c.members)})`, String(c.members - c.tp), String(c.members)],
    ['Non-members', `${c.fp} (${pct(c.fp / c.nonMembers)})`, String(c.nonMembers - c.fp), String(c.nonMembers)],
  ]);
  s.holder.setAttribute('aria-label', stripSummary(c, at));
  fillUsersTable(thr);
  if (view.selected) renderVerdict();
  schedule(false);
}

function stripSummary(c, at) {
  const part = (recs, name, shape) => {
    const sc = recs.map((x) => x.score);
    return `${name} (${recs.length}, ${shape}): scores from ${num(Math.min(...sc), 2)} to ${num(Math.max(...sc), 2)}, median ${num(median(sc), 2)}.`;
  };
  return `Attack scores of the ${view.records.length} target users, one dot each (${view.label}). `
    + `${part(view.members, 'Members', 'circles')} ${part(view.nonMembers, 'Non-members', 'triangles')} `
    + `At this threshold (${at}): ${c.tp} of ${c.members} members found, ${c.fp} of ${c.nonMembers} non-members wrongly flagged. `
    + 'The counts and the surest users are in the tables.';
}

function fillUsersTable(thr) {
  const rk = view.byRank;
  const ends = rk.length <= 2 * ENDS ? rk : [...rk.slice(0, ENDS), ...rk.slice(-ENDS)];
  fillRows(view.usersBody, ends.map((r) => {
    const b = el('button', { type: 'button', class: 'small-button ind-open', 'aria-label': `Open the card of user ${r.user}` }, `User ${r.user}`);
    b.addEventListener('click', () => openCard(r, { focus: true }));
    return [String(r.rank), b, truth(r), num(r.score, 2), r.score >= thr ? 'flagged' : 'not flagged'];
  }));
}

/** Redraws on the next frame (a drag moves many steps per frame); `relayout` after a resize. */
export function schedule(relayout) {
  if (!view) return;
  if (relayout) { view.strip.layout = null; view.pca.layout = null; }
  if (view.frame) return;
  const v = view;
  view.frame = requestAnimationFrame(() => {
    v.frame = 0;
    if (view !== v) return;
    drawStrip();
    drawPca();
    redrawRoc();
  });
}
