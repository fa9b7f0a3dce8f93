//! Native = wasm, bit for bit, for every algorithm and attack, both initialisations, DP-SGD and its
//! privacy audit: the same seeded synthetic runs are pinned here and checked natively (`cargo
//! test`) and in wasm (`cargo test --target wasm32-unknown-unknown`, in Node and in a Chromium
//! worker). If a platform computed differently, one of the two runs of this file would fail.

use crate::common;

use memberlens::attack::AttackKind;
use memberlens::config::{Config, Init, Protocol};
use memberlens::defence::DefenceKind;
use memberlens::pipeline::Pipeline;
use memberlens::recommender::RecommenderKind;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn small() -> Config {
    Config {
        k: 8,
        vector_k: 8,
        epochs: 5,
        vector_epochs: 3,
        attack_epochs: 5,
        top_n: 10,
        seed: 4,
        ..Config::default()
    }
}

fn report(cfg: Config) -> memberlens::report::RunReport {
    let data = common::synthetic(80, 120, 9);
    Pipeline::new(data, cfg)
        .unwrap()
        .run_to_end()
        .unwrap()
        .clone()
}

/// (ROC-AUC, target recall@N, sum of the distinct scores) of one run on the shared synthetic data:
/// the score sum moves with the last bit of any score.
fn numbers(cfg: Config) -> (f64, f64, f64) {
    let r = report(cfg);
    let scores: f64 = r.roc.thresholds[1..].iter().sum();
    (r.roc_auc, r.recommender.target.recall_at_n, scores)
}

#[test]
fn every_algorithm_and_protocol_gives_the_pinned_numbers() {
    let mut got = Vec::new();
    for kind in RecommenderKind::ALL {
        for protocol in [Protocol::Popular, Protocol::FoldIn] {
            let (auc, recall, scores) = numbers(Config {
                recommender: kind,
                protocol,
                ..small()
            });
            got.push(format!(
                "{} {protocol:?} {auc:?} {recall:?} {scores:?}",
                kind.id()
            ));
        }
    }
    for attack in [AttackKind::Distance, AttackKind::Overlap] {
        let (auc, _, scores) = numbers(Config {
            attack,
            protocol: Protocol::FoldIn,
            ..small()
        });
        got.push(format!("{} {auc:?} {scores:?}", attack.id()));
    }
    // The reference's all-positive start gives the numbers the default gave before issue 16.
    let (auc, recall, scores) = numbers(Config {
        init: Init::Positive,
        ..small()
    });
    got.push(format!("lfm positive {auc:?} {recall:?} {scores:?}"));
    // DP-SGD (Gaussian noise by ziggurat) and its one-run audit (binomial tails via lgamma).
    for kind in [RecommenderKind::Lfm, RecommenderKind::Bpr] {
        let r = report(Config {
            recommender: kind,
            protocol: Protocol::FoldIn,
            defence: DefenceKind::DpSgd,
            defence_strength: 0.5,
            audit_canaries: 40,
            ..small()
        });
        let p = r.privacy.unwrap();
        let a = p.audit.unwrap();
        got.push(format!(
            "{} dp-sgd {:?} {:?} {:?} {:?} {}/{}",
            kind.id(),
            r.roc_auc,
            r.recommender.target.recall_at_n,
            p.epsilon,
            a.epsilon_lower_bound,
            a.correct,
            a.guesses
        ));
    }
    let a = report(Config {
        audit: memberlens::config::Audit::Always,
        ..small()
    })
    .privacy
    .unwrap()
    .audit
    .unwrap();
    got.push(format!(
        "lfm audit {:?} {}/{}",
        a.epsilon_lower_bound, a.correct, a.guesses
    ));
    let want: Vec<&str> = PINNED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, want, "got:\n{}", got.join("\n"));
}

const PINNED: &str = "
lfm Popular 1.0 0.13636363636363635 9.842590510845184
lfm FoldIn 0.51 0.13636363636363635 -8.303503576666117
item-knn Popular 1.0 0.4318181818181818 53.059444934129715
item-knn FoldIn 0.605 0.4318181818181818 -50.74609085917473
bpr Popular 1.0 0.2727272727272727 64.36741183698177
bpr FoldIn 0.49 0.2727272727272727 15.413544645532966
ncf Popular 0.485 0.20454545454545456 69.75765642337501
ncf FoldIn 0.47 0.20454545454545456 15.217872023582458
popularity Popular 0.6275 0.22727272727272727 13.38079097121954
popularity FoldIn 0.6275 0.22727272727272727 13.38079097121954
distance 0.5175000000000001 -4.489795869284935
overlap 0.62125 2.8
lfm positive 0.4575000000000001 0.25 18.59455443918705
lfm dp-sgd 0.5149999999999999 0.045454545454545456 2.891706362842778 0.0 2/4
bpr dp-sgd 0.5349999999999999 0.1590909090909091 6.548435363147057 0.0 4/4
lfm audit 0.859283447265625 94/100
";
