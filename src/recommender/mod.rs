//! The recommender family: the one trait every algorithm implements (`Recommender`), the training
//! data they all receive (`TrainSet`), the algorithm names (`RecommenderKind`) and `build`, the only
//! place that turns a name into a model. One file per algorithm; each takes only its own params.
//!
//! A recommender trains in bounded steps (so a browser worker can report progress and cancel),
//! scores candidate items for its members, and — where the algorithm can — serves users it never
//! saw from their own history with its shared parameters frozen ("fold-in").

mod bpr;
mod factor_model;
mod item_knn;
mod lfm;
mod ncf;
mod popularity;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::mf::Interactions;

pub use bpr::{Bpr, BprParams};
pub use factor_model::{FactorModel, FactorSpec};
pub use item_knn::{ItemKnn, ItemKnnParams};
pub use lfm::{Lfm, LfmParams};
pub use ncf::{Ncf, NcfParams};
pub use popularity::Popularity;

/// The algorithms MemberLens can train (config keys `recommender` and `shadow_recommender`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecommenderKind {
    /// Latent factor model: matrix factorisation by SGD on implicit feedback (the paper's).
    Lfm,
    /// Matrix factorisation trained by the pairwise BPR loss (Rendle et al., UAI 2009).
    Bpr,
    /// Item-based collaborative filtering: cosine similarity of item co-occurrence.
    ItemKnn,
    /// Non-personalised: the most popular items of the training data.
    Popularity,
    /// Neural collaborative filtering (NeuMF: GMF and MLP towers) on implicit feedback.
    Ncf,
}

impl RecommenderKind {
    pub const ALL: [RecommenderKind; 5] = [
        RecommenderKind::Lfm,
        RecommenderKind::ItemKnn,
        RecommenderKind::Bpr,
        RecommenderKind::Ncf,
        RecommenderKind::Popularity,
    ];

    /// The name used in configs, URLs and results.
    pub fn id(self) -> &'static str {
        match self {
            RecommenderKind::Lfm => "lfm",
            RecommenderKind::Bpr => "bpr",
            RecommenderKind::ItemKnn => "item-knn",
            RecommenderKind::Popularity => "popularity",
            RecommenderKind::Ncf => "ncf",
        }
    }

    /// Parses a name; the error lists the allowed values.
    pub fn parse(key: &str, name: &str) -> Result<RecommenderKind> {
        RecommenderKind::ALL
            .iter()
            .copied()
            .find(|k| k.id() == name)
            .ok_or_else(|| {
                crate::error::Error::config(
                    key,
                    format!(
                        "unknown recommender '{}' (allowed: {})",
                        crate::error::shorten(name),
                        RecommenderKind::ALL.map(|k| k.id()).join(", ")
                    ),
                )
            })
    }

    /// Whether the algorithm personalises lists (the popularity list does not).
    pub fn personalised(self) -> bool {
        self != RecommenderKind::Popularity
    }
}

/// What a half's recommender learns from: its members' training interactions.
#[derive(Clone, Debug)]
pub struct TrainSet {
    /// Training items of each member, by local member index (members in the half's order).
    pub interactions: Interactions,
    /// How often each item of the data set occurs in the training data.
    pub counts: Vec<u32>,
    /// Items that occur in the training data (sorted): the only items a service that is not
    /// private can recommend (see `catalogue`).
    pub known: Vec<u32>,
}

impl TrainSet {
    pub fn new(interactions: Interactions, n_items: usize) -> TrainSet {
        let counts = interactions.item_counts(n_items);
        let known = (0..n_items as u32)
            .filter(|&i| counts[i as usize] > 0)
            .collect();
        TrainSet {
            interactions,
            counts,
            known,
        }
    }

    pub fn n_items(&self) -> usize {
        self.counts.len()
    }

    /// The items a service trained on this set can recommend and draws negatives from, sorted.
    /// A differentially private service (`private`) uses every item of the data set: a catalogue
    /// known before anyone joins, which does not depend on who is a member (the items that occur
    /// in members' training data do: a movie only one member rated would enter it exactly when
    /// that member does, issue 16). Otherwise the items that occur in the training data, as the
    /// reference LFM does.
    pub fn catalogue(&self, private: bool) -> Vec<u32> {
        if private {
            (0..self.n_items() as u32).collect()
        } else {
            self.known.clone()
        }
    }

    pub fn n_members(&self) -> usize {
        self.interactions.n_users()
    }
}

/// Whose scores `score_block` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Members, by local member index: the users the model trained on.
    Member,
    /// Users served by fold-in, by their index in the histories given to `begin_fold_in`.
    NewUser,
}

/// The contract of every algorithm. Work is measured in "budget" units of about one multiply-add,
/// so one `train_step` call takes a few milliseconds whatever the algorithm; results never depend
/// on the budget (every algorithm fixes its work order by counts, not by chunk boundaries).
pub trait Recommender {
    /// Trains up to about `budget` units; returns true once training is over.
    fn train_step(&mut self, train: &TrainSet, budget: usize) -> bool;
    /// Share of training done, in [0, 1].
    fn train_fraction(&self) -> f64;
    /// A progress line ("epoch 3/40") and the latest training loss, if the algorithm has one.
    fn status(&self) -> (String, Option<f64>);
    /// Mean loss of the last training epoch (`None` when the algorithm has no loss).
    fn final_loss(&self) -> Option<f64>;
    /// The config key to lower when training diverges.
    fn divergence_hint(&self) -> &'static str {
        "lr"
    }
    /// Prepares to serve new users from their `histories` (restricted to known items), with the
    /// model's shared parameters frozen. `rng` is the fold-in stream.
    fn begin_fold_in(&mut self, train: &TrainSet, histories: Interactions, rng: ChaCha8Rng);
    /// Fits the new users up to about `budget` units; true when done.
    fn fold_in_step(&mut self, train: &TrainSet, budget: usize) -> bool;
    /// Share of fold-in done, in [0, 1].
    fn fold_in_fraction(&self) -> f64;
    /// Scores of `candidates` (item indices) for users `first..first + out.len()` of group `who`:
    /// `out[b][c]` is the score of `candidates[c]` for user `first + b`. Higher = recommended first.
    fn score_block(
        &self,
        train: &TrainSet,
        who: Who,
        first: usize,
        candidates: &[u32],
        out: &mut [Vec<f32>],
    );
    /// Roughly how many budget units scoring one candidate for one user costs (sets block sizes).
    fn score_cost(&self) -> usize;
}

/// Every algorithm's own params, one field per member (popularity has none); `config` composes
/// it (`Config::recommender_params`), and `build` hands each model only its own.
#[derive(Clone, Copy, Debug)]
pub struct RecommenderParams {
    pub lfm: LfmParams,
    pub bpr: BprParams,
    pub item_knn: ItemKnnParams,
    pub ncf: NcfParams,
}

/// Builds the `kind` recommender for a half with `train` data, seeded by `rng` (its model stream).
pub fn build(
    kind: RecommenderKind,
    params: &RecommenderParams,
    train: &TrainSet,
    rng: ChaCha8Rng,
) -> Box<dyn Recommender> {
    match kind {
        RecommenderKind::Lfm => Box::new(Lfm::new(params.lfm, train, rng)),
        RecommenderKind::Bpr => Box::new(Bpr::new(params.bpr, train, rng)),
        RecommenderKind::ItemKnn => Box::new(ItemKnn::new(params.item_knn, train)),
        RecommenderKind::Popularity => Box::new(Popularity::new(train)),
        // The core wasm module has no ncf (full.rs): the jobs that build a recommender check first.
        RecommenderKind::Ncf if !crate::full::ENABLED => unreachable!("ncf in the core module"),
        RecommenderKind::Ncf => Box::new(Ncf::new(params.ncf, train, rng)),
    }
}
