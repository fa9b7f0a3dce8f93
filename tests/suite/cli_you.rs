//! `memberlens run --you FILE` as a user runs it: the report's shape, the same numbers twice,
//! picks given as ids or as CSV with a movieId column, and one-line errors naming the line.

use crate::common;

use std::path::{Path, PathBuf};

use common::memberlens;

fn temp(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("memberlens-you-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// The synthetic ratings as a file, and its item ids.
fn ratings() -> (PathBuf, Vec<u64>) {
    let d = common::synthetic(80, 120, 5);
    let mut csv = String::from("userId,movieId,rating,timestamp\n");
    for u in 0..d.n_users() {
        for &i in d.user_items(u) {
            csv.push_str(&format!(
                "{},{},4.0,1\n",
                d.user_ids[u], d.item_ids[i as usize]
            ));
        }
    }
    (temp("ratings.csv", &csv), d.item_ids.clone())
}

fn you(ratings: &Path, picks: &Path, json: bool) -> std::process::Output {
    let mut args = vec![
        "run",
        "--ratings",
        ratings.to_str().unwrap(),
        "--k",
        "8",
        "--top-n",
        "10",
        "--you",
        picks.to_str().unwrap(),
    ];
    if json {
        args.push("--json");
    }
    memberlens(&args)
}

#[test]
fn the_report_places_you_both_ways_and_is_the_same_from_ids_or_csv() {
    let (data, items) = ratings();
    let ids: Vec<u64> = [2, 5, 9, 14, 30, 41].iter().map(|&i| items[i]).collect();
    let lines: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let plain = temp("ids.txt", &format!("{}\n", lines.join("\n")));
    let csv = temp(
        "picks.csv",
        &format!(
            "movieId,title\n{}\n",
            lines
                .iter()
                .map(|i| format!("{i},\"A, film\""))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    );
    let out = you(&data, &plain, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["picks"].as_array().unwrap().len(), 6);
    assert_eq!(v["as_member"]["member"], true);
    assert_eq!(v["as_non_member"]["member"], false);
    for side in ["as_member", "as_non_member"] {
        let s = &v[side];
        for key in [
            "list",
            "score",
            "rank",
            "users",
            "percentile",
            "threshold",
            "flagged",
            "roc_auc",
        ] {
            assert!(s.get(key).is_some(), "{side}.{key} missing");
        }
        assert_eq!(
            s["flagged"].as_bool().unwrap(),
            s["score"].as_f64().unwrap() >= s["threshold"].as_f64().unwrap()
        );
    }
    let again = you(&data, &csv, true);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    // Timings aside (none are in this report), the same picks give the same report.
    assert_eq!(v, w);
    let text = you(&data, &plain, false);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("as a member") && text.contains("as a non-member"),
        "{text}"
    );
}

#[test]
fn bad_picks_are_one_line_errors_naming_the_line() {
    let (data, items) = ratings();
    let unknown = items.last().unwrap() + 1;
    for (name, text, want) in [
        (
            "few.txt",
            format!("{}\n{}\n", items[0], items[1]),
            ":0: 2 movies picked: pick 5 to 20 distinct movies".to_string(),
        ),
        (
            "word.txt",
            format!("{}\nfilm\n", items[0]),
            ":2: 'film' is not a movie id (a whole number)".to_string(),
        ),
        (
            "unknown.txt",
            format!(
                "{}\n{}\n{}\n{}\n{unknown}\n",
                items[0], items[1], items[2], items[3]
            ),
            format!(":5: movie {unknown} is not in the data set (nobody rated it)"),
        ),
        (
            "twice.txt",
            format!(
                "{0}\n{1}\n{0}\n{2}\n{3}\n",
                items[0], items[1], items[2], items[3]
            ),
            format!(
                ":3: movie {} is picked twice (pick each movie once)",
                items[0]
            ),
        ),
    ] {
        let path = temp(name, &text);
        let out = you(&data, &path, true);
        assert!(!out.status.success(), "{name} was accepted");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(want.as_str()), "{name}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        assert!(out.stdout.is_empty());
    }
    // --you and --users do not mix.
    let path = temp("ok.txt", "1\n");
    let out = memberlens(&[
        "run",
        "--ratings",
        data.to_str().unwrap(),
        "--you",
        path.to_str().unwrap(),
        "--users",
        "/tmp/x.json",
    ]);
    assert!(!out.status.success());
}
