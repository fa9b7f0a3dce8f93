//! DP-SGD that keeps its promise (issue 16), on small seeded generated data: a DP-trained target
//! serves from a catalogue that does not depend on who is a member, so the unique-item rule ("the
//! list holds a movie only this user rated") flags members and non-members alike; the one-run
//! audit's lower bound never exceeds the accountant's ε and is large without DP; auditing does not
//! change a run's own numbers.

use crate::common;

use std::sync::Arc;

use memberlens::config::{Audit, Config, Protocol};
use memberlens::defence::DefenceKind;
use memberlens::pipeline::Pipeline;
use memberlens::recommender::RecommenderKind;
use memberlens::report::RunReport;
use memberlens::rng::{rng_for, Stream};
use memberlens::serving::{Half, HalfData};
use memberlens::split::HalfUsers;
use memberlens::Dataset;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `users` users with 3–8 items each from 80 shared items (popular ones more often) and one item
/// of their own that nobody else rated.
fn with_unique_items(users: u64, seed: u64) -> Arc<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pairs = Vec::new();
    for u in 0..users {
        let n = rng.random_range(3..9u32);
        for _ in 0..n {
            let r: f64 = rng.random::<f64>();
            pairs.push((u + 1, (r * r * 80.0) as u64 + 1));
        }
        pairs.push((u + 1, 1000 + u));
    }
    let n = pairs.len();
    Arc::new(Dataset::from_pairs("unique", &pairs, n).expect("generated data"))
}

fn small() -> Config {
    Config {
        k: 8,
        epochs: 10,
        vector_epochs: 2,
        top_n: 10,
        attack: memberlens::attack::AttackKind::Distance,
        ..Config::default()
    }
}

fn dp(cfg: &Config, strength: f64) -> Config {
    Config {
        defence: DefenceKind::DpSgd,
        defence_strength: strength,
        ..cfg.clone()
    }
}

fn run(
    data: &Arc<Dataset>,
    cfg: Config,
) -> (RunReport, Vec<memberlens::attack::explain::UserRecord>) {
    let mut p = Pipeline::new(data.clone(), cfg).unwrap();
    let r = p.run_to_end().unwrap().clone();
    (r, p.user_records().unwrap())
}

/// (members flagged, members, non-members flagged, non-members) by the unique-item rule.
fn unique_item_rule(
    data: &Dataset,
    records: &[memberlens::attack::explain::UserRecord],
) -> [usize; 4] {
    let mut raters = std::collections::HashMap::<u64, usize>::new();
    for u in 0..data.n_users() {
        for &i in data.user_items(u) {
            *raters.entry(data.item_ids[i as usize]).or_default() += 1;
        }
    }
    let mut c = [0usize; 4];
    for r in records {
        let flagged = r
            .list
            .iter()
            .any(|i| raters[i] == 1 && r.history.contains(i));
        let at = if r.member { 0 } else { 2 };
        c[at] += usize::from(flagged);
        c[at + 1] += 1;
    }
    c
}

#[test]
fn under_dp_fold_in_the_unique_item_rule_flags_members_and_non_members_alike() {
    // Before issue 16 a DP target served only items of its members' training data: a non-member's
    // own item could never be on their list, a member's could (here 32 of 200 members against 0
    // of 200 non-members at strength 1; now 17 and 14). Now both draw from every item.
    let data = with_unique_items(200, 5);
    let base = Config {
        protocol: Protocol::FoldIn,
        top_n: 20,
        ..small()
    };
    let mut total = [0usize; 4];
    for seed in 0..4 {
        let (r, records) = run(
            &data,
            dp(
                &Config {
                    seed,
                    ..base.clone()
                },
                1.0,
            ),
        );
        assert!(r.privacy.unwrap().epsilon < 5.0);
        let c = unique_item_rule(&data, &records);
        total.iter_mut().zip(c).for_each(|(t, x)| *t += x);
    }
    let [fm, m, fnm, n] = total;
    eprintln!("unique-item rule: {fm}/{m} members, {fnm}/{n} non-members");
    let (pm, pn) = (fm as f64 / m as f64, fnm as f64 / n as f64);
    // Two-proportion z: the rates differ by less than 3 standard errors, and the rule does fire.
    let pooled = (fm + fnm) as f64 / (m + n) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / m as f64 + 1.0 / n as f64)).sqrt();
    assert!(
        fm > 10 && fnm > 10,
        "flagged {fm}/{m} members, {fnm}/{n} non-members"
    );
    assert!(
        (pm - pn).abs() < 3.0 * se,
        "members {pm:.3} vs non-members {pn:.3} (se {se:.3})"
    );
}

/// A target half of 40 users (20 members) over the generated data, trained with `cfg`, served.
fn served_half(cfg: &Config) -> Half {
    let d = with_unique_items(40, 3);
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
    while !h.train_step(50_000).unwrap() {}
    while !h.serve_step(&d, 7) {}
    h
}

#[test]
fn a_dp_target_recommends_from_every_item_and_a_plain_one_from_its_training_data() {
    for recommender in [RecommenderKind::Lfm, RecommenderKind::Bpr] {
        let base = Config {
            recommender,
            protocol: Protocol::FoldIn,
            audit: Audit::Off,
            top_n: 30,
            ..small()
        };
        let outside = |h: &Half| {
            let known = &h.data.train.known;
            h.lists
                .iter()
                .flatten()
                .filter(|i| known.binary_search(i).is_err())
                .count()
        };
        let plain = served_half(&base);
        assert_eq!(outside(&plain), 0, "{recommender:?}");
        // Non-members' own items are not in the members' training data: under DP they (and other
        // items no member has, with noise-only rows) can be recommended.
        let private = served_half(&dp(&base, 1.0));
        assert!(
            outside(&private) > 10,
            "{recommender:?}: {}",
            outside(&private)
        );
    }
}

#[test]
fn the_audit_never_exceeds_the_accountants_epsilon_and_is_large_without_dp() {
    let data = common::synthetic(160, 200, 21);
    let base = Config {
        protocol: Protocol::FoldIn,
        // Few DP steps: ε between about 1 and 4, where a leak would show. A δ as small as on
        // ml-latest-small: the bound's 2mδ term would otherwise cap it on 40 members' data.
        epochs: 3,
        dp_delta: 1e-5,
        ..small()
    };
    let mut checked = 0;
    for recommender in [RecommenderKind::Lfm, RecommenderKind::Bpr] {
        for seed in 0..3 {
            for strength in [0.5, 0.75, 1.0] {
                let cfg = Config {
                    recommender,
                    seed,
                    bpr_epochs: 3,
                    ..dp(&base, strength)
                };
                let p = run(&data, cfg).0.privacy.unwrap();
                let a = p.audit.expect("dp-sgd runs are audited");
                assert!(
                    a.epsilon_lower_bound <= p.epsilon,
                    "{recommender:?} seed {seed} strength {strength}: audit {a:?} above ε {}",
                    p.epsilon
                );
                assert_eq!((a.canaries, a.confidence), (100, 0.95));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 18);
    // Without DP the canaries' own items are recommended exactly when they were trained on: the
    // bound is what 100 canaries can show at most (about 2.3).
    for recommender in [
        RecommenderKind::Lfm,
        RecommenderKind::Bpr,
        RecommenderKind::ItemKnn,
    ] {
        let cfg = Config {
            recommender,
            audit: Audit::Always,
            ..base.clone()
        };
        let p = run(&data, cfg)
            .0
            .privacy
            .expect("audited runs carry privacy");
        assert!(p.epsilon.is_infinite() && p.steps == 0);
        let a = p.audit.unwrap();
        assert!(a.epsilon_lower_bound > 2.0, "{recommender:?}: {a:?}");
    }
}

#[test]
fn auditing_leaves_the_runs_own_numbers_alone() {
    let data = common::synthetic(120, 200, 11);
    let cfg = dp(
        &Config {
            protocol: Protocol::FoldIn,
            ..small()
        },
        0.5,
    );
    let (audited, users_a) = run(&data, cfg.clone());
    let (plain, users_p) = run(
        &data,
        Config {
            audit: Audit::Off,
            ..cfg
        },
    );
    assert!(audited.privacy.unwrap().audit.is_some());
    assert!(plain.privacy.unwrap().audit.is_none());
    assert_eq!(audited.roc, plain.roc);
    assert_eq!(audited.recommender, plain.recommender);
    assert_eq!(users_a, users_p);
    // The privacy object says what ε covers under each protocol.
    let json = serde_json::to_value(&audited).unwrap();
    let covers = json["privacy"]["covers"].as_str().unwrap();
    assert!(covers.contains("TPR ≤ e^ε·FPR + δ"), "{covers}");
    let popular = run(&data, dp(&small(), 0.5)).0;
    let json = serde_json::to_value(&popular).unwrap();
    let covers = json["privacy"]["covers"].as_str().unwrap();
    assert!(covers.contains("bounds nothing"), "{covers}");
}
