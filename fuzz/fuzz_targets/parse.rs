//! Fuzz target: `Dataset::parse` on any bytes (every text format and the bundle) never panics,
//! refuses with a clean one-line message, and what it accepts round-trips through the bundle.
#![no_main]

#[path = "../../tests/fuzz_regressions/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| check::data(bytes));
