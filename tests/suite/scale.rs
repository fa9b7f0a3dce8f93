//! Scale features: parallel sweeps and matrices give the same report, bit for bit, whatever the
//! number of worker threads (and equal the stepped, single-threaded browser path); `synth` files.
//! Native only: threads are the CLI's; the browser's path is the stepped one.

#![cfg(not(target_arch = "wasm32"))]

use crate::common;

use std::process::Command;

use memberlens::experiment::matrix::Matrix;
use memberlens::experiment::parallel::{self, Workers};
use memberlens::recommender::RecommenderKind as K;
use memberlens::sweep::Sweep;

/// The JSON of a report without its timings (wall-clock time differs between any two runs).
fn without_timings<T: serde::Serialize>(r: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("timings_ms");
    v
}

#[test]
fn sweep_reports_are_identical_for_1_2_and_3_jobs_and_equal_the_stepped_sweep() {
    let data = common::synthetic(120, 200, 11);
    let values = [4.0, 8.0, 12.0];
    let seeds = [0, 1];
    let reports: Vec<_> = [1, 2, 3]
        .iter()
        .map(|&jobs| {
            parallel::sweep(
                data.clone(),
                common::small_config(),
                "vector_k",
                &values,
                &seeds,
                Workers::new(jobs),
            )
            .unwrap()
        })
        .collect();
    // Without a clock every timing is 0, so the whole JSON text can be compared.
    assert_eq!(reports[0].timings_ms["total"], 0.0);
    let json = |r| serde_json::to_string(r).unwrap();
    assert_eq!(json(&reports[0]), json(&reports[1]), "1 vs 2 jobs");
    assert_eq!(json(&reports[0]), json(&reports[2]), "1 vs 3 jobs");

    let mut stepped =
        Sweep::new(data, common::small_config(), "vector_k", &values, &seeds).unwrap();
    while !stepped.step().unwrap().done {}
    // (Compared as values built from the reports: parsing JSON text back may round floats.)
    let parallel = without_timings(&reports[0]);
    assert_eq!(parallel, without_timings(stepped.report().unwrap()));
    // Runs differ between values and seeds: the comparison above is not between constants.
    let points = parallel["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_ne!(
        points[0]["runs"][0]["roc_auc"],
        points[0]["runs"][1]["roc_auc"]
    );
}

#[test]
fn matrix_reports_are_identical_for_1_2_and_3_jobs_and_equal_the_stepped_matrix() {
    let data = common::synthetic(120, 200, 11);
    let kinds = [K::Lfm, K::Popularity];
    let seeds = [0, 1, 2];
    let reports: Vec<_> = [1, 2, 3]
        .iter()
        .map(|&jobs| {
            parallel::matrix(
                data.clone(),
                common::small_config(),
                &kinds,
                &seeds,
                Workers::new(jobs),
            )
            .unwrap()
        })
        .collect();
    let json = |r| serde_json::to_string(r).unwrap();
    assert_eq!(json(&reports[0]), json(&reports[1]), "1 vs 2 jobs");
    assert_eq!(json(&reports[0]), json(&reports[2]), "1 vs 3 jobs");

    let mut stepped = Matrix::new(data, common::small_config(), &kinds, &seeds).unwrap();
    while !stepped.step().unwrap().done {}
    let parallel = without_timings(&reports[0]);
    assert_eq!(parallel, without_timings(stepped.report().unwrap()));
    assert_eq!(parallel["cells"].as_array().unwrap().len(), 4);
    assert_eq!(parallel["cells"][0]["runs"].as_array().unwrap().len(), 3);
}

#[test]
fn errors_are_the_sequential_ones() {
    let data = common::synthetic(60, 100, 1);
    let e = parallel::sweep(
        data.clone(),
        common::small_config(),
        "k",
        &[0.0],
        &[0],
        Workers::new(2),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("config: k:"), "{e}");
    let e = parallel::matrix(
        data,
        common::small_config(),
        &[K::Lfm, K::Lfm],
        &[0],
        Workers::new(2),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("config: recommenders:"), "{e}");
}

#[test]
fn cli_sweep_json_is_the_same_for_1_and_2_jobs() {
    let d = common::synthetic(80, 120, 5);
    let path = common::write_ratings_csv(&d, "par");
    let run = |jobs: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
            .args([
                "sweep",
                "--param",
                "k",
                "--values",
                "4,8",
                "--seeds",
                "0,1",
                "--top-n",
                "10",
                "--epochs",
                "5",
                "--jobs",
                jobs,
                "--json",
                "--ratings",
                path.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["timings_ms"]["wall"].as_f64().unwrap() > 0.0);
        without_timings(&v)
    };
    assert_eq!(run("1"), run("2"));
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(["sweep", "--param", "k", "--values", "4", "--jobs", "0"])
        .args(["--ratings", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--jobs"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn cli_synth_writes_the_requested_file_and_refuses_impossible_sizes() {
    let path = std::env::temp_dir().join(format!("memberlens-synth-{}.csv", std::process::id()));
    // synth replaces an existing file only with --force: start from none.
    std::fs::remove_file(&path).ok();
    let synth = |ratings: &str, seed: &str| {
        Command::new(env!("CARGO_BIN_EXE_memberlens"))
            .args([
                "synth",
                "--users",
                "100",
                "--items",
                "80",
                "--ratings",
                ratings,
            ])
            .args(["--seed", seed, "--out", path.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let out = synth("3000", "4");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read(&path).unwrap();
    let d = memberlens::Dataset::parse(&first, "ratings.csv").unwrap();
    assert_eq!(
        (d.ratings, d.n_interactions(), d.n_users()),
        (3000, 3000, 100)
    );
    // An existing file is replaced only with --force (a synthetic file cannot be told from a
    // real ratings.csv, which must never be overwritten by accident).
    let again = synth("3000", "4");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force to replace it"));
    std::fs::remove_file(&path).unwrap();
    assert!(synth("3000", "4").status.success());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        first,
        "same seed, same bytes"
    );
    let out = synth("499", "4");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: config: --ratings: 499 is impossible") && err.lines().count() == 1,
        "{err}"
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn cli_refuses_too_many_runs_and_too_costly_jobs_without_force() {
    let values: Vec<String> = (1..=67).map(|v| v.to_string()).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(["sweep", "--param", "k", "--values", &values.join(",")])
        .args(["--seeds", "0,1,2", "--ratings", "/nonexistent/ratings.csv"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        err.trim_end(),
        "error: this sweep (67 values × 3 seeds) has 201 runs, above the limit of 200: pass --force to run it anyway"
    );
    // With --force the limit is passed and the missing file is what stops it.
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(["sweep", "--param", "k", "--values", &values.join(",")])
        .args([
            "--seeds",
            "0,1,2",
            "--force",
            "--ratings",
            "/nonexistent/ratings.csv",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ratings.csv"));

    // A tiny file with an enormous attack network: estimated far above 10 minutes.
    let path = std::env::temp_dir().join(format!("memberlens-cost-{}.csv", std::process::id()));
    // synth replaces an existing file only with --force: start from none.
    std::fs::remove_file(&path).ok();
    let synth = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args([
            "synth",
            "--users",
            "200",
            "--items",
            "300",
            "--ratings",
            "8000",
        ])
        .args(["--out", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(synth.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(["run", "--ratings", path.to_str().unwrap(), "--config"])
        .arg(r#"{"hidden1":1024,"hidden2":1024,"attack_epochs":2000,"attack_restarts":20,"vector_k":512}"#)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // The refusal alone, one line (it holds the estimate).
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("error: this run is estimated at")
            && lines[0].ends_with("above the 10 min 0 s time limit: pass --force to run it anyway"),
        "{err}"
    );
    std::fs::remove_file(&path).ok();
}
