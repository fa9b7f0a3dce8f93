//! The privacy–utility frontier on small seeded synthetic data: both protocols as panels, every
//! point equal bit for bit to a single run with its settings (the attacker who knows the defence,
//! and the naive one), notes written from the numbers and short, bad requests refused by key.

use crate::common;

use std::sync::Arc;

use memberlens::attack::AttackKind;
use memberlens::config::{Config, NegativeSampling, Protocol};
use memberlens::defence::DefenceKind;
use memberlens::experiment::frontier::{Frontier, FrontierReport, MAX_NOTES};
use memberlens::pipeline::Pipeline;
use memberlens::recommender::RecommenderKind;
use memberlens::report::RunReport;
use memberlens::Dataset;

const SERVING: [DefenceKind; 3] = [
    DefenceKind::PopularityRandomisation,
    DefenceKind::ListPerturbation,
    DefenceKind::ScoreNoise,
];

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

fn frontier(
    d: &Arc<Dataset>,
    cfg: Config,
    protocols: &[Protocol],
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: &[u32],
    natural: &[u32],
) -> FrontierReport {
    let mut f = Frontier::panels(
        d.clone(),
        cfg,
        protocols,
        defences,
        strengths,
        seeds,
        natural,
    )
    .unwrap();
    let mut last = 0.0;
    loop {
        let p = f.step().unwrap();
        assert!(p.fraction >= last - 1e-12, "progress went back");
        last = p.fraction;
        if p.done {
            break;
        }
    }
    f.report().unwrap().clone()
}

/// Every number of a frontier run against the single run with the same settings.
fn same_as_single(got: &memberlens::sweep::SweepRun, r: &RunReport, what: &str) {
    assert_eq!(got.seed, r.config.seed, "{what}");
    assert_eq!(got.roc_auc, r.roc_auc, "{what}");
    assert_eq!(got.tpr_at_fpr, r.tpr_at_fpr, "{what}");
    assert_eq!(got.ci95, r.ci95, "{what}");
    assert_eq!(got.strongest, r.strongest, "{what}");
    assert_eq!(got.balanced_accuracy, r.balanced_accuracy, "{what}");
    assert_eq!(got.recall_at_n, r.recommender.target.recall_at_n, "{what}");
    assert_eq!(got.warnings, r.warnings, "{what}");
}

#[test]
fn every_point_of_both_panels_equals_a_single_run_bit_for_bit() {
    let d = data();
    for knows in [true, false] {
        let base = Config {
            attacker_knows_defence: knows,
            ..small()
        };
        let strengths = [0.0, 0.5, 1.0];
        let seeds = [0, 1];
        let protocols = [Protocol::Popular, Protocol::FoldIn];
        let f = frontier(
            &d,
            base.clone(),
            &protocols,
            &[],
            &strengths,
            &seeds,
            &[5, 10],
        );
        assert_eq!(f.panels.len(), 2);
        for (panel, &protocol) in f.panels.iter().zip(&protocols) {
            assert_eq!(panel.protocol, protocol);
            let cfg = Config {
                protocol,
                ..base.clone()
            };
            let names: Vec<DefenceKind> = panel.defences.iter().map(|c| c.defence).collect();
            assert_eq!(names, cfg.applicable_defences());
            assert!(panel.notes.len() <= MAX_NOTES, "{:?}", panel.notes);
            for (si, &seed) in seeds.iter().enumerate() {
                let cfg = Config {
                    seed,
                    ..cfg.clone()
                };
                let none = run(&d, cfg.clone());
                same_as_single(&panel.undefended.runs[si], &none, "undefended");
                for c in &panel.defences {
                    for p in &c.points {
                        let point = Config {
                            defence: c.defence,
                            defence_strength: p.strength,
                            ..cfg.clone()
                        };
                        let r = run(&d, point.clone());
                        let what = format!(
                            "{:?} {} seed {seed} {protocol:?} knows {knows}",
                            c.defence, p.strength
                        );
                        same_as_single(&p.runs[si], &r, &what);
                        // The naive attacker beside it: the run whose shadow is undefended.
                        let naive = run(
                            &d,
                            Config {
                                attacker_knows_defence: false,
                                ..point
                            },
                        );
                        assert_eq!(p.runs[si].naive_roc_auc, Some(naive.roc_auc), "{what}");
                        match r.privacy {
                            Some(spent) => assert_eq!(p.privacy[si], spent, "{what}"),
                            None => assert!(p.privacy.is_empty(), "{what}"),
                        }
                    }
                }
                // A natural point is a single run with that epoch count (its shadow too, when the
                // attacker imitates the service).
                let five = panel.natural.iter().find(|n| n.epochs == 5).unwrap();
                let r = run(
                    &d,
                    Config {
                        epochs: 5,
                        ..cfg.clone()
                    },
                );
                if knows {
                    same_as_single(&five.runs[si], &r, "natural 5 epochs");
                }
            }
            // The natural point at the base epoch count is the undefended service.
            let ten = panel.natural.iter().find(|n| n.epochs == 10).unwrap();
            assert_eq!(ten.runs, panel.undefended.runs);
        }
    }
}

#[test]
fn notes_are_short_and_written_from_the_numbers() {
    let d = data();
    let f = frontier(
        &d,
        small(),
        &[Protocol::Popular],
        &[
            DefenceKind::PopularityRandomisation,
            DefenceKind::ScoreNoise,
        ],
        &[0.0, 1.0],
        &[0],
        &[5, 10],
    );
    let p = &f.panels[0];
    let u = &p.undefended.over;
    assert!(p.notes.len() <= MAX_NOTES);
    assert!(
        p.notes[0].contains(&format!("{:.3}", u.strongest_roc_auc_mean))
            && p.notes[0].contains(u.strongest_attack.id()),
        "{:?}",
        p.notes
    );
    let sn = p
        .notes
        .iter()
        .find(|n| n.starts_with("score-noise at strength 1"))
        .expect("a line per defence");
    let top = &p.defences[1].points[1];
    assert!(
        sn.contains(&format!("{:.3}", top.over.strongest_roc_auc_mean))
            && sn.contains(&format!("{:.3}", top.recall_at_n_mean)),
        "{sn}"
    );
    // The chart's sentence appears exactly when the new-user list decides the undefended run.
    let decided = u.strongest_attack == AttackKind::NewUserList && u.strongest_roc_auc_mean >= 0.99;
    assert_eq!(p.chart_note.is_some(), decided, "{:?}", p.chart_note);
    // Another seed gives other numbers, hence other notes.
    let g = frontier(
        &d,
        small(),
        &[Protocol::Popular],
        &[
            DefenceKind::PopularityRandomisation,
            DefenceKind::ScoreNoise,
        ],
        &[0.0, 1.0],
        &[1],
        &[5, 10],
    );
    assert_ne!(p.notes, g.panels[0].notes);

    // With room left by the defences, the natural curve's lesson under both inits, from the
    // natural points' own numbers (one defence: undefended line, defence line, natural, verdict).
    let h = frontier(
        &d,
        small(),
        &[Protocol::FoldIn],
        &[DefenceKind::ScoreNoise],
        &[0.0, 1.0],
        &[0],
        &[3, 10],
    );
    let p = &h.panels[0];
    let line = p
        .notes
        .iter()
        .find(|n| {
            n.starts_with("Training longer (3 → 10 epochs, undefended), the strongest attack ")
        })
        .unwrap_or_else(|| panic!("{:?}", p.notes));
    for init in ["centred", "positive"] {
        let lo = p
            .natural
            .iter()
            .find(|q| q.epochs == 3 && q.init.id() == init);
        let hi = p
            .natural
            .iter()
            .find(|q| q.epochs == 10 && q.init.id() == init);
        let (lo, hi) = (lo.unwrap(), hi.unwrap());
        let want = format!(
            "with {init} factors ({:.3} → {:.3}",
            lo.over.strongest_roc_auc_mean, hi.over.strongest_roc_auc_mean
        );
        assert!(line.contains(&want), "{line} lacks {want}");
    }
    assert!(
        line.ends_with("the same under both inits.")
            || line.ends_with("this lesson depends on the initialisation."),
        "{line}"
    );
}

#[test]
fn bad_requests_are_refused_naming_the_key() {
    let d = data();
    let make = |cfg: Config, defences: &[DefenceKind], strengths: &[f64]| {
        Frontier::new(d.clone(), cfg, defences, strengths, &[0], &[10])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = make(small(), &[DefenceKind::None], &[0.5]);
    assert!(e.starts_with("config: defences:"), "{e}");
    let twice = [DefenceKind::ScoreNoise, DefenceKind::ScoreNoise];
    assert!(make(small(), &twice, &[0.5]).contains("appears twice"));
    let e = make(small(), &[DefenceKind::ScoreNoise], &[1.5]);
    assert!(e.starts_with("config: strengths:"), "{e}");
    let e = make(small(), &[DefenceKind::ScoreNoise], &[]);
    assert!(e.starts_with("config: strengths:"), "{e}");
    let fold = Config {
        protocol: Protocol::FoldIn,
        ..small()
    };
    let e = make(fold, &[DefenceKind::PopularityRandomisation], &[0.5]);
    assert!(
        e.starts_with("config: defences:") && e.contains("allowed protocols: popular"),
        "{e}"
    );
    let knn = Config {
        recommender: RecommenderKind::ItemKnn,
        ..small()
    };
    let e = make(knn.clone(), &[DefenceKind::DpSgd], &[0.5]);
    assert!(e.contains("allowed recommenders: lfm"), "{e}");
    assert_eq!(knn.applicable_defences(), SERVING);
    let paper = Config {
        negative_sampling: NegativeSampling::Popularity,
        ..small()
    };
    assert!(make(paper, &[DefenceKind::DpSgd], &[0.5]).contains("negative_sampling"));
    let lira = Config {
        attack: AttackKind::Lira,
        ..small()
    };
    assert!(make(lira, &[DefenceKind::ScoreNoise], &[0.5]).starts_with("config: attack:"));
    let e = Frontier::new(
        d.clone(),
        small(),
        &[DefenceKind::ScoreNoise],
        &[0.5],
        &[],
        &[10],
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.starts_with("config: seeds:"), "{e}");
    let e = Frontier::panels(d.clone(), small(), &[], &[], &[0.5], &[0], &[10])
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("config: protocols:"), "{e}");
    let both = [Protocol::Popular, Protocol::Popular];
    let e = Frontier::panels(d, small(), &both, &[], &[0.5], &[0], &[10])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("appears twice"), "{e}");
}

#[test]
fn item_knn_frontier_has_no_natural_points() {
    let d = data();
    let knn = Config {
        recommender: RecommenderKind::ItemKnn,
        ..small()
    };
    let f = frontier(
        &d,
        knn,
        &[Protocol::Popular],
        &[DefenceKind::ScoreNoise],
        &[0.0, 1.0],
        &[0],
        &[5, 10],
    );
    assert!(f.panels[0].natural.is_empty());
    assert_eq!(f.panels[0].defences[0].points.len(), 2);
}
