//! One seed's stepping: the tasks a seed runs (`Task`), the state it keeps between steps
//! (`SeedState`), and `Frontier::work`, which advances one task of the current seed by one
//! bounded piece. `Frontier::step` (frontier.rs) picks the task, times it and moves on; this file
//! does the work, so the order of streams and models, and hence every number, is decided here.

use super::{Frontier, FrontierPiece, PieceRun};
use crate::attack::{self, item_vectors::ItemVectorFit, Attack};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::experiment::pipeline::{train_and_serve, Halves, Observed, SCORE_WORK, TRAIN_WORK};
use crate::experiment::sweep::SweepRun;
use crate::report::{AttackScores, Stage};
use crate::serving::Half;

/// The work of one seed, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Task {
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
    pub(super) fn timing_key(self) -> &'static str {
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

    pub(super) fn stage(self) -> Stage {
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

/// What one seed has built so far: its halves, models and attacker's side, kept between steps.
pub(super) struct SeedState {
    cfg: Config,
    /// What the seed leaves when its last task is done (`Frontier::step` takes it).
    pub(super) piece: FrontierPiece,
    halves: Option<Halves>,
    target: Option<Half>,
    shadow: Option<Half>,
    vectors: Option<ItemVectorFit>,
    attack: Option<Box<dyn Attack>>,
    /// The half of the current Train or Natural task.
    other: Option<Half>,
}

impl Frontier {
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
    pub(super) fn work(&mut self, task: Task) -> Result<(bool, f64, String)> {
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
                let (finished, within) = train_and_serve(&data, half)?;
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
                let (finished, within) = train_and_serve(&data, half)?;
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
                let (finished, within) = train_and_serve(&data, half)?;
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
