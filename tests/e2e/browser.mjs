// browser.mjs — owns what every e2e test needs around a page: one static server and one Chromium
// per process, shared by every test file the process runs (tests/e2e/run-all.mjs runs them all in
// one), opening the site in a fresh browser context per test with watchers for console errors,
// page errors, content-security-policy
// violations, requests to other origins and main-thread long tasks (by the CPU time the renderer's
// main thread spent in a task, from a Chromium trace: the same on a busy machine as on an idle one),
// and small readers (#results JSON, painted pixels of a chart, PNG sizes, colour contrast).

import { chromium } from 'playwright-core';
import { serve, CHROMIUM, dataSet } from './server.mjs';

let shared = null; // the process's {server, browser}, while some file uses them
let users = 0;

/**
 * The static server and Chromium, started by the first caller in this process and shared with
 * the next ones (each test opens its own context, so tests stay apart); call `close()` in an
 * `after` hook: the last user's close stops them.
 */
export async function setup() {
  users++;
  if (!shared) {
    shared = (async () => {
      const server = await serve();
      const browser = await chromium.launch(CHROMIUM);
      return { server, browser };
    })();
  }
  const { server, browser } = await shared;
  let closed = false;
  return {
    server,
    browser,
    close: async () => {
      if (closed) return;
      closed = true;
      if (--users > 0) return;
      shared = null;
      await browser.close();
      await server.close();
    },
  };
}

// Injected before any page script: records when the page entered each state (also as a mark in a
// Chromium trace, console.timeStamp), so a test can ask "was there a long task while a run was in
// progress?".
function initScript() {
  window.__states = [];
  // Every text a canvas draws (charts, strips, labels), so a test can ask what was drawn.
  window.__canvasTexts = [];
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function fillText(text, ...rest) {
    if (window.__canvasTexts.length < 100_000) window.__canvasTexts.push(String(text));
    return fill.call(this, text, ...rest);
  };
  // Every CSP violation (an inline style, a script or a request the policy forbids) is reported to
  // the test through the __memberlensCsp binding (openPage).
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__memberlensCsp(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
  const watch = () => {
    const note = () => {
      window.__states.push({ state: document.body.dataset.state, t: performance.now() });
      console.timeStamp(`memberlens-state:${window.__traceTag}:${document.body.dataset.state}`);
    };
    note();
    new MutationObserver(note).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  };
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

// The trace categories of the long-task check: disabled-by-default-devtools.timeline has every
// task a thread runs as DevTools shows it (RunTask, with its wall `dur` and thread CPU `tdur`),
// devtools.timeline the page's console.timeStamp marks of its states. (`toplevel`, which has the
// same tasks as ThreadControllerImpl::RunTask, made a trace 2.6 times as large for a default
// single run, 12.3 against 4.7 MB, that took 0.86 against 0.45 s to stop and fetch.)
const TRACE_CATEGORIES = ['disabled-by-default-devtools.timeline', 'devtools.timeline'];
const tracing = new WeakMap(); // browser -> {page, tag}: the page whose tasks it is tracing
let pagesOpened = 0;

/**
 * Opens the site at `hash` in a fresh context. `problems` collects console errors, page errors,
 * CSP violations and any request that leaves the test server's origin (data: and blob: URLs are local).
 * `init`: a function (or script text), or a list of them, run in the page before its scripts.
 * `traceTasks`: record the page's main-thread tasks for `longTasksWhileRunning` (one page per
 * browser at a time: a trace a failed test left running is dropped).
 * `serviceWorker`: let the site register its service worker (www/sw.js: on install it fetches and
 * stores every file of the site, both wasm modules included). Blocked unless asked: it cost
 * 0.4-0.5 of a page load's 1.9-2.4 CPU s (all processes, measured); offline.test.mjs checks it
 * on its own, the first-load and default-run tests keep it.
 * `data`: the data set the page runs on (server.mjs DATA): 'small' (every user, a third of the
 * films: a third of the CPU per run) unless the test asserts something of the real data set
 * ('full': its counts, the presets' numbers, the bundle the page ships).
 * Resolves to {page, context, problems, url, ratings, counts}: `url` is the site's address on that
 * data set (for a later page.goto(url + hash)), `ratings` the file the CLI must read to compute what
 * the page computed, `counts` its users, items and interactions.
 */
export async function openPage(env, hash = '', { viewport = { width: 1400, height: 1000 }, init = null, traceTasks = false, data = 'small', serviceWorker = false } = {}) {
  const { prefix, ratings, counts } = dataSet(data);
  const url = env.server.url + prefix;
  const context = await env.browser.newContext({ viewport, acceptDownloads: true, serviceWorkers: serviceWorker ? 'allow' : 'block' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.server.url });
  const problems = [];
  await context.exposeBinding('__memberlensCsp', (_source, text) => { problems.push(`CSP violation: ${text}`); });
  // A tag of this page's context, in its trace marks: another page's marks are not this one's.
  const traceTag = `p${++pagesOpened}`;
  await context.addInitScript((tag) => { window.__traceTag = tag; }, traceTag);
  await context.addInitScript(initScript);
  for (const i of [].concat(init ?? [])) await context.addInitScript(i); // a test's own hooks, before the page's scripts
  const origin = new URL(env.server.url).origin;
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) {
      problems.push(`request to another origin: ${u}`);
    }
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (traceTasks) {
    // Traced from the browser's own session (with a page, the trace would end with that page's
    // context); the page's tasks are told apart by its renderer process (longTasksWhileRunning).
    if (tracing.has(env.browser)) await env.browser.stopTracing();
    await env.browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    tracing.set(env.browser, { page, tag: traceTag });
  }
  await page.goto(url + hash);
  return { page, context, problems, url, ratings, counts };
}

export async function waitState(page, states, timeout = 60_000) {
  const sel = [].concat(states).map((s) => `body[data-state="${s}"]`).join(', ');
  await page.waitForSelector(sel, { timeout, state: 'attached' });
  return page.evaluate(() => document.body.dataset.state);
}

export async function results(page) {
  const text = await page.locator('#results').textContent();
  return text ? JSON.parse(text) : null;
}

/**
 * Painted pixels of a chart canvas (the `index`-th under #chart): `ink` = any non-transparent,
 * non-white pixel; `curve` = pixels close to `colour` (the current run's blue #0057a3 by default),
 * so an empty plot with axes only does not pass.
 */
export async function chartInk(page, colour = '#0057a3', index = 0) {
  return page.evaluate(([hex, idx]) => {
    const c = document.querySelectorAll('#chart canvas')[idx];
    if (!c) return { ink: 0, curve: 0 };
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    let curve = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
      if (a > 40 && (r < 235 || g < 235 || b < 235)) ink++;
      if (a > 200 && Math.abs(r - want[0]) < 40 && Math.abs(g - want[1]) < 40 && Math.abs(b - want[2]) < 40) curve++;
    }
    return { ink, curve, width: c.width, height: c.height };
  }, [colour, index]);
}

/**
 * Where the page shows a TPR at 0.1% FPR as a number: in any text on the page (tables, headline,
 * legends, notes), in a chart's text equivalent (aria-label) or in any text drawn on a canvas.
 * Returns the offending strings (none when the run cannot measure it and the page says so).
 */
export async function unmeasuredShown(page) {
  return page.evaluate(() => {
    const re = /0\.1\s?% FPR\D{0,12}\d|\d(\.\d+)?\s?% at 0\.1\s?% FPR/;
    const texts = [document.body.innerText, ...[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label')),
      ...window.__canvasTexts];
    return texts.flatMap((t) => t.split('\n')).filter((t) => re.test(t) && !/not measurable/.test(t));
  });
}

/** Texts drawn on canvases since the page opened that mention the 0.1% FPR point at all. */
export async function canvasTextsAbout(page, needle) {
  return page.evaluate((n) => window.__canvasTexts.filter((t) => t.includes(n)), needle);
}

/**
 * An `init` hook (openPage) that makes the page's frontier jobs use `epochs` (a list) for their
 * natural curve (js/modes/frontier.js, under automation only): the default 10, 20, 40 and 80
 * epochs under both inits were most of a small frontier's time in the tests that do not look at
 * them (the test build's CLI, the tests' small model, every defence at 5 strengths: 5.8 CPU s with
 * natural epochs 1,2 against 10.0). The CLI gives the same with `--natural-epochs`.
 */
export function naturalEpochs(epochs) {
  return `window.__memberlensTestNaturalEpochs = ${JSON.stringify(epochs)};`;
}

/** Width and height of a PNG from its IHDR chunk. */
export function pngSize(bytes) {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** WCAG contrast ratio of two colours given as [r, g, b] (0-255). */
export function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * Clicks `locator` and waits until the page ENTERS one of `states` after the click (window.__states),
 * so a page already `error` or `done` from before does not count: the first job loads the drawing
 * code before it starts (js/main.js), so the click changes the state a moment later, not at once.
 */
export async function clickAndWaitState(page, locator, states, timeout = 60_000) {
  const before = await page.evaluate(() => window.__states.length);
  await locator.click();
  await page.waitForFunction(([n, want]) => window.__states.slice(n).some((s) => want.includes(s.state)),
    [before, [].concat(states)], { timeout });
  return page.evaluate(() => document.body.dataset.state);
}

/** Fails the test's assertion message with the page's error banner when a run did not finish. */
export async function runAndWait(page, button = 'Run attack', timeout = 90_000) {
  const state = await clickAndWaitState(page, page.getByRole('button', { name: button, exact: true }), ['done', 'error'], timeout);
  if (state !== 'done') throw new Error(`run ended in ${state}: ${await page.locator('#error').textContent()}`);
  return results(page);
}

/**
 * Main-thread tasks of `page` (opened with `traceTasks`) that started while it was `running` and
 * kept the thread busy for more than `limitMs` of CPU time: [{startMs, wallMs, cpuMs}]. Stops the
 * trace. CPU time, not wall time, so that a test running beside others (or a pool larger than the
 * page would choose) does not see a task as long because the machine was busy; a task that computes
 * on the main thread is as long at any load. Fails (never passes silently) when the trace holds no
 * state marks of the page or no task of its main thread.
 */
export async function longTasksWhileRunning(page, limitMs = 200) {
  const browser = page.context().browser();
  const traced = tracing.get(browser);
  if (traced?.page !== page) throw new Error('longTasksWhileRunning: open the page with { traceTasks: true }');
  tracing.delete(browser);
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const prefix = `memberlens-state:${traced.tag}:`;
  const marks = events.filter((e) => e.name === 'TimeStamp' && String(e.args?.data?.message).startsWith(prefix));
  if (marks.length === 0) throw new Error('longTasksWhileRunning: the trace holds no state mark of the page');
  const pid = marks[0].pid;
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.pid === pid && e.args.name === 'CrRendererMain').map((e) => e.tid));
  const tasks = events.filter((e) => e.name === 'RunTask' && e.cat === 'disabled-by-default-devtools.timeline' && e.pid === pid && main.has(e.tid));
  if (tasks.length === 0) throw new Error('longTasksWhileRunning: the trace holds no task of the page\'s main thread');
  const spans = [];
  let start = null;
  for (const m of marks.sort((a, b) => a.ts - b.ts)) {
    const running = m.args.data.message === `${prefix}running`;
    if (running && start === null) start = m.ts;
    else if (!running && start !== null) { spans.push([start, m.ts]); start = null; }
  }
  if (start !== null) spans.push([start, Infinity]);
  if (spans.length === 0) throw new Error('longTasksWhileRunning: the page never was running while traced');
  return tasks.filter((t) => t.tdur > limitMs * 1000 && spans.some(([a, b]) => t.ts >= a && t.ts <= b))
    .map((t) => ({ startMs: Math.round((t.ts - spans[0][0]) / 1000), wallMs: Math.round(t.dur / 1000), cpuMs: Math.round(t.tdur / 1000) }));
}

/** Clicks a download button; resolves to {name, bytes}. */
export async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}
