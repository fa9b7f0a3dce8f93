//! One setting over several seeds: what a sweep point, a matrix cell and a frontier point report
//! of their runs — mean, spread and a 95 % interval of the run's attack and of the strongest
//! attack, and the TPR at 1 % FPR only where every seed could measure it.
//!
//! The interval is Student's t over the seeds' values (`bootstrap::mean_interval`); with one seed
//! it is that run's bootstrap interval, so every point carries one.

use serde::{Deserialize, Serialize};

use super::bootstrap::{mean_interval, Ci95, Interval};
use super::mean_std;
use crate::attack::AttackKind;
use crate::report::Strongest;

/// What every per-seed run of a multi-run job keeps (sweep runs, matrix cell runs).
pub trait SeedRun {
    fn roc_auc(&self) -> f64;
    /// TPR at 1 % FPR (`None` when not measurable).
    fn tpr_at_1pct(&self) -> Option<f64>;
    fn ci95(&self) -> &Ci95;
    fn strongest(&self) -> &Strongest;
}

/// The run's attack and the strongest attack over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverSeeds {
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub roc_auc_ci95: Interval,
    /// `null` when some seed could not measure 1 % FPR.
    pub tpr_at_1pct_mean: Option<f64>,
    pub tpr_at_1pct_std: Option<f64>,
    /// The attack that was strongest in most seeds (ties: the first in `AttackKind::ALL`).
    pub strongest_attack: AttackKind,
    /// Mean over seeds of each seed's strongest attack's ROC-AUC.
    pub strongest_roc_auc_mean: f64,
    pub strongest_roc_auc_std: f64,
    pub strongest_roc_auc_ci95: Interval,
    pub strongest_tpr_at_1pct_mean: Option<f64>,
}

/// Mean and std of optional values: `None` if any is `None` (or there are none).
fn mean_std_all(values: impl Iterator<Item = Option<f64>>) -> (Option<f64>, Option<f64>) {
    let v: Option<Vec<f64>> = values.collect();
    match v {
        Some(v) if !v.is_empty() => {
            let (m, s) = mean_std(&v);
            (Some(m), Some(s))
        }
        _ => (None, None),
    }
}

/// The interval of the mean of `values`; one value: `single` (that run's bootstrap interval).
fn interval(values: &[f64], single: impl Fn() -> Interval) -> Interval {
    mean_interval(values).unwrap_or_else(single)
}

/// The summary over `runs` (one per seed; at least one).
pub fn over_seeds<R: SeedRun>(runs: &[R]) -> OverSeeds {
    let aucs: Vec<f64> = runs.iter().map(|r| r.roc_auc()).collect();
    let strong: Vec<f64> = runs.iter().map(|r| r.strongest().roc_auc).collect();
    let (roc_auc_mean, roc_auc_std) = mean_std(&aucs);
    let (s_mean, s_std) = mean_std(&strong);
    let (tpr_mean, tpr_std) = mean_std_all(runs.iter().map(|r| r.tpr_at_1pct()));
    let (s_tpr, _) = mean_std_all(runs.iter().map(|r| r.strongest().tpr_at_1pct));
    let mut counts = [0usize; AttackKind::ALL.len()];
    for r in runs {
        counts[r.strongest().attack.index() as usize] += 1;
    }
    // The first of the most frequent, in AttackKind::ALL order.
    let best = (0..counts.len()).fold(0, |b, i| if counts[i] > counts[b] { i } else { b });
    OverSeeds {
        roc_auc_mean,
        roc_auc_std,
        roc_auc_ci95: interval(&aucs, || {
            runs.first().map_or([f64::NAN; 2], |r| r.ci95().roc_auc)
        }),
        tpr_at_1pct_mean: tpr_mean,
        tpr_at_1pct_std: tpr_std,
        strongest_attack: AttackKind::ALL[best],
        strongest_roc_auc_mean: s_mean,
        strongest_roc_auc_std: s_std,
        strongest_roc_auc_ci95: interval(&strong, || {
            runs.first()
                .map_or([f64::NAN; 2], |r| r.strongest().ci95.roc_auc)
        }),
        strongest_tpr_at_1pct_mean: s_tpr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R(f64, Option<f64>, Strongest);

    impl SeedRun for R {
        fn roc_auc(&self) -> f64 {
            self.0
        }
        fn tpr_at_1pct(&self) -> Option<f64> {
            self.1
        }
        fn ci95(&self) -> &Ci95 {
            &self.2.ci95
        }
        fn strongest(&self) -> &Strongest {
            &self.2
        }
    }

    fn strong(attack: AttackKind, auc: f64, tpr: Option<f64>) -> Strongest {
        Strongest {
            attack,
            roc_auc: auc,
            tpr_at_1pct: tpr,
            ci95: Ci95 {
                roc_auc: [auc - 0.05, auc + 0.05],
                tpr_at_1pct: None,
            },
        }
    }

    #[test]
    fn means_intervals_and_the_most_frequent_strongest_attack() {
        let runs = [
            R(0.8, Some(0.1), strong(AttackKind::Distance, 0.9, Some(0.3))),
            R(0.9, Some(0.3), strong(AttackKind::Mlp, 0.95, Some(0.5))),
            R(
                0.7,
                Some(0.2),
                strong(AttackKind::Distance, 0.85, Some(0.4)),
            ),
        ];
        let o = over_seeds(&runs);
        assert!((o.roc_auc_mean - 0.8).abs() < 1e-12 && (o.roc_auc_std - 0.1).abs() < 1e-12);
        // t(2) = 4.303: ±4.303 · 0.1 / √3
        let half = 4.303 * 0.1 / 3f64.sqrt();
        assert!((o.roc_auc_ci95[0] - (0.8 - half)).abs() < 1e-12);
        assert!((o.tpr_at_1pct_mean.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(o.strongest_attack, AttackKind::Distance);
        assert!((o.strongest_roc_auc_mean - 0.9).abs() < 1e-12);
        assert!((o.strongest_tpr_at_1pct_mean.unwrap() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn one_seed_takes_its_bootstrap_interval_and_unmeasurable_tprs_stay_null() {
        let runs = [R(0.8, None, strong(AttackKind::Overlap, 0.8, None))];
        let o = over_seeds(&runs);
        assert_eq!(o.roc_auc_ci95, [0.75, 0.8500000000000001]);
        assert_eq!(o.strongest_roc_auc_ci95, [0.75, 0.8500000000000001]);
        assert_eq!((o.tpr_at_1pct_mean, o.tpr_at_1pct_std), (None, None));
        // a tie in counts goes to the first in AttackKind::ALL
        let tie = [
            R(0.8, Some(0.1), strong(AttackKind::Overlap, 0.8, None)),
            R(0.8, None, strong(AttackKind::Distance, 0.8, None)),
        ];
        let o = over_seeds(&tie);
        assert_eq!(o.strongest_attack, AttackKind::Distance);
        assert_eq!(o.tpr_at_1pct_mean, None);
    }
}
