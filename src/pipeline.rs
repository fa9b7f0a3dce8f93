//! One run of the attack as a resumable state machine: `step()` does a bounded amount of work and
//! reports progress, so a browser worker can post updates and cancel between steps. The amount of
//! work per step is fixed by counts, never by time, so results cannot depend on the chunking.

use std::collections::BTreeMap;
use std::sync::Arc;

use ndarray::Array2;

use crate::config::{Config, ItemVectors};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::features::centroid_differences;
use crate::metrics::{at_threshold, roc_curve};
use crate::mf::{init_factors, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use crate::mlp::{Mlp, MlpParams, Standardiser};
use crate::recommender::HalfRecommender;
use crate::report::{AttackFit, Progress, RecommenderReport, RunReport, Stage};
use crate::rng::{rng_for, Stream};
use crate::split::{split_users, Counts};

/// Multiply-adds of SGD per step (samples × k): a few milliseconds.
const SGD_WORK: usize = 4_000_000;
/// Multiply-adds of scoring per step (users × candidates × k).
const SCORE_WORK: usize = 16_000_000;
/// Attack-model epochs per step.
const MLP_EPOCHS_PER_STEP: u32 = 10;
/// The attacker's own factorisation is its choice, whatever the target's settings: lr 0.03 reaches in
/// 5 epochs what 0.01 reaches in 10 (mean AUC over seeds 0–4: 0.976 both).
const VECTOR_LR: f32 = 0.03;
const VECTOR_REG: f32 = 0.01;

/// A monotonic clock in milliseconds, supplied by the caller (std's clock panics on wasm32).
pub type Clock = Box<dyn Fn() -> f64>;

struct ItemVectorState {
    histories: Interactions,
    users: Array2<f32>,
    items: Array2<f32>,
    trainer: SgdTrainer,
}

struct AttackState {
    x: Vec<Vec<f32>>,
    y: Vec<f32>,
    params: MlpParams,
    rng: rand_chacha::ChaCha8Rng,
    restart: u32,
    epoch: u32,
    current: Option<Mlp>,
    best: Option<(f64, Mlp)>,
    last_loss: Option<f64>,
}

/// A single run of the pipeline on one data set and config.
pub struct Pipeline {
    data: Arc<Dataset>,
    cfg: Config,
    stage: Stage,
    counts: Option<Counts>,
    target: Option<HalfRecommender>,
    shadow: Option<HalfRecommender>,
    vectors: Option<ItemVectorState>,
    features: Option<(Array2<f32>, Array2<f32>)>,
    attack: Option<AttackState>,
    report: Option<RunReport>,
    timings: BTreeMap<String, f64>,
    clock: Option<Clock>,
}

impl Pipeline {
    /// Validates the config and prepares a run; no work is done until `step()`.
    pub fn new(data: Arc<Dataset>, cfg: Config) -> Result<Pipeline> {
        cfg.check()?;
        Ok(Pipeline {
            data,
            cfg,
            stage: Stage::Split,
            counts: None,
            target: None,
            shadow: None,
            vectors: None,
            features: None,
            attack: None,
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

    pub fn config(&self) -> &Config {
        &self.cfg
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
        let (finished, within, message, loss) = self.advance()?;
        let spent = self.now() - start;
        *self.timings.entry(stage.id().to_string()).or_insert(0.0) += spent;
        if finished {
            match Stage::ALL.iter().position(|&s| s == stage) {
                Some(i) if i + 1 < Stage::ALL.len() => self.stage = Stage::ALL[i + 1],
                _ => self.finish()?,
            }
        }
        let index = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0);
        let done = self.report.is_some();
        Ok(Progress {
            done,
            stage,
            stage_index: index,
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if done { 1.0 } else { stage.overall(within) },
            message,
            loss,
            run_index: 0,
            run_count: 1,
        })
    }

    /// Works on the current stage: (stage finished, share of it done, message, loss).
    fn advance(&mut self) -> Result<(bool, f64, String, Option<f64>)> {
        let k = self.cfg.k as usize;
        let sgd_budget = (SGD_WORK / k).max(1);
        Ok(match self.stage {
            Stage::Split => {
                self.split()?;
                let c = self.counts.as_ref().expect("counts");
                let msg = format!(
                    "shadow {}+{}, target {}+{} (members+non-members)",
                    c.shadow_members, c.shadow_nonmembers, c.target_members, c.target_nonmembers
                );
                (true, 1.0, msg, None)
            }
            Stage::TargetRecommender | Stage::ShadowRecommender => {
                let half = if self.stage == Stage::TargetRecommender {
                    &mut self.target
                } else {
                    &mut self.shadow
                };
                let half = half.as_mut().expect("split done");
                let done = half.train_step(sgd_budget);
                let (msg, loss) = half.train_status();
                (done, half.train_fraction(), msg, loss)
            }
            Stage::Recommendations => {
                let users = (SCORE_WORK / (self.data.n_items() * k).max(1)).max(1);
                let (data, cfg) = (&self.data, &self.cfg);
                let target = self.target.as_mut().expect("split done");
                let shadow = self.shadow.as_mut().expect("split done");
                let done = target.recommend_step(data, cfg, users)
                    && shadow.recommend_step(data, cfg, users);
                let within = (target.recommend_fraction() + shadow.recommend_fraction()) / 2.0;
                let lists = target.lists.len() + shadow.lists.len();
                (
                    done,
                    within,
                    format!("{lists} lists of {}", cfg.top_n),
                    None,
                )
            }
            Stage::ItemVectors => {
                if self.vectors.is_none() {
                    self.vectors = Some(self.item_vector_state());
                }
                let v = self.vectors.as_mut().expect("set above");
                let done = v
                    .trainer
                    .step(&v.histories, &mut v.users, &mut v.items, sgd_budget);
                (
                    done,
                    v.trainer.fraction(),
                    v.trainer.status(),
                    v.trainer.last_loss,
                )
            }
            Stage::Features => {
                self.build_features();
                (true, 1.0, format!("{} values per user", k), None)
            }
            Stage::AttackModel => {
                let a = self.attack.as_mut().expect("features done");
                let done = attack_step(a, self.cfg.attack_restarts, self.cfg.attack_epochs);
                let total = f64::from(self.cfg.attack_restarts * self.cfg.attack_epochs);
                let within = f64::from(a.restart * self.cfg.attack_epochs + a.epoch) / total;
                let msg = format!(
                    "restart {}/{}",
                    (a.restart + 1).min(self.cfg.attack_restarts),
                    self.cfg.attack_restarts
                );
                (done, within, msg, a.last_loss)
            }
            Stage::Evaluation => (true, 1.0, "ROC and metrics".into(), None),
        })
    }

    fn split(&mut self) -> Result<()> {
        let cfg = &self.cfg;
        let split = split_users(
            self.data.n_users(),
            cfg.member_fraction,
            &mut rng_for(cfg.seed, Stream::Split),
        )?;
        self.counts = Some(Counts::new(&self.data, &split));
        let mut holdout = rng_for(cfg.seed, Stream::Holdout);
        let make = |users, h: &mut _, model, fold| {
            HalfRecommender::new(
                &self.data,
                users,
                cfg,
                h,
                rng_for(cfg.seed, model),
                rng_for(cfg.seed, fold),
            )
        };
        let shadow = make(
            split.shadow,
            &mut holdout,
            Stream::ShadowModel,
            Stream::ShadowFoldIn,
        );
        let target = make(
            split.target,
            &mut holdout,
            Stream::TargetModel,
            Stream::TargetFoldIn,
        );
        self.shadow = Some(shadow);
        self.target = Some(target);
        Ok(())
    }

    /// The attacker's factorisation of the histories it holds (see `ItemVectors`).
    fn item_vector_state(&self) -> ItemVectorState {
        let shadow = &self.shadow.as_ref().expect("split done").users;
        let target = &self.target.as_ref().expect("split done").users;
        let users: Vec<u32> = match self.cfg.item_vectors {
            ItemVectors::Joint => shadow.all().chain(target.all()).collect(),
            ItemVectors::Shadow => shadow.all().collect(),
        };
        let histories =
            Interactions::from_rows(users.iter().map(|&u| self.data.user_items(u as usize)));
        let known: Vec<u32> = {
            let c = histories.item_counts(self.data.n_items());
            (0..self.data.n_items() as u32)
                .filter(|&i| c[i as usize] > 0)
                .collect()
        };
        let params = SgdParams {
            lr: VECTOR_LR,
            reg: VECTOR_REG,
            epochs: self.cfg.vector_epochs,
            negatives: 1,
            sampling: self.cfg.negative_sampling,
        };
        let mut rng = rng_for(self.cfg.seed, Stream::ItemVectors);
        let k = self.cfg.k as usize;
        let u = init_factors(&mut rng, users.len(), k);
        let items = init_factors(&mut rng, self.data.n_items(), k);
        let sampler = NegativeSampler::new(self.cfg.negative_sampling, &histories, &known);
        ItemVectorState {
            histories,
            users: u,
            items,
            trainer: SgdTrainer::new(params, sampler, rng, true),
        }
    }

    fn half_features(&self, half: &HalfRecommender) -> (Array2<f32>, Vec<f32>) {
        let vectors = &self.vectors.as_ref().expect("vectors done").items;
        let histories: Vec<&[u32]> = half
            .users
            .all()
            .map(|u| self.data.user_items(u as usize))
            .collect();
        let lists: Vec<&[u32]> = half.lists.iter().map(|l| l.as_slice()).collect();
        let x = centroid_differences(vectors, &histories, &lists, self.cfg.weighting);
        let y = half
            .users
            .all()
            .enumerate()
            .map(|(i, _)| {
                if i < half.users.members.len() {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        (x, y)
    }

    fn build_features(&mut self) {
        let (xs, ys) = self.half_features(self.shadow.as_ref().expect("split done"));
        let (xt, _) = self.half_features(self.target.as_ref().expect("split done"));
        let cfg = &self.cfg;
        let params = MlpParams {
            hidden1: cfg.hidden1 as usize,
            hidden2: cfg.hidden2 as usize,
            lr: cfg.attack_lr as f32,
            epochs: cfg.attack_epochs,
            batch: cfg.attack_batch as usize,
        };
        // Standardise with shadow statistics only: the attacker has no labelled target data.
        let std = Standardiser::fit(&xs);
        let x = xs
            .rows()
            .into_iter()
            .map(|r| std.row(&r.to_vec()))
            .collect();
        let xt = Array2::from_shape_vec(
            xt.raw_dim(),
            xt.rows()
                .into_iter()
                .flat_map(|r| std.row(&r.to_vec()))
                .collect(),
        )
        .expect("same shape");
        self.attack = Some(AttackState {
            x,
            y: ys,
            params,
            rng: rng_for(cfg.seed, Stream::AttackModel),
            restart: 0,
            epoch: 0,
            current: None,
            best: None,
            last_loss: None,
        });
        self.features = Some((xs, xt));
    }

    fn finish(&mut self) -> Result<()> {
        let a = self.attack.as_ref().expect("attack done");
        let (shadow_loss, model) = a
            .best
            .as_ref()
            .ok_or_else(|| Error::State("attack model missing".into()))?;
        let (_, xt) = self.features.as_ref().expect("features done");
        let target = self.target.as_ref().expect("split done");
        let shadow = self.shadow.as_ref().expect("split done");
        let scores: Vec<f64> = xt
            .rows()
            .into_iter()
            .map(|r| f64::from(model.predict_row(r.as_slice().expect("row"))))
            .collect();
        let labels: Vec<bool> = (0..target.users.len())
            .map(|i| i < target.users.members.len())
            .collect();
        let shadow_scores: Vec<f64> =
            a.x.iter()
                .map(|r| f64::from(model.predict_row(r)))
                .collect();
        let shadow_labels: Vec<bool> = a.y.iter().map(|&y| y == 1.0).collect();
        let roc = roc_curve(&scores, &labels);
        let at = at_threshold(&scores, &labels, 0.5);
        let n = self.cfg.top_n as usize;
        let mut timings = self.timings.clone();
        timings.insert("total".into(), self.timings.values().sum());
        self.report = Some(RunReport {
            roc_auc: roc.auc(),
            tpr_at_fpr: [("0.01", 0.01), ("0.001", 0.001)]
                .iter()
                .map(|(k, f)| (k.to_string(), roc.tpr_at_fpr(*f)))
                .collect(),
            min_nonzero_fpr: 1.0 / target.users.non_members.len() as f64,
            balanced_accuracy: at.balanced_accuracy,
            attacker_advantage: roc.advantage(),
            accuracy: at.accuracy,
            precision: at.precision,
            recall: at.recall,
            roc,
            recommender: RecommenderReport {
                target: target.utility(n),
                shadow: shadow.utility(n),
            },
            attack: AttackFit {
                shadow_loss: *shadow_loss,
                shadow_auc: roc_curve(&shadow_scores, &shadow_labels).auc(),
            },
            counts: self.counts.clone().expect("split done"),
            config: self.cfg.clone(),
            timings_ms: timings,
        });
        Ok(())
    }
}

/// Trains up to `MLP_EPOCHS_PER_STEP` epochs; keeps the restart with the lowest final shadow loss.
fn attack_step(a: &mut AttackState, restarts: u32, epochs: u32) -> bool {
    for _ in 0..MLP_EPOCHS_PER_STEP {
        if a.restart >= restarts {
            return true;
        }
        let mut model = match a.current.take() {
            Some(m) => m,
            None => Mlp::new(&mut a.rng, a.x[0].len(), &a.params),
        };
        a.last_loss = Some(model.train_epoch(&mut a.rng, &a.x, &a.y, &a.params));
        a.epoch += 1;
        if a.epoch >= epochs {
            let loss = model.loss(&a.x, &a.y);
            if a.best.as_ref().is_none_or(|(b, _)| loss < *b) {
                a.best = Some((loss, model));
            }
            a.restart += 1;
            a.epoch = 0;
        } else {
            a.current = Some(model);
        }
    }
    a.restart >= restarts
}
