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

use super::{Recommender, TrainSet, Who};
use crate::defence::{PlainTrainer, SquaredErrorPass, Training};
use crate::mf::{init_factors_as, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use crate::params::Init;
use crate::privacy::DpSgdParams;
use crate::recommend::score_factor_rows;

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

struct FoldIn {
    histories: Interactions,
    factors: Array2<f32>,
    trainer: SgdTrainer,
}

/// A trained (or training) latent factor model.
pub struct Lfm {
    params: LfmParams,
    sampler: NegativeSampler,
    users: Array2<f32>,
    items: Array2<f32>,
    training: Training<SgdTrainer, SquaredErrorPass>,
    fold: Option<FoldIn>,
}

impl Lfm {
    pub fn new(params: LfmParams, train: &TrainSet, mut rng: ChaCha8Rng) -> Lfm {
        let k = params.k;
        // Under DP, negatives come from the public catalogue: a pool made of members' items would
        // let one member's data change every other member's samples.
        let catalogue = train.catalogue(params.dp.is_some());
        let sampler = NegativeSampler::new(params.sgd.sampling, &train.interactions, &catalogue);
        let users = init_factors_as(&mut rng, train.n_members(), k, params.init);
        let items = init_factors_as(&mut rng, train.n_items(), k, params.init);
        let training = Training::new(
            params.dp,
            rng,
            &sampler,
            train,
            k,
            |rng| SgdTrainer::new(params.sgd, sampler.clone(), rng, true),
            || SquaredErrorPass::new(params.sgd),
        );
        Lfm {
            params,
            training,
            sampler,
            users,
            items,
            fold: None,
        }
    }

    /// The item vectors (rows indexed by item).
    pub fn item_factors(&self) -> &Array2<f32> {
        &self.items
    }
}

impl Recommender for Lfm {
    fn train_step(&mut self, train: &TrainSet, budget: usize) -> bool {
        let (sgd, sampler, k, init) = (
            self.params.sgd,
            &self.sampler,
            self.params.k,
            self.params.init,
        );
        self.training.step(
            &train.interactions,
            &mut self.users,
            &mut self.items,
            budget,
            // Members' vectors from their own histories and the final item vectors.
            |mut rng, users| {
                *users = init_factors_as(&mut rng, train.n_members(), k, init);
                SgdTrainer::new(sgd, sampler.clone(), rng, false)
            },
        )
    }

    fn train_fraction(&self) -> f64 {
        self.training.fraction()
    }

    fn status(&self) -> (String, Option<f64>) {
        match &self.fold {
            Some(f) if self.training.done() => (
                format!("fold-in {}", f.trainer.status()),
                f.trainer.last_loss,
            ),
            _ => self.training.status(),
        }
    }

    fn final_loss(&self) -> Option<f64> {
        self.training.final_loss()
    }

    fn divergence_hint(&self) -> &'static str {
        if self.training.is_private() {
            "lr, or the DP noise σ·C: defence_strength (σ) or dp_clip (C)"
        } else {
            "lr"
        }
    }

    fn begin_fold_in(&mut self, _train: &TrainSet, histories: Interactions, mut rng: ChaCha8Rng) {
        let factors = init_factors_as(
            &mut rng,
            histories.n_users(),
            self.params.k,
            self.params.init,
        );
        self.fold = Some(FoldIn {
            histories,
            factors,
            trainer: SgdTrainer::new(self.params.sgd, self.sampler.clone(), rng, false),
        });
    }

    fn fold_in_step(&mut self, _train: &TrainSet, budget: usize) -> bool {
        let samples = (budget / self.params.k.max(1)).max(1);
        match &mut self.fold {
            Some(f) => f
                .trainer
                .step(&f.histories, &mut f.factors, &mut self.items, samples),
            None => true,
        }
    }

    fn fold_in_fraction(&self) -> f64 {
        self.fold.as_ref().map_or(1.0, |f| f.trainer.fraction())
    }

    fn score_block(
        &self,
        _train: &TrainSet,
        who: Who,
        first: usize,
        candidates: &[u32],
        out: &mut [Vec<f32>],
    ) {
        let factors = match who {
            Who::Member => &self.users,
            Who::NewUser => &self.fold.as_ref().expect("fold-in begun").factors,
        };
        score_factor_rows(factors, first, &self.items, candidates, out);
    }

    fn score_cost(&self) -> usize {
        self.params.k
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
    use crate::params::NegativeSampling;
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
