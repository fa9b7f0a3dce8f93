//! End-to-end runs on a small seeded synthetic data set: determinism, chunking, protocols, sweeps.

use crate::common;

use memberlens::config::{Config, Protocol};
use memberlens::pipeline::Pipeline;
use memberlens::report::RunReport;
use memberlens::sweep::run_sweep;

fn small() -> Config {
    Config {
        k: 16,
        epochs: 30,
        vector_epochs: 10,
        top_n: 20,
        ..Config::default()
    }
}

fn run(cfg: Config) -> RunReport {
    let data = common::synthetic(120, 200, 11);
    let mut p = Pipeline::new(data, cfg).unwrap();
    p.run_to_end().unwrap().clone()
}

#[test]
fn same_config_and_seed_give_identical_reports() {
    let a = run(small());
    let b = run(small());
    assert_eq!(a, b);
    let c = run(Config { seed: 1, ..small() });
    assert_ne!(a.roc, c.roc, "another seed must change the run");
}

#[test]
fn report_is_complete_and_consistent() {
    let r = run(small());
    let area = common::trapezoid_auc(&r.roc.fpr, &r.roc.tpr);
    assert!((r.roc_auc - area).abs() < 1e-12, "{} vs {area}", r.roc_auc);
    assert_eq!(r.roc.fpr.len(), r.roc.tpr.len());
    assert_eq!(r.roc.fpr.len(), r.roc.thresholds.len());
    assert_eq!((r.roc.fpr[0], r.roc.tpr[0]), (0.0, 0.0));
    assert_eq!(
        (*r.roc.fpr.last().unwrap(), *r.roc.tpr.last().unwrap()),
        (1.0, 1.0)
    );
    let c = &r.counts;
    assert_eq!(
        c.shadow_members + c.shadow_nonmembers + c.target_members + c.target_nonmembers,
        120
    );
    assert_eq!(r.min_nonzero_fpr, 1.0 / c.target_nonmembers as f64);
    assert!(r.tpr_at_fpr["0.001"] <= r.tpr_at_fpr["0.01"]);
    assert!(r.recommender.target.heldout_interactions > 0);
    assert!(r.recommender.target.recall_at_n > 0.0);
    for stage in [
        "split",
        "target_recommender",
        "shadow_recommender",
        "recommendations",
        "item_vectors",
        "features",
        "attack_model",
        "evaluation",
        "total",
    ] {
        assert!(r.timings_ms.contains_key(stage), "{stage}");
    }
    let json = serde_json::to_value(&r).unwrap();
    for key in common::RUN_KEYS {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn steps_are_bounded_and_progress_is_monotonic() {
    let data = common::synthetic(120, 200, 11);
    let mut p = Pipeline::new(data, small()).unwrap();
    let mut last = 0.0;
    let mut steps = 0;
    loop {
        let pr = p.step().unwrap();
        assert!(pr.fraction + 1e-12 >= last, "{} < {last}", pr.fraction);
        last = pr.fraction;
        steps += 1;
        if pr.done {
            break;
        }
    }
    assert!(steps > 8, "work is cut into steps");
    assert_eq!(last, 1.0);
}

#[test]
fn interleaving_two_runs_changes_nothing() {
    // A worker may start a run, abandon it (cancel) and start another: no shared state leaks.
    let data = common::synthetic(120, 200, 11);
    let mut a = Pipeline::new(data.clone(), small()).unwrap();
    let mut b = Pipeline::new(data, Config { seed: 3, ..small() }).unwrap();
    for _ in 0..20 {
        a.step().unwrap();
        b.step().unwrap();
    }
    drop(a);
    let r = b.run_to_end().unwrap().clone();
    assert_eq!(r, run(Config { seed: 3, ..small() }));
}

#[test]
fn every_option_changes_the_result_it_should() {
    use memberlens::config::{ItemVectors, NegativeSampling, Weighting};
    let base = run(small());
    let differs = |cfg: Config, what: &str, f: &dyn Fn(&RunReport, &RunReport) -> bool| {
        let r = run(cfg.clone());
        assert_eq!(r.config, cfg);
        assert!(f(&base, &r), "{what} changed nothing it should");
    };
    let roc = |a: &RunReport, b: &RunReport| a.roc != b.roc;
    let recall = |a: &RunReport, b: &RunReport| {
        a.recommender.target.recall_at_n != b.recommender.target.recall_at_n
    };
    differs(
        Config {
            protocol: Protocol::FoldIn,
            ..small()
        },
        "protocol",
        &roc,
    );
    differs(
        Config {
            exclude_seen: true,
            ..small()
        },
        "exclude_seen",
        &roc,
    );
    differs(
        Config {
            weighting: Weighting::Uniform,
            ..small()
        },
        "weighting",
        &roc,
    );
    differs(
        Config {
            item_vectors: ItemVectors::Shadow,
            ..small()
        },
        "item_vectors",
        &roc,
    );
    differs(
        Config {
            negative_sampling: NegativeSampling::Popularity,
            ..small()
        },
        "negative_sampling",
        &recall,
    );
    differs(
        Config {
            holdout: 0.3,
            ..small()
        },
        "holdout",
        &recall,
    );
    differs(
        Config {
            vector_k: 8,
            ..small()
        },
        "vector_k",
        &roc,
    );
    differs(Config { k: 8, ..small() }, "k", &recall);
    differs(
        Config {
            epochs: 10,
            ..small()
        },
        "epochs",
        &recall,
    );
    differs(
        Config {
            top_n: 10,
            ..small()
        },
        "top_n",
        &recall,
    );
    differs(
        Config {
            hidden1: 8,
            ..small()
        },
        "hidden1",
        &roc,
    );
    differs(
        Config {
            attack_epochs: 5,
            ..small()
        },
        "attack_epochs",
        &roc,
    );
    let knn = Config {
        recommender: memberlens::recommender::RecommenderKind::ItemKnn,
        ..small()
    };
    differs(
        Config {
            knn_neighbours: 5,
            ..knn.clone()
        },
        "knn_neighbours",
        &recall,
    );
    differs(
        Config {
            knn_shrink: 0.0,
            ..knn
        },
        "knn_shrink",
        &recall,
    );
    // holdout 0 turns the utility measurement off
    let r = run(Config {
        holdout: 0.0,
        ..small()
    });
    assert_eq!(r.recommender.target.heldout_interactions, 0);
}

#[test]
fn sweep_aggregates_runs_per_value() {
    let data = common::synthetic(120, 200, 11);
    let s = run_sweep(data, small(), "k", &[4.0, 8.0], &[0, 1], None).unwrap();
    assert_eq!(s.points.len(), 2);
    assert_eq!(s.points[0].runs.len(), 2);
    let aucs: Vec<f64> = s.points[1].runs.iter().map(|r| r.roc_auc).collect();
    assert!((s.points[1].over.roc_auc_mean - (aucs[0] + aucs[1]) / 2.0).abs() < 1e-12);
    // The k = 8, seed 1 run is the same as a single run with that config.
    assert_eq!(
        aucs[1],
        run(Config {
            k: 8,
            seed: 1,
            ..small()
        })
        .roc_auc
    );
    assert!(run_sweep(
        common::synthetic(120, 200, 11),
        small(),
        "protocol",
        &[1.0],
        &[0],
        None
    )
    .is_err());
}

#[test]
fn every_recommender_and_attack_gives_a_full_result_with_baselines() {
    use memberlens::attack::AttackKind;
    use memberlens::recommender::RecommenderKind;
    for kind in RecommenderKind::ALL {
        for protocol in [Protocol::Popular, Protocol::FoldIn] {
            for attack in AttackKind::ALL {
                let cfg = Config {
                    recommender: kind,
                    protocol,
                    attack,
                    ..small()
                };
                let cfg = Config {
                    lira_references: 4,
                    ..cfg
                };
                let r = run(cfg.clone());
                let what = format!("{} {protocol:?} {}", kind.id(), attack.id());
                let area = common::trapezoid_auc(&r.roc.fpr, &r.roc.tpr);
                assert!(
                    (r.roc_auc - area).abs() < 1e-12,
                    "{what}: {} vs {area}",
                    r.roc_auc
                );
                let mut want = vec!["distance", "new-user-list", "overlap"];
                if protocol == Protocol::FoldIn {
                    want.push("reference-list");
                }
                assert_eq!(r.baselines.keys().collect::<Vec<_>>(), want, "{what}");
                // The strongest is the best of the run's attack and its baselines.
                let best = r
                    .baselines
                    .values()
                    .map(|b| b.roc_auc)
                    .fold(r.roc_auc, f64::max);
                assert_eq!(r.strongest.roc_auc, best, "{what}");
                // Baselines are oriented on the attacker's own labelled users when it has any.
                let basis = serde_json::to_value(r.baselines["distance"].oriented_on).unwrap();
                let want_basis = match attack {
                    AttackKind::Mlp => "shadow",
                    AttackKind::Lira => "references",
                    _ => "construction",
                };
                assert_eq!(basis, want_basis, "{what}");
                // A shadow-free attack trains no shadow model and no attack network.
                assert_eq!(
                    r.recommender.shadow.is_some(),
                    attack.needs_shadow(),
                    "{what}"
                );
                assert_eq!(r.attack.is_some(), attack.needs_shadow(), "{what}");
                if attack.shadow_free() && want.contains(&attack.id()) {
                    // Its headline is exactly its own baseline entry.
                    assert_eq!(r.roc_auc, r.baselines[attack.id()].roc_auc, "{what}");
                    assert_eq!(r.timings_ms["shadow_recommender"], 0.0, "{what}");
                }
            }
        }
    }
}

#[test]
fn matrix_cells_equal_single_runs_with_those_algorithms() {
    use memberlens::config::ShadowRecommender;
    use memberlens::experiment::matrix::Matrix;
    use memberlens::recommender::RecommenderKind as K;
    let data = common::synthetic(120, 200, 11);
    let kinds = [K::Lfm, K::ItemKnn, K::Popularity];
    let mut m = Matrix::new(data.clone(), small(), &kinds, &[0, 2]).unwrap();
    while !m.step().unwrap().done {}
    let rep = m.report().unwrap();
    assert_eq!(rep.cells.len(), 9);
    for cell in &rep.cells {
        for r in &cell.runs {
            let single = run(Config {
                seed: r.seed,
                recommender: cell.target,
                shadow_recommender: ShadowRecommender::Kind(cell.shadow),
                ..small()
            });
            assert_eq!(r.roc_auc, single.roc_auc, "{cell:?}");
            assert_eq!(r.tpr_at_fpr, single.tpr_at_fpr, "{cell:?}");
            assert_eq!(r.ci95, single.ci95, "{cell:?}");
            assert_eq!(r.strongest, single.strongest, "{cell:?}");
            assert_eq!(r.warnings, single.warnings, "{cell:?}");
        }
        let aucs: Vec<f64> = cell.runs.iter().map(|r| r.roc_auc).collect();
        assert_eq!(cell.over.roc_auc_mean, (aucs[0] + aucs[1]) / 2.0);
    }
    // A shadow-free attack has no rows to compare, and names are checked.
    let shadow_free = Config {
        attack: memberlens::attack::AttackKind::Overlap,
        ..small()
    };
    let e = Matrix::new(data.clone(), shadow_free, &kinds, &[0])
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("config: attack:"), "{e}");
    assert!(Matrix::new(data, small(), &[K::Lfm, K::Lfm], &[0]).is_err());
}
