//! Differential privacy for the recommenders (issue 7, "Defences"): the Rényi-DP accountant of the
//! Poisson-subsampled Gaussian mechanism.

pub mod accountant;

pub use accountant::{sampled_gaussian_epsilon, EpsilonAtOrder};
