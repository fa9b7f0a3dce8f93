// format.js — owns how numbers read on screen (tables, chart titles, captions), so a chart and the
// table next to it always print the same number the same way. Exact values live in #results.

/** 0.006578 -> "0.66%", 0.2549 -> "25.5%", 1 -> "100%". */
export function pct(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '\u2013';
  const p = v * 100;
  if (p === 0 || p === 100) return `${p}%`;
  return `${p.toFixed(Math.abs(p) < 1 ? 2 : 1)}%`;
}

/** Fixed decimals, with a real minus sign. */
export function num(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return '\u2013';
  return v.toFixed(digits).replace('-', '\u2212');
}

/** Mean ± std over `n` seeds; one seed has no spread to show: "0.981 ± —", never "± 0.000". */
export function meanStd(mean, std, digits = 3, n = 2) {
  return `${num(mean, digits)} \u00b1 ${n > 1 ? num(std, digits) : '\u2014'}`;
}

/** The same for rates in percent: "45.1% ± 3.2%" ("45.1% ± —" for one seed). */
export function pctStd(mean, std, n = 2) {
  return `${pct(mean)} \u00b1 ${n > 1 ? pct(std) : '\u2014'}`;
}

/** A ratio as "1.24×" (the recommender's recall against the popularity list's). */
export function ratio(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '\u2013';
  return `${v.toFixed(2)}\u00d7`;
}

/** Thousands separators for counts. */
export function count(v) {
  return v === null || v === undefined ? '\u2013' : Number(v).toLocaleString('en-GB');
}

/** Milliseconds as "3.2 s" or "850 ms". */
export function duration(ms) {
  if (!Number.isFinite(ms)) return '\u2013';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Seconds as "45 s", "2 min 5 s" (the cost model's own wording, src/cost/mod.rs). */
export function clock(seconds) {
  if (!Number.isFinite(seconds)) return '\u2013';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A sweep value as written on an axis or in a table (learning rates keep their digits). */
export function sweepValue(v) {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
}

/** A 95 % interval [lo, hi] as "0.916–0.966", clamped to [0, 1] (a t-interval over two seeds can
 * reach past either end; an AUC or a rate cannot); "–" when there is none. */
export function interval(ci, digits = 3) {
  if (!Array.isArray(ci) || !ci.every(Number.isFinite)) return '\u2013';
  const [lo, hi] = ci.map((v) => Math.min(1, Math.max(0, v)));
  return `${num(lo, digits)}\u2013${num(hi, digits)}`;
}

/** The same for rates: "15.7%–70.0%". */
export function pctInterval(ci) {
  if (!Array.isArray(ci) || !ci.every(Number.isFinite)) return '\u2013';
  const [lo, hi] = ci.map((v) => Math.min(1, Math.max(0, v)));
  return `${pct(lo)}\u2013${pct(hi)}`;
}

/** Why a TPR is null: its FPR is below one non-member's share (docs/INTERFACES.md). */
export function notMeasurable(nonMembers) {
  return Number.isFinite(nonMembers) ? `not measurable with ${count(nonMembers)} non-members` : 'not measurable';
}

/** A TPR that the run may not be able to measure: the rate, or why there is none. */
export function tpr(v, nonMembers) {
  return v === null || v === undefined ? notMeasurable(nonMembers) : pct(v);
}

/** The mean of a frontier point's one-run audit lower bounds on ε over its seeds (`privacy[].audit`), or null. */
export function auditBound(point) {
  const b = (point.privacy || []).map((p) => p && p.audit && p.audit.epsilon_lower_bound).filter(Number.isFinite);
  return b.length ? b.reduce((a, v) => a + v, 0) / b.length : null;
}

/** A DP point's label: the accountant's ε beside the audit's lower bound ("ε 7.9, audit ≥ 0.1"). */
export function dpLabel(point) {
  const b = auditBound(point);
  return `\u03b5 ${num(point.epsilon_mean, 1)}${b === null ? '' : `, audit \u2265 ${num(b, 1)}`}`;
}
