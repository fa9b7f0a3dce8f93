//! Results that mean little are flagged, in one-line warnings next to the number (`warnings` in
//! the run result; the CLI prints them, the page shows them): too few users per class, a
//! recommender that learnt nothing, an attack that gave everyone one score, an attack that cannot
//! see by construction.

use crate::attack::AttackKind;
use crate::config::Config;
use crate::eval::utility::Utility;
use crate::split::Counts;

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
        // no held-out interactions: no utility measured, no warning
        let unmeasured = Utility {
            heldout_interactions: 0,
            ..utility(0.0, 0.0)
        };
        assert!(run_warnings(&cfg, &counts(150, 150), &unmeasured, None, &ok).is_empty());
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
