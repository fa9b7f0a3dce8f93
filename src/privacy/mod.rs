//! Differential privacy for the recommenders (issue 7, "Defences"): the Rényi-DP accountant of the
//! Poisson-subsampled Gaussian mechanism and the building blocks of DP-SGD (sampling, clipping,
//! noise, validated parameters and the `privacy` object of a run result).

pub mod accountant;
pub mod dp_sgd;

pub use accountant::{sampled_gaussian_epsilon, EpsilonAtOrder};
pub use dp_sgd::{DpSgdParams, PrivacySpent};
