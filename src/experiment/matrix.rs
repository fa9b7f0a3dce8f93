//! The transfer matrix: does an attack trained on one algorithm's shadow model work against another
//! algorithm's target? For each seed, every algorithm is trained once on the shadow half and once
//! on the target half, the attacker's item vectors are fitted once, one attack model is fitted per
//! shadow algorithm, and it scores every target algorithm's users. Cell (s, t) equals, bit for bit,
//! a single run with `shadow_recommender` s and `recommender` t (same streams, same order).

use std::sync::Arc;

pub use super::matrix_report::{Cell, CellRun, MatrixReport, MatrixUtility, SeedOutcome};
use super::matrix_train::matrix_key;
use super::pipeline::{self, train_and_serve, Halves, Observed, TRAIN_WORK};
use super::served::{ServedCache, ServedHalf};
use crate::attack::{self, item_vectors::ItemVectorFit, Attack};
use crate::config::{Config, ShadowRecommender};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;
use crate::report::{Progress, Stage};
use crate::serving::Half;

/// Most algorithms a matrix may hold (every one MemberLens has).
pub const MAX_RECOMMENDERS: usize = RecommenderKind::ALL.len();

/// The work of one seed, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Task {
    Split,
    Target(usize),
    Shadow(usize),
    Vectors,
    Attack(usize),
}

struct SeedState {
    cfg: Config,
    outcome: SeedOutcome,
    halves: Option<Halves>,
    /// The half in training (of the current Target/Shadow task).
    training: Option<Half>,
    /// Served halves, in algorithm order, as their tasks finish.
    targets: Vec<ServedHalf>,
    shadows: Vec<ServedHalf>,
    vectors: Option<ItemVectorFit>,
    target_obs: Vec<Observed>,
    attack: Option<Box<dyn Attack>>,
}

/// A transfer matrix in progress.
pub struct Matrix {
    data: Arc<Dataset>,
    base: Config,
    kinds: Vec<RecommenderKind>,
    seeds: Vec<u32>,
    tasks: Vec<Task>,
    seed_index: usize,
    task_index: usize,
    state: Option<SeedState>,
    /// The finished seeds, in seed order.
    outcomes: Vec<SeedOutcome>,
    clock: Option<Arc<dyn Fn() -> f64>>,
    spent_ms: f64,
    report: Option<MatrixReport>,
    /// Where a pool's training units left each algorithm's lists (experiment::matrix_train).
    cache: Option<Arc<ServedCache>>,
}

/// A finished half of the seed, in algorithm order; a target's utility is the seed's recall.
fn push_served(st: &mut SeedState, target: bool, half: ServedHalf) {
    if target {
        let u = &half.utility;
        st.outcome
            .recalls
            .push((u.recall_at_n, u.popularity_recall_at_n));
        st.targets.push(half);
    } else {
        st.shadows.push(half);
    }
}

impl Matrix {
    pub fn new(
        data: Arc<Dataset>,
        base: Config,
        kinds: &[RecommenderKind],
        seeds: &[u32],
    ) -> Result<Matrix> {
        crate::full::required("a transfer matrix")?;
        base.check()?;
        if !base.attack.needs_shadow() {
            return Err(Error::config(
                "attack",
                format!(
                    "the matrix needs an attack trained on a shadow model (mlp); '{}' uses none, so every row would be the same",
                    base.attack.id()
                ),
            ));
        }
        if kinds.is_empty() {
            return Err(Error::config(
                "recommenders",
                "a matrix needs at least one recommender",
            ));
        }
        let mut sorted = kinds.to_vec();
        crate::order::sort_by(&mut sorted, Ord::cmp);
        sorted.dedup();
        if sorted.len() != kinds.len() {
            return Err(Error::config(
                "recommenders",
                "each recommender may appear only once",
            ));
        }
        if seeds.is_empty() {
            return Err(Error::config("seeds", "a matrix needs at least one seed"));
        }
        let n = kinds.len();
        let mut tasks = vec![Task::Split];
        tasks.extend((0..n).map(Task::Target));
        tasks.extend((0..n).map(Task::Shadow));
        tasks.push(Task::Vectors);
        tasks.extend((0..n).map(Task::Attack));
        Ok(Matrix {
            data,
            base,
            kinds: kinds.to_vec(),
            seeds: seeds.to_vec(),
            tasks,
            seed_index: 0,
            task_index: 0,
            state: None,
            outcomes: Vec::new(),
            clock: None,
            spent_ms: 0.0,
            report: None,
            cache: None,
        })
    }

    /// Takes each algorithm's served halves from `cache` when a training unit left them there
    /// (`matrix_train::matrix_key`) instead of training them; the numbers are the same.
    pub fn with_cache(mut self, cache: Arc<ServedCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> f64>) -> Self {
        self.clock = Some(clock);
        self
    }

    pub fn report(&self) -> Option<&MatrixReport> {
        self.report.as_ref()
    }

    /// The matrix's config with seed `seed_index` (what each of its runs is trained with).
    pub fn seed_config(&self, seed_index: usize) -> Config {
        Config {
            seed: self.seeds[seed_index],
            ..self.base.clone()
        }
    }

    /// The seeds, in order.
    pub fn seeds(&self) -> &[u32] {
        &self.seeds
    }

    /// The finished seeds' outcomes, in seed order (all of them once the matrix is done).
    pub fn outcomes(&self) -> &[SeedOutcome] {
        &self.outcomes
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work.
    pub fn step(&mut self) -> Result<Progress> {
        crate::full::required("a transfer matrix")?;
        if self.report.is_some() {
            return Ok(Progress::finished(self.seeds.len()));
        }
        let t0 = self.now();
        let task = self.tasks[self.task_index];
        let (finished, within, message) = self.work(task)?;
        let seed_index = self.seed_index;
        if finished {
            self.task_index += 1;
            if self.task_index == self.tasks.len() {
                self.task_index = 0;
                self.seed_index += 1;
                let st = self.state.take().expect("a seed was in progress");
                self.outcomes.push(st.outcome);
            }
        }
        self.spent_ms += self.now() - t0;
        if self.seed_index == self.seeds.len() && self.report.is_none() {
            self.finish();
        }
        let done = self.report.is_some();
        let stage = match task {
            Task::Split => Stage::Split,
            Task::Target(_) => Stage::TargetRecommender,
            Task::Shadow(_) => Stage::ShadowRecommender,
            Task::Vectors => Stage::ItemVectors,
            Task::Attack(_) => Stage::AttackModel,
        };
        let per_seed = (self.task_index as f64 + within.min(0.999)) / self.tasks.len() as f64;
        Ok(Progress {
            done,
            stage,
            stage_index: Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0),
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if done {
                1.0
            } else {
                ((seed_index as f64 + if finished { 0.0 } else { per_seed })
                    / self.seeds.len() as f64)
                    .min(1.0)
            },
            message,
            loss: None,
            run_index: seed_index.min(self.seeds.len() - 1),
            run_count: self.seeds.len(),
        })
    }

    /// Works on `task` of the current seed: (finished, share done, message).
    fn work(&mut self, task: Task) -> Result<(bool, f64, String)> {
        let data = self.data.clone();
        if self.state.is_none() {
            let cfg = self.seed_config(self.seed_index);
            self.state = Some(SeedState {
                cfg,
                outcome: SeedOutcome {
                    cells: Vec::new(),
                    recalls: Vec::new(),
                },
                halves: None,
                training: None,
                targets: Vec::new(),
                shadows: Vec::new(),
                vectors: None,
                target_obs: Vec::new(),
                attack: None,
            });
        }
        let kinds = self.kinds.clone();
        let st = self.state.as_mut().expect("set above");
        Ok(match task {
            Task::Split => {
                st.halves = Some(Halves::split(&data, &st.cfg)?);
                (true, 1.0, format!("seed {}: split", st.cfg.seed))
            }
            Task::Target(i) | Task::Shadow(i) => {
                let target = matches!(task, Task::Target(_));
                let side = if target { "target" } else { "shadow" };
                // At the task's start: this algorithm's half from a training unit, if one left it.
                let cached = match (&self.cache, &st.training) {
                    (Some(c), None) => c.get(&matrix_key(&st.cfg, kinds[i])),
                    _ => None,
                };
                let (finished, within, status) = match cached {
                    Some(served) => {
                        let half = if target {
                            &served.target
                        } else {
                            served.shadow.as_ref().ok_or_else(|| {
                                Error::State("a matrix entry without its shadow half".into())
                            })?
                        };
                        push_served(st, target, half.clone());
                        (true, 1.0, "trained by another unit".to_string())
                    }
                    None => {
                        let halves = st.halves.as_ref().expect("split done");
                        let half = st.training.get_or_insert_with(|| {
                            if target {
                                halves.target_half(&st.cfg, kinds[i])
                            } else {
                                halves.shadow_half(&st.cfg, kinds[i])
                            }
                        });
                        let (finished, within) = train_and_serve(&data, half)?;
                        let status = half.train_status().0;
                        if finished {
                            let half = st.training.take().expect("in training");
                            push_served(st, target, ServedHalf::of(&half));
                        }
                        (finished, within, status)
                    }
                };
                (
                    finished,
                    within,
                    format!("seed {}: {side} {}: {status}", st.cfg.seed, kinds[i].id()),
                )
            }
            Task::Vectors => {
                if st.vectors.is_none() {
                    let halves = st.halves.as_ref().expect("split done");
                    st.vectors = Some(halves.item_vectors(&data, &st.cfg));
                }
                let v = st.vectors.as_mut().expect("set above");
                let finished = v.step(TRAIN_WORK);
                if finished {
                    let vectors = v.vectors();
                    st.target_obs = st
                        .targets
                        .iter()
                        .map(|h| Observed::served(&data, h, vectors, &st.cfg))
                        .collect();
                }
                let (status, _) = v.status();
                (
                    finished,
                    v.fraction(),
                    format!("seed {}: item vectors {status}", st.cfg.seed),
                )
            }
            Task::Attack(s) => {
                let vectors = st.vectors.as_ref().expect("vectors done").vectors();
                let h = &st.shadows[s];
                let shadow = Observed::served(&data, h, vectors, &st.cfg);
                let attack = st
                    .attack
                    .get_or_insert_with(|| attack::build(st.cfg.attack, &st.cfg.attack_params()));
                let finished = attack.fit_step(&shadow.input(&data), &shadow.labels);
                let within = attack.fit_fraction();
                if finished {
                    // The baselines are oriented on the same shadow the attack learnt from.
                    let mut baselines = pipeline::baselines(&st.cfg);
                    pipeline::orient_on_shadow(&mut baselines, &data, &shadow);
                    // Attack(s) tasks come in shadow order, targets in order within: row-major.
                    let counts = &st.halves.as_ref().expect("split done").counts;
                    for (t, obs) in st.target_obs.iter().enumerate() {
                        let e = pipeline::evaluate_all(
                            &data,
                            &st.cfg,
                            attack.as_ref(),
                            &baselines,
                            obs,
                        )?;
                        // The warnings of a single run with this cell's algorithms.
                        let cell_cfg = Config {
                            recommender: kinds[t],
                            shadow_recommender: ShadowRecommender::Kind(kinds[s]),
                            ..st.cfg.clone()
                        };
                        let warnings = pipeline::warnings_of(
                            &cell_cfg,
                            counts,
                            &st.targets[t].utility,
                            Some(&st.shadows[s].utility),
                            &e,
                        );
                        st.outcome.cells.push(CellRun {
                            seed: st.cfg.seed,
                            roc_auc: e.headline.eval.roc.auc(),
                            tpr_at_fpr: e.headline.eval.tpr_at_fpr(),
                            ci95: e.headline.summary.ci95,
                            strongest: e.strongest,
                            warnings,
                        });
                    }
                    st.attack = None;
                }
                (
                    finished,
                    within,
                    format!(
                        "seed {}: attack trained on {} shadow",
                        st.cfg.seed,
                        kinds[s].id()
                    ),
                )
            }
        })
    }

    fn finish(&mut self) {
        self.report = Some(self.aggregate(&self.outcomes, self.spent_ms));
    }

    /// The report of this matrix from one outcome per seed, in seed order (however they were
    /// computed: stepped here, or one single-seed matrix per seed in parallel by
    /// `experiment::parallel`). `spent_ms` is the summed time.
    pub fn aggregate(&self, outcomes: &[SeedOutcome], spent_ms: f64) -> MatrixReport {
        super::matrix_report::aggregate(&self.kinds, &self.seeds, &self.base, outcomes, spent_ms)
    }
}
