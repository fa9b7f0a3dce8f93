//! Who is exposed: the audit's numbers sliced by user activity (quartiles of history length) and by
//! how mainstream a user's taste is (quartiles of the mean popularity of the items they rated,
//! popularity = how many users of the ratings rated the item), and the most exposed users with a
//! reason taken from their own numbers.
//!
//! A quartile is a quarter of the audited users ordered by the key (ties by the file's order), so
//! the four hold n/4 users each. Per quartile: the risk ranks (their mean percentile, the share in
//! the top tenth) always, and with labels the strongest attack's ROC-AUC, TPR at 1 % FPR and
//! bootstrap interval on that quartile's labelled users (`rng::Stream::Bootstrap` sub-streams
//! `SLICE_STREAMS` + 4 × dimension + quartile, apart from the attacks' 0 … 5).
//!
//! A most exposed user's reason is the statistic on which they stand out most among the audited
//! users (the highest percentile of its oriented score): the share of their list they rated, the
//! share of it on the list a new account gets or their copy gets, or how close their list sits
//! to their history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::report::{RiskBasis, UserRisk};
use super::resolve::AuditLists;
use crate::attack::list_distance::list_distance;
use crate::attack::overlap::overlap_share;
use crate::attack::{Attack, AttackInput, AttackKind};
use crate::data::Dataset;
use crate::eval::bootstrap::{ci95, Ci95, BOOTSTRAP_RESAMPLES};
use crate::report::AttackScores;
use crate::rng::{rng_for_index, Stream};

/// First bootstrap sub-stream of the slices.
pub const SLICE_STREAMS: u32 = 64;
/// How many of the most exposed users the report names.
pub const MOST_EXPOSED: usize = 20;

/// One quartile of one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slice {
    /// 1 = the lowest quarter of the key.
    pub quartile: u8,
    /// The key's smallest and largest value in the quartile.
    pub range: [f64; 2],
    pub users: usize,
    /// Labelled members and non-members in it.
    pub members: usize,
    pub non_members: usize,
    /// The strongest attack on them (`null` without both classes).
    pub roc_auc: Option<f64>,
    pub tpr_at_1pct: Option<f64>,
    pub ci95: Option<Ci95>,
    /// Mean percentile of their risk ranks among all audited users (100 = the most exposed).
    pub mean_risk_percentile: f64,
    /// Share of them among the most exposed tenth.
    pub top_tenth: f64,
}

/// Both dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slices {
    /// By history length (items rated).
    pub activity: Vec<Slice>,
    /// By mean item popularity (users who rated each item of the history).
    pub popularity: Vec<Slice>,
    /// The attack the ROC-AUCs are of (the strongest), `null` without labels.
    pub attack: Option<AttackKind>,
}

/// One of the most exposed users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exposed {
    pub user: u64,
    pub rank: usize,
    pub risk: f64,
    pub member: Option<bool>,
    pub history_length: usize,
    pub mean_popularity: f64,
    /// Where they stand out most, in words, from their own numbers.
    pub reason: String,
}

/// The per-user numbers the slices and reasons read.
pub(crate) struct Exposure<'a> {
    lists: &'a AuditLists,
    scores: &'a BTreeMap<AttackKind, Vec<f64>>,
    users: &'a [UserRisk],
    history_length: Vec<usize>,
    mean_popularity: Vec<f64>,
    /// The raw statistics behind the readable reasons.
    raw: BTreeMap<AttackKind, Vec<f64>>,
}

fn median(v: &[f64]) -> f64 {
    crate::attack::median(v)
}

impl<'a> Exposure<'a> {
    pub fn new(
        data: &Dataset,
        lists: &'a AuditLists,
        input: &AttackInput,
        scores: &'a BTreeMap<AttackKind, Vec<f64>>,
        users: &'a [UserRisk],
    ) -> Exposure<'a> {
        let mut popularity = vec![0u32; data.n_items()];
        for u in 0..data.n_users() {
            for &i in data.user_items(u) {
                popularity[i as usize] += 1;
            }
        }
        let histories = &input.histories;
        let history_length = histories.iter().map(|h| h.len()).collect();
        let mean_popularity = histories
            .iter()
            .map(|h| {
                let sum: f64 = h.iter().map(|&i| f64::from(popularity[i as usize])).sum();
                sum / h.len().max(1) as f64
            })
            .collect();
        let n = lists.users.len();
        let mut raw = BTreeMap::new();
        raw.insert(
            AttackKind::Overlap,
            (0..n)
                .map(|u| overlap_share(histories[u], &lists.lists[u]))
                .collect(),
        );
        raw.insert(
            AttackKind::Distance,
            input
                .features
                .rows()
                .into_iter()
                .map(|r| {
                    r.iter()
                        .map(|&v| f64::from(v) * f64::from(v))
                        .sum::<f64>()
                        .sqrt()
                })
                .collect(),
        );
        if let Some(new) = &lists.new_user_list {
            raw.insert(
                AttackKind::NewUserList,
                lists
                    .lists
                    .iter()
                    .map(|l| 1.0 - list_distance(l, new))
                    .collect(),
            );
        }
        if let Some(copies) = &lists.reference_lists {
            raw.insert(
                AttackKind::ReferenceList,
                lists
                    .lists
                    .iter()
                    .zip(copies)
                    .map(|(l, c)| 1.0 - list_distance(l, c))
                    .collect(),
            );
        }
        Exposure {
            lists,
            scores,
            users,
            history_length,
            mean_popularity,
            raw,
        }
    }

    /// Both dimensions' quartiles; `attack` (the strongest on the labels) gives the ROC-AUCs.
    pub fn slices(&self, attack: Option<AttackKind>, seed: u32) -> Slices {
        let lengths: Vec<f64> = self.history_length.iter().map(|&l| l as f64).collect();
        Slices {
            activity: self.quartiles(&lengths, attack, seed, 0),
            popularity: self.quartiles(&self.mean_popularity, attack, seed, 1),
            attack,
        }
    }

    fn quartiles(
        &self,
        key: &[f64],
        attack: Option<AttackKind>,
        seed: u32,
        dim: u32,
    ) -> Vec<Slice> {
        let n = key.len();
        let order = crate::order::lowest_first(key);
        let tenth = n.div_ceil(10);
        (0..4u8)
            .filter_map(|q| {
                let part = &order[q as usize * n / 4..(q as usize + 1) * n / 4];
                let (&first, &last) = (part.first()?, part.last()?);
                let percentile = |i: usize| {
                    if n > 1 {
                        100.0 * (n - self.users[i].rank) as f64 / (n - 1) as f64
                    } else {
                        100.0
                    }
                };
                let mean_risk_percentile =
                    part.iter().map(|&i| percentile(i)).sum::<f64>() / part.len() as f64;
                let top = part
                    .iter()
                    .filter(|&&i| self.users[i].rank <= tenth)
                    .count();
                let labelled: Vec<usize> = part
                    .iter()
                    .copied()
                    .filter(|&i| self.lists.members[i].is_some())
                    .collect();
                let labels: Vec<bool> = labelled
                    .iter()
                    .map(|&i| self.lists.members[i] == Some(true))
                    .collect();
                let members = labels.iter().filter(|&&l| l).count();
                let mut slice = Slice {
                    quartile: q + 1,
                    range: [key[first], key[last]],
                    users: part.len(),
                    members,
                    non_members: labels.len() - members,
                    roc_auc: None,
                    tpr_at_1pct: None,
                    ci95: None,
                    mean_risk_percentile,
                    top_tenth: top as f64 / part.len() as f64,
                };
                if let (Some(a), true) = (attack, members > 0 && slice.non_members > 0) {
                    let s: Vec<f64> = labelled.iter().map(|&i| self.scores[&a][i]).collect();
                    if let Ok(eval) = AttackScores::evaluate(&s, &labels, 0.0) {
                        slice.roc_auc = Some(eval.roc.auc());
                        slice.tpr_at_1pct = eval.tpr_at_1pct();
                    }
                    let mut rng = rng_for_index(
                        seed,
                        Stream::Bootstrap,
                        SLICE_STREAMS + 4 * dim + u32::from(q),
                    );
                    slice.ci95 = Some(ci95(&s, &labels, BOOTSTRAP_RESAMPLES, &mut rng));
                }
                Some(slice)
            })
            .collect()
    }

    /// The `MOST_EXPOSED` highest risk ranks, each with the statistic on which the user stands
    /// out most.
    pub fn most_exposed(
        &self,
        risk: &RiskBasis,
        attacks: &[(AttackKind, &dyn Attack)],
    ) -> Vec<Exposed> {
        let n = self.users.len();
        // Percentile of each user's oriented score, per readable statistic that ran.
        let readable: Vec<AttackKind> = attacks
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| self.raw.contains_key(k))
            .collect();
        let sorted: BTreeMap<AttackKind, Vec<f64>> = readable
            .iter()
            .map(|k| {
                let mut v = self.scores[k].clone();
                crate::order::f64s(&mut v);
                (*k, v)
            })
            .collect();
        let percentile = |k: AttackKind, x: f64| {
            let v = &sorted[&k];
            let below = v.partition_point(|&y| y < x);
            let equal = v.partition_point(|&y| y <= x) - below;
            100.0 * (below as f64 + 0.5 * equal as f64) / n as f64
        };
        let medians: BTreeMap<AttackKind, f64> =
            self.raw.iter().map(|(k, v)| (*k, median(v))).collect();
        let by_rank =
            crate::order::positions_by(n, &|a, b| self.users[a].rank.cmp(&self.users[b].rank));
        by_rank
            .into_iter()
            .take(MOST_EXPOSED)
            .map(|i| {
                let best = readable
                    .iter()
                    .map(|&k| (k, percentile(k, self.scores[&k][i])))
                    .fold(None::<(AttackKind, f64)>, |acc, x| match acc {
                        Some(a) if a.1 >= x.1 => Some(a),
                        _ => Some(x),
                    });
                let reason = match best {
                    Some((k, p)) => format!(
                        "{} ({} percentile of the {} attack; risk from {})",
                        self.phrase(k, i, medians[&k]),
                        ordinal(p.round() as u32),
                        k.id(),
                        risk.attack.id()
                    ),
                    None => format!("risk from {}", risk.attack.id()),
                };
                let u = &self.users[i];
                Exposed {
                    user: u.user,
                    rank: u.rank,
                    risk: u.risk,
                    member: u.member,
                    history_length: self.history_length[i],
                    mean_popularity: self.mean_popularity[i],
                    reason,
                }
            })
            .collect()
    }

    /// User `i`'s raw value of statistic `k`, in words, beside the audited users' median.
    fn phrase(&self, k: AttackKind, i: usize, median: f64) -> String {
        let x = self.raw[&k][i];
        let pct = |v: f64| format!("{:.0}%", 100.0 * v);
        match k {
            AttackKind::Overlap => format!(
                "{} of the list they were served are items they rated (audited median {})",
                pct(x),
                pct(median)
            ),
            AttackKind::NewUserList => format!(
                "{} of their list is on the list a new account gets (audited median {})",
                pct(x),
                pct(median)
            ),
            AttackKind::ReferenceList => format!(
                "{} of their list is on the list a new account with a copy of their history gets (audited median {})",
                pct(x),
                pct(median)
            ),
            _ => format!(
                "their list's centre sits {x:.3} from their history's centre in the attacker's item space (audited median {median:.3})"
            ),
        }
    }
}

/// 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, … 100th.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 43, 92, 100, 101, 111]
            .into_iter()
            .map(super::ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "43rd", "92nd",
                "100th", "101st", "111th"
            ]
        );
    }
}
