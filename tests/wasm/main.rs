//! The wasm-bindgen tests, one wasm test binary (`cargo test --target wasm32-unknown-unknown --test
//! wasm`, run by wasm-bindgen-test-runner in Node, and in part in a Chromium worker: `make
//! test-wasm`). Each file was its own binary: five links of the whole crate and five
//! wasm-bindgen passes. Natively this crate is empty (`test = false` in Cargo.toml).

#![cfg(target_arch = "wasm32")]

#[path = "../common/mod.rs"]
mod common;

/// 60 users with two tastes over 80 items, a fixed pattern (no RNG needed for a small test set):
/// the data set of api, audit and units, each line ended by `eol`.
fn two_tastes_csv(eol: &str) -> Vec<u8> {
    let mut s = format!("userId,movieId,rating,timestamp{eol}");
    for u in 1..=60u32 {
        let base = if u % 2 == 0 { 0 } else { 40 };
        for j in 0..(10 + u % 17) {
            let item = base + (j * 7 + u) % 40 + 1;
            s.push_str(&format!("{u},{item},4.0,1{eol}"));
        }
    }
    s.into_bytes()
}

// The JavaScript-facing layer (src/wasm.rs): jobs, the pool's units, the audit.
mod api;
mod audit;
mod units;

// Native = wasm: the same files run natively in tests/suite.
#[path = "../suite/dp_accountant.rs"]
mod dp_accountant;
#[path = "../suite/portable.rs"]
mod portable;
