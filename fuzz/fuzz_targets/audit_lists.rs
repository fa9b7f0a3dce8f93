//! Fuzz target: an audit's lists file (`audit::read_lists`: CSV, JSON Lines, a JSON array) never
//! panics, refuses with a clean one-line message naming the file, and what it reads is consistent.
#![no_main]

#[path = "../../tests/fuzz_regressions/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| check::audit_lists(bytes));
