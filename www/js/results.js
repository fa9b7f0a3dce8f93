// results.js — owns the numbers behind the charts: the result tables (real <table>s with captions
// that name the condition: the attack against its shadow-free baselines, the recommenders' quality
// next to the popularity list, sweeps, the transfer matrix), the run's warnings next to its
// numbers, the headline numbers and the one-line takeaways written from them, the comparison table
// of pinned / compared runs, the machine-readable #results script element (the same keys as the
// CLI's --json) and the JSON / CSV downloads. Formatting comes from format.js so tables and charts agree.

import { pct, num, meanStd, pctStd, count, duration, sweepValue, ratio } from './format.js';
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

// What each attack is, in the baselines table.
const ATTACK_TEXT = {
  mlp: 'neural network trained on a shadow model',
  distance: 'history centroid to list centroid, no shadow model',
  overlap: 'share of the list the user already rated, no shadow model',
};

/** The shadow-free baselines of a run other than its own attack: [[name, summary]], best AUC first. */
export function otherBaselines(r) {
  return Object.entries(r.baselines || {}).filter(([name]) => name !== r.config.attack)
    .sort((a, b) => b[1].roc_auc - a[1].roc_auc);
}

/** Tables of a single run: the attack's metrics, the attack against its baselines, and the recommenders' own quality. */
export function renderSingleTables(box, r, condition) {
  const c = r.counts;
  const smallest = `With ${c.target_nonmembers} non-members the smallest non-zero FPR is ${pct(r.min_nonzero_fpr)}`;
  const below = r.min_nonzero_fpr > 0.001
    ? `${smallest}, so this is the TPR at FPR = 0 (no non-member flagged).` : `${smallest}.`;
  const attack = table(
    `Attack on the target users (${condition}; ${c.target_members} members, ${c.target_nonmembers} non-members)`,
    ['Metric', 'Value', 'What it means'],
    [
      ['ROC-AUC', num(r.roc_auc), 'Chance a random member scores above a random non-member (0.5 = guessing).'],
      ['TPR at 1% FPR', pct(r.tpr_at_fpr['0.01']), `Members found while at most 1% of non-members are wrongly flagged. ${smallest}.`],
      ['TPR at 0.1% FPR', pct(r.tpr_at_fpr['0.001']), below],
      ['Balanced accuracy', num(r.balanced_accuracy), 'What the reference code calls \u2018AUC\u2019: (1+TPR\u2212FPR)/2 at the attack\u2019s threshold.'],
      ['Attacker advantage', num(r.attacker_advantage), 'Largest TPR \u2212 FPR over all thresholds.'],
      ['Accuracy', num(r.accuracy), 'Share of target users classified correctly at the attack\u2019s threshold.'],
      ['Precision', num(r.precision), 'Of the users flagged as members, the share that are members.'],
      ['Recall', num(r.recall), 'Of the members, the share flagged.'],
    ],
    'metrics', 'metrics-table',
  );
  const own = r.config.attack;
  const base = table(
    `Does the ${own === 'mlp' ? 'neural network' : `${own} attack`} earn its keep? The same target lists scored by the shadow-free attacks (${condition})`,
    ['Attack', 'ROC-AUC', 'TPR at 1% FPR', 'TPR at 0.1% FPR', 'Attacker advantage'],
    [
      [`${own} (this run\u2019s attack: ${ATTACK_TEXT[own] || own})`, num(r.roc_auc), pct(r.tpr_at_fpr['0.01']),
        pct(r.tpr_at_fpr['0.001']), num(r.attacker_advantage)],
      ...Object.entries(r.baselines || {}).map(([name, b]) => [`${name} (baseline: ${ATTACK_TEXT[name] || 'shadow-free'})`,
        num(b.roc_auc), pct(b.tpr_at_fpr['0.01']), pct(b.tpr_at_fpr['0.001']), num(b.attacker_advantage)]),
    ],
    'baselines', 'baselines-table',
  );
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
  note.textContent = `Privacy vs. usefulness: the attack reaches AUC ${num(r.roc_auc)} while the target recommender`
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

/** Table of a sweep: one row per finished value, mean ± std over seeds ("± —" with one seed). */
export function renderSweepTables(box, sw, condition) {
  const names = paramText(sw.param, sw.config);
  const name = names.long;
  const head = names.short === 'k' ? 'k' : names.short[0].toUpperCase() + names.short.slice(1); // "k" stays lower-case
  const n = sw.seeds.length;
  const seeds = n === 1 ? 'one seed: no spread' : `mean \u00b1 sample std over ${n} seeds`;
  const N = sw.config.top_n;
  const t = table(
    `Sweep over ${name} (${condition}; ${seeds})`,
    [head, 'ROC-AUC', 'TPR at 1% FPR', `Recall@${N}`],
    sw.points.map((p) => [sweepValue(p.value), meanStd(p.roc_auc_mean, p.roc_auc_std, 3, n),
      pctStd(p.tpr_at_1pct_mean, p.tpr_at_1pct_std, n), meanStd(p.recall_at_n_mean, p.recall_at_n_std, 3, n)]),
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
  const tpr = grid(`TPR at 1% FPR, mean over seeds (${condition})`, 'matrix', 'matrix-tpr-table', (c) => pct(c.tpr_at_1pct_mean));
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
  box.replaceChildren(block(auc), block(tpr), block(util), note);
}

/** The sentence a transfer matrix teaches: same algorithm against across algorithms. */
export function matrixTakeaway(m) {
  const diag = m.cells.filter((c) => c.shadow === c.target);
  const off = m.cells.filter((c) => c.shadow !== c.target);
  const mean = (cs) => cs.reduce((a, c) => a + c.roc_auc_mean, 0) / cs.length;
  if (!off.length) return `One algorithm only: the attack reaches AUC ${num(diag[0].roc_auc_mean)} against it.`;
  const best = m.cells.reduce((a, c) => (c.roc_auc_mean > a.roc_auc_mean ? c : a));
  const d = mean(diag);
  const o = mean(off);
  const verdict = o < d - 0.05 ? 'the attack works best when the attacker guesses the algorithm right'
    : 'the attack transfers: guessing the algorithm matters little here';
  return `Mean AUC ${num(d)} when the shadow model uses the target\u2019s algorithm, ${num(o)} when it does not: ${verdict}`
    + ` (highest: shadow ${best.shadow} \u2192 target ${best.target}, ${num(best.roc_auc_mean)}).`;
}

/**
 * The comparison table: one row per curve on the ROC chart (compared runs, pinned runs).
 * `rows` = [{label, condition, result, onRemove?}]; a row with onRemove gets a Remove button.
 */
export function renderCompareTable(box, rows) {
  if (!rows.length) { box.replaceChildren(); return; }
  const N = rows[0].result.config.top_n;
  const removable = rows.some((r) => r.onRemove);
  const t = table(
    'Runs on the ROC chart, side by side',
    ['Run', 'Condition', 'ROC-AUC', 'TPR at 1% FPR', 'TPR at 0.1% FPR', `Recall@${N}`, ...(removable ? [''] : [])],
    rows.map((r) => {
      const cells = [r.label, r.condition, num(r.result.roc_auc), pct(r.result.tpr_at_fpr['0.01']),
        pct(r.result.tpr_at_fpr['0.001']), num(r.result.recommender.target.recall_at_n)];
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

/** The one sentence a single run teaches, written from its numbers. */
export function singleTakeaway(r) {
  const auc = r.roc_auc;
  const strength = auc >= 0.9 ? 'almost always' : auc >= 0.7 ? 'usually' : auc > 0.55 ? 'only a little more often than chance' : 'no better than a coin flip';
  return `AUC ${num(auc)}: a member outscores a non-member ${strength}; `
    + `flagging \u2264 1% of non-members finds ${pct(r.tpr_at_fpr['0.01'])} of members.`;
}

/** The sentence the baselines teach: does the run's attack beat plain counting? */
export function baselineTakeaway(r) {
  const [best] = otherBaselines(r);
  if (!best) return '';
  const [name, b] = best;
  const gain = r.roc_auc - b.roc_auc;
  const who = r.config.attack === 'mlp' ? 'the network' : `the ${r.config.attack} attack`;
  const verdict = gain > 0.02 ? `adds ${num(gain)} AUC: it earns its keep`
    : gain < -0.02 ? `is ${num(-gain)} AUC worse: plain counting does better`
      : 'adds next to nothing';
  return `The shadow-free ${name} attack alone reaches AUC ${num(b.roc_auc)}; ${who} ${verdict}.`;
}

/** The sentence a popular-vs-fold-in comparison teaches. */
export function compareTakeaway(popular, foldIn) {
  const a = popular.roc_auc;
  const b = foldIn.roc_auc;
  const verdict = b < a - 0.05
    ? 'much of the paper\u2019s signal is \u201cpersonalised list or popular list?\u201d'
    : 'the signal survives when the model serves everyone';
  return `AUC ${num(a)} with the popular list, ${num(b)} with model lists (fold-in): ${verdict}.`;
}

/** The sentence who-is-flagged teaches: the low-FPR end of the curve, in people. */
export function flaggedTakeaway(r) {
  const nM = r.counts.target_members;
  const nN = r.counts.target_nonmembers;
  const t1 = r.tpr_at_fpr['0.01'];
  const f = r.min_nonzero_fpr;
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

/**
 * The payload of #results (docs/INTERFACES.md): a run result; {config, sweep} for a sweep;
 * {runs: [run result, ...]} for a comparison, in the order shown; the matrix report for a matrix.
 */
export function resultsPayload(mode, result) {
  if (mode === 'single' || mode === 'compare' || mode === 'matrix') return result;
  return { config: result.config, sweep: result };
}

export function publishResults(payload) {
  // "<" is escaped so no value can ever close the script element.
  document.getElementById('results').textContent = payload === null ? ''
    : JSON.stringify(payload).replace(/</g, '\\u003c');
}

/**
 * CSV of the numbers behind the chart: ROC points for a run (and for each run of a comparison,
 * with its protocol), one row per run for a sweep, one row per cell and seed for a matrix.
 * `condition` heads the file as a # comment.
 */
export function toCSV(mode, payload, condition = '') {
  const head = condition ? `# MemberLens ${mode}: ${condition}\n` : '';
  return head + csvBody(mode, payload);
}

function csvBody(mode, payload) {
  if (mode === 'matrix') {
    const rows = ['shadow,target,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr'];
    for (const c of payload.cells) {
      for (const r of c.runs) rows.push([c.shadow, c.target, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001']].join(','));
    }
    return rows.join('\n') + '\n';
  }
  if (mode === 'compare') {
    const rows = ['protocol,threshold,fpr,tpr'];
    for (const r of payload.runs) {
      const { fpr, tpr, thresholds } = r.roc;
      for (let i = 0; i < fpr.length; i++) rows.push(`${r.config.protocol},${thresholds[i]},${fpr[i]},${tpr[i]}`);
    }
    return rows.join('\n') + '\n';
  }
  if (mode === 'single') {
    const { fpr, tpr, thresholds } = payload.roc;
    const rows = ['threshold,fpr,tpr'];
    for (let i = 0; i < fpr.length; i++) rows.push(`${thresholds[i]},${fpr[i]},${tpr[i]}`);
    return rows.join('\n') + '\n';
  }
  const sw = payload.sweep;
  const rows = [`${sw.param},seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,balanced_accuracy,recall_at_n`];
  for (const p of sw.points) {
    for (const r of p.runs) {
      rows.push([p.value, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001'],
        r.balanced_accuracy, r.recall_at_n].join(','));
    }
  }
  return rows.join('\n') + '\n';
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
