//! Differential privacy for the recommenders (issue 7, "Defences"): the Rényi-DP accountant of the
//! Poisson-subsampled Gaussian mechanism, the building blocks of DP-SGD (sampling, clipping,
//! noise, validated parameters and the `privacy` object of a run result), and the statistics of
//! the one-run privacy audit that puts an empirical lower bound beside the accountant's ε.

pub mod accountant;
pub mod audit;
pub mod dp_sgd;

pub use accountant::{sampled_gaussian_epsilon, EpsilonAtOrder};
pub use audit::AuditResult;
pub use dp_sgd::{Coverage, DpSgdParams, PrivacySpent};
