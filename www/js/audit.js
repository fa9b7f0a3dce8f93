// audit.js — owns "Audit your own recommender" on the page (run=audit, docs/audit.md): the panel
// where the auditor chooses the interactions they hold and the lists their service served (both
// read into this tab's memory only: nothing is uploaded), the attacker's shadow family and the list
// length; the audit's part of the run message; and the drawing of its result in the results panel:
// per attack ROC-AUC and TPR at 1 % FPR with their intervals and the strongest (with member labels)
// or the users ranked by risk (without), the activity and taste slices, the 20 most exposed users
// with their reasons, warnings and takeaways, the same audit as a command line, and two downloads:
// the report page (Audit.reportHtml) and the JSON `memberlens audit --json` prints. The audit
// itself runs in js/worker.js (Audit, src/audit/); its run mode (js/modes/audit.js) wires this panel
// the first time it is opened (this code is not part of the first screen) and main.js starts,
// cancels and shows it.

import { pct, num, interval, pctInterval, tpr, count } from './format.js';
import { SCHEMA, CONFIG_KEYS, AUDIT_OWN_KEYS } from './state.js';

const $ = (id) => document.getElementById(id);
// Without labels the page lists this many users by rank; the JSON download holds every one.
const RISK_ROWS = 50;

let ratings = null; // {bytes: ArrayBuffer, name} of the chosen interactions file; null: the bundled sample
let lists = null; // the same for the lists file
let reading = Promise.resolve(); // the file reads in flight: a run waits for them
let shown = null; // the audit on screen: {result, files}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A table with a caption, a header row and body rows (cells: strings or nodes). */
function table(caption, head, rows, id) {
  const t = el('table', { class: 'audit-table', id });
  t.append(el('caption', {}, caption));
  const hr = el('tr');
  for (const h of head) hr.append(el('th', { scope: 'col' }, h));
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((c, i) => {
      const cell = i === 0 ? el('th', { scope: 'row' }) : el('td');
      cell.append(c);
      tr.append(cell);
    });
    body.append(tr);
  }
  t.append(el('thead'), body);
  t.tHead.append(hr);
  const wrap = el('div', { class: 'table-block table-scroll' });
  wrap.append(t);
  return wrap;
}

function download(text, filename, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- the panel ------------------------------------------------------------------------------

/** Reads the chosen file of `input` into memory (or null when none is chosen). */
function readFile(input, set) {
  const f = input.files[0];
  if (!f) { set(null); describeFiles(); return Promise.resolve(); }
  const read = f.arrayBuffer().then((bytes) => { set({ bytes, name: f.name }); describeFiles(); });
  reading = Promise.all([reading, read]).catch(() => {});
  return read;
}

function describeFiles() {
  const r = ratings ? `${ratings.name} (${count(ratings.bytes.byteLength)} bytes)` : 'the bundled MovieLens sample';
  const l = lists ? `${lists.name} (${count(lists.bytes.byteLength)} bytes)` : 'no lists file chosen yet';
  $('audit-files').textContent = `Interactions: ${r}. Lists: ${l}.`;
}

/** Fills the shadow families from the module's recommenders (state.js's schema follows the worker). */
export function refreshShadows() {
  const select = $('audit-shadow');
  const before = select.value || SCHEMA.recommender.default;
  select.replaceChildren(...SCHEMA.recommender.options.map((o) => el('option', { value: o }, (SCHEMA.recommender.optionLabels || {})[o] || o)));
  select.value = SCHEMA.recommender.options.includes(before) ? before : SCHEMA.recommender.options[0];
}

/** Wires the panel; `topN`: the list length it starts from (the form's). */
export function init({ topN }) {
  refreshShadows();
  $('audit-top-n').value = String(topN);
  $('audit-ratings').addEventListener('change', () => readFile($('audit-ratings'), (f) => { ratings = f; }));
  $('audit-lists').addEventListener('change', () => readFile($('audit-lists'), (f) => { lists = f; }));
  // Files chosen before this code was loaded (it loads when the panel is first opened).
  if ($('audit-ratings').files[0]) readFile($('audit-ratings'), (f) => { ratings = f; });
  if ($('audit-lists').files[0]) readFile($('audit-lists'), (f) => { lists = f; });
  describeFiles();
}

/** Resolves once the files chosen so far are in memory. */
export function whenRead() {
  return reading;
}

/** Opens the panel and brings it into view (a run=audit link: its files can never be in a link). */
export function open() {
  $('audit-panel').open = true;
  $('audit-panel').scrollIntoView({ block: 'nearest' });
}

function topN() {
  const spec = SCHEMA.top_n;
  const text = $('audit-top-n').value.trim();
  const n = Number(text);
  return /^\d+$/.test(text) && n >= spec.min && n <= spec.max ? n : null;
}

/** Why the audit cannot start now (one line), or null. */
export function problem() {
  if (!lists) return 'The audit needs the lists your service served: choose a lists file under \u201cAudit your own recommender\u201d.';
  if (topN() === null) {
    return `List length your service serves: \u201c${$('audit-top-n').value.slice(0, 20)}\u201d is not a whole number from ${SCHEMA.top_n.min} to ${SCHEMA.top_n.max}.`;
  }
  return null;
}

/** The config keys the panel sets (AUDIT_OWN_KEYS): the shadow family and the list length. */
export function overrides() {
  return { recommender: $('audit-shadow').value, shadow_recommender: 'same', top_n: topN() };
}

/** The audit's job fields beside its kind (the core's JobSpec::Audit). */
export function jobFields() {
  return { skipUnknown: $('audit-skip').checked };
}

/**
 * The files the run message carries beside the job (js/protocol.js `run`: lists, and ratings or
 * null for the bundled sample); the bytes are copies, the panel keeps its own.
 */
export function files() {
  const copy = (f) => (f ? { bytes: f.bytes.slice(0), name: f.name } : null);
  return { ratings: copy(ratings), lists: copy(lists) };
}

// ---- the result ------------------------------------------------------------------------------

const yesNo = (m) => (m === true ? 'member' : m === false ? 'non-member' : 'unknown');
const rangeText = ([lo, hi]) => [lo, hi].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))).join('\u2013');

/** The command line that makes the same audit: config keys off their defaults in --config. */
function commandLine(r, files) {
  const own = {};
  for (const k of CONFIG_KEYS) {
    if (AUDIT_OWN_KEYS.includes(k) && k !== 'top_n') continue;
    if (k in r.config && r.config[k] !== SCHEMA[k].default) own[k] = r.config[k];
  }
  const config = Object.keys(own).length ? ` --config '${JSON.stringify(own)}'` : '';
  return `memberlens audit --ratings ${files.ratings.name} --lists ${files.lists.name} --shadow ${r.config.recommender}${config}`
    + `${r.audited.skipped_items || r.audited.skipped_users ? ' --skip-unknown' : ''} --json`;
}

function attacksTable(r) {
  const nN = r.audited.non_members;
  const rows = Object.entries(r.attacks).map(([name, a]) => [
    r.strongest && r.strongest.attack === name ? `${name} (strongest)` : name,
    num(a.roc_auc), interval(a.ci95 && a.ci95.roc_auc),
    a.roc_auc === null ? '\u2013' : tpr(a.tpr_at_1pct, nN), pctInterval(a.ci95 && a.ci95.tpr_at_1pct),
    num(a.roc_auc_on_references),
  ]);
  const how = r.strongest ? `${r.audited.members} members and ${nN} non-members labelled; 95% bootstrap intervals`
    : 'no member labels: only the attacker\u2019s own view (ROC-AUC on its reference models)';
  return table(`Every attack an outsider could run (${how})`,
    ['Attack', 'ROC-AUC', '95% interval', 'TPR at 1% FPR', '95% interval', 'ROC-AUC on the attacker\u2019s references'], rows, 'audit-attacks');
}

function riskTable(r) {
  const top = r.users.filter((u) => u.rank <= RISK_ROWS).sort((a, b) => a.rank - b.rank);
  return table(`Users ranked by risk (the ${r.risk.attack} attack\u2019s score; ${top.length} of ${count(r.users.length)} shown, every one in the JSON)`,
    ['Rank', 'User', 'Risk'], top.map((u) => [String(u.rank), String(u.user), num(u.risk, 4)]), 'audit-risk');
}

function sliceTable(r, key, title) {
  const rows = r.slices[key].map((q) => [
    `Q${q.quartile}`, rangeText(q.range), String(q.users), `${q.members} / ${q.non_members}`,
    q.roc_auc === null ? '\u2013' : `${num(q.roc_auc)} (${interval(q.ci95 && q.ci95.roc_auc)})`,
    num(q.mean_risk_percentile, 1), pct(q.top_tenth),
  ]);
  const attack = r.slices.attack ? `the ${r.slices.attack} attack` : 'no labels: risk only';
  return table(`${title} (${attack})`,
    ['Quartile', 'Range', 'Users', 'Members / non-members', 'ROC-AUC (95%)', 'Mean risk percentile', 'Among the most exposed tenth'],
    rows, `audit-slice-${key}`);
}

function exposedTable(r) {
  const rows = r.exposed.map((u) => [String(u.rank), String(u.user), yesNo(u.member), String(u.history_length),
    num(u.mean_popularity, 1), num(u.risk, 4), u.reason]);
  return table(`The ${r.exposed.length} most exposed users, with the reason from their own numbers`,
    ['Rank', 'User', 'Label', 'History length', 'Mean popularity of their items', 'Risk', 'Why'], rows, 'audit-exposed');
}

function listBox(id, head, items) {
  const d = el('div', { class: 'run-warnings', id });
  d.append(el('p', { class: 'run-warnings-head' }, head));
  const ul = el('ul');
  for (const t of items) ul.append(el('li', {}, t));
  d.append(ul);
  return d;
}

export function headline(r) {
  const s = r.strongest;
  if (s) {
    return `Strongest attack: ${s.attack}, ROC-AUC ${num(s.roc_auc)} (95% ${interval(s.ci95 && s.ci95.roc_auc)}), `
      + `TPR at 1% FPR ${tpr(s.tpr_at_1pct, r.audited.non_members)}.`;
  }
  return `No member labels: every user is ranked by the ${r.risk.attack} attack\u2019s score, the attack strongest on the attacker\u2019s own references (ROC-AUC ${num(r.risk.roc_auc_on_references)} there).`;
}

/** Draws an audit ({result, audit: {report, ratings, lists}}) in the results panel. */
export function show(v, conditionText) {
  const r = v.result;
  shown = { result: r, files: v.audit };
  $('results-empty').hidden = true;
  $('story').hidden = true;
  $('results-body').hidden = true;
  $('audit-view').hidden = false;
  $('condition').textContent = `Showing: audit, shadow ${r.config.recommender}, lists of ${r.config.top_n}; ${conditionText}`;
  $('btn-json').disabled = false;
  $('btn-csv').disabled = true;
  const f = v.audit;
  $('audit-view-h').textContent = `Audit of ${f.lists.name} (${count(r.audited.users)} users) against ${f.ratings.name}`;
  $('audit-fingerprints').replaceChildren(...[f.ratings, f.lists].flatMap((m, i) => [
    ...(i ? [el('br')] : []), `${m.name}: ${count(m.bytes)} bytes, SHA-256 `, el('code', {}, m.sha256)]));
  $('audit-cli').textContent = commandLine(r, f);
  $('audit-headline').textContent = headline(r);
  $('audit-takeaways').textContent = (r.takeaways || []).join(' ');
  const box = $('audit-tables');
  box.replaceChildren();
  if (r.warnings.length) box.append(listBox('audit-warnings', 'Read these numbers with care:', r.warnings));
  box.append(attacksTable(r));
  if (r.not_run.length) box.append(listBox('audit-not-run', 'Not run:', r.not_run.map((n) => `${n.attack}: ${n.reason}`)));
  if (!r.strongest) box.append(riskTable(r));
  box.append(sliceTable(r, 'activity', 'By activity: quartiles of history length'),
    sliceTable(r, 'popularity', 'By taste: quartiles of the mean popularity of the items rated (mainstream high)'),
    exposedTable(r));
}

export function hide() {
  $('audit-view').hidden = true;
}

/** The live region's sentence for a finished audit. */
export function announce(r) {
  $('announce').textContent = `Audit done. ${headline(r)}`;
}

const stem = () => `memberlens-audit-${new Date().toISOString().slice(0, 10)}`;

export function downloadReport() {
  if (shown) download(shown.files.report, `${stem()}.html`, 'text/html');
}

/** The JSON as `memberlens audit --json` prints it (one line). */
export function downloadJSON() {
  if (shown) download(`${JSON.stringify(shown.result)}\n`, `${stem()}.json`, 'application/json');
}
