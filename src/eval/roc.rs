//! The ROC curve of attack scores: exact, over every distinct threshold (tied scores form one step),
//! with ROC-AUC, TPR at fixed low FPRs (Carlini et al. 2022) and the attacker advantage.

use serde::{Deserialize, Serialize};

/// ROC points, from (0, 0) to (1, 1). A user is called a member when its score ≥ `thresholds[i]`;
/// `thresholds[0]` is the highest score + 1 so that the first point calls nobody a member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roc {
    pub fpr: Vec<f64>,
    pub tpr: Vec<f64>,
    pub thresholds: Vec<f64>,
}

/// Builds the ROC of `scores` against boolean `labels` (true = member). Needs both classes.
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Roc {
    assert_eq!(scores.len(), labels.len());
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    let order = crate::order::highest_first(scores);
    let top = order.first().map_or(0.0, |&i| scores[i]);
    let mut roc = Roc {
        fpr: vec![0.0],
        tpr: vec![0.0],
        thresholds: vec![top + 1.0],
    };
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let s = scores[order[i]];
        // total_cmp, not ==: a NaN equals itself here, so the loop always advances (callers refuse
        // non-finite scores before they get here: `report::AttackScores::evaluate`).
        while i < order.len() && scores[order[i]].total_cmp(&s).is_eq() {
            if labels[order[i]] {
                tp += 1.0
            } else {
                fp += 1.0
            }
            i += 1;
        }
        roc.fpr.push(if neg > 0.0 { fp / neg } else { 0.0 });
        roc.tpr.push(if pos > 0.0 { tp / pos } else { 0.0 });
        roc.thresholds.push(s);
    }
    roc
}

impl Roc {
    /// Area under the curve by the trapezoid rule (equals the Mann–Whitney statistic, ties counting ½).
    pub fn auc(&self) -> f64 {
        self.fpr
            .windows(2)
            .zip(self.tpr.windows(2))
            .map(|(f, t)| (f[1] - f[0]) * (t[1] + t[0]) / 2.0)
            .sum()
    }

    /// The highest TPR reachable with FPR ≤ `max_fpr`.
    pub fn tpr_at_fpr(&self, max_fpr: f64) -> f64 {
        self.fpr
            .iter()
            .zip(&self.tpr)
            .filter(|(f, _)| **f <= max_fpr + 1e-12)
            .map(|(_, t)| *t)
            .fold(0.0, f64::max)
    }

    /// max(TPR − FPR) over all thresholds ("attacker advantage").
    pub fn advantage(&self) -> f64 {
        self.fpr
            .iter()
            .zip(&self.tpr)
            .map(|(f, t)| t - f)
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_curve_with_ties() {
        // scores: P 0.9, N 0.8, P 0.8, N 0.3  → thresholds 0.9, 0.8 (tie: one P one N), 0.3
        let roc = roc_curve(&[0.9, 0.8, 0.8, 0.3], &[true, false, true, false]);
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 1.0, 1.0]);
        assert_eq!(roc.thresholds, vec![1.9, 0.9, 0.8, 0.3]);
        // pairs: (0.9>0.8)=1, (0.9>0.3)=1, (0.8=0.8)=½, (0.8>0.3)=1 → 3.5/4
        assert_eq!(roc.auc(), 0.875);
        assert_eq!(roc.tpr_at_fpr(0.0), 0.5);
        assert_eq!(roc.tpr_at_fpr(0.5), 1.0);
        assert_eq!(roc.advantage(), 0.5);
    }

    #[test]
    fn non_finite_scores_end_and_ties_at_the_top_form_one_step() {
        let roc = roc_curve(&[f64::NAN, 0.5, f64::NAN], &[true, false, false]);
        assert_eq!(roc.fpr.len(), 3);
        // two members tied at the top with one non-member: one step to (0.5, 1)
        let roc = roc_curve(&[3.0, 3.0, 3.0, 1.0], &[true, true, false, false]);
        assert_eq!(roc.fpr, vec![0.0, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 1.0, 1.0]);
        assert_eq!(roc.tpr_at_fpr(0.01), 0.0);
    }

    #[test]
    fn one_class_only_gives_zero_rates_never_nan() {
        let roc = roc_curve(&[0.4, 0.2], &[true, true]);
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 1.0]);
        let roc = roc_curve(&[0.4, 0.2], &[false, false]);
        assert_eq!(roc.fpr, vec![0.0, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.0, 0.0]);
        assert_eq!(roc_curve(&[], &[]).thresholds, vec![1.0]);
    }

    #[test]
    fn tpr_at_fpr_and_advantage_on_an_asymmetric_curve() {
        // members 0.9, 0.6, 0.5; non-members 0.7, 0.2, 0.1
        let roc = roc_curve(
            &[0.9, 0.6, 0.5, 0.7, 0.2, 0.1],
            &[true, true, true, false, false, false],
        );
        let third = 1.0 / 3.0;
        assert_eq!(
            roc.fpr,
            vec![0.0, 0.0, third, third, third, 2.0 * third, 1.0]
        );
        assert_eq!(roc.tpr, vec![0.0, third, third, 2.0 * third, 1.0, 1.0, 1.0]);
        // a limit a rounding error below 1/3 still admits the point at FPR 1/3 (tolerance 1e-12)
        assert_eq!(roc.tpr_at_fpr(third - 1e-13), 1.0);
        assert_eq!(roc.tpr_at_fpr(third - 1e-11), third);
        assert_eq!(roc.tpr_at_fpr(0.3), third);
        assert_eq!(roc.advantage(), 1.0 - third);
        // pairs won: 0.9 beats 3, 0.6 beats 2, 0.5 beats 2 → 7/9
        assert!((roc.auc() - 7.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn perfect_inverse_and_constant_scores() {
        assert_eq!(roc_curve(&[0.9, 0.1], &[true, false]).auc(), 1.0);
        assert_eq!(roc_curve(&[0.1, 0.9], &[true, false]).auc(), 0.0);
        assert_eq!(
            roc_curve(&[0.5; 6], &[true, false, true, false, true, false]).auc(),
            0.5
        );
    }

    // proptest does not build for wasm32; the native run covers these properties.
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn mann_whitney(scores: &[f64], labels: &[bool]) -> f64 {
            let (mut s, mut n) = (0.0, 0.0);
            for (a, &la) in scores.iter().zip(labels) {
                for (b, &lb) in scores.iter().zip(labels) {
                    if la && !lb {
                        n += 1.0;
                        s += if a > b {
                            1.0
                        } else if a == b {
                            0.5
                        } else {
                            0.0
                        };
                    }
                }
            }
            s / n
        }

        proptest! {
            #[test]
            fn auc_equals_mann_whitney(pairs in proptest::collection::vec((0u8..8, any::<bool>()), 2..60)) {
                let scores: Vec<f64> = pairs.iter().map(|p| f64::from(p.0) / 8.0).collect();
                let labels: Vec<bool> = pairs.iter().map(|p| p.1).collect();
                prop_assume!(labels.iter().any(|&l| l) && labels.iter().any(|&l| !l));
                let roc = roc_curve(&scores, &labels);
                prop_assert!((roc.auc() - mann_whitney(&scores, &labels)).abs() < 1e-12);
                prop_assert!(roc.fpr.windows(2).all(|w| w[0] <= w[1]));
                prop_assert!(roc.tpr.windows(2).all(|w| w[0] <= w[1]));
                prop_assert_eq!(*roc.fpr.last().unwrap(), 1.0);
                prop_assert_eq!(*roc.tpr.last().unwrap(), 1.0);
            }

            #[test]
            fn auc_of_flipped_scores_is_one_minus(pairs in proptest::collection::vec((0u8..8, any::<bool>()), 2..60)) {
                let scores: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
                let flipped: Vec<f64> = scores.iter().map(|s| -s).collect();
                let labels: Vec<bool> = pairs.iter().map(|p| p.1).collect();
                prop_assume!(labels.iter().any(|&l| l) && labels.iter().any(|&l| !l));
                let a = roc_curve(&scores, &labels).auc();
                let b = roc_curve(&flipped, &labels).auc();
                prop_assert!((a + b - 1.0).abs() < 1e-12);
            }
        }
    }
}
