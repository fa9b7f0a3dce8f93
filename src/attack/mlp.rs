//! The paper's attack: an MLP with two hidden layers learns, on the shadow half's users whose
//! membership the attacker knows, to tell members from non-members by their centroid-difference
//! feature; it then scores the target users. Features are standardised with shadow statistics only
//! (the attacker has no labelled target data). Several initialisations are trained and the one with
//! the lowest shadow loss is kept, because small MLPs sometimes collapse to a constant output.

use rand_chacha::ChaCha8Rng;

use super::network::{Mlp, MlpParams, Standardiser};
use super::{Attack, AttackFit, AttackInput};
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn params(epochs: u32, restarts: u32) -> MlpAttackParams {
        MlpAttackParams {
            net: MlpParams {
                hidden1: 5,
                hidden2: 3,
                lr: 0.05,
                epochs,
                batch: 4,
            },
            restarts,
            seed: 9,
        }
    }

    /// 12 users: members' features lean positive, non-members' negative, with overlap.
    fn shadow() -> (Array2<f32>, Vec<bool>) {
        let f: Vec<f32> = (0..12)
            .flat_map(|i| {
                let s = if i < 6 { 1.0 } else { -1.0 };
                [s * (1.0 + i as f32 * 0.3) + 2.0, (i % 4) as f32 - 1.5]
            })
            .collect();
        let labels = (0..12).map(|i| i < 6 || i == 11).collect();
        (Array2::from_shape_vec((12, 2), f).unwrap(), labels)
    }

    #[test]
    fn keeps_the_restart_with_the_lowest_shadow_loss() {
        let (f, labels) = shadow();
        let lists = vec![Vec::new(); 12];
        let input = AttackInput::new(vec![&[]; 12], &lists, &f);
        // 3 restarts × 7 epochs = 21 epochs: 10 per step, so three steps
        let p = params(7, 3);
        let mut a = MlpAttack::new(p);
        assert_eq!(a.fit_fraction(), 0.0);
        assert_eq!(a.status(), ("restart 1/3".to_string(), None));
        assert!(!a.fit_step(&input, &labels));
        assert_eq!(a.fit_fraction(), 10.0 / 21.0);
        assert_eq!(a.status().0, "restart 2/3");
        assert!(a.fit().is_none());
        assert!(!a.fit_step(&input, &labels));
        assert_eq!(a.fit_fraction(), 20.0 / 21.0);
        assert_eq!(a.status().0, "restart 3/3");
        assert!(a.fit_step(&input, &labels));
        assert_eq!(a.fit_fraction(), 1.0);
        assert_eq!(a.status().0, "restart 3/3");

        let std = Standardiser::fit(&f);
        let x: Vec<Vec<f32>> = f.rows().into_iter().map(|r| std.row(&r.to_vec())).collect();
        let y: Vec<f32> = labels.iter().map(|&l| f32::from(u8::from(l))).collect();
        let mut rng = rng_for(9, Stream::AttackModel);
        let mut nets = Vec::new();
        let mut last = 0.0;
        for _ in 0..3 {
            let mut m = Mlp::new(&mut rng, 2, &p.net);
            for _ in 0..7 {
                last = m.train_epoch(&mut rng, &x, &y, &p.net);
            }
            nets.push((m.loss(&x, &y), m));
        }
        assert_eq!(a.status().1, Some(last));
        let losses: Vec<f64> = nets.iter().map(|n| n.0).collect();
        let best = (0..3)
            .min_by(|&i, &j| losses[i].total_cmp(&losses[j]))
            .unwrap();
        // the restarts differ, so keeping another than the lowest would show
        assert!(
            losses
                .iter()
                .all(|&l| l == losses[best] || l > losses[best] + 1e-6),
            "{losses:?}"
        );
        let model = &nets[best].1;
        let logits: Vec<f64> = x.iter().map(|r| f64::from(model.logit_row(r))).collect();
        let fit = a.fit().expect("fitted");
        assert_eq!(fit.shadow_loss, losses[best]);
        assert_eq!(fit.shadow_auc, roc_curve(&logits, &labels).auc());
        // target users are standardised with the shadow statistics and scored by the logit
        let target = ndarray::array![[3.0f32, 0.5], [-1.0, -1.0]];
        let t_input = AttackInput::new(vec![&[]; 2], &lists[..2], &target);
        let expected: Vec<f64> = target
            .rows()
            .into_iter()
            .map(|r| f64::from(model.logit_row(&std.row(&r.to_vec()))))
            .collect();
        assert_eq!(a.score(&t_input), expected);
        assert_eq!(a.threshold(&expected), 0.0);
        // more steps change nothing
        assert!(a.fit_step(&input, &labels));
        assert_eq!(a.fit().unwrap(), fit);
    }
}
