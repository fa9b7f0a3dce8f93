//! The shared vocabulary of a run: the small enums that several families and `config` all name
//! (how non-members are served, how negatives are drawn, how factors start, when to audit, the
//! attacker's weighting and item-vector source). It imports nothing from the crate, so the
//! families (`recommender`, `attack`, `defence`) and `config` can all depend on it without
//! depending on each other: `config` composes the families' params, and no family imports
//! `config` (checked by tests/suite/architecture.rs).

use serde::{Deserialize, Serialize};

/// How non-members of a half receive their recommendation lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// Non-members get the most popular items of the half's training data (Zhang et al., the paper).
    Popular,
    /// Non-members are served by the trained model: a user vector is fitted to their own history with
    /// the item factors frozen, as a deployed recommender serves a new user.
    FoldIn,
}

/// How negative (non-interacted) items are drawn for implicit-feedback SGD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NegativeSampling {
    /// Proportional to item popularity, as the reference LFM does (pushes popular items down).
    Popularity,
    /// Uniform over the items the model knows.
    Uniform,
}

/// How the factor recommenders (lfm, bpr) draw their initial user and item factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// U[0, 1)/√k: every factor positive, as the reference LFM does. All vectors start in one
    /// shared direction (a popularity direction), so personal lists appear only after many epochs.
    Positive,
    /// U[−0.5, 0.5)/√k: zero-mean, the same spread (the same draws shifted by −0.5/√k).
    Centred,
}

impl Init {
    pub const ALL: [Init; 2] = [Init::Positive, Init::Centred];

    pub fn id(self) -> &'static str {
        match self {
            Init::Positive => "positive",
            Init::Centred => "centred",
        }
    }
}

/// When a run audits its target's training with canaries (`defence::audit`): the `audit` object
/// of the run's `privacy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audit {
    /// Beside every ε: runs whose target trains with dp-sgd (at a strength above 0).
    DpSgd,
    /// Every run, an undefended target too (any recommender): how much training without DP reveals.
    Always,
    /// Never.
    Off,
}

/// Weights of the recommended items in the recommendation centroid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weighting {
    /// Item at rank j (0-based) of an N-list weighs (N − j) / Σ(N − j), as the reference code does.
    Rank,
    /// Every recommended item weighs 1/N.
    Uniform,
}

/// What the attacker factorises to obtain its item vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemVectors {
    /// The interaction histories of every user the attacker holds: its own shadow half and the target
    /// users it queries (no membership labels are used), so shadow and target features share one space.
    Joint,
    /// The shadow half's interactions only; items never seen there keep their random initial vector.
    Shadow,
}
