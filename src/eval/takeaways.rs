//! The sentences a result teaches, written from its own numbers — one source for the CLI, the page
//! and the lecture. Every claim is the strongest attack's unless it says otherwise, a difference is
//! a trend only when the 95 % intervals are apart (`bootstrap::within_noise`), a result whose
//! interval holds 0.5 is "indistinguishable from chance", and a TPR the run cannot measure is
//! never written as a number.

use super::bootstrap::{indistinguishable_from_chance, mean_interval, within_noise, Interval};
use super::mean_std;
use crate::attack::AttackKind;
use crate::experiment::matrix::MatrixReport;
use crate::recommender::RecommenderKind;
use crate::report::{AttackSummary, RunReport};
use crate::sweep::SweepReport;

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn ci(i: Interval) -> String {
    format!("{:.3}–{:.3}", i[0], i[1])
}

/// How often a member outscores a non-member at this ROC-AUC, in words.
fn how_often(auc: f64) -> &'static str {
    if auc >= 0.9 {
        "almost always"
    } else if auc >= 0.7 {
        "usually"
    } else if auc > 0.55 {
        "only a little more often than chance"
    } else {
        "no more often than a coin flip"
    }
}

/// A single run's takeaways: the strongest attack, what it finds at a low false-positive rate,
/// and whether the run's own attack earns its keep against the shadow-free baselines (ROC-AUC and
/// TPR at 1 % FPR both).
pub fn run(r: &RunReport) -> Vec<String> {
    let mut out = Vec::new();
    let s = &r.strongest;
    let chance = if indistinguishable_from_chance(s.ci95.roc_auc) {
        "; that cannot be told from chance"
    } else {
        ""
    };
    let own = if s.attack != r.config.attack {
        format!(" (the {} attack: {:.3})", r.config.attack.id(), r.roc_auc)
    } else {
        String::new()
    };
    out.push(format!(
        "The strongest attack, {}, reaches ROC-AUC {:.3} (95% {}){own}: a member outscores a non-member {}{chance}.",
        s.attack.id(),
        s.roc_auc,
        ci(s.ci95.roc_auc),
        how_often(s.roc_auc)
    ));
    let (m, n) = (r.counts.target_members, r.counts.target_nonmembers);
    let one = pct(r.min_nonzero_fpr);
    out.push(match s.tpr_at_1pct {
        Some(t) => format!(
            "Accusing at most 1% of the {n} non-members (one person is already {one}), it names {} of {m} members ({}).",
            (t * m as f64).round(),
            pct(t)
        ),
        None => format!(
            "With {n} non-members a 1% false-positive rate cannot be measured (one person is {one}): run a larger data set or read the ROC curve."
        ),
    });
    if let Some(b) = baseline_verdict(r) {
        out.push(b);
    }
    out
}

/// Does the run's own attack beat the best shadow-free baseline? On ROC-AUC and on TPR at 1 % FPR:
/// an attack can match a baseline on the whole curve and lose at the low-FPR end that matters.
fn baseline_verdict(r: &RunReport) -> Option<String> {
    if r.config.attack.shadow_free() {
        return None;
    }
    let (name, b): (&String, &AttackSummary) = r
        .baselines
        .iter()
        .max_by(|x, y| x.1.roc_auc.total_cmp(&y.1.roc_auc))?;
    let a = r.config.attack.id();
    let who = if r.config.attack == AttackKind::Mlp {
        "the network"
    } else {
        a
    };
    let t_own = r.tpr_at_fpr.get("0.01").copied().flatten();
    let t_base = b.tpr_at_fpr.get("0.01").copied().flatten();
    let tpr_text = match (t_own, t_base) {
        (Some(x), Some(y)) => format!(", {} vs {} of members at 1% FPR", pct(x), pct(y)),
        _ => String::new(),
    };
    let auc_noise = within_noise(r.ci95.roc_auc, b.ci95.roc_auc);
    let tpr_noise = match (&r.ci95.tpr_at_1pct, &b.ci95.tpr_at_1pct) {
        (Some(x), Some(y)) => within_noise(*x, *y),
        _ => true,
    };
    let base_better_tpr = !tpr_noise && t_base > t_own;
    let own_better_tpr = !tpr_noise && t_own > t_base;
    let line = if (!auc_noise && b.roc_auc > r.roc_auc) || base_better_tpr {
        format!(
            "The shadow-free {name} baseline does better than {who} (ROC-AUC {:.3} vs {:.3}{tpr_text}): the shadow model adds nothing an attacker needs.",
            b.roc_auc, r.roc_auc
        )
    } else if (!auc_noise && r.roc_auc > b.roc_auc) || own_better_tpr {
        format!(
            "{} beats the best shadow-free baseline, {name} (ROC-AUC {:.3} vs {:.3}{tpr_text}).",
            capitalise(who),
            r.roc_auc,
            b.roc_auc
        )
    } else {
        format!(
            "{} and the shadow-free {name} baseline are within noise of each other (ROC-AUC {:.3} vs {:.3}{tpr_text}).",
            capitalise(who),
            r.roc_auc,
            b.roc_auc
        )
    };
    Some(line)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a comparison of the paper's protocol (`popular`) with a deployed service's (`fold-in`)
/// teaches: how far the strongest attack falls, and which attack still works under fold-in.
pub fn compare(popular: &RunReport, fold_in: &RunReport) -> String {
    let (a, b) = (&popular.strongest, &fold_in.strongest);
    let verdict = if within_noise(a.ci95.roc_auc, b.ci95.roc_auc) {
        "within noise: the signal survives when the model serves everyone".to_string()
    } else if b.roc_auc < a.roc_auc {
        format!(
            "much of the paper's signal is \"personalised list or popular list?\"; with model lists for everyone the {} attack still finds members",
            b.attack.id()
        )
    } else {
        "the attack does better when the model serves everyone".to_string()
    };
    let chance = if indistinguishable_from_chance(b.ci95.roc_auc) {
        " (fold-in: indistinguishable from chance)"
    } else {
        ""
    };
    format!(
        "Strongest attack {:.3} ({}) with the popular list, {:.3} ({}) with model lists (fold-in){chance}: {verdict}.",
        a.roc_auc,
        a.attack.id(),
        b.roc_auc,
        b.attack.id()
    )
}

/// A sweep's takeaways: does the strongest attack (and the run's own attack) move over the swept
/// values beyond the noise, and what does the recommender's recall do.
pub fn sweep(s: &SweepReport) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
        return out;
    };
    if s.points.len() < 2 {
        return out;
    }
    let p = &s.param;
    let (f, l) = (&first.over, &last.over);
    let move_text = |a: f64, b: f64, ia: Interval, ib: Interval| {
        if within_noise(ia, ib) {
            format!("{a:.3} and {b:.3}, within noise")
        } else if b > a {
            format!("rises from {a:.3} to {b:.3}")
        } else {
            format!("falls from {a:.3} to {b:.3}")
        }
    };
    let n_seeds = s.seeds.len();
    out.push(format!(
        "From {p} = {} to {}, the strongest attack's ROC-AUC: {} ({n_seeds} seed{} per value).",
        first.value,
        last.value,
        move_text(
            f.strongest_roc_auc_mean,
            l.strongest_roc_auc_mean,
            f.strongest_roc_auc_ci95,
            l.strongest_roc_auc_ci95
        ),
        if n_seeds == 1 { "" } else { "s" }
    ));
    if f.strongest_attack != s.config.attack || l.strongest_attack != s.config.attack {
        out.push(format!(
            "The {} attack itself: {}.",
            s.config.attack.id(),
            move_text(
                f.roc_auc_mean,
                l.roc_auc_mean,
                f.roc_auc_ci95,
                l.roc_auc_ci95
            )
        ));
    }
    let recalls = |pt: &crate::sweep::SweepPoint| -> Vec<f64> {
        pt.runs.iter().map(|r| r.recall_at_n).collect()
    };
    let (ra, rb) = (recalls(first), recalls(last));
    let n = s.config.top_n;
    match (mean_interval(&ra), mean_interval(&rb)) {
        (Some(ia), Some(ib)) => out.push(format!(
            "Members' recall@{n}: {}.",
            move_text(mean_std(&ra).0, mean_std(&rb).0, ia, ib)
        )),
        _ => out.push(format!(
            "Members' recall@{n}: {:.3} and {:.3} (one seed: no interval; run more seeds to call a trend).",
            mean_std(&ra).0,
            mean_std(&rb).0
        )),
    }
    out
}

/// A transfer matrix's takeaway: same algorithm (the diagonal) against other algorithms, over the
/// personalised algorithms only — the popularity list is the same for everyone, so its row and
/// column sit at chance by construction and would decide the comparison on their own. Paired per
/// seed, with the spread over seeds.
pub fn matrix(m: &MatrixReport) -> Vec<String> {
    let personal: Vec<RecommenderKind> = m
        .recommenders
        .iter()
        .copied()
        .filter(|k| k.personalised())
        .collect();
    let mut out = Vec::new();
    let cells: Vec<_> = m
        .cells
        .iter()
        .filter(|c| personal.contains(&c.shadow) && personal.contains(&c.target))
        .collect();
    let diag: Vec<_> = cells.iter().filter(|c| c.shadow == c.target).collect();
    let off: Vec<_> = cells.iter().filter(|c| c.shadow != c.target).collect();
    if diag.is_empty() {
        out.push("No personalised algorithm in this matrix: the popularity list tells nothing about membership by construction.".into());
        return out;
    }
    if off.is_empty() {
        out.push(format!(
            "One personalised algorithm only ({}): the attack reaches ROC-AUC {:.3} against it.",
            diag[0].shadow.id(),
            diag[0].over.roc_auc_mean
        ));
        return out;
    }
    let seeds = m.seeds.len();
    let per_seed = |cs: &[&&crate::experiment::matrix::Cell]| -> Vec<f64> {
        (0..seeds)
            .map(|i| cs.iter().map(|c| c.runs[i].roc_auc).sum::<f64>() / cs.len() as f64)
            .collect()
    };
    let (d, o) = (per_seed(&diag), per_seed(&off));
    let diff: Vec<f64> = d.iter().zip(&o).map(|(a, b)| a - b).collect();
    let (dm, ds) = mean_std(&d);
    let (om, os) = mean_std(&o);
    let spread = |s: f64| {
        if seeds > 1 {
            format!(" ± {s:.3}")
        } else {
            String::new()
        }
    };
    let verdict = match mean_interval(&diff) {
        None => "one seed: no spread, so no verdict (run more seeds)".to_string(),
        Some(i) if i[0] <= 0.0 && 0.0 <= i[1] => {
            "the attack transfers: guessing the algorithm right changes nothing beyond the noise"
                .into()
        }
        Some(i) if i[0] > 0.0 => {
            "the attack works better when the attacker guesses the algorithm right".into()
        }
        Some(_) => {
            "the attack transfers, and does even better with another algorithm's shadow".into()
        }
    };
    let best = cells
        .iter()
        .max_by(|a, b| a.over.roc_auc_mean.total_cmp(&b.over.roc_auc_mean))
        .expect("cells");
    out.push(format!(
        "Among the personalised algorithms ({}), the {} attack reaches ROC-AUC {dm:.3}{} with the target's own algorithm and {om:.3}{} with another, over {seeds} seed{}: {verdict} (highest: {} → {}, {:.3}).",
        personal.iter().map(|k| k.id()).collect::<Vec<_>>().join(", "),
        m.config.attack.id(),
        spread(ds),
        spread(os),
        if seeds == 1 { "" } else { "s" },
        best.shadow.id(),
        best.target.id(),
        best.over.roc_auc_mean
    ));
    if m.recommenders.contains(&RecommenderKind::Popularity) {
        out.push("The popularity row and column are left out of that comparison: everyone gets the same list there, so the attack sits at chance by construction.".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::eval::bootstrap::Ci95;
    use crate::eval::seeds::over_seeds;
    use crate::experiment::matrix::{Cell, CellRun, MatrixReport};
    use crate::report::Strongest;

    fn strong(auc: f64) -> Strongest {
        Strongest {
            attack: AttackKind::Mlp,
            roc_auc: auc,
            tpr_at_1pct: None,
            ci95: Ci95 {
                roc_auc: [auc - 0.02, auc + 0.02],
                tpr_at_1pct: None,
            },
        }
    }

    fn cell(shadow: RecommenderKind, target: RecommenderKind, aucs: &[f64]) -> Cell {
        let runs: Vec<CellRun> = aucs
            .iter()
            .enumerate()
            .map(|(i, &a)| CellRun {
                seed: i as u32,
                roc_auc: a,
                tpr_at_fpr: Default::default(),
                ci95: strong(a).ci95,
                strongest: strong(a),
                warnings: vec![],
            })
            .collect();
        Cell {
            shadow,
            target,
            over: over_seeds(&runs),
            warnings: vec![],
            runs,
        }
    }

    fn summary(auc: f64, auc_ci: Interval, tpr: f64, tpr_ci: Interval) -> AttackSummary {
        AttackSummary {
            roc_auc: auc,
            tpr_at_fpr: [("0.01".to_string(), Some(tpr)), ("0.001".to_string(), None)].into(),
            attacker_advantage: 0.0,
            ci95: Ci95 {
                roc_auc: auc_ci,
                tpr_at_1pct: Some(tpr_ci),
            },
            oriented_on: crate::attack::Orientation::Shadow,
            flipped: false,
        }
    }

    /// A small real run whose attack numbers the tests then set by hand.
    fn a_run() -> RunReport {
        let data = crate::synth::dataset(60, 80, 1_500, 3);
        let cfg = Config {
            epochs: 2,
            vector_epochs: 2,
            attack_epochs: 2,
            ..Config::default()
        };
        crate::pipeline::Pipeline::new(data, cfg)
            .unwrap()
            .run_to_end()
            .unwrap()
            .clone()
    }

    /// The case the old single-run wording got wrong (ml-latest-small, seed 0): the network's
    /// ROC-AUC (0.944) was within 0.02 of the distance baseline's (0.934), so it said "the network
    /// adds next to nothing" — while at 1 % FPR the baseline finds 50 % of members and the network
    /// 34 %, intervals apart. Judged on both, the baseline does better.
    #[test]
    fn the_baseline_verdict_looks_at_the_low_fpr_end_too() {
        let mut r = a_run();
        let mlp = summary(0.944, [0.916, 0.966], 0.340, [0.25, 0.42]);
        r.roc_auc = mlp.roc_auc;
        r.tpr_at_fpr = mlp.tpr_at_fpr.clone();
        r.ci95 = mlp.ci95.clone();
        r.baselines = [(
            "distance".to_string(),
            summary(0.934, [0.906, 0.958], 0.503, [0.43, 0.58]),
        )]
        .into();
        let v = baseline_verdict(&r).unwrap();
        assert!(
            v.starts_with("The shadow-free distance baseline does better"),
            "{v}"
        );
        assert!(v.contains("34.0% vs 50.3%"), "{v}");
        // equal at the low end too: within noise
        r.baselines.get_mut("distance").unwrap().ci95.tpr_at_1pct = Some([0.30, 0.40]);
        let v = baseline_verdict(&r).unwrap();
        assert!(v.contains("within noise"), "{v}");
        // a clearly better network
        r.roc_auc = 0.99;
        r.ci95.roc_auc = [0.98, 0.995];
        let v = baseline_verdict(&r).unwrap();
        assert!(v.starts_with("The network beats"), "{v}");
        // the first takeaway names the strongest attack and flags chance
        r.strongest.roc_auc = 0.52;
        r.strongest.ci95.roc_auc = [0.45, 0.59];
        r.strongest.tpr_at_1pct = None;
        let t = run(&r);
        assert!(t[0].contains("cannot be told from chance"), "{t:?}");
        assert!(t[1].contains("cannot be measured"), "{t:?}");
    }

    /// The case the old wording got backwards: the popularity row and column (≈ 0.5 by
    /// construction) pulled the off-diagonal mean down, so "works best when the attacker guesses
    /// the algorithm right" was printed although among the personalised algorithms the attack
    /// transfers (3 seeds: lfm → item-knn above lfm → lfm).
    #[test]
    fn the_matrix_verdict_ignores_the_popularity_list_and_weighs_the_seed_spread() {
        use RecommenderKind::{ItemKnn, Lfm, Popularity};
        let kinds = [Lfm, ItemKnn, Popularity];
        let auc = |s: RecommenderKind, t: RecommenderKind| -> Vec<f64> {
            match (s, t) {
                (_, Popularity) | (Popularity, _) => vec![0.50, 0.49, 0.51],
                (Lfm, Lfm) => vec![0.970, 0.975, 0.972],
                (Lfm, ItemKnn) => vec![0.993, 0.990, 0.991],
                (ItemKnn, ItemKnn) => vec![0.940, 0.930, 0.950],
                (ItemKnn, Lfm) => vec![0.935, 0.925, 0.945],
                _ => unreachable!(),
            }
        };
        let cells = kinds
            .iter()
            .flat_map(|&s| kinds.iter().map(move |&t| (s, t)))
            .map(|(s, t)| cell(s, t, &auc(s, t)))
            .collect();
        let m = MatrixReport {
            recommenders: kinds.to_vec(),
            seeds: vec![0, 1, 2],
            config: Config::default(),
            cells,
            utility: vec![],
            timings_ms: Default::default(),
            takeaways: vec![],
            warnings: vec![],
        };
        // the old rule: mean over every cell of the diagonal vs off it
        let all_diag = (0.972 + 0.94 + 0.5) / 3.0;
        let all_off = (0.991 + 0.935 + 4.0 * 0.5) / 6.0;
        assert!(
            all_off < all_diag - 0.05,
            "the old wording would say 'guess right'"
        );
        let t = matrix(&m);
        assert!(t[0].contains("the attack transfers"), "{t:?}");
        assert!(
            t[0].contains("(lfm, item-knn)") && t[0].contains("lfm → item-knn"),
            "{t:?}"
        );
        assert!(t[1].contains("popularity row and column"), "{t:?}");
        // one seed: no verdict
        let one = MatrixReport {
            seeds: vec![0],
            cells: m
                .cells
                .iter()
                .map(|c| cell(c.shadow, c.target, &[c.runs[0].roc_auc]))
                .collect(),
            ..m.clone()
        };
        assert!(
            matrix(&one)[0].contains("one seed: no spread"),
            "{:?}",
            matrix(&one)
        );
    }
}
