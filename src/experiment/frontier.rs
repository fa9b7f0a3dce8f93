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
//!
//! This file owns the frontier's set-up (the checks, the task list) and `step`, which times a task
//! and moves from task to task and seed to seed; what each task does is in frontier/seed.rs, the
//! split into parts for a pool in frontier/parts.rs.

use std::sync::Arc;

use crate::config::Config;
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;
use crate::report::{Progress, Stage};

/// The strengths a frontier takes when none are given.
pub const DEFAULT_STRENGTHS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// The epoch counts of the natural frontier when none are given.
pub const DEFAULT_NATURAL_EPOCHS: [u32; 4] = [10, 20, 40, 80];

mod parts;
mod seed;

pub use super::frontier_notes::notes;
pub use super::frontier_report::{
    DefenceCurve, FrontierPiece, FrontierPoint, FrontierReport, FrontierSlots, NaturalPoint,
    PieceRun, Undefended,
};
pub use parts::FrontierPart;
use seed::{SeedState, Task};

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
}
