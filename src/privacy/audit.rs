//! The statistics of a one-run privacy audit: Steinke, Nasr and Jagielski, "Privacy Auditing with
//! One (1) Training Run", NeurIPS 2023 (arXiv 2305.08846).
//!
//! m canaries are each included in the training independently with probability ½; the auditor
//! scores every canary from what the trained model reveals, guesses "in" for the k₊ highest scores
//! and "out" for the k₋ lowest, and abstains on the rest (r = k₊ + k₋ guesses). If the training is
//! (ε, δ)-DP, the number W of correct guesses satisfies, for every v (their Theorem 3):
//!
//!   P[W ≥ v] ≤ f(v) + 2mδ · max_{i = 1, …, m} (f(v − i) − f(v)) / i,
//!   f(v) = P[Binomial(r, e^ε / (1 + e^ε)) ≥ v]
//!
//! — for δ = 0, W is dominated by the Binomial of ε-DP randomised response (their Theorem 2).
//! `p_value` is that right-hand side, computed exactly as their Appendix D code does (the maximum
//! over i stops at v: beyond it f(v − i) = 1 and the ratio only falls); `epsilon_lower_bound` is
//! their bisection for the largest ε whose p-value is still below 1 − confidence: with that
//! confidence the training is not (ε, δ)-DP for any smaller ε.
//!
//! Binomial probabilities are computed in log space with `libm` (so native and wasm agree to the
//! bit); `tests` checks them against exact binomial coefficients.

use serde::{Deserialize, Serialize};

/// Largest ε the bisection considers: beyond it e^ε / (1 + e^ε) is 1 in f64.
const MAX_EPSILON: f64 = 64.0;

/// What an audit found, the `audit` object of a run's `privacy`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditResult {
    /// With probability at least `confidence`, the training is not (ε, δ)-DP for any ε below this
    /// (δ is the run's `privacy.delta`). 0 when the guesses show nothing.
    pub epsilon_lower_bound: f64,
    /// The confidence of the bound, over every guess count tried (Bonferroni).
    pub confidence: f64,
    /// m: canaries, each included with probability ½.
    pub canaries: u32,
    /// r: guesses made at the guess count that gave the bound (the others abstained).
    pub guesses: u32,
    /// v: correct guesses among them.
    pub correct: u32,
}

/// ln P[Binomial(r, q) = j], with ln q and ln(1 − q) given (so that q near 1 keeps its precision).
fn ln_pmf(r: u32, j: u32, ln_q: f64, ln_1mq: f64) -> f64 {
    let (r, j) = (f64::from(r), f64::from(j));
    let ln_choose = libm::lgamma(r + 1.0) - libm::lgamma(j + 1.0) - libm::lgamma(r - j + 1.0);
    // 0 · ln 0 counts as 0 (q = 0 or 1 at the edges of j).
    let term = |n: f64, ln: f64| if n == 0.0 { 0.0 } else { n * ln };
    ln_choose + term(j, ln_q) + term(r - j, ln_1mq)
}

/// The p-value of at least `v` correct guesses out of `r` among `m` canaries if the training were
/// (ε, δ)-DP: the bound of Theorem 3 above (Steinke et al., Appendix D, `p_value_DP_audit`),
/// capped at 1. Needs v ≤ r ≤ m, ε ≥ 0 and δ in [0, 1].
pub fn p_value(m: u32, r: u32, v: u32, epsilon: f64, delta: f64) -> f64 {
    debug_assert!(v <= r && r <= m && epsilon >= 0.0 && (0.0..=1.0).contains(&delta));
    // q = 1 / (1 + e^−ε): the accuracy of ε-DP randomised response.
    let ln_q = -libm::log1p(libm::exp(-epsilon));
    let ln_1mq = -epsilon + ln_q;
    let pmf = |j: u32| libm::exp(ln_pmf(r, j, ln_q, ln_1mq));
    // β = P[Binomial(r, q) ≥ v].
    let beta: f64 = (v..=r).map(pmf).sum();
    if delta == 0.0 {
        return beta.min(1.0);
    }
    // α = max over i of P[v > Binomial(r, q) ≥ v − i] / i.
    let mut alpha = 0.0f64;
    let mut sum = 0.0f64;
    for i in 1..=v {
        sum += pmf(v - i);
        if sum > f64::from(i) * alpha {
            alpha = sum / f64::from(i);
        }
    }
    (beta + alpha * delta * 2.0 * f64::from(m)).min(1.0)
}

/// The largest ε (to 1e-5) at which `v` correct guesses out of `r` among `m` canaries still have a
/// p-value below `p` (= 1 − confidence): the training is not (ε, δ)-DP, with confidence 1 − p.
/// Steinke et al.'s `get_eps_audit`: ε grows by 1 until the p-value reaches p, then 30 halvings.
pub fn epsilon_lower_bound(m: u32, r: u32, v: u32, delta: f64, p: f64) -> f64 {
    debug_assert!(p > 0.0 && p < 1.0);
    let mut lo = 0.0f64;
    let mut hi = 1.0f64;
    while p_value(m, r, v, hi, delta) < p && hi < MAX_EPSILON {
        hi += 1.0;
    }
    for _ in 0..30 {
        if hi - lo <= 1e-5 {
            break;
        }
        let mid = (lo + hi) / 2.0;
        if p_value(m, r, v, mid, delta) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The guess counts an audit tries, as shares of the canaries: the top and the bottom share/2 of
/// the scores are guessed "in" and "out". Fixed before any score is seen, and paid for by
/// Bonferroni (each is tested at (1 − confidence) / 4): a small share is right more often, a
/// large one has more guesses to be right with.
pub const GUESS_SHARES: [f64; 4] = [0.1, 0.2, 0.5, 1.0];

/// The audit's verdict from each canary's `scores` (larger = more likely included) and whether it
/// was `included`: for every share of `GUESS_SHARES`, guess "in" for the k highest scores and
/// "out" for the k lowest (k = round(share·m/2); ties in the order of the canaries, which does
/// not depend on who was included), count the correct guesses and bound ε at confidence
/// `confidence` / |shares|; the largest bound wins.
pub fn audit(scores: &[f64], included: &[bool], delta: f64, confidence: f64) -> AuditResult {
    assert_eq!(scores.len(), included.len());
    let m = scores.len();
    // Highest score first; equal scores keep the canaries' own order.
    let order = crate::order::highest_first(scores);
    let p = (1.0 - confidence) / GUESS_SHARES.len() as f64;
    let mut best = AuditResult {
        epsilon_lower_bound: 0.0,
        confidence,
        canaries: m as u32,
        guesses: 0,
        correct: 0,
    };
    for share in GUESS_SHARES {
        let k = (libm::round(share * m as f64 / 2.0) as usize).min(m / 2);
        if k == 0 {
            continue;
        }
        let right_in = order[..k].iter().filter(|&&c| included[c]).count();
        let right_out = order[m - k..].iter().filter(|&&c| !included[c]).count();
        let (r, v) = (2 * k as u32, (right_in + right_out) as u32);
        let bound = epsilon_lower_bound(m as u32, r, v, delta, p);
        if bound > best.epsilon_lower_bound || best.guesses == 0 {
            best = AuditResult {
                epsilon_lower_bound: bound,
                guesses: r,
                correct: v,
                ..best
            };
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, unit_f32, Stream};

    /// P[Binomial(r, q) = j] from an exact binomial coefficient (r ≤ 60 fits a u64).
    fn exact_pmf(r: u32, j: u32, q: f64) -> f64 {
        let mut c: u64 = 1;
        for t in 0..u64::from(j) {
            c = c * (u64::from(r) - t) / (t + 1);
        }
        c as f64 * q.powi(j as i32) * (1.0 - q).powi((r - j) as i32)
    }

    /// Theorem 3's right-hand side, straight from its statement: the maximum over every i up to m.
    fn direct_p_value(m: u32, r: u32, v: u32, eps: f64, delta: f64) -> f64 {
        let q = libm::exp(eps) / (1.0 + libm::exp(eps));
        let f = |x: i64| -> f64 {
            if x <= 0 {
                1.0
            } else {
                (x as u32..=r).map(|j| exact_pmf(r, j, q)).sum()
            }
        };
        let fv = f(i64::from(v));
        let worst = (1..=m)
            .map(|i| (f(i64::from(v) - i64::from(i)) - fv) / f64::from(i))
            .fold(0.0, f64::max);
        (fv + 2.0 * f64::from(m) * delta * worst).min(1.0)
    }

    #[test]
    fn p_value_matches_the_theorem_computed_directly() {
        let mut checked = 0;
        for m in [1u32, 5, 20, 60] {
            for r in [0, 1, m / 3, m / 2, m] {
                if r > m {
                    continue;
                }
                for v in [0, r / 2, (3 * r) / 4, r.saturating_sub(1), r] {
                    for eps in [0.0, 0.3, 1.0, 2.5, 6.0] {
                        for delta in [0.0, 1e-5, 1e-3, 0.05] {
                            let got = p_value(m, r, v, eps, delta);
                            let want = direct_p_value(m, r, v, eps, delta);
                            assert!(
                                (got - want).abs() <= 1e-12 + 1e-10 * want,
                                "m {m} r {r} v {v} ε {eps} δ {delta}: {got} vs {want}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        // Hand values: 10 of 10 right at ε = 0 is 2^-10; at δ = 0 the p-value is the tail.
        assert!((p_value(10, 10, 10, 0.0, 0.0) - 1.0 / 1024.0).abs() < 1e-15);
        assert_eq!(p_value(10, 10, 0, 1.0, 0.0), 1.0);
    }

    #[test]
    fn the_bound_is_the_largest_epsilon_still_rejected() {
        for (m, r, v, delta) in [
            (100, 100, 90, 1e-5),
            (100, 50, 50, 0.0),
            (1000, 1000, 700, 1e-6),
            (200, 20, 20, 1e-4),
            (50, 50, 35, 0.0),
        ] {
            let p = 0.05;
            let e = epsilon_lower_bound(m, r, v, delta, p);
            assert!(e > 0.0, "{m} {r} {v}");
            assert!(p_value(m, r, v, e, delta) < p, "{m} {r} {v}: {e}");
            assert!(p_value(m, r, v, e + 2e-5, delta) >= p, "{m} {r} {v}: {e}");
        }
        // Chance-level guessing proves nothing.
        assert_eq!(epsilon_lower_bound(100, 100, 50, 1e-5, 0.05), 0.0);
        assert_eq!(epsilon_lower_bound(10, 0, 0, 0.0, 0.05), 0.0);
        // All of m guesses right bounds ε by about ln of the odds at confidence 1 − p:
        // q^m = p, ε = ln(q / (1 − q)); 100 guesses at p = 0.05: q = 0.97049, ε = 3.493.
        let e = epsilon_lower_bound(100, 100, 100, 0.0, 0.05);
        assert!((e - 3.493).abs() < 2e-3, "{e}");
        // δ can only weaken the bound.
        assert!(
            epsilon_lower_bound(100, 100, 90, 1e-3, 0.05)
                < epsilon_lower_bound(100, 100, 90, 0.0, 0.05)
        );
    }

    #[test]
    fn randomised_response_is_never_overstated_and_nearly_found() {
        // An ε₀-DP mechanism: each canary's guess is right with probability e^ε₀ / (1 + e^ε₀).
        // The bound at 95 % must exceed ε₀ in at most about 5 % of audits, and come close to it.
        let eps0 = 1.0f64;
        let q = libm::exp(eps0) / (1.0 + libm::exp(eps0));
        let m = 1000u32;
        let mut rng = rng_for(7, Stream::AuditCanaries);
        let (mut over, mut total) = (0, 0.0);
        let trials = 200;
        for _ in 0..trials {
            let v = (0..m).filter(|_| f64::from(unit_f32(&mut rng)) < q).count() as u32;
            let e = epsilon_lower_bound(m, m, v, 0.0, 0.05);
            over += usize::from(e > eps0);
            total += e;
        }
        assert!(over <= 20, "{over} of {trials} audits overstated ε₀");
        let mean = total / f64::from(trials);
        assert!(mean > 0.7 && mean < eps0, "mean bound {mean}");
    }

    #[test]
    fn audit_guesses_the_top_and_bottom_and_keeps_the_best_share() {
        // 20 canaries, perfectly separated: the included ones score highest.
        let included: Vec<bool> = (0..20).map(|c| c % 2 == 0).collect();
        let scores: Vec<f64> = (0..20)
            .map(|c| if c % 2 == 0 { 1.0 } else { 0.0 })
            .collect();
        let a = audit(&scores, &included, 0.0, 0.95);
        // Every share guesses right; the most guesses (all 20) give the strongest bound.
        assert_eq!((a.canaries, a.guesses, a.correct), (20, 20, 20));
        assert_eq!(
            a.epsilon_lower_bound,
            epsilon_lower_bound(20, 20, 20, 0.0, 0.05 / 4.0)
        );
        // Scores that say nothing (all equal, ties in canary order) bound nothing.
        let flat = audit(&[0.5; 20], &included, 0.0, 0.95);
        assert_eq!(flat.epsilon_lower_bound, 0.0);
        // Inverted scores are all wrong: no bound.
        let inverted: Vec<f64> = scores.iter().map(|s| -s).collect();
        assert_eq!(
            audit(&inverted, &included, 0.0, 0.95).epsilon_lower_bound,
            0.0
        );
    }
}
