// lecture.js — owns lecture mode (`present=1`): one slide at a time (js/lecture-slides.js says
// what each slide is and says), its question and the pipeline picture at once, then the figure
// and the sentences of its run; the runs of the following slides computed in the background
// meanwhile (main.js's `prefetch`), so a later slide shows at once. Keys work whatever has focus
// (a capture listener on document): → PageDown Space forward, ← PageUp back, Home / End, Escape
// leaves; buttons lose focus after a click, so a clicker's Space never presses one again. `step=N`
// follows the slide; `slow=1` narrates the eight stages; `notes=1` is the presenter view (current
// slide, next slide, notes, timer), kept in step with the audience window by a BroadcastChannel.
// It changes the page only through the small api main.js hands it.

import { STAGES } from './ui.js';
import { SLIDES } from './lecture-slides.js';
import * as diagram from './lecture-diagram.js';

export { SLIDES, paperSettings, presetSettings } from './lecture-slides.js';

const $ = (id) => document.getElementById(id);
const CHANNEL = 'memberlens-lecture';

let api = null;
let on = false;
let current = 0; // the slide on screen (1-based; 0 = none yet)
let opened = 0; // the slide last opened (its run asked for)
let builds = 0; // build steps of the title slide's picture shown
let ticket = 0; // the latest slide opened: older slides' results write nothing
let channel = null;
let lastNotes = '';

export function init(a) {
  api = a;
  const sel = $('lec-jump');
  SLIDES.forEach((s, i) => sel.append(new Option(`${i + 1}. ${s.short}`, String(i + 1))));
  sel.addEventListener('change', () => { sel.blur(); open(Number(sel.value)); });
  const click = (id, f) => $(id).addEventListener('click', (e) => { e.currentTarget.blur(); f(); });
  click('lec-prev', () => move(-1));
  click('lec-next', () => move(1));
  click('lec-exit', exit);
  click('lec-notes', openNotes);
  $('lec-slow').addEventListener('change', () => { $('lec-slow').blur(); api.set({ slow: $('lec-slow').checked }); });
  document.addEventListener('keydown', onKey, true);
  if (typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (ev) => {
      const m = ev.data || {};
      if (!on) return;
      if (m.type === 'hello') announce();
      else if (m.type === 'move') move(m.dir);
      else if (m.type === 'go') open(m.step);
    };
  }
}

/** Reads `present`, `step` and `slow` from the state (on load and on every address change). */
export function configure(state) {
  on = !!state.present;
  document.documentElement.classList.toggle('present', on);
  $('lecture').hidden = !on;
  $('lec-slow').checked = !!state.slow;
  if (!on) { current = 0; opened = 0; figure(undefined); return; }
  if (!current) render(state.step || 1, true);
}

export function active() {
  return on;
}

/** The worker is ready: open the slide the link asks for. */
export function onReady() {
  if (on) openFromState();
}

export function openFromState() {
  const s = api.state();
  if (on && (s.step || 1) !== opened) open(s.step || 1);
}

function exit() {
  api.prefetch([]); // the slides' runs ahead are not needed any more
  api.set({ present: false, step: 0 });
  configure(api.state());
  api.redraw(); // the figure goes back to its normal size and type
}

function openNotes() {
  const url = `${location.pathname}${location.search}${location.hash || '#'}${location.hash ? '&' : ''}notes=1`;
  window.open(url, 'memberlens-notes', 'popup,width=900,height=700');
}

/** → / ←: the next build step of the picture, else the next slide. */
function move(dir) {
  const s = SLIDES[current - 1];
  if (s?.builds && ((dir > 0 && builds < s.builds) || (dir < 0 && builds > 1))) {
    builds += dir;
    diagram.show($('lec-diagram'), builds);
    announce();
    return;
  }
  open(Math.max(1, Math.min(SLIDES.length, (current || 0) + dir)));
}

/** The slide's static parts (title, question, picture) at once: never a blank while it computes. */
function render(n, waiting) {
  const s = SLIDES[n - 1];
  current = n;
  $('lec-title').textContent = s.title;
  $('lec-question').textContent = s.question;
  const holder = $('lec-diagram');
  const pic = s.builds || s.diagram || (waiting && s.mode ? diagram.BUILDS : 0);
  holder.hidden = !pic;
  if (pic) {
    if (!holder.firstChild) diagram.build(holder);
    builds = s.builds ? 1 : pic;
    diagram.show(holder, builds);
  }
  $('lec-slide').dataset.step = String(n);
  if (s.mode) $('lec-slide').dataset.run = s.mode; else delete $('lec-slide').dataset.run;
  $('lec-slide').dataset.state = s.mode || s.needs ? 'computing' : 'done';
  $('lec-takeaway').textContent = s.mode || s.needs ? 'Computing\u2026' : '';
  $('lec-points').replaceChildren();
  $('lec-jump').value = String(n);
  $('lec-prev').disabled = n <= 1;
  $('lec-next').disabled = n >= SLIDES.length;
  figure(s.mode && !waiting ? s.figure : null, s.wide);
}

/** Opens slide n: shows it, sets its controls, shows its run (kept, waited for or new), writes its sentences. */
export async function open(n) {
  if (!on || !(n >= 1 && n <= SLIDES.length)) return;
  const s = SLIDES[n - 1];
  const mine = ++ticket;
  opened = n;
  render(n, !!s.mode);
  const state = api.state();
  api.set(s.settings ? { ...s.settings(state), step: n } : { step: n });
  announce();
  let v = null;
  if (s.mode) {
    if (api.ready()) prefetchFrom(n);
    v = await api.run(s.mode);
    if (mine !== ticket) return; // another slide was opened meanwhile
    $('lec-diagram').hidden = !s.diagram;
    write(n, v); // first: the figure's room is what the words leave
    figure(s.figure, s.wide);
    api.redraw(); // at the size the slide's layout gives the figure (it was drawn before)
  } else write(n, v);
  prefetchFrom(n);
  // Runs the slide's words need besides its own (an aside, the summary's numbers): when each is
  // kept, the words are written again.
  const extra = [...(s.extras ? s.extras(api.state()) : []), ...(s.needs ? s.needs(api.state()) : [])];
  for (const x of extra) {
    if (api.cached(x.mode, x.values)) continue;
    await api.compute(x.mode, x.values);
    if (mine !== ticket) return;
    write(n, v);
  }
}

function write(n, v) {
  const s = SLIDES[n - 1];
  const ctx = {
    state: api.state(), summary: api.summary(),
    extra: (mode, values) => api.cached(mode, values),
    needs: s.needs ? s.needs(api.state()) : [],
  };
  const t = s.text(v, ctx);
  $('lec-takeaway').textContent = t.takeaway;
  $('lec-points').replaceChildren(...t.points.map((p) => {
    const li = document.createElement('li');
    li.textContent = p;
    return li;
  }));
  const pending = t.points.some((p) => p.endsWith('\u2026'));
  $('lec-slide').dataset.state = pending ? 'computing' : 'done';
  lastNotes = s.notes ? s.notes(v) : '';
  announce();
}

/** The runs of the slides after n (and their extras), in order, computed in the background. */
function prefetchFrom(n) {
  const state = api.state();
  const list = [];
  const s = SLIDES[n - 1];
  if (s.extras) list.push(...s.extras(state));
  for (const t of SLIDES.slice(n)) {
    if (t.mode) list.push({ mode: t.mode, values: t.settings(state) });
    if (t.extras) list.push(...t.extras(state));
  }
  api.prefetch(list);
}

/** Which figure shows: the chart, the Individuals strip, or none (a slide of words). */
function figure(f, wide = false) {
  const root = document.documentElement;
  const fig = on && (f === 'chart' || f === 'individuals');
  root.classList.toggle('lec-individuals', f === 'individuals');
  root.classList.toggle('lec-nofig', on && !fig);
  root.classList.toggle('lec-fig', fig);
  root.classList.toggle('lec-wide', fig && wide);
}

/** Tells the presenter view where the lecture is. */
function announce() {
  if (!channel || !current) return;
  const s = SLIDES[current - 1];
  const next = SLIDES[current];
  channel.postMessage({
    type: 'slide', step: current, count: SLIDES.length, title: s.title, build: s.builds ? `${builds} of ${s.builds}` : '',
    next: next ? next.title : '(the end)', takeaway: $('lec-takeaway').textContent, notes: lastNotes,
  });
}

/** Slow motion: while a run goes on, the takeaway line narrates the stage it is in. */
export function onProgress(p) {
  if (!on || !api.state().slow) return;
  const s = STAGES[p.stage_index];
  if (s) $('lec-takeaway').textContent = `Stage ${p.stage_index + 1} of ${p.stage_count} \u2014 ${s[1]}: ${s[2]}`;
}

const KEYS = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1 };

function onKey(e) {
  if (!on || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === 'Escape') {
    e.preventDefault();
    e.stopPropagation();
    exit();
    return;
  }
  const dir = KEYS[e.key];
  if (!dir && e.key !== 'Home' && e.key !== 'End') return;
  // Whatever has focus (a button a mouse pressed, the slide menu): the slide moves, nothing else.
  e.preventDefault();
  e.stopPropagation();
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  if (e.key === 'Home') open(1);
  else if (e.key === 'End') open(SLIDES.length);
  else move(dir);
}

// ---- the presenter view (notes=1) -------------------------------------------------------------

/** Turns this window into the presenter view of the lecture shown in another window. */
export function presenter() {
  document.documentElement.classList.add('presenter');
  const box = $('presenter');
  box.hidden = false;
  const t0 = performance.now();
  const tick = () => {
    const s = Math.floor((performance.now() - t0) / 1000);
    $('pv-timer').textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  tick();
  setInterval(tick, 1000);
  if (typeof BroadcastChannel !== 'function') {
    $('pv-title').textContent = 'This browser cannot link two windows (no BroadcastChannel).';
    return;
  }
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (ev) => {
    const m = ev.data || {};
    if (m.type !== 'slide') return;
    $('pv-step').textContent = `Slide ${m.step} of ${m.count}${m.build ? `, picture ${m.build}` : ''}`;
    $('pv-title').textContent = m.title;
    $('pv-takeaway').textContent = m.takeaway;
    $('pv-notes').textContent = m.notes;
    $('pv-next').textContent = `Next: ${m.next}`;
    box.dataset.step = String(m.step);
  };
  document.addEventListener('keydown', (e) => {
    const dir = KEYS[e.key];
    if (!dir) return;
    e.preventDefault();
    ch.postMessage({ type: 'move', dir });
  }, true);
  const click = (id, dir) => $(id).addEventListener('click', (e) => { e.currentTarget.blur(); ch.postMessage({ type: 'move', dir }); });
  click('pv-prev', -1);
  click('pv-next-btn', 1);
  ch.postMessage({ type: 'hello' });
}
