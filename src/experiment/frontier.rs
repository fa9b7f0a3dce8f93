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
//!
//! A `Frontier` runs a list of seeds, each through a list of tasks: the whole job (every seed,
//! every task), or one unit of it for a pool of workers (`Frontier::unit`: one seed and a part of
//! its tasks, plus the attacker's side it needs). Either way each seed leaves a `FrontierPiece`,
//! and the report is `FrontierSlots::aggregate` of the pieces (frontier_report.rs).

use std::sync::Arc;

use super::pipeline::{Halves, Observed, SCORE_WORK, TRAIN_WORK};
use super::sweep::SweepRun;
use crate::attack::{self, item_vectors::ItemVectorFit, Attack};
use crate::config::Config;
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;
use crate::report::{AttackScores, Progress, Stage};
use crate::serving::Half;

/// The strengths a frontier takes when none are given.
pub const DEFAULT_STRENGTHS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// The epoch counts of the natural frontier when none are given.
pub const DEFAULT_NATURAL_EPOCHS: [u32; 4] = [10, 20, 40, 80];

mod parts;

pub use super::frontier_notes::notes;
pub use super::frontier_report::{
    DefenceCurve, FrontierPiece, FrontierPoint, FrontierReport, FrontierSlots, NaturalPoint,
    PieceRun, Undefended,
};
pub use parts::FrontierPart;

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
    piece: FrontierPiece,
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
    /// Every task of one seed, with its share of the seed's work.
    all_tasks: Vec<(Task, f64)>,
    /// The tasks this frontier runs per seed (all of them, or a unit's).
    tasks: Vec<(Task, f64)>,
    /// The seed indices this frontier runs (all of them, or a unit's one).
    order: Vec<usize>,
    /// Position in `order`.
    seed_index: usize,
    task_index: usize,
    state: Option<SeedState>,
    /// One piece per finished seed.
    pieces: Vec<FrontierPiece>,
    /// Whether this is a unit: it ends with its piece, not a report.
    unit: bool,
    clock: Option<Arc<dyn Fn() -> f64>>,
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
        Ok(Frontier {
            data,
            base,
            defences: defences.to_vec(),
            strengths: strengths.to_vec(),
            order: (0..seeds.len()).collect(),
            seeds: seeds.to_vec(),
            natural,
            all_tasks: tasks.clone(),
            tasks,
            seed_index: 0,
            task_index: 0,
            state: None,
            pieces: Vec::new(),
            unit: false,
            clock: None,
            report: None,
        })
    }

    /// Whether every seed of this frontier (or unit) has finished.
    pub fn is_done(&self) -> bool {
        self.seed_index == self.order.len()
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
        if self.is_done() {
            return Ok(Progress::finished(self.seeds.len()));
        }
        let t0 = self.now();
        let (task, _) = self.tasks[self.task_index];
        let (finished, within, message) = self.work(task)?;
        let position = self.seed_index;
        let global_seed = self.order[position];
        let total: f64 = self.tasks.iter().map(|t| t.1).sum();
        let before: f64 = self.tasks[..self.task_index].iter().map(|t| t.1).sum();
        let per_seed = (before + self.tasks[self.task_index].1 * within.clamp(0.0, 0.999)) / total;
        let spent = self.now() - t0;
        let st = self.state.as_mut().expect("work() keeps the seed's state");
        *st.piece
            .timings_ms
            .entry(task.timing_key().into())
            .or_insert(0.0) += spent;
        if finished {
            self.task_index += 1;
            if self.task_index == self.tasks.len() {
                self.task_index = 0;
                self.seed_index += 1;
                let st = self.state.take().expect("a seed was in progress");
                self.pieces.push(st.piece);
            }
        }
        if self.is_done() && !self.unit && self.report.is_none() {
            self.report = Some(self.aggregate(&self.pieces)?);
        }
        let done = self.is_done();
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
                ((position as f64 + per_seed) / self.order.len() as f64).min(1.0)
            },
            message,
            loss: None,
            run_index: global_seed,
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
            let seed_index = self.order[self.seed_index];
            let cfg = Config {
                seed: self.seeds[seed_index],
                ..self.base.clone()
            };
            self.state = Some(SeedState {
                piece: FrontierPiece::new(seed_index),
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
                // A unit without the undefended target (one training-level or natural point)
                // does not build it; its own half comes from the same split.
                if self.tasks.iter().any(|t| t.0 == Task::Target) {
                    let mut target = halves.target_half(&st.cfg, st.cfg.recommender);
                    target.keep_scores();
                    st.target = Some(target);
                }
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
                if let (true, Some(target)) = (finished, st.target.as_ref()) {
                    let run = Self::evaluate(&data, st, target)?;
                    let u = target.utility();
                    st.piece.undefended = Some((run, u.popularity_recall_at_n));
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
                    st.piece.points.push(PieceRun {
                        defence: di,
                        strength: si,
                        run,
                        privacy: Vec::new(),
                    });
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
                    st.piece.points.push(PieceRun {
                        defence: di,
                        strength: si,
                        run,
                        privacy: half.privacy().into_iter().collect(),
                    });
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
                    st.piece.natural.push((i, run));
                }
                (
                    finished,
                    within,
                    format!("seed {seed}: undefended, {epochs} epochs: {status}"),
                )
            }
        })
    }
}
