//! The command line never destroys input (issue 19): every command that writes a file refuses an
//! output that is one of its inputs (also through a symbolic link, `..` or a hard link), replaces
//! an existing file only with `--force` or when it is an earlier output of the same kind, and
//! writes through a temporary file renamed into place. Each case failed on main before: the
//! commands wrote over anything.

// The native binary, run as a user runs it: nothing to test in wasm.
#![cfg(not(target_arch = "wasm32"))]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::memberlens;

/// A fresh directory of its own for each test (they run in parallel).
fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("memberlens-out-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small MovieLens ratings.csv in `d`.
fn ratings(d: &Path) -> PathBuf {
    let data = common::synthetic(40, 60, 3);
    let mut csv = String::from("userId,movieId,rating,timestamp\n");
    for u in 0..data.n_users() {
        for &i in data.user_items(u) {
            let (user, item) = (data.user_ids[u], data.item_ids[i as usize]);
            csv.push_str(&format!("{user},{item},4.0,1\n"));
        }
    }
    let p = d.join("ratings.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Refused with one line naming `needles`, nothing written, no temporary file left behind.
fn refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
}

fn no_temporary_files(d: &Path) {
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bundle_refuses_to_write_over_its_own_input_by_any_path() {
    let d = dir("bundle-self");
    let r = ratings(&d);
    let before = std::fs::read(&r).unwrap();
    // The same path, the same file through `..`, a symbolic link and a hard link.
    std::fs::create_dir(d.join("sub")).unwrap();
    let dotdot = d.join("sub/../ratings.csv");
    let link = d.join("link.csv");
    std::os::unix::fs::symlink(&r, &link).unwrap();
    let hard = d.join("hard.csv");
    std::fs::hard_link(&r, &hard).unwrap();
    for out in [&r, &dotdot, &link, &hard] {
        let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(out)]);
        refused(&o, &["--out", "is the input --ratings", "destroy"]);
        // --force does not make it an output either.
        let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(out), "--force"]);
        refused(&o, &["is the input --ratings"]);
    }
    assert_eq!(std::fs::read(&r).unwrap(), before, "the ratings are intact");
    no_temporary_files(&d);
}

#[test]
fn bundle_replaces_an_earlier_bundle_but_another_file_only_with_force() {
    let d = dir("bundle-existing");
    let r = ratings(&d);
    let out = d.join("data.bin");
    std::fs::write(&out, "precious notes\n").unwrap();
    let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(&out)]);
    refused(&o, &["exists and is not an earlier bundle", "--force"]);
    assert_eq!(std::fs::read(&out).unwrap(), b"precious notes\n");
    let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(&out), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&out)
        .unwrap()
        .starts_with(memberlens::data::BUNDLE_MAGIC));
    // Now it is a bundle: writing it again needs no --force.
    let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A directory is no file to write.
    let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(&d)]);
    refused(&o, &["is a directory"]);
    no_temporary_files(&d);
}

#[test]
fn run_users_refuses_its_input_and_foreign_files_before_running() {
    let d = dir("users");
    let r = ratings(&d);
    let before = std::fs::read(&r).unwrap();
    let small = [
        "--k",
        "4",
        "--epochs",
        "2",
        "--top-n",
        "5",
        "--vector-k",
        "4",
    ];
    let run = |users: &Path, extra: &[&str]| {
        let mut a = vec!["run", "--ratings", s(&r), "--users", s(users)];
        a.extend_from_slice(&small);
        a.extend_from_slice(extra);
        memberlens(&a)
    };
    let o = run(&r, &[]);
    refused(&o, &["--users", "is the input --ratings"]);
    // Refused before the run: no result was printed.
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(std::fs::read(&r).unwrap(), before);
    let users = d.join("users.json");
    std::fs::write(&users, "{\"mine\": true}").unwrap();
    refused(
        &run(&users, &[]),
        &["exists and is not an earlier users file"],
    );
    assert_eq!(std::fs::read(&users).unwrap(), b"{\"mine\": true}");
    std::fs::remove_file(&users).unwrap();
    let o = run(&users, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first: serde_json::Value = serde_json::from_slice(&std::fs::read(&users).unwrap()).unwrap();
    assert!(first.as_array().is_some_and(|a| !a.is_empty()));
    // An earlier users file is replaced without --force.
    let o = run(&users, &["--seed", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    no_temporary_files(&d);
}

#[test]
fn titles_refuses_its_input_and_replaces_only_titles_files() {
    let d = dir("titles");
    let movies = d.join("movies.csv");
    let text = "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,\"Heat, The\",Action\n";
    std::fs::write(&movies, text).unwrap();
    let o = memberlens(&["titles", "--movies", s(&movies), "--out", s(&movies)]);
    refused(&o, &["is the input --movies"]);
    assert_eq!(std::fs::read_to_string(&movies).unwrap(), text);
    let out = d.join("titles.tsv");
    std::fs::write(&out, "a shopping list\n").unwrap();
    refused(
        &memberlens(&["titles", "--movies", s(&movies), "--out", s(&out)]),
        &["exists and is not an earlier titles file"],
    );
    let o = memberlens(&[
        "titles",
        "--movies",
        s(&movies),
        "--out",
        s(&out),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "1\tToy Story (1995)\n2\tHeat, The\n"
    );
    let o = memberlens(&["titles", "--movies", s(&movies), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    no_temporary_files(&d);
}

#[test]
fn synth_replaces_an_existing_file_only_with_force() {
    let d = dir("synth");
    let out = d.join("ratings.csv");
    // A real ratings.csv looks exactly like a synthetic one: only --force may replace it.
    std::fs::write(&out, "userId,movieId,rating,timestamp\n1,1,4.0,1\n").unwrap();
    let args = ["synth", "--users", "10", "--items", "20", "--ratings", "60"];
    let mut a = args.to_vec();
    a.extend(["--out", s(&out)]);
    refused(
        &memberlens(&a),
        &[
            "exists and is not an earlier synthetic ratings file",
            "--force",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "userId,movieId,rating,timestamp\n1,1,4.0,1\n"
    );
    a.push("--force");
    let o = memberlens(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 61);
    no_temporary_files(&d);
}

#[test]
fn output_paths_in_messages_are_escaped_like_input_paths() {
    let d = dir("escape");
    let bad = d.join("no\x1b[31mdir\u{202e}/out.bin");
    let r = ratings(&d);
    let o = memberlens(&["bundle", "--ratings", s(&r), "--out", s(&bad)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        !err.contains('\x1b') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(err.contains("\\u{1b}[31mdir\\u{202e}"), "{err}");
}
