//! One run of the attack as a resumable state machine: `step()` does a bounded amount of work and
//! reports progress, so a browser worker can post updates and cancel between steps. The amount of
//! work per step is fixed by counts, never by time, so results cannot depend on the chunking.
//!
//! The stages and what they call: split (`split`, `serving::HalfData`), target and shadow
//! recommenders (`serving::Half` over a `recommender`), recommendations (`Half::serve_step`), item
//! vectors and features (`attack::item_vectors`, `attack::features`), the attack model
//! (`attack::Attack`), evaluation (`eval`). A shadow-free attack skips the shadow stages.

use std::collections::BTreeMap;
use std::sync::Arc;

use ndarray::Array2;

use crate::attack::explain::{user_records, Individuals, UserRecord};
use crate::attack::item_vectors::ItemVectorFit;
use crate::attack::lira::Lira;
use crate::attack::{self, suite, Attack, AttackInput, AttackKind, Orientation};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::eval::warnings::{attack_warnings, run_warnings};
use crate::report::{Progress, RecommenderReport, RunReport, Stage};
use crate::rng::{rng_for, Stream};
use crate::serving::{Half, HalfData, Probes};
use crate::split::{split_users, Counts};

use super::references::{views, References};
use super::served::{served_key, Served, ServedCache, ServedHalf};

/// Multiply-adds of training per step: a few milliseconds.
pub(crate) const TRAIN_WORK: usize = 4_000_000;
/// Multiply-adds of scoring per step (users × candidates × cost).
pub(crate) const SCORE_WORK: usize = 16_000_000;

/// Trains (once), serves and asks `half` what new accounts get, in bounded pieces: (finished,
/// share done of training and serving). The matrix, its training units, the frontier and the
/// reference models step their halves this way.
pub(crate) fn train_and_serve(data: &Dataset, half: &mut Half) -> Result<(bool, f64)> {
    let finished = half.train_step(TRAIN_WORK)? && serve_and_probe(data, half);
    Ok((
        finished,
        (half.train_fraction() + half.serve_fraction()) / 2.0,
    ))
}

/// A monotonic clock in milliseconds, supplied by the caller (std's clock panics on wasm32).
pub type Clock = Box<dyn Fn() -> f64>;

/// The two halves of one seed, each served by its algorithm.
pub(crate) struct Halves {
    pub counts: Counts,
    pub shadow: Arc<HalfData>,
    pub target: Arc<HalfData>,
}

impl Halves {
    /// Splits the users with the config's seed and holds out each member's test items.
    pub fn split(data: &Dataset, cfg: &Config) -> Result<Halves> {
        Halves::split_placing(data, cfg, None)
    }

    /// `split`; with `reader` = Some(member), the data set's last user is the reader of "Would it
    /// spot you?" (`experiment::you`): the others are split exactly as without them, and the reader
    /// joins the target's members (`true`) or non-members. Being the last index, they come last in
    /// their group, so every other member's held-out items are drawn as before.
    pub fn split_placing(data: &Dataset, cfg: &Config, reader: Option<bool>) -> Result<Halves> {
        let others = data.n_users() - usize::from(reader.is_some());
        let mut split = split_users(
            others,
            cfg.member_fraction,
            &mut rng_for(cfg.seed, Stream::Split),
        )?;
        if let Some(member) = reader {
            let group = if member {
                &mut split.target.members
            } else {
                &mut split.target.non_members
            };
            group.push(others as u32);
        }
        let counts = Counts::new(data, &split);
        let mut holdout = rng_for(cfg.seed, Stream::Holdout);
        let shadow = HalfData::new(data, split.shadow, cfg.holdout, &mut holdout);
        let target = HalfData::new(data, split.target, cfg.holdout, &mut holdout);
        Ok(Halves {
            counts,
            shadow: Arc::new(shadow),
            target: Arc::new(target),
        })
    }

    pub fn target_half(&self, cfg: &Config, kind: crate::recommender::RecommenderKind) -> Half {
        Half::new(
            kind,
            "target",
            self.target.clone(),
            cfg,
            rng_for(cfg.seed, Stream::TargetModel),
            rng_for(cfg.seed, Stream::TargetFoldIn),
        )
    }

    pub fn shadow_half(&self, cfg: &Config, kind: crate::recommender::RecommenderKind) -> Half {
        Half::new(
            kind,
            "shadow",
            self.shadow.clone(),
            cfg,
            rng_for(cfg.seed, Stream::ShadowModel),
            rng_for(cfg.seed, Stream::ShadowFoldIn),
        )
    }

    pub fn item_vectors(&self, data: &Dataset, cfg: &Config) -> ItemVectorFit {
        ItemVectorFit::new(
            cfg.item_vector_params(),
            data,
            self.shadow.users.all(),
            self.target.users.all(),
        )
    }
}

/// What the attacker sees of a served half: histories, lists, centroid-difference features, and
/// what a new account is served (the probes).
pub(crate) struct Observed {
    pub histories: Vec<u32>,
    /// The half's lists, shared with it rather than copied.
    pub lists: Arc<Vec<Vec<u32>>>,
    pub features: Array2<f32>,
    pub labels: Vec<bool>,
    pub probes: Probes,
}

impl Observed {
    pub fn new(data: &Dataset, half: &Half, vectors: &Array2<f32>, cfg: &Config) -> Observed {
        Observed::of(data, &half.data, &half.lists, &half.probes, vectors, cfg)
    }

    /// What the attacker observes of a served half.
    pub fn served(data: &Dataset, h: &ServedHalf, vectors: &Array2<f32>, cfg: &Config) -> Observed {
        Observed::of(data, &h.data, &h.lists, &h.probes, vectors, cfg)
    }

    /// What the attacker observes of a half's users served `lists`.
    pub fn of(
        data: &Dataset,
        half: &HalfData,
        lists: &Arc<Vec<Vec<u32>>>,
        probes: &Probes,
        vectors: &Array2<f32>,
        cfg: &Config,
    ) -> Observed {
        let histories: Vec<&[u32]> = half
            .users
            .all()
            .map(|u| data.user_items(u as usize))
            .collect();
        let list_refs: Vec<&[u32]> = lists.iter().map(|l| l.as_slice()).collect();
        let features =
            attack::features::centroid_differences(vectors, &histories, &list_refs, cfg.weighting);
        Observed {
            histories: half.users.all().collect(),
            lists: Arc::clone(lists),
            features,
            labels: half.labels(),
            probes: probes.clone(),
        }
    }

    pub fn input<'a>(&'a self, data: &'a Dataset) -> AttackInput<'a> {
        AttackInput {
            histories: self
                .histories
                .iter()
                .map(|&u| data.user_items(u as usize))
                .collect(),
            lists: &self.lists,
            features: &self.features,
            new_user_list: self.probes.new_user.as_deref(),
            clone_lists: self.probes.clones.as_deref().map(|c| c.as_slice()),
        }
    }
}

/// The baselines of `cfg`'s protocol, built (each an oriented statistic).
pub(crate) fn baselines(cfg: &Config) -> Vec<(AttackKind, Box<dyn Attack>)> {
    AttackKind::baselines_for(cfg.protocol)
        .into_iter()
        .map(|k| (k, attack::build(k, &cfg.attack_params())))
        .collect()
}

/// Orients every baseline on a served shadow half (the attacker's labelled imitation).
pub(crate) fn orient_on_shadow(
    baselines: &mut [(AttackKind, Box<dyn Attack>)],
    data: &Dataset,
    shadow: &Observed,
) {
    let input = shadow.input(data);
    for (_, b) in baselines.iter_mut() {
        b.orient(&[(&input, &shadow.labels)], Orientation::Shadow);
    }
}

/// Every warning of one attacked target: the run's (too few users, a recommender that learnt
/// nothing, …) and its attacks' (what cannot be measured, chance, inversion, …).
pub(crate) fn warnings_of(
    cfg: &Config,
    counts: &Counts,
    target: &crate::eval::utility::Utility,
    shadow: Option<&crate::eval::utility::Utility>,
    e: &suite::Evaluation,
) -> Vec<String> {
    let mut w = run_warnings(cfg, counts, target, shadow, &e.headline.scores);
    w.extend(attack_warnings(
        cfg,
        &e.headline.summary,
        &e.baselines,
        &e.strongest,
        e.headline.eval.non_members,
        target,
    ));
    w
}

/// Scores the run's attack and every baseline on `target`: the numbers every report takes.
pub(crate) fn evaluate_all(
    data: &Dataset,
    cfg: &Config,
    attack: &dyn Attack,
    baselines: &[(AttackKind, Box<dyn Attack>)],
    target: &Observed,
) -> Result<suite::Evaluation> {
    let refs: Vec<(AttackKind, &dyn Attack)> =
        baselines.iter().map(|(k, b)| (*k, b.as_ref())).collect();
    suite::evaluate(
        (cfg.attack, attack),
        &refs,
        &target.input(data),
        &target.labels,
        cfg.seed,
    )
}

/// A single run of the pipeline on one data set and config.
pub struct Pipeline {
    data: Arc<Dataset>,
    cfg: Config,
    stage: Stage,
    halves: Option<Halves>,
    target: Option<Half>,
    shadow: Option<Half>,
    /// The seed's served halves, once the recommendations are made (or taken from `cache`); the
    /// trained models are dropped then.
    served: Option<Arc<Served>>,
    cache: Option<Arc<ServedCache>>,
    reused: bool,
    vectors: Option<ItemVectorFit>,
    observed: Option<(Option<Observed>, Observed)>,
    attack: Box<dyn Attack>,
    /// The shadow-free baselines, oriented on the shadow or the references before scoring.
    baselines: Vec<(AttackKind, Box<dyn Attack>)>,
    /// The calibrated attack's reference models (attack lira).
    references: Option<References>,
    /// The headline attack's score of each target user, kept for `user_records`.
    target_scores: Vec<f64>,
    /// The headline attack's threshold on those scores (a score at or above it is flagged).
    threshold: f64,
    /// Where the reader of "Would it spot you?" goes (`with_reader`); None in an ordinary run.
    reader: Option<bool>,
    report: Option<RunReport>,
    timings: BTreeMap<String, f64>,
    clock: Option<Clock>,
}

impl Pipeline {
    /// Validates the config and prepares a run; no work is done until `step()`.
    pub fn new(data: Arc<Dataset>, cfg: Config) -> Result<Pipeline> {
        cfg.check()?;
        crate::full::recommenders(&cfg)?;
        if cfg.attack == AttackKind::Lira {
            crate::full::required("attack lira")?;
        }
        Ok(Pipeline {
            attack: attack::build(cfg.attack, &cfg.attack_params()),
            baselines: baselines(&cfg),
            references: (cfg.attack == AttackKind::Lira)
                .then(|| References::new(cfg.lira_references)),
            data,
            cfg,
            stage: Stage::Split,
            halves: None,
            target: None,
            shadow: None,
            served: None,
            cache: None,
            reused: false,
            vectors: None,
            observed: None,
            target_scores: Vec::new(),
            threshold: 0.0,
            reader: None,
            report: None,
            timings: BTreeMap::new(),
            clock: None,
        })
    }

    /// Times each stage with `clock` (without one, timings are reported as 0).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Takes the seed's served halves from `cache` when a run with the same recommender settings
    /// has made them (skipping the recommender stages), and leaves its own there otherwise.
    pub fn with_cache(mut self, cache: Arc<ServedCache>) -> Self {
        self.cache = self.reader.is_none().then_some(cache);
        self
    }

    /// The data set's last user is the reader (`experiment::you`), placed among the target's
    /// members (`member`) or non-members. Such a run never shares the served cache: its halves
    /// differ from the seed's ordinary ones.
    pub(crate) fn with_reader(mut self, member: bool) -> Self {
        self.reader = Some(member);
        self.cache = None;
        self
    }

    /// The headline attack's threshold on the target users' scores, once the run is done.
    pub(crate) fn threshold(&self) -> Option<f64> {
        self.report.as_ref().map(|_| self.threshold)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// True once the recommender stages were skipped because `with_cache` had the seed.
    pub fn reused(&self) -> bool {
        self.reused
    }

    pub fn is_done(&self) -> bool {
        self.report.is_some()
    }

    /// The result, once `step()` has reported `done`.
    pub fn report(&self) -> Option<&RunReport> {
        self.report.as_ref()
    }

    /// Runs every remaining step.
    pub fn run_to_end(&mut self) -> Result<&RunReport> {
        while !self.step()?.done {}
        Ok(self.report.as_ref().expect("done"))
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work and says where the run stands.
    pub fn step(&mut self) -> Result<Progress> {
        if self.report.is_some() {
            return Ok(Progress::finished(1));
        }
        let start = self.now();
        let stage = self.stage;
        let work = self.advance()?;
        let spent = self.now() - start;
        *self.timings.entry(stage.id().to_string()).or_insert(0.0) += spent;
        if work.finished {
            match Stage::ALL.iter().position(|&s| s == stage) {
                // Served halves taken from the cache: on to the attacker's stages, the skipped
                // ones timed at 0 so that every run reports the same stages.
                Some(_) if self.reused && stage == Stage::Split => {
                    for s in [
                        Stage::TargetRecommender,
                        Stage::ShadowRecommender,
                        Stage::Recommendations,
                    ] {
                        self.timings.insert(s.id().to_string(), 0.0);
                    }
                    self.stage = Stage::ItemVectors;
                }
                Some(i) if i + 1 < Stage::ALL.len() => self.stage = Stage::ALL[i + 1],
                _ => self.finish()?,
            }
        }
        Ok(work.progress(stage, self.report.is_some()))
    }

    fn needs_shadow(&self) -> bool {
        self.cfg.attack.needs_shadow()
    }

    /// Works on the current stage.
    fn advance(&mut self) -> Result<StageWork> {
        let skipped = || {
            StageWork::done(format!(
                "not needed: the {} attack uses no shadow model",
                self.cfg.attack.id()
            ))
        };
        Ok(match self.stage {
            Stage::Split => {
                let key = self.cache.as_ref().map(|_| served_key(&self.cfg));
                if let Some(served) = self.cache.as_ref().and_then(|c| c.get(key.as_deref()?)) {
                    let c = &served.halves.counts;
                    let msg =
                        format!(
                        "shadow {}+{}, target {}+{} (members+non-members); recommenders trained \
                         for an earlier run of this seed and setting, reused",
                        c.shadow_members, c.shadow_nonmembers, c.target_members, c.target_nonmembers
                    );
                    self.served = Some(served);
                    self.reused = true;
                    return Ok(StageWork::done(msg));
                }
                let halves = Halves::split_placing(&self.data, &self.cfg, self.reader)?;
                self.target = Some(halves.target_half(&self.cfg, self.cfg.recommender));
                if self.needs_shadow() {
                    self.shadow = Some(halves.shadow_half(&self.cfg, self.cfg.shadow_kind()));
                }
                let c = &halves.counts;
                let msg = format!(
                    "shadow {}+{}, target {}+{} (members+non-members)",
                    c.shadow_members, c.shadow_nonmembers, c.target_members, c.target_nonmembers
                );
                self.halves = Some(halves);
                StageWork::done(msg)
            }
            Stage::TargetRecommender | Stage::ShadowRecommender => {
                let half = if self.stage == Stage::TargetRecommender {
                    self.target.as_mut()
                } else {
                    self.shadow.as_mut()
                };
                let Some(half) = half else {
                    return Ok(skipped());
                };
                let finished = half.train_step(TRAIN_WORK)?;
                let (message, loss) = half.train_status();
                StageWork {
                    finished,
                    within: half.train_fraction(),
                    message: format!("{}: {message}", half.kind.id()),
                    loss,
                }
            }
            Stage::Recommendations => {
                let data = &self.data;
                let target = self.target.as_mut().expect("split done");
                let mut finished = serve_and_probe(data, target);
                let mut within = target.serve_fraction();
                let mut lists = target.lists.len();
                if let Some(shadow) = self.shadow.as_mut() {
                    finished &= serve_and_probe(data, shadow);
                    within = (within + shadow.serve_fraction()) / 2.0;
                    lists += shadow.lists.len();
                }
                if finished {
                    self.keep_served();
                }
                StageWork {
                    finished,
                    within,
                    message: format!("{lists} lists of {}", self.cfg.top_n),
                    loss: None,
                }
            }
            Stage::ItemVectors => {
                if self.vectors.is_none() {
                    let served = self.served.as_ref().expect("recommendations done");
                    self.vectors = Some(served.halves.item_vectors(&self.data, &self.cfg));
                }
                let v = self.vectors.as_mut().expect("set above");
                let finished = v.step(TRAIN_WORK);
                let (message, loss) = v.status();
                StageWork {
                    finished,
                    within: v.fraction(),
                    message,
                    loss,
                }
            }
            Stage::Features => {
                let vectors = self.vectors.as_ref().expect("vectors done").vectors();
                let served = self.served.as_ref().expect("recommendations done");
                let observe = |h: &ServedHalf| Observed::served(&self.data, h, vectors, &self.cfg);
                let shadow = served.shadow.as_ref().map(observe);
                let target = observe(&served.target);
                if let Some(shadow) = &shadow {
                    orient_on_shadow(&mut self.baselines, &self.data, shadow);
                }
                self.observed = Some((shadow, target));
                StageWork::done(format!("{} values per user", self.cfg.attacker_k()))
            }
            Stage::AttackModel => {
                if self.references.is_some() {
                    return self.reference_step();
                }
                let Some(shadow) = self.observed.as_ref().and_then(|o| o.0.as_ref()) else {
                    return Ok(skipped());
                };
                let finished = self
                    .attack
                    .fit_step(&shadow.input(&self.data), &shadow.labels);
                let (message, loss) = self.attack.status();
                StageWork {
                    finished,
                    within: self.attack.fit_fraction(),
                    message,
                    loss,
                }
            }
            Stage::Evaluation => StageWork::done("ROC and metrics".into()),
        })
    }

    /// The calibrated attack's stage: trains the next reference model; once all are in, fits the
    /// likelihood ratio and orients the baselines on the references' users.
    fn reference_step(&mut self) -> Result<StageWork> {
        // LiRA is the full module's (js/wasm-module.js sends it there): cut off in the core one.
        crate::full::required("attack lira")?;
        let served = self.served.clone().expect("recommendations done");
        let refs = self.references.as_mut().expect("lira");
        let finished = refs.step(&self.data, &self.cfg, &served.halves, self.cache.as_deref())?;
        let (within, message) = (refs.fraction(), refs.status());
        if finished {
            let vectors = self.vectors.as_ref().expect("vectors done").vectors();
            let (views, samples) = views(
                &self.data,
                &self.cfg,
                &served.halves,
                refs.served(),
                vectors,
            );
            let lira = Lira::from_samples(&samples, self.cfg.lira_offline).ok_or_else(|| {
                Error::Data(
                    "lira: the reference models gave no member and non-member samples to compare (too few users?)"
                        .into(),
                )
            })?;
            self.attack = Box::new(lira);
            let inputs: Vec<AttackInput> = views.iter().map(|v| v.input(&self.data)).collect();
            let sets: Vec<(&AttackInput, &[bool])> = inputs
                .iter()
                .zip(&views)
                .map(|(i, v)| (i, v.members.as_slice()))
                .collect();
            for (_, b) in self.baselines.iter_mut() {
                b.orient(&sets, Orientation::References);
            }
        }
        Ok(StageWork {
            finished,
            within,
            message,
            loss: None,
        })
    }

    fn finish(&mut self) -> Result<()> {
        let (_, target_obs) = self.observed.as_ref().expect("features done");
        let eval = evaluate_all(
            &self.data,
            &self.cfg,
            self.attack.as_ref(),
            &self.baselines,
            target_obs,
        )?;
        let scores = eval.headline.scores.clone();
        let threshold = self.attack.threshold(&scores);
        let baselines: BTreeMap<_, _> = eval.baselines.clone();
        let served = self.served.as_ref().expect("recommendations done");
        let halves = &served.halves;
        let mut timings = self.timings.clone();
        timings.insert("total".into(), self.timings.values().sum());
        let target_utility = served.target.utility.clone();
        let shadow_utility = served.shadow.as_ref().map(|s| s.utility.clone());
        let warnings = warnings_of(
            &self.cfg,
            &halves.counts,
            &target_utility,
            shadow_utility.as_ref(),
            &eval,
        );
        let mut report = RunReport::new(
            eval.headline.eval,
            eval.headline.summary,
            eval.strongest,
            1.0 / halves.target.users.non_members.len() as f64,
            RecommenderReport {
                target: target_utility,
                shadow: shadow_utility,
            },
            self.attack.fit(),
            baselines,
            halves.counts.clone(),
            self.cfg.clone(),
            timings,
        );
        report.warnings = warnings;
        report.privacy = served.privacy;
        report.takeaways = crate::eval::takeaways::run(&report);
        self.report = Some(report);
        self.target_scores = scores;
        self.threshold = threshold;
        Ok(())
    }

    /// The recommendations are made: what the attacker's stages read is kept (and left in the
    /// cache), the trained models are dropped.
    fn keep_served(&mut self) {
        let (Some(halves), Some(target)) = (self.halves.take(), self.target.take()) else {
            return;
        };
        let served = Arc::new(Served {
            halves,
            target: ServedHalf::of(&target),
            shadow: self.shadow.take().as_ref().map(ServedHalf::of),
            privacy: target.privacy(),
        });
        if let Some(cache) = &self.cache {
            cache.put(served_key(&self.cfg), served.clone());
        }
        self.served = Some(served);
    }

    /// One record per target user (score, rank, history, list, place in the feature space), once
    /// the run is done.
    pub fn user_records(&self) -> Option<Vec<UserRecord>> {
        self.report.as_ref()?;
        let (_, obs) = self.observed.as_ref()?;
        let data = &self.data;
        Some(user_records(&Individuals {
            user_ids: obs
                .histories
                .iter()
                .map(|&u| data.user_ids[u as usize])
                .collect(),
            labels: &obs.labels,
            scores: &self.target_scores,
            histories: obs
                .histories
                .iter()
                .map(|&u| data.user_items(u as usize))
                .collect(),
            lists: &obs.lists,
            features: &obs.features,
            item_vectors: self.vectors.as_ref()?.vectors(),
            item_ids: &data.item_ids,
            weighting: self.cfg.weighting,
        }))
    }
}

/// Serves a half, then asks it what new accounts get (serving/probe.rs); true when both are done.
pub(crate) fn serve_and_probe(data: &Dataset, half: &mut Half) -> bool {
    if !half.serve_step(data, half.users_per_step(SCORE_WORK)) {
        return false;
    }
    if !half.probing_begun() {
        half.begin_probes(true);
    }
    half.probe_step(data, TRAIN_WORK)
}

/// What one piece of work on a stage did.
struct StageWork {
    finished: bool,
    within: f64,
    message: String,
    loss: Option<f64>,
}

impl StageWork {
    fn done(message: String) -> StageWork {
        StageWork {
            finished: true,
            within: 1.0,
            message,
            loss: None,
        }
    }

    fn progress(self, stage: Stage, done: bool) -> Progress {
        Progress {
            done,
            stage,
            stage_index: Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0),
            stage_count: Stage::ALL.len(),
            stage_fraction: self.within,
            fraction: if done {
                1.0
            } else {
                stage.overall(self.within)
            },
            message: self.message,
            loss: self.loss,
            run_index: 0,
            run_count: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attacker_shares_the_served_lists_instead_of_copying_them() {
        let data = crate::synth::dataset(60, 80, 1_500, 3);
        let cfg = Config {
            epochs: 2,
            vector_epochs: 2,
            attack_epochs: 2,
            ..Config::default()
        };
        let mut run = Pipeline::new(data, cfg).unwrap();
        run.run_to_end().unwrap();
        let (shadow, target) = run.observed.as_ref().unwrap();
        let served = run.served.as_ref().unwrap();
        assert!(!target.lists.is_empty());
        assert!(Arc::ptr_eq(&target.lists, &served.target.lists));
        let shadow_half = served.shadow.as_ref().unwrap();
        assert!(Arc::ptr_eq(
            &shadow.as_ref().unwrap().lists,
            &shadow_half.lists
        ));
        // The trained models are dropped once the lists are made.
        assert!(run.target.is_none() && run.shadow.is_none());
    }
}
