//! The factor-model core that lfm and bpr share: member rows and item rows scored by their dot
//! product, trained plainly or by user-level DP-SGD (`defence::Training`), new users folded in by
//! fitting their rows with the item rows frozen. What differs between the two models — the loss
//! (their trainers and DP local passes), how rows start, how wide a row is and which key a
//! divergence names — is the `FactorSpec` each one implements; the `Recommender` implementation
//! is written once, here.

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;

use super::{Recommender, TrainSet, Who};
use crate::defence::{LocalPass, PlainTrainer, Training};
use crate::mf::{Interactions, NegativeSampler};
use crate::params::NegativeSampling;
use crate::privacy::DpSgdParams;
use crate::recommend::score_factor_rows;

/// What one factor model brings to the shared core: its params type implements it.
pub trait FactorSpec: Copy {
    /// Trains member rows (and, plainly, item rows); also the fold-in and the members' refit.
    type Trainer: PlainTrainer;
    /// The DP-SGD local pass.
    type Pass: LocalPass;
    /// What a divergence names: plainly, then with DP-SGD.
    const HINTS: [&'static str; 2];

    /// How negatives are drawn.
    fn sampling(&self) -> NegativeSampling;
    /// DP-SGD settings when the model trains privately.
    fn dp(&self) -> Option<DpSgdParams>;
    /// Floats per stored row (also the cost of scoring one candidate).
    fn width(&self) -> usize;
    /// Fresh member (or new-user) rows.
    fn init_users(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32>;
    /// Fresh item rows.
    fn init_items(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32>;
    /// A trainer over item rows too (`training`), or over user rows with the items frozen.
    fn trainer(&self, sampler: NegativeSampler, rng: ChaCha8Rng, training: bool) -> Self::Trainer;
    /// The DP-SGD local pass.
    fn pass(&self) -> Self::Pass;
}

pub(super) struct FoldIn<T> {
    histories: Interactions,
    pub(super) factors: Array2<f32>,
    trainer: T,
}

/// A trained (or training) factor model with params `S` (`Lfm`, `Bpr`).
pub struct FactorModel<S: FactorSpec> {
    pub(super) params: S,
    sampler: NegativeSampler,
    pub(super) users: Array2<f32>,
    pub(super) items: Array2<f32>,
    training: Training<S::Trainer, S::Pass>,
    pub(super) fold: Option<FoldIn<S::Trainer>>,
}

impl<S: FactorSpec> FactorModel<S> {
    /// A model for `train`'s members, seeded by `rng`: member rows, then item rows, then the
    /// trainer take their draws from it in that order.
    pub(super) fn with_params(params: S, train: &TrainSet, mut rng: ChaCha8Rng) -> Self {
        // Under DP, negatives come from the public catalogue: a pool made of members' items would
        // let one member's data change every other member's samples.
        let catalogue = train.catalogue(params.dp().is_some());
        let sampler = NegativeSampler::new(params.sampling(), &train.interactions, &catalogue);
        let users = params.init_users(&mut rng, train.n_members());
        let items = params.init_items(&mut rng, train.n_items());
        let training = Training::new(
            params.dp(),
            rng,
            &sampler,
            train,
            params.width(),
            |rng| params.trainer(sampler.clone(), rng, true),
            || params.pass(),
        );
        FactorModel {
            params,
            sampler,
            users,
            items,
            training,
            fold: None,
        }
    }
}

impl<S: FactorSpec> Recommender for FactorModel<S> {
    fn train_step(&mut self, train: &TrainSet, budget: usize) -> bool {
        let (params, sampler) = (self.params, &self.sampler);
        self.training.step(
            &train.interactions,
            &mut self.users,
            &mut self.items,
            budget,
            // Members' rows from their own histories and the final item rows, as a fold-in.
            |mut rng, users| {
                *users = params.init_users(&mut rng, train.n_members());
                params.trainer(sampler.clone(), rng, false)
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
                f.trainer.last_loss(),
            ),
            _ => self.training.status(),
        }
    }

    fn final_loss(&self) -> Option<f64> {
        self.training.final_loss()
    }

    fn divergence_hint(&self) -> &'static str {
        S::HINTS[usize::from(self.training.is_private())]
    }

    fn begin_fold_in(&mut self, _train: &TrainSet, histories: Interactions, mut rng: ChaCha8Rng) {
        let factors = self.params.init_users(&mut rng, histories.n_users());
        self.fold = Some(FoldIn {
            histories,
            factors,
            trainer: self.params.trainer(self.sampler.clone(), rng, false),
        });
    }

    fn fold_in_step(&mut self, _train: &TrainSet, budget: usize) -> bool {
        match &mut self.fold {
            Some(f) => f
                .trainer
                .step(&f.histories, &mut f.factors, &mut self.items, budget),
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
        self.params.width()
    }
}
