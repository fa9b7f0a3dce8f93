//! The audit's report as one self-contained HTML page a privacy officer can file: what was
//! audited (both files' names, sizes and SHA-256), the settings, every attack's numbers with the
//! ROC curves (linear and log-log) or, without labels, each attack's number on the attacker's own
//! references, who is exposed (slices and the twenty most exposed users with their reasons), the
//! warnings, the MemberLens version and the date. Charts are inline SVG; a Content-Security-Policy
//! forbids every request; the report's JSON (what `--json` prints) is embedded as data, so the
//! page holds the same numbers as the JSON.

use std::fmt::Write;

use super::report::AuditReport;
use super::svg::{bar_chart, escape, roc_chart, Bar, Scale, Series};
use crate::report::Strongest;

/// One input file: its name (as given), size and SHA-256.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileMeta {
    pub name: String,
    pub bytes: usize,
    pub sha256: String,
}

impl FileMeta {
    pub fn of(name: &str, bytes: &[u8]) -> FileMeta {
        FileMeta {
            name: name.to_string(),
            bytes: bytes.len(),
            sha256: super::sha256_hex(bytes),
        }
    }
}

/// What the page says about where the numbers came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportMeta {
    pub ratings: FileMeta,
    pub lists: FileMeta,
    pub version: String,
    /// YYYY-MM-DD (the caller's clock: natively the system's, in a page the browser's).
    pub date: String,
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#111}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font:13px ui-monospace,monospace}\
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em}.warn{color:#8a3b00}.charts{display:flex;flex-wrap:wrap;gap:1em}\
.muted{color:#555}";

/// A value's name as the JSON writes it ("fold-in", "references").
fn json_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.3}"))
}

fn interval(v: Option<[f64; 2]>) -> String {
    v.map_or(String::new(), |i| format!(" [{:.3}–{:.3}]", i[0], i[1]))
}

fn strongest_line(s: &Strongest) -> String {
    format!(
        "{}: ROC-AUC {:.3}{}, TPR at 1% FPR {}",
        s.attack.id(),
        s.roc_auc,
        interval(Some(s.ci95.roc_auc)),
        s.tpr_at_1pct
            .map_or("not measurable".into(), |t| format!("{t:.3}"))
    )
}

/// The whole page.
pub fn render(r: &AuditReport, meta: &ReportMeta) -> String {
    let mut o = String::new();
    let title = format!("MemberLens audit of {}", meta.lists.name);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        o,
        "<h1>{}</h1><p class=\"muted\">MemberLens {} · {} · membership inference from the lists a recommender served</p>",
        escape(&title),
        escape(&meta.version),
        escape(&meta.date)
    );
    o.push_str("<h2>Summary</h2><ul>");
    for t in &r.takeaways {
        let _ = write!(o, "<li>{}</li>", escape(t));
    }
    o.push_str("</ul>");
    if let Some(s) = &r.strongest {
        let _ = write!(
            o,
            "<p><b>Strongest attack</b> {}</p>",
            escape(&strongest_line(s))
        );
    }
    inputs(&mut o, r, meta);
    attacks(&mut o, r);
    exposure(&mut o, r);
    if !r.warnings.is_empty() {
        o.push_str("<h2>Warnings</h2><ul>");
        for w in &r.warnings {
            let _ = write!(o, "<li class=\"warn\">{}</li>", escape(w));
        }
        o.push_str("</ul>");
    }
    let json = serde_json::to_string(r).expect("reports serialise");
    let _ = write!(
        o,
        "<h2>Settings</h2><details><summary>The full config (every key)</summary><pre>{}</pre></details>\
         <p class=\"muted\">The report's numbers as JSON (what <code>memberlens audit --json</code> prints) are embedded in this page (<code>script#audit</code>). Nothing on this page loads anything from elsewhere.</p>\
         <script type=\"application/json\" id=\"audit\">{}</script></body></html>",
        escape(&serde_json::to_string_pretty(&r.config).expect("config serialises")),
        json.replace("</", "<\\/")
    );
    o
}

fn inputs(o: &mut String, r: &AuditReport, meta: &ReportMeta) {
    let a = &r.audited;
    o.push_str(
        "<h2>What was audited</h2><table><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>",
    );
    for (what, f) in [("interactions", &meta.ratings), ("lists", &meta.lists)] {
        let _ = write!(
            o,
            "<tr><td>{what}: {}</td><td class=\"n\">{}</td><td><code>{}</code></td></tr>",
            escape(&f.name),
            f.bytes,
            escape(&f.sha256)
        );
    }
    o.push_str("</table>");
    let labels = if a.labelled > 0 {
        format!(
            "{} labelled: {} members, {} non-members",
            a.labelled, a.members, a.non_members
        )
    } else {
        "no membership labels".into()
    };
    let _ = write!(
        o,
        "<p>{} audited users ({labels}); lists of {}–{} items (median {}); the list a new account gets: {}; per-user reference lists: {}. \
         The interactions hold {} users, {} items and {} interactions; the attacker's shadow is the {} users not audited ({} members, {} non-members), served by {} (recall@{} {:.4}), and {} reference models{}.</p>",
        a.users,
        a.list_length[0],
        a.list_length[2],
        a.list_length[1],
        if a.new_user_list { "given" } else { "not given" },
        if a.reference_lists { "given" } else { "not given" },
        r.counts.users,
        r.counts.items,
        r.counts.interactions,
        r.shadow.members + r.shadow.non_members,
        r.shadow.members,
        r.shadow.non_members,
        escape(&r.shadow.recommender),
        r.config.top_n,
        r.shadow.utility.recall_at_n,
        r.references.count,
        if r.references.offline { " (offline)" } else { "" }
    );
    let _ = write!(
        o,
        "<p>Seed {}, protocol {}, top_n {}, attacker knows the defence: {} (defence {} at strength {}).</p>",
        r.config.seed,
        escape(&json_name(&r.config.protocol)),
        r.config.top_n,
        r.config.attacker_knows_defence,
        escape(r.config.defence.id()),
        r.config.defence_strength
    );
}

fn attacks(o: &mut String, r: &AuditReport) {
    o.push_str("<h2>Attacks</h2><table><tr><th>attack</th><th>ROC-AUC [95%]</th><th>TPR at 1% FPR [95%]</th><th>TPR at 0.1% FPR</th><th>advantage</th><th>oriented on</th><th>ROC-AUC on the attacker's references</th></tr>");
    for (name, a) in &r.attacks {
        let tpr = |key: &str| {
            a.tpr_at_fpr.as_ref().map_or("–".into(), |m| {
                m.get(key)
                    .copied()
                    .flatten()
                    .map_or("not measurable".into(), |t| format!("{t:.3}"))
            })
        };
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{}{}</td><td class=\"n\">{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{}</td><td class=\"n\">{}</td></tr>",
            escape(name),
            num(a.roc_auc),
            interval(a.ci95.as_ref().map(|c| c.roc_auc)),
            tpr("0.01"),
            interval(a.ci95.as_ref().and_then(|c| c.tpr_at_1pct)),
            tpr("0.001"),
            num(a.attacker_advantage),
            escape(&json_name(&a.oriented_on)),
            if a.flipped { " (turned round)" } else { "" },
            num(a.roc_auc_on_references)
        );
    }
    o.push_str("</table>");
    for n in &r.not_run {
        let _ = write!(
            o,
            "<p class=\"muted\">Not run: {}: {}.</p>",
            escape(n.attack.id()),
            escape(&n.reason)
        );
    }
    let _ = write!(
        o,
        "<p>Each user's risk is the score of <b>{}</b>, the attack strongest on the attacker's own reference models (ROC-AUC {}); ties are ranked by {} and then by user id.</p>",
        escape(r.risk.attack.id()),
        num(r.risk.roc_auc_on_references),
        escape(
            &r.risk
                .order
                .iter()
                .skip(1)
                .map(|k| k.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    o.push_str("<div class=\"charts\">");
    let curves: Vec<(&String, &crate::eval::Roc)> = r
        .attacks
        .iter()
        .filter_map(|(n, a)| a.roc.as_ref().map(|roc| (n, roc)))
        .collect();
    if !curves.is_empty() {
        let series: Vec<Series> = curves
            .iter()
            .map(|(n, roc)| Series {
                name: format!("{n} {}", num(r.attacks[*n].roc_auc)),
                x: &roc.fpr,
                y: &roc.tpr,
            })
            .collect();
        o.push_str(&roc_chart("ROC curves", &series, Scale::Linear));
        let min = r.audited.min_nonzero_fpr.unwrap_or(0.01).min(0.01);
        let floor = 10f64.powf(min.log10().floor());
        o.push_str(&roc_chart(
            "ROC curves, log-log",
            &series,
            Scale::Log(floor),
        ));
    }
    let bars: Vec<Bar> = r
        .attacks
        .iter()
        .enumerate()
        .filter_map(|(i, (n, a))| {
            a.roc_auc_on_references.map(|v| Bar {
                label: n.clone(),
                value: v,
                text: format!("{v:.3}"),
                colour: i,
            })
        })
        .collect();
    if !bars.is_empty() {
        o.push_str(&bar_chart(
            "ROC-AUC on the attacker's reference models",
            &bars,
            0.0,
            1.0,
            Some(0.5),
            "ROC-AUC on the references (0.5 = chance)",
        ));
    }
    o.push_str("</div>");
}

fn exposure(o: &mut String, r: &AuditReport) {
    o.push_str("<h2>Who is exposed</h2>");
    // (the label in titles and tables, the short one under each chart)
    let dims = [
        ("activity (items rated)", "activity", &r.slices.activity),
        (
            "taste (mean popularity of the items rated)",
            "taste",
            &r.slices.popularity,
        ),
    ];
    o.push_str("<div class=\"charts\">");
    for (label, short, slices) in dims {
        let bars: Vec<Bar> = slices
            .iter()
            .map(|s| Bar {
                label: format!("Q{} {:.0}–{:.0}", s.quartile, s.range[0], s.range[1]),
                value: s.mean_risk_percentile,
                text: format!("{:.0}", s.mean_risk_percentile),
                colour: 0,
            })
            .collect();
        o.push_str(&bar_chart(
            &format!("Mean risk percentile by {label}"),
            &bars,
            0.0,
            100.0,
            Some(50.0),
            &format!("{short}: mean risk percentile (50 = average)"),
        ));
        if slices.iter().any(|s| s.roc_auc.is_some()) {
            let bars: Vec<Bar> = slices
                .iter()
                .filter_map(|s| {
                    s.roc_auc.map(|v| Bar {
                        label: format!("Q{} {:.0}–{:.0}", s.quartile, s.range[0], s.range[1]),
                        value: v,
                        text: format!("{v:.3}"),
                        colour: 1,
                    })
                })
                .collect();
            o.push_str(&bar_chart(
                &format!("ROC-AUC by {label}"),
                &bars,
                0.0,
                1.0,
                Some(0.5),
                &format!("{short}: ROC-AUC of the strongest attack (0.5 = chance)"),
            ));
        }
    }
    o.push_str("</div>");
    for (label, _, slices) in dims {
        let _ = write!(
            o,
            "<h3>By {}</h3><table><tr><th>quartile</th><th>range</th><th>users</th><th>members / non-members</th><th>ROC-AUC [95%]</th><th>TPR at 1% FPR</th><th>mean risk percentile</th><th>in the most exposed tenth</th></tr>",
            escape(label)
        );
        for s in slices.iter() {
            let _ = write!(
                o,
                "<tr><td>Q{}</td><td class=\"n\">{:.1}–{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td class=\"n\">{}{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}%</td></tr>",
                s.quartile,
                s.range[0],
                s.range[1],
                s.users,
                s.members,
                s.non_members,
                num(s.roc_auc),
                interval(s.ci95.as_ref().map(|c| c.roc_auc)),
                if s.roc_auc.is_some() {
                    s.tpr_at_1pct.map_or("not measurable".into(), |t| format!("{t:.3}"))
                } else {
                    "–".into()
                },
                s.mean_risk_percentile,
                100.0 * s.top_tenth
            );
        }
        o.push_str("</table>");
    }
    let _ = write!(
        o,
        "<h3>The {} most exposed users</h3><table><tr><th>rank</th><th>user</th><th>member</th><th>risk</th><th>items rated</th><th>mean popularity</th><th>why</th></tr>",
        r.exposed.len()
    );
    for e in &r.exposed {
        let member = match e.member {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let _ = write!(
            o,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{member}</td><td class=\"n\">{:.4}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td>{}</td></tr>",
            e.rank,
            e.user,
            e.risk,
            e.history_length,
            e.mean_popularity,
            escape(&e.reason)
        );
    }
    o.push_str("</table>");
}
