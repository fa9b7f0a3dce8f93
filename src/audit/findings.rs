//! An audit's warnings (numbers that mean little, input that was skipped, a shadow that imitates
//! the service badly) and takeaways (what the numbers say, in sentences), from the report's own
//! numbers. The attack warnings are a run's (`eval::warnings::attack_warnings`) with the MLP as
//! the audit's own attack.

use std::collections::BTreeMap;

use super::report::AuditReport;
use super::resolve::AuditLists;
use crate::attack::suite::Scored;
use crate::attack::AttackKind;
use crate::config::Protocol;
use crate::eval::bootstrap::{indistinguishable_from_chance, within_noise};
use crate::eval::warnings::{attack_warnings, MIN_USERS_PER_CLASS};
use crate::report::AttackSummary;

/// Share of the audited users who must share one list for a service to look like it serves
/// non-members the popularity list (protocol popular): under popular every non-member gets it.
const SHARED_LIST: f64 = 0.1;

/// Every warning of an audit.
pub(crate) fn warnings(
    r: &AuditReport,
    lists: &AuditLists,
    scored: &BTreeMap<AttackKind, Scored>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(w) = lists.skipped.warning(&lists.file) {
        out.push(w);
    }
    let a = &r.audited;
    if a.labelled > 0 && a.labelled < a.users {
        out.push(format!(
            "{} of the {} audited users have no member label: ROC-AUC and TPR are measured on the {} labelled ones",
            a.users - a.labelled,
            a.users,
            a.labelled
        ));
    }
    if a.labelled > 0 && (a.members == 0 || a.non_members == 0) {
        out.push(format!(
            "the {} labelled users are all {}: no ROC can be drawn without both classes (each user's risk and rank are still given)",
            a.labelled,
            if a.members == 0 { "non-members" } else { "members" }
        ));
    } else if a.labelled > 0 && a.members.min(a.non_members) < MIN_USERS_PER_CLASS {
        out.push(format!(
            "only {} labelled members and {} non-members (fewer than {MIN_USERS_PER_CLASS} per class): the attack's numbers mean little",
            a.members, a.non_members
        ));
    }
    let top_n = r.config.top_n as usize;
    if a.list_length[1] != top_n {
        out.push(format!(
            "the audited lists hold {} items (median) but the attacker's shadow serves lists of {top_n}: set top_n to the service's list length so the shadow imitates it",
            a.list_length[1]
        ));
    }
    if let Some(w) = protocol_warning(r, lists) {
        out.push(w);
    }
    let u = &r.shadow.utility;
    if u.heldout_interactions > 0 && u.recall_at_n <= u.random_recall_at_n {
        out.push(format!(
            "the shadow recommender ({}) does no better than a random list (recall@{top_n} {:.4} vs {:.4}): the attacker's imitation learnt nothing, so the MLP and the references calibrate on noise",
            r.shadow.recommender, u.recall_at_n, u.random_recall_at_n
        ));
    }
    if let (Some(strongest), Some(mlp)) = (&r.strongest, scored.get(&AttackKind::Mlp)) {
        // The run's check of its own attack against the shadow-free baselines: here, the MLP
        // against the statistics (lira is no baseline).
        let baselines: BTreeMap<String, AttackSummary> = scored
            .iter()
            .filter(|(k, _)| k.shadow_free())
            .map(|(k, s)| (k.id().to_string(), s.summary.clone()))
            .collect();
        // The audited service's own hold-out is unknown: the run's note on it does not apply,
        // nor does its check of the target's recall (nothing is measured: heldout 0).
        let cfg = crate::Config {
            holdout: 0.0,
            ..r.config.clone()
        };
        out.extend(attack_warnings(
            &cfg,
            &mlp.summary,
            &baselines,
            strongest,
            a.non_members,
            &crate::eval::utility::UtilityCounter::default().finish(1, None),
        ));
    }
    out
}

/// A shadow served under one protocol imitates a service that serves under the other badly:
/// under `popular` every non-member of the service gets one list, so many audited users share it.
fn protocol_warning(r: &AuditReport, lists: &AuditLists) -> Option<String> {
    let mut sorted: Vec<&Vec<u32>> = lists.lists.iter().collect();
    crate::order::sort_by(&mut sorted, Ord::cmp);
    let mut most = 0;
    let mut run = 0;
    for i in 0..sorted.len() {
        run = if i > 0 && sorted[i] == sorted[i - 1] {
            run + 1
        } else {
            1
        };
        most = most.max(run);
    }
    let share = most as f64 / sorted.len() as f64;
    let n = sorted.len();
    match r.config.protocol {
        Protocol::Popular if n >= 20 && most < 2 => Some(format!(
            "no two of the {n} audited lists are the same, but the shadow serves protocol popular (every non-member the one popularity list): a service that folds new users in is imitated with protocol fold-in"
        )),
        Protocol::FoldIn if share >= SHARED_LIST && most >= 2 => Some(format!(
            "{most} of the {n} audited users got the very same list, as under protocol popular (every non-member the popularity list), but the shadow folds non-members in: set protocol popular to imitate that service"
        )),
        _ => None,
    }
}

fn ci(i: [f64; 2]) -> String {
    format!("{:.3}–{:.3}", i[0], i[1])
}

/// What an audit says, in sentences.
pub(crate) fn takeaways(r: &AuditReport) -> Vec<String> {
    let mut out = Vec::new();
    let a = &r.audited;
    match &r.strongest {
        Some(s) => {
            let chance = if indistinguishable_from_chance(s.ci95.roc_auc) {
                "; that cannot be told from chance"
            } else {
                ""
            };
            out.push(format!(
                "On the {} labelled audited users, the strongest attack an outsider could run, {}, reaches ROC-AUC {:.3} (95% {}){chance}.",
                a.labelled,
                s.attack.id(),
                s.roc_auc,
                ci(s.ci95.roc_auc)
            ));
            out.push(match s.tpr_at_1pct {
                Some(t) => format!(
                    "Accusing at most 1% of the {} labelled non-members, it names {} of {} members ({:.1}%).",
                    a.non_members,
                    (t * a.members as f64).round(),
                    a.members,
                    100.0 * t
                ),
                None => format!(
                    "With {} labelled non-members a 1% false-positive rate cannot be measured (one person is {:.1}%).",
                    a.non_members,
                    100.0 / a.non_members.max(1) as f64
                ),
            });
        }
        None => out.push(
            "Without member labels for both classes the audit cannot measure how well the attacks succeed: it ranks the users by risk instead."
                .into(),
        ),
    }
    match r.risk.roc_auc_on_references {
        Some(auc) => out.push(format!(
            "The risk ranks follow {}, the strongest attack on the attacker's own reference models (ROC-AUC {auc:.3} there).",
            r.risk.attack.id()
        )),
        None => out.push(format!(
            "The risk ranks follow {} (no attack could be judged on the reference models).",
            r.risk.attack.id()
        )),
    }
    if let Some(line) = slice_takeaway(r) {
        out.push(line);
    }
    out
}

/// The quartiles of activity that differ most, when their intervals are apart.
fn slice_takeaway(r: &AuditReport) -> Option<String> {
    let s = &r.slices.activity;
    let (lo, hi) = (s.first()?, s.last()?);
    let (Some(a), Some(b)) = (lo.roc_auc, hi.roc_auc) else {
        return None;
    };
    let (Some(ca), Some(cb)) = (&lo.ci95, &hi.ci95) else {
        return None;
    };
    let verdict = if within_noise(ca.roc_auc, cb.roc_auc) {
        "within noise of each other"
    } else if b > a {
        "the most active users are the more exposed"
    } else {
        "the least active users are the more exposed"
    };
    Some(format!(
        "Least active quarter (≤ {:.0} items) ROC-AUC {a:.3} (95% {}), most active (≥ {:.0} items) {b:.3} (95% {}): {verdict}.",
        lo.range[1],
        ci(ca.roc_auc),
        hi.range[0],
        ci(cb.roc_auc)
    ))
}
