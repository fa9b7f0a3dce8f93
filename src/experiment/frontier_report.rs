//! The frontier's report and how it is put together from pieces: a `FrontierPiece` is what one
//! unit of work produced for one slot (a panel's protocol and a seed: the undefended run, some
//! defence points, some natural points); `FrontierSlots::aggregate` puts every slot's pieces into
//! their fixed places, panel by panel, and computes the means. The stepped `Frontier` and the
//! parallel units (experiment::units) both end here, so a report is bit-identical however its
//! pieces were computed and in whatever order they finished.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sweep::{point, SweepRun};
use crate::config::{Config, Init, Protocol};
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::eval::mean_std;
use crate::eval::seeds::OverSeeds;
use crate::privacy::PrivacySpent;

/// One strength of one defence, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    pub strength: f64,
    /// The defence's own parameter at this strength (named by the curve's `parameter`).
    pub parameter_value: f64,
    /// The run's attack (the MLP of an attacker who knows the defence) and the strongest attack.
    #[serde(flatten)]
    pub over: OverSeeds,
    /// The naive attacker's ROC-AUC (an MLP trained on an undefended shadow), mean over seeds.
    pub naive_roc_auc_mean: f64,
    pub recall_at_n_mean: f64,
    pub recall_at_n_std: f64,
    /// The warnings of its runs, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
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
    #[serde(flatten)]
    pub over: OverSeeds,
    pub recall_at_n_mean: f64,
    pub warnings: Vec<String>,
    pub runs: Vec<SweepRun>,
}

/// The undefended recommender trained for `epochs` epochs, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaturalPoint {
    pub epochs: u32,
    /// The initial factors it trained from (`init`): the natural curve is drawn under both.
    pub init: Init,
    #[serde(flatten)]
    pub over: OverSeeds,
    pub recall_at_n_mean: f64,
    pub warnings: Vec<String>,
    pub runs: Vec<SweepRun>,
}

/// One protocol's frontier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierPanel {
    pub protocol: Protocol,
    pub defences: Vec<DefenceCurve>,
    pub undefended: Undefended,
    /// Mean recall@N of the plain popularity list: a defended service below it is worse than not
    /// personalising at all.
    pub popularity_recall_at_n: f64,
    /// Empty when the recommender does not train by epochs (item-knn, popularity).
    pub natural: Vec<NaturalPoint>,
    /// One sentence the chart shows, when the panel's numbers call for one (under `popular`: why
    /// a defence that leaves non-members' lists alone cannot lower the strongest attack).
    pub chart_note: Option<String>,
    /// Short findings (at most 6), written from this panel's numbers.
    pub notes: Vec<String>,
}

/// The result of a frontier job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierReport {
    pub panels: Vec<FrontierPanel>,
    pub strengths: Vec<f64>,
    pub seeds: Vec<u32>,
    /// The undefended base config (its `defence` keys are set per point, its `protocol` per panel).
    pub config: Config,
    pub timings_ms: BTreeMap<String, f64>,
    /// Every run's warnings, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
}

/// One defence point of one slot, as a piece carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceRun {
    /// Index into the panel's defences.
    pub defence: usize,
    /// Index into the frontier's strengths (never a strength-0 one: that is the undefended run).
    pub strength: usize,
    pub run: SweepRun,
    pub privacy: Vec<PrivacySpent>,
}

/// What one unit of frontier work produced for one slot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierPiece {
    /// The slot: panel-major index of (protocol, seed).
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
    pub fn new(slot: usize) -> FrontierPiece {
        FrontierPiece {
            seed_index: slot,
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
    pub protocols: &'a [Protocol],
    /// Per panel, its defences.
    pub defences: &'a [Vec<DefenceKind>],
    pub strengths: &'a [f64],
    pub seeds: &'a [u32],
    /// The natural points actually run, (epochs, init) (empty for algorithms that do not train
    /// by epochs).
    pub natural: &'a [(u32, Init)],
}

fn mean_of(runs: &[SweepRun], f: impl Fn(&SweepRun) -> f64) -> f64 {
    mean_std(&runs.iter().map(f).collect::<Vec<_>>()).0
}

impl FrontierSlots<'_> {
    /// The report from every slot's pieces. Pieces may come in any order: they are placed by slot
    /// (stable within a slot), and every place must then hold exactly one run per seed.
    pub fn aggregate(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        self.collect(pieces, false)
    }

    /// The frontier so far, from the pieces of the units finished yet (the page draws it while
    /// the rest run): a panel once its undefended runs are in, with the points whose every seed
    /// is in; no notes (they read the whole panel). Each point shown has its final numbers.
    pub fn aggregate_so_far(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        self.collect(pieces, true)
    }

    fn collect(&self, pieces: &[FrontierPiece], so_far: bool) -> Result<FrontierReport> {
        crate::full::required("a frontier")?;
        let n = self.seeds.len();
        let slots = self.protocols.len() * n;
        let mut order: Vec<&FrontierPiece> = pieces.iter().collect();
        crate::order::sort_by_key(&mut order, |p| p.seed_index);
        let missing = |what: String| Error::State(format!("frontier pieces: {what}"));
        for p in &order {
            if p.seed_index >= slots {
                return Err(missing(format!("slot {} out of range", p.seed_index)));
            }
        }
        let mut timings: BTreeMap<String, f64> = BTreeMap::new();
        for p in &order {
            for (k, v) in &p.timings_ms {
                *timings.entry(k.clone()).or_insert(0.0) += v;
            }
        }
        let mut panels = Vec::new();
        for (pi, &protocol) in self.protocols.iter().enumerate() {
            let mine: Vec<&FrontierPiece> = order
                .iter()
                .copied()
                .filter(|p| p.seed_index / n == pi)
                .collect();
            if let Some(p) = self.panel(pi, protocol, &mine, &missing, so_far)? {
                panels.push(p);
            }
        }
        // Each run once: strength 0 and the base epoch count are the undefended run itself.
        let base_epochs = self.base.epochs;
        let all: Vec<&SweepRun> = panels
            .iter()
            .flat_map(|p: &FrontierPanel| {
                let curves = p
                    .defences
                    .iter()
                    .flat_map(|c| &c.points)
                    .filter(|q| q.strength > 0.0)
                    .flat_map(|q| &q.runs);
                let natural = p
                    .natural
                    .iter()
                    .filter(|q| q.epochs != base_epochs)
                    .flat_map(|q| &q.runs);
                p.undefended.runs.iter().chain(curves).chain(natural)
            })
            .collect();
        let warnings =
            crate::eval::warnings::merge(all.iter().map(|r| r.warnings.as_slice()), all.len());
        Ok(FrontierReport {
            panels,
            strengths: self.strengths.to_vec(),
            seeds: self.seeds.to_vec(),
            config: self.base.clone(),
            timings_ms: {
                let total = timings.values().sum();
                timings.insert("total".into(), total);
                timings
            },
            warnings,
        })
    }

    fn panel(
        &self,
        pi: usize,
        protocol: Protocol,
        pieces: &[&FrontierPiece],
        missing: &dyn Fn(String) -> Error,
        so_far: bool,
    ) -> Result<Option<FrontierPanel>> {
        let defences = &self.defences[pi];
        let (nd, ns, nn) = (defences.len(), self.strengths.len(), self.natural.len());
        let mut runs: Vec<Vec<Vec<SweepRun>>> = vec![vec![Vec::new(); ns]; nd];
        let mut privacy: Vec<Vec<Vec<PrivacySpent>>> = vec![vec![Vec::new(); ns]; nd];
        let mut undefended = Vec::new();
        let mut popularity = Vec::new();
        let mut natural_runs: Vec<Vec<SweepRun>> = vec![Vec::new(); nn];
        for p in pieces {
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
        }
        let n = self.seeds.len();
        let complete = undefended.len() == n
            && runs.iter().flatten().all(|r| r.len() == n)
            && self.natural.iter().zip(&natural_runs).all(|(&e, r)| {
                r.len()
                    == if e == (self.base.epochs, self.base.init) {
                        0
                    } else {
                        n
                    }
            });
        if so_far && undefended.len() < n {
            return Ok(None);
        }
        if !complete && !so_far {
            return Err(missing(format!(
                "not every point has one run per seed ({n} seeds)"
            )));
        }
        let curves: Vec<DefenceCurve> = defences
            .iter()
            .enumerate()
            .map(|(di, &d)| DefenceCurve {
                defence: d,
                parameter: d.parameter(0.0).0.to_string(),
                points: self
                    .strengths
                    .iter()
                    .enumerate()
                    .filter(|&(si, _)| runs[di][si].len() == n)
                    .map(|(si, &s)| {
                        let p = point(s, runs[di][si].clone());
                        let privacy = privacy[di][si].clone();
                        let eps: Vec<f64> = privacy.iter().map(|p| p.epsilon).collect();
                        FrontierPoint {
                            strength: s,
                            parameter_value: d.parameter(s).1,
                            naive_roc_auc_mean: mean_of(&p.runs, |r| {
                                r.naive_roc_auc.unwrap_or(r.roc_auc)
                            }),
                            over: p.over,
                            recall_at_n_mean: p.recall_at_n_mean,
                            recall_at_n_std: p.recall_at_n_std,
                            warnings: p.warnings,
                            epsilon_mean: (!eps.is_empty()).then(|| mean_std(&eps).0),
                            runs: p.runs,
                            privacy,
                        }
                    })
                    .collect(),
            })
            .collect();
        let u = point(0.0, undefended.clone());
        let natural: Vec<NaturalPoint> = self
            .natural
            .iter()
            .zip(&natural_runs)
            .filter_map(|(&(epochs, init), runs)| {
                // The base epoch count under the base init is the undefended run itself.
                let runs = if (epochs, init) == (self.base.epochs, self.base.init) {
                    undefended.clone()
                } else {
                    runs.clone()
                };
                if runs.len() < n {
                    return None; // so far: not every seed of it is in
                }
                let p = point(f64::from(epochs), runs);
                Some(NaturalPoint {
                    epochs,
                    init,
                    over: p.over,
                    recall_at_n_mean: p.recall_at_n_mean,
                    warnings: p.warnings,
                    runs: p.runs,
                })
            })
            .collect();
        let mut panel = FrontierPanel {
            protocol,
            defences: curves,
            undefended: Undefended {
                over: u.over,
                recall_at_n_mean: u.recall_at_n_mean,
                warnings: u.warnings,
                runs: u.runs,
            },
            popularity_recall_at_n: mean_std(&popularity).0,
            natural,
            chart_note: None,
            notes: Vec::new(),
        };
        if !so_far {
            let (chart_note, notes) = super::frontier_notes::notes(&panel, self.base);
            panel.chart_note = chart_note;
            panel.notes = notes;
        }
        Ok(Some(panel))
    }
}
