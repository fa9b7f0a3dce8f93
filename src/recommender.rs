//! One half's latent factor recommender: trained on its members' (non-held-out) interactions,
//! serving top-N lists to members from the model and to non-members by the chosen protocol
//! (popularity list, or fold-in of the non-member's history with frozen item factors).

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;

use crate::config::{Config, Protocol};
use crate::data::Dataset;
use crate::mf::{init_factors, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use crate::recommend::{
    first_n_unseen, full_order, popularity_scores, score_block, top_n, top_n_with_and_without,
    Utility, UtilityCounter,
};

/// Users scored together so each item row is loaded once per block.
const BLOCK: usize = 8;
use crate::split::{hold_out, HalfUsers};

/// Non-members served by the trained model: their own vectors, fitted with item factors frozen.
struct FoldIn {
    histories: Interactions,
    factors: Array2<f32>,
    trainer: SgdTrainer,
}

/// A half's recommender through its life: training, fold-in, then recommendation lists.
pub struct HalfRecommender {
    pub users: HalfUsers,
    train: Interactions,
    heldout: Vec<Vec<u32>>,
    /// Items in the training data (sorted): the only items the model can recommend.
    known: Vec<u32>,
    /// Known items from most to least popular in the training data.
    popular_order: Vec<u32>,
    user_factors: Array2<f32>,
    item_factors: Array2<f32>,
    trainer: SgdTrainer,
    fold: Option<FoldIn>,
    /// One list per user of the half, members first.
    pub lists: Vec<Vec<u32>>,
    utility: UtilityCounter,
    scores: Vec<Vec<f32>>,
}

impl HalfRecommender {
    pub fn new(
        data: &Dataset,
        users: HalfUsers,
        cfg: &Config,
        holdout_rng: &mut ChaCha8Rng,
        mut model_rng: ChaCha8Rng,
        fold_rng: ChaCha8Rng,
    ) -> Self {
        let k = cfg.k as usize;
        let (rows, heldout): (Vec<Vec<u32>>, Vec<Vec<u32>>) = users
            .members
            .iter()
            .map(|&u| hold_out(data.user_items(u as usize), cfg.holdout, holdout_rng))
            .unzip();
        let train = Interactions::from_rows(rows.iter().map(|r| r.as_slice()));
        let counts = train.item_counts(data.n_items());
        let known: Vec<u32> = (0..data.n_items() as u32)
            .filter(|&i| counts[i as usize] > 0)
            .collect();
        let popularity = popularity_scores(&counts, &known);
        let popular_order = full_order(popularity.iter().copied().zip(known.iter().copied()));
        let params = SgdParams {
            lr: cfg.lr as f32,
            reg: cfg.reg as f32,
            epochs: cfg.epochs,
            negatives: cfg.negatives,
            sampling: cfg.negative_sampling,
        };
        let sampler = NegativeSampler::new(cfg.negative_sampling, &train, &known);
        let user_factors = init_factors(&mut model_rng, users.members.len(), k);
        let item_factors = init_factors(&mut model_rng, data.n_items(), k);
        let fold = (cfg.protocol == Protocol::FoldIn).then(|| {
            let mut fold_rng = fold_rng;
            // A deployed model only knows its catalogue: fold in the history restricted to it.
            let rows: Vec<Vec<u32>> = users
                .non_members
                .iter()
                .map(|&u| {
                    let items = data.user_items(u as usize);
                    items
                        .iter()
                        .copied()
                        .filter(|i| counts[*i as usize] > 0)
                        .collect()
                })
                .collect();
            let factors = init_factors(&mut fold_rng, rows.len(), k);
            FoldIn {
                histories: Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
                factors,
                trainer: SgdTrainer::new(params, sampler.clone(), fold_rng, false),
            }
        });
        HalfRecommender {
            trainer: SgdTrainer::new(params, sampler, model_rng, true),
            users,
            train,
            heldout,
            known,
            popular_order,
            user_factors,
            item_factors,
            fold,
            lists: Vec::new(),
            utility: UtilityCounter::default(),
            scores: vec![Vec::new(); BLOCK],
        }
    }

    /// Trains the model, then folds in non-members; returns true when both are done.
    pub fn train_step(&mut self, budget: usize) -> bool {
        if !self.trainer.done() {
            self.trainer.step(
                &self.train,
                &mut self.user_factors,
                &mut self.item_factors,
                budget,
            );
            return false;
        }
        match &mut self.fold {
            Some(f) => f
                .trainer
                .step(&f.histories, &mut f.factors, &mut self.item_factors, budget),
            None => true,
        }
    }

    pub fn train_fraction(&self) -> f64 {
        match &self.fold {
            Some(f) => (self.trainer.fraction() * 2.0 + f.trainer.fraction()) / 3.0,
            None => self.trainer.fraction(),
        }
    }

    /// A line for the progress view: epoch and latest loss.
    pub fn train_status(&self) -> (String, Option<f64>) {
        let (what, t) = match &self.fold {
            Some(f) if self.trainer.done() => ("fold-in ", &f.trainer),
            _ => ("", &self.trainer),
        };
        (format!("{what}{}", t.status()), t.last_loss)
    }

    /// Builds the lists of up to `budget` more users; returns true when every user has one.
    pub fn recommend_step(&mut self, data: &Dataset, cfg: &Config, budget: usize) -> bool {
        let n = cfg.top_n as usize;
        let n_members = self.users.members.len();
        let end = (self.lists.len() + budget.max(1)).min(self.users.len());
        while self.lists.len() < end {
            let idx = self.lists.len();
            // A block never straddles members and non-members: they are scored by different vectors.
            let limit = if idx < n_members {
                n_members.min(end)
            } else {
                end
            };
            let block = (limit - idx).min(BLOCK);
            // Members are scored by the model's user vectors, non-members (fold-in) by theirs.
            let vectors = if idx < n_members {
                Some((&self.user_factors, idx))
            } else {
                self.fold.as_ref().map(|f| (&f.factors, idx - n_members))
            };
            if let Some((factors, first)) = vectors {
                let rows: Vec<&[f32]> = (first..first + block)
                    .map(|r| factors.row(r).to_slice().expect("standard layout"))
                    .collect();
                score_block(
                    &rows,
                    &self.item_factors,
                    &self.known,
                    &mut self.scores[..block],
                );
            }
            if idx < n_members {
                for b in 0..block {
                    let list = self.member_list(idx + b, b, cfg, n);
                    self.lists.push(list);
                }
                continue;
            }
            for b in 0..block {
                let u = self.users.non_members[idx + b - n_members] as usize;
                let seen: &[u32] = if cfg.exclude_seen {
                    data.user_items(u)
                } else {
                    &[]
                };
                let list = if self.fold.is_some() {
                    top_n(self.scored(&self.scores[b]), seen, n)
                } else {
                    first_n_unseen(&self.popular_order, seen, n)
                };
                self.lists.push(list);
            }
        }
        self.lists.len() == self.users.len()
    }

    fn scored<'a>(&'a self, scores: &'a [f32]) -> impl Iterator<Item = (f32, u32)> + 'a {
        scores.iter().copied().zip(self.known.iter().copied())
    }

    /// Member `m`'s list from its scores in slot `b`; also counts utility on held-out items.
    fn member_list(&mut self, m: usize, b: usize, cfg: &Config, n: usize) -> Vec<u32> {
        let train = self.train.row(m);
        let (all, unseen) = top_n_with_and_without(self.scored(&self.scores[b]), train, n);
        let heldout = &self.heldout[m];
        if !heldout.is_empty() {
            // Utility is measured the usual way: training items are never counted as recommendations.
            let popular = first_n_unseen(&self.popular_order, train, n);
            self.utility.add(heldout, &unseen, &popular);
        }
        if cfg.exclude_seen {
            unseen
        } else {
            all
        }
    }

    pub fn recommend_fraction(&self) -> f64 {
        self.lists.len() as f64 / self.users.len().max(1) as f64
    }

    pub fn utility(&self, n: usize) -> Utility {
        self.utility
            .finish(n, self.trainer.last_loss.unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    fn setup(protocol: Protocol, exclude_seen: bool) -> (Dataset, HalfRecommender, Config) {
        // 12 users over 30 items; users 0..6 members, 6..12 non-members.
        let pairs: Vec<(u64, u64)> = (0..12u64)
            .flat_map(|u| (0..10u64).map(move |j| (u, (u * 3 + j * 2) % 30)))
            .collect();
        let data = Dataset::from_pairs("t", &pairs, pairs.len()).unwrap();
        let cfg = Config {
            k: 4,
            top_n: 5,
            epochs: 3,
            protocol,
            exclude_seen,
            ..Config::default()
        };
        let users = HalfUsers {
            members: (0..6).collect(),
            non_members: (6..12).collect(),
        };
        let h = HalfRecommender::new(
            &data,
            users,
            &cfg,
            &mut rng_for(0, Stream::Holdout),
            rng_for(0, Stream::TargetModel),
            rng_for(0, Stream::TargetFoldIn),
        );
        (data, h, cfg)
    }

    fn finish(data: &Dataset, h: &mut HalfRecommender, cfg: &Config) {
        while !h.train_step(7) {}
        while !h.recommend_step(data, cfg, 3) {}
    }

    #[test]
    fn popular_protocol_gives_every_non_member_the_same_list() {
        let (data, mut h, cfg) = setup(Protocol::Popular, false);
        finish(&data, &mut h, &cfg);
        assert_eq!(h.lists.len(), 12);
        assert!(h.lists.iter().all(|l| l.len() == 5));
        assert!(h.lists[6..].windows(2).all(|w| w[0] == w[1]));
        // only items seen in training can be recommended
        assert!(h
            .lists
            .iter()
            .flatten()
            .all(|i| h.known.binary_search(i).is_ok()));
    }

    #[test]
    fn fold_in_and_exclude_seen_personalise_non_member_lists() {
        let (data, mut h, cfg) = setup(Protocol::FoldIn, true);
        finish(&data, &mut h, &cfg);
        for (idx, u) in h.users.all().enumerate() {
            let seen = data.user_items(u as usize);
            if idx >= 6 {
                assert!(
                    h.lists[idx].iter().all(|i| seen.binary_search(i).is_err()),
                    "user {u}"
                );
            }
        }
        assert!(h.lists[6..].windows(2).any(|w| w[0] != w[1]));
    }
}
