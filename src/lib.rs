//! MemberLens: membership inference against recommender systems (Zhang et al., CCS 2021), as a
//! seeded, portable Rust library. The compute core knows nothing of JavaScript; `wasm` is the only
//! module that does.
//!
//! Where things live: `config` (the flat, validated schema; it composes every family's params),
//! `params` (the vocabulary the families and `config` share), `data` (parsing, bundle), `split`,
//! `recommender` (one file per algorithm),
//! `serving` (who gets which list), `attack` (one file per attack, plus the attacker's item vectors
//! and features), `defence` (the target's defences, one file each, and their strength maps),
//! `eval` (ROC, thresholds, utility, statistics), `privacy` (DP-SGD pieces and the Rényi-DP
//! accountant), `experiment` (the run pipeline, sweeps, the transfer matrix, the privacy–utility
//! frontier and the job that drives any of them), `report` (result types), `synth`
//! (MovieLens-shaped synthetic files for scale tests), `cost` (a job's time and memory, estimated
//! before it starts), `order` (the few shared sorts every module sorts with: one copy of the sort
//! code each), `full` (what the site's first wasm module leaves out: cargo feature `full`).

pub mod attack;
pub mod audit;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli_text;
pub mod config;
pub mod cost;
pub mod data;
pub mod defence;
pub mod error;
pub mod eval;
pub mod experiment;
pub mod full;
pub mod json_text;
pub mod mf;
pub mod order;
#[cfg(not(target_arch = "wasm32"))]
pub mod output;
pub mod params;
pub mod privacy;
pub mod recommend;
pub mod recommender;
pub mod report;
pub mod rng;
pub mod serving;
pub mod split;
pub mod synth;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::Config;
pub use data::Dataset;
pub use error::{Error, Result};
// The paths of schema 1 (`memberlens::pipeline::Pipeline`, `memberlens::sweep::…`) keep working.
pub use experiment::{pipeline, sweep};
