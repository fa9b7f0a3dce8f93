// modes/you.js — owns "Would it spot you?": the reader's picks (js/you.js, the picker) as one user,
// trained with and without them; its job, its check before it starts (5 to 20 picks), and which run
// its link starts (the picks are in a link only when the reader said so: without them it is a plain run).

import { YOU_MIN } from '../state.js';
import * as you from '../you.js';
import { renderHeadline } from '../results.js';
import { FIRST_MODE } from './index.js';

const $ = (id) => document.getElementById(id);

export default {
  id: 'you',
  label: '\u201cWould it spot you?\u201d run',
  slot: 'flagged',
  // The picks are part of it only when the reader put them in the link (state.you is '' otherwise).
  fields: ['you'],
  job: () => ({ kind: 'you', picks: you.currentPicks() }),
  /** The picks go into the condition (and so the link) only when the reader said so. */
  preflight(state) {
    const picks = you.currentPicks();
    if (picks.length < YOU_MIN) {
      return `\u201cWould it spot you?\u201d needs at least ${YOU_MIN} movies: ${picks.length} picked so far. Search for titles you like and pick ${YOU_MIN} to 20.`;
    }
    state.you = you.shared() ? picks.join(',') : '';
    return '';
  },
  // A run whose picks stay private is no run a link can start: its link re-runs a plain run.
  linkRun: (values) => (values.you ? 'you' : FIRST_MODE),
  view: 'you',
  png: false,
  progressLabel: (p) => `Run ${p.run_index + 1} of 2 (${p.run_index === 0 ? 'trained with you' : 'trained without you'}). `,
  render(v) {
    const chart = you.draw($('chart'), v.result);
    $('tables').replaceChildren();
    renderHeadline($('headline'), you.headlineItems(v.result), you.takeaway(v.result));
    return chart;
  },
  announce: (s) => `Done. ${you.takeaway(s.result)}`,
};
