//! The frontier's one-line findings, written from a finished report's own numbers (means over its
//! seeds): what each defence cost in recall for how much ROC-AUC, where it fell below the
//! popularity list, what DP's ε promises, and how the natural frontier compares.

use super::frontier_report::{DefenceCurve, FrontierPoint, FrontierReport};
use crate::config::Protocol;
use crate::defence::DefenceKind;

/// One-line findings from the report's own numbers (means over its seeds).
pub fn notes(r: &FrontierReport) -> Vec<String> {
    let mut out = Vec::new();
    let u = &r.undefended;
    let pop = r.popularity_recall_at_n;
    let n = r.config.top_n;
    let popular = r.config.protocol == Protocol::Popular;
    for c in &r.defences {
        let d = c.defence.id();
        let active: Vec<&FrontierPoint> = c.points.iter().filter(|p| p.strength > 0.0).collect();
        let Some(strongest) = active
            .iter()
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
        else {
            out.push(format!(
                "{d}: only strength 0 was run, which is the undefended service"
            ));
            continue;
        };
        let recall_same = active
            .iter()
            .all(|p| p.recall_at_n_mean == u.recall_at_n_mean);
        let recall_text = if recall_same {
            format!(
                "member recall@{n} unchanged ({:.4}) at every strength",
                u.recall_at_n_mean
            )
        } else {
            format!(
                "member recall@{n} {:.4} → {:.4}",
                u.recall_at_n_mean, strongest.recall_at_n_mean
            )
        };
        let verb = if strongest.roc_auc_mean < u.roc_auc_mean {
            "fell"
        } else {
            "rose"
        };
        out.push(format!(
            "{d}: {recall_text} while ROC-AUC {verb} from {:.3} to {:.3} at strength {} ({} {})",
            u.roc_auc_mean,
            strongest.roc_auc_mean,
            strongest.strength,
            c.parameter,
            fmt_value(strongest.parameter_value)
        ));
        if let Some(low) = active
            .iter()
            .min_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
            .filter(|p| p.strength != strongest.strength && p.roc_auc_mean < strongest.roc_auc_mean)
        {
            out.push(format!(
                "{d}: the lowest ROC-AUC, {:.3}, came at strength {}, not at the strongest setting",
                low.roc_auc_mean, low.strength
            ));
        }
        if let Some(up) = active
            .iter()
            .filter(|p| p.roc_auc_mean > u.roc_auc_mean)
            .max_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
        {
            let why = if popular {
                ": members' lists moved further from the popularity list every non-member gets"
            } else {
                ""
            };
            out.push(format!(
                "{d}: ROC-AUC rose above the undefended {:.3} to {:.3} at strength {}{why}",
                u.roc_auc_mean, up.roc_auc_mean, up.strength
            ));
        }
        if let Some(flip) = active
            .iter()
            .filter(|p| p.roc_auc_mean < 0.45)
            .min_by(|a, b| a.roc_auc_mean.total_cmp(&b.roc_auc_mean))
        {
            out.push(format!(
                "{d}: ROC-AUC {:.3} at strength {} is below 0.5: the attack, trained on an undefended shadow, ranks members below non-members; an attacker who knew the defence could flip its scores (ROC-AUC {:.3})",
                flip.roc_auc_mean,
                flip.strength,
                1.0 - flip.roc_auc_mean
            ));
        }
        if let Some(below) = c
            .points
            .iter()
            .filter(|p| p.strength > 0.0 && p.recall_at_n_mean < pop)
            .min_by(|a, b| a.strength.total_cmp(&b.strength))
        {
            out.push(format!(
                "{d}: from strength {} recall@{n} ({:.4}) is below the plain popularity list's ({pop:.4}): the defended service is worse than not personalising",
                below.strength, below.recall_at_n_mean
            ));
        }
        if c.defence == DefenceKind::DpSgd {
            out.extend(dp_notes(c, strongest, popular));
        }
    }
    let base_epochs = r.config.epochs;
    for nat in r.natural.iter().filter(|p| p.epochs != base_epochs) {
        if nat.roc_auc_mean < u.roc_auc_mean && nat.recall_at_n_mean > u.recall_at_n_mean {
            out.push(format!(
                "natural: {} epochs instead of {base_epochs} give both a lower ROC-AUC ({:.3} vs {:.3}) and a higher recall@{n} ({:.4} vs {:.4}): the undefended setting is not on the frontier",
                nat.epochs, nat.roc_auc_mean, u.roc_auc_mean, nat.recall_at_n_mean, u.recall_at_n_mean
            ));
            continue;
        }
        if nat.roc_auc_mean >= u.roc_auc_mean {
            out.push(format!(
                "natural: {} epochs instead of {base_epochs} give ROC-AUC {:.3} and recall@{n} {:.4}",
                nat.epochs, nat.roc_auc_mean, nat.recall_at_n_mean
            ));
            continue;
        }
        let best = r
            .defences
            .iter()
            .flat_map(|c| c.points.iter().map(move |p| (c.defence.id(), p)))
            .filter(|(_, p)| p.strength > 0.0 && p.roc_auc_mean <= nat.roc_auc_mean)
            .max_by(|a, b| a.1.recall_at_n_mean.total_cmp(&b.1.recall_at_n_mean));
        let cmp = match best {
            Some((d, p)) => format!(
                "the defence point with ROC-AUC at most that and the best recall is {d} at strength {} (ROC-AUC {:.3}, recall {:.4})",
                p.strength, p.roc_auc_mean, p.recall_at_n_mean
            ),
            None => "no defence point reached a ROC-AUC that low".to_string(),
        };
        out.push(format!(
            "natural: {} epochs instead of {base_epochs} give ROC-AUC {:.3} and recall@{n} {:.4}; {cmp}",
            nat.epochs, nat.roc_auc_mean, nat.recall_at_n_mean
        ));
    }
    out
}

/// What the DP guarantee says about the measured attack.
fn dp_notes(c: &DefenceCurve, strongest: &FrontierPoint, popular: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = strongest.privacy.first() else {
        return out;
    };
    let eps = strongest.epsilon_mean.unwrap_or(first.epsilon);
    // (ε, δ)-DP bounds any test: TPR ≤ e^ε·FPR + δ.
    let bound = (libm::exp(eps) * 0.01 + first.delta).min(1.0);
    let bound_text = if bound >= 1.0 {
        "allows any TPR at 1% FPR: no practical bound".to_string()
    } else {
        format!("bounds TPR at 1% FPR by {bound:.3}")
    };
    out.push(format!(
        "dp-sgd at strength {} (noise multiplier {}): ε = {eps:.2} at δ = {:.1e}, which {bound_text}; measured TPR at 1% FPR {:.3}",
        strongest.strength,
        fmt_value(strongest.parameter_value),
        first.delta,
        strongest.tpr_at_1pct_mean
    ));
    if popular {
        out.push(format!(
            "dp-sgd: under protocol popular ROC-AUC stays at {:.3} at ε = {eps:.2}: members get personal lists and non-members the popularity list, which tells them apart whatever ε",
            strongest.roc_auc_mean
        ));
    } else if let Some(loose) = c
        .points
        .iter()
        .filter(|p| p.strength > 0.0 && p.roc_auc_mean < 0.55)
        .filter(|p| p.epsilon_mean.is_some_and(|e| libm::exp(e) * 0.01 >= 1.0))
        .min_by(|a, b| a.strength.total_cmp(&b.strength))
    {
        out.push(format!(
            "dp-sgd: ROC-AUC is already {:.3} at strength {} where ε = {:.1} promises nothing: the drop is what noise, clipping and refitting members like new users do to this model, not something ε guarantees",
            loose.roc_auc_mean,
            loose.strength,
            loose.epsilon_mean.unwrap_or(f64::NAN)
        ));
    }
    out
}

/// A parameter value in short form (3 significant digits).
fn fmt_value(v: f64) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}
