//! The frontier's report and how it is put together from pieces: a `FrontierPiece` is what one
//! unit of work produced for one seed (the undefended run, some defence points, some natural
//! points); `FrontierSlots::aggregate` puts every seed's pieces into their fixed places and
//! computes the means. The stepped `Frontier` and the parallel units (experiment::units) both
//! end here, so a report is bit-identical however its pieces were computed and in whatever order
//! they finished.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sweep::{point, SweepRun};
use crate::config::Config;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::eval::mean_std;
use crate::privacy::PrivacySpent;

/// One strength of one defence, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    pub strength: f64,
    /// The defence's own parameter at this strength (named by the curve's `parameter`).
    pub parameter_value: f64,
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub tpr_at_1pct_mean: f64,
    pub tpr_at_1pct_std: f64,
    pub recall_at_n_mean: f64,
    pub recall_at_n_std: f64,
    /// Mean ε over seeds (dp-sgd above strength 0; `null` otherwise).
    pub epsilon_mean: Option<f64>,
    pub runs: Vec<SweepRun>,
    /// What DP training spent, one per seed (dp-sgd above strength 0; empty otherwise).
    pub privacy: Vec<PrivacySpent>,
}

/// One defence's points, by strength.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DefenceCurve {
    pub defence: DefenceKind,
    /// Name of the defence's own parameter (`alpha`, `replaced_share`, `relative_sigma`,
    /// `noise_multiplier`).
    pub parameter: String,
    pub points: Vec<FrontierPoint>,
}

/// The undefended service over all seeds (also every curve's strength-0 point).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Undefended {
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub tpr_at_1pct_mean: f64,
    pub recall_at_n_mean: f64,
    pub runs: Vec<SweepRun>,
}

/// The undefended recommender trained for `epochs` epochs, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaturalPoint {
    pub epochs: u32,
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub tpr_at_1pct_mean: f64,
    pub recall_at_n_mean: f64,
    pub runs: Vec<SweepRun>,
}

/// The result of a frontier job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierReport {
    pub defences: Vec<DefenceCurve>,
    pub undefended: Undefended,
    /// Mean recall@N of the plain popularity list: a defended service below it is worse than not
    /// personalising at all.
    pub popularity_recall_at_n: f64,
    /// Empty when the recommender does not train by epochs (item-knn, popularity).
    pub natural: Vec<NaturalPoint>,
    /// One-line findings, written from this run's numbers.
    pub notes: Vec<String>,
    pub strengths: Vec<f64>,
    pub seeds: Vec<u32>,
    /// The undefended base config (its `defence` keys are set per point).
    pub config: Config,
    pub timings_ms: BTreeMap<String, f64>,
}

/// One defence point of one seed, as a piece carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceRun {
    /// Index into the frontier's defences.
    pub defence: usize,
    /// Index into the frontier's strengths (never a strength-0 one: that is the undefended run).
    pub strength: usize,
    pub run: SweepRun,
    pub privacy: Vec<PrivacySpent>,
}

/// What one unit of frontier work produced for one seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierPiece {
    /// Index into the frontier's seeds.
    pub seed_index: usize,
    /// The undefended run and the popularity list's recall@N (the unit that trained the
    /// undefended target), else `None`.
    pub undefended: Option<(SweepRun, f64)>,
    pub points: Vec<PieceRun>,
    /// (index into the natural epoch counts, run).
    pub natural: Vec<(usize, SweepRun)>,
    /// Time spent per task kind (`split`, `target`, …).
    pub timings_ms: BTreeMap<String, f64>,
}

impl FrontierPiece {
    pub fn new(seed_index: usize) -> FrontierPiece {
        FrontierPiece {
            seed_index,
            undefended: None,
            points: Vec::new(),
            natural: Vec::new(),
            timings_ms: BTreeMap::new(),
        }
    }
}

/// What the aggregation needs to know of the frontier: its axes.
pub struct FrontierSlots<'a> {
    pub base: &'a Config,
    pub defences: &'a [DefenceKind],
    pub strengths: &'a [f64],
    pub seeds: &'a [u32],
    /// The natural epoch counts actually run (empty for algorithms that do not train by epochs).
    pub natural: &'a [u32],
}

impl FrontierSlots<'_> {
    /// The report from every seed's pieces. Pieces may come in any order: they are placed by seed
    /// index (stable within a seed), and every slot must then hold exactly one run per seed.
    pub fn aggregate(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        let (nd, ns, nn) = (
            self.defences.len(),
            self.strengths.len(),
            self.natural.len(),
        );
        let mut order: Vec<&FrontierPiece> = pieces.iter().collect();
        order.sort_by_key(|p| p.seed_index);
        let mut runs: Vec<Vec<Vec<SweepRun>>> = vec![vec![Vec::new(); ns]; nd];
        let mut privacy: Vec<Vec<Vec<PrivacySpent>>> = vec![vec![Vec::new(); ns]; nd];
        let mut undefended = Vec::new();
        let mut popularity = Vec::new();
        let mut natural_runs: Vec<Vec<SweepRun>> = vec![Vec::new(); nn];
        let mut timings: BTreeMap<String, f64> = BTreeMap::new();
        let missing = |what: String| Error::State(format!("frontier pieces: {what}"));
        for p in &order {
            if p.seed_index >= self.seeds.len() {
                return Err(missing(format!("seed index {} out of range", p.seed_index)));
            }
            if let Some((run, pop)) = &p.undefended {
                undefended.push(run.clone());
                popularity.push(*pop);
                // Strength 0 of every defence is the undefended service itself.
                for r in runs.iter_mut() {
                    for (si, list) in r.iter_mut().enumerate() {
                        if self.strengths[si] == 0.0 {
                            list.push(run.clone());
                        }
                    }
                }
            }
            for pr in &p.points {
                if pr.defence >= nd || pr.strength >= ns || self.strengths[pr.strength] == 0.0 {
                    return Err(missing(format!(
                        "no slot for defence {} strength {}",
                        pr.defence, pr.strength
                    )));
                }
                runs[pr.defence][pr.strength].push(pr.run.clone());
                privacy[pr.defence][pr.strength].extend(pr.privacy.iter().copied());
            }
            for (i, run) in &p.natural {
                let list = natural_runs
                    .get_mut(*i)
                    .ok_or_else(|| missing(format!("natural index {i} out of range")))?;
                list.push(run.clone());
            }
            for (k, v) in &p.timings_ms {
                *timings.entry(k.clone()).or_insert(0.0) += v;
            }
        }
        let n = self.seeds.len();
        let complete = undefended.len() == n
            && runs.iter().flatten().all(|r| r.len() == n)
            && self
                .natural
                .iter()
                .zip(&natural_runs)
                .all(|(&e, r)| r.len() == if e == self.base.epochs { 0 } else { n });
        if !complete {
            return Err(missing(format!(
                "not every point has one run per seed ({n} seeds)"
            )));
        }
        let curves: Vec<DefenceCurve> = self
            .defences
            .iter()
            .enumerate()
            .map(|(di, &d)| DefenceCurve {
                defence: d,
                parameter: d.parameter(0.0).0.to_string(),
                points: self
                    .strengths
                    .iter()
                    .enumerate()
                    .map(|(si, &s)| {
                        let p = point(s, runs[di][si].clone());
                        let privacy = privacy[di][si].clone();
                        let eps: Vec<f64> = privacy.iter().map(|p| p.epsilon).collect();
                        FrontierPoint {
                            strength: s,
                            parameter_value: d.parameter(s).1,
                            roc_auc_mean: p.roc_auc_mean,
                            roc_auc_std: p.roc_auc_std,
                            tpr_at_1pct_mean: p.tpr_at_1pct_mean,
                            tpr_at_1pct_std: p.tpr_at_1pct_std,
                            recall_at_n_mean: p.recall_at_n_mean,
                            recall_at_n_std: p.recall_at_n_std,
                            epsilon_mean: (!eps.is_empty()).then(|| mean_std(&eps).0),
                            runs: p.runs,
                            privacy,
                        }
                    })
                    .collect(),
            })
            .collect();
        let u = point(0.0, undefended.clone());
        let undefended_point = Undefended {
            roc_auc_mean: u.roc_auc_mean,
            roc_auc_std: u.roc_auc_std,
            tpr_at_1pct_mean: u.tpr_at_1pct_mean,
            recall_at_n_mean: u.recall_at_n_mean,
            runs: u.runs,
        };
        let natural: Vec<NaturalPoint> = self
            .natural
            .iter()
            .zip(&natural_runs)
            .map(|(&epochs, runs)| {
                // The base epoch count is the undefended run itself.
                let runs = if epochs == self.base.epochs {
                    undefended.clone()
                } else {
                    runs.clone()
                };
                let p = point(f64::from(epochs), runs);
                NaturalPoint {
                    epochs,
                    roc_auc_mean: p.roc_auc_mean,
                    roc_auc_std: p.roc_auc_std,
                    tpr_at_1pct_mean: p.tpr_at_1pct_mean,
                    recall_at_n_mean: p.recall_at_n_mean,
                    runs: p.runs,
                }
            })
            .collect();
        let mut report = FrontierReport {
            defences: curves,
            undefended: undefended_point,
            popularity_recall_at_n: mean_std(&popularity).0,
            natural,
            notes: Vec::new(),
            strengths: self.strengths.to_vec(),
            seeds: self.seeds.to_vec(),
            config: self.base.clone(),
            timings_ms: {
                let total = timings.values().sum();
                timings.insert("total".into(), total);
                timings
            },
        };
        report.notes = super::frontier_notes::notes(&report);
        Ok(report)
    }
}
