//! A frontier panel's findings, written from its own numbers (means over its seeds, with their
//! 95 % intervals): at most six short lines in plain words — the undefended service, each defence
//! at its strongest setting, and what it costs to stop the attack — plus, under protocol `popular`,
//! the one sentence the chart shows when the new-user list decides everything.
//!
//! Every number is the strongest attack's (the highest ROC-AUC of the attacks the run ran, each
//! oriented on the attacker's own data). A change inside the intervals is "within noise"
//! (`eval::bootstrap::within_noise`); a point whose interval holds 0.5 is "at chance".

use super::frontier_report::{FrontierPanel, FrontierPoint};
use crate::attack::AttackKind;
use crate::config::{Config, Protocol};
use crate::defence::DefenceKind;
use crate::eval::bootstrap::{indistinguishable_from_chance, within_noise, Interval};

/// Widest interval that still says something about chance: a 2-seed Student-t interval
/// (t = 12.7) holds 0.5 for almost any mean, and "at chance (0.726)" would read wrong.
const INFORMATIVE_WIDTH: f64 = 0.2;

/// At chance: the interval holds 0.5 and is narrow enough to mean it.
fn at_chance(i: Interval) -> bool {
    indistinguishable_from_chance(i) && i[1] - i[0] <= INFORMATIVE_WIDTH
}

/// The interval is too wide to tell anything from chance.
fn too_wide(i: Interval) -> bool {
    i[1] - i[0] > INFORMATIVE_WIDTH
}

/// Most lines a panel's notes hold.
pub const MAX_NOTES: usize = 6;

/// (the chart's sentence, the notes) of one panel.
pub fn notes(p: &FrontierPanel, base: &Config) -> (Option<String>, Vec<String>) {
    let mut out = Vec::new();
    let u = &p.undefended.over;
    let pop = p.popularity_recall_at_n;
    let n = base.top_n;
    let who = if base.attacker_knows_defence && base.attack.needs_shadow() {
        "an attacker who knows the defence"
    } else {
        "an attacker whose shadow is undefended"
    };
    out.push(format!(
        "Undefended, the strongest attack ({}) reaches ROC-AUC {:.3} [{:.3}–{:.3}]; members' recall@{n} is {:.3} (popularity list {pop:.3}).",
        u.strongest_attack.id(),
        u.strongest_roc_auc_mean,
        u.strongest_roc_auc_ci95[0],
        u.strongest_roc_auc_ci95[1],
        p.undefended.recall_at_n_mean
    ));
    for c in &p.defences {
        let Some(top) = c
            .points
            .iter()
            .filter(|q| q.strength > 0.0)
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
        else {
            continue;
        };
        let s = &top.over;
        let change = if within_noise(s.strongest_roc_auc_ci95, u.strongest_roc_auc_ci95) {
            "within noise of undefended".to_string()
        } else if s.strongest_roc_auc_mean < u.strongest_roc_auc_mean {
            "down".to_string()
        } else {
            "up".to_string()
        };
        let chance = if at_chance(s.strongest_roc_auc_ci95) {
            ", at chance"
        } else if too_wide(s.strongest_roc_auc_ci95) {
            ", too few seeds to tell from chance"
        } else {
            ""
        };
        let eps = top
            .epsilon_mean
            .map(|e| format!(" (ε {e:.1})"))
            .unwrap_or_default();
        let below = if top.recall_at_n_mean < pop {
            ", below the popularity list"
        } else {
            ""
        };
        out.push(format!(
            "{} at strength {}{eps}: strongest attack {:.3} ({change}{chance}), recall {:.3}{below}.",
            c.defence.id(),
            top.strength,
            s.strongest_roc_auc_mean,
            top.recall_at_n_mean
        ));
    }
    // The natural curve's lesson under each init, when the defences leave room for it.
    if out.len() < MAX_NOTES - 1 {
        if let Some(line) = natural_note(p) {
            out.push(line);
        }
    }
    out.push(verdict(p, who));
    if out.len() > MAX_NOTES {
        // Keep the first line and the verdict; drop defence lines from the end.
        let last = out.pop().expect("verdict");
        out.truncate(MAX_NOTES - 1);
        out.push(last);
    }
    (chart_note(p), out)
}

/// Training longer, undefended, under each initialisation (`init`): which way the strongest attack
/// moves from the fewest to the most epochs, and whether the two inits agree — a lesson that holds
/// under one init only is a lesson about the initialisation.
fn natural_note(p: &FrontierPanel) -> Option<String> {
    let mut inits: Vec<crate::config::Init> = Vec::new();
    for q in &p.natural {
        if !inits.contains(&q.init) {
            inits.push(q.init);
        }
    }
    let mut parts = Vec::new();
    let mut ways = Vec::new();
    let mut span = (0, 0);
    for &init in &inits {
        let pts: Vec<_> = p.natural.iter().filter(|q| q.init == init).collect();
        let lo = pts.iter().min_by_key(|q| q.epochs)?;
        let hi = pts.iter().max_by_key(|q| q.epochs)?;
        if lo.epochs == hi.epochs {
            return None;
        }
        span = (lo.epochs, hi.epochs);
        let (a, b) = (&lo.over, &hi.over);
        let way = if within_noise(a.strongest_roc_auc_ci95, b.strongest_roc_auc_ci95) {
            "stays within noise"
        } else if b.strongest_roc_auc_mean > a.strongest_roc_auc_mean {
            "rises"
        } else {
            "falls"
        };
        ways.push(way);
        parts.push(format!(
            "{way} with {} factors ({:.3} → {:.3}, recall {:.3} → {:.3})",
            init.id(),
            a.strongest_roc_auc_mean,
            b.strongest_roc_auc_mean,
            lo.recall_at_n_mean,
            hi.recall_at_n_mean
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let agree = match ways.as_slice() {
        [a, b] if a == b => ": the same under both inits",
        [_, _] => ": this lesson depends on the initialisation",
        _ => "",
    };
    Some(format!(
        "Training longer ({} → {} epochs, undefended), the strongest attack {}{agree}.",
        span.0,
        span.1,
        parts.join(", ")
    ))
}

/// What it costs to stop the attack: the defence point with the best recall among those where
/// the strongest attack is at chance; else the lowest strongest attack, and what it cost.
fn verdict(p: &FrontierPanel, who: &str) -> String {
    let points: Vec<(DefenceKind, &FrontierPoint)> = p
        .defences
        .iter()
        .flat_map(|c| c.points.iter().map(move |q| (c.defence, q)))
        .filter(|(_, q)| q.strength > 0.0)
        .collect();
    let pop = p.popularity_recall_at_n;
    let stopped = points
        .iter()
        .filter(|(_, q)| at_chance(q.over.strongest_roc_auc_ci95))
        .max_by(|a, b| a.1.recall_at_n_mean.total_cmp(&b.1.recall_at_n_mean));
    if let Some((d, q)) = stopped {
        let cost = if q.recall_at_n_mean < pop {
            format!(
                "recall {:.3}, below the popularity list's {pop:.3}: stopping {who} costs more than personalisation is worth",
                q.recall_at_n_mean
            )
        } else {
            format!(
                "recall {:.3} (popularity list {pop:.3})",
                q.recall_at_n_mean
            )
        };
        return format!(
            "To stop {who}: {} at strength {} brings the strongest attack to chance ({:.3}) with {cost}.",
            d.id(),
            q.strength,
            q.over.strongest_roc_auc_mean
        );
    }
    let lowest = points.iter().min_by(|a, b| {
        a.1.over
            .strongest_roc_auc_mean
            .total_cmp(&b.1.over.strongest_roc_auc_mean)
    });
    match lowest {
        Some((d, q)) if too_wide(q.over.strongest_roc_auc_ci95) => format!(
            "Too few seeds to say whether any defence stops {who}: the lowest strongest attack is {:.3} ({} at strength {}, recall {:.3}), with an interval wider than {INFORMATIVE_WIDTH}.",
            q.over.strongest_roc_auc_mean,
            d.id(),
            q.strength,
            q.recall_at_n_mean
        ),
        Some((d, q)) => format!(
            "No defence here stops {who}: the lowest strongest attack is {:.3} ({} at strength {}, recall {:.3}).",
            q.over.strongest_roc_auc_mean,
            d.id(),
            q.strength,
            q.recall_at_n_mean
        ),
        None => "Only strength 0 was run: the undefended service.".into(),
    }
}

/// Under protocol `popular`, when the new-user list decides: every non-member gets the list a new
/// user gets, so "this is not that list" finds every member, and a defence that leaves
/// non-members' lists alone cannot lower it.
fn chart_note(p: &FrontierPanel) -> Option<String> {
    if p.protocol != Protocol::Popular {
        return None;
    }
    let u = &p.undefended.over;
    let decided = |o: &crate::eval::seeds::OverSeeds| {
        o.strongest_attack == AttackKind::NewUserList && o.strongest_roc_auc_mean >= 0.99
    };
    if !decided(u) {
        return None;
    }
    let untouched: Vec<&str> = p
        .defences
        .iter()
        .filter(|c| c.points.iter().all(|q| decided(&q.over)))
        .map(|c| c.defence.id())
        .collect();
    let which = if untouched.is_empty() {
        String::new()
    } else {
        format!(" ({})", untouched.join(", "))
    };
    Some(format!(
        "Under the paper's protocol every non-member gets the list a new user gets, so \"this is not that list\" finds members (ROC-AUC {:.3}): a defence that leaves non-members' lists alone{which} cannot lower it.",
        u.strongest_roc_auc_mean
    ))
}
