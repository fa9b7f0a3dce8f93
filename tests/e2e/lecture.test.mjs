// lecture.test.mjs — lecture mode (present=1), driven as a lecturer would: from the page's
// "Present" button to the summary by keyboard only, at 1024×768 and 1920×1080; every slide's
// sentences against the numbers of its run (#results); every text on a slide — canvas and SVG text
// included — at least 24 px; the slide (figure and legend) within the screen; the frontier's tick
// labels distinct; a slide reached after the one before it had time to compute its successors on
// screen within 1 s; the URL's step= following the slide. Then the clicker case (a mouse click on
// "Next", then →, PageDown, Space), Escape, step=N opened directly, the presenter view (notes=1) in
// a second window kept in step, hide=, and a phone-width screen (slow=1: lecture-slow.test.mjs).
// The 1920×1080 lecture runs on the real data set (the first slide states its size), the rest on the
// small one (browser.mjs openPage).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitState, results, unmeasuredShown, naturalEpochs } from './browser.mjs';

const QUICK = 'k=16&epochs=8&vector_epochs=3&attack_epochs=8&attack_restarts=1';
// The frontier slides: two cheap serving defences at two strengths (the lecture runs one seed).
const FRONTIER = 'defences=popularity-randomisation,list-perturbation&strengths=0,1';
// Its natural curve at 1 and 2 epochs (browser.mjs naturalEpochs; no slide reads its epochs), on
// every lecture page here: the slides compute the frontier ahead, in the background, from slide 2 on.
const NATURAL = naturalEpochs([1, 2]);

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// Records every canvas font set while in lecture mode (charts, the strip, the frontier).
function recordFonts() {
  window.__fonts = [];
  const d = Object.getOwnPropertyDescriptor(CanvasRenderingContext2D.prototype, 'font');
  Object.defineProperty(CanvasRenderingContext2D.prototype, 'font', {
    ...d,
    set(v) {
      // Text drawn on a canvas on screen (a hidden one, drawn before its slide's layout, is not seen).
      if (document.documentElement.classList.contains('present') && this.canvas.isConnected && this.canvas.getClientRects().length) {
        const m = /(\d+(?:\.\d+)?)px/.exec(String(v));
        // uPlot sets its fonts in device pixels; the others draw in CSS pixels under a transform.
        const k = this.getTransform().a || 1;
        if (m) window.__fonts.push({ px: Number(m[1]) * k / (window.devicePixelRatio || 1), font: String(v) });
      }
      d.set.call(this, v);
    },
  });
}

const slide = (page) => page.evaluate(() => {
  const s = document.getElementById('lec-slide');
  return {
    step: Number(s.dataset.step), state: s.dataset.state, title: document.getElementById('lec-title').textContent,
    takeaway: document.getElementById('lec-takeaway').textContent,
    points: [...document.querySelectorAll('#lec-points li')].map((li) => li.textContent),
  };
});

async function waitSlide(page, n, timeout = 180_000) {
  await page.waitForFunction((k) => {
    const s = document.getElementById('lec-slide');
    return Number(s.dataset.step) === k && s.dataset.state === 'done';
  }, n, { timeout });
  return slide(page);
}

/** Every rendered text under 24 px: HTML text by its computed size, SVG text by its drawn size. */
async function smallTexts(page) {
  return page.evaluate(() => {
    const bad = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const e = n.parentElement;
      if (!n.textContent.trim() || !e || e.closest('script, title, option, .visually-hidden')) continue;
      const r = e.getBoundingClientRect();
      if (!e.getClientRects().length || r.width === 0 || r.height === 0) continue;
      const cs = getComputedStyle(e);
      if (cs.visibility === 'hidden') continue;
      let px = parseFloat(cs.fontSize);
      const svg = e.closest('svg');
      if (svg && svg.viewBox.baseVal.width) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      if (px < 23.5) bad.push(`${e.tagName.toLowerCase()}#${e.id} "${n.textContent.trim().slice(0, 40)}" ${px.toFixed(1)}px`);
    }
    return bad;
  });
}

/** The page fits the screen: no scrolling either way. */
async function fits(page) {
  return page.evaluate(() => ({
    h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, ih: innerHeight, iw: innerWidth,
  }));
}

async function checkSlide(page, n, viewport) {
  const s = await slide(page);
  assert.equal(s.step, n);
  assert.match(await page.evaluate(() => location.hash), new RegExp(`step=${n}(&|$)`), `step=${n} is not in the address`);
  const small = await smallTexts(page);
  assert.deepEqual(small, [], `slide ${n} at ${viewport}: text under 24 px`);
  const fonts = await page.evaluate(() => window.__fonts.splice(0).filter((f) => f.px < 23.5).map((f) => f.font));
  assert.deepEqual([...new Set(fonts)], [], `slide ${n} at ${viewport}: canvas fonts under 24 px`);
  // No TPR the run cannot measure (0.1% FPR with about 150 non-members) is written or drawn.
  assert.deepEqual(await unmeasuredShown(page), [], `slide ${n}: an unmeasurable TPR is shown`);
  const f = await fits(page);
  assert.ok(f.h <= f.ih + 1 && f.w <= f.iw + 1, `slide ${n} at ${viewport}: the page is ${f.w}×${f.h} in a ${f.iw}×${f.ih} window`);
  return s;
}

const sig = (v) => String(+v.toPrecision(3)).replace('-', '\u2212');

for (const [width, height, data] of [[1024, 768, 'small'], [1920, 1080, 'full']]) {
  const viewport = `${width}×${height}`;
  test(`${viewport}: "Present" to the summary by keyboard only; every sentence from its run, ≥ 24 px, on screen`, async () => {
    const { page, context, problems, counts } = await openPage(env, `#v=2&${QUICK}&${FRONTIER}`, { viewport: { width, height }, init: [recordFonts, NATURAL], data });
    try {
      await waitState(page, 'ready');
      // Keyboard only: Tab to the "Present" button (after the skip link), Enter.
      for (let i = 0; i < 5 && await page.evaluate(() => document.activeElement?.id) !== 'btn-present'; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-present');
      await page.keyboard.press('Enter');

      // 1. The question, and the pipeline picture that builds up with →.
      let s = await waitSlide(page, 1);
      assert.match(s.title, /give away who trained it/);
      const n = (x) => x.toLocaleString('en-US');
      assert.ok(s.takeaway.includes(`${n(counts.users)} users, ${n(counts.items)} films, ${n(counts.interactions)} ratings`), s.takeaway);
      if (data === 'full') assert.match(s.takeaway, /610 users, 9,724 films, 100,836 ratings/);
      for (let b = 1; b <= 4; b++) {
        assert.equal(await page.locator('#lec-diagram').getAttribute('data-builds'), String(b));
        assert.equal(await page.locator('#lec-svg [data-build]:not(.lec-hidden)').count(), b);
        await checkSlide(page, 1, viewport);
        await page.keyboard.press('ArrowRight');
      }
      // 2. What membership inference is.
      s = await waitSlide(page, 2);
      assert.match(s.takeaway, /Members trained the model/);
      await checkSlide(page, 2, viewport);

      // 3. The attack on the useful recommender: the defaults, the link's own quick keys kept.
      await page.keyboard.press('ArrowRight');
      s = await waitSlide(page, 3);
      const r = await results(page);
      assert.equal(r.config.negative_sampling, 'uniform', 'slide 3 is not on the default preset');
      assert.equal(r.config.protocol, 'popular');
      assert.equal(r.config.epochs, 8, 'slide 3 dropped the link\'s own epochs');
      assert.ok(s.takeaway.startsWith(r.takeaways[0]), s.takeaway);
      assert.ok(s.points[0].includes(`${r.recommender.target.recall_vs_popularity.toFixed(2)}\u00d7 the popularity list`), s.points[0]);
      assert.match(s.points[1], /^Aside — the paper's preset: recall \d\.\d\d× the popularity list's, strongest attack \d\.\d{3}\.$/);
      assert.ok(await page.locator('#chart .plot').isVisible());
      await checkSlide(page, 3, viewport);

      // 4. Who is flagged: the drawn line named with the same number, the counts at that line.
      await page.keyboard.press('ArrowRight');
      s = await waitSlide(page, 4);
      const idx = r.roc.thresholds.slice(1).filter((t) => t >= 0).length;
      const tp = Math.round(r.roc.tpr[idx] * r.counts.target_members);
      const fp = Math.round(r.roc.fpr[idx] * r.counts.target_nonmembers);
      assert.ok(s.takeaway.includes(`(flagged: score \u2265 ${sig(r.roc.thresholds[idx])}): it flags ${tp} of ${r.counts.target_members} members and ${fp} of ${r.counts.target_nonmembers} non-members`), s.takeaway);
      // The strip is drawn on the next frame after the slide's text (its code may still be loading):
      // wait for its label, up to 10 s.
      const drawn = await page.waitForFunction((t) => window.__canvasTexts.includes(`flagged: score \u2265 ${t} \u2192`), sig(r.roc.thresholds[idx]), { timeout: 10_000 })
        .then(() => true, () => false);
      assert.ok(drawn, 'the strip draws another line than the text names');
      assert.match(s.points[0], /^Rightly flagged: member \d+, score/);
      assert.match(s.points[1], fp ? /^Wrongly flagged: non-member \d+, score/ : /^No non-member is flagged/);
      assert.ok(await page.locator('#ind-strip').isVisible());
      await checkSlide(page, 4, viewport);

      // From here on: once the background runs are done, the next slide shows within 1 s.
      const timed = async (n) => {
        await page.waitForSelector('html[data-prefetch="idle"]', { timeout: 240_000, state: 'attached' });
        const t0 = Date.now();
        await page.keyboard.press('ArrowRight');
        const got = await waitSlide(page, n);
        const ms = Date.now() - t0;
        assert.ok(ms <= 1000, `slide ${n} took ${ms} ms to show after the background runs were done`);
        return got;
      };
      // 5. Fold-in: Rust's comparison takeaway, the attacks that still work.
      s = await timed(5);
      const cmp = await results(page);
      assert.deepEqual(cmp.runs.map((x) => x.config.protocol), ['popular', 'fold-in']);
      assert.equal(s.takeaway, cmp.takeaways.join(' '));
      assert.ok(s.points[0].includes(cmp.runs[1].strongest.roc_auc.toFixed(3)), s.points[0]);
      await checkSlide(page, 5, viewport);

      // 6. Transfer: the matrix's own takeaway.
      s = await timed(6);
      const m = await results(page);
      assert.deepEqual(m.recommenders, ['lfm', 'item-knn', 'popularity']);
      assert.equal(s.takeaway, m.takeaways.join(' '));
      await checkSlide(page, 6, viewport);

      // 7. Defences against the attacker who knows them: both panels, ticks distinct.
      s = await timed(7);
      const f = await results(page);
      assert.deepEqual(f.panels.map((p) => p.protocol), ['popular', 'fold-in']);
      assert.ok(s.takeaway.includes(f.panels[0].notes[f.panels[0].notes.length - 1]), s.takeaway);
      assert.equal(await page.locator('.frontier-panel:visible').count(), 2, 'both panels side by side');
      for (const ticks of await page.locator('.frontier-plot canvas').evaluateAll((cs) => cs.flatMap((c) => [c.dataset.xticks, c.dataset.yticks]))) {
        const t = ticks.split('|');
        assert.ok(t.length >= 2 && new Set(t).size === t.length, `tick labels repeat: ${ticks}`);
      }
      await checkSlide(page, 7, viewport);

      // 8. What a service can do: read off the same frontier.
      s = await timed(8);
      for (const p of f.panels) assert.ok(s.points.some((x) => x.includes(`undefended ${p.undefended.strongest_roc_auc_mean.toFixed(3)}`)), s.points.join(' | '));
      await checkSlide(page, 8, viewport);

      // 9. The summary: three numbers from the runs before, and further reading.
      s = await timed(9);
      assert.equal(s.points.length, 3, s.points.join(' | '));
      assert.ok(s.points[0].startsWith(r.strongest.roc_auc.toFixed(3)), s.points[0]);
      assert.ok(s.points[1].startsWith(cmp.runs[1].strongest.roc_auc.toFixed(3)), s.points[1]);
      for (const ref of ['Shokri', 'Zhang', 'Carlini', 'arXiv 2512.09442', 'Abadi']) assert.ok(s.takeaway.includes(ref), `${ref} missing`);
      await checkSlide(page, 9, viewport);
      // → at the end stays there; Home goes to the start, End back to the summary.
      await page.keyboard.press('ArrowRight');
      assert.equal((await slide(page)).step, 9);
      await page.keyboard.press('Home');
      await waitSlide(page, 1);
      await page.keyboard.press('End');
      await waitSlide(page, 9);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('clicker: after a click on Next, →, PageDown and Space move one slide each; ← and PageUp back; Escape leaves', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&present=1&step=2&${QUICK}`, { viewport: { width: 1024, height: 768 }, init: NATURAL });
  try {
    await waitSlide(page, 2);
    // A slide still computing shows its question and the picture, never a blank.
    await page.getByRole('button', { name: 'Next →' }).click();
    let s = await slide(page);
    assert.equal(s.step, 3);
    // Its title and question, read at one moment with its state: once the slide is done, the
    // question gives way to the answer (css: .lec-question hidden on a done slide in present mode).
    // On the e2e tests' small data set slide 3 can finish between two separate reads.
    const shown = await page.evaluate(() => {
      const q = document.getElementById('lec-question');
      return { state: document.getElementById('lec-slide').dataset.state, title: document.getElementById('lec-title').textContent,
        question: q.getBoundingClientRect().width > 0 && getComputedStyle(q).visibility !== 'hidden' };
    });
    assert.ok(shown.title && (shown.state === 'done' || shown.question), `the computing slide is blank: ${JSON.stringify(shown)}`);
    // The picture, or the slide's figure once its own run is done and only its aside still
    // computes (js/lecture.js: the picture gives way to the chart then; the slide stays
    // `computing` until the aside's sentence is written), read at one moment with the state.
    const now = await page.evaluate(() => {
      const d = document.getElementById('lec-diagram');
      const picture = !!d && d.getBoundingClientRect().width > 0 && getComputedStyle(d).visibility !== 'hidden';
      const fig = document.documentElement.classList.contains('lec-fig') && document.querySelector('#chart .plot')?.getBoundingClientRect().width > 0;
      return { state: document.getElementById('lec-slide').dataset.state, shown: picture || fig };
    });
    assert.ok(now.state === 'done' || now.shown, 'no picture and no figure while slide 3 computes');
    await waitSlide(page, 3);
    await page.keyboard.press('ArrowRight'); // focus was on "Next": it must not swallow the key
    await waitSlide(page, 4);
    await page.keyboard.press('PageUp');
    await waitSlide(page, 3);
    await page.keyboard.press('PageDown');
    await waitSlide(page, 4);
    await page.keyboard.press(' '); // Space moves one slide, and presses no button
    await waitSlide(page, 5);
    await page.waitForTimeout(300);
    assert.equal((await slide(page)).step, 5, 'Space also pressed a button');
    await page.locator('#lec-jump').selectOption('2');
    await waitSlide(page, 2);
    await page.keyboard.press('ArrowLeft'); // focus was on the menu: the slide moves, not the menu's choice
    await waitSlide(page, 1);
    assert.equal(await page.locator('#lec-jump').inputValue(), '1');
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#lecture').isHidden());
    // The slides' runs ahead stop with the lecture (the frontier alone would keep a core busy).
    await page.waitForSelector('html[data-prefetch="idle"]', { state: 'attached', timeout: 3000 });
    assert.ok(await page.locator('#controls-panel').isVisible());
    assert.doesNotMatch(await page.evaluate(() => location.hash), /present/);
    // The preset toggle says which preset the form is on (the lecture put it on the defaults).
    const preset = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('preset') || 'default');
    assert.equal(await page.locator(`#btn-preset-${preset}`).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator(`#btn-preset-${preset === 'default' ? 'paper' : 'default'}`).getAttribute('aria-pressed'), 'false');
    assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize)) < 24);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('step=N opens slide N directly on its own run; the paper preset link keeps its aside', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&present=1&step=5&seed=4&${QUICK}`, { viewport: { width: 1920, height: 1080 }, init: NATURAL });
  try {
    await waitSlide(page, 5);
    const r = await results(page);
    assert.equal(r.runs.length, 2);
    // A slide stands on the default (useful) recommender whatever preset the link was on.
    assert.deepEqual(r.runs.map((x) => x.config.negative_sampling), ['uniform', 'uniform']);
    assert.deepEqual(r.runs.map((x) => x.config.seed), [4, 4]);
    assert.equal(await page.locator('#lec-jump').inputValue(), '5');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('notes=1: the presenter view shows the slide, the next one, notes and a timer, and moves the audience window', async () => {
  const { page, context, problems, url } = await openPage(env, `#v=2&present=1&step=1&${QUICK}`, { viewport: { width: 1024, height: 768 }, init: NATURAL });
  try {
    await waitSlide(page, 1);
    const pv = await context.newPage();
    const pvProblems = [];
    pv.on('pageerror', (e) => pvProblems.push(e.message));
    await pv.goto(`${url}#v=2&present=1&notes=1`);
    await pv.waitForFunction(() => document.getElementById('presenter')?.dataset.step === '1');
    assert.match(await pv.locator('#pv-title').textContent(), /give away who trained it/);
    assert.match(await pv.locator('#pv-next').textContent(), /^Next: Membership inference/);
    assert.ok((await pv.locator('#pv-notes').textContent()).length > 20);
    const t1 = await pv.locator('#pv-timer').textContent();
    await pv.waitForTimeout(1200);
    assert.notEqual(await pv.locator('#pv-timer').textContent(), t1, 'the timer does not run');
    // The presenter's keys move the audience window (the picture builds first), and it follows.
    for (let i = 0; i < 4; i++) await pv.keyboard.press('ArrowRight');
    await waitSlide(page, 2);
    await pv.waitForFunction(() => document.getElementById('presenter').dataset.step === '2');
    // The audience window's keys are followed by the presenter view.
    await page.keyboard.press('ArrowLeft');
    await pv.waitForFunction(() => document.getElementById('presenter').dataset.step === '1');
    // The presenter view computes nothing: no worker pool started there.
    assert.equal(await pv.evaluate(() => document.body.dataset.state), 'loading');
    assert.deepEqual([...problems, ...pvProblems], []);
  } finally {
    await context.close();
  }
});

test('hide= hides the named controls (and only those)', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&preset=paper&hide=k,lr&${QUICK}`);
  try {
    await waitState(page, 'ready');
    assert.ok(await page.locator('#f-k').isHidden());
    assert.ok(await page.locator('#f-lr').isHidden());
    assert.ok(await page.locator('#f-epochs').isVisible());
    // An unknown key makes the list invalid: a warning, and nothing hidden by mistake.
    await page.evaluate(() => { location.hash = '#v=2&preset=paper&hide=k,lr,nope'; });
    await page.waitForFunction(() => !document.getElementById('f-k').closest('.field').hidden);
    assert.match(await page.locator('#warnings').textContent(), /hide = “k,lr,nope” is not valid/);
    assert.ok(await page.locator('#f-lr').isVisible());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('390 px wide: the slides fit the screen (no sideways scrolling), nothing is logged', async () => {
  const { page, context, problems } = await openPage(env, `#v=2&present=1&step=4&${QUICK}`, { viewport: { width: 390, height: 844 }, init: NATURAL });
  try {
    const noOverflow = async (when) => {
      const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(sw <= iw, `${when}: the page is ${sw}px wide in a ${iw}px window (horizontal scrolling)`);
    };
    await waitSlide(page, 4);
    await noOverflow('slide 4');
    const strip = await page.locator('#ind-strip').boundingBox();
    assert.ok(strip && strip.x >= 0 && strip.x + strip.width <= 390, `the strip spans ${JSON.stringify(strip)}`);
    for (const n of [5, 6]) {
      await page.keyboard.press('ArrowRight');
      await waitSlide(page, n);
      await noOverflow(`slide ${n}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

