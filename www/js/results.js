// results.js — owns the numbers behind the charts: the result tables (real <table>s with captions
// that name the condition), the headline numbers and the one-line takeaways written from them, the
// comparison table of pinned / compared runs, the machine-readable #results script element (the
// same keys as the CLI's --json) and the JSON / CSV downloads. Formatting comes from format.js so
// tables and charts agree.

import { pct, num, meanStd, pctStd, count, duration, sweepValue } from './format.js';

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

/** Tables of a single run: the attack's metrics, and the recommenders' own quality. */
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
      ['Balanced accuracy', num(r.balanced_accuracy), 'What the reference code calls \u2018AUC\u2019: (1+TPR\u2212FPR)/2 at threshold 0.5.'],
      ['Attacker advantage', num(r.attacker_advantage), 'Largest TPR \u2212 FPR over all thresholds.'],
      ['Accuracy', num(r.accuracy), 'Share of target users classified correctly at threshold 0.5.'],
      ['Precision', num(r.precision), 'Of the users flagged as members, the share that are members.'],
      ['Recall', num(r.recall), 'Of the members, the share flagged (threshold 0.5).'],
    ],
    'metrics', 'metrics-table',
  );
  const t = r.recommender.target;
  const s = r.recommender.shadow;
  const N = r.config.top_n;
  const rec = table(
    `The recommenders\u2019 own quality (${condition}; lists of N = ${N}, on held-out ratings of members)`,
    ['Metric', 'Target', 'Shadow'],
    [
      [`Recall@${N}`, num(t.recall_at_n), num(s.recall_at_n)],
      [`Precision@${N}`, num(t.precision_at_n), num(s.precision_at_n)],
      ['Hit rate', num(t.hit_rate), num(s.hit_rate)],
      [`Popularity baseline recall@${N}`, num(t.popularity_recall_at_n), num(s.popularity_recall_at_n)],
      ['Held-out ratings', count(t.heldout_interactions), count(s.heldout_interactions)],
      ['Final training loss', num(t.final_loss, 4), num(s.final_loss, 4)],
    ],
    'utility', 'utility-table',
  );
  const note = el('p', { class: 'small' });
  note.textContent = `Privacy vs. usefulness: the attack reaches AUC ${num(r.roc_auc)} while the target recommender`
    + ` finds ${pct(t.recall_at_n)} of held-out ratings (the popularity list alone: ${pct(t.popularity_recall_at_n)}).`
    + ` Attack model on the shadow users: AUC ${num(r.attack.shadow_auc)}, loss ${num(r.attack.shadow_loss, 4)}.`
    + ` Time in this tab: ${duration(r.timings_ms?.total)}.`;
  box.replaceChildren(block(attack), block(rec), note);
}

/** Table of a sweep: one row per finished value, mean ± std over seeds ("± —" with one seed). */
export function renderSweepTables(box, sw, condition) {
  const name = sw.param === 'lr' ? 'learning rate' : sw.param;
  const head = sw.param === 'lr' ? 'Learning rate' : sw.param; // "k" stays lower-case
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

/** The big numbers next to the chart: what a lecture audience should read first. */
export function renderHeadline(box, items, takeaway) {
  const dl = el('dl', { class: 'headline-numbers' });
  for (const [name, value, hint] of items) {
    const d = el('div');
    d.append(el('dt', {}, name), el('dd', {}, value));
    if (hint) d.append(el('dd', { class: 'hint' }, hint));
    dl.append(d);
  }
  const p = el('p', { class: 'takeaway' }, takeaway);
  box.replaceChildren(dl, p);
}

/**
 * The payload of #results (docs/INTERFACES.md): a run result; {config, sweep} for a sweep;
 * {runs: [run result, ...]} for a comparison, in the order shown.
 */
export function resultsPayload(mode, result) {
  if (mode === 'single' || mode === 'compare') return result;
  return { config: result.config, sweep: result };
}

export function publishResults(payload) {
  // "<" is escaped so no value can ever close the script element.
  document.getElementById('results').textContent = payload === null ? ''
    : JSON.stringify(payload).replace(/</g, '\\u003c');
}

/**
 * CSV of the numbers behind the chart: ROC points for a run (and for each run of a comparison,
 * with its protocol), one row per run for a sweep. `condition` heads the file as a # comment.
 */
export function toCSV(mode, payload, condition = '') {
  const head = condition ? `# MemberLens ${mode}: ${condition}\n` : '';
  return head + csvBody(mode, payload);
}

function csvBody(mode, payload) {
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
