//! The native integration tests, one test binary: each file was its own crate (16 compiles at
//! opt-level 3, each with its own copy of the library generics it used, and 16 links). `cargo test
//! --test suite <name>` runs a part (e.g. `suite units::`). `portable` and `dp_accountant` are
//! wasm-bindgen tests too: tests/wasm/main.rs (the wasm test binary) takes them in by path.

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
mod dp_accountant;
mod dp_promise;
mod frontier;
mod layout;
mod parse_regressions;
mod pipeline_synthetic;
mod portable;
mod scale;
mod units;
