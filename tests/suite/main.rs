//! The native integration tests, one test binary: each file was its own crate (14 compiles at
//! opt-level 3, each with its own copy of the library generics it used, and 14 links). `cargo test
//! --test suite <name>` runs a part (e.g. `suite units::`). The files that also run as wasm-bindgen
//! tests (portable.rs, dp_accountant.rs, wasm_*.rs) stay binaries of their own: the wasm layer builds
//! only those.

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod attack_real_data;
mod audit;
mod cli;
mod cli_outputs;
mod cli_strict;
mod cli_you;
mod defences;
mod dp_promise;
mod frontier;
mod parse_regressions;
mod pipeline_synthetic;
mod scale;
mod units;
