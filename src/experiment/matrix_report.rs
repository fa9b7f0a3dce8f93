//! What a transfer matrix reports (experiment::matrix): each (shadow, target) cell's runs, means
//! and spread over the seeds, each target algorithm's usefulness, and the aggregation of one
//! outcome per seed into that report (the same for the stepped matrix and for units run apart).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::eval::bootstrap::Ci95;
use crate::eval::mean_std;
use crate::eval::seeds::{over_seeds, OverSeeds, SeedRun};
use crate::recommender::RecommenderKind;
use crate::report::{Strongest, TprAtFpr};

/// One (shadow, target) pair of one seed: the attack trained on the shadow algorithm, and the
/// strongest of it and the baselines (oriented on that shadow).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRun {
    pub seed: u32,
    pub roc_auc: f64,
    pub tpr_at_fpr: TprAtFpr,
    pub ci95: Ci95,
    pub strongest: Strongest,
    /// The warnings a single run with this cell's settings would give.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl SeedRun for CellRun {
    fn roc_auc(&self) -> f64 {
        self.roc_auc
    }
    fn tpr_at_1pct(&self) -> Option<f64> {
        self.tpr_at_fpr.get("0.01").copied().flatten()
    }
    fn ci95(&self) -> &Ci95 {
        &self.ci95
    }
    fn strongest(&self) -> &Strongest {
        &self.strongest
    }
}

/// One (shadow, target) pair over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub shadow: RecommenderKind,
    pub target: RecommenderKind,
    #[serde(flatten)]
    pub over: OverSeeds,
    /// The warnings of its runs, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
    pub runs: Vec<CellRun>,
}

/// Each target algorithm's usefulness over the seeds (member recall@N on held-out items).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixUtility {
    pub recommender: RecommenderKind,
    pub recall_at_n_mean: f64,
    pub popularity_recall_at_n_mean: f64,
}

/// The result of a matrix job: `cells` row by row (shadow), then column (target).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixReport {
    pub recommenders: Vec<RecommenderKind>,
    pub seeds: Vec<u32>,
    pub config: Config,
    pub cells: Vec<Cell>,
    pub utility: Vec<MatrixUtility>,
    pub timings_ms: BTreeMap<String, f64>,
    /// The sentences this matrix teaches, from its numbers (`eval::takeaways::matrix`).
    pub takeaways: Vec<String>,
    /// Every cell run's warnings, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
}

/// What one seed of a matrix produced: cell runs row by row (shadow), then column (target), and
/// each target algorithm's (recall@N, popularity recall@N).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOutcome {
    pub(super) cells: Vec<CellRun>,
    pub(super) recalls: Vec<(f64, f64)>,
}

impl SeedOutcome {
    /// The cell runs (row-major) and each target's (recall@N, popularity recall@N).
    pub fn numbers(&self) -> (&[CellRun], &[(f64, f64)]) {
        (&self.cells, &self.recalls)
    }
}

/// The report of a matrix of `kinds` over `seeds` from one outcome per seed, in seed order
/// (however they were computed: stepped, or as units in parallel). `spent_ms` is the summed time.
pub(super) fn aggregate(
    kinds: &[RecommenderKind],
    seeds: &[u32],
    base: &Config,
    outcomes: &[SeedOutcome],
    spent_ms: f64,
) -> MatrixReport {
    debug_assert_eq!(outcomes.len(), seeds.len());
    let n = kinds.len();
    let mut cells = Vec::new();
    for (s, &shadow) in kinds.iter().enumerate() {
        for (t, &target) in kinds.iter().enumerate() {
            let runs: Vec<CellRun> = outcomes
                .iter()
                .map(|o| o.cells[s * n + t].clone())
                .collect();
            cells.push(Cell {
                shadow,
                target,
                over: over_seeds(&runs),
                warnings: crate::eval::warnings::merge(
                    runs.iter().map(|r| r.warnings.as_slice()),
                    runs.len(),
                ),
                runs,
            });
        }
    }
    let utility = kinds
        .iter()
        .enumerate()
        .map(|(i, &recommender)| {
            let r: Vec<(f64, f64)> = outcomes.iter().map(|o| o.recalls[i]).collect();
            MatrixUtility {
                recommender,
                recall_at_n_mean: mean_std(&r.iter().map(|x| x.0).collect::<Vec<_>>()).0,
                popularity_recall_at_n_mean: mean_std(&r.iter().map(|x| x.1).collect::<Vec<_>>()).0,
            }
        })
        .collect();
    let mut report = MatrixReport {
        recommenders: kinds.to_vec(),
        seeds: seeds.to_vec(),
        config: base.clone(),
        cells,
        utility,
        timings_ms: BTreeMap::from([("total".to_string(), spent_ms)]),
        takeaways: Vec::new(),
        warnings: Vec::new(),
    };
    let all: Vec<&CellRun> = report.cells.iter().flat_map(|c| &c.runs).collect();
    report.warnings =
        crate::eval::warnings::merge(all.iter().map(|r| r.warnings.as_slice()), all.len());
    report.takeaways = crate::eval::takeaways::matrix(&report);
    report
}
