//! One slot's stepping (a panel's protocol and one seed): the tasks a slot runs (`Task`), the state
//! it keeps between steps (`SeedState`), and `Frontier::work`, which advances one task by one
//! bounded piece. `Frontier::step` (frontier.rs) picks the task, times it and moves on; this file
//! does the work, so the order of streams and models, and hence every number, is decided here.
//!
//! A defence point goes through three phases: its halves (the target served — or trained — under
//! the defence, and with an attacker who knows it the shadow too), the attacker's fit (a new MLP on
//! the defended shadow, the baselines oriented on it), and the evaluation (every attack on the
//! target, and the naive MLP of the undefended shadow beside them).

use super::{Frontier, FrontierPiece, PieceRun};
use crate::attack::{self, item_vectors::ItemVectorFit, Attack, AttackKind};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::experiment::pipeline::{
    baselines, evaluate_all, orient_on_shadow, serve_and_probe, train_and_serve, warnings_of,
    Halves, Observed, TRAIN_WORK,
};
use crate::experiment::sweep::SweepRun;
use crate::report::Stage;
use crate::serving::Half;

/// The work of one slot, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Task {
    Split,
    /// The undefended target: trained, served with its scores kept.
    Target,
    Shadow,
    Vectors,
    /// Fits the attack on the undefended shadow, then evaluates the undefended target.
    Attack,
    /// Serves the trained target (and the attacker's shadow) again under defence `d` at strength
    /// index `s`.
    Serve(usize, usize),
    /// Trains and serves a new target (and shadow) under training-level defence `d` at strength
    /// index `s`.
    Train(usize, usize),
    /// Trains and serves the undefended target (and shadow) at `natural[i]`: (epochs, init).
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

type Baselines = Vec<(AttackKind, Box<dyn Attack>)>;

/// The point in progress: its halves (the slot's own, served again, or new ones), its attacker.
struct PointState {
    cfg: Config,
    /// New halves of a Train or Natural point (a Serve point uses the slot's).
    target: Option<Half>,
    shadow: Option<Half>,
    /// The attack fitted on this point's defended shadow (adaptive attacker), once begun.
    attack: Option<Box<dyn Attack>>,
    baselines: Option<Baselines>,
    halves_done: bool,
}

/// What one slot has built so far, kept between steps.
pub(super) struct SeedState {
    cfg: Config,
    /// What the slot leaves when its last task is done (`Frontier::step` takes it).
    pub(super) piece: FrontierPiece,
    halves: Option<Halves>,
    target: Option<Half>,
    shadow: Option<Half>,
    vectors: Option<ItemVectorFit>,
    /// The attack of the undefended shadow: the naive attacker's (and every point's when the
    /// attacker does not know the defence).
    naive: Option<Box<dyn Attack>>,
    naive_baselines: Baselines,
    point: Option<PointState>,
}

impl Frontier {
    /// Whether this slot's attacker imitates each defence.
    fn adaptive(cfg: &Config) -> bool {
        cfg.attack.needs_shadow() && cfg.attacker_knows_defence
    }

    /// Works on `task` of the current slot: (finished, share done, message).
    pub(super) fn work(&mut self, task: Task) -> Result<(bool, f64, String)> {
        let data = self.data.clone();
        if self.state.is_none() {
            let slot = self.order[self.slot_index];
            let (panel, seed_index) = self.slot(slot);
            let cfg = Config {
                seed: self.seeds[seed_index],
                protocol: self.protocols[panel],
                ..self.base.clone()
            };
            self.state = Some(SeedState {
                piece: FrontierPiece::new(slot),
                naive: Some(attack::build(cfg.attack, &cfg.attack_params())),
                naive_baselines: baselines(&cfg),
                cfg,
                halves: None,
                target: None,
                shadow: None,
                vectors: None,
                point: None,
            });
        }
        let slot = self.order[self.slot_index];
        let panel = self.slot(slot).0;
        let defences = self.defences[panel].clone();
        let has_target = self.tasks_of(panel).iter().any(|t| t.0 == Task::Target);
        let st = self.state.as_mut().expect("set above");
        let seed = st.cfg.seed;
        let p = super::protocol_id(st.cfg.protocol);
        Ok(match task {
            Task::Split => {
                let halves = Halves::split(&data, &st.cfg)?;
                // A unit without the undefended target (one training-level or natural point)
                // does not build the slot's target; its own halves come from the same split.
                if has_target {
                    let mut target = halves.target_half(&st.cfg, st.cfg.recommender);
                    target.keep_scores();
                    st.target = Some(target);
                }
                if st.cfg.attack.needs_shadow() {
                    let mut shadow = halves.shadow_half(&st.cfg, st.cfg.shadow_kind());
                    shadow.keep_scores();
                    st.shadow = Some(shadow);
                }
                st.halves = Some(halves);
                (true, 1.0, format!("{p}, seed {seed}: split"))
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
                    format!("{p}, seed {seed}: {side} {}: {status}", half.kind.id()),
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
                    format!("{p}, seed {seed}: item vectors {status}"),
                )
            }
            Task::Attack => {
                let mut finished = true;
                let mut within = 1.0;
                if let Some(shadow) = st.shadow.as_ref() {
                    let vectors = st.vectors.as_ref().expect("vectors done").vectors();
                    let obs = Observed::new(&data, shadow, vectors, &st.cfg);
                    let attack = st.naive.as_mut().expect("attack built");
                    finished = attack.fit_step(&obs.input(&data), &obs.labels);
                    within = attack.fit_fraction();
                    if finished {
                        orient_on_shadow(&mut st.naive_baselines, &data, &obs);
                    }
                }
                if let (true, Some(target)) = (finished, st.target.as_ref()) {
                    let run = evaluate(&data, st, &st.cfg, target, st.shadow.as_ref(), None)?;
                    let u = target.utility();
                    st.piece.undefended = Some((run, u.popularity_recall_at_n));
                }
                (
                    finished,
                    within,
                    format!("{p}, seed {seed}: attack model, then the undefended target"),
                )
            }
            Task::Serve(di, si) | Task::Train(di, si) => {
                let (d, s) = (defences[di], self.strengths[si]);
                let cfg = Self::point_config(&st.cfg, d, s);
                let (finished, within) =
                    point_step(&data, st, cfg, matches!(task, Task::Train(..)))?;
                if let Some(run) = finished {
                    let privacy = run.1;
                    st.piece.points.push(PieceRun {
                        defence: di,
                        strength: si,
                        run: run.0,
                        privacy,
                    });
                }
                (
                    within >= 1.0,
                    within.min(1.0),
                    format!("{p}, seed {seed}: {} at strength {s}", d.id()),
                )
            }
            Task::Natural(i) => {
                let (epochs, init) = self.natural[i];
                let cfg = Config {
                    epochs,
                    init,
                    ..st.cfg.clone()
                };
                let (finished, within) = point_step(&data, st, cfg, true)?;
                if let Some((run, _)) = finished {
                    st.piece.natural.push((i, run));
                }
                (
                    within >= 1.0,
                    within.min(1.0),
                    format!(
                        "{p}, seed {seed}: undefended, {epochs} epochs, {} factors",
                        init.id()
                    ),
                )
            }
        })
    }
}

/// Every attack's numbers on a served target half: the point's attack and baselines (`point`,
/// else the slot's naive ones), and the naive MLP beside them when they differ.
fn evaluate(
    data: &Dataset,
    st: &SeedState,
    cfg: &Config,
    target: &Half,
    shadow: Option<&Half>,
    point: Option<(&dyn Attack, &Baselines)>,
) -> Result<SweepRun> {
    let vectors = st.vectors.as_ref().expect("vectors done").vectors();
    let obs = Observed::new(data, target, vectors, cfg);
    let naive = st.naive.as_ref().expect("attack built");
    let (attack, baselines) = point.unwrap_or((naive.as_ref(), &st.naive_baselines));
    let e = evaluate_all(data, cfg, attack, baselines, &obs)?;
    let naive_roc_auc = match point {
        Some(_) => {
            let scores = naive.score(&obs.input(data));
            crate::eval::roc_curve(&scores, &obs.labels).auc()
        }
        None => e.headline.eval.roc.auc(),
    };
    let counts = &st.halves.as_ref().expect("split done").counts;
    // The shadow of this point (served or trained under its defence when the attacker knows it).
    let shadow = shadow.map(|h| h.utility());
    let warnings = warnings_of(cfg, counts, &target.utility(), shadow.as_ref(), &e);
    Ok(SweepRun {
        seed: cfg.seed,
        roc_auc: e.headline.eval.roc.auc(),
        tpr_at_fpr: e.headline.eval.tpr_at_fpr(),
        balanced_accuracy: e.headline.eval.at.balanced_accuracy,
        recall_at_n: target.utility().recall_at_n,
        ci95: e.headline.summary.ci95,
        strongest: e.strongest,
        naive_roc_auc: Some(naive_roc_auc),
        warnings,
    })
}

type PointDone = Option<(SweepRun, Vec<crate::privacy::PrivacySpent>)>;

/// One bounded piece of a defence or natural point under `cfg`: `train` points get new halves,
/// the others serve the slot's again. Returns the point's run once done, and the share done
/// (1.0 when done).
fn point_step(
    data: &Dataset,
    st: &mut SeedState,
    cfg: Config,
    train: bool,
) -> Result<(PointDone, f64)> {
    let adaptive = Frontier::adaptive(&cfg);
    if st.point.is_none() {
        let halves = st.halves.as_ref().expect("split done");
        let (mut target, mut shadow) = (None, None);
        if train {
            target = Some(halves.target_half(&cfg, cfg.recommender));
            if adaptive {
                shadow = Some(halves.shadow_half(&cfg, cfg.shadow_kind()));
            }
        } else {
            st.target.as_mut().expect("target trained").reserve(&cfg)?;
            if adaptive {
                st.shadow.as_mut().expect("shadow trained").reserve(&cfg)?;
            }
        }
        st.point = Some(PointState {
            cfg: cfg.clone(),
            target,
            shadow,
            attack: None,
            baselines: None,
            halves_done: false,
        });
    }
    let pt = st.point.as_mut().expect("set above");
    // Phase 1: the halves.
    if !pt.halves_done {
        let mut done = true;
        let mut within = 0.0;
        let mut sides = 0.0;
        for own in [true, false] {
            if !own && !adaptive {
                continue;
            }
            let half = match (train, own) {
                (true, true) => pt.target.as_mut(),
                (true, false) => pt.shadow.as_mut(),
                (false, true) => st.target.as_mut(),
                (false, false) => st.shadow.as_mut(),
            }
            .expect("half present");
            let (finished, w) = if train {
                train_and_serve(data, half)?
            } else {
                // Served again from cached scores.
                (serve_and_probe(data, half), half.serve_fraction())
            };
            done &= finished;
            within += w;
            sides += 1.0;
        }
        if !done {
            return Ok((None, 0.6 * within / sides));
        }
        pt.halves_done = true;
        return Ok((None, 0.6));
    }
    // Phase 2: the adaptive attacker fits a new MLP on the defended shadow.
    if adaptive {
        let vectors = st.vectors.as_ref().expect("vectors done").vectors();
        let shadow = if train {
            pt.shadow.as_ref()
        } else {
            st.shadow.as_ref()
        }
        .expect("shadow");
        let obs = Observed::new(data, shadow, vectors, &pt.cfg);
        let attack = pt
            .attack
            .get_or_insert_with(|| attack::build(pt.cfg.attack, &pt.cfg.attack_params()));
        if !attack.fit_step(&obs.input(data), &obs.labels) {
            return Ok((None, 0.6 + 0.35 * attack.fit_fraction()));
        }
        if pt.baselines.is_none() {
            let mut b = baselines(&pt.cfg);
            orient_on_shadow(&mut b, data, &obs);
            pt.baselines = Some(b);
        }
    }
    // Phase 3: evaluate.
    let pt = st.point.take().expect("point in progress");
    let target = if train {
        pt.target.as_ref()
    } else {
        st.target.as_ref()
    }
    .expect("target");
    let point = match (&pt.attack, &pt.baselines) {
        (Some(a), Some(b)) => Some((a.as_ref(), b)),
        _ => None,
    };
    let shadow = if train && adaptive {
        pt.shadow.as_ref()
    } else {
        st.shadow.as_ref()
    };
    let run = evaluate(data, st, &pt.cfg, target, shadow, point)?;
    let privacy = target.privacy().into_iter().collect();
    Ok((Some((run, privacy)), 1.0))
}
