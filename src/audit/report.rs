//! What an audit reports (the JSON `memberlens audit --json` prints, the wasm `Audit.result()`,
//! and every number of the HTML report), and how it is computed from the attacks' scores:
//!
//! - with labels (`member` true/false for some audited users, both classes): every attack's
//!   ROC-AUC, TPR at low FPR and bootstrap intervals on the labelled users (`attack::suite`, so
//!   each number is the one a run computes for the same scores and labels), and the strongest;
//! - always: each audited user's risk and rank, from the attack strongest on the attacker's own
//!   data (the mean ROC-AUC over the reference models' users, `calibrate.rs`), ties ranked by the
//!   next strongest attack's score and then by user id — no tie is broken at random;
//! - who is exposed (`exposure.rs`), warnings and takeaways.

use std::collections::BTreeMap;

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use super::exposure::{self, Exposed, Slices};
use super::resolve::AuditLists;
use crate::attack::suite::{self, Scored};
use crate::attack::{Attack, AttackFit, AttackInput, AttackKind, Orientation};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::eval::bootstrap::Ci95;
use crate::eval::utility::Utility;
use crate::eval::Roc;
use crate::report::{Strongest, TprAtFpr};

/// The result of an audit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub audited: Audited,
    /// Every attack that ran, by name.
    pub attacks: BTreeMap<String, AuditAttack>,
    /// The highest ROC-AUC on the audited users' labels; `null` without both classes.
    pub strongest: Option<Strongest>,
    /// Which attack gives the risk scores, and why.
    pub risk: RiskBasis,
    /// Every audited user, in the file's order.
    pub users: Vec<UserRisk>,
    pub slices: Slices,
    /// The most exposed users (risk ranks 1 … 20), each with the reason from their own numbers.
    pub exposed: Vec<Exposed>,
    /// Attacks that could not run, and why.
    pub not_run: Vec<NotRun>,
    pub shadow: ShadowReport,
    pub references: ReferencesReport,
    pub counts: DataCounts,
    pub config: Config,
    pub warnings: Vec<String>,
    pub takeaways: Vec<String>,
    pub timings_ms: BTreeMap<String, f64>,
}

/// Who was audited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audited {
    pub users: usize,
    /// Users with a `member` label, and how many of them are members / non-members.
    pub labelled: usize,
    pub members: usize,
    pub non_members: usize,
    /// 1 / labelled non-members: the smallest FPR other than 0 the labels can measure.
    pub min_nonzero_fpr: Option<f64>,
    /// Shortest, median and longest list.
    pub list_length: [usize; 3],
    pub new_user_list: bool,
    pub reference_lists: bool,
    /// What `skip_unknown` dropped: item ids, and users.
    pub skipped_items: usize,
    pub skipped_users: usize,
}

/// One attack's numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditAttack {
    /// On the labelled audited users (`null` without both classes).
    pub roc_auc: Option<f64>,
    pub tpr_at_1pct: Option<f64>,
    pub tpr_at_fpr: Option<TprAtFpr>,
    pub attacker_advantage: Option<f64>,
    pub ci95: Option<Ci95>,
    /// The ROC drawn (thinned, `thin_roc`; `roc_auc` is the whole curve's).
    pub roc: Option<Roc>,
    pub oriented_on: Orientation,
    pub flipped: bool,
    /// Mean ROC-AUC over the reference models' users: the attacker's own measure of it.
    pub roc_auc_on_references: Option<f64>,
}

/// The attack the risks come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskBasis {
    pub attack: AttackKind,
    pub roc_auc_on_references: Option<f64>,
    /// Every attack, strongest on the references first: ties in risk go to the next one's score.
    pub order: Vec<AttackKind>,
}

/// One audited user's risk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRisk {
    pub user: u64,
    /// The risk attack's score (larger = more likely a member).
    pub risk: f64,
    /// 1 = the most exposed; 1 … n, no two users share one.
    pub rank: usize,
    pub member: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotRun {
    pub attack: AttackKind,
    pub reason: String,
}

/// The attacker's shadow service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShadowReport {
    pub recommender: String,
    pub members: usize,
    pub non_members: usize,
    pub utility: Utility,
    /// The MLP's fit on it.
    pub fit: Option<AttackFit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferencesReport {
    pub count: u32,
    pub offline: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataCounts {
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
}

/// Everything the evaluation reads.
pub(crate) struct Evaluated<'a> {
    pub data: &'a Dataset,
    pub cfg: &'a Config,
    pub lists: &'a AuditLists,
    pub input: &'a AttackInput<'a>,
    /// Every attack that ran, in `AttackKind::ALL` order.
    pub attacks: &'a [(AttackKind, &'a dyn Attack)],
    /// Each attack's mean ROC-AUC on the references.
    pub own: &'a BTreeMap<AttackKind, f64>,
    pub lira_missing: bool,
    pub shadow_utility: Utility,
    pub shadow_fit: Option<AttackFit>,
    pub shadow_counts: (usize, usize),
    pub references: u32,
    pub timings: BTreeMap<String, f64>,
}

/// Points of a drawn ROC curve at most (every point below 1 % FPR is kept).
pub const ROC_POINTS: usize = 512;

/// The ROC thinned for drawing: a point is kept when FPR or TPR moved by at least 1 / `ROC_POINTS`
/// since the last kept one, or its FPR is at most 1 % (the low-FPR end, drawn on log axes), and
/// the last point always.
pub fn thin_roc(roc: &Roc) -> Roc {
    let step = 1.0 / ROC_POINTS as f64;
    let mut out = Roc {
        fpr: Vec::new(),
        tpr: Vec::new(),
        thresholds: Vec::new(),
    };
    let n = roc.fpr.len();
    for i in 0..n {
        let keep = match (out.fpr.last(), out.tpr.last()) {
            (Some(&f), Some(&t)) => {
                i + 1 == n || roc.fpr[i] <= 0.01 || roc.fpr[i] - f >= step || roc.tpr[i] - t >= step
            }
            _ => true,
        };
        if keep {
            out.fpr.push(roc.fpr[i]);
            out.tpr.push(roc.tpr[i]);
            out.thresholds.push(roc.thresholds[i]);
        }
    }
    out
}

/// The audited users with a label (their indices) and their labels.
fn labelled(members: &[Option<bool>]) -> (Vec<usize>, Vec<bool>) {
    let idx: Vec<usize> = (0..members.len())
        .filter(|&i| members[i].is_some())
        .collect();
    let labels = idx.iter().map(|&i| members[i] == Some(true)).collect();
    (idx, labels)
}

/// The owned pieces of an input restricted to some users.
struct Subset {
    lists: Vec<Vec<u32>>,
    features: ndarray::Array2<f32>,
    clones: Option<Vec<Vec<u32>>>,
}

impl Subset {
    fn of(input: &AttackInput, idx: &[usize]) -> Subset {
        Subset {
            lists: idx.iter().map(|&i| input.lists[i].clone()).collect(),
            features: input.features.select(Axis(0), idx),
            clones: input
                .clone_lists
                .map(|c| idx.iter().map(|&i| c[i].clone()).collect()),
        }
    }

    fn input<'a>(&'a self, full: &AttackInput<'a>, idx: &[usize]) -> AttackInput<'a> {
        AttackInput {
            histories: idx.iter().map(|&i| full.histories[i]).collect(),
            lists: &self.lists,
            features: &self.features,
            new_user_list: full.new_user_list,
            clone_lists: self.clones.as_deref(),
        }
    }
}

/// The report of an evaluated audit.
pub(crate) fn build(e: &Evaluated) -> Result<AuditReport> {
    let n = e.lists.users.len();
    // Every attack's score of every audited user.
    let mut scores: BTreeMap<AttackKind, Vec<f64>> = BTreeMap::new();
    for (kind, attack) in e.attacks {
        let s = attack.score(e.input);
        if let Some(i) = s.iter().position(|v| !v.is_finite()) {
            return Err(Error::Data(format!(
                "the {} attack's score of audited user {} (line {}) is not finite: lower attack_lr",
                kind.id(),
                e.data.user_ids[e.lists.users[i] as usize],
                e.lists.lines[i]
            )));
        }
        scores.insert(*kind, s);
    }
    let (idx, labels) = labelled(&e.lists.members);
    let both = labels.contains(&true) && labels.contains(&false);
    let mut scored: BTreeMap<AttackKind, Scored> = BTreeMap::new();
    if both {
        let subset = (idx.len() < n).then(|| Subset::of(e.input, &idx));
        let sub_input = subset.as_ref().map(|s| s.input(e.input, &idx));
        let target = sub_input.as_ref().unwrap_or(e.input);
        for (kind, attack) in e.attacks {
            scored.insert(
                *kind,
                suite::score(*kind, *attack, target, &labels, e.cfg.seed)?,
            );
        }
    }
    let strongest = both.then(|| {
        let all: Vec<(AttackKind, crate::report::AttackSummary)> = scored
            .iter()
            .map(|(k, s)| (*k, s.summary.clone()))
            .collect();
        suite::strongest(&all)
    });
    let mut attacks = BTreeMap::new();
    for (kind, attack) in e.attacks {
        let (oriented_on, flipped) = attack.orientation();
        let s = scored.get(kind);
        attacks.insert(
            kind.id().to_string(),
            AuditAttack {
                roc_auc: s.map(|s| s.summary.roc_auc),
                tpr_at_1pct: s.and_then(|s| s.eval.tpr_at_1pct()),
                tpr_at_fpr: s.map(|s| s.summary.tpr_at_fpr.clone()),
                attacker_advantage: s.map(|s| s.summary.attacker_advantage),
                ci95: s.map(|s| s.summary.ci95.clone()),
                roc: s.map(|s| thin_roc(&s.eval.roc)),
                oriented_on,
                flipped,
                roc_auc_on_references: e.own.get(kind).copied(),
            },
        );
    }
    let risk = risk_basis(e.attacks, e.own);
    let ranks = ranks(&scores, &risk.order, e);
    let users: Vec<UserRisk> = (0..n)
        .map(|i| UserRisk {
            user: e.data.user_ids[e.lists.users[i] as usize],
            risk: scores[&risk.attack][i],
            rank: ranks[i],
            member: e.lists.members[i],
        })
        .collect();
    let slice_attack = strongest.as_ref().map(|s| s.attack);
    let ex = exposure::Exposure::new(e.data, e.lists, e.input, &scores, &users);
    let slices = ex.slices(slice_attack, e.cfg.seed);
    let exposed = ex.most_exposed(&risk, e.attacks);
    let mut lengths: Vec<usize> = e.lists.lists.iter().map(Vec::len).collect();
    crate::order::usizes(&mut lengths);
    let members = labels.iter().filter(|&&l| l).count();
    let non_members = labels.len() - members;
    let audited = Audited {
        users: n,
        labelled: labels.len(),
        members,
        non_members,
        min_nonzero_fpr: (non_members > 0).then(|| 1.0 / non_members as f64),
        list_length: [lengths[0], lengths[n / 2], lengths[n - 1]],
        new_user_list: e.lists.new_user_list.is_some(),
        reference_lists: e.lists.reference_lists.is_some(),
        skipped_items: e.lists.skipped.items,
        skipped_users: e.lists.skipped.users,
    };
    let not_run = not_run(e);
    let mut report = AuditReport {
        audited,
        attacks,
        strongest,
        risk,
        users,
        slices,
        exposed,
        not_run,
        shadow: ShadowReport {
            recommender: e.cfg.shadow_kind().id().to_string(),
            members: e.shadow_counts.0,
            non_members: e.shadow_counts.1,
            utility: e.shadow_utility.clone(),
            fit: e.shadow_fit.clone(),
        },
        references: ReferencesReport {
            count: e.references,
            offline: e.cfg.lira_offline,
        },
        counts: DataCounts {
            users: e.data.n_users(),
            items: e.data.n_items(),
            interactions: e.data.n_interactions(),
        },
        config: e.cfg.clone(),
        warnings: Vec::new(),
        takeaways: Vec::new(),
        timings_ms: e.timings.clone(),
    };
    report.warnings = super::findings::warnings(&report, e.lists, &scored);
    report.takeaways = super::findings::takeaways(&report);
    Ok(report)
}

/// Attacks ordered by their ROC-AUC on the references (ties and attacks never judged there go
/// in `AttackKind::ALL` order, after the judged ones); the first gives the risks.
fn risk_basis(attacks: &[(AttackKind, &dyn Attack)], own: &BTreeMap<AttackKind, f64>) -> RiskBasis {
    let mut order: Vec<AttackKind> = attacks.iter().map(|(k, _)| *k).collect();
    crate::order::sort_by(&mut order, |a, b| match (own.get(a), own.get(b)) {
        (Some(x), Some(y)) => y.total_cmp(x).then(a.index().cmp(&b.index())),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.index().cmp(&b.index()),
    });
    RiskBasis {
        attack: order[0],
        roc_auc_on_references: own.get(&order[0]).copied(),
        order,
    }
}

/// Ranks 1 … n: by the risk attack's score (highest first), ties by each next attack of `order`,
/// then by user id.
fn ranks(
    scores: &BTreeMap<AttackKind, Vec<f64>>,
    order: &[AttackKind],
    e: &Evaluated,
) -> Vec<usize> {
    let n = e.lists.users.len();
    let id = |i: usize| e.data.user_ids[e.lists.users[i] as usize];
    let idx = crate::order::positions_by(n, &|a, b| {
        order
            .iter()
            .map(|k| scores[k][b].total_cmp(&scores[k][a]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(id(a).cmp(&id(b)))
    });
    let mut rank = vec![0; n];
    for (r, &i) in idx.iter().enumerate() {
        rank[i] = r + 1;
    }
    rank
}

fn not_run(e: &Evaluated) -> Vec<NotRun> {
    let mut v = Vec::new();
    if e.lists.new_user_list.is_none() {
        v.push(NotRun {
            attack: AttackKind::NewUserList,
            reason: "no *new* record: the list a new account without history gets".into(),
        });
    }
    if e.lists.reference_lists.is_none() {
        v.push(NotRun {
            attack: AttackKind::ReferenceList,
            reason: "no reference_list: the list a new account holding a copy of each user's history gets".into(),
        });
    }
    if e.lira_missing {
        v.push(NotRun {
            attack: AttackKind::Lira,
            reason: "the reference models gave no member and non-member samples to compare (too few audited users?)".into(),
        });
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thinned_roc_keeps_its_ends_and_the_low_fpr_points() {
        let n = 5000;
        let fpr: Vec<f64> = (0..=n).map(|i| i as f64 / n as f64).collect();
        let roc = Roc {
            tpr: fpr.iter().map(|f| f.sqrt()).collect(),
            thresholds: (0..=n).map(|i| -(i as f64)).collect(),
            fpr,
        };
        let t = thin_roc(&roc);
        assert!(t.fpr.len() < 2 * ROC_POINTS + 60, "{}", t.fpr.len());
        assert_eq!((t.fpr[0], t.tpr[0]), (0.0, 0.0));
        assert_eq!((*t.fpr.last().unwrap(), *t.tpr.last().unwrap()), (1.0, 1.0));
        // every point at FPR ≤ 1 % is there
        assert_eq!(t.fpr.iter().filter(|&&f| f <= 0.01).count(), 51);
        // the thinned curve's area is within 1e-3 of the whole
        assert!((t.auc() - roc.auc()).abs() < 1e-3);
        let small = Roc {
            fpr: vec![0.0, 0.5, 1.0],
            tpr: vec![0.0, 1.0, 1.0],
            thresholds: vec![3.0, 2.0, 1.0],
        };
        assert_eq!(thin_roc(&small), small);
    }
}
