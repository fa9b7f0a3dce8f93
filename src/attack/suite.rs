//! Every attack of a run, scored on the same attacked users: the run's own attack, the shadow-free
//! baselines (each oriented on data the attacker holds) and which of them is strongest. One place
//! for the pipeline, the transfer matrix and the frontier, so a cell or a frontier point reports
//! exactly what a single run with its settings would.
//!
//! Each attack's interval comes from its own bootstrap sub-stream (`rng::Stream::Bootstrap`,
//! index `AttackKind::index`), so adding an attack never moves another's interval.

use std::collections::BTreeMap;

use super::{Attack, AttackInput, AttackKind};
use crate::error::Result;
use crate::eval::bootstrap::{ci95, BOOTSTRAP_RESAMPLES};
use crate::report::{AttackScores, AttackSummary, Strongest};
use crate::rng::{rng_for_index, Stream};

/// One attack's scores, every metric of them, and its summary with the interval.
pub struct Scored {
    pub kind: AttackKind,
    pub scores: Vec<f64>,
    pub eval: AttackScores,
    pub summary: AttackSummary,
}

/// Scores `attack` on `target` and computes its numbers and interval (seed `seed`'s stream).
pub fn score(
    kind: AttackKind,
    attack: &dyn Attack,
    target: &AttackInput,
    labels: &[bool],
    seed: u32,
) -> Result<Scored> {
    let scores = attack.score(target);
    let threshold = attack.threshold(&scores);
    let eval = AttackScores::evaluate(&scores, labels, threshold)?;
    let ci = ci95(
        &scores,
        labels,
        BOOTSTRAP_RESAMPLES,
        &mut rng_for_index(seed, Stream::Bootstrap, kind.index()),
    );
    let summary = eval.summary(ci, attack.orientation());
    Ok(Scored {
        kind,
        scores,
        eval,
        summary,
    })
}

/// The run's attack and its baselines on one set of attacked users.
pub struct Evaluation {
    pub headline: Scored,
    /// Every baseline's summary, by name (the run's own attack included when it is one).
    pub baselines: BTreeMap<String, AttackSummary>,
    pub strongest: Strongest,
}

/// Scores the run's attack and every baseline; `strongest` is the highest ROC-AUC among them
/// (ties: the first in `AttackKind::ALL`).
pub fn evaluate(
    headline: (AttackKind, &dyn Attack),
    baselines: &[(AttackKind, &dyn Attack)],
    target: &AttackInput,
    labels: &[bool],
    seed: u32,
) -> Result<Evaluation> {
    let head = score(headline.0, headline.1, target, labels, seed)?;
    let mut all: Vec<(AttackKind, AttackSummary)> = vec![(head.kind, head.summary.clone())];
    let mut map = BTreeMap::new();
    for &(kind, attack) in baselines {
        // The run's own attack is scored once.
        let summary = if kind == head.kind {
            head.summary.clone()
        } else {
            score(kind, attack, target, labels, seed)?.summary
        };
        if kind != head.kind {
            all.push((kind, summary.clone()));
        }
        map.insert(kind.id().to_string(), summary);
    }
    Ok(Evaluation {
        strongest: strongest(&all),
        headline: head,
        baselines: map,
    })
}

/// The strongest of `(attack, summary)` pairs: highest ROC-AUC, ties to the first in
/// `AttackKind::ALL`. Panics on an empty list (every run scores at least its own attack).
pub fn strongest(all: &[(AttackKind, AttackSummary)]) -> Strongest {
    let mut order: Vec<&(AttackKind, AttackSummary)> = all.iter().collect();
    crate::order::sort_by_key(&mut order, |(k, _)| k.index());
    let (kind, best) = order
        .iter()
        .copied()
        .fold(None::<&(AttackKind, AttackSummary)>, |acc, x| match acc {
            Some(a) if a.1.roc_auc >= x.1.roc_auc => Some(a),
            _ => Some(x),
        })
        .expect("at least one attack");
    Strongest {
        attack: *kind,
        roc_auc: best.roc_auc,
        tpr_at_1pct: best.tpr_at_fpr.get("0.01").copied().flatten(),
        ci95: best.ci95.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::{build, tests_params, Orientation};

    #[test]
    fn the_strongest_is_the_best_auc_and_ties_go_to_the_first_attack() {
        let f = ndarray::array![[0.0f32], [3.0], [1.0], [2.0]];
        // overlap: members see their items; distance: the second member is far
        let lists = [vec![1, 2], vec![1, 9], vec![8, 9], vec![7, 9]];
        let input = AttackInput::new(vec![&[1, 2], &[1, 2], &[1], &[1]], &lists, &f);
        let labels = [true, true, false, false];
        let cfg = tests_params();
        let overlap = build(AttackKind::Overlap, &cfg);
        let distance = build(AttackKind::Distance, &cfg);
        let e = evaluate(
            (AttackKind::Distance, distance.as_ref()),
            &[
                (AttackKind::Distance, distance.as_ref()),
                (AttackKind::Overlap, overlap.as_ref()),
            ],
            &input,
            &labels,
            0,
        )
        .unwrap();
        // overlap: 1.0, 0.5 vs 0, 0 → AUC 1; distance: −0, −3 vs −1, −2 → AUC 0.5
        assert_eq!(e.baselines["overlap"].roc_auc, 1.0);
        assert_eq!(e.baselines["distance"].roc_auc, 0.5);
        assert_eq!(e.strongest.attack, AttackKind::Overlap);
        assert_eq!(e.strongest.roc_auc, 1.0);
        // two non-members cannot measure 1 % FPR
        assert_eq!(e.strongest.tpr_at_1pct, None);
        assert_eq!(
            e.baselines["overlap"].oriented_on,
            Orientation::Construction
        );
        // a tie goes to the attack listed first in AttackKind::ALL (distance before overlap)
        let s = strongest(&[
            (AttackKind::Overlap, e.baselines["overlap"].clone()),
            (
                AttackKind::Distance,
                AttackSummary {
                    roc_auc: 1.0,
                    ..e.baselines["distance"].clone()
                },
            ),
        ]);
        assert_eq!(s.attack, AttackKind::Distance);
    }

    #[test]
    fn each_attack_has_its_own_bootstrap_stream() {
        // 40 users, overlaps 0, ½ or 1 in a pattern that leaves the classes overlapping
        let n = 40u32;
        let f = ndarray::Array2::<f32>::zeros((n as usize, 1));
        let lists: Vec<Vec<u32>> = (0..n).map(|i| vec![i, 100 + i]).collect();
        let rows: Vec<Vec<u32>> = (0..n)
            .map(|i| match i % 3 {
                0 => vec![i],
                1 => vec![i, 100 + i],
                _ => vec![],
            })
            .collect();
        let input = AttackInput::new(rows.iter().map(|r| r.as_slice()).collect(), &lists, &f);
        let labels: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        let a = build(AttackKind::Overlap, &tests_params());
        let x = score(AttackKind::Overlap, a.as_ref(), &input, &labels, 3).unwrap();
        let y = score(AttackKind::Distance, a.as_ref(), &input, &labels, 3).unwrap();
        assert_eq!(x.eval.roc.auc(), y.eval.roc.auc());
        assert_ne!(x.summary.ci95, y.summary.ci95);
        let again = score(AttackKind::Overlap, a.as_ref(), &input, &labels, 3).unwrap();
        assert_eq!(x.summary.ci95, again.summary.ci95);
    }
}
