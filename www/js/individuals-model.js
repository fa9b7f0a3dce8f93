// individuals-model.js — owns the arithmetic behind the Individuals view, free of the DOM so Node
// can test it too: who is flagged at a threshold (score ≥ threshold, as the engine's ROC counts),
// how a slider position or a pointer's score maps to a ROC point, the beeswarm layout of the dots,
// axis ticks, the colour-blind-safe colour scale for scores, and the movie-title file's parser.

// Okabe–Ito blue and orange, darkened to ≥ 4.5:1 on white (the same hues as js/charts.js), and the
// mid grey #767676 (4.54:1): every colour of the score scale between them stays ≥ 4.5:1 on white.
export const MEMBER = '#0057a3';
export const NONMEMBER = '#a84800';
export const MID = '#767676';

/**
 * Who is flagged at `threshold` (score ≥ threshold): {tp, fp, members, nonMembers}. The same rule
 * as the engine's ROC (src/eval/roc.rs), so these counts are the ROC's at that threshold.
 */
export function countsAt(records, threshold) {
  let tp = 0;
  let fp = 0;
  let members = 0;
  for (const r of records) {
    if (r.member) members++;
    if (r.score >= threshold) {
      if (r.member) tp++; else fp++;
    }
  }
  return { tp, fp, members, nonMembers: records.length - members };
}

/**
 * The ROC point a score cut-off lands on: the number of distinct scores ≥ `score`. ROC point i
 * (i ≥ 1) flags score ≥ thresholds[i], and thresholds[1..] are the distinct scores, highest first;
 * point 0 (threshold above every score) flags nobody.
 */
export function rocIndexForScore(roc, score) {
  const t = roc.thresholds;
  let i = 0;
  while (i + 1 < t.length && t[i + 1] >= score) i++;
  return i;
}

/** What the ROC says at point i, in people: members found (tp) and non-members flagged (fp). */
export function rocCountsAt(result, i) {
  const { target_members: nM, target_nonmembers: nN } = result.counts;
  return { tp: Math.round(result.roc.tpr[i] * nM), fp: Math.round(result.roc.fpr[i] * nN), members: nM, nonMembers: nN };
}

/**
 * Vertical offsets of a beeswarm: dots at `xs` (px), diameter-plus-gap `d`, placed left to right,
 * each as close to the centre line as it can be without overlapping an earlier dot. Offsets are
 * squeezed into ±`cap` (dots then overlap a little) so a dense pile cannot grow the figure.
 */
export function beeswarm(xs, d, cap = Infinity) {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
  const ys = new Array(xs.length).fill(0);
  const placed = []; // indices in the order placed (ascending x)
  for (const i of order) {
    const x = xs[i];
    const blocks = [];
    for (let k = placed.length - 1; k >= 0; k--) {
      const j = placed[k];
      const dx = x - xs[j];
      if (dx >= d) break;
      const h = Math.sqrt(d * d - dx * dx);
      blocks.push([ys[j] - h, ys[j] + h]);
    }
    const free = (y) => blocks.every(([lo, hi]) => y <= lo + 1e-9 || y >= hi - 1e-9);
    // Candidates: the centre line and the edges of every blocked interval, nearest first; the
    // sign alternates with the index on ties, so piles grow on both sides.
    const cands = [0];
    for (const [lo, hi] of blocks) cands.push(lo, hi);
    cands.sort((a, b) => Math.abs(a) - Math.abs(b) || (i % 2 ? a - b : b - a));
    ys[i] = cands.find(free);
    placed.push(i);
  }
  const most = Math.max(0, ...ys.map(Math.abs));
  if (most > cap) for (let i = 0; i < ys.length; i++) ys[i] *= cap / most;
  return ys;
}

/** About `count` round tick values (1, 2 or 5 × 10^e apart) inside [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const e = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * e).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** Tick label: as few digits as the step needs, with a real minus sign. */
export function tickText(v, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(digits).replace('-', '\u2212');
}

function hex(c) {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

function mix(a, b, t) {
  const [x, y] = [hex(a), hex(b)];
  return `#${x.map((v, i) => Math.round(v + (y[i] - v) * t).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The scale for "colour by score": orange (low) → grey (at `mid`) → blue (high), clamped to
 * [lo, hi]. Blue–orange is told apart under every common colour-vision deficiency, and every
 * colour on the way is ≥ 4.5:1 on white, so no dot fades into the background.
 */
export function scoreColour(score, lo, mid, hi) {
  if (score <= mid) return mix(NONMEMBER, MID, mid > lo ? Math.max(0, (score - lo) / (mid - lo)) : 1);
  return mix(MID, MEMBER, hi > mid ? Math.min(1, (score - mid) / (hi - mid)) : 0);
}

/** The middle of the score scale: the attack's own cut-off 0 when the scores straddle it, else the median. */
export function scoreMid(scores) {
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  return lo < 0 && hi > 0 ? 0 : median(scores);
}

export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** `movieId<TAB>title` lines (www/data/titles.tsv, written by `memberlens titles`) -> Map id -> title. */
export function parseTitles(text) {
  const titles = new Map();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const id = Number(line.slice(0, tab));
    if (Number.isFinite(id)) titles.set(id, line.slice(tab + 1).replace(/\r$/, ''));
  }
  return titles;
}

// ---- why the attack decided as it did about one user (the user card) ---------------------------

// A list sharing at least this share with the popular list reads as "the list non-members get";
// at most LOW_OVERLAP as personal.
const HIGH_OVERLAP = 0.9;
const LOW_OVERLAP = 0.5;

/**
 * The list every non-member was served, when they were all served the same one (protocol
 * `popular` without a defence that varies it); null otherwise.
 */
export function sharedNonMemberList(records) {
  const non = records.filter((r) => !r.member);
  if (!non.length) return null;
  const first = non[0].list.join(',');
  return non.every((r) => r.list.join(',') === first) ? non[0].list : null;
}

/**
 * The reasons a user card gives for the attack's verdict on `rec` at `threshold`, from the user's
 * own numbers: each reason is one that points the way the attack decided (never one that points
 * the other way), and when none of these simple numbers does, the card says so. `ctx`:
 * {popular: the list every non-member gets or null, dist: {member, nonMember} medians of the
 * centroid distance}. Returns {flagged, reasons: [sentence], note: sentence about the popular list or ''}.
 */
export function cardReasons(rec, threshold, ctx) {
  const flagged = rec.score >= threshold;
  const reasons = [];
  const d = rec.centroid_distance;
  const { member: dm, nonMember: dn } = ctx.dist;
  // Distance points to "member" when nearer the members' median than the non-members'.
  const distSaysMember = Math.abs(d - dm) < Math.abs(d - dn);
  const [near, far] = distSaysMember ? [['members\u2019', dm], ['non-members\u2019', dn]] : [['non-members\u2019', dn], ['members\u2019', dm]];
  const distText = `their centroid distance ${d.toPrecision(3)} (how far their list sits from their history) is nearer the `
    + `${near[0]} median ${near[1].toPrecision(3)} than the ${far[0]} ${far[1].toPrecision(3)}`;
  let overlap = null;
  if (ctx.popular && ctx.popular.length) {
    const pop = new Set(ctx.popular);
    overlap = rec.list.filter((id) => pop.has(id)).length / ctx.popular.length;
  }
  const ovText = overlap === null ? '' : `${Math.round(overlap * 100)}% of their list is the popular list every non-member gets`;
  if (flagged) {
    if (overlap !== null && overlap <= LOW_OVERLAP) reasons.push(`Only ${ovText}: a personal list, as members get.`);
    if (distSaysMember) reasons.push(`Looks like a member: ${distText}.`);
  } else {
    if (overlap !== null && overlap >= HIGH_OVERLAP) reasons.push(`${ovText[0].toUpperCase()}${ovText.slice(1)}: it looks like a non-member\u2019s list.`);
    if (!distSaysMember) reasons.push(`Looks like a non-member: ${distText}.`);
  }
  if (!reasons.length) {
    reasons.push(`None of the simple numbers here explains the verdict (${overlap === null ? '' : `${ovText}; `}${distText}): `
      + 'the attack weighs every value of the user\u2019s feature vector together.');
  }
  const note = ctx.popular
    ? 'Under this protocol every non-member gets the same popular list, so a member whose personal list is close to it looks like a non-member, and a non-member whose taste is mainstream (history close to the popular list) looks like a member.'
    : '';
  return { flagged, reasons, note };
}
