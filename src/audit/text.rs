//! The text `memberlens audit` prints without `--json`: who was audited, every attack's numbers
//! (or, without labels, only its number on the attacker's own references), the risk basis, the
//! slices, the ten most exposed users, warnings and takeaways.

use std::fmt::Write;

use super::exposure::Slice;
use super::report::AuditReport;

fn ci(i: [f64; 2]) -> String {
    format!("[{:.3}–{:.3}]", i[0], i[1])
}

fn opt(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.3}"))
}

/// Users the text names (the JSON and the HTML report have twenty).
const SHOWN: usize = 10;

pub fn text(r: &AuditReport) -> String {
    let mut o = String::new();
    let a = &r.audited;
    let c = &r.counts;
    let _ = writeln!(
        o,
        "data      {} users, {} items, {} interactions",
        c.users, c.items, c.interactions
    );
    let labels = if a.labelled > 0 {
        format!(
            ", {} labelled ({} members, {} non-members)",
            a.labelled, a.members, a.non_members
        )
    } else {
        ", no labels".into()
    };
    let _ = writeln!(
        o,
        "audited   {} users{labels}; lists of {}–{} items (median {})",
        a.users, a.list_length[0], a.list_length[2], a.list_length[1]
    );
    let _ = writeln!(
        o,
        "shadow    {} on {}+{} users (members+non-members), recall@{} {:.4}; {} reference models",
        r.shadow.recommender,
        r.shadow.members,
        r.shadow.non_members,
        r.config.top_n,
        r.shadow.utility.recall_at_n,
        r.references.count
    );
    let _ = writeln!(
        o,
        "attack            ROC-AUC [95%]          TPR at 1% FPR   on references"
    );
    for (name, at) in &r.attacks {
        let auc = match (at.roc_auc, &at.ci95) {
            (Some(v), Some(i)) => format!("{v:.4} {}", ci(i.roc_auc)),
            _ => "–".into(),
        };
        let tpr = match (at.roc_auc, at.tpr_at_1pct) {
            (None, _) => "–".into(),
            (Some(_), None) => "not measurable".into(),
            (Some(_), Some(t)) => format!("{t:.3}"),
        };
        let _ = writeln!(
            o,
            "  {name:<16}{auc:<23}{tpr:<16}{}",
            opt(at.roc_auc_on_references)
        );
    }
    for n in &r.not_run {
        let _ = writeln!(o, "  {:<16}not run: {}", n.attack.id(), n.reason);
    }
    if let Some(s) = &r.strongest {
        let _ = writeln!(
            o,
            "strongest {}: ROC-AUC {:.4} {}",
            s.attack.id(),
            s.roc_auc,
            ci(s.ci95.roc_auc)
        );
    }
    let _ = writeln!(
        o,
        "risk      from {} (ROC-AUC {} on the attacker's references); ties by {}",
        r.risk.attack.id(),
        opt(r.risk.roc_auc_on_references),
        r.risk
            .order
            .iter()
            .skip(1)
            .map(|k| k.id())
            .chain(["user id"])
            .collect::<Vec<_>>()
            .join(", ")
    );
    slices(&mut o, "activity  ", "items", &r.slices.activity);
    slices(
        &mut o,
        "taste     ",
        "mean popularity",
        &r.slices.popularity,
    );
    let _ = writeln!(o, "most exposed (of {}):", r.exposed.len());
    for e in r.exposed.iter().take(SHOWN) {
        let member = match e.member {
            Some(true) => " member",
            Some(false) => " non-member",
            None => "",
        };
        let _ = writeln!(o, "  {:>3}. user {}{member}: {}", e.rank, e.user, e.reason);
    }
    for w in &r.warnings {
        let _ = writeln!(o, "warning   {w}");
    }
    for t in &r.takeaways {
        let _ = writeln!(o, "takeaway  {t}");
    }
    if let Some(ms) = r.timings_ms.get("total") {
        let _ = writeln!(o, "time      {ms:.0} ms");
    }
    o
}

fn slices(o: &mut String, label: &str, unit: &str, s: &[Slice]) {
    let parts: Vec<String> = s
        .iter()
        .map(|q| {
            let auc = q
                .roc_auc
                .map_or(String::new(), |v| format!(", ROC-AUC {v:.3}"));
            format!(
                "Q{} ({:.0}–{:.0} {unit}): risk percentile {:.0}{auc}",
                q.quartile, q.range[0], q.range[1], q.mean_risk_percentile
            )
        })
        .collect();
    let _ = writeln!(o, "{label}{}", parts.join("; "));
}
