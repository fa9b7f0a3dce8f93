// a11y.test.mjs — accessibility and security: the strict CSP is in force (and a violation would be
// caught), every canvas chart has a text equivalent, focus moves to the results after a run, the
// live region announces the headline number, text and focus ring meet WCAG AA contrast, the chart
// readout works from the keyboard, and "New random seed" comes from the wasm module.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { WWW } from './server.mjs';
import { setup, openPage, waitState, results, runAndWait, contrast } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
const POLICY = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
  + "style-src 'self'; img-src 'self' data: blob:; manifest-src 'self'";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('the strict CSP is set, nothing violates it, and a violation would be reported', async () => {
  const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
  assert.ok(meta, 'index.html has no CSP meta element');
  assert.equal(meta[1], POLICY);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/, 'an inline script in index.html');
  assert.doesNotMatch(html, /\sstyle=/, 'a style attribute in index.html');
  // Every module, those in www/js/charts/ and www/js/individuals/ included.
  const modules = readdirSync(path.join(WWW, 'js'), { recursive: true }).filter((f) => f.endsWith('.js'));
  assert.ok(modules.includes(path.join('charts', 'roc.js')), `the modules were not all listed: ${modules}`);
  for (const f of modules) {
    const js = readFileSync(path.join(WWW, 'js', f), 'utf8');
    assert.doesNotMatch(js, /style=|setAttribute\(\s*['"]style/, `${f} writes a style attribute (blocked by style-src 'self')`);
  }

  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=1&${QUICK}&run=compare`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    await page.getByRole('button', { name: 'Pin both runs' }).click();
    await page.getByLabel('Log–log (low-FPR view)').check();
    await page.locator('#btn-png').click(); // the 2x export imports a second uPlot: still 'self'
    await page.waitForTimeout(500);
    assert.deepEqual(problems, [], 'a normal session violated the CSP (or logged an error)');
    // Negative control: an inline style attribute is blocked and reported to the test.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>'));
    await page.waitForTimeout(300);
    assert.ok(problems.some((p) => /CSP violation: style-src/.test(p)), `the violation was not caught: ${problems}`);
  } finally {
    await context.close();
  }
});

test('charts have text equivalents; focus and the live region follow a run', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=1&${QUICK}`);
  try {
    await waitState(page, 'ready');
    assert.equal(await page.locator('#announce').getAttribute('aria-live'), 'polite');
    const r = await runAndWait(page);
    // Focus moved to the results.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'results-panel');
    // The live region announces the headline number.
    const said = await page.locator('#announce').textContent();
    assert.match(said, new RegExp(`ROC-AUC ${r.roc_auc.toFixed(3)}`));
    assert.match(said, /TPR at 1% FPR \d/);
    // Every canvas sits in a role="img" with a label and a description that exist and hold the numbers.
    const canv = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
      const img = c.closest('[role="img"]');
      if (!img) return null;
      const ids = (img.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      return { label: img.getAttribute('aria-label'), described: ids.map((id) => document.getElementById(id)?.textContent || '') };
    }));
    assert.ok(canv.length >= 1);
    for (const c of canv) {
      assert.ok(c, 'a canvas without a role="img" text equivalent');
      assert.match(c.label, new RegExp(`AUC ${r.roc_auc.toFixed(3)}`));
      assert.ok(c.described.length && c.described.every((t) => t.includes(r.roc_auc.toFixed(3))), 'aria-describedby does not point at the numbers');
    }

    // The readout works from the keyboard: focus the chart, walk along the curve.
    await page.locator('#chart .plot').focus();
    await page.keyboard.press('End');
    const end = await page.locator('#chart-readout').textContent();
    const n = r.counts.target_nonmembers;
    assert.match(end, new RegExp(`FPR 100% \\(${n} of ${n} non-members flagged\\)`));
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    const one = await page.locator('#chart-readout').textContent();
    const m = one.match(/FPR ([\d.]+)% \((\d+) of (\d+) non-members flagged\) · TPR ([\d.]+)% \((\d+) of (\d+) members found\) · flagged when score ≥ ([\d.e-]+)/);
    assert.ok(m, `readout: ${one}`);
    assert.equal(+m[2], Math.round(r.roc.fpr[1] * n));
    assert.equal(+m[5], Math.round(r.roc.tpr[1] * r.counts.target_members));
    assert.equal(+m[7], +r.roc.thresholds[1].toPrecision(3));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('text, focus ring and chart colours meet WCAG AA contrast', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&seed=1&${QUICK}&run=single`);
  try {
    assert.equal(await waitState(page, ['done', 'error'], 60_000), 'done');
    await page.locator('#f-k').fill('20'); // stale: the greyed chart's text must still read
    await waitState(page, 'stale');
    await page.locator('#advanced summary').click();
    // Every visible text node's colour against the first opaque background behind it.
    const samples = await page.evaluate(() => {
      const rgb = (s) => s.match(/[\d.]+/g).map(Number);
      const bg = (e) => {
        for (let x = e; x; x = x.parentElement) {
          const c = getComputedStyle(x).backgroundColor;
          const v = rgb(c);
          if (v.length < 4 || v[3] > 0.9) return v.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const e = t.parentElement;
        if (!t.textContent.trim() || !e.getClientRects().length || e.closest('[hidden], .visually-hidden, button:disabled, input:disabled, label:has(input:disabled)')) continue;
        const s = getComputedStyle(e);
        if (s.visibility === 'hidden' || +s.opacity < 1) continue;
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && +s.fontWeight >= 700);
        out.push({ text: t.textContent.trim().slice(0, 40), fg: rgb(s.color).slice(0, 3), bg: bg(e), large });
      }
      return out;
    });
    assert.ok(samples.length > 100, `only ${samples.length} text samples`);
    const bad = samples.filter((x) => contrast(x.fg, x.bg) < (x.large ? 3 : 4.5))
      .map((x) => `${x.text} ${contrast(x.fg, x.bg).toFixed(2)}`);
    assert.deepEqual(bad, [], 'text below WCAG AA contrast');

    // The focus ring: 3:1 against the panel and the page.
    await page.locator('#btn-run').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { id: document.activeElement.id, color: s.outlineColor, width: parseFloat(s.outlineWidth), style: s.outlineStyle };
    });
    assert.equal(ring.id, 'btn-run');
    assert.equal(ring.style, 'solid');
    assert.ok(ring.width >= 2, `focus ring ${ring.width}px`);
    const rc = ring.color.match(/\d+/g).map(Number).slice(0, 3);
    for (const [name, bgc] of [['page', [255, 255, 255]], ['panel', [0xf6, 0xf7, 0xf9]]]) {
      assert.ok(contrast(rc, bgc) >= 3, `focus ring ${ring.color} on the ${name}: ${contrast(rc, bgc).toFixed(2)}:1`);
    }
    // Chart colours: curves and their labels on white.
    const colours = await page.evaluate(async () => (await import('./js/charts.js')).COLOURS);
    for (const [name, hex] of Object.entries(colours)) {
      const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      assert.ok(contrast(c, [255, 255, 255]) >= 4.5, `chart colour ${name} ${hex}: ${contrast(c, [255, 255, 255]).toFixed(2)}:1`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('"New random seed" takes a fresh seed from the wasm module and the run uses it', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&${QUICK}`);
  try {
    await waitState(page, 'ready');
    const btn = page.getByRole('button', { name: 'New random seed' });
    await btn.click();
    await page.waitForFunction(() => document.getElementById('f-seed').value !== '0');
    const a = Number(await page.locator('#f-seed').inputValue());
    await btn.click();
    await page.waitForFunction((prev) => document.getElementById('f-seed').value !== String(prev), a);
    const b = Number(await page.locator('#f-seed').inputValue());
    for (const s of [a, b]) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32, `seed ${s}`);
    assert.notEqual(a, b);
    assert.match(await page.evaluate(() => location.hash), new RegExp(`seed=${b}(&|$)`));
    const r = await runAndWait(page);
    assert.equal(r.config.seed, b);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
