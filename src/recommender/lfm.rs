//! The latent factor model of the paper: user and item vectors trained by SGD on implicit feedback
//! (positives with target 1, sampled negatives with target 0, squared error), scored by the dot
//! product. New users are folded in by fitting their vector with the item vectors frozen.
//!
//! With defence `dp-sgd` the item vectors are trained by user-level DP-SGD
//! (`defence::DpSgdTrainer`) instead, over every item of the data set with negatives drawn from
//! them (`TrainSet::catalogue`), and afterwards every member's vector is fitted again from their
//! own history against the final item vectors, exactly as a new user is folded in, so that nothing
//! a user is shown depends on other members except through the private item vectors.
//!
//! Vectors start as `init` says (`mf::init_factors_as`): centred by default, all-positive as the
//! reference LFM with `preset paper` (see `Config::init` for the measured reason).

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;

use super::factor_model::{FactorModel, FactorSpec};
use super::TrainSet;
use crate::defence::{PlainTrainer, SquaredErrorPass};
use crate::mf::{init_factors_as, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use crate::params::{Init, NegativeSampling};
use crate::privacy::DpSgdParams;

/// The LFM's own parameters (config keys `k`, `init`, `lr`, `reg`, `epochs`, `negatives`,
/// `negative_sampling`, and for defence `dp-sgd` `defence_strength`, `dp_clip`,
/// `dp_sampling_rate`).
#[derive(Clone, Copy, Debug)]
pub struct LfmParams {
    pub k: usize,
    /// How user and item vectors start (config key `init`).
    pub init: Init,
    pub sgd: SgdParams,
    /// DP-SGD settings when the model trains privately.
    pub dp: Option<DpSgdParams>,
}

/// A trained (or training) latent factor model: the shared factor core with the LFM's params.
pub type Lfm = FactorModel<LfmParams>;

impl Lfm {
    pub fn new(params: LfmParams, train: &TrainSet, rng: ChaCha8Rng) -> Lfm {
        FactorModel::with_params(params, train, rng)
    }
}

/// The LFM's part of the factor core: squared error on sampled implicit feedback.
impl FactorSpec for LfmParams {
    type Trainer = SgdTrainer;
    type Pass = SquaredErrorPass;
    const HINTS: [&'static str; 2] = [
        "lr",
        "lr, or the DP noise σ·C: defence_strength (σ) or dp_clip (C)",
    ];

    fn sampling(&self) -> NegativeSampling {
        self.sgd.sampling
    }

    fn dp(&self) -> Option<DpSgdParams> {
        self.dp
    }

    fn width(&self) -> usize {
        self.k
    }

    fn init_users(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32> {
        init_factors_as(rng, n, self.k, self.init)
    }

    fn init_items(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32> {
        init_factors_as(rng, n, self.k, self.init)
    }

    fn trainer(&self, sampler: NegativeSampler, rng: ChaCha8Rng, training: bool) -> SgdTrainer {
        SgdTrainer::new(self.sgd, sampler, rng, training)
    }

    fn pass(&self) -> SquaredErrorPass {
        SquaredErrorPass::new(self.sgd)
    }
}

/// The LFM's plain trainer counts samples: `budget` units are `budget / k` samples.
impl PlainTrainer for SgdTrainer {
    fn step(
        &mut self,
        data: &Interactions,
        users: &mut Array2<f32>,
        items: &mut Array2<f32>,
        budget: usize,
    ) -> bool {
        let samples = (budget / items.ncols().max(1)).max(1);
        SgdTrainer::step(self, data, users, items, samples)
    }

    fn done(&self) -> bool {
        SgdTrainer::done(self)
    }

    fn fraction(&self) -> f64 {
        SgdTrainer::fraction(self)
    }

    fn status(&self) -> String {
        SgdTrainer::status(self)
    }

    fn last_loss(&self) -> Option<f64> {
        self.last_loss
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defence::{dp_params, tests_params, DefenceKind, DefenceParams};
    use crate::recommender::Recommender;
    use crate::rng::{rng_for, Stream};

    /// The defaults' LFM (`Config::default`), with `k` and `epochs` given.
    fn params(k: usize, epochs: u32) -> LfmParams {
        LfmParams {
            k,
            init: Init::Centred,
            sgd: SgdParams {
                lr: 0.01,
                reg: 0.01,
                epochs,
                negatives: 1,
                sampling: NegativeSampling::Uniform,
            },
            dp: None,
        }
    }

    #[test]
    fn dp_training_names_its_keys_when_it_diverges_and_plain_training_does_not() {
        let rows: [&[u32]; 3] = [&[0, 1, 2], &[1, 3], &[0, 2, 4]];
        let train = TrainSet::new(Interactions::from_rows(rows), 6);
        let plain = Lfm::new(params(100, 80), &train, rng_for(0, Stream::TargetModel));
        assert_eq!(plain.divergence_hint(), "lr");
        let defence = DefenceParams {
            kind: DefenceKind::DpSgd,
            strength: 0.5,
            lfm_epochs: 3,
            ..tests_params()
        };
        let private = LfmParams {
            dp: dp_params(&defence),
            ..params(4, 3)
        };
        let mut dp = Lfm::new(private, &train, rng_for(0, Stream::TargetModel));
        let hint = dp.divergence_hint();
        assert!(
            hint.contains("defence_strength") && hint.contains("dp_clip"),
            "{hint}"
        );
        // DP steps, then the members' refit, both reported.
        while !dp.train_step(&train, 1) {}
        let (status, loss) = dp.status();
        assert!(
            status.contains("DP step 6/6") && status.contains("refitted"),
            "{status}"
        );
        assert!(loss.is_some_and(f64::is_finite));
    }
}
