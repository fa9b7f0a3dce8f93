//! The one-run privacy audit of a target's training (Steinke, Nasr & Jagielski, "Privacy Auditing
//! with One (1) Training Run", NeurIPS 2023; the statistics are `privacy::audit`): an empirical
//! lower bound on ε to set beside the accountant's, reported as `privacy.audit`.
//!
//! **Canaries.** m users (`audit_canaries`) who are not in the data set. Canary c has an item of
//! its own, u_c (a new item, rated by nobody else), and `CO_ITEMS` items drawn uniformly from the
//! half's `POOL` most popular ones (popular items have vectors that many members shape, so a
//! canary's taste points the same way from step to step). Each canary is included in the training,
//! with its whole history, independently with probability ½ (stream `AuditCanaries`).
//!
//! **One training, of its own.** The audit trains the run's recommender again, with the run's
//! settings (DP-SGD included), on the target's members plus the included canaries, from its own
//! streams (`AuditModel`, `AuditFoldIn`). The paper inserts the canaries into the one real
//! training; here they would be a third more users than an ml-latest-small half has members and
//! would change every number the run reports, so the audit pays for a training of its own (about
//! one more target training: measured in the run's `target_recommender` time) and the run's own
//! numbers do not depend on whether it is audited. ε is a property of the training algorithm and
//! its settings, so a training on D ∪ canaries audits the same claim.
//!
//! **Score.** Every canary, included or not, is served as a new user is, by fold-in from its
//! co-items alone — never from u_c, which would pull any user's vector towards their own item
//! whatever the training learnt. Its score is where u_c ranks for it among the items the service
//! can recommend (1 = first, 0 = last; −1 when u_c is not in the catalogue at all, as for an
//! excluded canary of a service that recommends only items of its training data). An included
//! canary's item was trained towards the canary's taste; an excluded one's carries noise (DP) or
//! nothing. The audit therefore tests what ε covers under protocol fold-in (the item rows and
//! lists made from them), whatever the run's protocol. The guesses and the bound are
//! `privacy::audit::audit` at 95 % confidence with the run's δ.

use rand_chacha::ChaCha8Rng;

use crate::defence::{dp_params, DefenceParams};
use crate::mf::Interactions;
use crate::params::Audit;
use crate::privacy::audit::{audit, AuditResult};
use crate::recommender::{build, Recommender, RecommenderKind, RecommenderParams, TrainSet, Who};
use crate::rng::{below, rng_for, Stream};
use crate::serving::HalfData;

/// Co-items per canary. Few: a member's clipped change is shared among the rows it moves, so
/// the fewer co-items, the more of it reaches u_c; but one co-item makes a canary's taste (and so
/// its fold-in) noisy. Measured on ml-latest-small (lfm, protocol fold-in, 100 canaries; mean
/// bound over dp-sgd strengths 0.25, 0.5, 1 and seeds 0, 1): 1, 3, 10, 30 co-items from the top
/// 50 gave 0.60, 0.63, 0.62, 0.45; from the top 500 0.59, 0.69, 0.32, 0.29 — differences
/// mostly within the seeds' spread; without DP every setting gave 2.36 and 2.45.
pub const CO_ITEMS: usize = 3;
/// Co-items are drawn from the half's this many most popular items (from members' counts: the
/// canaries' design may use any data that does not depend on which canaries are included).
pub const POOL: usize = 50;
/// Confidence of the reported bound.
pub const CONFIDENCE: f64 = 0.95;
/// Canaries scored together (one pass over the catalogue's rows per block).
const BLOCK: usize = 8;

/// Whether `cfg` audits its target: `audit` and, for `dp-sgd`, DP training above strength 0.
pub fn audits(cfg: &DefenceParams) -> bool {
    match cfg.audit {
        Audit::Off => false,
        Audit::Always => true,
        Audit::DpSgd => dp_params(cfg).is_some(),
    }
}

enum Phase {
    Train,
    FoldIn,
    Score { next: usize },
    Done,
}

/// One audit: its canaries, its training and the canaries' scores. Step it until `step` says done.
pub struct CanaryAudit {
    /// Whether each canary is in the training (the secret the guesses try to recover).
    included: Vec<bool>,
    /// The data set's item count: canary c's own item is `n_items + c`.
    n_items: usize,
    train: TrainSet,
    model: Box<dyn Recommender>,
    /// The items the audited service can recommend (`TrainSet::catalogue`).
    catalogue: Vec<u32>,
    fold_rng: Option<ChaCha8Rng>,
    /// Each canary's co-items, what it is folded in from.
    co_items: Interactions,
    phase: Phase,
    scores: Vec<f64>,
    out: Vec<Vec<f32>>,
    delta: f64,
}

impl CanaryAudit {
    /// The audit of a `kind` recommender trained with `models` (under the defence `cfg`) on
    /// `half`'s members; `delta` is the δ the bound is stated for.
    pub fn new(
        kind: RecommenderKind,
        models: &RecommenderParams,
        cfg: &DefenceParams,
        half: &HalfData,
        delta: f64,
    ) -> CanaryAudit {
        let m = cfg.audit_canaries as usize;
        let n_items = half.train.n_items();
        let mut rng = rng_for(cfg.seed, Stream::AuditCanaries);
        let included: Vec<bool> = (0..m).map(|_| below(&mut rng, 2) == 1).collect();
        let pool = &half.popular_order[..POOL.min(half.popular_order.len())];
        let co_rows: Vec<Vec<u32>> = (0..m)
            .map(|_| {
                let mut idx: Vec<u32> = pool.to_vec();
                let h = CO_ITEMS.min(idx.len());
                for i in 0..h {
                    let j = i + below(&mut rng, idx.len() - i);
                    idx.swap(i, j);
                }
                let mut row = idx[..h].to_vec();
                crate::order::u32s(&mut row);
                row
            })
            .collect();
        let members = &half.train.interactions;
        let canary_rows: Vec<Vec<u32>> = (0..m)
            .filter(|&c| included[c])
            .map(|c| {
                let mut row = co_rows[c].clone();
                row.push((n_items + c) as u32);
                row
            })
            .collect();
        let rows = (0..members.n_users())
            .map(|u| members.row(u))
            .chain(canary_rows.iter().map(|r| r.as_slice()));
        let train = TrainSet::new(Interactions::from_rows(rows), n_items + m);
        let model = build(kind, models, &train, rng_for(cfg.seed, Stream::AuditModel));
        CanaryAudit {
            included,
            n_items,
            catalogue: train.catalogue(dp_params(cfg).is_some()),
            train,
            model,
            fold_rng: Some(rng_for(cfg.seed, Stream::AuditFoldIn)),
            co_items: Interactions::from_rows(co_rows.iter().map(|r| r.as_slice())),
            phase: Phase::Train,
            scores: Vec::with_capacity(m),
            out: vec![Vec::new(); BLOCK],
            delta,
        }
    }

    /// Works for about `budget` units (the recommenders' budget); true once every canary is scored.
    pub fn step(&mut self, budget: usize) -> bool {
        match self.phase {
            Phase::Train => {
                if self.model.train_step(&self.train, budget) {
                    let rng = self.fold_rng.take().expect("fold-in begins once");
                    self.model
                        .begin_fold_in(&self.train, self.co_items.clone(), rng);
                    self.phase = Phase::FoldIn;
                }
            }
            Phase::FoldIn => {
                if self.model.fold_in_step(&self.train, budget) {
                    self.phase = Phase::Score { next: 0 };
                }
            }
            Phase::Score { next } => {
                let m = self.included.len();
                let per_user = self.catalogue.len().max(1) * self.model.score_cost().max(1);
                let users = (budget / per_user).clamp(1, BLOCK);
                let end = (next + users).min(m);
                let out = &mut self.out[..end - next];
                self.model
                    .score_block(&self.train, Who::NewUser, next, &self.catalogue, out);
                for (b, scores) in out.iter().enumerate() {
                    let own = (self.n_items + next + b) as u32;
                    let score = match self.catalogue.binary_search(&own) {
                        // Share of the catalogue that ranks below the canary's own item.
                        Ok(at) => {
                            let s = scores[at];
                            let above = scores.iter().filter(|&&x| x > s).count();
                            1.0 - above as f64 / self.catalogue.len() as f64
                        }
                        Err(_) => -1.0,
                    };
                    self.scores.push(score);
                }
                self.phase = if end == m {
                    Phase::Done
                } else {
                    Phase::Score { next: end }
                };
            }
            Phase::Done => {}
        }
        matches!(self.phase, Phase::Done)
    }

    /// Share of the audit done (training counts for four fifths).
    pub fn fraction(&self) -> f64 {
        match self.phase {
            Phase::Train => 0.8 * self.model.train_fraction(),
            Phase::FoldIn => 0.8 + 0.1 * self.model.fold_in_fraction(),
            Phase::Score { next } => 0.9 + 0.1 * next as f64 / self.included.len().max(1) as f64,
            Phase::Done => 1.0,
        }
    }

    /// A progress line and the audit training's latest loss.
    pub fn status(&self) -> (String, Option<f64>) {
        let (s, loss) = self.model.status();
        let m = self.included.len();
        let what = match self.phase {
            Phase::Train => s,
            Phase::FoldIn => format!("canaries folded in, {s}"),
            Phase::Score { next } => format!("{next}/{m} canaries scored"),
            Phase::Done => "done".into(),
        };
        (format!("privacy audit ({m} canaries): {what}"), loss)
    }

    /// The config key to lower when the audit's training diverges.
    pub fn divergence_hint(&self) -> &'static str {
        self.model.divergence_hint()
    }

    /// The verdict, once every canary is scored.
    pub fn result(&self) -> Option<AuditResult> {
        matches!(self.phase, Phase::Done)
            .then(|| audit(&self.scores, &self.included, self.delta, CONFIDENCE))
    }

    /// Each canary's score and whether it was included (after `step` is done; for tests).
    pub fn scores(&self) -> (&[f64], &[bool]) {
        (&self.scores, &self.included)
    }
}
