// results.js — owns the numbers behind the charts: the result tables (real <table>s with captions),
// the machine-readable #results script element (the same keys as the CLI's --json) and the JSON /
// CSV downloads. Formatting comes from format.js so tables and charts agree.

import { pct, num, meanStd, count, duration, sweepValue } from './format.js';

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A table from a caption, a header row and body rows (cells are strings). */
function table(caption, head, rows, cls = '') {
  const t = el('table', cls ? { class: cls } : {});
  t.append(el('caption', {}, caption));
  const thead = el('thead');
  const hr = el('tr');
  for (const h of head) hr.append(el('th', { scope: 'col' }, h));
  thead.append(hr);
  const tbody = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((c, i) => tr.append(i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)));
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

function block(t) {
  const d = el('div', { class: 'table-block' });
  d.append(t, copyButton(t));
  return d;
}

/** Tables of a single run: the attack's metrics, and the recommenders' own quality. */
export function renderSingleTables(box, r) {
  const c = r.counts;
  const smallest = `With ${c.target_nonmembers} non-members the smallest non-zero FPR is ${pct(r.min_nonzero_fpr)}`;
  const below = r.min_nonzero_fpr > 0.001
    ? `${smallest}, so this is the TPR at FPR = 0 (no non-member flagged).` : `${smallest}.`;
  const attack = table(
    `Attack on the target users (seed ${r.config.seed}, k = ${r.config.k}; ${c.target_members} members, ${c.target_nonmembers} non-members)`,
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
    'metrics',
  );
  const t = r.recommender.target;
  const s = r.recommender.shadow;
  const N = r.config.top_n;
  const rec = table(
    `The recommenders\u2019 own quality (lists of N = ${N}, on held-out ratings of members)`,
    ['Metric', 'Target', 'Shadow'],
    [
      [`Recall@${N}`, num(t.recall_at_n), num(s.recall_at_n)],
      [`Precision@${N}`, num(t.precision_at_n), num(s.precision_at_n)],
      ['Hit rate', num(t.hit_rate), num(s.hit_rate)],
      [`Popularity baseline recall@${N}`, num(t.popularity_recall_at_n), num(s.popularity_recall_at_n)],
      ['Held-out ratings', count(t.heldout_interactions), count(s.heldout_interactions)],
      ['Final training loss', num(t.final_loss, 4), num(s.final_loss, 4)],
    ],
    'utility',
  );
  const note = el('p', { class: 'small' });
  note.textContent = `Privacy vs. usefulness: the attack reaches AUC ${num(r.roc_auc)} while the target recommender`
    + ` finds ${pct(t.recall_at_n)} of held-out ratings (the popularity list alone: ${pct(t.popularity_recall_at_n)}).`
    + ` Attack model on the shadow users: AUC ${num(r.attack.shadow_auc)}, loss ${num(r.attack.shadow_loss, 4)}.`
    + ` Time in this tab: ${duration(r.timings_ms?.total)}.`;
  box.replaceChildren(block(attack), block(rec), note);
}

/** Table of a sweep: one row per value, mean ± std over seeds. */
export function renderSweepTables(box, sw) {
  const name = sw.param === 'lr' ? 'learning rate' : sw.param;
  const head = sw.param === 'lr' ? 'Learning rate' : sw.param; // "k" stays lower-case
  const seeds = sw.seeds.length === 1 ? `seed ${sw.seeds[0]}` : `seeds ${sw.seeds.join(', ')}; mean \u00b1 sample std`;
  const N = sw.config.top_n;
  const t = table(
    `Sweep over ${name} (${seeds})`,
    [head, 'ROC-AUC', 'TPR at 1% FPR', `Recall@${N}`],
    sw.points.map((p) => [sweepValue(p.value), meanStd(p.roc_auc_mean, p.roc_auc_std),
      pct(p.tpr_at_1pct_mean), num(p.recall_at_n_mean)]),
    'sweep',
  );
  const note = el('p', { class: 'small' });
  note.textContent = `${sw.points.length * sw.seeds.length} runs in ${duration(sw.timings_ms?.total)}. `
    + 'TPR and recall columns are means over seeds. Per-run numbers: Download CSV.';
  box.replaceChildren(block(t), note);
}

/** The payload of #results: a run result, or {config, sweep} for a sweep (docs/INTERFACES.md). */
export function resultsPayload(mode, result) {
  return mode === 'single' ? result : { config: result.config, sweep: result };
}

export function publishResults(payload) {
  // "<" is escaped so no value can ever close the script element.
  document.getElementById('results').textContent = payload === null ? ''
    : JSON.stringify(payload).replace(/</g, '\\u003c');
}

/** CSV of the numbers behind the chart: ROC points for a run, one row per run for a sweep. */
export function toCSV(mode, payload) {
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
