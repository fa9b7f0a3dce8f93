// browser.mjs — owns what every e2e test needs around a page: one static server and one Chromium
// per process, shared by every test file the process runs (tests/e2e/run-all.mjs runs them all in
// one), opening the site in a fresh browser context per test with watchers for console errors,
// page errors, content-security-policy
// violations, requests to other origins and main-thread long tasks, and small readers (#results
// JSON, painted pixels of a chart, PNG sizes, colour contrast).

import { chromium } from 'playwright-core';
import { serve, CHROMIUM } from './server.mjs';

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

// Injected before any page script: records long tasks and when the page entered each state, so a
// test can ask "was there a long task while a run was in progress?".
function initScript() {
  window.__longtasks = [];
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
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no longtask support: the check then sees none */ }
  const watch = () => {
    const note = () => window.__states.push({ state: document.body.dataset.state, t: performance.now() });
    note();
    new MutationObserver(note).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  };
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

/**
 * Opens the site at `hash` in a fresh context. `problems` collects console errors, page errors,
 * CSP violations and any request that leaves the test server's origin (data: and blob: URLs are local).
 */
export async function openPage(env, hash = '', { viewport = { width: 1400, height: 1000 }, init = null } = {}) {
  const context = await env.browser.newContext({ viewport, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.server.url });
  const problems = [];
  await context.exposeBinding('__memberlensCsp', (_source, text) => { problems.push(`CSP violation: ${text}`); });
  await context.addInitScript(initScript);
  if (init) await context.addInitScript(init); // a test's own hook, before the page's scripts
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
  await page.goto(env.server.url + hash);
  return { page, context, problems };
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

/** Long tasks (> limitMs) that started while the page was `running`. */
export async function longTasksWhileRunning(page, limitMs = 200) {
  return page.evaluate((limit) => {
    const spans = [];
    let start = null;
    for (const s of window.__states) {
      if (s.state === 'running' && start === null) start = s.t;
      else if (s.state !== 'running' && start !== null) { spans.push([start, s.t]); start = null; }
    }
    if (start !== null) spans.push([start, Infinity]);
    return window.__longtasks.filter((t) => t.duration > limit && spans.some(([a, b]) => t.start >= a && t.start <= b));
  }, limitMs);
}

/** Clicks a download button; resolves to {name, bytes}. */
export async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}
