//! Defences against membership inference (issue 7): the names (`DefenceKind`, config key
//! `defence`), how each maps `defence_strength` ∈ [0, 1] to its own parameter, which recommenders
//! and protocols each one applies to, and the `Defence` seam that the serving layer calls where
//! lists are made. One file per defence.
//!
//! Three defences act where lists are served and need no retraining (`popularity-randomisation`,
//! `list-perturbation`, `score-noise`); `dp-sgd` changes how the target is trained (its trainer
//! is `dp_training::DpSgdTrainer`, driven by the factor models (`recommender::factor_model`) through
//! `dp_training::Training`, each with its own local pass). `audit` is the one-run privacy audit that
//! sets an empirical lower bound beside dp-sgd's ε.
//!
//! Every defence protects the TARGET service only. The attacker's shadow model is the attacker's
//! own imitation of the service, built without knowledge of the defence (a non-adaptive attacker):
//! that is the threat model of Zhang et al., and it keeps one shadow and one attack model per seed
//! for every defence of a frontier. An attacker who knows the defence and imitates it could do
//! better; that is not measured here.
//!
//! Strength 0 is exactly "no defence": `build` returns `None` and the serving path draws no random
//! number, so a run at strength 0 is bit-identical to `defence: none`.

pub mod audit;
mod dp_training;
pub mod gaussian;
mod list_perturbation;
mod popularity_randomisation;
mod score_noise;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params::{Audit, NegativeSampling, Protocol};
use crate::recommend::first_n_unseen;
use crate::recommender::RecommenderKind;

pub use dp_training::{
    delta_for, dp_params, noise_multiplier, privacy_for, DpSgdTrainer, Local, LocalPass,
    PlainTrainer, SquaredErrorPass, Training, BPR_DP_CLIP, DEFAULT_DP_SAMPLING_RATE, LFM_DP_CLIP,
    MAX_NOISE_MULTIPLIER,
};
pub use list_perturbation::{replaced_share, ListPerturbation};
pub use popularity_randomisation::{alpha, pool_size, PopularityRandomisation};
pub use score_noise::{relative_sigma, ScoreNoise, MAX_RELATIVE_SIGMA};

/// The recommenders `dp-sgd` trains (user-level DP-SGD of their shared item rows, see
/// `dp_sgd`): the SGD-trained factor models. item-knn and popularity have no gradient steps.
pub const DP_SGD_RECOMMENDERS: [RecommenderKind; 2] = [RecommenderKind::Lfm, RecommenderKind::Bpr];

/// What the defences read: their own keys (`defence`, `defence_strength`, `dp_*`, `audit*`) and
/// the facts of the defended service they depend on. `config` composes it
/// (`Config::defence_params`); nothing here reads the config itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DefenceParams {
    pub kind: DefenceKind,
    /// `defence_strength`, in [0, 1] (0 = off).
    pub strength: f64,
    /// `dp_clip` (0 = the recommender's own C).
    pub dp_clip: f64,
    /// `dp_sampling_rate`.
    pub dp_sampling_rate: f64,
    /// `dp_delta` (0 = 1 / members' training interactions).
    pub dp_delta: f64,
    /// The defended service's recommender, protocol and negative sampling (what a defence
    /// applies to, and which epochs and C dp-sgd uses).
    pub recommender: RecommenderKind,
    pub protocol: Protocol,
    pub negative_sampling: NegativeSampling,
    /// Training epochs of lfm (`epochs`) and of bpr (`bpr_epochs`): dp-sgd's steps follow them.
    pub lfm_epochs: u32,
    pub bpr_epochs: u32,
    /// `audit` and `audit_canaries`.
    pub audit: Audit,
    pub audit_canaries: u32,
    /// `seed`, for the audit's streams.
    pub seed: u32,
}

/// The defences (config key `defence`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DefenceKind {
    /// No defence.
    #[default]
    None,
    /// Zhang et al.'s: each non-member gets N items drawn at random from the top N/α popular
    /// items instead of the fixed top N (protocol `popular` only).
    PopularityRandomisation,
    /// A share of every served list's positions replaced by items drawn from the catalogue.
    ListPerturbation,
    /// Gaussian noise added to every user's scores before ranking.
    ScoreNoise,
    /// Differentially private training of the target LFM or BPR (user-level DP-SGD).
    DpSgd,
}

impl DefenceKind {
    pub const ALL: [DefenceKind; 5] = [
        DefenceKind::None,
        DefenceKind::PopularityRandomisation,
        DefenceKind::ListPerturbation,
        DefenceKind::ScoreNoise,
        DefenceKind::DpSgd,
    ];

    /// The name used in configs, URLs and results.
    pub fn id(self) -> &'static str {
        match self {
            DefenceKind::None => "none",
            DefenceKind::PopularityRandomisation => "popularity-randomisation",
            DefenceKind::ListPerturbation => "list-perturbation",
            DefenceKind::ScoreNoise => "score-noise",
            DefenceKind::DpSgd => "dp-sgd",
        }
    }

    /// Parses a name; the error names `key` and lists the allowed values.
    pub fn parse(key: &str, name: &str) -> Result<DefenceKind> {
        DefenceKind::ALL
            .iter()
            .copied()
            .find(|d| d.id() == name)
            .ok_or_else(|| {
                Error::config(
                    key,
                    format!(
                        "unknown defence '{}' (allowed: {})",
                        crate::error::shorten(name),
                        DefenceKind::ALL.map(|d| d.id()).join(", ")
                    ),
                )
            })
    }

    /// Whether the defence acts only where lists are served: the trained model is unchanged, so
    /// a frontier trains once per seed and serves it at every strength.
    pub fn serving_only(self) -> bool {
        self != DefenceKind::DpSgd
    }

    /// The defence's own parameter at `strength`: its name and value (see each defence's file).
    pub fn parameter(self, strength: f64) -> (&'static str, f64) {
        match self {
            DefenceKind::None => ("none", 0.0),
            DefenceKind::PopularityRandomisation => ("alpha", alpha(strength)),
            DefenceKind::ListPerturbation => ("replaced_share", replaced_share(strength)),
            DefenceKind::ScoreNoise => ("relative_sigma", relative_sigma(strength)),
            DefenceKind::DpSgd => ("noise_multiplier", noise_multiplier(strength)),
        }
    }

    /// Whether the defence means anything for the target `recommender` under `protocol` and
    /// `negative_sampling`; the error names the key and says why and what is supported.
    pub fn check_applies(
        self,
        recommender: RecommenderKind,
        protocol: Protocol,
        negative_sampling: NegativeSampling,
    ) -> Result<()> {
        match self {
            DefenceKind::PopularityRandomisation if protocol != Protocol::Popular => {
                Err(Error::config(
                    "defence",
                    "popularity-randomisation changes the popularity list non-members get under protocol popular; under fold-in nobody is served that list (allowed protocols: popular)",
                ))
            }
            DefenceKind::DpSgd if !DP_SGD_RECOMMENDERS.contains(&recommender) => {
                Err(Error::config(
                    "defence",
                    format!(
                        "dp-sgd is a training procedure implemented for the SGD-trained factor models; {} is not supported (allowed recommenders: {})",
                        recommender.id(),
                        DP_SGD_RECOMMENDERS.map(|r| r.id()).join(", ")
                    ),
                ))
            }
            DefenceKind::DpSgd if negative_sampling != NegativeSampling::Uniform => {
                Err(Error::config(
                    "defence",
                    "dp-sgd needs negative_sampling uniform: popularity-sampled negatives are drawn from every member's interactions, which the privacy accounting does not cover (allowed negative_sampling: uniform)",
                ))
            }
            _ => Ok(()),
        }
    }

    /// The defences that apply to `p`'s recommender and protocol (the frontier's default).
    pub fn applicable(p: &DefenceParams) -> Vec<DefenceKind> {
        DefenceKind::ALL[1..]
            .iter()
            .copied()
            .filter(|d| {
                d.check_applies(p.recommender, p.protocol, p.negative_sampling)
                    .is_ok()
            })
            .collect()
    }
}

/// Validates `defence_strength` (a finite number in [0, 1]).
pub fn check_strength(strength: f64) -> Result<()> {
    if strength.is_finite() && (0.0..=1.0).contains(&strength) {
        Ok(())
    } else {
        Err(Error::config(
            "defence_strength",
            format!("{strength} must be between 0 (off) and 1 (the strongest setting)"),
        ))
    }
}

/// What a serving-level defence may change where the target's lists are made. Each hook is
/// called once per user, in the half's user order (members first), with the target's defence
/// stream; a hook that does nothing draws nothing.
pub trait Defence {
    fn kind(&self) -> DefenceKind;

    /// One user's scores (`scores[c]` is candidate c's) before they are ranked.
    fn scores(&self, _rng: &mut ChaCha8Rng, _scores: &mut [f32]) {}

    /// A ranked list after ranking. Replacements must come from `candidates` (the items the
    /// service can recommend, sorted) and be neither on the list nor in the sorted `exclude`.
    fn list(
        &self,
        _rng: &mut ChaCha8Rng,
        _list: &mut [u32],
        _candidates: &[u32],
        _exclude: &[u32],
    ) {
    }

    /// The list a non-member gets under protocol `popular`: by default the first `n` items of the
    /// popularity `order` not in `exclude`.
    fn popular_list(
        &self,
        _rng: &mut ChaCha8Rng,
        order: &[u32],
        exclude: &[u32],
        n: usize,
    ) -> Vec<u32> {
        first_n_unseen(order, exclude, n)
    }
}

/// The serving-level defence of `p`, or `None`: no defence, strength 0, or a training-level
/// defence (dp-sgd, which the recommender applies itself).
pub fn build(p: &DefenceParams) -> Option<Box<dyn Defence>> {
    let s = p.strength;
    if s == 0.0 {
        return None;
    }
    match p.kind {
        DefenceKind::None | DefenceKind::DpSgd => None,
        DefenceKind::PopularityRandomisation => Some(Box::new(PopularityRandomisation::new(s))),
        DefenceKind::ListPerturbation => Some(Box::new(ListPerturbation::new(s))),
        DefenceKind::ScoreNoise => Some(Box::new(ScoreNoise::new(s))),
    }
}

/// `count` distinct positions of `0..len` drawn uniformly (a partial Fisher–Yates shuffle), in
/// the order drawn.
pub(crate) fn distinct_positions(rng: &mut ChaCha8Rng, len: usize, count: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    let count = count.min(len);
    for i in 0..count {
        let j = i + crate::rng::below(rng, len - i);
        idx.swap(i, j);
    }
    idx.truncate(count);
    idx
}

/// Plain settings for the family's tests: lfm under protocol popular, no defence.
#[cfg(test)]
pub(crate) fn tests_params() -> DefenceParams {
    DefenceParams {
        kind: DefenceKind::None,
        strength: 0.0,
        dp_clip: 0.0,
        dp_sampling_rate: DEFAULT_DP_SAMPLING_RATE,
        dp_delta: 0.0,
        recommender: RecommenderKind::Lfm,
        protocol: Protocol::Popular,
        negative_sampling: NegativeSampling::Uniform,
        lfm_epochs: 80,
        bpr_epochs: 20,
        audit: Audit::DpSgd,
        audit_canaries: 100,
        seed: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_allowed_values() {
        for d in DefenceKind::ALL {
            assert_eq!(DefenceKind::parse("defence", d.id()).unwrap(), d);
            assert_eq!(serde_json::to_value(d).unwrap(), d.id());
        }
        let e = DefenceKind::parse("defences", "laplace")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("config: defences: unknown defence 'laplace'"),
            "{e}"
        );
        for d in DefenceKind::ALL {
            assert!(e.contains(d.id()), "{e}");
        }
    }

    #[test]
    fn strength_zero_builds_nothing_and_bad_strengths_name_the_key() {
        for d in DefenceKind::ALL {
            let p = DefenceParams {
                kind: d,
                strength: 0.0,
                ..tests_params()
            };
            assert!(build(&p).is_none(), "{d:?}");
            let serving = d.serving_only() && d != DefenceKind::None;
            assert_eq!(
                build(&DefenceParams { strength: 0.5, ..p }).is_some(),
                serving
            );
        }
        for bad in [-0.1, 1.01, f64::NAN, f64::INFINITY] {
            let e = check_strength(bad).unwrap_err().to_string();
            assert!(e.starts_with("config: defence_strength:"), "{e}");
        }
        check_strength(1.0).unwrap();
        check_strength(0.0).unwrap();
    }

    #[test]
    fn applicability_names_the_key_and_the_supported_values() {
        let uni = NegativeSampling::Uniform;
        let e = DefenceKind::DpSgd
            .check_applies(RecommenderKind::ItemKnn, Protocol::Popular, uni)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("config: defence: dp-sgd") && e.contains("allowed recommenders: lfm"),
            "{e}"
        );
        let e = DefenceKind::PopularityRandomisation
            .check_applies(RecommenderKind::Lfm, Protocol::FoldIn, uni)
            .unwrap_err()
            .to_string();
        assert!(e.contains("allowed protocols: popular"), "{e}");
        let e = DefenceKind::DpSgd
            .check_applies(
                RecommenderKind::Lfm,
                Protocol::Popular,
                NegativeSampling::Popularity,
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("negative_sampling"), "{e}");
        for kind in RecommenderKind::ALL {
            for p in [Protocol::Popular, Protocol::FoldIn] {
                DefenceKind::ListPerturbation
                    .check_applies(kind, p, uni)
                    .unwrap();
                DefenceKind::ScoreNoise.check_applies(kind, p, uni).unwrap();
            }
        }
        let fold = DefenceParams {
            protocol: Protocol::FoldIn,
            ..tests_params()
        };
        assert_eq!(
            DefenceKind::applicable(&fold),
            [
                DefenceKind::ListPerturbation,
                DefenceKind::ScoreNoise,
                DefenceKind::DpSgd
            ]
        );
    }

    #[test]
    fn distinct_positions_are_distinct_and_in_range() {
        let mut rng = crate::rng::rng_for(0, crate::rng::Stream::TargetDefence);
        for count in [0, 1, 5, 10, 12] {
            let mut p = distinct_positions(&mut rng, 10, count);
            assert_eq!(p.len(), count.min(10));
            p.sort();
            p.dedup();
            assert_eq!(p.len(), count.min(10));
            assert!(p.iter().all(|&i| i < 10));
        }
    }
}
