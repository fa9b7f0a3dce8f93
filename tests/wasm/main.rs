//! The wasm-bindgen tests, one wasm test binary (`cargo test --target wasm32-unknown-unknown --test
//! wasm`, run by wasm-bindgen-test-runner in Node, and in part in a Chromium worker: `make
//! test-wasm`). Each file was its own binary: five links of the whole crate and five
//! wasm-bindgen passes. Natively this crate is empty (`test = false` in Cargo.toml).

#![cfg(target_arch = "wasm32")]

#[path = "../common/mod.rs"]
mod common;

// The JavaScript-facing layer (src/wasm.rs): jobs, the pool's units, the audit.
mod api;
mod audit;
mod units;

// Native = wasm: the same files run natively in tests/suite.
#[path = "../suite/dp_accountant.rs"]
mod dp_accountant;
#[path = "../suite/portable.rs"]
mod portable;
