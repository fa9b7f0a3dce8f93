//! Uncertainty of one run's attack numbers, and what a run can measure at all.
//!
//! Seeded bootstrap 95 % intervals for ROC-AUC and TPR at 1 % FPR: users are resampled with
//! replacement *within each class* (members and non-members keep their counts, as the split fixes
//! them), the two numbers are computed on every resample, and the interval is the 2.5th–97.5th
//! percentile. Each resample is scored in O(n) from one sort of the scores (multiplicities instead
//! of copies), and equals `roc_curve` on the resample spelled out (tested).
//!
//! A TPR at an FPR below 1 / (number of non-members) cannot be measured: the smallest non-zero FPR
//! is one non-member, so "TPR at 0.1 % FPR" with 152 non-members is the TPR at zero false positives.
//! `measurable` says so, and every report writes such a TPR as `null`.
//!
//! Multi-seed jobs give an interval for the mean over seeds (`mean_interval`: Student's t on the
//! seeds' values), and `within_noise` is the one rule every takeaway uses to call a difference real.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::rng::below;

/// Resamples per interval: 1,000 puts the percentile ends within about ±0.005 AUC of their limit
/// here (measured: two streams differ by ≤ 0.004 on ml-latest-small seed 0), at < 1 ms per attack.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// The FPR every interval and `strongest` report a TPR at.
pub const CI_FPR: f64 = 0.01;

/// A 95 % interval `[lo, hi]`.
pub type Interval = [f64; 2];

/// The 95 % intervals of one attack's numbers (`ci95` in every report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ci95 {
    pub roc_auc: Interval,
    /// `null` when 1 % FPR cannot be measured (fewer than 100 non-members).
    pub tpr_at_1pct: Option<Interval>,
}

/// Whether a TPR at `fpr` can be measured with `non_members` non-members: only when at least one
/// non-member fits under it.
pub fn measurable(fpr: f64, non_members: usize) -> bool {
    non_members > 0 && fpr * non_members as f64 >= 1.0 - 1e-9
}

/// The reason a TPR at `fpr` is `null`, for `warnings` and the page.
pub fn unmeasurable_reason(fpr: f64, non_members: usize) -> String {
    format!(
        "TPR at {}% FPR is not measurable with {non_members} non-members (the smallest non-zero FPR is {:.2}%): reported as null",
        fpr * 100.0,
        100.0 / non_members.max(1) as f64
    )
}

/// Scores sorted once, best first, with their tie groups: what every resample is computed from.
struct Sorted {
    /// (is member, index within its class) of each user, best score first.
    order: Vec<(bool, usize)>,
    /// End (exclusive) of each group of tied scores in `order`.
    group_ends: Vec<usize>,
    members: usize,
    non_members: usize,
}

impl Sorted {
    fn new(scores: &[f64], labels: &[bool]) -> Sorted {
        let idx = crate::order::highest_first(scores);
        let (mut m, mut n) = (0, 0);
        let mut class_index = vec![0; scores.len()];
        for (i, &l) in labels.iter().enumerate() {
            if l {
                class_index[i] = m;
                m += 1;
            } else {
                class_index[i] = n;
                n += 1;
            }
        }
        let mut group_ends = Vec::new();
        for k in 1..=idx.len() {
            if k == idx.len() || scores[idx[k]].total_cmp(&scores[idx[k - 1]]).is_ne() {
                group_ends.push(k);
            }
        }
        Sorted {
            order: idx.iter().map(|&i| (labels[i], class_index[i])).collect(),
            group_ends,
            members: m,
            non_members: n,
        }
    }

    /// (ROC-AUC, TPR at FPR ≤ `fpr`) with each member counted `w_pos[i]` times and each
    /// non-member `w_neg[j]` times: `roc_curve` on the resample, without building it.
    fn metrics(&self, w_pos: &[u32], w_neg: &[u32], fpr: f64) -> (f64, f64) {
        let pos: f64 = w_pos.iter().map(|&w| f64::from(w)).sum();
        let neg: f64 = w_neg.iter().map(|&w| f64::from(w)).sum();
        let (mut tp, mut fp) = (0.0, 0.0);
        let (mut auc, mut best_tpr) = (0.0, 0.0);
        let mut start = 0;
        for &end in &self.group_ends {
            let (mut gp, mut gn) = (0.0, 0.0);
            for &(member, i) in &self.order[start..end] {
                if member {
                    gp += f64::from(w_pos[i]);
                } else {
                    gn += f64::from(w_neg[i]);
                }
            }
            // Members of this group beat every non-member below it and tie with the group's own.
            auc += gp * (neg - fp - gn) + 0.5 * gp * gn;
            tp += gp;
            fp += gn;
            let (t, f) = (
                if pos > 0.0 { tp / pos } else { 0.0 },
                if neg > 0.0 { fp / neg } else { 0.0 },
            );
            if f <= fpr + 1e-12 && t > best_tpr {
                best_tpr = t;
            }
            start = end;
        }
        let auc = if pos > 0.0 && neg > 0.0 {
            auc / (pos * neg)
        } else {
            0.5
        };
        (auc, best_tpr)
    }
}

/// Counts of a resample with replacement of `n` items (multiplicity of each).
fn resample(rng: &mut ChaCha8Rng, n: usize) -> Vec<u32> {
    let mut w = vec![0u32; n];
    for _ in 0..n {
        w[below(rng, n)] += 1;
    }
    w
}

/// The `q`-quantile of sorted `v` (linear interpolation between order statistics).
fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Seeded bootstrap 95 % intervals of ROC-AUC and TPR at 1 % FPR, `resamples` times, users
/// resampled within each class. `scores` must be finite (callers check).
pub fn ci95(scores: &[f64], labels: &[bool], resamples: usize, rng: &mut ChaCha8Rng) -> Ci95 {
    let sorted = Sorted::new(scores, labels);
    let (m, n) = (sorted.members, sorted.non_members);
    let mut aucs = Vec::with_capacity(resamples);
    let mut tprs = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let w_pos = resample(rng, m);
        let w_neg = resample(rng, n);
        let (auc, tpr) = sorted.metrics(&w_pos, &w_neg, CI_FPR);
        aucs.push(auc);
        tprs.push(tpr);
    }
    crate::order::f64s(&mut aucs);
    crate::order::f64s(&mut tprs);
    let interval = |v: &[f64]| [quantile(v, 0.025), quantile(v, 0.975)];
    Ci95 {
        roc_auc: interval(&aucs),
        tpr_at_1pct: measurable(CI_FPR, n).then(|| interval(&tprs)),
    }
}

/// Two-sided 97.5 % quantiles of Student's t for 1 … 30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 95 % interval of the mean of `values` (one per seed): mean ± t(n − 1) · s / √n. `None` for
/// fewer than two values (one seed's interval is its bootstrap interval).
pub fn mean_interval(values: &[f64]) -> Option<Interval> {
    if values.len() < 2 {
        return None;
    }
    let (mean, std) = super::mean_std(values);
    let df = values.len() - 1;
    let t = if df <= T_975.len() {
        T_975[df - 1]
    } else {
        1.96
    };
    let half = t * std / (values.len() as f64).sqrt();
    Some([mean - half, mean + half])
}

/// Whether two numbers with 95 % intervals `a` and `b` cannot be told apart: their intervals
/// overlap. Conservative on purpose (two overlapping 95 % intervals can still differ at the 5 %
/// level): a takeaway says "within noise" rather than claim a trend it cannot defend.
pub fn within_noise(a: Interval, b: Interval) -> bool {
    a[0] <= b[1] && b[0] <= a[1]
}

/// Whether an interval of ROC-AUC holds 0.5: the attack cannot be told from a coin.
pub fn indistinguishable_from_chance(auc: Interval) -> bool {
    auc[0] <= 0.5 && 0.5 <= auc[1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::roc_curve;
    use crate::rng::{rng_for, Stream};

    /// The resample spelled out: every user repeated by its multiplicity.
    fn expanded(
        scores: &[f64],
        labels: &[bool],
        w_pos: &[u32],
        w_neg: &[u32],
    ) -> (Vec<f64>, Vec<bool>) {
        let (mut s, mut l) = (Vec::new(), Vec::new());
        let (mut m, mut n) = (0, 0);
        for (&score, &label) in scores.iter().zip(labels) {
            let w = if label {
                m += 1;
                w_pos[m - 1]
            } else {
                n += 1;
                w_neg[n - 1]
            };
            for _ in 0..w {
                s.push(score);
                l.push(label);
            }
        }
        (s, l)
    }

    #[test]
    fn a_resample_equals_the_roc_of_the_resample_spelled_out() {
        let mut rng = rng_for(5, Stream::Bootstrap);
        // ties across classes and within, members and non-members interleaved
        let scores = [0.9, 0.8, 0.8, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1, 0.7, 0.4];
        let labels = [
            true, false, true, true, false, false, true, false, true, false, true, false,
        ];
        let sorted = Sorted::new(&scores, &labels);
        for _ in 0..50 {
            let w_pos = resample(&mut rng, sorted.members);
            let w_neg = resample(&mut rng, sorted.non_members);
            let (auc, tpr) = sorted.metrics(&w_pos, &w_neg, 0.2);
            let (s, l) = expanded(&scores, &labels, &w_pos, &w_neg);
            let roc = roc_curve(&s, &l);
            assert!((auc - roc.auc()).abs() < 1e-12, "{auc} vs {}", roc.auc());
            assert_eq!(tpr, roc.tpr_at_fpr(0.2));
        }
        // all weights 1: the run's own numbers
        let ones = |n| vec![1u32; n];
        let (auc, tpr) = sorted.metrics(&ones(6), &ones(6), 0.2);
        let roc = roc_curve(&scores, &labels);
        assert!((auc - roc.auc()).abs() < 1e-12);
        assert_eq!(tpr, roc.tpr_at_fpr(0.2));
    }

    #[test]
    fn intervals_hold_the_estimate_and_are_reproducible() {
        // 200 members, 200 non-members, scores overlapping: AUC about 0.76
        let mut rng = rng_for(1, Stream::Split);
        let mut scores = Vec::new();
        let mut labels = Vec::new();
        for i in 0..400 {
            let member = i % 2 == 0;
            let noise = f64::from(crate::rng::unit_f32(&mut rng));
            scores.push(noise + if member { 0.5 } else { 0.0 });
            labels.push(member);
        }
        let auc = roc_curve(&scores, &labels).auc();
        let a = ci95(&scores, &labels, 1000, &mut rng_for(0, Stream::Bootstrap));
        let b = ci95(&scores, &labels, 1000, &mut rng_for(0, Stream::Bootstrap));
        assert_eq!(a, b);
        assert!(a.roc_auc[0] < auc && auc < a.roc_auc[1], "{a:?} {auc}");
        // the normal approximation of the AUC's standard error (Hanley–McNeil) is about 0.024 here:
        // the interval is about ±0.047 wide
        let width = a.roc_auc[1] - a.roc_auc[0];
        assert!((0.06..0.14).contains(&width), "{width}");
        let t = a.tpr_at_1pct.unwrap();
        assert!(t[0] <= t[1]);
    }

    #[test]
    fn tpr_is_measurable_from_one_non_member_per_fpr_step() {
        assert!(!measurable(0.001, 152));
        assert!(measurable(0.01, 152));
        assert!(measurable(0.01, 100));
        assert!(!measurable(0.01, 99));
        assert!(measurable(0.001, 1000));
        assert!(!measurable(0.001, 999));
        assert!(!measurable(0.5, 0));
        assert!(measurable(0.5, 2));
        let r = unmeasurable_reason(0.001, 152);
        assert!(r.contains("152 non-members") && r.contains("0.66%"), "{r}");
        // with too few non-members the interval of the TPR is null
        let c = ci95(
            &[0.9, 0.1, 0.5],
            &[true, false, false],
            10,
            &mut rng_for(0, Stream::Bootstrap),
        );
        assert!(c.tpr_at_1pct.is_none());
    }

    #[test]
    fn the_mean_interval_uses_students_t_and_noise_is_overlap() {
        assert_eq!(mean_interval(&[0.9]), None);
        // two seeds: mean 0.6, s = 0.2/√2, t(1) = 12.706: ±12.706 · 0.1
        let [lo, hi] = mean_interval(&[0.5, 0.7]).unwrap();
        assert!((lo - (0.6 - 1.2706)).abs() < 1e-12 && (hi - (0.6 + 1.2706)).abs() < 1e-12);
        // five seeds: t(4) = 2.776
        let v = [0.90, 0.92, 0.94, 0.96, 0.98];
        let (m, s) = crate::eval::mean_std(&v);
        let [lo, _] = mean_interval(&v).unwrap();
        assert!((lo - (m - 2.776 * s / 5f64.sqrt())).abs() < 1e-12);
        assert!(within_noise([0.90, 0.95], [0.94, 0.99]));
        assert!(!within_noise([0.90, 0.93], [0.94, 0.99]));
        assert!(indistinguishable_from_chance([0.42, 0.55]));
        assert!(!indistinguishable_from_chance([0.51, 0.55]));
    }
}
