//! The latent factor model of the paper: user and item vectors trained by SGD on implicit feedback
//! (positives with target 1, sampled negatives with target 0, squared error), scored by the dot
//! product. New users are folded in by fitting their vector with the item vectors frozen.

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;

use super::{Recommender, TrainSet, Who};
use crate::config::Config;
use crate::mf::{init_factors, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use crate::recommend::score_block;

/// The LFM's own parameters (config keys `k`, `lr`, `reg`, `epochs`, `negatives`,
/// `negative_sampling`).
#[derive(Clone, Copy, Debug)]
pub struct LfmParams {
    pub k: usize,
    pub sgd: SgdParams,
}

impl LfmParams {
    pub fn from_config(cfg: &Config) -> LfmParams {
        LfmParams {
            k: cfg.k as usize,
            sgd: SgdParams {
                lr: cfg.lr as f32,
                reg: cfg.reg as f32,
                epochs: cfg.epochs,
                negatives: cfg.negatives,
                sampling: cfg.negative_sampling,
            },
        }
    }
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
    trainer: SgdTrainer,
    fold: Option<FoldIn>,
}

impl Lfm {
    pub fn new(params: LfmParams, train: &TrainSet, mut rng: ChaCha8Rng) -> Lfm {
        let k = params.k;
        let sampler = NegativeSampler::new(params.sgd.sampling, &train.interactions, &train.known);
        let users = init_factors(&mut rng, train.n_members(), k);
        let items = init_factors(&mut rng, train.n_items(), k);
        Lfm {
            params,
            trainer: SgdTrainer::new(params.sgd, sampler.clone(), rng, true),
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
        let samples = (budget / self.params.k.max(1)).max(1);
        self.trainer.step(
            &train.interactions,
            &mut self.users,
            &mut self.items,
            samples,
        )
    }

    fn train_fraction(&self) -> f64 {
        self.trainer.fraction()
    }

    fn status(&self) -> (String, Option<f64>) {
        match &self.fold {
            Some(f) if self.trainer.done() => (
                format!("fold-in {}", f.trainer.status()),
                f.trainer.last_loss,
            ),
            _ => (self.trainer.status(), self.trainer.last_loss),
        }
    }

    fn final_loss(&self) -> Option<f64> {
        self.trainer.last_loss
    }

    fn begin_fold_in(&mut self, _train: &TrainSet, histories: Interactions, mut rng: ChaCha8Rng) {
        let factors = init_factors(&mut rng, histories.n_users(), self.params.k);
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
        let rows: Vec<&[f32]> = (first..first + out.len())
            .map(|r| factors.row(r).to_slice().expect("standard layout"))
            .collect();
        score_block(&rows, &self.items, candidates, out);
    }

    fn score_cost(&self) -> usize {
        self.params.k
    }
}
