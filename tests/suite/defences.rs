//! Defences (issue 7) on small seeded synthetic data: strength 0 is bit-identical to no defence,
//! each defence touches exactly the lists it should, DP runs carry their privacy, bad settings fail
//! naming the key. The frontier's tests are in tests/suite/frontier.rs.

use crate::common;

use std::sync::Arc;

use memberlens::config::{Config, Protocol};
use memberlens::defence::DefenceKind;
use memberlens::pipeline::Pipeline;
use memberlens::recommender::RecommenderKind;
use memberlens::report::RunReport;
use memberlens::rng::{rng_for, Stream};
use memberlens::serving::{Half, HalfData};
use memberlens::split::HalfUsers;
use memberlens::Dataset;

fn small() -> Config {
    Config {
        k: 8,
        epochs: 10,
        vector_epochs: 5,
        top_n: 10,
        attack_epochs: 10,
        ..Config::default()
    }
}

fn data() -> Arc<Dataset> {
    common::synthetic(120, 200, 11)
}

fn run(data: &Arc<Dataset>, cfg: Config) -> RunReport {
    Pipeline::new(data.clone(), cfg)
        .unwrap()
        .run_to_end()
        .unwrap()
        .clone()
}

fn with(cfg: &Config, defence: DefenceKind, strength: f64) -> Config {
    Config {
        defence,
        defence_strength: strength,
        ..cfg.clone()
    }
}

/// A report with its config echo reset, to compare everything else bit for bit.
fn numbers(mut r: RunReport) -> RunReport {
    r.config = Config::default();
    r.timings_ms.clear();
    r
}

#[test]
fn strength_zero_is_bit_identical_to_no_defence_for_every_defence_and_protocol() {
    let d = data();
    for recommender in RecommenderKind::ALL {
        for protocol in [Protocol::Popular, Protocol::FoldIn] {
            let base = Config {
                recommender,
                protocol,
                ..small()
            };
            let none = numbers(run(&d, base.clone()));
            assert!(none.privacy.is_none());
            let what = format!("{recommender:?} {protocol:?}");
            for defence in base.applicable_defences() {
                let r = run(&d, with(&base, defence, 0.0));
                assert_eq!(r.config.defence, defence);
                assert_eq!(numbers(r), none, "{defence:?} at strength 0, {what}");
                // …and a strength above 0 does change something, so the comparison can fail.
                let on = numbers(run(&d, with(&base, defence, 1.0)));
                assert_ne!(on, none, "{defence:?} at strength 1, {what}");
            }
        }
    }
}

/// A half of 40 users (20 members) over 60 items, trained with `cfg`, then served.
fn served_half(cfg: &Config) -> (Arc<Dataset>, Half) {
    let d = common::synthetic(40, 60, 3);
    let users = HalfUsers {
        members: (0..20).collect(),
        non_members: (20..40).collect(),
    };
    let hd = HalfData::new(&d, users, cfg.holdout, &mut rng_for(0, Stream::Holdout));
    let mut h = Half::new(
        cfg.recommender,
        "target",
        Arc::new(hd),
        cfg,
        rng_for(0, Stream::TargetModel),
        rng_for(0, Stream::TargetFoldIn),
    );
    while !h.train_step(5000).unwrap() {}
    while !h.serve_step(&d, 3) {}
    (d, h)
}

#[test]
fn popularity_randomisation_under_popular_changes_only_non_members_lists() {
    let cfg = Config {
        top_n: 5,
        ..small()
    };
    let (_, plain) = served_half(&cfg);
    let (_, defended) = served_half(&with(&cfg, DefenceKind::PopularityRandomisation, 1.0));
    // Members: the very same lists and recall.
    assert_eq!(plain.lists[..20], defended.lists[..20]);
    assert_eq!(plain.utility(), defended.utility());
    // Non-members: five items each from the top 50 popular, no longer one shared list.
    let pool = &plain.data.popular_order[..50];
    assert!(plain.lists[20..].windows(2).all(|w| w[0] == w[1]));
    assert!(defended.lists[20..].windows(2).any(|w| w[0] != w[1]));
    for l in &defended.lists[20..] {
        assert_eq!(l.len(), 5);
        assert!(l.iter().all(|i| pool.contains(i)), "{l:?}");
    }
    assert_ne!(plain.lists[20..], defended.lists[20..]);
}

#[test]
fn fold_in_serving_defences_touch_members_and_recall_pays() {
    let d = data();
    let base = Config {
        protocol: Protocol::FoldIn,
        ..small()
    };
    let plain = run(&d, base.clone());
    let recall = plain.recommender.target.recall_at_n;
    assert!(recall > 0.0);
    for defence in [DefenceKind::ListPerturbation, DefenceKind::ScoreNoise] {
        let r = run(&d, with(&base, defence, 1.0));
        let got = r.recommender.target.recall_at_n;
        assert!(got < recall * 0.9, "{defence:?}: recall {got} vs {recall}");
        // The popularity baseline is not a served list: unchanged.
        assert_eq!(
            r.recommender.target.popularity_recall_at_n,
            plain.recommender.target.popularity_recall_at_n
        );
    }
    // Under popular, popularity randomisation leaves recall exactly as it was.
    let popular = run(&d, small());
    let pr = run(
        &d,
        with(&small(), DefenceKind::PopularityRandomisation, 1.0),
    );
    assert_eq!(
        pr.recommender.target.recall_at_n,
        popular.recommender.target.recall_at_n
    );
    assert_ne!(pr.roc_auc, popular.roc_auc);
}

#[test]
fn list_perturbation_replaces_the_stated_share_of_every_list() {
    let cfg = Config {
        top_n: 8,
        ..small()
    };
    let (_, plain) = served_half(&cfg);
    let (_, half) = served_half(&with(&cfg, DefenceKind::ListPerturbation, 0.5));
    let mut changed_total = 0;
    for (a, b) in plain.lists.iter().zip(half.lists.iter()) {
        // Four positions are redrawn; a redrawn position may get its own item back.
        let changed = a.iter().zip(b).filter(|(x, y)| x != y).count();
        assert!(changed <= 4, "{a:?} → {b:?}");
        changed_total += changed;
        let mut s = b.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 8, "no duplicates in {b:?}");
    }
    assert!(
        changed_total * 10 >= plain.lists.len() * 4 * 8,
        "{changed_total}"
    );
}

#[test]
fn list_perturbation_at_strength_one_serves_random_lists_that_can_hold_popular_items() {
    // Under protocol popular every non-member's list is the top 8; at strength 1 it must become a
    // uniformly random list of the catalogue, which holds each of those 8 items with probability
    // 8 / |catalogue|. Replacements drawn outside the original list never held one.
    let cfg = Config {
        top_n: 8,
        ..small()
    };
    let (_, plain) = served_half(&cfg);
    let (_, half) = served_half(&with(&cfg, DefenceKind::ListPerturbation, 1.0));
    let top = &plain.lists[20];
    let catalogue = half.data.train.known.len() as f64;
    let back: usize = half.lists[20..]
        .iter()
        .map(|l| l.iter().filter(|i| top.contains(i)).count())
        .sum();
    let want = 20.0 * 8.0 * 8.0 / catalogue;
    assert!(
        (back as f64) > want / 2.0 && (back as f64) < want * 2.0,
        "{back} popular items back in 20 non-members' lists, expected about {want:.1}"
    );
}

#[test]
fn dp_sgd_runs_carry_their_privacy_and_non_dp_runs_carry_none() {
    let d = data();
    let cfg = with(&small(), DefenceKind::DpSgd, 0.5);
    let r = run(&d, cfg.clone());
    let p = r.privacy.expect("dp-sgd above strength 0 spends privacy");
    assert!(p.epsilon.is_finite() && p.epsilon > 0.0);
    assert_eq!(
        p.noise_multiplier,
        memberlens::defence::noise_multiplier(0.5)
    );
    assert_eq!(p.sampling_rate, cfg.dp_sampling_rate);
    assert_eq!(
        p.steps,
        (f64::from(cfg.epochs) / cfg.dp_sampling_rate).ceil() as u64
    );
    // δ = 1/(members' training interactions): between 1/(all interactions) and 1.
    let all = r.counts.interactions as f64;
    assert!(p.delta > 1.0 / all && p.delta < 1e-2, "{}", p.delta);
    let json = serde_json::to_value(&r).unwrap();
    let mut keys: Vec<&str> = json["privacy"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "audit",
            "covers",
            "delta",
            "epsilon",
            "noise_multiplier",
            "sampling_rate",
            "steps"
        ]
    );
    // Every dp-sgd run is audited (the default `audit`), with the run's δ.
    assert_eq!(json["privacy"]["audit"]["canaries"], cfg.audit_canaries);
    assert!(
        json["privacy"]["audit"]["epsilon_lower_bound"]
            .as_f64()
            .unwrap()
            <= p.epsilon
    );
    // More noise, smaller ε; a given δ is used as given.
    let strong = run(&d, with(&small(), DefenceKind::DpSgd, 1.0));
    assert!(strong.privacy.unwrap().epsilon < p.epsilon);
    let given = run(
        &d,
        Config {
            dp_delta: 1e-3,
            ..cfg
        },
    );
    assert_eq!(given.privacy.unwrap().delta, 1e-3);
    let plain = serde_json::to_value(run(&d, small())).unwrap();
    assert!(plain["privacy"].is_null());
}

#[test]
fn dp_sgd_trains_bpr_with_its_own_epochs_and_more_noise_costs_recall() {
    let d = data();
    let base = Config {
        recommender: RecommenderKind::Bpr,
        protocol: Protocol::FoldIn,
        bpr_epochs: 6,
        ..small()
    };
    let plain = run(&d, base.clone());
    let mut recalls = vec![plain.recommender.target.recall_at_n];
    for s in [0.25, 1.0] {
        let r = run(&d, with(&base, DefenceKind::DpSgd, s));
        let p = r.privacy.expect("bpr with dp-sgd spends privacy");
        // T = ⌈bpr_epochs / q⌉, not the LFM's epochs.
        assert_eq!(p.steps, 12);
        assert_eq!(p.noise_multiplier, memberlens::defence::noise_multiplier(s));
        assert!(p.epsilon.is_finite() && p.epsilon > 0.0);
        recalls.push(r.recommender.target.recall_at_n);
    }
    assert!(
        recalls.windows(2).all(|w| w[1] < w[0]),
        "recall by strength 0, 0.25, 1: {recalls:?}"
    );
}

#[test]
fn bad_defence_settings_fail_naming_the_key() {
    let err = |v: serde_json::Value| Config::from_json(v).unwrap_err().to_string();
    let e = err(serde_json::json!({"defence_strength": 1.5}));
    assert!(e.starts_with("config: defence_strength:"), "{e}");
    let e = err(serde_json::json!({"defence_strength": -0.01}));
    assert!(e.starts_with("config: defence_strength:"), "{e}");
    let e = err(serde_json::json!({"defence": "laplace"}));
    assert!(e.starts_with("config: defence:"), "{e}");
    for d in DefenceKind::ALL {
        assert!(e.contains(d.id()), "{e} lists {}", d.id());
    }
    let e = err(serde_json::json!({"defence": "dp-sgd", "recommender": "item-knn"}));
    assert!(
        e.starts_with("config: defence:") && e.contains("allowed recommenders: lfm, bpr)"),
        "{e}"
    );
    let e = err(serde_json::json!({"defence": "dp-sgd", "recommender": "popularity"}));
    assert!(
        e.contains("popularity is not supported (allowed recommenders: lfm, bpr)"),
        "{e}"
    );
    for ok in ["lfm", "bpr"] {
        Config::from_json(serde_json::json!({"defence": "dp-sgd", "recommender": ok})).unwrap();
    }
    let e = err(serde_json::json!({"defence": "popularity-randomisation", "protocol": "fold-in"}));
    assert!(
        e.starts_with("config: defence:") && e.contains("allowed protocols: popular"),
        "{e}"
    );
    let e = err(serde_json::json!({"defence": "dp-sgd", "negative_sampling": "popularity"}));
    assert!(e.contains("negative_sampling uniform"), "{e}");
    for (key, bad) in [
        ("dp_delta", -0.1),
        ("dp_delta", 1.0),
        ("dp_clip", -0.001),
        ("dp_clip", 1e4),
        ("dp_sampling_rate", 0.001),
        ("dp_sampling_rate", 1.5),
    ] {
        let e = err(serde_json::json!({ key: bad }));
        assert!(e.starts_with(&format!("config: {key}:")), "{e}");
    }
    // Every serving-level defence works with every recommender and protocol it applies to.
    for kind in RecommenderKind::ALL {
        for protocol in ["popular", "fold-in"] {
            for d in ["list-perturbation", "score-noise"] {
                Config::from_json(serde_json::json!({
                    "recommender": kind.id(), "protocol": protocol, "defence": d, "defence_strength": 1
                }))
                .unwrap();
            }
        }
    }
}

#[test]
fn dp_settings_without_a_finite_epsilon_or_with_a_diverging_loss_stop_the_run() {
    let d = data();
    let tiny = with(&small(), DefenceKind::DpSgd, 1e-300);
    let e = Pipeline::new(d.clone(), tiny)
        .unwrap()
        .run_to_end()
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("config: defence_strength:") && e.contains("no finite ε"),
        "{e}"
    );
    // The largest learning rate and clipping bound the config allows: the training diverges and
    // the error names the keys to lower.
    let wild = Config {
        lr: 1.0,
        dp_clip: 1000.0,
        attack: memberlens::attack::AttackKind::Distance,
        ..with(&small(), DefenceKind::DpSgd, 1.0)
    };
    let e = Pipeline::new(d, wild)
        .unwrap()
        .run_to_end()
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("training: the target recommender (lfm) diverged")
            && e.contains("lower lr")
            && e.contains("defence_strength")
            && e.contains("dp_clip"),
        "{e}"
    );
}

#[test]
fn top_n_can_be_swept() {
    let d = data();
    let s = memberlens::sweep::run_sweep(d, small(), "top_n", &[5.0, 20.0], &[0], None).unwrap();
    assert_eq!(s.points.len(), 2);
    // A longer list finds more held-out items.
    assert!(s.points[1].recall_at_n_mean > s.points[0].recall_at_n_mean);
}

fn synthetic_csv() -> std::path::PathBuf {
    common::write_ratings_csv(&data(), "defences")
}

fn memberlens(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(args)
        .output()
        .expect("binary runs")
}

#[test]
fn cli_frontier_prints_one_json_object_and_refuses_bad_names() {
    let path = synthetic_csv();
    let p = path.to_str().unwrap();
    let small = r#"{"k":8,"epochs":10,"vector_epochs":5,"top_n":10,"attack_epochs":10}"#;
    let out = memberlens(&[
        "frontier",
        "--ratings",
        p,
        "--config",
        small,
        "--defences",
        "list-perturbation,dp-sgd",
        "--strengths",
        "0,1",
        "--seeds",
        "0",
        "--natural-epochs",
        "5,10",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in ["panels", "strengths", "seeds", "config", "timings_ms"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    // Both protocols by default, one panel each.
    let panels = v["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 2);
    assert_eq!(panels[0]["protocol"], "popular");
    assert_eq!(panels[1]["protocol"], "fold-in");
    let panel = &panels[0];
    for key in [
        "defences",
        "undefended",
        "popularity_recall_at_n",
        "natural",
        "notes",
        "chart_note",
    ] {
        assert!(panel.get(key).is_some(), "missing {key}");
    }
    let curve = &panel["defences"][1];
    assert_eq!(curve["defence"], "dp-sgd");
    let point = &curve["points"][1];
    for key in [
        "strength",
        "roc_auc_mean",
        "roc_auc_std",
        "roc_auc_ci95",
        "tpr_at_1pct_mean",
        "strongest_attack",
        "strongest_roc_auc_mean",
        "strongest_roc_auc_ci95",
        "naive_roc_auc_mean",
        "recall_at_n_mean",
        "runs",
    ] {
        assert!(point.get(key).is_some(), "missing point.{key}");
    }
    assert!(point["epsilon_mean"].as_f64().unwrap() > 0.0);
    assert!(curve["points"][0]["epsilon_mean"].is_null());
    for key in ["roc_auc_mean", "strongest_roc_auc_mean", "recall_at_n_mean"] {
        assert!(panel["undefended"][key].is_f64(), "undefended.{key}");
    }
    assert_eq!(panel["natural"][0]["epochs"], 5);
    let notes = panel["notes"].as_array().unwrap();
    assert!(!notes.is_empty() && notes.len() <= 6);
    assert!(notes.iter().all(|n| n.is_string()));

    let out = memberlens(&["frontier", "--ratings", p, "--defences", "laplace"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("defences") && err.contains("score-noise") && err.contains("dp-sgd"),
        "{err}"
    );
    let out = memberlens(&["frontier", "--ratings", p, "--strengths", "0,2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("strengths"));
    let out = memberlens(&[
        "run",
        "--ratings",
        p,
        "--config",
        small,
        "--defence",
        "score-noise",
        "--defence-strength",
        "0.5",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["defence"], "score-noise");
    assert!(v["privacy"].is_null());
    std::fs::remove_file(path).ok();
}
