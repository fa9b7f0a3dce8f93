//! What a job will cost before it starts: seconds and peak memory from counts alone (interactions,
//! users, items, the config's sizes and the algorithm), so the CLI can warn about or refuse a job
//! and the page can show the estimate. Pure and serialisable: no clock, no I/O.
//!
//! The model counts the work of each stage in "operations" (one multiply-add of SGD, scoring or
//! the attack network, one co-occurrence update of item-kNN, …) and converts them with the
//! nanoseconds per operation measured by `scripts/scale.sh` (docs/scale.csv): runs at the current
//! defaults on synthetic data of 10^5, 10^6 and 10^7 interactions and on the ML-1M shape, plus each
//! other recommender (item-knn, bpr, ncf, popularity), fold-in and the shadow-free attack, on this
//! project's 2-core x86_64 (AMD EPYC) machines. The machine was shared while measuring (load ~5):
//! the constants are fitted to CPU time, which such sharing inflates less than wall time. The test
//! `matches_the_runs_measured_at_the_current_defaults` checks every measured run within a factor
//! 1.35: the estimate is for questioning or refusing jobs that are far too big, not for planning
//! to the second. The page multiplies by `BROWSER_FACTOR` (wasm in a worker against native).
//!
//! Layout: this file has the single-run estimate (`estimate`), the per-stage model it is built
//! from (one half's recommender, the attacker) and the describing of an `Estimate`; `constants` the
//! fitted constants and the limits; `jobs` the estimates of multi-run jobs (sweep, matrix,
//! frontier, the page's jobs) and their scheduling over threads or workers; `audit` the estimate
//! of an audit (src/audit/); `tests` the checks
//! against the measured runs.

mod audit;
mod constants;
mod dp;
mod jobs;
mod synth;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::config::{Config, ItemVectors, Protocol};
use crate::data::DatasetSummary;
use crate::recommender::RecommenderKind;

pub use audit::estimate_audit;
pub use constants::*;
pub use dp::{dp_steps, DP_PASS_FACTOR, NS_DP_NOISE};
pub use jobs::{
    estimate_frontier, estimate_frontier_panels, estimate_job, estimate_job_on, estimate_matrix,
    estimate_spec, estimate_sweep, JobEstimate,
};
pub use synth::estimate_synth;

/// What a job is expected to cost.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Peak resident memory in bytes: the loaded data set plus the working sets alive at once.
    pub peak_bytes: f64,
}

/// One run's (or one matrix seed's) time and working set, the data set excluded.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Piece {
    seconds: f64,
    /// Memory kept until the job ends (models, lists, features).
    bytes: f64,
    /// Memory held during one stage only (an epoch's SGD samples, freed after training): stages
    /// run one after another, so only the largest counts.
    transient: f64,
}

impl Piece {
    const NONE: Piece = Piece {
        seconds: 0.0,
        bytes: 0.0,
        transient: 0.0,
    };

    /// `self`, then `next`, in one thread.
    fn then(self, next: Piece) -> Piece {
        Piece {
            seconds: self.seconds + next.seconds,
            bytes: self.bytes + next.bytes,
            transient: self.transient.max(next.transient),
        }
    }

    fn peak(&self) -> f64 {
        self.bytes + self.transient
    }

    /// A target and a shadow half trained side by side: both models live until the lists are
    /// made (experiment::pipeline `keep_served`), so their working sets add up.
    fn halves(self, other: Piece) -> Piece {
        Piece {
            seconds: self.seconds + other.seconds,
            bytes: self.bytes + other.bytes,
            transient: self.transient + other.transient,
        }
    }

    /// `self` (the halves), then the attacker, which starts once the models are dropped: the
    /// models' memory and the attacker's are never held at once.
    fn then_attack(self, attack: Piece) -> Piece {
        Piece {
            seconds: self.seconds + attack.seconds,
            bytes: self.bytes + attack.bytes,
            transient: (self.transient - attack.bytes).max(attack.transient),
        }
    }
}

/// Sizes derived from the counts and the config.
struct Shape {
    n: f64,
    users: f64,
    items: f64,
    /// Users of one half, members of one half, training interactions of one half.
    half_users: f64,
    members: f64,
    train: f64,
    /// Interactions of one half's non-members.
    non_member: f64,
}

impl Shape {
    fn new(cfg: &Config, data: &DatasetSummary) -> Shape {
        let n = data.interactions as f64;
        let half_users = data.users as f64 / 2.0;
        Shape {
            n,
            users: data.users as f64,
            items: data.items as f64,
            half_users,
            members: (half_users * cfg.member_fraction).max(1.0),
            train: n / 2.0 * cfg.member_fraction * (1.0 - cfg.holdout),
            non_member: n / 2.0 * (1.0 - cfg.member_fraction),
        }
    }
}

/// Nanoseconds per SGD operation with `rows` factor rows of length `k`.
fn ns_sgd(rows: f64, k: f64) -> f64 {
    (NS_SGD + NS_SGD_PER_MB * rows * k * 4.0 / 1e6).min(NS_SGD_MAX)
}

/// Seconds to read and index a text ratings file of `data`'s size.
pub fn load_seconds(data: &DatasetSummary) -> f64 {
    data.ratings as f64 * NS_LOAD_PER_RATING * NS_TO_SECONDS
}

/// Peak bytes while the ratings file is loaded (before the job).
pub fn load_bytes(data: &DatasetSummary) -> f64 {
    BASE_BYTES + LOAD_BYTES_PER_RATING * data.ratings as f64
}

/// Bytes the loaded data set occupies.
pub fn data_bytes(data: &DatasetSummary) -> f64 {
    BASE_BYTES
        + DATA_BYTES_PER_INTERACTION * data.interactions as f64
        + 12.0 * (data.users + data.items) as f64
}

/// One half's recommender of `kind`: (seconds, bytes) of training, fold-in and serving.
fn half(kind: RecommenderKind, cfg: &Config, s: &Shape) -> Piece {
    let k = f64::from(cfg.k);
    let epochs = f64::from(cfg.epochs);
    let per_positive = 1.0 + f64::from(cfg.negatives);
    let fold_in = cfg.protocol == Protocol::FoldIn;
    // Who is scored against every known item: members always, non-members under fold-in.
    let scored = if fold_in { s.half_users } else { s.members };
    let lists = s.half_users * f64::from(cfg.top_n) * 4.0 * 2.0;
    match kind {
        // bpr trains one (user, positive, negative) triple per interaction for `bpr_epochs`: about
        // an LFM epoch with one negative (measured: a bpr epoch costs about an LFM epoch).
        // ncf: `ncf_epochs` passes over each positive and its `ncf_negatives`, each sample costing
        // about an LFM sample at k = 40·d (measured on ml-latest-small: ncf's default run 755 ms
        // against 379 ms for a 40-epoch LFM in the same period); scoring is over-estimated by ~2×.
        RecommenderKind::Lfm | RecommenderKind::Bpr | RecommenderKind::Ncf => {
            let (epochs, per_positive, k) = match kind {
                RecommenderKind::Bpr => (f64::from(cfg.bpr_epochs), 2.0, k),
                RecommenderKind::Ncf => (
                    f64::from(cfg.ncf_epochs),
                    1.0 + f64::from(cfg.ncf_negatives),
                    40.0 * f64::from(cfg.ncf_factors),
                ),
                _ => (epochs, per_positive, k),
            };
            let fold = if fold_in { s.non_member } else { 0.0 };
            // ncf's k already stands for its whole sample (towers, Adam), fitted before the fixed
            // part was split off NS_SGD: it keeps its share.
            let fixed = if kind == RecommenderKind::Ncf {
                k * SGD_SAMPLE_FIXED / 100.0
            } else {
                SGD_SAMPLE_FIXED
            };
            let sgd = epochs * per_positive * (s.train + fold) * (k + fixed);
            let score = scored * s.items * (k * NS_SCORE + NS_SELECT);
            let samples = per_positive * s.train.max(fold) * SAMPLE_BYTES;
            // ncf: two towers of `ncf_factors` per user and item, with Adam's two moments.
            let factors = match kind {
                RecommenderKind::Ncf => {
                    (s.half_users + s.items) * 2.0 * f64::from(cfg.ncf_factors) * 4.0 * 3.0
                }
                _ => (s.half_users + s.items) * k * 4.0,
            };
            let ns = ns_sgd(s.members + s.items, k);
            Piece {
                seconds: (sgd * ns + score) * NS_TO_SECONDS,
                // The model (its factors, and its samples while it trains: ncf keeps them) lives
                // while its half is trained and served, then only its lists remain: measured,
                // ml-latest-small peaks at 13.9 MB, not the 24 MB of every model at once, and a
                // matrix of 5 algorithms at 16 MB, not 72.
                bytes: lists,
                transient: factors + samples,
            }
        }
        RecommenderKind::ItemKnn => {
            // Each member's row is read once per item in it: Σ|row|², grown by the dispersion.
            let cooc = ACTIVITY_DISPERSION * s.train * s.train / s.members;
            let history = s.n / s.users.max(1.0);
            let score = scored
                * (history * f64::from(cfg.knn_neighbours) * NS_KNN
                    + s.items * (NS_SELECT + NS_KNN_DENSE));
            let co_items = (cooc / s.items.max(1.0)).min(s.items);
            let select = s.items * co_items * NS_KNN_SELECT;
            // The neighbour lists (k per item, 8 bytes each), the inverted index, the lists.
            let neighbours = s.items * f64::from(cfg.knn_neighbours).min(s.items) * 8.0;
            Piece {
                seconds: (cooc * NS_KNN + select + score) * NS_TO_SECONDS,
                bytes: neighbours + s.train * 4.0 + lists,
                transient: 0.0,
            }
        }
        RecommenderKind::Popularity => Piece {
            seconds: scored * s.items * NS_SELECT * NS_TO_SECONDS,
            bytes: lists,
            transient: 0.0,
        },
    }
}

/// Everything but the recommenders: split, item vectors, features, one attack fit and scoring.
fn attacker(cfg: &Config, s: &Shape, attack_fits: f64) -> Piece {
    let vk = f64::from(cfg.attacker_k());
    let (held, held_users) = match cfg.item_vectors {
        ItemVectors::Joint => (s.n, s.users),
        ItemVectors::Shadow => (s.n / 2.0, s.half_users),
    };
    let vectors = f64::from(cfg.vector_epochs) * 2.0 * held * (vk + SGD_SAMPLE_FIXED);
    let features = (s.n + s.users * f64::from(cfg.top_n)) * vk;
    let ns_mlp = NS_MLP + NS_MLP_PER_MB * s.half_users * vk * 4.0 / 1e6;
    let mlp = if cfg.attack.needs_shadow() {
        let weights = vk * f64::from(cfg.hidden1)
            + f64::from(cfg.hidden1) * f64::from(cfg.hidden2)
            + f64::from(cfg.hidden2)
            + MLP_SAMPLE_FIXED;
        attack_fits
            * f64::from(cfg.attack_restarts)
            * f64::from(cfg.attack_epochs)
            * s.half_users
            * weights
    } else {
        0.0
    };
    Piece {
        seconds: (vectors * ns_sgd(held_users + s.items, vk)
            + features * NS_SCORE
            + mlp * ns_mlp
            + s.n * NS_PER_INTERACTION)
            * NS_TO_SECONDS,
        // The item-vector factors and the features of every user; the trainer's epoch of samples
        // only while it trains.
        bytes: (s.users + s.items) * vk * 4.0 + 2.0 * s.users * vk * 4.0,
        transient: 2.0 * held * SAMPLE_BYTES,
    }
}

/// Asking one half what new accounts get (serving/probe.rs): under fold-in the service folds in a
/// copy of every user of the half and ranks the catalogue for it; under popular the copies get the
/// popularity list (a selection per user).
fn probes(kind: RecommenderKind, cfg: &Config, s: &Shape) -> Piece {
    let lists = s.half_users * f64::from(cfg.top_n) * 4.0;
    if cfg.protocol != Protocol::FoldIn || !kind.personalised() {
        // The popularity list's first N items per copy: next to nothing.
        return Piece {
            seconds: 0.0,
            bytes: lists,
            transient: 0.0,
        };
    }
    let select = s.half_users * s.items * NS_SELECT;
    // A fold-in of every user's history: the training pass of the user side only (about half an
    // SGD update), then a scoring pass as for non-members.
    let copy = Config {
        protocol: Protocol::Popular,
        ..cfg.clone()
    };
    let base = half(kind, &copy, s);
    let history = s.n / 2.0;
    let ratio = if s.train > 0.0 {
        history / s.train
    } else {
        1.0
    };
    Piece {
        seconds: base.seconds * 0.5 * ratio + select * NS_TO_SECONDS,
        bytes: lists,
        transient: 0.0,
    }
}

/// What the defence adds to an imitation of the service of algorithm `kind` (a shadow, a
/// reference model): its DP training when the attacker knows the defence and it applies.
fn imitated_defence(cfg: &Config, kind: RecommenderKind, s: &Shape) -> Piece {
    if !cfg.attacker_knows_defence {
        return Piece::NONE;
    }
    let c = Config {
        recommender: kind,
        ..cfg.clone()
    };
    dp::dp_extra(&c, s)
}

/// The one-run privacy audit of the target's training (`defence::audit`, every dp-sgd run by
/// default): the target's algorithm trained once more, with its defence, on its members plus the
/// canaries.
fn privacy_audit(cfg: &Config, s: &Shape) -> Piece {
    if !cfg.audits() {
        return Piece::NONE;
    }
    half(cfg.recommender, cfg, s).then(dp::dp_extra(cfg, s))
}

/// The calibrated attack's K reference models (experiment::references): each a half of the
/// target's size trained on whole histories, served and asked, one after another.
fn references(cfg: &Config, s: &Shape) -> Piece {
    if cfg.attack != crate::attack::AttackKind::Lira {
        return Piece::NONE;
    }
    let kind = cfg.shadow_kind();
    let one = half(kind, cfg, s)
        .then(imitated_defence(cfg, kind, s))
        .then(probes(kind, cfg, s));
    // Whole histories: the target's training set is its members' minus the hold-out.
    let whole = 1.0 / (1.0 - cfg.holdout).max(0.1);
    let k = f64::from(cfg.lira_references);
    Piece {
        seconds: one.seconds * whole * k,
        bytes: one.bytes * k,
        transient: one.transient,
    }
}

/// One run of `cfg`: the target (with its defence's training cost), the shadow (with it too when
/// the attacker knows the defence), each asked what new accounts get, the attacker and, for lira,
/// its reference models.
fn run_piece(cfg: &Config, data: &DatasetSummary) -> Piece {
    let s = Shape::new(cfg, data);
    let target = half(cfg.recommender, cfg, &s)
        .then(dp::dp_extra(cfg, &s))
        .then(privacy_audit(cfg, &s))
        .then(probes(cfg.recommender, cfg, &s));
    let shadow = if cfg.attack.needs_shadow() {
        let kind = cfg.shadow_kind();
        half(kind, cfg, &s)
            .then(imitated_defence(cfg, kind, &s))
            .then(probes(kind, cfg, &s))
    } else {
        Piece::NONE
    };
    target
        .halves(shadow)
        .then_attack(attacker(cfg, &s, 1.0))
        .then(references(cfg, &s))
}
/// `runs` runs of `cfg` one after another (a single run: `runs` = 1).
/// One entry of the served cache (experiment::served): both halves' split data (each member's
/// training and held-out items, each non-member's history, per-item counts and orders) and every
/// user's list, kept after the models are dropped. Counted from the structures' sizes, not fitted.
pub(crate) fn served_bytes(cfg: &Config, data: &DatasetSummary) -> f64 {
    4.0 * data.interactions as f64
        + 24.0 * data.items as f64
        + data.users as f64 * (64.0 + 4.0 * f64::from(cfg.top_n))
}

pub fn estimate(cfg: &Config, data: &DatasetSummary, runs: usize) -> Estimate {
    let p = run_piece(cfg, data);
    Estimate {
        seconds: p.seconds * runs as f64,
        peak_bytes: (data_bytes(data) + p.peak()).max(load_bytes(data)),
    }
}
impl Estimate {
    /// "2 min 5 s, 1.3 GB".
    pub fn describe(&self) -> String {
        format!(
            "{}, {}",
            describe_seconds(self.seconds),
            describe_bytes(self.peak_bytes)
        )
    }

    /// The limits this estimate exceeds, as a phrase ("" when none).
    pub fn over_limits(&self) -> String {
        let mut over = Vec::new();
        if self.seconds > MAX_SECONDS {
            over.push(format!("the {} time limit", describe_seconds(MAX_SECONDS)));
        }
        if self.peak_bytes > MAX_BYTES {
            over.push(format!("the {} memory limit", describe_bytes(MAX_BYTES)));
        }
        over.join(" and ")
    }
}

pub fn describe_seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 {
        format!("{:.0} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

pub fn describe_bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", b / (1024.0 * 1024.0))
    }
}
