//! The command line as a user runs it: JSON shapes, the human summary, and clean errors.

use crate::common;

use std::process::Command;

fn memberlens(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn synthetic_csv() -> std::path::PathBuf {
    let d = common::synthetic(80, 120, 5);
    let mut csv = String::from("userId,movieId,rating,timestamp\r\n");
    for u in 0..d.n_users() {
        for &i in d.user_items(u) {
            csv.push_str(&format!(
                "{},{},4.0,1\r\n",
                d.user_ids[u], d.item_ids[i as usize]
            ));
        }
    }
    // One file per call: the tests run in parallel and must not read each other's half-written file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("memberlens-cli-{}-{n}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn run_json_has_the_documented_keys_and_is_one_object() {
    let path = synthetic_csv();
    let out = memberlens(&[
        "run",
        "--ratings",
        path.to_str().unwrap(),
        "--k",
        "8",
        "--top-n",
        "10",
        "--seed",
        "3",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    for key in common::RUN_KEYS {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["tpr_at_fpr"].get("0.01").is_some() && v["tpr_at_fpr"].get("0.001").is_some());
    for key in ["fpr", "tpr", "thresholds"] {
        assert!(v["roc"][key].is_array(), "roc.{key}");
    }
    assert_eq!(v["config"]["seed"], 3);
    assert_eq!(v["config"]["k"], 8);
    assert_eq!(v["config"]["protocol"], "popular");
}

#[test]
fn sweep_json_and_human_summary() {
    let path = synthetic_csv();
    let p = path.to_str().unwrap();
    let out = memberlens(&[
        "sweep",
        "--param",
        "k",
        "--values",
        "4,8",
        "--seeds",
        "0,1",
        "--ratings",
        p,
        "--top-n",
        "10",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["param"], "k");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for key in ["value", "roc_auc_mean", "roc_auc_std", "runs"] {
        assert!(points[0].get(key).is_some(), "{key}");
    }
    // Every numeric key but `seed` can be swept (docs/INTERFACES.md); dp_delta once was refused.
    let out = memberlens(&[
        "sweep",
        "--param",
        "dp_delta",
        "--values",
        "0.00001,0.001",
        "--seeds",
        "0",
        "--ratings",
        p,
        "--k",
        "8",
        "--top-n",
        "10",
        "--config",
        r#"{"defence":"dp-sgd","defence_strength":0.5}"#,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["param"], "dp_delta");
    assert_eq!(v["values"], serde_json::json!([0.00001, 0.001]));
    assert_eq!(v["points"].as_array().unwrap().len(), 2);
    let out = memberlens(&[
        "run",
        "--ratings",
        p,
        "--k",
        "8",
        "--top-n",
        "10",
        "--protocol",
        "fold-in",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ROC-AUC") && text.contains("recall@10"),
        "{text}"
    );
}

#[test]
fn bad_input_gives_one_line_errors_and_no_panic() {
    let bad = std::env::temp_dir().join(format!("memberlens-bad-{}.csv", std::process::id()));
    std::fs::write(
        &bad,
        "userId,movieId,rating,timestamp\n1,2,4.0,1\n1,3,abc,1\n",
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "--ratings", bad.to_str().unwrap()],
            ":3: rating 'abc' is not a number",
        ),
        (
            vec!["run", "--ratings", "/nonexistent/ratings.csv"],
            "/nonexistent/ratings.csv",
        ),
        (
            vec!["run", "--ratings", bad.to_str().unwrap(), "--k", "0"],
            "config: k:",
        ),
        (
            vec![
                "run",
                "--ratings",
                bad.to_str().unwrap(),
                "--config",
                "{\"kk\":1}",
            ],
            "config: kk: unknown key",
        ),
        (
            vec![
                "sweep",
                "--param",
                "protocol",
                "--values",
                "1",
                "--ratings",
                bad.to_str().unwrap(),
            ],
            "cannot be swept",
        ),
    ];
    for (args, expected) in cases {
        let out = memberlens(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
    }
    // clap's own errors (unknown option) are also a non-zero exit without a panic
    let out = memberlens(&["run", "--nope"]);
    assert!(!out.status.success());
}

#[test]
fn bundle_round_trips_through_the_cli() {
    let path = synthetic_csv();
    let out_path = std::env::temp_dir().join(format!("memberlens-{}.bin", std::process::id()));
    let out = memberlens(&[
        "bundle",
        "--ratings",
        path.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = memberlens::Dataset::load(&path).unwrap();
    let b = memberlens::Dataset::load(&out_path).unwrap();
    assert_eq!(a.summary().interactions, b.summary().interactions);
    assert_eq!(a.user_ids, b.user_ids);
}

#[test]
fn matrix_json_has_every_cell_and_bad_names_list_the_allowed_values() {
    let path = synthetic_csv();
    let p = path.to_str().unwrap();
    let args = ["--k", "8", "--top-n", "10", "--json"];
    let mut a = vec![
        "matrix",
        "--ratings",
        p,
        "--recommenders",
        "lfm,popularity",
        "--seeds",
        "0",
    ];
    a.extend(args);
    let out = memberlens(&a);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in ["recommenders", "seeds", "config", "cells", "utility"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4);
    for key in [
        "shadow",
        "target",
        "roc_auc_mean",
        "roc_auc_std",
        "tpr_at_1pct_mean",
        "runs",
    ] {
        assert!(cells[0].get(key).is_some(), "cell misses {key}");
    }
    assert_eq!(
        (cells[1]["shadow"].as_str(), cells[1]["target"].as_str()),
        (Some("lfm"), Some("popularity"))
    );

    let out = memberlens(&["matrix", "--ratings", p, "--recommenders", "lfm,svd"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("recommenders") && err.contains("svd") && err.contains("item-knn"),
        "{err}"
    );
    let out = memberlens(&["run", "--ratings", p, "--config", r#"{"attack":"oracle"}"#]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("attack") && err.contains("overlap"),
        "{err}"
    );
}

#[test]
fn preset_paper_and_flags_combine_and_non_finite_numbers_are_refused() {
    let path = synthetic_csv();
    let p = path.to_str().unwrap();
    let out = memberlens(&[
        "run",
        "--ratings",
        p,
        "--preset",
        "paper",
        "--k",
        "8",
        "--top-n",
        "10",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["negative_sampling"], "popularity");
    assert_eq!(v["config"]["vector_k"], 0);
    assert_eq!(v["config"]["k"], 8);
    for bad in ["nan", "inf", "1e400"] {
        let out = memberlens(&["run", "--ratings", p, "--lr", bad]);
        assert!(!out.status.success(), "--lr {bad} must be refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--lr"), "{err}");
    }
    let out = memberlens(&["run", "--ratings", p, "--preset", "fancy"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("preset") && err.contains("paper"),
        "{err}"
    );
}

#[test]
fn users_file_has_one_record_per_target_user_matching_the_run() {
    let path = synthetic_csv();
    let users = std::env::temp_dir().join(format!("memberlens-users-{}.json", std::process::id()));
    let out = memberlens(&[
        "run",
        "--ratings",
        path.to_str().unwrap(),
        "--k",
        "8",
        "--top-n",
        "10",
        "--json",
        "--users",
        users.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let recs: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&users).unwrap()).unwrap();
    let c = &run["counts"];
    let (m, n) = (
        c["target_members"].as_u64().unwrap(),
        c["target_nonmembers"].as_u64().unwrap(),
    );
    assert_eq!(recs.len() as u64, m + n);
    assert_eq!(
        recs.iter().filter(|r| r["member"] == true).count() as u64,
        m
    );
    let d = common::synthetic(80, 120, 5);
    for key in [
        "user",
        "member",
        "score",
        "rank",
        "history",
        "list",
        "pca",
        "history_centroid",
        "list_centroid",
        "centroid_distance",
    ] {
        assert!(recs[0].get(key).is_some(), "record misses {key}");
    }
    for r in &recs {
        // ids are the data set's own, and the history is the user's whole history
        let u = d
            .user_ids
            .iter()
            .position(|&id| id == r["user"].as_u64().unwrap())
            .unwrap();
        let own: Vec<u64> = d
            .user_items(u)
            .iter()
            .map(|&i| d.item_ids[i as usize])
            .collect();
        let hist: Vec<u64> = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(hist, own);
        assert_eq!(r["list"].as_array().unwrap().len(), 10);
    }
    // ranks are 1..=n, ordered by score
    let mut by_rank: Vec<(u64, f64)> = recs
        .iter()
        .map(|r| (r["rank"].as_u64().unwrap(), r["score"].as_f64().unwrap()))
        .collect();
    by_rank.sort_by_key(|p| p.0);
    assert_eq!(
        by_rank.iter().map(|p| p.0).collect::<Vec<_>>(),
        (1..=m + n).collect::<Vec<_>>()
    );
    assert!(by_rank.windows(2).all(|w| w[0].1 >= w[1].1));
}
