//! The command line's text form of every report (what `run`, `sweep`, `matrix` and `frontier`
//! print without `--json`): the numbers a reader needs first — the run's attack with its 95 %
//! interval, the strongest attack, what cannot be measured — and the warnings.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::eval::bootstrap::Interval;
use crate::experiment::frontier::{FrontierPanel, FrontierReport};
use crate::experiment::matrix::MatrixReport;
use crate::experiment::JobResult;
use crate::report::RunReport;
use crate::sweep::SweepReport;

/// The text of any finished job.
pub fn text(result: &JobResult<'_>) -> String {
    match result {
        JobResult::Single(r) => run(r),
        JobResult::Sweep(r) => sweep(r),
        JobResult::Matrix(r) => matrix(r),
        JobResult::Frontier(r) => frontier(r),
        JobResult::You(r) => you(r),
    }
}

/// "Would it spot you?": one paragraph per run (the list as ids; the page shows titles).
fn you(r: &crate::experiment::you::YouReport) -> String {
    let mut o = String::new();
    let ids = |l: &[u64]| {
        l.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(o, "you       {} picks: {}", r.picks.len(), ids(&r.picks));
    for s in [&r.as_member, &r.as_non_member] {
        let _ = writeln!(
            o,
            "as a {:<10} {} scores you {:.4} (threshold {:.4}): {}; rank {} of {}, above {:.1}% of the other target users (run ROC-AUC {:.4})",
            if s.member { "member" } else { "non-member" },
            r.attack.id(),
            s.score,
            s.threshold,
            if s.flagged { "flagged as a member" } else { "not flagged" },
            s.rank,
            s.users,
            s.percentile,
            s.roc_auc
        );
        let _ = writeln!(
            o,
            "  your list ({} of your picks in it): {}",
            s.picks_in_list,
            ids(&s.list)
        );
    }
    o
}

fn ci(i: Interval) -> String {
    format!("[{:.3}–{:.3}]", i[0], i[1])
}

/// A TPR, or why it is not there.
fn tpr(v: Option<f64>) -> String {
    v.map_or("not measurable".into(), |t| format!("{t:.3}"))
}

fn time_line(timings: &BTreeMap<String, f64>) -> String {
    match timings.get("wall") {
        Some(wall) => format!("{:.0} ms of runs in {wall:.0} ms wall", timings["total"]),
        None => format!("{:.0} ms", timings["total"]),
    }
}

fn run(r: &RunReport) -> String {
    let mut o = String::new();
    let c = &r.counts;
    let _ = writeln!(
        o,
        "data      {} users, {} items, {} interactions",
        c.users, c.items, c.interactions
    );
    let _ = writeln!(
        o,
        "split     shadow {}+{}, target {}+{} (members+non-members)",
        c.shadow_members, c.shadow_nonmembers, c.target_members, c.target_nonmembers
    );
    let _ = writeln!(
        o,
        "attack    {}: ROC-AUC {:.4} {} (95% bootstrap)",
        r.config.attack.id(),
        r.roc_auc,
        ci(r.ci95.roc_auc)
    );
    let _ = writeln!(
        o,
        "TPR       {} at 1% FPR, {} at 0.1% FPR (smallest non-zero FPR here: {:.2}%)",
        tpr(r.tpr_at_fpr.get("0.01").copied().flatten()),
        tpr(r.tpr_at_fpr.get("0.001").copied().flatten()),
        r.min_nonzero_fpr * 100.0
    );
    let s = &r.strongest;
    let _ = writeln!(
        o,
        "strongest {}: ROC-AUC {:.4} {}, TPR {} at 1% FPR",
        s.attack.id(),
        s.roc_auc,
        ci(s.ci95.roc_auc),
        tpr(s.tpr_at_1pct)
    );
    let _ = writeln!(
        o,
        "balanced accuracy at the attack's threshold (the reference code's \"AUC\") {:.4}",
        r.balanced_accuracy
    );
    let _ = writeln!(
        o,
        "advantage {:.4}, accuracy {:.4}, precision {:.4}, recall {:.4}",
        r.attacker_advantage, r.accuracy, r.precision, r.recall
    );
    let t = &r.recommender.target;
    let _ = writeln!(
        o,
        "target recommender recall@{n} {:.4} (popularity list {:.4}, ratio {:.2}), precision@{n} {:.4}, hit rate {:.4}",
        t.recall_at_n, t.popularity_recall_at_n, t.recall_vs_popularity, t.precision_at_n, t.hit_rate, n = r.config.top_n
    );
    for (name, b) in &r.baselines {
        let dir = if b.flipped { ", direction turned" } else { "" };
        let _ = writeln!(
            o,
            "baseline  {name}: ROC-AUC {:.4} {}, TPR {} at 1% FPR (oriented on: {}{dir})",
            b.roc_auc,
            ci(b.ci95.roc_auc),
            tpr(b.tpr_at_fpr.get("0.01").copied().flatten()),
            serde_json::to_value(b.oriented_on)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        );
    }
    if let Some(p) = &r.privacy {
        let _ = writeln!(
            o,
            "privacy   ε = {:.3} at δ = {:.2e} (noise multiplier {}, sampling rate {}, {} steps)",
            p.epsilon, p.delta, p.noise_multiplier, p.sampling_rate, p.steps
        );
    }
    for t in &r.takeaways {
        let _ = writeln!(o, "takeaway  {t}");
    }
    let _ = writeln!(o, "time      {:.0} ms", r.timings_ms["total"]);
    for w in &r.warnings {
        let _ = writeln!(o, "warning   {w}");
    }
    o
}

fn matrix(m: &MatrixReport) -> String {
    let mut o = String::new();
    let width = 13;
    for (title, strongest) in [("the run's attack", false), ("the strongest attack", true)] {
        let _ = writeln!(o, "ROC-AUC of {title}");
        let _ = write!(o, "{:>width$}", "shadow\\target");
        for k in &m.recommenders {
            let _ = write!(o, "  {:>width$}", k.id());
        }
        let _ = writeln!(o);
        for s in &m.recommenders {
            let _ = write!(o, "{:>width$}", s.id());
            for t in &m.recommenders {
                let c = m
                    .cells
                    .iter()
                    .find(|c| c.shadow == *s && c.target == *t)
                    .expect("every pair has a cell");
                let (mean, std) = if strongest {
                    (c.over.strongest_roc_auc_mean, c.over.strongest_roc_auc_std)
                } else {
                    (c.over.roc_auc_mean, c.over.roc_auc_std)
                };
                // One seed has no spread: say so instead of printing ± 0.000.
                let std = if m.seeds.len() > 1 {
                    format!("±{std:.3}")
                } else {
                    String::new()
                };
                let _ = write!(o, "  {:>width$}", format!("{mean:.3}{std}"));
            }
            let _ = writeln!(o);
        }
    }
    for t in &m.takeaways {
        let _ = writeln!(o, "takeaway  {t}");
    }
    let _ = writeln!(
        o,
        "mean ± std over seeds {:?}; {}",
        m.seeds,
        time_line(&m.timings_ms)
    );
    o
}

fn sweep(s: &SweepReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:>10}  {:>15}  {:>17}  {:>22}  {:>10}  {:>10}",
        s.param, "ROC-AUC", "95% interval", "strongest", "TPR@1%FPR", "recall@N"
    );
    for p in &s.points {
        let _ = writeln!(
            o,
            "{:>10}  {:.4} ± {:.4}  {:>17}  {:>22}  {:>10}  {:>10.4}",
            p.value,
            p.over.roc_auc_mean,
            p.over.roc_auc_std,
            ci(p.over.roc_auc_ci95),
            format!(
                "{} {:.4}",
                p.over.strongest_attack.id(),
                p.over.strongest_roc_auc_mean
            ),
            tpr(p.over.tpr_at_1pct_mean),
            p.recall_at_n_mean
        );
    }
    for t in &s.takeaways {
        let _ = writeln!(o, "takeaway  {t}");
    }
    let _ = writeln!(o, "seeds {:?}, {}", s.seeds, time_line(&s.timings_ms));
    o
}

fn panel(o: &mut String, f: &FrontierReport, p: &FrontierPanel) {
    let n = f.config.top_n;
    let protocol = crate::experiment::frontier::protocol_id(p.protocol);
    let _ = writeln!(o, "== protocol {protocol}");
    let _ = writeln!(
        o,
        "{:>26}  {:>8}  {:>14}  {:>24}  {:>8}  {:>10}  {:>8}",
        "defence",
        "strength",
        "parameter",
        "strongest ROC-AUC",
        "naive",
        format!("recall@{n}"),
        "ε"
    );
    for c in &p.defences {
        for q in &c.points {
            let _ = writeln!(
                o,
                "{:>26}  {:>8}  {:>14}  {:>24}  {:>8.3}  {:>10.4}  {:>8}",
                c.defence.id(),
                q.strength,
                format!("{} {:.3}", c.parameter, q.parameter_value),
                format!(
                    "{:.3} {} {}",
                    q.over.strongest_roc_auc_mean,
                    ci(q.over.strongest_roc_auc_ci95),
                    q.over.strongest_attack.id()
                ),
                q.naive_roc_auc_mean,
                q.recall_at_n_mean,
                q.epsilon_mean.map_or("-".into(), |e| format!("{e:.2}"))
            );
        }
    }
    let u = &p.undefended;
    let _ = writeln!(
        o,
        "undefended strongest ROC-AUC {:.4} ({}), recall@{n} {:.4}; popularity list recall@{n} {:.4}",
        u.over.strongest_roc_auc_mean,
        u.over.strongest_attack.id(),
        u.recall_at_n_mean,
        p.popularity_recall_at_n
    );
    for q in &p.natural {
        let _ = writeln!(
            o,
            "natural   {:>3} epochs, {:<8} factors: strongest ROC-AUC {:.4}, recall@{n} {:.4}",
            q.epochs,
            q.init.id(),
            q.over.strongest_roc_auc_mean,
            q.recall_at_n_mean
        );
    }
    if let Some(note) = &p.chart_note {
        let _ = writeln!(o, "chart     {note}");
    }
    for note in &p.notes {
        let _ = writeln!(o, "note      {note}");
    }
}

fn frontier(f: &FrontierReport) -> String {
    let mut o = String::new();
    for p in &f.panels {
        panel(&mut o, f, p);
    }
    let knows = if f.config.attacker_knows_defence {
        "the attacker knows the defence"
    } else {
        "the attacker's shadow is undefended"
    };
    let _ = writeln!(
        o,
        "{knows}; seeds {:?}, {:.0} ms",
        f.seeds, f.timings_ms["total"]
    );
    o
}
