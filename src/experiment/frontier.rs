//! The privacy–utility frontier: for each defence and strength, how far the attack's ROC-AUC falls
//! and what the target recommender's recall@N pays, over seeds; next to the undefended service,
//! the popularity list's recall, and the "natural" frontier of the undefended recommender trained
//! for fewer or more epochs (less or more memorisation, no defence).
//!
//! Work is shared wherever the defence leaves it unchanged. Per seed: one split, one shadow model,
//! one set of attacker item vectors and one attack model (defences protect the target only, so
//! the attacker's side is the same for every point); one undefended target, trained once and
//! served again from its cached scores under every serving-level defence and strength; a new
//! target only for dp-sgd (which changes training) and for each natural epoch count. Every defence
//! point equals, bit for bit, a single run with that `defence`, `defence_strength` and seed: same
//! streams, same order. Strength 0 is the undefended run itself. A natural point changes only the
//! target's `epochs`: the attacker's shadow keeps the base config's, as it does for every defence
//! (the attacker imitates the service it believes it faces), so it is not a single run with
//! `epochs` set, which would retrain the shadow too.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::pipeline::{Halves, Observed, SCORE_WORK, TRAIN_WORK};
use super::sweep::{point, SweepRun};
use crate::attack::{self, item_vectors::ItemVectorFit, Attack};
use crate::config::{Config, Protocol};
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::eval::mean_std;
use crate::privacy::PrivacySpent;
use crate::recommender::RecommenderKind;
use crate::report::{AttackScores, Progress, Stage};
use crate::serving::Half;

/// The strengths a frontier takes when none are given.
pub const DEFAULT_STRENGTHS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// The epoch counts of the natural frontier when none are given.
pub const DEFAULT_NATURAL_EPOCHS: [u32; 4] = [10, 20, 40, 80];

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

/// The work of one seed, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Task {
    Split,
    /// The undefended target: trained, served with its scores kept.
    Target,
    Shadow,
    Vectors,
    /// Fits the attack, then evaluates the undefended target.
    Attack,
    /// Serves the trained target again under defence `d` at strength index `s`.
    Serve(usize, usize),
    /// Trains and serves a new target under training-level defence `d` at strength index `s`.
    Train(usize, usize),
    /// Trains and serves the undefended target for `natural[i]` epochs.
    Natural(usize),
}

impl Task {
    /// The key of `timings_ms` this task's time adds to.
    fn timing_key(self) -> &'static str {
        match self {
            Task::Split => "split",
            Task::Target => "target",
            Task::Shadow => "shadow",
            Task::Vectors => "item_vectors",
            Task::Attack => "attack_model",
            Task::Serve(..) => "serving_defences",
            Task::Train(..) => "training_defences",
            Task::Natural(_) => "natural",
        }
    }

    fn stage(self) -> Stage {
        match self {
            Task::Split => Stage::Split,
            Task::Target | Task::Train(..) | Task::Natural(_) => Stage::TargetRecommender,
            Task::Shadow => Stage::ShadowRecommender,
            Task::Vectors => Stage::ItemVectors,
            Task::Attack => Stage::AttackModel,
            Task::Serve(..) => Stage::Recommendations,
        }
    }
}

struct SeedState {
    cfg: Config,
    halves: Option<Halves>,
    target: Option<Half>,
    shadow: Option<Half>,
    vectors: Option<ItemVectorFit>,
    attack: Option<Box<dyn Attack>>,
    /// The half of the current Train or Natural task.
    other: Option<Half>,
}

/// A frontier in progress.
pub struct Frontier {
    data: Arc<Dataset>,
    base: Config,
    defences: Vec<DefenceKind>,
    strengths: Vec<f64>,
    seeds: Vec<u32>,
    natural: Vec<u32>,
    tasks: Vec<(Task, f64)>,
    seed_index: usize,
    task_index: usize,
    state: Option<SeedState>,
    /// `runs[d][s]`: per-seed results of defence d at strength s.
    runs: Vec<Vec<Vec<SweepRun>>>,
    privacy: Vec<Vec<Vec<PrivacySpent>>>,
    undefended: Vec<SweepRun>,
    popularity: Vec<f64>,
    natural_runs: Vec<Vec<SweepRun>>,
    clock: Option<Arc<dyn Fn() -> f64>>,
    timings: BTreeMap<String, f64>,
    report: Option<FrontierReport>,
}

/// Whether the algorithm's training length is the `epochs` key (what the natural frontier varies).
/// Exhaustive on purpose: a new algorithm must say. bpr and ncf count their own `bpr_epochs`, `ncf_epochs`.
fn trains_by_epochs(kind: RecommenderKind) -> bool {
    match kind {
        RecommenderKind::Lfm => true,
        RecommenderKind::ItemKnn
        | RecommenderKind::Popularity
        | RecommenderKind::Bpr
        | RecommenderKind::Ncf => false,
    }
}

impl Frontier {
    /// Checks every (defence, strength) config up front so a bad one fails before any work. The
    /// base config's own `defence` keys are ignored: the frontier sets them per point.
    pub fn new(
        data: Arc<Dataset>,
        config: Config,
        defences: &[DefenceKind],
        strengths: &[f64],
        seeds: &[u32],
        natural_epochs: &[u32],
    ) -> Result<Frontier> {
        let base = config.undefended();
        base.check()?;
        if defences.is_empty() {
            return Err(Error::config(
                "defences",
                format!(
                    "a frontier needs at least one defence (here: {})",
                    DefenceKind::applicable(&base)
                        .iter()
                        .map(|d| d.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut seen = Vec::new();
        for &d in defences {
            if d == DefenceKind::None {
                return Err(Error::config(
                    "defences",
                    "none is the undefended service, which every frontier reports as `undefended`",
                ));
            }
            if seen.contains(&d) {
                return Err(Error::config(
                    "defences",
                    format!("{} appears twice", d.id()),
                ));
            }
            seen.push(d);
            d.check_applies(base.recommender, base.protocol, base.negative_sampling)
                .map_err(|e| match e {
                    Error::Config { message, .. } => Error::config("defences", message),
                    other => other,
                })?;
        }
        if strengths.is_empty() {
            return Err(Error::config(
                "strengths",
                "a frontier needs at least one strength",
            ));
        }
        for &s in strengths {
            crate::defence::check_strength(s)
                .map_err(|_| Error::config("strengths", format!("{s} must be between 0 and 1")))?;
        }
        if seeds.is_empty() {
            return Err(Error::config("seeds", "a frontier needs at least one seed"));
        }
        for &e in natural_epochs {
            if !(1..=500).contains(&e) {
                return Err(Error::config(
                    "natural_epochs",
                    format!("{e} is out of range (allowed 1 to 500)"),
                ));
            }
        }
        for &d in defences {
            for &s in strengths {
                Self::point_config(&base, d, s).check()?;
            }
        }
        let natural: Vec<u32> = if trains_by_epochs(base.recommender) {
            natural_epochs.to_vec()
        } else {
            Vec::new()
        };
        let epoch_weight = |e: u32| f64::from(e) / f64::from(base.epochs);
        let mut tasks = vec![(Task::Split, 0.02), (Task::Target, 1.0)];
        if base.attack.needs_shadow() {
            tasks.push((Task::Shadow, 1.0));
        }
        tasks.push((Task::Vectors, 0.5));
        tasks.push((Task::Attack, 0.3));
        for (di, &d) in defences.iter().enumerate() {
            for (si, &s) in strengths.iter().enumerate() {
                if s == 0.0 {
                    continue;
                }
                if d.serving_only() {
                    tasks.push((Task::Serve(di, si), 0.1));
                } else {
                    tasks.push((Task::Train(di, si), 2.0));
                }
            }
        }
        for (i, &e) in natural.iter().enumerate() {
            if e != base.epochs {
                tasks.push((Task::Natural(i), epoch_weight(e)));
            }
        }
        let (nd, ns) = (defences.len(), strengths.len());
        Ok(Frontier {
            data,
            base,
            defences: defences.to_vec(),
            strengths: strengths.to_vec(),
            seeds: seeds.to_vec(),
            runs: vec![vec![Vec::new(); ns]; nd],
            privacy: vec![vec![Vec::new(); ns]; nd],
            natural_runs: vec![Vec::new(); natural.len()],
            natural,
            tasks,
            seed_index: 0,
            task_index: 0,
            state: None,
            undefended: Vec::new(),
            popularity: Vec::new(),
            clock: None,
            timings: BTreeMap::new(),
            report: None,
        })
    }

    /// The config of one point: the base with `defence` at `strength`.
    fn point_config(base: &Config, defence: DefenceKind, strength: f64) -> Config {
        Config {
            defence,
            defence_strength: strength,
            ..base.clone()
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> f64>) -> Self {
        self.clock = Some(clock);
        self
    }

    pub fn report(&self) -> Option<&FrontierReport> {
        self.report.as_ref()
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work.
    pub fn step(&mut self) -> Result<Progress> {
        if self.report.is_some() {
            return Ok(Progress::finished(self.seeds.len()));
        }
        let t0 = self.now();
        let (task, _) = self.tasks[self.task_index];
        let (finished, within, message) = self.work(task)?;
        let seed_index = self.seed_index;
        let total: f64 = self.tasks.iter().map(|t| t.1).sum();
        let before: f64 = self.tasks[..self.task_index].iter().map(|t| t.1).sum();
        let per_seed = (before + self.tasks[self.task_index].1 * within.clamp(0.0, 0.999)) / total;
        if finished {
            self.task_index += 1;
            if self.task_index == self.tasks.len() {
                self.task_index = 0;
                self.seed_index += 1;
                self.state = None;
            }
        }
        let spent = self.now() - t0;
        *self.timings.entry(task.timing_key().into()).or_insert(0.0) += spent;
        if self.seed_index == self.seeds.len() && self.report.is_none() {
            self.finish();
        }
        let done = self.report.is_some();
        let stage = task.stage();
        Ok(Progress {
            done,
            stage,
            stage_index: Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0),
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if done {
                1.0
            } else {
                ((seed_index as f64 + per_seed) / self.seeds.len() as f64).min(1.0)
            },
            message,
            loss: None,
            run_index: seed_index.min(self.seeds.len() - 1),
            run_count: self.seeds.len(),
        })
    }

    /// Trains (once) and serves `half` in bounded pieces: (finished, share done).
    fn train_and_serve(data: &Dataset, half: &mut Half) -> Result<(bool, f64)> {
        let finished = if !half.train_step(TRAIN_WORK)? {
            false
        } else {
            let users = half.users_per_step(SCORE_WORK);
            half.serve_step(data, users)
        };
        Ok((
            finished,
            (half.train_fraction() + half.serve_fraction()) / 2.0,
        ))
    }

    /// The attack's numbers on a served target half.
    fn evaluate(data: &Dataset, st: &SeedState, half: &Half) -> Result<SweepRun> {
        let vectors = st.vectors.as_ref().expect("vectors done").vectors();
        let obs = Observed::new(data, half, vectors, &st.cfg);
        let attack = st.attack.as_ref().expect("attack built");
        let scores = attack.score(&obs.input(data));
        let threshold = attack.threshold(&scores);
        let eval = AttackScores::evaluate(&scores, &obs.labels, threshold)?;
        Ok(SweepRun {
            seed: st.cfg.seed,
            roc_auc: eval.roc.auc(),
            tpr_at_fpr: eval.tpr_at_fpr(),
            balanced_accuracy: eval.at.balanced_accuracy,
            recall_at_n: half.utility().recall_at_n,
        })
    }

    /// Works on `task` of the current seed: (finished, share done, message).
    fn work(&mut self, task: Task) -> Result<(bool, f64, String)> {
        let data = self.data.clone();
        if self.state.is_none() {
            let cfg = Config {
                seed: self.seeds[self.seed_index],
                ..self.base.clone()
            };
            self.state = Some(SeedState {
                attack: Some(attack::build(cfg.attack, &cfg)),
                cfg,
                halves: None,
                target: None,
                shadow: None,
                vectors: None,
                other: None,
            });
        }
        let st = self.state.as_mut().expect("set above");
        let seed = st.cfg.seed;
        Ok(match task {
            Task::Split => {
                let halves = Halves::split(&data, &st.cfg)?;
                let mut target = halves.target_half(&st.cfg, st.cfg.recommender);
                target.keep_scores();
                st.target = Some(target);
                if st.cfg.attack.needs_shadow() {
                    st.shadow = Some(halves.shadow_half(&st.cfg, st.cfg.shadow_kind()));
                }
                st.halves = Some(halves);
                (true, 1.0, format!("seed {seed}: split"))
            }
            Task::Target | Task::Shadow => {
                let (half, side) = if task == Task::Target {
                    (st.target.as_mut(), "target")
                } else {
                    (st.shadow.as_mut(), "shadow")
                };
                let half = half.expect("split done");
                let (finished, within) = Self::train_and_serve(&data, half)?;
                let (status, _) = half.train_status();
                (
                    finished,
                    within,
                    format!("seed {seed}: {side} {}: {status}", half.kind.id()),
                )
            }
            Task::Vectors => {
                if st.vectors.is_none() {
                    let halves = st.halves.as_ref().expect("split done");
                    st.vectors = Some(halves.item_vectors(&data, &st.cfg));
                }
                let v = st.vectors.as_mut().expect("set above");
                let finished = v.step(TRAIN_WORK);
                let (status, _) = v.status();
                (
                    finished,
                    v.fraction(),
                    format!("seed {seed}: item vectors {status}"),
                )
            }
            Task::Attack => {
                let mut finished = true;
                let mut within = 1.0;
                if let Some(shadow) = st.shadow.as_ref() {
                    let vectors = st.vectors.as_ref().expect("vectors done").vectors();
                    let obs = Observed::new(&data, shadow, vectors, &st.cfg);
                    let attack = st.attack.as_mut().expect("attack built");
                    finished = attack.fit_step(&obs.input(&data), &obs.labels);
                    within = attack.fit_fraction();
                }
                if finished {
                    let target = st.target.as_ref().expect("target served");
                    let run = Self::evaluate(&data, st, target)?;
                    let u = target.utility();
                    self.popularity.push(u.popularity_recall_at_n);
                    self.undefended.push(run.clone());
                    // Strength 0 of every defence is the undefended service itself.
                    for runs in self.runs.iter_mut() {
                        for (si, r) in runs.iter_mut().enumerate() {
                            if self.strengths[si] == 0.0 {
                                r.push(run.clone());
                            }
                        }
                    }
                }
                (
                    finished,
                    within,
                    format!("seed {seed}: attack model, then the undefended target"),
                )
            }
            Task::Serve(di, si) => {
                let (d, s) = (self.defences[di], self.strengths[si]);
                let target = st.target.as_mut().expect("target trained");
                if target.is_served() {
                    target.reserve(&Self::point_config(&st.cfg, d, s))?;
                }
                // Scores are cached: a step can serve many more users than scoring would allow.
                let users = target.users_per_step(SCORE_WORK) * 4;
                let finished = target.serve_step(&data, users);
                let within = target.serve_fraction();
                if finished {
                    let target = st.target.as_ref().expect("target trained");
                    let run = Self::evaluate(&data, st, target)?;
                    self.runs[di][si].push(run);
                }
                (
                    finished,
                    within,
                    format!("seed {seed}: {} at strength {s}", d.id()),
                )
            }
            Task::Train(di, si) => {
                let (d, s) = (self.defences[di], self.strengths[si]);
                if st.other.is_none() {
                    let cfg = Self::point_config(&st.cfg, d, s);
                    let halves = st.halves.as_ref().expect("split done");
                    st.other = Some(halves.target_half(&cfg, cfg.recommender));
                }
                let half = st.other.as_mut().expect("set above");
                let (finished, within) = Self::train_and_serve(&data, half)?;
                let (status, _) = half.train_status();
                if finished {
                    let half = st.other.take().expect("set above");
                    let run = Self::evaluate(&data, st, &half)?;
                    self.runs[di][si].push(run);
                    self.privacy[di][si].extend(half.privacy());
                }
                (
                    finished,
                    within,
                    format!("seed {seed}: {} at strength {s}: {status}", d.id()),
                )
            }
            Task::Natural(i) => {
                let epochs = self.natural[i];
                if st.other.is_none() {
                    let cfg = Config {
                        epochs,
                        ..st.cfg.clone()
                    };
                    let halves = st.halves.as_ref().expect("split done");
                    st.other = Some(halves.target_half(&cfg, cfg.recommender));
                }
                let half = st.other.as_mut().expect("set above");
                let (finished, within) = Self::train_and_serve(&data, half)?;
                let (status, _) = half.train_status();
                if finished {
                    let half = st.other.take().expect("set above");
                    let run = Self::evaluate(&data, st, &half)?;
                    self.natural_runs[i].push(run);
                }
                (
                    finished,
                    within,
                    format!("seed {seed}: undefended, {epochs} epochs: {status}"),
                )
            }
        })
    }

    fn finish(&mut self) {
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
                        let p = point(s, self.runs[di][si].clone());
                        let privacy = self.privacy[di][si].clone();
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
        let u = point(0.0, self.undefended.clone());
        let undefended = Undefended {
            roc_auc_mean: u.roc_auc_mean,
            roc_auc_std: u.roc_auc_std,
            tpr_at_1pct_mean: u.tpr_at_1pct_mean,
            recall_at_n_mean: u.recall_at_n_mean,
            runs: u.runs,
        };
        let natural: Vec<NaturalPoint> = self
            .natural
            .iter()
            .zip(&self.natural_runs)
            .map(|(&epochs, runs)| {
                // The base epoch count is the undefended run itself.
                let runs = if epochs == self.base.epochs {
                    self.undefended.clone()
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
        let popularity_recall_at_n = mean_std(&self.popularity).0;
        let mut report = FrontierReport {
            defences: curves,
            undefended,
            popularity_recall_at_n,
            natural,
            notes: Vec::new(),
            strengths: self.strengths.clone(),
            seeds: self.seeds.clone(),
            config: self.base.clone(),
            timings_ms: {
                let mut t = self.timings.clone();
                t.insert("total".into(), self.timings.values().sum());
                t
            },
        };
        report.notes = notes(&report);
        self.report = Some(report);
    }
}

/// One-line findings from the report's own numbers (means over its seeds).
pub fn notes(r: &FrontierReport) -> Vec<String> {
    let mut out = Vec::new();
    let u = &r.undefended;
    let pop = r.popularity_recall_at_n;
    let n = r.config.top_n;
    let popular = r.config.protocol == Protocol::Popular;
    for c in &r.defences {
        let d = c.defence.id();
        let active: Vec<&FrontierPoint> = c.points.iter().filter(|p| p.strength > 0.0).collect();
        let Some(strongest) = active
            .iter()
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
        else {
            out.push(format!(
                "{d}: only strength 0 was run, which is the undefended service"
            ));
            continue;
        };
        let recall_same = active
            .iter()
            .all(|p| p.recall_at_n_mean == u.recall_at_n_mean);
        let recall_text = if recall_same {
            format!(
                "member recall@{n} unchanged ({:.4}) at every strength",
                u.recall_at_n_mean
            )
        } else {
            format!(
                "member recall@{n} {:.4} → {:.4}",
                u.recall_at_n_mean, strongest.recall_at_n_mean
            )
        };
        let verb = if strongest.roc_auc_mean < u.roc_auc_mean {
            "fell"
        } else {
            "rose"
        };
        out.push(format!(
            "{d}: {recall_text} while ROC-AUC {verb} from {:.3} to {:.3} at strength {} ({} {})",
            u.roc_auc_mean,
            strongest.roc_auc_mean,
            strongest.strength,
            c.parameter,
            fmt_value(strongest.parameter_value)
        ));
        if let Some(low) = active
            .iter()
            .min_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
            .filter(|p| p.strength != strongest.strength && p.roc_auc_mean < strongest.roc_auc_mean)
        {
            out.push(format!(
                "{d}: the lowest ROC-AUC, {:.3}, came at strength {}, not at the strongest setting",
                low.roc_auc_mean, low.strength
            ));
        }
        if let Some(up) = active
            .iter()
            .filter(|p| p.roc_auc_mean > u.roc_auc_mean)
            .max_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
        {
            let why = if popular {
                ": members' lists moved further from the popularity list every non-member gets"
            } else {
                ""
            };
            out.push(format!(
                "{d}: ROC-AUC rose above the undefended {:.3} to {:.3} at strength {}{why}",
                u.roc_auc_mean, up.roc_auc_mean, up.strength
            ));
        }
        if let Some(flip) = active
            .iter()
            .filter(|p| p.roc_auc_mean < 0.45)
            .min_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
        {
            out.push(format!(
                "{d}: ROC-AUC {:.3} at strength {} is below 0.5: the attack, trained on an undefended shadow, ranks members below non-members; an attacker who knew the defence could flip its scores (ROC-AUC {:.3})",
                flip.roc_auc_mean,
                flip.strength,
                1.0 - flip.roc_auc_mean
            ));
        }
        if let Some(below) = c
            .points
            .iter()
            .filter(|p| p.strength > 0.0 && p.recall_at_n_mean < pop)
            .min_by(|a, b| a.strength.total_cmp(&b.strength))
        {
            out.push(format!(
                "{d}: from strength {} recall@{n} ({:.4}) is below the plain popularity list's ({pop:.4}): the defended service is worse than not personalising",
                below.strength, below.recall_at_n_mean
            ));
        }
        if c.defence == DefenceKind::DpSgd {
            out.extend(dp_notes(c, strongest, popular));
        }
    }
    let base_epochs = r.config.epochs;
    for nat in r.natural.iter().filter(|p| p.epochs != base_epochs) {
        if nat.roc_auc_mean < u.roc_auc_mean && nat.recall_at_n_mean > u.recall_at_n_mean {
            out.push(format!(
                "natural: {} epochs instead of {base_epochs} give both a lower ROC-AUC ({:.3} vs {:.3}) and a higher recall@{n} ({:.4} vs {:.4}): the undefended setting is not on the frontier",
                nat.epochs, nat.roc_auc_mean, u.roc_auc_mean, nat.recall_at_n_mean, u.recall_at_n_mean
            ));
            continue;
        }
        if nat.roc_auc_mean >= u.roc_auc_mean {
            out.push(format!(
                "natural: {} epochs instead of {base_epochs} give ROC-AUC {:.3} and recall@{n} {:.4}",
                nat.epochs, nat.roc_auc_mean, nat.recall_at_n_mean
            ));
            continue;
        }
        let best = r
            .defences
            .iter()
            .flat_map(|c| c.points.iter().map(move |p| (c.defence.id(), p)))
            .filter(|(_, p)| p.strength > 0.0 && p.roc_auc_mean <= nat.roc_auc_mean)
            .max_by(|a, b| a.1.recall_at_n_mean.total_cmp(&b.1.recall_at_n_mean));
        let cmp = match best {
            Some((d, p)) => format!(
                "the defence point with ROC-AUC at most that and the best recall is {d} at strength {} (ROC-AUC {:.3}, recall {:.4})",
                p.strength, p.roc_auc_mean, p.recall_at_n_mean
            ),
            None => "no defence point reached a ROC-AUC that low".to_string(),
        };
        out.push(format!(
            "natural: {} epochs instead of {base_epochs} give ROC-AUC {:.3} and recall@{n} {:.4}; {cmp}",
            nat.epochs, nat.roc_auc_mean, nat.recall_at_n_mean
        ));
    }
    out
}

/// What the DP guarantee says about the measured attack.
fn dp_notes(c: &DefenceCurve, strongest: &FrontierPoint, popular: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = strongest.privacy.first() else {
        return out;
    };
    let eps = strongest.epsilon_mean.unwrap_or(first.epsilon);
    // (ε, δ)-DP bounds any test: TPR ≤ e^ε·FPR + δ.
    let bound = (libm::exp(eps) * 0.01 + first.delta).min(1.0);
    let bound_text = if bound >= 1.0 {
        "allows any TPR at 1% FPR: no practical bound".to_string()
    } else {
        format!("bounds TPR at 1% FPR by {bound:.3}")
    };
    out.push(format!(
        "dp-sgd at strength {} (noise multiplier {}): ε = {eps:.2} at δ = {:.1e}, which {bound_text}; measured TPR at 1% FPR {:.3}",
        strongest.strength,
        fmt_value(strongest.parameter_value),
        first.delta,
        strongest.tpr_at_1pct_mean
    ));
    if popular {
        out.push(format!(
            "dp-sgd: under protocol popular ROC-AUC stays at {:.3} at ε = {eps:.2}: members get personal lists and non-members the popularity list, which tells them apart whatever ε",
            strongest.roc_auc_mean
        ));
    } else if let Some(loose) = c
        .points
        .iter()
        .filter(|p| p.strength > 0.0 && p.roc_auc_mean < 0.55)
        .filter(|p| p.epsilon_mean.is_some_and(|e| libm::exp(e) * 0.01 >= 1.0))
        .min_by(|a, b| a.strength.total_cmp(&b.strength))
    {
        out.push(format!(
            "dp-sgd: ROC-AUC is already {:.3} at strength {} where ε = {:.1} promises nothing: the drop is what noise, clipping and refitting members like new users do to this model, not something ε guarantees",
            loose.roc_auc_mean,
            loose.strength,
            loose.epsilon_mean.unwrap_or(f64::NAN)
        ));
    }
    out
}

/// A parameter value in short form (3 significant digits).
fn fmt_value(v: f64) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}
