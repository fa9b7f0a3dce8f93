//! The attack family: one score contract for every attack (`Attack::score`: one number per user,
//! larger = more likely a member), the attacker's inputs (`AttackInput`: what a user of the service
//! can see), the attack names (`AttackKind`) and `build`. Metrics are computed once, outside every
//! attack (`crate::eval`). One file per attack; the attacker's own item vectors and user features
//! live beside them.

pub mod distance;
pub mod explain;
pub mod features;
pub mod item_vectors;
pub mod lira;
pub mod list_distance;
pub mod mlp;
pub mod network;
pub mod overlap;
pub mod suite;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::params::Protocol;

pub use distance::Distance;
pub use list_distance::{NewUserList, ReferenceList};
pub use mlp::{MlpAttack, MlpAttackParams};
pub use overlap::Overlap;

/// The attacks (config key `attack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackKind {
    /// The paper's: an MLP trained on shadow users' centroid-difference features.
    Mlp,
    /// Shadow-free: how close the history centroid sits to the list centroid (smaller = member).
    Distance,
    /// Shadow-free: the share of the list made of items the user interacted with.
    Overlap,
    /// Shadow-free: how far the user's list is from the list a new account without history gets
    /// (under protocol `popular`, the list every non-member gets).
    NewUserList,
    /// Shadow-free (after Chi et al., AAAI 2026): how far the user's list is from the list a new
    /// account holding a copy of the user's history gets from the same service.
    ReferenceList,
    /// Calibrated per user (LiRA, Carlini et al., S&P 2022): reference recommenders trained with
    /// and without each attacked user, a likelihood ratio of list statistics.
    Lira,
}

impl AttackKind {
    pub const ALL: [AttackKind; 6] = [
        AttackKind::Mlp,
        AttackKind::Distance,
        AttackKind::Overlap,
        AttackKind::NewUserList,
        AttackKind::ReferenceList,
        AttackKind::Lira,
    ];
    /// The shadow-free attacks every run also reports as baselines (`baselines_for` adds the
    /// reference-list attack under protocol fold-in).
    pub const BASELINES: [AttackKind; 3] = [
        AttackKind::Distance,
        AttackKind::Overlap,
        AttackKind::NewUserList,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AttackKind::Mlp => "mlp",
            AttackKind::Distance => "distance",
            AttackKind::Overlap => "overlap",
            AttackKind::NewUserList => "new-user-list",
            AttackKind::ReferenceList => "reference-list",
            AttackKind::Lira => "lira",
        }
    }

    /// The attack's place in `ALL` (its bootstrap sub-stream).
    pub fn index(self) -> u32 {
        AttackKind::ALL.iter().position(|&k| k == self).unwrap_or(0) as u32
    }

    /// Whether the attack learns from a shadow model (the others skip the shadow stages).
    pub fn needs_shadow(self) -> bool {
        self == AttackKind::Mlp
    }

    /// Whether the attack needs no model of its own: it scores each user by one statistic and
    /// only its direction is set on data the attacker holds.
    pub fn shadow_free(self) -> bool {
        !matches!(self, AttackKind::Mlp | AttackKind::Lira)
    }

    /// The shadow-free baselines of a run under `protocol`: under `popular` the reference-list
    /// attack equals the new-user-list one (a copy gets the popular list too), so it runs only
    /// under `fold-in`, where it is the attack built for that setting.
    pub fn baselines_for(protocol: Protocol) -> Vec<AttackKind> {
        let mut v = AttackKind::BASELINES.to_vec();
        if protocol == Protocol::FoldIn {
            v.push(AttackKind::ReferenceList);
        }
        v
    }
}

/// What the attacker sees of one half's users, in the half's order (members first).
pub struct AttackInput<'a> {
    /// Each user's interaction history (sorted item indices).
    pub histories: Vec<&'a [u32]>,
    /// Each user's recommendation list, best first.
    pub lists: &'a [Vec<u32>],
    /// Each user's centroid difference (history centroid − list centroid), unstandardised.
    pub features: &'a Array2<f32>,
    /// The list a new account without history gets from the same service, if asked.
    pub new_user_list: Option<&'a [u32]>,
    /// Per user: the list a new account holding a copy of the user's history gets, if asked.
    pub clone_lists: Option<&'a [Vec<u32>]>,
}

impl<'a> AttackInput<'a> {
    /// Histories, lists and features, without probes.
    pub fn new(
        histories: Vec<&'a [u32]>,
        lists: &'a [Vec<u32>],
        features: &'a Array2<f32>,
    ) -> AttackInput<'a> {
        AttackInput {
            histories,
            lists,
            features,
            new_user_list: None,
            clone_lists: None,
        }
    }
}

/// How an attack's direction ("larger = member") was fixed — always on data the attacker holds,
/// never on the attacked users' labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Orientation {
    /// The attack learnt it (the MLP from its shadow, lira from its references).
    Trained,
    /// A shadow-free statistic, oriented by its ROC-AUC on the shadow half.
    Shadow,
    /// A shadow-free statistic, oriented on the reference models' users (in or out).
    References,
    /// A shadow-free statistic in its usual direction: the run had no labelled data to check it.
    Construction,
}

/// How well an attack fits its own (shadow) training data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackFit {
    pub shadow_loss: f64,
    pub shadow_auc: f64,
}

/// The contract of every attack. The defaults are those of a shadow-free attack, which learns
/// nothing: it only implements `score`.
pub trait Attack {
    /// Learns from the shadow half (labels known) in bounded steps; true when done. Attacks that
    /// need no shadow model are done at once.
    fn fit_step(&mut self, _shadow: &AttackInput, _labels: &[bool]) -> bool {
        true
    }
    /// Share of fitting done, in [0, 1].
    fn fit_fraction(&self) -> f64 {
        1.0
    }
    /// A progress line and the latest training loss.
    fn status(&self) -> (String, Option<f64>) {
        ("no training: shadow-free".into(), None)
    }
    /// One score per user of `target`: larger = more likely a member.
    fn score(&self, target: &AttackInput) -> Vec<f64>;
    /// The fit on the shadow half, for attacks that have one.
    fn fit(&self) -> Option<AttackFit> {
        None
    }
    /// The score at and above which the attack calls a user a member. Attacks without a fitted
    /// threshold flag the upper half of the scores (the median), which uses no label.
    fn threshold(&self, scores: &[f64]) -> f64 {
        median(scores)
    }
    /// Fixes a shadow-free statistic's direction on labelled data the attacker holds: one or more
    /// sets of users with their labels (a shadow half, or each reference model's users); `basis`
    /// says which. Attacks that learn have nothing to fix.
    fn orient(&mut self, _sets: &[(&AttackInput, &[bool])], _basis: Orientation) {}
    /// How the direction was fixed, and whether it is the statistic's usual one turned round.
    fn orientation(&self) -> (Orientation, bool) {
        (Orientation::Trained, false)
    }
}

/// A shadow-free statistic with its direction: `score` is the statistic times ±1, the sign set by
/// `orient` (or `fit_step` on a shadow half) so that the attacker's own labelled users score
/// ROC-AUC ≥ 0.5. A statistic that falls below chance on the attacked users after that is
/// inverted where the attacker could not see it — never a protection to be drawn.
pub struct Oriented {
    inner: Box<dyn Attack>,
    sign: f64,
    basis: Orientation,
}

impl Oriented {
    pub fn new(inner: Box<dyn Attack>) -> Oriented {
        Oriented {
            inner,
            sign: 1.0,
            basis: Orientation::Construction,
        }
    }
}

impl Attack for Oriented {
    fn fit_step(&mut self, shadow: &AttackInput, labels: &[bool]) -> bool {
        self.orient(&[(shadow, labels)], Orientation::Shadow);
        true
    }
    fn score(&self, target: &AttackInput) -> Vec<f64> {
        let mut s = self.inner.score(target);
        if self.sign < 0.0 {
            s.iter_mut().for_each(|v| *v = -*v);
        }
        s
    }
    fn orient(&mut self, sets: &[(&AttackInput, &[bool])], basis: Orientation) {
        if sets.is_empty() {
            return;
        }
        // Only sets with both classes say anything about the direction.
        let aucs: Vec<f64> = sets
            .iter()
            .filter(|(_, labels)| labels.contains(&true) && labels.contains(&false))
            .map(|(input, labels)| crate::eval::roc_curve(&self.inner.score(input), labels).auc())
            .collect();
        if aucs.is_empty() {
            return;
        }
        let auc = aucs.iter().sum::<f64>() / aucs.len() as f64;
        // Ties at exactly 0.5 keep the usual direction.
        self.sign = if auc < 0.5 { -1.0 } else { 1.0 };
        self.basis = basis;
    }
    fn orientation(&self) -> (Orientation, bool) {
        (self.basis, self.sign < 0.0)
    }
}

/// The median of finite scores (the mean of the middle two for an even count; 0 when empty).
pub fn median(scores: &[f64]) -> f64 {
    let mut v: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    crate::order::f64s(&mut v);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Every attack's own params that `build` needs (the shadow-free statistics have none; lira's
/// references are trained by the pipeline); `config` composes it (`Config::attack_params`).
#[derive(Clone, Copy, Debug)]
pub struct AttackParams {
    pub mlp: MlpAttackParams,
}

/// Builds the `kind` attack with its own parameters from `params`. Shadow-free statistics come
/// wrapped in `Oriented`. `lira` scores from reference models the pipeline trains
/// (`experiment::references`); built here it has no references yet and is the new-user-list
/// statistic's placeholder until `lira::Lira::from_references` replaces it.
pub fn build(kind: AttackKind, params: &AttackParams) -> Box<dyn Attack> {
    match kind {
        AttackKind::Mlp => Box::new(MlpAttack::new(params.mlp)),
        AttackKind::Distance => Box::new(Oriented::new(Box::new(Distance))),
        AttackKind::Overlap => Box::new(Oriented::new(Box::new(Overlap))),
        AttackKind::NewUserList => Box::new(Oriented::new(Box::new(NewUserList))),
        AttackKind::ReferenceList => Box::new(Oriented::new(Box::new(ReferenceList))),
        AttackKind::Lira => Box::new(lira::Lira::untrained()),
    }
}

/// The reference's MLP (32 → 8, Adam lr 0.01, 30 epochs, batches of 32, 3 restarts, seed 0) for
/// the family's tests.
#[cfg(test)]
pub(crate) fn tests_params() -> AttackParams {
    AttackParams {
        mlp: MlpAttackParams {
            net: network::MlpParams {
                hidden1: 32,
                hidden2: 8,
                lr: 0.01,
                epochs: 30,
                batch: 32,
            },
            restarts: 3,
            seed: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_user<'a>(features: &'a Array2<f32>, lists: &'a [Vec<u32>]) -> AttackInput<'a> {
        AttackInput::new(vec![&[1, 4]], lists, features)
    }

    #[test]
    fn names_and_which_attacks_need_a_shadow_model() {
        let ids: Vec<&str> = AttackKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(
            ids,
            [
                "mlp",
                "distance",
                "overlap",
                "new-user-list",
                "reference-list",
                "lira"
            ]
        );
        // the id is the config's name for the attack
        for k in AttackKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.id())
            );
        }
        let shadow: Vec<bool> = AttackKind::ALL.iter().map(|k| k.needs_shadow()).collect();
        assert_eq!(shadow, [true, false, false, false, false, false]);
        let free: Vec<bool> = AttackKind::ALL.iter().map(|k| k.shadow_free()).collect();
        assert_eq!(free, [false, true, true, true, true, false]);
        assert_eq!(
            AttackKind::baselines_for(Protocol::Popular),
            AttackKind::BASELINES
        );
        assert_eq!(
            AttackKind::baselines_for(Protocol::FoldIn).last(),
            Some(&AttackKind::ReferenceList)
        );
    }

    #[test]
    fn median_of_the_finite_scores() {
        assert_eq!(median(&[5.0, 1.0, 4.0, 2.0, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[1.0, f64::NAN, 5.0, f64::INFINITY]), 3.0);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[f64::NAN]), 0.0);
    }

    #[test]
    fn shadow_free_attacks_learn_nothing_and_flag_the_upper_half() {
        let f = ndarray::array![[3.0f32, 4.0]];
        let lists = [vec![1, 2]];
        let input = one_user(&f, &lists);
        let mut a = build(AttackKind::Overlap, &tests_params());
        assert!(a.fit_step(&input, &[true]));
        assert_eq!(a.fit_fraction(), 1.0);
        assert_eq!(a.status(), ("no training: shadow-free".to_string(), None));
        assert_eq!(a.fit(), None);
        assert_eq!(a.threshold(&[1.0, 4.0, 2.0]), 2.0);
    }

    #[test]
    fn a_statistic_is_turned_round_when_the_attackers_own_users_say_so() {
        // overlap 1.0 for the first user, 0.0 for the second
        let f = ndarray::Array2::<f32>::zeros((2, 1));
        let lists = [vec![1, 2], vec![7, 8]];
        let input = AttackInput::new(vec![&[1, 2], &[1]], &lists, &f);
        let mut a = build(AttackKind::Overlap, &tests_params());
        assert_eq!(a.orientation(), (Orientation::Construction, false));
        assert_eq!(a.score(&input), vec![1.0, 0.0]);
        // the shadow's members are the low-overlap users: the sign turns
        a.fit_step(&input, &[false, true]);
        assert_eq!(a.orientation(), (Orientation::Shadow, true));
        assert_eq!(a.score(&input), vec![-1.0, -0.0]);
        // oriented again on references that agree with the usual direction
        a.orient(&[(&input, &[true, false])], Orientation::References);
        assert_eq!(a.orientation(), (Orientation::References, false));
        assert_eq!(a.score(&input), vec![1.0, 0.0]);
        // a tie at 0.5 keeps the usual direction
        let lists = [vec![1, 9], vec![1, 8]];
        let tie = AttackInput::new(vec![&[1], &[1]], &lists, &f);
        a.orient(&[(&tie, &[true, false])], Orientation::Shadow);
        assert_eq!(a.orientation(), (Orientation::Shadow, false));
        // a set with one class says nothing: the direction stays
        a.orient(&[(&input, &[false, true])], Orientation::Shadow);
        a.orient(&[(&input, &[true, true])], Orientation::References);
        assert_eq!(a.orientation(), (Orientation::Shadow, true));
    }

    #[test]
    fn build_makes_the_named_attack() {
        let f = ndarray::array![[3.0f32, 4.0]];
        let lists = [vec![1, 2]];
        let input = one_user(&f, &lists);
        let cfg = tests_params();
        assert_eq!(build(AttackKind::Distance, &cfg).score(&input), vec![-5.0]);
        assert_eq!(build(AttackKind::Overlap, &cfg).score(&input), vec![0.5]);
        let mlp = build(AttackKind::Mlp, &cfg);
        // the MLP has a fitted threshold (logit 0) and has not trained yet
        assert_eq!(mlp.threshold(&[5.0, 6.0]), 0.0);
        assert_eq!(mlp.fit_fraction(), 0.0);
    }
}
