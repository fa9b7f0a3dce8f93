//! `memberlens audit` as a user runs it, on generated data: the lists of a run's `--users` file
//! (truth known) audited give the run's own numbers; unknown ids are named with their lines;
//! without labels every user gets a rank 1 … n, the same on every run.

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::memberlens;

/// A fresh temporary directory per call (the tests run in parallel).
fn temp_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("memberlens-audit-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The synthetic data set of the CLI tests as a ratings.csv in `dir`.
fn ratings(dir: &Path) -> PathBuf {
    let d = common::synthetic(120, 160, 7);
    let mut csv = String::from("userId,movieId,rating,timestamp\n");
    for u in 0..d.n_users() {
        for &i in d.user_items(u) {
            csv.push_str(&format!(
                "{},{},4.0,1\n",
                d.user_ids[u], d.item_ids[i as usize]
            ));
        }
    }
    let path = dir.join("ratings.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

/// Settings small enough for a test, shared by the run and the audit.
const SMALL: [&str; 8] = [
    "--k",
    "8",
    "--top-n",
    "10",
    "--seed",
    "3",
    "--config",
    r#"{"epochs":10,"vector_epochs":3,"attack_epochs":10,"lira_references":4}"#,
];

fn ok(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

fn audit(ratings: &Path, lists: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "audit",
        "--ratings",
        ratings.to_str().unwrap(),
        "--lists",
        lists.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(&SMALL);
    args.extend_from_slice(extra);
    memberlens(&args)
}

/// A run with `--users`: its JSON and its users file.
fn run_with_users(dir: &Path, ratings: &Path) -> (Value, PathBuf) {
    let users = dir.join("users.json");
    let mut args = vec![
        "run",
        "--ratings",
        ratings.to_str().unwrap(),
        "--json",
        "--users",
        users.to_str().unwrap(),
    ];
    args.extend_from_slice(&SMALL);
    (ok(&memberlens(&args)), users)
}

#[test]
fn auditing_a_runs_users_file_gives_the_runs_numbers() {
    let dir = temp_dir();
    let ratings = ratings(&dir);
    let (run, users) = run_with_users(&dir, &ratings);
    // The users file as the run wrote it.
    let a = ok(&audit(&ratings, &users, &["--jobs", "1"]));
    assert_eq!(a["audited"]["users"], 60);
    assert_eq!(a["audited"]["members"], run["counts"]["target_members"]);
    let attacks = &a["attacks"];
    // The shadow-free attacks and the MLP (the audit's shadow is the run's shadow half): the
    // run's numbers to the bit, intervals included.
    for name in ["distance", "overlap"] {
        let b = &run["baselines"][name];
        for key in ["roc_auc", "tpr_at_fpr", "ci95", "attacker_advantage"] {
            assert_eq!(attacks[name][key], b[key], "{name} {key}");
        }
    }
    for key in ["roc_auc", "tpr_at_fpr", "ci95", "attacker_advantage"] {
        assert_eq!(attacks["mlp"][key], run[key], "mlp {key}");
    }
    assert_eq!(a["shadow"]["fit"], run["attack"]);
    assert_eq!(a["shadow"]["utility"], run["recommender"]["shadow"]);
    // Every non-member got the popularity list (protocol popular): that is the list a new
    // account gets. Given as the *new* record, the new-user-list attack equals the run's too.
    let records: Vec<Value> = serde_json::from_slice(&std::fs::read(&users).unwrap()).unwrap();
    let popular = records.iter().find(|r| r["member"] == false).unwrap()["list"].clone();
    let mut jsonl = String::new();
    for r in &records {
        jsonl.push_str(&serde_json::to_string(r).unwrap());
        jsonl.push('\n');
    }
    jsonl.push_str(&format!("{{\"user\":\"*new*\",\"list\":{popular}}}\n"));
    let with_new = dir.join("lists.jsonl");
    std::fs::write(&with_new, jsonl).unwrap();
    let b = ok(&audit(&ratings, &with_new, &["--jobs", "2"]));
    let n = &run["baselines"]["new-user-list"];
    for key in ["roc_auc", "tpr_at_fpr", "ci95"] {
        assert_eq!(
            b["attacks"]["new-user-list"][key], n[key],
            "new-user-list {key}"
        );
    }
    // ... and the other numbers do not move with it (lira's probe statistic does)
    for name in ["distance", "overlap", "mlp"] {
        assert_eq!(
            b["attacks"][name]["roc_auc"], attacks[name]["roc_auc"],
            "{name}"
        );
    }
    assert_eq!(b["strongest"]["roc_auc"], 1.0);
    assert!(b["not_run"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["attack"] != "new-user-list"));
    // The same audit on 1 or 2 threads: the same report.
    let mut one = ok(&audit(&ratings, &with_new, &["--jobs", "1"]));
    let mut two = b;
    one.as_object_mut().unwrap().remove("timings_ms");
    two.as_object_mut().unwrap().remove("timings_ms");
    assert_eq!(one, two);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_items_are_named_with_their_lines_and_skipped_only_when_asked() {
    let dir = temp_dir();
    let ratings = ratings(&dir);
    // users 1 … 40 with two lists holding items the ratings do not have (ids 9001, 9002)
    let items = common::synthetic(120, 160, 7).item_ids.clone();
    let mut csv = String::from("user,member,list\n");
    for u in 1..=40u32 {
        let mut list: Vec<String> = (1..=10)
            .map(|i| items[(u + i) as usize % items.len()].to_string())
            .collect();
        if u == 5 || u == 17 {
            list[3] = format!("{}", 9000 + u);
        }
        csv.push_str(&format!("{u},{},{}\n", u % 2 == 0, list.join(" ")));
    }
    let lists = dir.join("lists.csv");
    std::fs::write(&lists, csv).unwrap();
    let out = audit(&ratings, &lists, &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("lists.csv:6: list: item 9005 is not in ratings.csv (2 unknown item ids on 2 lines, at lists.csv:6, 18)"),
        "{err}"
    );
    let a = ok(&audit(&ratings, &lists, &["--skip-unknown"]));
    assert_eq!(a["audited"]["skipped_items"], 2);
    assert_eq!(a["audited"]["users"], 40);
    let warnings = a["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with(
                "skipped 2 unknown item ids from the lists on 2 lines (lists.csv:6, 18)"
            )),
        "{warnings:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_labels_every_user_has_a_rank_and_two_audits_agree() {
    let dir = temp_dir();
    let ratings = ratings(&dir);
    let (_, users) = run_with_users(&dir, &ratings);
    let records: Vec<Value> = serde_json::from_slice(&std::fs::read(&users).unwrap()).unwrap();
    let mut csv = String::from("list,user\n");
    for r in &records {
        let list: Vec<String> = r["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        csv.push_str(&format!("{},{}\n", list.join(" "), r["user"]));
    }
    let lists = dir.join("unlabelled.csv");
    std::fs::write(&lists, csv).unwrap();
    let report = dir.join("audit.html");
    let mut a = ok(&audit(
        &ratings,
        &lists,
        &["--report", report.to_str().unwrap()],
    ));
    assert!(a["strongest"].is_null());
    assert_eq!(a["audited"]["labelled"], 0);
    for at in a["attacks"].as_object().unwrap().values() {
        assert!(at["roc_auc"].is_null());
        assert!(at["roc_auc_on_references"].as_f64().is_some());
    }
    let users = a["users"].as_array().unwrap();
    assert_eq!(users.len(), 60);
    let mut ranks: Vec<u64> = users.iter().map(|u| u["rank"].as_u64().unwrap()).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=60).collect::<Vec<u64>>());
    // a better rank never has a lower risk
    let mut by_rank: Vec<&Value> = users.iter().collect();
    by_rank.sort_by_key(|u| u["rank"].as_u64());
    assert!(by_rank
        .windows(2)
        .all(|w| w[0]["risk"].as_f64() >= w[1]["risk"].as_f64()));
    let risk = a["risk"]["attack"].as_str().unwrap().to_string();
    let best = a["attacks"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(_, v)| v["roc_auc_on_references"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(
        a["attacks"][&risk]["roc_auc_on_references"].as_f64(),
        Some(best)
    );
    assert_eq!(a["exposed"].as_array().unwrap().len(), 20);
    assert_eq!(a["exposed"][0]["rank"], 1);
    // the same audit again: the same JSON, the same ranks
    let mut b = ok(&audit(&ratings, &lists, &[]));
    a.as_object_mut().unwrap().remove("timings_ms");
    b.as_object_mut().unwrap().remove("timings_ms");
    assert_eq!(a, b);
    // the report is one page that names both files' fingerprints and holds the JSON
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>"));
    let sha = memberlens::audit::sha256_hex(&std::fs::read(&ratings).unwrap());
    assert!(html.contains(&sha), "ratings fingerprint");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(!html.contains("https://"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_audit_estimated_above_the_limits_is_refused_before_any_work() {
    let dir = temp_dir();
    let ratings = ratings(&dir);
    let items = common::synthetic(120, 160, 7).item_ids.clone();
    let mut csv = String::from("user,list\n");
    for u in 1..=60u32 {
        let list: Vec<String> = (1..=10)
            .map(|i| items[(u + i) as usize % items.len()].to_string())
            .collect();
        csv.push_str(&format!("{u},{}\n", list.join(" ")));
    }
    let lists = dir.join("lists.csv");
    std::fs::write(&lists, csv).unwrap();
    let report = dir.join("audit.html");
    // A tiny data set with an enormous attack network and many references: far above 10 minutes.
    let out = memberlens(&[
        "audit",
        "--ratings",
        ratings.to_str().unwrap(),
        "--lists",
        lists.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--config",
        r#"{"hidden1":1024,"hidden2":1024,"attack_epochs":2000,"attack_restarts":20,"vector_k":512,"lira_references":64}"#,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // A refused job's error is one line, without the estimate notice (as every job's).
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("error: this audit (60 users, 64 reference models on")
            && lines[0].ends_with("time limit: pass --force to run it anyway"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert!(!report.exists(), "no report of an audit that did not run");
    std::fs::remove_dir_all(&dir).unwrap();
}
