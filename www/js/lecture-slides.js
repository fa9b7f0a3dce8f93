// lecture-slides.js — owns what the lecture says: the slides in order, the run each stands on, and
// every sentence on a slide, computed from that slide's numbers (Rust's takeaways and notes where
// the engine writes them; js/format.js for every number). No number is typed here: a sentence
// without its run's numbers says that it is still computing. js/lecture.js shows the slides.

import { baseState, CONFIG_KEYS } from './state.js';
import { pct, num, ratio, interval, count, notMeasurable } from './format.js';
import { rocIndexForScore, rocCountsAt, median } from './individuals-model.js';

// The transfer matrix: three quick algorithms (one of them the popularity list), one seed.
const MATRIX_ALGORITHMS = 'lfm,item-knn,popularity';
const sig = (v) => String(+v.toPrecision(3)).replace('-', '\u2212');

/**
 * The settings that put `state` on preset `name`: `preset=name`, and every config key the link
 * left at its own preset's value moves to that preset's (the seed and the link's changes stay).
 */
export function presetSettings(state, name) {
  const from = baseState(state.preset);
  const to = baseState(name);
  const out = { preset: name };
  for (const k of CONFIG_KEYS) if (k !== 'seed' && state[k] === from[k]) out[k] = to[k];
  return out;
}

export const paperSettings = (s) => presetSettings(s, 'paper');
// The useful recommender: the defaults (80 epochs: recall above the popularity list's), the
// paper's protocol, no defence.
const useful = (s) => ({ ...presetSettings(s, 'default'), protocol: 'popular', defence: 'none', defence_strength: 0, scale: 'linear' });
const paperAside = (s) => ({ ...paperSettings(s), protocol: 'popular', defence: 'none', defence_strength: 0 });

/** An attack's ROC-AUC with its interval: "0.871 (95% 0.831–0.908)". */
const auc = (v, ci) => `${num(v)} (95% ${interval(ci)})`;

// ---- slide 3: the attack on a useful recommender ------------------------------------------------

/** What the members' lists are worth, against the popularity list (a useful recommender beats it). */
export function usefulness(r) {
  const t = r.recommender.target;
  const N = r.config.top_n;
  const verdict = t.recall_vs_popularity > 1 ? 'better than the popularity list' : 'no better than the popularity list';
  return `Its lists are worth having: members' recall@${N} ${num(t.recall_at_n)}, ${ratio(t.recall_vs_popularity)} the popularity list's ${num(t.popularity_recall_at_n)} (${verdict}).`;
}

export function paperAsideText(p) {
  const t = p.recommender.target;
  return `Aside \u2014 the paper's preset: recall ${ratio(t.recall_vs_popularity)} the popularity list's, strongest attack ${num(p.strongest.roc_auc)}.`;
}

/** The low-FPR end, honestly: what cannot be measured with this many non-members is said so. */
export function lowFpr(r) {
  const nN = r.counts.target_nonmembers;
  return r.tpr_at_fpr['0.001'] === null ? `TPR at 0.1% FPR: ${notMeasurable(nN)} (one person is ${pct(r.min_nonzero_fpr)}).` : null;
}

// ---- slide 4: who is flagged, and why ------------------------------------------------------------

/** The drawn line: the attack's own cut-off (score ≥ 0), at the ROC point the strip draws. */
export function drawnThreshold(r) {
  const idx = rocIndexForScore(r.roc, 0);
  return { idx, score: r.roc.thresholds[idx], ...rocCountsAt(r, idx) };
}

const overlap = (rec) => {
  const h = new Set(rec.history);
  return rec.list.filter((i) => h.has(i)).length;
};

/**
 * What the attacker saw of this user, in plain facts that are true for it: how far its list's
 * centre sits from its history's, and how many listed films it had rated, each next to the
 * members' and non-members' medians.
 */
export function reason(rec, records) {
  const med = (m, f) => median(records.filter((x) => x.member === m).map(f));
  const dist = (x) => x.centroid_distance;
  return `list ${sig(rec.centroid_distance)} from its taste (typical member ${sig(med(true, dist))}, non-member ${sig(med(false, dist))}); `
    + `it had rated ${overlap(rec)} of its ${rec.list.length} films (typical ${sig(med(true, overlap))} and ${sig(med(false, overlap))}).`;
}

/** The flagged slide's sentences: the line, and one right and one wrong accusation with reasons. */
export function flaggedText(r, records) {
  const t = drawnThreshold(r);
  const attack = r.config.attack;
  const line = t.idx === 0 ? 'The line (the attack\u2019s own cut-off) flags nobody.'
    : `The line is the ${attack} attack's own cut-off (flagged: score \u2265 ${sig(t.score)}): it flags `
      + `${t.tp} of ${t.members} members and ${t.fp} of ${t.nonMembers} non-members.`;
  const points = [];
  if (records && t.idx > 0) {
    const flagged = records.filter((x) => x.score >= t.score).sort((a, b) => b.score - a.score);
    const m = flagged.find((x) => x.member);
    const n = flagged.find((x) => !x.member);
    if (m) points.push(`Rightly flagged: member ${m.user}, score ${sig(m.score)} \u2014 ${reason(m, records)}`);
    if (n) points.push(`Wrongly flagged: non-member ${n.user}, score ${sig(n.score)} \u2014 ${reason(n, records)}`);
    else points.push('No non-member is flagged at this line.');
  }
  return { takeaway: line, points };
}

// ---- slide 5: fold-in ----------------------------------------------------------------------------

const ATTACK_NAMES = (run) => {
  const out = [{ attack: run.config.attack, roc_auc: run.roc_auc, ci: run.ci95?.roc_auc }];
  for (const [name, b] of Object.entries(run.baselines || {})) out.push({ attack: name, roc_auc: b.roc_auc, ci: b.ci95?.roc_auc });
  return out;
};

/** The attacks whose 95% interval lies above chance in a run, strongest first. */
export function working(run) {
  return ATTACK_NAMES(run).filter((a) => Array.isArray(a.ci) && a.ci[0] > 0.5).sort((a, b) => b.roc_auc - a.roc_auc);
}

export function foldInPoints(cmp) {
  const fold = cmp.runs[1];
  const w = working(fold);
  return [
    `Fold-in's strongest: ${fold.strongest.attack}, ROC-AUC ${auc(fold.strongest.roc_auc, fold.strongest.ci95.roc_auc)}.`,
    w.length ? `Still above chance under fold-in: ${w.map((a) => `${a.attack} ${num(a.roc_auc)}`).join(', ')}.`
      : 'Under fold-in no attack\u2019s 95% interval lies above chance.',
  ];
}

// ---- slides 7 and 8: defences, and what a service can do -----------------------------------------

const SHORT = { popular: 'Popular list', 'fold-in': 'Fold-in' };

/** Every defended point of a panel with its defence: [{defence, strength, auc, ci, recall}]. */
function points(panel) {
  return panel.defences.flatMap((d) => d.points.filter((p) => p.strength > 0).map((p) => ({
    defence: d.defence, strength: p.strength, auc: p.strongest_roc_auc_mean, ci: p.strongest_roc_auc_ci95, recall: p.recall_at_n_mean,
  })));
}

/** What a service can do, from the frontier's numbers, one sentence per panel and a verdict. */
export function serviceText(f) {
  const out = [];
  const N = f.config.top_n;
  for (const p of f.panels) {
    const u = p.undefended;
    const pop = p.popularity_recall_at_n;
    const pts = points(p);
    const useful = pts.filter((x) => x.recall > pop);
    const head = `${SHORT[p.protocol] || p.protocol}: undefended ${num(u.strongest_roc_auc_mean)} with recall@${N} ${num(u.recall_at_n_mean)}`;
    if (!pts.length) { out.push(`${head}; no defence applies here.`); continue; }
    const best = useful.sort((a, b) => a.auc - b.auc)[0];
    const lowest = [...pts].sort((a, b) => a.auc - b.auc)[0];
    const keep = best ? `; the best defence that keeps the lists above the popularity list's ${num(pop)} is ${best.defence} at ${best.strength}: attack ${num(best.auc)}, recall ${num(best.recall)}`
      : `; no defence point keeps recall above the popularity list's ${num(pop)}`;
    const low = `; the lowest attack, ${num(lowest.auc)}, costs ${lowest.defence} at ${lowest.strength} (recall ${num(lowest.recall)})`;
    out.push(`${head}${keep}${low}.`);
  }
  const fold = f.panels.find((p) => p.protocol === 'fold-in');
  const popular = f.panels.find((p) => p.protocol === 'popular');
  if (fold && popular) {
    const a = popular.undefended.strongest_roc_auc_mean;
    const b = fold.undefended.strongest_roc_auc_mean;
    out.unshift(b < a ? `Serve everyone from the model (fold-in): the strongest attack falls from ${num(a)} to ${num(b)} before any defence.`
      : `Serving everyone from the model (fold-in) does not lower the strongest attack here (${num(a)} \u2192 ${num(b)}).`);
  }
  return out;
}

/** The frontier's verdict: each panel's last note (Rust's), once when both panels say the same
 * (the panels' chart notes and other notes are the presenter's: the slide keeps room for the figure). */
export function defencesText(f) {
  const last = f.panels.map((p) => p.notes[p.notes.length - 1] || '');
  const takeaway = last.every((t) => t === last[0]) ? `Both panels: ${last[0]}`
    : f.panels.map((p, i) => `${SHORT[p.protocol] || p.protocol}: ${last[i]}`).join(' ');
  return { takeaway, points: [] };
}

// ---- the slides ------------------------------------------------------------------------------

/**
 * Each slide: `title`, `question` (shown while it computes), `diagram` (the pipeline picture: the
 * number of build steps shown, `builds` on the title slide), `mode` and `settings(state)` of the
 * run it stands on (none: a slide of words), `figure` ('chart' | 'individuals' | null),
 * `text(v, ctx)` → {takeaway, points} from the run's numbers, `notes(v)` for the presenter.
 * ctx.extra(mode, settings) → a kept result of another run (null while it computes).
 */
export const SLIDES = [
  {
    id: 'title', title: 'Does a recommender give away who trained it?', short: 'The question', builds: 4,
    question: 'A film site trains a recommender on its users\u2019 ratings. An outsider sees only the lists it recommends. Can the outsider tell whose ratings were used?',
    text: (v, ctx) => {
      const s = ctx.summary;
      return { takeaway: s ? `Data: the MovieLens sample, ${count(s.users)} users, ${count(s.items)} films, ${count(s.interactions)} ratings.` : '', points: [] };
    },
    notes: () => 'Press \u2192 to build the picture: the two halves, members and non-members, the lists, the attacker\u2019s view. Ask the room: would you mind if a shop could tell you are its customer?',
  },
  {
    id: 'what', title: 'Membership inference', short: 'Membership inference', diagram: 4,
    question: 'Was this person\u2019s data used to train the model?',
    text: () => ({
      takeaway: 'Members trained the model; non-members did not. The attacker sees each person\u2019s list and knows their ratings, not who is a member.',
      points: [
        'Shadow model: the attacker trains a look-alike recommender on data it holds, where it knows who is a member, and learns what a member\u2019s list looks like.',
        'Why it matters: being in the data can itself be private, and it is the standard test of what a model remembers (Shokri et al. 2017).',
      ],
    }),
    notes: () => 'Define member, non-member, shadow model, target model. The attacker here is the paper\u2019s (Zhang et al., CCS 2021): the difference between the centre of what you rated and the centre of what you are recommended.',
  },
  {
    id: 'attack', title: 'The attack on a useful recommender', short: 'The attack', mode: 'single', figure: 'chart',
    question: 'How well does the attack separate members from non-members when the recommender is worth using?',
    settings: useful,
    extras: (s) => [{ mode: 'single', values: paperAside(s) }],
    text: (v, ctx) => {
      const r = v.result;
      const paper = ctx.extra('single', paperAside(ctx.state));
      const pts = [usefulness(r), paper ? paperAsideText(paper.result) : 'Aside \u2014 the paper\u2019s preset: computing\u2026'];
      return { takeaway: `${(r.takeaways || [])[0] || ''} (seed ${r.config.seed})`, points: pts.filter(Boolean) };
    },
    notes: (v) => (v ? [...(v.result.takeaways || []), lowFpr(v.result)].filter(Boolean).join(' ') : ''),
  },
  {
    id: 'flagged', title: 'Who is flagged, and why', short: 'Who is flagged', mode: 'single', figure: 'individuals',
    question: 'Whom does the attacker accuse, and what gives them away?',
    settings: useful,
    text: (v) => flaggedText(v.result, v.individuals?.records),
    notes: (v) => (v ? `One dot per target user: \u25cf members, \u25b2 non-members; right of the line is flagged. ${(v.result.takeaways || [])[1] || ''}` : ''),
  },
  {
    id: 'fold-in', title: 'Realistic serving: fold-in', short: 'Fold-in', mode: 'compare', figure: 'chart',
    question: 'What if the service serves everyone from its model, members and newcomers alike?',
    settings: (s) => ({ ...useful(s) }),
    text: (v) => ({ takeaway: (v.result.takeaways || []).join(' '), points: foldInPoints(v.result) }),
    notes: () => 'Under the popular protocol every non-member gets the same list: the new-user-list rule reads that. Fold-in removes that tell; what remains is what the model remembers.',
  },
  {
    id: 'transfer', title: 'Transfer across algorithms', short: 'Transfer', mode: 'matrix', figure: 'chart', wide: true,
    question: 'Must the attacker know which algorithm the service uses?',
    settings: (s) => ({ ...useful(s), recommenders: MATRIX_ALGORITHMS, seeds: 1 }),
    text: (v) => ({ takeaway: (v.result.takeaways || []).join(' '), points: [] }),
    notes: () => 'Rows: the shadow\u2019s algorithm; columns: the target\u2019s. The outlined diagonal is the paper\u2019s assumption. The popularity list leaks nothing by construction.',
  },
  {
    id: 'defences', title: 'Defences against an attacker who knows them', short: 'Defences', mode: 'frontier', figure: 'chart',
    question: 'Which defence lowers the attack, and what does it cost the lists?',
    settings: (s) => ({ ...useful(s), seeds: 1 }),
    wide: true,
    text: (v) => defencesText(v.result),
    notes: (v) => (v ? v.result.panels.map((p) => `${SHORT[p.protocol] || p.protocol}: ${[p.chart_note, ...p.notes].filter(Boolean).join(' ')}`).join('\n') : ''),
  },
  {
    id: 'service', title: 'What a service can do', short: 'What to do', mode: 'frontier', figure: null,
    question: 'Given these numbers, what should a service do?',
    settings: (s) => ({ ...useful(s), seeds: 1 }),
    text: (v) => {
      const [first, ...rest] = serviceText(v.result);
      return { takeaway: first, points: rest };
    },
    notes: () => 'Everything on this slide is read off the frontier of the previous slide (its strongest attacks and recall).',
  },
  {
    id: 'summary', title: 'Three numbers to remember', short: 'Summary', figure: null,
    question: 'What should you take home?',
    needs: (s) => [{ mode: 'single', values: useful(s) }, { mode: 'compare', values: useful(s) }, { mode: 'frontier', values: { ...useful(s), seeds: 1 } }],
    text: (v, ctx) => {
      const [run, cmp, fr] = ctx.needs.map((n) => ctx.extra(n.mode, n.values));
      const pts = [];
      if (run) pts.push(`${num(run.result.strongest.roc_auc)}: the strongest attack on a useful recommender under the paper\u2019s protocol (${run.result.strongest.attack}).`);
      if (cmp) pts.push(`${num(cmp.result.runs[1].strongest.roc_auc)}: the strongest attack when the model serves everyone (fold-in, ${cmp.result.runs[1].strongest.attack}).`);
      if (fr) {
        const p = fr.result.panels.find((x) => x.protocol === 'fold-in') || fr.result.panels[0];
        const pts2 = points(p).sort((a, b) => a.auc - b.auc)[0];
        if (pts2) pts.push(`${num(pts2.recall)}: members\u2019 recall left when ${pts2.defence} brings the attack lowest (${num(pts2.auc)}), against ${num(p.undefended.recall_at_n_mean)} undefended.`);
      }
      if (pts.length < 3) pts.push('Computing the remaining numbers\u2026');
      return { takeaway: 'Further reading: Shokri et al., S&P 2017; Zhang et al., CCS 2021; Carlini et al. (LiRA), S&P 2022; Chi et al., AAAI 2026 (arXiv 2512.09442); Abadi et al. (DP-SGD), CCS 2016.', points: pts };
    },
    notes: () => 'Questions. The page and its numbers stay available offline after this visit.',
  },
];
