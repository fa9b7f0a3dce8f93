//! The attack family: one score contract for every attack (`Attack::score`: one number per user,
//! larger = more likely a member), the attacker's inputs (`AttackInput`: what a user of the service
//! can see), the attack names (`AttackKind`) and `build`. Metrics are computed once, outside every
//! attack (`crate::eval`). One file per attack; the attacker's own item vectors and user features
//! live beside them.

pub mod distance;
pub mod explain;
pub mod features;
pub mod item_vectors;
pub mod mlp;
pub mod network;
pub mod overlap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::config::Config;

pub use distance::Distance;
pub use mlp::{MlpAttack, MlpAttackParams};
pub use overlap::Overlap;

/// The attacks (config key `attack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackKind {
    /// The paper's: an MLP trained on shadow users' centroid-difference features.
    Mlp,
    /// Shadow-free: how close the history centroid sits to the list centroid (smaller = member).
    Distance,
    /// Shadow-free: the share of the list made of items the user interacted with.
    Overlap,
}

impl AttackKind {
    pub const ALL: [AttackKind; 3] = [AttackKind::Mlp, AttackKind::Distance, AttackKind::Overlap];
    /// The shadow-free attacks every run also reports as baselines.
    pub const BASELINES: [AttackKind; 2] = [AttackKind::Distance, AttackKind::Overlap];

    pub fn id(self) -> &'static str {
        match self {
            AttackKind::Mlp => "mlp",
            AttackKind::Distance => "distance",
            AttackKind::Overlap => "overlap",
        }
    }

    /// Whether the attack learns from a shadow model (the others skip the shadow stages).
    pub fn needs_shadow(self) -> bool {
        self == AttackKind::Mlp
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
}

/// The median of finite scores (the mean of the middle two for an even count; 0 when empty).
pub fn median(scores: &[f64]) -> f64 {
    let mut v: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Builds the `kind` attack with its own parameters from `cfg`.
pub fn build(kind: AttackKind, cfg: &Config) -> Box<dyn Attack> {
    match kind {
        AttackKind::Mlp => Box::new(MlpAttack::new(MlpAttackParams::from_config(cfg))),
        AttackKind::Distance => Box::new(Distance),
        AttackKind::Overlap => Box::new(Overlap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_user<'a>(features: &'a Array2<f32>, lists: &'a [Vec<u32>]) -> AttackInput<'a> {
        AttackInput {
            histories: vec![&[1, 4]],
            lists,
            features,
        }
    }

    #[test]
    fn names_and_which_attacks_need_a_shadow_model() {
        let ids: Vec<&str> = AttackKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ids, ["mlp", "distance", "overlap"]);
        // the id is the config's name for the attack
        for k in AttackKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.id())
            );
        }
        let shadow: Vec<bool> = AttackKind::ALL.iter().map(|k| k.needs_shadow()).collect();
        assert_eq!(shadow, [true, false, false]);
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
        let mut a = build(AttackKind::Overlap, &Config::default());
        assert!(a.fit_step(&input, &[true]));
        assert_eq!(a.fit_fraction(), 1.0);
        assert_eq!(a.status(), ("no training: shadow-free".to_string(), None));
        assert_eq!(a.fit(), None);
        assert_eq!(a.threshold(&[1.0, 4.0, 2.0]), 2.0);
    }

    #[test]
    fn build_makes_the_named_attack() {
        let f = ndarray::array![[3.0f32, 4.0]];
        let lists = [vec![1, 2]];
        let input = one_user(&f, &lists);
        let cfg = Config::default();
        assert_eq!(build(AttackKind::Distance, &cfg).score(&input), vec![-5.0]);
        assert_eq!(build(AttackKind::Overlap, &cfg).score(&input), vec![0.5]);
        let mlp = build(AttackKind::Mlp, &cfg);
        // the MLP has a fitted threshold (logit 0) and has not trained yet
        assert_eq!(mlp.threshold(&[5.0, 6.0]), 0.0);
        assert_eq!(mlp.fit_fraction(), 0.0);
    }
}
