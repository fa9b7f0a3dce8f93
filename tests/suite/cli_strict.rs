//! Limits that hold and strict input on the command line (issue 19): `--jobs` capped at the
//! cores, `synth` estimated and refused like any job, duplicate JSON keys, seeds and values
//! refused, numbers that round onto an end of their range refused as typed, a DP δ of 1/n or
//! more refused, and every error one line of at most 200 characters naming its key. Each
//! reproduction of the issue here failed on main before.

// The native binary, run as a user runs it: nothing to test in wasm.
#![cfg(not(target_arch = "wasm32"))]

use crate::common;

use std::path::PathBuf;
use std::process::Output;

use common::memberlens;

fn csv(tag: &str) -> PathBuf {
    common::write_ratings_csv(&common::synthetic(40, 60, 3), &format!("strict-{tag}"))
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A refusal: exit 2, one line `error: …` of at most 200 characters holding `needle`.
fn refused(o: &Output, needle: &str) -> String {
    let e = err(o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    let line = e.trim();
    assert_eq!(line.lines().count(), 1, "{e}");
    let message = line.strip_prefix("error: ").unwrap_or(line);
    assert!(
        message.chars().count() <= 200,
        "{} characters: {message}",
        message.chars().count()
    );
    assert!(message.contains(needle), "{needle:?} not in {message}");
    message.to_string()
}

const SMALL: [&str; 8] = [
    "--k",
    "4",
    "--epochs",
    "2",
    "--top-n",
    "5",
    "--vector-k",
    "4",
];

#[test]
fn jobs_beyond_the_cores_are_capped_with_a_note() {
    let r = csv("jobs");
    let cores = std::thread::available_parallelism().unwrap().get();
    let mut a = vec![
        "sweep",
        "--param",
        "vector_k",
        "--values",
        "4",
        "--seeds",
        "0",
        "--jobs",
        "1024",
        "--ratings",
        r.to_str().unwrap(),
    ];
    a.extend(SMALL);
    let o = memberlens(&a);
    let e = err(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains(&format!("note: --jobs 1024 is more than the {cores} core")),
        "{e}"
    );
}

#[test]
fn synth_refuses_what_it_cannot_make_without_aborting() {
    let out = std::env::temp_dir().join(format!(
        "memberlens-strict-synth-{}.csv",
        std::process::id()
    ));
    let o = out.to_str().unwrap();
    // Aborted with a failed 17 GB allocation (SIGABRT) on main.
    let m = refused(
        &memberlens(&[
            "synth",
            "--users",
            "1",
            "--items",
            "4294967295",
            "--ratings",
            "5",
            "--out",
            o,
        ]),
        "config: --items: 4294967295 is above",
    );
    assert!(m.contains("268435456"), "{m}");
    // Took 3.9 GB for a 5-row file on main.
    refused(
        &memberlens(&[
            "synth",
            "--users",
            "1",
            "--items",
            "1000000000",
            "--ratings",
            "5",
            "--out",
            o,
        ]),
        "--items",
    );
    // Within the generator's bounds but over the memory limit: the estimate refuses it.
    refused(
        &memberlens(&[
            "synth",
            "--users",
            "1",
            "--items",
            "268435456",
            "--ratings",
            "5",
            "--out",
            o,
        ]),
        "memory limit: pass --force",
    );
    assert!(!out.exists());
}

#[test]
fn duplicate_json_keys_seeds_and_values_are_refused() {
    let r = csv("dups");
    let r = r.to_str().unwrap();
    // `{"k":0,"k":10}` ran with k 10 on main.
    let m = refused(
        &memberlens(&["run", "--ratings", r, "--config", r#"{"k":0,"k":10}"#]),
        "config: k: given twice",
    );
    assert!(m.starts_with("config: k:"), "{m}");
    // Duplicate seeds were averaged as independent (± 0.0000).
    let sweep = |values: &str, seeds: &str| {
        let mut a = vec![
            "sweep", "--param", "vector_k", "--values", values, "--seeds", seeds,
        ];
        a.extend(["--ratings", r]);
        a.extend(SMALL);
        memberlens(&a)
    };
    refused(&sweep("4,8", "1,1"), "config: --seeds: 1 is given twice");
    refused(&sweep("4,8,4", "0"), "config: --values: 4 is given twice");
    let mut a = vec!["matrix", "--seeds", "2,3,2", "--ratings", r];
    a.extend(SMALL);
    refused(&memberlens(&a), "config: --seeds: 2 is given twice");
    let mut a = vec![
        "matrix",
        "--recommenders",
        "lfm,popularity,lfm",
        "--ratings",
        r,
    ];
    a.extend(SMALL);
    refused(
        &memberlens(&a),
        "config: --recommenders: lfm is given twice",
    );
    let mut a = vec!["frontier", "--strengths", "0,0.5,0.50", "--ratings", r];
    a.extend(SMALL);
    refused(&memberlens(&a), "config: --strengths: 0.5 is given twice");
}

#[test]
fn numbers_that_round_onto_an_end_of_their_range_are_refused_as_typed() {
    let r = csv("round");
    let r = r.to_str().unwrap();
    let m = refused(
        &memberlens(&[
            "run",
            "--ratings",
            r,
            "--config",
            r#"{"member_fraction":0.99999999999999999}"#,
        ]),
        "config: member_fraction: 0.99999999999999999 has more digits",
    );
    assert!(m.contains("rounds to 1"), "{m}");
    // A flag too: 1.00000000000000001 was read as the allowed 1.
    refused(
        &memberlens(&[
            "run",
            "--ratings",
            r,
            "--defence",
            "score-noise",
            "--defence-strength",
            "1.00000000000000001",
        ]),
        "config: defence_strength: 1.00000000000000001",
    );
    // And a swept value.
    refused(
        &memberlens(&[
            "sweep",
            "--param",
            "holdout",
            "--values",
            "0.90000000000000001",
            "--ratings",
            r,
        ]),
        "config: holdout: 0.90000000000000001",
    );
}

#[test]
fn a_dp_delta_of_one_over_the_members_or_more_is_refused() {
    let r = csv("delta");
    let mut a = vec!["run", "--ratings", r.to_str().unwrap()];
    a.extend(SMALL);
    a.extend([
        "--config",
        r#"{"defence":"dp-sgd","defence_strength":0.5,"dp_delta":0.5}"#,
    ]);
    refused(&memberlens(&a), "config: dp_delta: 0.5 is not below 1/");
}

#[test]
fn every_error_is_one_line_of_at_most_200_characters_naming_its_key() {
    let r = csv("lengths");
    let r = r.to_str().unwrap();
    let long_key = format!(r#"{{"{}":1}}"#, "k".repeat(5000));
    let long_value = format!(r#"{{"recommender":"{}"}}"#, "x".repeat(5000));
    let long_path = format!("/nonexistent/{}/ratings.csv", "d".repeat(3000));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "--ratings", r, "--config", r#"{"zz":1}"#],
            "config: zz: unknown key",
        ),
        (
            vec!["run", "--ratings", r, "--config", &long_key],
            "unknown key",
        ),
        (
            vec!["run", "--ratings", r, "--config", &long_value],
            "config: recommender:",
        ),
        (
            vec!["run", "--ratings", r, "--config", "{\"k\":"],
            "config: --config: not valid JSON",
        ),
        (
            vec!["run", "--ratings", r, "--config", "[1]"],
            "config: --config: not valid JSON",
        ),
        (
            vec!["run", "--ratings", r, "--config", r#"{"k":1e400}"#],
            "config: k: not valid JSON",
        ),
        (
            vec!["run", "--ratings", r, "--config", r#"{"lr":"fast"}"#],
            "config: lr:",
        ),
        (vec!["run", "--ratings", &long_path], "/nonexistent/"),
        (
            vec!["bundle", "--ratings", r, "--out", &long_path],
            "/nonexistent/",
        ),
    ];
    for (args, needle) in cases {
        refused(&memberlens(&args), needle);
    }
}
