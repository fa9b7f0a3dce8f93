//! What a transfer matrix reports (experiment::matrix): each (shadow, target) cell's runs, means
//! and spread over the seeds, each target algorithm's usefulness, and the aggregation of one
//! outcome per seed into that report (the same for the stepped matrix and for units run apart).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::eval::mean_std;
use crate::recommender::RecommenderKind;

/// One (shadow, target) pair of one seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRun {
    pub seed: u32,
    pub roc_auc: f64,
    pub tpr_at_fpr: BTreeMap<String, f64>,
}

/// One (shadow, target) pair over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub shadow: RecommenderKind,
    pub target: RecommenderKind,
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub tpr_at_1pct_mean: f64,
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
            let aucs: Vec<f64> = runs.iter().map(|r| r.roc_auc).collect();
            let tprs: Vec<f64> = runs.iter().map(|r| r.tpr_at_fpr["0.01"]).collect();
            let (roc_auc_mean, roc_auc_std) = mean_std(&aucs);
            cells.push(Cell {
                shadow,
                target,
                roc_auc_mean,
                roc_auc_std,
                tpr_at_1pct_mean: mean_std(&tprs).0,
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
    MatrixReport {
        recommenders: kinds.to_vec(),
        seeds: seeds.to_vec(),
        config: base.clone(),
        cells,
        utility,
        timings_ms: BTreeMap::from([("total".to_string(), spent_ms)]),
    }
}
