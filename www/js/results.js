// results.js — owns the numbers behind the charts: the result tables (real <table>s with captions
// that name the condition: every attack a run scored with its 95 % interval and how its direction
// was set, the recommenders' quality next to the popularity list, sweeps and the transfer matrix
// with the strongest attack beside the run's own), the run's warnings next to its numbers, the
// headline numbers and the takeaways (the sentences Rust writes: eval::takeaways), the comparison
// table of pinned / compared runs, the machine-readable #results script element (the same keys as
// the CLI's --json) and the JSON download (the CSV is csv.js's). A TPR the run cannot measure is
// never a number. Formatting comes from format.js so tables and charts agree.

import {
  pct, num, meanStd, pctStd, count, duration, sweepValue, ratio, interval, pctInterval, tpr,
} from './format.js';
import { paramText } from './state.js';

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A table from a caption, a header row and body rows (cells are strings or nodes). */
function table(caption, head, rows, cls = '', id = '') {
  const t = el('table', { ...(cls ? { class: cls } : {}), ...(id ? { id } : {}) });
  t.append(el('caption', {}, caption));
  const thead = el('thead');
  const hr = el('tr');
  for (const h of head) hr.append(el('th', { scope: 'col' }, h));
  thead.append(hr);
  const tbody = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((c, i) => {
      const cell = i === 0 ? el('th', { scope: 'row' }) : el('td');
      cell.append(c);
      tr.append(cell);
    });
    tbody.append(tr);
  }
  t.append(thead, tbody);
  return t;
}

function copyButton(t) {
  const b = el('button', { type: 'button', class: 'copy-table' }, 'Copy table');
  b.addEventListener('click', async () => {
    const tsv = [...t.querySelectorAll('tr')]
      .map((tr) => [...tr.children].map((c) => c.textContent.trim()).join('\t')).join('\n');
    try {
      await navigator.clipboard.writeText(`${t.caption.textContent}\n${tsv}\n`);
      b.textContent = 'Copied';
    } catch {
      // No clipboard permission: select the table so Ctrl+C works.
      const range = document.createRange();
      range.selectNode(t);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      b.textContent = 'Selected: press Ctrl+C';
    }
    setTimeout(() => { b.textContent = 'Copy table'; }, 2500);
  });
  return b;
}

// The scroll box keeps a wide table from widening the page on a phone.
function block(t) {
  const d = el('div', { class: 'table-block' });
  const scroll = el('div', { class: 'table-scroll' });
  scroll.append(t);
  d.append(scroll, copyButton(t));
  return d;
}

// What each attack is, in the table of every attack a run scored.
export const ATTACK_TEXT = {
  mlp: 'neural network trained on a shadow model',
  distance: 'history centroid to list centroid',
  overlap: 'share of the list the user already rated',
  'new-user-list': 'distance to the list a new user without history gets',
  'reference-list': 'distance to the list a new account with a copy of the history gets',
  lira: 'likelihood ratio against reference models trained with and without the user',
};

// How an attack's direction ("higher = member") was fixed (`oriented_on`), never on the labels of
// the users it attacks.
const ORIENTED_TEXT = {
  trained: 'learnt from the attacker\u2019s own data',
  shadow: 'set on the shadow users',
  references: 'set on the reference models\u2019 users',
  construction: 'the statistic\u2019s usual one (no labelled data to check it)',
};

/** How a run's (or baseline's) score was oriented, in words: "set on the shadow users, reversed". */
export function orientationText(a) {
  const how = ORIENTED_TEXT[a.oriented_on] || a.oriented_on || '\u2013';
  return a.flipped ? `${how}; reversed (lower = member)` : how;
}

/** Tables of a single run: the attack's metrics, every attack the run scored (with intervals and
 * orientation), and the recommenders' own quality. A TPR the run cannot measure is never a number. */
export function renderSingleTables(box, r, condition) {
  const c = r.counts;
  const nN = c.target_nonmembers;
  const smallest = `With ${nN} non-members the smallest non-zero FPR is ${pct(r.min_nonzero_fpr)}`;
  const t1 = r.tpr_at_fpr['0.01'];
  const t01 = r.tpr_at_fpr['0.001'];
  const ci = r.ci95 || {};
  const attack = table(
    `Attack on the target users (${condition}; ${c.target_members} members, ${nN} non-members; the ${r.config.attack} attack)`,
    ['Metric', 'Value', '95% interval', 'What it means'],
    [
      ['ROC-AUC', num(r.roc_auc), interval(ci.roc_auc), 'Chance a random member scores above a random non-member (0.5 = guessing).'],
      ['TPR at 1% FPR', tpr(t1, nN), t1 === null ? '\u2013' : pctInterval(ci.tpr_at_1pct),
        `Members found while at most 1% of non-members are wrongly flagged. ${smallest}.`],
      ['TPR at 0.1% FPR', tpr(t01, nN), '\u2013', t01 === null
        ? `${smallest}: 0.1% would be a fraction of one person, so there is no such point on the curve.` : `${smallest}.`],
      ['Balanced accuracy', num(r.balanced_accuracy), '\u2013', 'What the reference code calls \u2018AUC\u2019: (1+TPR\u2212FPR)/2 at the attack\u2019s threshold.'],
      ['Attacker advantage', num(r.attacker_advantage), '\u2013', 'Largest TPR \u2212 FPR over all thresholds.'],
      ['Accuracy', num(r.accuracy), '\u2013', 'Share of target users classified correctly at the attack\u2019s threshold.'],
      ['Precision', num(r.precision), '\u2013', 'Of the users flagged as members, the share that are members.'],
      ['Recall', num(r.recall), '\u2013', 'Of the members, the share flagged.'],
      ['Direction', orientationText(r), '\u2013', 'How the attack decided that a higher score means member: never from the labels of the users it attacks.'],
    ],
    'metrics', 'metrics-table',
  );
  const own = r.config.attack;
  const strongest = r.strongest?.attack;
  // The 0.1% column only when some attack could measure it (a data set with 1,000+ non-members).
  const all = [[own, { ...r, ci95: ci }, true], ...Object.entries(r.baselines || {}).filter(([n]) => n !== own).map(([n, b]) => [n, b, false])];
  const deep = all.some(([, a]) => a.tpr_at_fpr['0.001'] !== null && a.tpr_at_fpr['0.001'] !== undefined);
  const name = (n, mine) => `${n} (${mine ? 'this run\u2019s attack' : 'baseline'}: ${ATTACK_TEXT[n] || n})${n === strongest ? ' \u2014 strongest' : ''}`;
  const base = table(
    `Every attack on the same target lists, with 95% bootstrap intervals: does the ${own === 'mlp' ? 'neural network' : `${own} attack`} earn its keep? (${condition})`,
    ['Attack', 'ROC-AUC', '95% interval', 'TPR at 1% FPR', '95% interval', ...(deep ? ['TPR at 0.1% FPR'] : []), 'Attacker advantage', 'Direction'],
    all.map(([n, a, mine]) => [name(n, mine), num(a.roc_auc), interval(a.ci95?.roc_auc), tpr(a.tpr_at_fpr['0.01'], nN),
      a.tpr_at_fpr['0.01'] === null ? '\u2013' : pctInterval(a.ci95?.tpr_at_1pct),
      ...(deep ? [tpr(a.tpr_at_fpr['0.001'], nN)] : []), num(a.attacker_advantage), orientationText(a)]),
    'baselines', 'baselines-table',
  );
  base.tBodies[0].rows[all.findIndex(([n]) => n === strongest)]?.classList.add('strongest');
  const t = r.recommender.target;
  const s = r.recommender.shadow; // null when the attack needs no shadow model
  const N = r.config.top_n;
  const shadowKind = r.config.shadow_recommender === 'same' ? r.config.recommender : r.config.shadow_recommender;
  const sh = (f) => (s ? f(s) : '\u2014');
  const rec = table(
    `The recommenders\u2019 own quality (${condition}; lists of N = ${N}, on held-out ratings of members)`,
    ['Metric', `Target (${r.config.recommender})`, s ? `Shadow (${shadowKind})` : `Shadow (not trained: the ${own} attack needs none)`],
    [
      [`Recall@${N}`, num(t.recall_at_n), sh((x) => num(x.recall_at_n))],
      [`Popularity list recall@${N}`, num(t.popularity_recall_at_n), sh((x) => num(x.popularity_recall_at_n))],
      ['Recall vs the popularity list', ratio(t.recall_vs_popularity), sh((x) => ratio(x.recall_vs_popularity))],
      [`Random list recall@${N}`, num(t.random_recall_at_n, 4), sh((x) => num(x.random_recall_at_n, 4))],
      [`Precision@${N}`, num(t.precision_at_n), sh((x) => num(x.precision_at_n))],
      ['Hit rate', num(t.hit_rate), sh((x) => num(x.hit_rate))],
      ['Held-out ratings', count(t.heldout_interactions), sh((x) => count(x.heldout_interactions))],
      ['Final training loss', num(t.final_loss, 4), sh((x) => num(x.final_loss, 4))],
    ],
    'utility', 'utility-table',
  );
  const note = el('p', { class: 'small' });
  const st = r.strongest || { attack: own, roc_auc: r.roc_auc };
  note.textContent = `Privacy vs. usefulness: the strongest attack (${st.attack}) reaches AUC ${num(st.roc_auc)} while the target recommender`
    + ` finds ${pct(t.recall_at_n)} of held-out ratings (the popularity list alone: ${pct(t.popularity_recall_at_n)};`
    + ` ${ratio(t.recall_vs_popularity)} of it).`
    + (r.attack ? ` Attack model on the shadow users: AUC ${num(r.attack.shadow_auc)}, loss ${num(r.attack.shadow_loss, 4)}.` : '')
    + ` Time in this tab: ${duration(r.timings_ms?.total)}.`;
  box.replaceChildren(block(attack), block(base), block(rec), note);
}

/**
 * The run's warnings (numbers that mean little), as a visible list next to the headline numbers;
 * `label` names the run when several are shown. Returns null when there is nothing to warn about.
 */
export function warningsBox(runs) {
  const items = runs.flatMap(({ label, result }) => (result.warnings || []).map((w) => (label ? `${label}: ${w}` : w)));
  if (!items.length) return null;
  const d = el('div', { class: 'run-warnings', id: 'run-warnings' });
  d.append(el('p', { class: 'run-warnings-head' }, items.length === 1 ? 'Read this number with care:' : 'Read these numbers with care:'));
  const ul = el('ul');
  for (const w of items) ul.append(el('li', {}, w));
  d.append(ul);
  return d;
}

/**
 * Table of a sweep: one row per finished value, mean ± std over seeds ("± —" with one seed), the
 * run's attack beside the strongest attack of each value (which one, its mean and 95 % interval).
 */
export function renderSweepTables(box, sw, condition) {
  const names = paramText(sw.param, sw.config);
  const name = names.long;
  const head = names.short === 'k' ? 'k' : names.short[0].toUpperCase() + names.short.slice(1); // "k" stays lower-case
  const n = sw.seeds.length;
  const seeds = n === 1 ? 'one seed: no spread; the interval is the run\u2019s bootstrap' : `mean \u00b1 sample std over ${n} seeds; the interval is Student\u2019s t over them`;
  const N = sw.config.top_n;
  const own = sw.config.attack;
  const t = table(
    `Sweep over ${name} (${condition}; ${seeds})`,
    [head, `ROC-AUC (${own})`, `TPR at 1% FPR (${own})`, 'Strongest attack', 'Its ROC-AUC', '95% interval', 'Its TPR at 1% FPR', `Recall@${N}`],
    sw.points.map((p) => [sweepValue(p.value), meanStd(p.roc_auc_mean, p.roc_auc_std, 3, n),
      p.tpr_at_1pct_mean === null ? 'not measurable' : pctStd(p.tpr_at_1pct_mean, p.tpr_at_1pct_std, n),
      p.strongest_attack ?? '\u2013', meanStd(p.strongest_roc_auc_mean, p.strongest_roc_auc_std, 3, n),
      interval(p.strongest_roc_auc_ci95), p.strongest_tpr_at_1pct_mean === null ? 'not measurable' : pct(p.strongest_tpr_at_1pct_mean),
      meanStd(p.recall_at_n_mean, p.recall_at_n_std, 3, n)]),
    'sweep', 'sweep-table',
  );
  const note = el('p', { class: 'small' });
  const left = sw.values.length - sw.points.length;
  note.textContent = left > 0
    ? `${sw.points.length} of ${sw.values.length} values done; the rest follow as they finish.`
    : `${sw.points.length * n} runs in ${duration(sw.timings_ms?.total)}. Per-run numbers: Download CSV.`;
  box.replaceChildren(block(t), note);
}

/** The cell of `m` for shadow `s` and target `t`. */
export function matrixCell(m, s, t) {
  return m.cells.find((c) => c.shadow === s && c.target === t);
}

/**
 * Tables of a transfer matrix: ROC-AUC (mean ± std) with rows = the shadow model's algorithm and
 * columns = the target's, the same for TPR at 1% FPR, and each target algorithm's usefulness.
 */
export function renderMatrixTables(box, m, condition) {
  const n = m.seeds.length;
  const seeds = n === 1 ? 'one seed: no spread' : `mean \u00b1 sample std over ${n} seeds`;
  const names = m.recommenders;
  const grid = (caption, cls, id, fmt) => {
    const t = table(caption, ['Shadow \\ target', ...names.map((x) => `target ${x}`)],
      names.map((s) => [`shadow ${s}`, ...names.map((t2) => fmt(matrixCell(m, s, t2)))]), cls, id);
    // The diagonal (shadow = target, the paper's assumption) is marked as in the heatmap.
    names.forEach((_, i) => t.tBodies[0].rows[i].cells[i + 1].classList.add('diagonal'));
    return t;
  };
  const auc = grid(`Transfer matrix: ROC-AUC of the attack trained on the shadow algorithm (row) against the target algorithm (column) (${condition}; ${seeds})`,
    'matrix', 'matrix-table', (c) => meanStd(c.roc_auc_mean, c.roc_auc_std, 3, n));
  const tprs = grid(`TPR at 1% FPR of the same attack, mean over seeds (${condition})`, 'matrix', 'matrix-tpr-table',
    (c) => (c.tpr_at_1pct_mean === null ? 'not measurable' : pct(c.tpr_at_1pct_mean)));
  // Beside the transfer question, what the strongest attack the run ran reaches on each target.
  const strong = grid(`The strongest attack of each cell: its ROC-AUC, mean over seeds, and which attack (${condition})`,
    'matrix', 'matrix-strongest-table', (c) => `${num(c.strongest_roc_auc_mean)} (${c.strongest_attack})`);
  const N = m.config.top_n;
  const util = table(
    `What each target algorithm is worth to its users (${condition}; recall@${N} on held-out ratings, mean over seeds)`,
    ['Target algorithm', `Recall@${N}`, `Popularity list recall@${N}`, 'Recall vs the popularity list'],
    m.utility.map((u) => [u.recommender, num(u.recall_at_n_mean), num(u.popularity_recall_at_n_mean),
      ratio(u.popularity_recall_at_n_mean > 0 ? u.recall_at_n_mean / u.popularity_recall_at_n_mean : 0)]),
    'utility', 'matrix-utility-table',
  );
  const note = el('p', { class: 'small' });
  note.textContent = `Outlined cells: shadow = target, the paper\u2019s assumption. ${names.length ** 2} cells \u00d7 ${n} seed${n === 1 ? '' : 's'}`
    + ` in ${duration(m.timings_ms?.total)}. Per-seed numbers: Download CSV.`;
  box.replaceChildren(block(auc), block(tprs), block(strong), block(util), note);
}

/** The sentences a transfer matrix teaches (Rust, eval::takeaways::matrix): same algorithm
 * against other algorithms over the personalised ones, with the seed spread. */
export function matrixTakeaway(m) {
  return (m.takeaways || []).join(' ');
}

/**
 * The comparison table: one row per curve on the ROC chart (compared runs, pinned runs).
 * `rows` = [{label, condition, result, onRemove?}]; a row with onRemove gets a Remove button.
 */
export function renderCompareTable(box, rows) {
  if (!rows.length) { box.replaceChildren(); return; }
  const N = rows[0].result.config.top_n;
  const removable = rows.some((r) => r.onRemove);
  // The 0.1% column only when some run could measure it (1,000 non-members or more).
  const deep = rows.some((r) => r.result.tpr_at_fpr['0.001'] !== null && r.result.tpr_at_fpr['0.001'] !== undefined);
  const strongest = (x) => (x.strongest ? `${x.strongest.attack}: ${num(x.strongest.roc_auc)} (${interval(x.strongest.ci95?.roc_auc)}),`
    + ` ${tpr(x.strongest.tpr_at_1pct, x.counts.target_nonmembers)} at 1% FPR` : '\u2013');
  const t = table(
    'Runs on the ROC chart, side by side (the curves are each run\u2019s own attack)',
    ['Run', 'Condition', 'ROC-AUC', 'TPR at 1% FPR', ...(deep ? ['TPR at 0.1% FPR'] : []), 'Strongest attack (95% interval)', `Recall@${N}`, ...(removable ? [''] : [])],
    rows.map((r) => {
      const nN = r.result.counts.target_nonmembers;
      const cells = [r.label, r.condition, num(r.result.roc_auc), tpr(r.result.tpr_at_fpr['0.01'], nN),
        ...(deep ? [tpr(r.result.tpr_at_fpr['0.001'], nN)] : []), strongest(r.result), num(r.result.recommender.target.recall_at_n)];
      if (removable) {
        if (r.onRemove) {
          const b = el('button', { type: 'button', class: 'unpin' }, 'Remove');
          b.setAttribute('aria-label', `Remove ${r.label} from the chart`);
          b.addEventListener('click', r.onRemove);
          cells.push(b);
        } else cells.push('');
      }
      return cells;
    }),
    'compare', 'compare-table',
  );
  box.replaceChildren(block(t));
}

// ---- headline numbers and takeaways (also the lecture's one-line takeaways) -----------------

/** The sentences a single run teaches (Rust, eval::takeaways::run): the strongest attack with
 * its interval, what it finds at 1% FPR (or that it cannot be measured), and the baselines' verdict. */
export function singleTakeaway(r) {
  return (r.takeaways || []).join(' ');
}

/** The sentence a popular-vs-fold-in comparison teaches (Rust, wasm compareTakeaway, which the
 * worker adds to the comparison's result as `takeaways`). */
export function compareTakeaway(cmp) {
  return (cmp.takeaways || []).join(' ');
}

/** The sentence who-is-flagged teaches: the low-FPR end of the curve, in people (the run's attack). */
export function flaggedTakeaway(r) {
  const nM = r.counts.target_members;
  const nN = r.counts.target_nonmembers;
  const t1 = r.tpr_at_fpr['0.01'];
  const f = r.min_nonzero_fpr;
  if (t1 === null) return `With ${nN} non-members even one wrongly accused person is ${pct(f)} FPR: 1% cannot be measured here.`;
  return `Accusing at most 1% of the ${nN} non-members (one person is already ${pct(f)}), the attacker `
    + `correctly names ${Math.round(t1 * nM)} of ${nM} members (${pct(t1)}).`;
}

/**
 * The big numbers next to the chart: what a lecture audience should read first, then `extra` (the
 * run's warnings, right under the numbers they qualify) and the takeaway.
 */
export function renderHeadline(box, items, takeaway, extra = null) {
  const dl = el('dl', { class: 'headline-numbers' });
  for (const [name, value, hint] of items) {
    const d = el('div');
    d.append(el('dt', {}, name), el('dd', {}, value));
    if (hint) d.append(el('dd', { class: 'hint' }, hint));
    dl.append(d);
  }
  const p = el('p', { class: 'takeaway' }, takeaway);
  box.replaceChildren(dl, ...(extra ? [extra] : []), p);
}

export function publishResults(payload) {
  // "<" is escaped so no value can ever close the script element.
  document.getElementById('results').textContent = payload === null ? ''
    : JSON.stringify(payload).replace(/</g, '\\u003c');
}

export function download(text, filename, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
