//! What DP-SGD adds to the target's training (defence `dp-sgd` above strength 0, lfm and bpr;
//! src/defence/dp_training.rs). Training takes T = ⌈epochs / q⌉ steps (q = `dp_sampling_rate`), and
//! every step adds Gaussian noise to the row of every item of the data set (a DP service
//! recommends from the public catalogue, `defence::dp_training`): at
//! the default q = 0.5 that is 2 × epochs passes over the catalogue, at q = 0.01 it is 100 ×
//! epochs, and the noise, not the members' own passes, is the work. The members' passes (each
//! member takes part `epochs` times on average, as in plain training, but collects, clips and
//! sums their change to the item rows) and the refit of every member's vector afterwards cost a
//! multiple of plain training's SGD.

use super::{ns_sgd, Piece, Shape, NS_TO_SECONDS, SGD_SAMPLE_FIXED};
use crate::config::Config;
use crate::defence::DefenceKind;
use crate::recommender::RecommenderKind;

/// The members' passes and the refit over plain training's SGD operations. Fitted to the
/// accuracy table's dp rows (`cost::tests::JOBS`, 2026-12-05: q 0.5 and 0.01 on ml-latest-small,
/// after the public catalogue, the knowing attacker's DP shadow and the audit): 3.0 before put
/// the q 0.5 run at 0.58× its CPU time.
pub const DP_PASS_FACTOR: f64 = 5.2;
/// Nanoseconds per coordinate of a step's noise pass: a ziggurat draw, the update of the row,
/// its norm and projection (fitted with `DP_PASS_FACTOR`; 4.0 put q 0.01 at 0.77×).
pub const NS_DP_NOISE: f64 = 6.0;
/// T, the steps DP-SGD trains `cfg`'s target for, or `None` when it trains without DP.
pub fn dp_steps(cfg: &Config) -> Option<u64> {
    let applies = cfg.defence == DefenceKind::DpSgd
        && matches!(cfg.recommender, RecommenderKind::Lfm | RecommenderKind::Bpr);
    if !applies {
        return None;
    }
    cfg.dp_params().map(|p| p.steps)
}

/// The target's time and memory beyond its plain training under DP-SGD (`Piece::NONE` without).
pub(super) fn dp_extra(cfg: &Config, s: &Shape) -> Piece {
    let Some(steps) = dp_steps(cfg) else {
        return Piece::NONE;
    };
    let k = f64::from(cfg.k);
    // bpr's item rows carry a bias column.
    let (epochs, per_positive, width) = match cfg.recommender {
        RecommenderKind::Bpr => (f64::from(cfg.bpr_epochs), 2.0, k + 1.0),
        _ => (f64::from(cfg.epochs), 1.0 + f64::from(cfg.negatives), k),
    };
    let sgd =
        epochs * per_positive * s.train * (k + SGD_SAMPLE_FIXED) * ns_sgd(s.members + s.items, k);
    let noise = steps as f64 * s.items * width * NS_DP_NOISE;
    Piece {
        seconds: ((DP_PASS_FACTOR - 1.0) * sgd + noise) * NS_TO_SECONDS,
        // The step's noisy sum and the members' collected changes: two item matrices.
        bytes: 2.0 * s.items * width * 4.0,
        transient: 0.0,
    }
}
