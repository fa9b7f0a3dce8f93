//! The audit as a resumable job, stepped like a run (`step()` does bounded work and reports
//! progress with the run's stage ids): split (the shadow half, `shadow.rs`), the target's stage
//! skipped (the audited service's lists are given), the shadow recommender, its lists and probes,
//! the attacker's item vectors over the shadow's and the audited users' histories (the audited
//! users in the file's order), features, the attack model (the MLP on the shadow, then the
//! reference models, `calibrate.rs`), and the evaluation (`report.rs`, `exposure.rs`).
//!
//! Every shadow-free statistic is oriented on the shadow half, as in a run whose attack is the
//! MLP; nothing reads the audited users' labels before the evaluation.

use std::collections::BTreeMap;
use std::sync::Arc;

use ndarray::Array2;

use super::calibrate::{Calibration, Context, Probe, Scorer};
use super::report::{self, AuditReport, Evaluated};
use super::resolve::AuditLists;
use crate::attack::features::centroid_differences;
use crate::attack::item_vectors::ItemVectorFit;
use crate::attack::{self, Attack, AttackInput, AttackKind};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::pipeline::{
    orient_on_shadow, serve_and_probe, Clock, Halves, Observed, TRAIN_WORK,
};
use crate::experiment::served::ServedHalf;
use crate::report::{Progress, Stage};
use crate::serving::Half;

/// One audit of `lists` against the auditor's ratings `data`.
pub struct Audit {
    data: Arc<Dataset>,
    cfg: Config,
    lists: Arc<AuditLists>,
    stage: Stage,
    halves: Option<Halves>,
    shadow: Option<Half>,
    served: Option<ServedHalf>,
    vectors: Option<ItemVectorFit>,
    shadow_obs: Option<Observed>,
    /// The audited users' centroid differences, in the file's order.
    features: Option<Array2<f32>>,
    mlp: Box<dyn Attack>,
    mlp_done: bool,
    /// The shadow-free attacks this audit can run, each oriented on the shadow.
    baselines: Vec<(AttackKind, Box<dyn Attack>)>,
    calibration: Calibration,
    report: Option<AuditReport>,
    timings: BTreeMap<String, f64>,
    clock: Option<Clock>,
}

/// The shadow-free attacks the audit's lists allow, in `AttackKind::ALL` order.
pub(crate) fn baseline_kinds(lists: &AuditLists) -> Vec<AttackKind> {
    let mut v = vec![AttackKind::Distance, AttackKind::Overlap];
    if lists.new_user_list.is_some() {
        v.push(AttackKind::NewUserList);
    }
    if lists.reference_lists.is_some() {
        v.push(AttackKind::ReferenceList);
    }
    v
}

impl Audit {
    /// Checks the config and prepares the audit; no work is done until `step()`. The config's
    /// `attack` is not used (every attack runs); its `recommender` is the family of the shadow and
    /// the references.
    pub fn new(data: Arc<Dataset>, cfg: Config, lists: AuditLists) -> Result<Audit> {
        crate::full::required("an audit")?;
        let cfg = Config {
            attack: AttackKind::Mlp,
            ..cfg
        };
        cfg.check()?;
        let probe = if lists.reference_lists.is_some() {
            Probe::Copies
        } else if lists.new_user_list.is_some() {
            Probe::NewUser
        } else {
            Probe::None
        };
        let baselines = baseline_kinds(&lists)
            .into_iter()
            .map(|k| (k, attack::build(k, &cfg.attack_params())))
            .collect();
        Ok(Audit {
            mlp: attack::build(AttackKind::Mlp, &cfg.attack_params()),
            mlp_done: false,
            calibration: Calibration::new(&cfg, probe),
            baselines,
            data,
            cfg,
            lists: Arc::new(lists),
            stage: Stage::Split,
            halves: None,
            shadow: None,
            served: None,
            vectors: None,
            shadow_obs: None,
            features: None,
            report: None,
            timings: BTreeMap::new(),
            clock: None,
        })
    }

    /// Times each stage with `clock` (without one, timings are 0).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn lists(&self) -> &AuditLists {
        &self.lists
    }

    pub fn report(&self) -> Option<&AuditReport> {
        if !crate::full::ENABLED {
            return None; // no audit exists in the core module (full.rs): its report code goes too
        }
        self.report.as_ref()
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Runs every remaining step.
    pub fn run_to_end(&mut self) -> Result<&AuditReport> {
        while !self.step()?.done {}
        Ok(self.report.as_ref().expect("done"))
    }

    /// Does one bounded piece of work and says where the audit stands.
    pub fn step(&mut self) -> Result<Progress> {
        crate::full::required("an audit")?;
        if self.report.is_some() {
            return Ok(Progress::finished(1));
        }
        let start = self.now();
        let stage = self.stage;
        let (finished, within, message, loss) = self.advance()?;
        let spent = self.now() - start;
        *self.timings.entry(stage.id().to_string()).or_insert(0.0) += spent;
        let i = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0);
        if finished {
            if i + 1 < Stage::ALL.len() {
                self.stage = Stage::ALL[i + 1];
            } else {
                self.finish()?;
            }
        }
        let done = self.report.is_some();
        Ok(Progress {
            done,
            stage,
            stage_index: i,
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if done { 1.0 } else { stage.overall(within) },
            message,
            loss,
            run_index: 0,
            run_count: 1,
        })
    }

    /// The stage that is working now.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Works on the current stage: (finished, share of the stage done, message, loss).
    fn advance(&mut self) -> Result<(bool, f64, String, Option<f64>)> {
        let done = |m: String| Ok((true, 1.0, m, None));
        match self.stage {
            Stage::Split => {
                let halves = super::shadow::halves(&self.data, &self.cfg, &self.lists.users)?;
                self.shadow = Some(halves.shadow_half(&self.cfg, self.cfg.shadow_kind()));
                let c = &halves.counts;
                let msg = format!(
                    "shadow {}+{} (members+non-members), {} audited users",
                    c.shadow_members,
                    c.shadow_nonmembers,
                    self.lists.users.len()
                );
                self.halves = Some(halves);
                done(msg)
            }
            Stage::TargetRecommender => {
                done("not needed: the audited service's lists are given".into())
            }
            Stage::ShadowRecommender => {
                let half = self.shadow.as_mut().expect("split done");
                let finished = half.train_step(TRAIN_WORK)?;
                let (message, loss) = half.train_status();
                Ok((
                    finished,
                    half.train_fraction(),
                    format!("{}: {message}", half.kind.id()),
                    loss,
                ))
            }
            Stage::Recommendations => {
                let half = self.shadow.as_mut().expect("split done");
                let finished = serve_and_probe(&self.data, half);
                let within = half.serve_fraction();
                let msg = format!("{} shadow lists of {}", half.lists.len(), self.cfg.top_n);
                if finished {
                    let half = self.shadow.take().expect("served");
                    self.served = Some(ServedHalf::of(&half));
                }
                Ok((finished, within, msg, None))
            }
            Stage::ItemVectors => {
                if self.vectors.is_none() {
                    let halves = self.halves.as_ref().expect("split done");
                    self.vectors = Some(ItemVectorFit::new(
                        self.cfg.item_vector_params(),
                        &self.data,
                        halves.shadow.users.all(),
                        self.lists.users.iter().copied(),
                    ));
                }
                let v = self.vectors.as_mut().expect("set above");
                let finished = v.step(TRAIN_WORK);
                let (message, loss) = v.status();
                Ok((finished, v.fraction(), message, loss))
            }
            Stage::Features => {
                let vectors = self.vectors.as_ref().expect("vectors done").vectors();
                let served = self.served.as_ref().expect("served");
                let shadow = Observed::served(&self.data, served, vectors, &self.cfg);
                orient_on_shadow(&mut self.baselines, &self.data, &shadow);
                self.shadow_obs = Some(shadow);
                let histories = self.histories();
                let lists: Vec<&[u32]> = self.lists.lists.iter().map(|l| l.as_slice()).collect();
                self.features = Some(centroid_differences(
                    vectors,
                    &histories,
                    &lists,
                    self.cfg.weighting,
                ));
                done(format!("{} values per user", self.cfg.attacker_k()))
            }
            Stage::AttackModel => self.attack_step(),
            Stage::Evaluation => done("ROC, slices and the most exposed users".into()),
        }
    }

    fn histories(&self) -> Vec<&[u32]> {
        self.lists
            .users
            .iter()
            .map(|&u| self.data.user_items(u as usize))
            .collect()
    }

    /// The MLP on the shadow, then the references one by one.
    fn attack_step(&mut self) -> Result<(bool, f64, String, Option<f64>)> {
        if !self.mlp_done {
            let shadow = self.shadow_obs.as_ref().expect("features done");
            self.mlp_done = self.mlp.fit_step(&shadow.input(&self.data), &shadow.labels);
            let (message, loss) = self.mlp.status();
            let within = self.mlp.fit_fraction() * 0.1;
            return Ok((false, within, format!("mlp: {message}"), loss));
        }
        let vectors = self.vectors.as_ref().expect("vectors done").vectors();
        let halves = self.halves.as_ref().expect("split done");
        let scorers = scorers(self.mlp.as_ref(), &self.baselines);
        let c = Context {
            data: &self.data,
            cfg: &self.cfg,
            halves,
            vectors,
            scorers: &scorers,
        };
        let finished = self.calibration.step(&c)?;
        Ok((
            finished,
            0.1 + 0.9 * self.calibration.fraction(),
            self.calibration.status(),
            None,
        ))
    }

    /// Natively: trains the reference models on `threads` threads once the audit has reached
    /// them (call after `step()` reports the attack-model stage with the MLP fitted); the result
    /// is the stepped one's for any thread count. Returns false if the audit is not there yet.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn references_in_parallel(
        &mut self,
        threads: usize,
        on_taken: &dyn Fn(u32, u32),
    ) -> Result<bool> {
        if self.stage != Stage::AttackModel || !self.mlp_done {
            return Ok(false);
        }
        let start = self.now();
        let vectors = self.vectors.as_ref().expect("vectors done").vectors();
        let halves = self.halves.as_ref().expect("split done");
        let scorers = scorers(self.mlp.as_ref(), &self.baselines);
        let c = Context {
            data: &self.data,
            cfg: &self.cfg,
            halves,
            vectors,
            scorers: &scorers,
        };
        self.calibration.train_parallel(&c, threads, on_taken)?;
        let spent = self.now() - start;
        *self
            .timings
            .entry(Stage::AttackModel.id().into())
            .or_insert(0.0) += spent;
        Ok(true)
    }

    /// Whether the stepped work left is the reference models (what `references_in_parallel` does).
    pub fn at_references(&self) -> bool {
        self.stage == Stage::AttackModel && self.mlp_done && !self.calibration.is_done()
    }

    fn finish(&mut self) -> Result<()> {
        let lists = self.lists.clone();
        let features = self.features.as_ref().expect("features done");
        let input = AttackInput {
            histories: self.histories(),
            lists: &lists.lists,
            features,
            new_user_list: lists.new_user_list.as_deref(),
            clone_lists: lists.reference_lists.as_deref(),
        };
        let (lira, lira_own) = match self.calibration.lira() {
            Some((l, own)) => (Some(l), own),
            None => (None, None),
        };
        let mut own = self.calibration.own_aucs();
        if let Some(a) = lira_own {
            own.insert(AttackKind::Lira, a);
        }
        let mut attacks: Vec<(AttackKind, &dyn Attack)> =
            vec![(AttackKind::Mlp, self.mlp.as_ref())];
        attacks.extend(self.baselines.iter().map(|(k, b)| (*k, b.as_ref())));
        if let Some(l) = &lira {
            attacks.push((AttackKind::Lira, l));
        }
        crate::order::sort_by_key(&mut attacks, |(k, _)| k.index());
        let served = self.served.as_ref().expect("served");
        let halves = self.halves.as_ref().expect("split done");
        let mut timings = self.timings.clone();
        timings.insert("total".into(), self.timings.values().sum());
        let e = Evaluated {
            data: &self.data,
            cfg: &self.cfg,
            lists: &lists,
            input: &input,
            attacks: &attacks,
            own: &own,
            lira_missing: lira.is_none(),
            shadow_utility: served.utility.clone(),
            shadow_fit: self.mlp.fit(),
            shadow_counts: (
                halves.counts.shadow_members,
                halves.counts.shadow_nonmembers,
            ),
            references: self.calibration.count(),
            timings,
        };
        let report = report::build(&e).map_err(|err| match err {
            Error::Data(m) => Error::Data(format!("audit: {m}")),
            other => other,
        })?;
        self.report = Some(report);
        Ok(())
    }
}

/// The attacks the references judge: the MLP and every shadow-free one.
fn scorers<'a>(
    mlp: &'a dyn Attack,
    baselines: &'a [(AttackKind, Box<dyn Attack>)],
) -> Vec<Scorer<'a>> {
    let mut v: Vec<Scorer> = vec![(AttackKind::Mlp, mlp)];
    v.extend(baselines.iter().map(|(k, b)| (*k, b.as_ref())));
    v
}
