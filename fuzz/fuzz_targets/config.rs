//! Fuzz target: `Config::from_json` on any JSON never panics, refuses with a clean one-line
//! message, and a config it accepts is valid and round-trips.
#![no_main]

#[path = "../../tests/fuzz_regressions/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| check::config(bytes));
