// cost.js — owns what a job will cost before it starts: the estimate shown under the Run button
// (updated when the settings or the data set change), the in-page dialog that asks before any job
// estimated above a minute, and the refusal of jobs with more runs than the documented limit.
// The numbers come from the wasm export `estimateJob` (src/cost/, the same model the CLI uses,
// scaled to the browser); this module instantiates the page's one compiled module (js/wasm-module.js,
// which the workers get too) on the main thread, and only ever computes estimates: microseconds, no data set.
//
// main.js calls: setDataset(summary, config) when a data set is loaded, refresh(config) when the form
// changes, and `await check(run)` before starting a job: 'run', 'declined' or a refusal
// ({refused: text}). setWorkers(n) tells it how many workers share a multi-run job; the estimate
// divides the time among no more of them than the machine has cores (navigator.hardwareConcurrency):
// `workers=8` on 2 cores holds 8 copies of the data but runs no faster than 2 workers.

import init, { estimateJob } from '../pkg/memberlens.js';
import { wasmModule } from './wasm-module.js';

const $ = (id) => document.getElementById(id);

let ready = null; // the promise of the module's initialisation
let summary = null; // {users, items, interactions, ratings} of the data set in use
let workers = 1;
let lastConfig = null;

function load() {
  if (!ready) ready = init({ module_or_path: wasmModule() }).then(() => true, (e) => { console.warn('MemberLens: cost estimates unavailable', e); return false; });
  return ready;
}

/**
 * The estimate of a run (main.js's `{config, job, def}`: the job's JobSpec and its run mode), or
 * null when the mode's `cost` says there is none (the audit: its cost depends on its files).
 */
export function estimate({ config, job, def }) {
  if (!summary || !ready) return null;
  if (def?.cost === null) return null;
  const cores = Math.floor(Number(navigator.hardwareConcurrency)) || undefined;
  return estimateJob(summary, config, JSON.stringify(job), workers, cores);
}

/** Creates the estimate line under the Run button and the confirmation dialog (once). */
function install() {
  if ($('cost-estimate')) return;
  // Beside the Run and Cancel buttons (a row of its own would push the results down on phones).
  const line = document.createElement('span');
  line.id = 'cost-estimate';
  line.className = 'cost-estimate';
  const actions = $('btn-run')?.closest('.actions');
  if (actions) actions.append(line); else document.body.append(line);
  // The full sentence, and on narrow screens (style.css) only the time, so it fits beside the buttons.
  const long = document.createElement('span');
  long.className = 'cost-long';
  const short = document.createElement('span');
  short.className = 'cost-short';
  line.append(long, short);

  const d = document.createElement('dialog');
  d.id = 'cost-dialog';
  d.className = 'cost-dialog';
  d.setAttribute('aria-labelledby', 'cost-dialog-title');
  d.setAttribute('aria-describedby', 'cost-dialog-text');
  const h = document.createElement('h2');
  h.id = 'cost-dialog-title';
  h.textContent = 'This job will take a while';
  const p = document.createElement('p');
  p.id = 'cost-dialog-text';
  const buttons = document.createElement('div');
  buttons.className = 'actions';
  const no = document.createElement('button');
  no.type = 'button';
  no.id = 'cost-no';
  no.textContent = 'Don\u2019t run';
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.id = 'cost-yes';
  yes.textContent = 'Run anyway';
  buttons.append(no, yes);
  d.append(h, p, buttons);
  document.body.append(d);
}

/** The data set runs use now (the worker's summary) and the form's config. */
export function setDataset(s, config) {
  summary = s ? { users: s.users, items: s.items, interactions: s.interactions, ratings: s.ratings } : null;
  refresh(config || lastConfig);
}

/** How many workers share a multi-run job (the page's worker pool). */
export function setWorkers(n) {
  workers = Math.max(1, Math.floor(n) || 1);
}

/** Shows the estimate of one run of `config` under the Run button. */
export function refresh(config) {
  if (!config) return;
  lastConfig = config;
  install();
  load().then((ok) => {
    if (!ok || config !== lastConfig) return;
    const line = $('cost-estimate');
    let e = null;
    try {
      e = estimate({ config, job: { kind: 'single' } }); // one run (a JobSpec kind)
    } catch {
      // an invalid setting: the form itself says what is wrong
    }
    line.querySelector('.cost-long').textContent = e ? `Estimated: ${e.text}.` : '';
    line.querySelector('.cost-short').textContent = e ? `\u2248 ${e.text.replace(/^about (.*) and .*$/, '$1')}` : '';
    line.title = e ? `Estimated cost of one run: ${e.text}` : '';
  });
}

/**
 * While a job runs the line under the Run button speaks of that job, not of one run of the form
 * (issue 18: a 91 s frontier ran under "Estimated: about 3 s"): `text` while it runs, null after.
 */
export function showRunning(text) {
  install();
  const line = $('cost-estimate');
  line.dataset.running = text ? 'true' : 'false';
  if (text) {
    line.querySelector('.cost-long').textContent = text;
    line.querySelector('.cost-short').textContent = text;
  } else if (lastConfig) {
    refresh(lastConfig);
  }
}

/** Opens the dialog; resolves true ("Run anyway") or false (declined, Escape or closed). */
function ask(text) {
  const d = $('cost-dialog');
  $('cost-dialog-text').textContent = text;
  return new Promise((resolve) => {
    const done = (ok) => {
      $('cost-yes').removeEventListener('click', onYes);
      $('cost-no').removeEventListener('click', onNo);
      d.removeEventListener('close', onClose);
      if (d.open) d.close();
      resolve(ok);
    };
    const onYes = () => done(true);
    const onNo = () => done(false);
    const onClose = () => done(false);
    $('cost-yes').addEventListener('click', onYes);
    $('cost-no').addEventListener('click', onNo);
    d.addEventListener('close', onClose);
    d.showModal();
    $('cost-no').focus(); // the safe choice is the default one
  });
}

/**
 * Whether the run (`{config, job, def}`, as estimate() takes it) may start: 'run', 'declined' (the user said no in the dialog),
 * {refused: text} (more runs than the limit) or, without `mayAsk` (Live mode), {held: text} for a
 * job that would have asked. Jobs estimated at a minute or less start at once.
 */
export async function check(run, { mayAsk = true } = {}) {
  install();
  if (!(await load())) return 'run'; // without the module the page cannot estimate: do not block
  let e;
  try {
    e = estimate(run);
  } catch {
    return 'run'; // the worker reports an invalid config with its own message
  }
  if (!e) return 'run';
  if (e.refused) return { refused: e.refused };
  if (!e.confirm) return 'run';
  // Live mode re-runs on every change: it does not ask each time, it leaves the run to the button.
  if (!mayAsk) return { held: e.text };
  return (await ask(`${e.text}. Run it anyway? You can cancel it while it runs.`)) ? 'run' : 'declined';
}
