//! MemberLens: membership inference against latent-factor recommenders (Zhang et al., CCS 2021),
//! as a seeded, portable Rust library. The compute core knows nothing of JavaScript; `wasm` is the
//! only module that does.

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod config;
pub mod data;
pub mod error;
pub mod features;
pub mod metrics;
pub mod mf;
pub mod mlp;
pub mod pipeline;
pub mod privacy;
pub mod recommend;
pub mod recommender;
pub mod report;
pub mod rng;
pub mod split;
pub mod sweep;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::Config;
pub use data::Dataset;
pub use error::{Error, Result};
