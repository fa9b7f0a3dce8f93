//! What a run reports: progress while it works, and the full result when done (the JSON the CLI
//! prints with `--json` and the page puts in `#results`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attack::{AttackFit, AttackKind, Orientation};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::eval::bootstrap::{measurable, Ci95, CI_FPR};
use crate::eval::utility::Utility;
use crate::eval::{at_threshold, roc_curve, AtThreshold, Roc};
use crate::privacy::PrivacySpent;
use crate::split::Counts;

/// The low false-positive rates every result reports TPR at (keys of `tpr_at_fpr`). A TPR at an
/// FPR the run cannot measure (below 1 / non-members) is `null` (`eval::bootstrap::measurable`).
pub const FPR_KEYS: [(&str, f64); 2] = [("0.01", 0.01), ("0.001", 0.001)];

/// TPR at each FPR key, `null` where it cannot be measured.
pub type TprAtFpr = BTreeMap<String, Option<f64>>;

/// The pipeline's stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Split,
    TargetRecommender,
    ShadowRecommender,
    Recommendations,
    ItemVectors,
    Features,
    AttackModel,
    Evaluation,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Split,
        Stage::TargetRecommender,
        Stage::ShadowRecommender,
        Stage::Recommendations,
        Stage::ItemVectors,
        Stage::Features,
        Stage::AttackModel,
        Stage::Evaluation,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Split => "split",
            Stage::TargetRecommender => "target_recommender",
            Stage::ShadowRecommender => "shadow_recommender",
            Stage::Recommendations => "recommendations",
            Stage::ItemVectors => "item_vectors",
            Stage::Features => "features",
            Stage::AttackModel => "attack_model",
            Stage::Evaluation => "evaluation",
        }
    }

    /// Rough share of a default run's time, so the overall progress bar moves evenly.
    fn weight(self) -> f64 {
        match self {
            Stage::Split | Stage::Features | Stage::Evaluation => 0.01,
            Stage::TargetRecommender | Stage::ShadowRecommender => 0.2,
            Stage::Recommendations => 0.12,
            Stage::ItemVectors => 0.4,
            Stage::AttackModel => 0.05,
        }
    }

    /// Share of the run done once this stage is `within` done.
    pub fn overall(self, within: f64) -> f64 {
        let total: f64 = Stage::ALL.iter().map(|s| s.weight()).sum();
        let before: f64 = Stage::ALL
            .iter()
            .take_while(|&&s| s != self)
            .map(|s| s.weight())
            .sum();
        ((before + self.weight() * within.clamp(0.0, 1.0)) / total).min(1.0)
    }
}

/// What one `step()` reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: bool,
    pub stage: Stage,
    pub stage_index: usize,
    pub stage_count: usize,
    /// Share of the current stage done.
    pub stage_fraction: f64,
    /// Share of the whole job (all runs of a sweep) done.
    pub fraction: f64,
    pub message: String,
    /// Latest training loss of the current stage, if it trains something.
    pub loss: Option<f64>,
    pub run_index: usize,
    pub run_count: usize,
}

impl Progress {
    /// What `step()` says once a job with `run_count` runs is over.
    pub fn finished(run_count: usize) -> Progress {
        Progress {
            done: true,
            stage: Stage::Evaluation,
            stage_index: Stage::ALL.len() - 1,
            stage_count: Stage::ALL.len(),
            stage_fraction: 1.0,
            fraction: 1.0,
            message: "done".into(),
            loss: None,
            run_index: run_count.saturating_sub(1),
            run_count,
        }
    }
}

/// Both recommenders' utility (no shadow model for a shadow-free attack: `null`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecommenderReport {
    pub target: Utility,
    pub shadow: Option<Utility>,
}

/// Every metric of one set of attack scores against the truth, computed once for every attack.
#[derive(Clone, Debug, PartialEq)]
pub struct AttackScores {
    pub roc: Roc,
    pub at: AtThreshold,
    /// How many non-members were scored: what decides which TPRs are measurable.
    pub non_members: usize,
}

/// One attack's numbers on the attacked users (`baselines.*` in the run result; `ci95` from
/// `eval::bootstrap`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackSummary {
    pub roc_auc: f64,
    pub tpr_at_fpr: TprAtFpr,
    pub attacker_advantage: f64,
    pub ci95: Ci95,
    /// How the attack's direction was fixed (on the attacker's own data, never the labels).
    pub oriented_on: Orientation,
    /// true when that turned the statistic's usual direction round.
    pub flipped: bool,
}

/// The shadow-free baselines' numbers keep their schema-2 name.
pub type BaselineReport = AttackSummary;

/// The strongest of the attacks a run ran: the highest ROC-AUC, each attack oriented on data the
/// attacker holds (ties: the first in `AttackKind::ALL`). What every headline and takeaway uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Strongest {
    pub attack: AttackKind,
    pub roc_auc: f64,
    /// `null` when 1 % FPR cannot be measured.
    pub tpr_at_1pct: Option<f64>,
    pub ci95: Ci95,
}

impl AttackScores {
    /// Refuses non-finite scores: a NaN would make every number after it meaningless.
    pub fn evaluate(scores: &[f64], labels: &[bool], threshold: f64) -> Result<AttackScores> {
        if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
            return Err(Error::Data(format!(
                "attack score of target user {i} is {} (not finite): the attack model diverged; lower attack_lr",
                scores[i]
            )));
        }
        Ok(AttackScores {
            roc: roc_curve(scores, labels),
            at: at_threshold(scores, labels, threshold),
            non_members: labels.iter().filter(|&&l| !l).count(),
        })
    }

    /// The TPR at `fpr`, or `None` when this many non-members cannot measure it.
    pub fn tpr_at(&self, fpr: f64) -> Option<f64> {
        measurable(fpr, self.non_members).then(|| self.roc.tpr_at_fpr(fpr))
    }

    pub fn tpr_at_fpr(&self) -> TprAtFpr {
        FPR_KEYS
            .iter()
            .map(|(k, f)| (k.to_string(), self.tpr_at(*f)))
            .collect()
    }

    /// The TPR at 1 % FPR (`null` when not measurable).
    pub fn tpr_at_1pct(&self) -> Option<f64> {
        self.tpr_at(CI_FPR)
    }

    pub fn summary(&self, ci95: Ci95, orientation: (Orientation, bool)) -> AttackSummary {
        AttackSummary {
            roc_auc: self.roc.auc(),
            tpr_at_fpr: self.tpr_at_fpr(),
            attacker_advantage: self.roc.advantage(),
            ci95,
            oriented_on: orientation.0,
            flipped: orientation.1,
        }
    }
}

/// The result of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub roc_auc: f64,
    /// Keys "0.01" and "0.001": the highest TPR with FPR at most that value; `null` where this
    /// run's non-members cannot measure it (fewer than 1 / FPR of them).
    pub tpr_at_fpr: TprAtFpr,
    /// Bootstrap 95 % intervals of the run's attack (`eval::bootstrap`).
    pub ci95: Ci95,
    /// How the run's attack's direction was fixed, and whether that turned it round.
    pub oriented_on: Orientation,
    pub flipped: bool,
    /// The strongest attack this run ran (its own and the baselines): the number every headline
    /// and takeaway uses.
    pub strongest: Strongest,
    /// 1 / number of target non-members: the smallest FPR other than 0 this run can measure.
    pub min_nonzero_fpr: f64,
    pub balanced_accuracy: f64,
    pub attacker_advantage: f64,
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub roc: Roc,
    pub recommender: RecommenderReport,
    /// The MLP attack's fit on the shadow half (`null` for shadow-free attacks).
    pub attack: Option<AttackFit>,
    /// The shadow-free attacks on the same target lists, keyed by name (`distance`, `overlap`,
    /// `new-user-list`, and under fold-in `reference-list`): does the headline attack beat them?
    pub baselines: BTreeMap<String, AttackSummary>,
    pub counts: Counts,
    pub config: Config,
    pub timings_ms: BTreeMap<String, f64>,
    /// One-line warnings about numbers that mean little (see `eval::warnings`); empty when sound.
    pub warnings: Vec<String>,
    /// What DP training of the target spent: `{epsilon, delta, noise_multiplier, sampling_rate,
    /// steps, covers, audit}` with defence dp-sgd at a strength above 0 (`covers`: what ε is a
    /// guarantee about, see `defence::dp_training`; `audit`: the one-run audit's lower bound,
    /// `defence::audit`); for an undefended run with `audit: always`, epsilon `null` (none) and the
    /// audit; `null` otherwise.
    pub privacy: Option<PrivacySpent>,
    /// The sentences this run teaches, from its numbers (`eval::takeaways::run`).
    pub takeaways: Vec<String>,
}

impl RunReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        headline: AttackScores,
        summary: AttackSummary,
        strongest: Strongest,
        min_nonzero_fpr: f64,
        recommender: RecommenderReport,
        attack: Option<AttackFit>,
        baselines: BTreeMap<String, AttackSummary>,
        counts: Counts,
        config: Config,
        timings_ms: BTreeMap<String, f64>,
    ) -> RunReport {
        RunReport {
            roc_auc: headline.roc.auc(),
            tpr_at_fpr: headline.tpr_at_fpr(),
            ci95: summary.ci95,
            oriented_on: summary.oriented_on,
            flipped: summary.flipped,
            strongest,
            min_nonzero_fpr,
            balanced_accuracy: headline.at.balanced_accuracy,
            attacker_advantage: headline.roc.advantage(),
            accuracy: headline.at.accuracy,
            precision: headline.at.precision,
            recall: headline.at.recall,
            roc: headline.roc,
            recommender,
            attack,
            baselines,
            counts,
            config,
            timings_ms,
            warnings: Vec::new(),
            privacy: None,
            takeaways: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_progress_runs_from_zero_to_one_in_stage_order() {
        assert_eq!(Stage::Split.overall(0.0), 0.0);
        assert!((Stage::Evaluation.overall(1.0) - 1.0).abs() < 1e-12);
        let starts: Vec<f64> = Stage::ALL.iter().map(|s| s.overall(0.0)).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Stage::ItemVectors.id(), "item_vectors");
        assert!(Progress::finished(3).done);
    }
}
