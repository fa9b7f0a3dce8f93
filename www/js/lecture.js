// lecture.js — owns lecture mode (`present=1`): large type, only the figure and a one-line
// takeaway, and a guided tour of steps. Each step sets the controls it is about, runs (or reuses
// the result on screen when it already matches), and shows its takeaway: the sentences Rust wrote
// from the step's numbers (steps 1, 3, 4, 5), or the counts of the dots (step 2).
// Every step stands on the paper preset (so `step=N` opened directly gives what stepping there
// gives); keys the link itself changed stay as the link set them (a quick link stays quick).
// ← / → / Space (and a presenter's PageUp / PageDown) move between steps; `step=N` opens step N;
// `slow=1` narrates the eight stages one by one (the worker pauses at each). It changes the page
// only through the small api main.js hands it.

import { STAGES } from './ui.js';
import { baseState, CONFIG_KEYS } from './state.js';
import { flaggedTakeaway, compareTakeaway, matrixTakeaway } from './results.js';
import { pct } from './format.js';

const $ = (id) => document.getElementById(id);

// The transfer matrix of step 4: three quick algorithms (one of them the paper's), one seed.
const MATRIX_ALGORITHMS = 'lfm,item-knn,popularity';

/**
 * The settings that put `state` on the paper preset: `preset=paper`, and every config key the link
 * left at its own preset's value moves to the paper's (the seed and the link's changes stay).
 */
export function paperSettings(state) {
  const from = baseState(state.preset);
  const to = baseState('paper');
  const out = { preset: 'paper' };
  for (const k of CONFIG_KEYS) if (k !== 'seed' && state[k] === from[k]) out[k] = to[k];
  return out;
}

/**
 * Step 2's takeaway, from the run's numbers and its dots: what the dots are, whom the attacker
 * names when it may accuse at most 1% of the non-members, and whom its own cut-off (score >= 0,
 * the line in the strip) flags.
 */
export function flaggedDotsTakeaway(r, records) {
  const nM = r.counts.target_members;
  const nN = r.counts.target_nonmembers;
  const t1 = r.tpr_at_fpr['0.01'];
  const flagged = (member) => records.filter((x) => x.member === member && x.score >= 0).length;
  // A TPR the run cannot measure (null) is said in words, never as a number.
  const low = t1 === null ? `With ${nN} non-members, 1% FPR cannot be measured`
    : `Accusing \u2264 1% of the ${nN} non-members names ${Math.round(t1 * nM)} of ${nM} members (${pct(t1)})`;
  return `One dot per user (\u25cf members, \u25b2 non-members). ${low}; the line (score \u2265 0) flags`
    + ` ${flagged(true)} members and ${flagged(false)} non-members.`;
}

// The tour. `settings(state)`: the keys the step is about (everything else stays as the link set
// it); `figure: 'individuals'` shows the Individuals strip instead of the ROC chart.
export const STEPS = [
  {
    title: 'The paper\u2019s setting', short: 'The paper\u2019s setting', mode: 'single',
    settings: (s) => ({ ...paperSettings(s), protocol: 'popular', scale: 'linear' }),
    // Rust's first takeaway (eval::takeaways::run): the strongest attack with its interval (one
    // sentence keeps the figure on a 768 px projector; step 2 is about the low-FPR end).
    takeaway: (v) => `${(v.result.takeaways || [])[0] || ''} (paper preset, seed ${v.result.config.seed})`,
  },
  {
    title: 'Who is flagged, and why', short: 'Who is flagged', mode: 'single', figure: 'individuals',
    settings: (s) => ({ ...paperSettings(s), protocol: 'popular', scale: 'linear' }),
    takeaway: (v) => (v.individuals ? flaggedDotsTakeaway(v.result, v.individuals.records) : flaggedTakeaway(v.result)),
  },
  {
    title: 'A realistic recommender (fold-in)', short: 'Fold-in', mode: 'compare',
    settings: (s) => ({ ...paperSettings(s), scale: 'linear' }),
    takeaway: (v) => compareTakeaway(v.result),
  },
  {
    title: 'Other algorithms', short: 'Other algorithms', mode: 'matrix',
    settings: (s) => ({ ...paperSettings(s), recommenders: MATRIX_ALGORITHMS, seeds: 1 }),
    takeaway: (v) => matrixTakeaway(v.result),
  },
  {
    title: 'Does a bigger model leak more?', short: 'Model size k', mode: 'dim-sweep',
    settings: (s) => ({ ...paperSettings(s), seeds: 1 }),
    // Rust's takeaways (eval::takeaways::sweep): the strongest attack and recall, first to last k.
    takeaway: (v) => (v.result.takeaways || []).join(' '),
  },
];

let api = null;
let on = false;
let current = 0; // the open step (1-based; 0 = none yet)
let ticket = 0; // the latest step opened: older steps' results do not write takeaways

export function init(a) {
  api = a;
  const ol = $('lec-steps');
  STEPS.forEach((s, i) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${i + 1}. ${s.short}`;
    b.title = s.title;
    b.addEventListener('click', () => open(i + 1));
    li.append(b);
    ol.append(li);
  });
  $('lec-prev').addEventListener('click', () => open(Math.max(1, current - 1)));
  $('lec-next').addEventListener('click', () => open(Math.min(STEPS.length, current + 1)));
  $('lec-slow').addEventListener('change', () => { api.set({ slow: $('lec-slow').checked }); });
  $('lec-exit').addEventListener('click', () => {
    api.set({ present: false, step: 0 });
    configure(api.state());
    api.redraw(); // the figure goes back to its normal size and type
  });
  document.addEventListener('keydown', onKey);
}

/** Reads `present`, `step` and `slow` from the state (on load and on every address change). */
export function configure(state) {
  on = !!state.present;
  document.documentElement.classList.toggle('present', on);
  $('lecture').hidden = !on;
  $('lec-slow').checked = !!state.slow;
  if (!on) { current = 0; showFigure(null); return; }
  if (!current && !state.step) {
    $('lec-takeaway').textContent = `${STEPS.length} steps. Press \u2192 or Space to start with step 1, or choose a step.`;
  }
  mark();
}

export function active() {
  return on;
}

/** The worker is ready: open the step the link asks for. */
export function onReady() {
  if (on) openFromState();
}

export function openFromState() {
  const s = api.state();
  if (on && s.step && s.step !== current && api.ready()) open(s.step);
}

function mark() {
  [...$('lec-steps').children].forEach((li, i) => {
    const b = li.firstChild;
    if (i + 1 === current) b.setAttribute('aria-current', 'step');
    else b.removeAttribute('aria-current');
  });
  $('lec-prev').disabled = current <= 1;
  $('lec-next').disabled = current >= STEPS.length;
}

/** Opens step n: sets its controls, runs (or reuses the result shown), writes its takeaway. */
export async function open(n) {
  if (!on || n < 1 || n > STEPS.length) return;
  const step = STEPS[n - 1];
  current = n;
  const mine = ++ticket;
  mark();
  showFigure(step.figure); // before the run: a reused result is redrawn at the right size
  api.set({ ...step.settings(api.state()), step: n });
  $('lec-takeaway').textContent = `${n}. ${step.title} \u2014 running\u2026`;
  const v = await api.run(step.mode);
  if (mine !== ticket) return; // another step was opened meanwhile
  $('lec-takeaway').textContent = `${n}. ${step.title}: ${step.takeaway(v)}`;
}

/** Which figure the lecture shows: the ROC / sweep / matrix chart, or the Individuals strip. */
function showFigure(figure) {
  document.documentElement.classList.toggle('lec-individuals', figure === 'individuals');
}

/** Slow motion: while a run goes on, the takeaway line narrates the stage it is in. */
export function onProgress(p) {
  if (!on || !api.state().slow) return;
  const s = STAGES[p.stage_index];
  if (s) $('lec-takeaway').textContent = `Stage ${p.stage_index + 1} of ${p.stage_count} \u2014 ${s[1]}: ${s[2]}`;
}

function onKey(e) {
  if (!on || e.altKey || e.ctrlKey || e.metaKey) return;
  // Keys belong to what has focus when it uses them: fields, buttons (Space), the chart (arrows).
  if (e.target.closest && e.target.closest('input, select, textarea, button, summary, .plot')) return;
  const next = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1 }[e.key];
  if (!next) return;
  e.preventDefault();
  open(Math.max(1, Math.min(STEPS.length, (current || 0) + next)));
}
