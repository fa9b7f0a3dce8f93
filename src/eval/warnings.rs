//! Results that mean little are flagged, in one-line warnings next to the number (`warnings` in
//! the run result; the CLI prints them, the page shows them): too few users per class, a
//! recommender that learnt nothing, an attack that gave everyone one score, an attack that cannot
//! see by construction.

use std::collections::BTreeMap;

use crate::attack::AttackKind;
use crate::config::Config;
use crate::eval::bootstrap::{
    indistinguishable_from_chance, measurable, unmeasurable_reason, within_noise,
};
use crate::eval::utility::Utility;
use crate::report::{AttackSummary, Strongest, FPR_KEYS};
use crate::split::Counts;

/// A baseline this far above the run's own attack (ROC-AUC, intervals apart) means the attack
/// failed, not that the data hide members.
pub const FAR_BELOW: f64 = 0.1;

/// Below this many target users in a class, ROC-AUC and TPR at low FPR swing by chance: with 30
/// users one user moves the TPR by 3.3 points.
pub const MIN_USERS_PER_CLASS: usize = 30;

/// The warnings of one run.
pub fn run_warnings(
    cfg: &Config,
    counts: &Counts,
    target: &Utility,
    shadow: Option<&Utility>,
    scores: &[f64],
) -> Vec<String> {
    let mut out = Vec::new();
    let (m, n) = (counts.target_members, counts.target_nonmembers);
    if m.min(n) < MIN_USERS_PER_CLASS {
        out.push(format!(
            "only {m} target members and {n} non-members (fewer than {MIN_USERS_PER_CLASS} per class): the attack's numbers mean little"
        ));
    }
    if target.heldout_interactions == 0 && cfg.recommender.personalised() {
        out.push(format!(
            "nothing was held out (holdout {} or members with too few ratings): recall@{} is not measured here, and the 0 it reads means nothing",
            cfg.holdout, cfg.top_n
        ));
    }
    let mut useless = |side: &str, u: &Utility, kind: &str| {
        if u.heldout_interactions > 0 && u.recall_at_n <= u.random_recall_at_n {
            out.push(format!(
                "the {side} recommender ({kind}) does no better than a random list (recall@{} {:.4} vs {:.4}): its lists carry no learnt signal, so the attack measures no memorisation",
                cfg.top_n, u.recall_at_n, u.random_recall_at_n
            ));
        }
    };
    useless("target", target, cfg.recommender.id());
    if let Some(s) = shadow {
        useless("shadow", s, cfg.shadow_kind().id());
    }
    if scores.windows(2).all(|w| w[0] == w[1]) {
        out.push(format!(
            "the {} attack gave every target user the same score: it decides nothing (ROC-AUC 0.5 by ties)",
            cfg.attack.id()
        ));
    }
    // Members' lists exclude only their training items, so with a hold-out their held-out items can
    // still be listed; without one every overlap is 0.
    if cfg.attack == AttackKind::Overlap && cfg.exclude_seen && cfg.holdout == 0.0 {
        out.push(
            "the overlap attack is blind when lists exclude seen items and nothing is held out: every overlap is 0"
                .into(),
        );
    }
    out
}

/// Warnings about the attack numbers of one run: what cannot be measured, an attack that cannot
/// be told from chance, a signal inverted where the attacker could not check it, an attack far
/// below its own baselines, and a recommender below the popularity list.
pub fn attack_warnings(
    cfg: &Config,
    headline: &AttackSummary,
    baselines: &BTreeMap<String, AttackSummary>,
    strongest: &Strongest,
    non_members: usize,
    target: &Utility,
) -> Vec<String> {
    let mut out = Vec::new();
    for (_, fpr) in FPR_KEYS {
        if !measurable(fpr, non_members) {
            out.push(unmeasurable_reason(fpr, non_members));
        }
    }
    let a = cfg.attack.id();
    let ci = headline.ci95.roc_auc;
    if indistinguishable_from_chance(ci) {
        out.push(format!(
            "the {a} attack cannot be told from chance here (ROC-AUC {:.3}, 95% interval {:.3}–{:.3})",
            headline.roc_auc, ci[0], ci[1]
        ));
    }
    let s = strongest.ci95.roc_auc;
    if strongest.roc_auc < 0.5 && !indistinguishable_from_chance(s) {
        out.push(format!(
            "every attack ranks members below non-members here (strongest {:.3}): the signal is inverted where the attacker could not check it, which is not protection — an attacker with labelled data like these would turn it round",
            strongest.roc_auc
        ));
    }
    if let Some((name, b)) = baselines
        .iter()
        .filter(|(n, _)| n.as_str() != a)
        .max_by(|x, y| x.1.roc_auc.total_cmp(&y.1.roc_auc))
    {
        if b.roc_auc - headline.roc_auc > FAR_BELOW && !within_noise(b.ci95.roc_auc, ci) {
            // What to try depends on what was fitted: the network's training, lira's references;
            // a list statistic has nothing to tune.
            let hint = match cfg.attack {
                AttackKind::Mlp => " (try attack_lr, attack_epochs or attack_restarts)",
                AttackKind::Lira => " (try more lira_references)",
                _ => "",
            };
            out.push(format!(
                "the {a} attack ({:.3}) is far below the {name} baseline ({:.3}): it collapsed or learnt the wrong signal{hint}",
                headline.roc_auc, b.roc_auc
            ));
        }
    }
    // lira's third statistic is the same comparison with the copy's list under fold-in.
    let probe_based = strongest.attack == AttackKind::ReferenceList
        || (strongest.attack == AttackKind::Lira
            && cfg.protocol == crate::config::Protocol::FoldIn);
    if probe_based && cfg.holdout > 0.0 {
        out.push(format!(
            "part of the {} attack's {:.3} is the hold-out, not memorisation: members are served from the history they were trained on ({}% of it held out to measure recall), a new account from the whole history; holdout 0 measures memorisation alone",
            strongest.attack.id(),
            strongest.roc_auc,
            (cfg.holdout * 100.0).round()
        ));
    }
    if target.heldout_interactions > 0
        && cfg.recommender.personalised()
        && target.recall_at_n < target.popularity_recall_at_n
    {
        out.push(format!(
            "the target recommender ({}) recalls less than the plain popularity list (recall@{} {:.4} vs {:.4}): it is worse than not personalising, so its lessons are about a broken service",
            cfg.recommender.id(),
            cfg.top_n,
            target.recall_at_n,
            target.popularity_recall_at_n
        ));
    }
    out
}

/// The warnings of several runs as one list: each text once, in order of first appearance, with
/// how many of the `runs` raised it when not all did ("… (2 of 5 runs)").
pub fn merge<'a>(lists: impl IntoIterator<Item = &'a [String]>, runs: usize) -> Vec<String> {
    let mut seen: Vec<(&'a str, usize)> = Vec::new();
    for list in lists {
        let mut mine: Vec<&str> = Vec::new();
        for w in list {
            if mine.contains(&w.as_str()) {
                continue;
            }
            mine.push(w);
            match seen.iter_mut().find(|(t, _)| *t == w) {
                Some(e) => e.1 += 1,
                None => seen.push((w, 1)),
            }
        }
    }
    seen.into_iter()
        .map(|(t, n)| {
            if n == runs {
                t.to_string()
            } else {
                format!("{t} ({n} of {runs} runs)")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(m: usize, n: usize) -> Counts {
        Counts {
            users: 2 * (m + n),
            items: 10,
            interactions: 100,
            shadow_members: m,
            shadow_nonmembers: n,
            target_members: m,
            target_nonmembers: n,
        }
    }

    fn utility(recall: f64, random: f64) -> Utility {
        Utility {
            recall_at_n: recall,
            precision_at_n: 0.0,
            hit_rate: 0.0,
            popularity_recall_at_n: 0.1,
            recall_vs_popularity: recall / 0.1,
            random_recall_at_n: random,
            heldout_interactions: 50,
            final_loss: None,
        }
    }

    #[test]
    fn each_condition_gives_its_warning_and_a_sound_run_none() {
        let cfg = Config::default();
        let good = utility(0.3, 0.01);
        assert!(run_warnings(&cfg, &counts(150, 150), &good, Some(&good), &[0.1, 0.9]).is_empty());
        let w = run_warnings(&cfg, &counts(2, 150), &good, None, &[0.1, 0.9]);
        assert!(
            w.len() == 1 && w[0].contains("only 2 target members"),
            "{w:?}"
        );
        let bad = utility(0.005, 0.01);
        let w = run_warnings(&cfg, &counts(150, 150), &bad, Some(&good), &[0.1, 0.9]);
        assert!(
            w.len() == 1 && w[0].contains("target recommender (lfm)"),
            "{w:?}"
        );
        let w = run_warnings(&cfg, &counts(150, 150), &good, None, &[0.5, 0.5, 0.5]);
        assert!(w.len() == 1 && w[0].contains("same score"), "{w:?}");
        let blind = Config {
            attack: AttackKind::Overlap,
            exclude_seen: true,
            holdout: 0.0,
            ..Config::default()
        };
        let sees_heldout = Config {
            holdout: 0.1,
            ..blind.clone()
        };
        assert!(
            run_warnings(&sees_heldout, &counts(150, 150), &good, None, &[0.1, 0.2]).is_empty()
        );
        let w = run_warnings(&blind, &counts(150, 150), &good, None, &[0.1, 0.2]);
        assert!(w.len() == 1 && w[0].contains("blind"), "{w:?}");
    }

    #[test]
    fn merged_warnings_say_how_many_runs_raised_each() {
        let a = vec!["x".to_string(), "y".to_string(), "x".to_string()];
        let b = vec!["y".to_string()];
        let c: Vec<String> = vec![];
        let m = merge([a.as_slice(), b.as_slice(), c.as_slice()], 3);
        assert_eq!(m, ["x (1 of 3 runs)", "y (2 of 3 runs)"]);
        assert_eq!(merge([b.as_slice(), b.as_slice()], 2), ["y"]);
        assert!(merge([c.as_slice()], 1).is_empty());
    }

    #[test]
    fn nothing_held_out_is_said() {
        let cfg = Config::default();
        let none = Utility {
            heldout_interactions: 0,
            ..utility(0.0, 0.0)
        };
        let w = run_warnings(&cfg, &counts(150, 150), &none, None, &[0.1, 0.9]);
        assert!(
            w.len() == 1 && w[0].starts_with("nothing was held out"),
            "{w:?}"
        );
    }

    #[test]
    fn boundaries_of_each_warning() {
        let cfg = Config::default();
        let good = utility(0.3, 0.01);
        let ok = [0.1, 0.9];
        // 30 per class is enough, 29 non-members is not
        assert!(run_warnings(&cfg, &counts(30, 30), &good, None, &ok).is_empty());
        let w = run_warnings(&cfg, &counts(30, 29), &good, None, &ok);
        assert!(
            w.len() == 1 && w[0].contains("30 target members and 29"),
            "{w:?}"
        );
        // recall equal to a random list's learnt nothing; a shadow recommender is named as such
        let tie = utility(0.01, 0.01);
        let w = run_warnings(&cfg, &counts(150, 150), &good, Some(&tie), &ok);
        assert!(
            w.len() == 1 && w[0].contains("shadow recommender (lfm)"),
            "{w:?}"
        );
        // no held-out interactions: no recall to judge, only the warning that says so
        let unmeasured = Utility {
            heldout_interactions: 0,
            ..utility(0.0, 0.0)
        };
        let w = run_warnings(&cfg, &counts(150, 150), &unmeasured, None, &ok);
        assert!(
            w.len() == 1 && w[0].starts_with("nothing was held out"),
            "{w:?}"
        );
        // one different score is a decision; a single user has nothing to compare
        let w = run_warnings(&cfg, &counts(150, 150), &good, None, &[0.5, 0.5, 0.6]);
        assert!(w.is_empty(), "{w:?}");
        // the blind overlap warning needs all three conditions
        let blind = Config {
            attack: AttackKind::Overlap,
            exclude_seen: true,
            holdout: 0.0,
            ..Config::default()
        };
        for cfg in [
            Config {
                attack: AttackKind::Distance,
                ..blind.clone()
            },
            Config {
                exclude_seen: false,
                ..blind.clone()
            },
        ] {
            assert!(run_warnings(&cfg, &counts(150, 150), &good, None, &ok).is_empty());
        }
    }
}
