// sections.js — owns the page's sections (issue 18: one idea per section, a persistent navigation
// between them): which section shows a run's result (the results panel moves into it, the
// individuals view into "Who is flagged"), the navigation's mark on the section being read, and
// the "All settings" disclosure's note when a link sets settings. main.js calls placeResults(slot)
// before a run starts and before a result is drawn, watchSections() and noteSettings() once.

const $ = (id) => document.getElementById(id);

/**
 * Moves the results panel into section `slot` (a run mode's `slot`, js/modes/: the reader sees the
 * result where they asked for it), and the individuals view into "Who is flagged". Lecture mode
 * keeps both in the first section: its slides lay out that one panel.
 */
export function placeResults(slot = 'attack') {
  const present = document.documentElement.classList.contains('present');
  const box = document.querySelector(`.chapter-slot[data-slot="${present ? 'attack' : slot}"]`);
  const panel = $('results-panel');
  if (box && panel.parentElement !== box) box.prepend(panel);
  const ind = $('individuals');
  if (present) {
    if (ind.parentElement !== $('results-body')) $('results-body').insertBefore(ind, $('compare-box'));
  } else {
    const flagged = document.querySelector('.chapter-slot[data-slot="flagged"]');
    if (ind.parentElement !== flagged) flagged.prepend(ind);
  }
}

/** Marks the navigation's link of the section being read (aria-current), as the reader scrolls. */
export function watchSections() {
  const links = new Map([...document.querySelectorAll('#section-nav a')].map((a) => [a.hash.slice(1), a]));
  if (!('IntersectionObserver' in window)) return;
  const seen = new Map();
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) seen.set(e.target.id, e.isIntersecting ? e.boundingClientRect.top : null);
    // The first section (in page order) whose part is on screen.
    let current = null;
    for (const id of links.keys()) if (seen.get(id) !== null && seen.get(id) !== undefined) { current = id; break; }
    for (const [id, a] of links) {
      if (id === current) a.setAttribute('aria-current', 'location'); else a.removeAttribute('aria-current');
    }
  }, { rootMargin: '-20% 0px -60% 0px' });
  for (const id of links.keys()) if ($(id)) io.observe($(id));
}

/** Says why "All settings" is open: a link that sets settings other than the defaults opens it. */
export function noteSettings(changed) {
  // On a phone it stays folded (the result area stays on the first screen) and only says so.
  const open = changed.length > 0 && !window.matchMedia('(max-width: 860px)').matches;
  $('settings-note').textContent = changed.length ? `(${open ? 'opened: ' : ''}this link sets ${changed.join(', ')})` : '';
  if (open) $('settings').open = true;
}
