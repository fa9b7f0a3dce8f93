//! The paper's attack: an MLP with two hidden layers learns, on the shadow half's users whose
//! membership the attacker knows, to tell members from non-members by their centroid-difference
//! feature; it then scores the target users. Features are standardised with shadow statistics only
//! (the attacker has no labelled target data). Several initialisations are trained and the one with
//! the lowest shadow loss is kept, because small MLPs sometimes collapse to a constant output.

use rand_chacha::ChaCha8Rng;

use super::network::{Mlp, MlpParams, Standardiser};
use super::{Attack, AttackFit, AttackInput};
use crate::config::Config;
use crate::eval::roc_curve;
use crate::rng::{rng_for, Stream};

/// Attack-model epochs per `fit_step`.
const EPOCHS_PER_STEP: u32 = 10;

/// The MLP attack's own parameters (config keys `hidden1`, `hidden2`, `attack_lr`,
/// `attack_epochs`, `attack_batch`, `attack_restarts`, and `seed` for its stream).
#[derive(Clone, Copy, Debug)]
pub struct MlpAttackParams {
    pub net: MlpParams,
    pub restarts: u32,
    pub seed: u32,
}

impl MlpAttackParams {
    pub fn from_config(cfg: &Config) -> MlpAttackParams {
        MlpAttackParams {
            net: MlpParams {
                hidden1: cfg.hidden1 as usize,
                hidden2: cfg.hidden2 as usize,
                lr: cfg.attack_lr as f32,
                epochs: cfg.attack_epochs,
                batch: cfg.attack_batch as usize,
            },
            restarts: cfg.attack_restarts,
            seed: cfg.seed,
        }
    }
}

struct Training {
    std: Standardiser,
    x: Vec<Vec<f32>>,
    y: Vec<f32>,
    rng: ChaCha8Rng,
    restart: u32,
    epoch: u32,
    current: Option<Mlp>,
    best: Option<(f64, Mlp)>,
    last_loss: Option<f64>,
}

pub struct MlpAttack {
    params: MlpAttackParams,
    training: Option<Training>,
    fit: Option<AttackFit>,
}

impl MlpAttack {
    pub fn new(params: MlpAttackParams) -> MlpAttack {
        MlpAttack {
            params,
            training: None,
            fit: None,
        }
    }

    fn done(&self) -> bool {
        self.training
            .as_ref()
            .is_some_and(|t| t.restart >= self.params.restarts)
    }
}

impl Attack for MlpAttack {
    fn fit_step(&mut self, shadow: &AttackInput, labels: &[bool]) -> bool {
        let p = self.params;
        let t = self.training.get_or_insert_with(|| {
            let std = Standardiser::fit(shadow.features);
            let x = shadow
                .features
                .rows()
                .into_iter()
                .map(|r| std.row(&r.to_vec()))
                .collect();
            Training {
                std,
                x,
                y: labels.iter().map(|&l| if l { 1.0 } else { 0.0 }).collect(),
                rng: rng_for(p.seed, Stream::AttackModel),
                restart: 0,
                epoch: 0,
                current: None,
                best: None,
                last_loss: None,
            }
        });
        for _ in 0..EPOCHS_PER_STEP {
            if t.restart >= p.restarts {
                break;
            }
            let mut model = match t.current.take() {
                Some(m) => m,
                None => Mlp::new(&mut t.rng, t.x[0].len(), &p.net),
            };
            t.last_loss = Some(model.train_epoch(&mut t.rng, &t.x, &t.y, &p.net));
            t.epoch += 1;
            if t.epoch >= p.net.epochs {
                let loss = model.loss(&t.x, &t.y);
                if t.best.as_ref().is_none_or(|(b, _)| loss < *b) {
                    t.best = Some((loss, model));
                }
                t.restart += 1;
                t.epoch = 0;
            } else {
                t.current = Some(model);
            }
        }
        if self.done() && self.fit.is_none() {
            let t = self.training.as_ref().expect("training");
            let (loss, model) = t.best.as_ref().expect("at least one restart");
            let scores: Vec<f64> = t.x.iter().map(|r| f64::from(model.logit_row(r))).collect();
            self.fit = Some(AttackFit {
                shadow_loss: *loss,
                shadow_auc: roc_curve(&scores, labels).auc(),
            });
        }
        self.done()
    }

    fn fit_fraction(&self) -> f64 {
        let total = f64::from(self.params.restarts * self.params.net.epochs);
        self.training.as_ref().map_or(0.0, |t| {
            (f64::from(t.restart * self.params.net.epochs + t.epoch) / total).min(1.0)
        })
    }

    fn status(&self) -> (String, Option<f64>) {
        let r = self.params.restarts;
        let (restart, loss) = self
            .training
            .as_ref()
            .map_or((0, None), |t| (t.restart, t.last_loss));
        (format!("restart {}/{r}", (restart + 1).min(r)), loss)
    }

    fn score(&self, target: &AttackInput) -> Vec<f64> {
        let t = self.training.as_ref().expect("fitted before scoring");
        let (_, model) = t.best.as_ref().expect("fitted before scoring");
        target
            .features
            .rows()
            .into_iter()
            .map(|r| f64::from(model.logit_row(&t.std.row(&r.to_vec()))))
            .collect()
    }

    fn fit(&self) -> Option<AttackFit> {
        self.fit.clone()
    }

    /// Logit 0: member probability 0.5, the network's own decision.
    fn threshold(&self, _scores: &[f64]) -> f64 {
        0.0
    }
}
