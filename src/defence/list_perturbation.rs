//! List perturbation: every list the target serves (members' and non-members', personal or
//! popular) has a share ε of its positions replaced by items drawn uniformly from the catalogue
//! (the items the service can recommend), never an item already on the list nor one the list must
//! exclude. Exactly round(ε·len) positions are chosen uniformly without replacement; the new item
//! takes the old one's rank. Uniform (not popularity-weighted) draws use no interaction data, so
//! the perturbation itself reveals nothing about members.
//!
//! Strength s maps to ε = s: s = 0.5 replaces half of every list, s = 1 serves random lists.
//! The lists used for the recommender's recall (training items excluded) are perturbed the same
//! way, so recall measures what the defended service delivers.

use rand_chacha::ChaCha8Rng;

use super::{distinct_positions, Defence, DefenceKind};
use crate::rng::below;

/// ε at `strength`: the share of positions replaced.
pub fn replaced_share(strength: f64) -> f64 {
    strength
}

/// Rejection draws before falling back to listing the allowed items.
const TRIES: usize = 32;

/// The defence at one strength.
pub struct ListPerturbation {
    share: f64,
}

impl ListPerturbation {
    pub fn new(strength: f64) -> Self {
        ListPerturbation {
            share: replaced_share(strength),
        }
    }
}

/// A uniform draw from `candidates` that is on neither `list` nor `original` (a replaced item
/// never comes back) nor in the sorted `exclude`; `None` when there is none.
fn draw_item(
    rng: &mut ChaCha8Rng,
    list: &[u32],
    original: &[u32],
    candidates: &[u32],
    exclude: &[u32],
) -> Option<u32> {
    let allowed =
        |i: &u32| !list.contains(i) && !original.contains(i) && exclude.binary_search(i).is_err();
    if candidates.is_empty() {
        return None;
    }
    for _ in 0..TRIES {
        let i = candidates[below(rng, candidates.len())];
        if allowed(&i) {
            return Some(i);
        }
    }
    // Few items left (small catalogues): draw among the allowed ones explicitly.
    let rest: Vec<u32> = candidates.iter().copied().filter(allowed).collect();
    (!rest.is_empty()).then(|| rest[below(rng, rest.len())])
}

impl Defence for ListPerturbation {
    fn kind(&self) -> DefenceKind {
        DefenceKind::ListPerturbation
    }

    fn list(&self, rng: &mut ChaCha8Rng, list: &mut [u32], candidates: &[u32], exclude: &[u32]) {
        let count = libm::round(self.share * list.len() as f64) as usize;
        let original = list.to_vec();
        for pos in distinct_positions(rng, list.len(), count) {
            if let Some(item) = draw_item(rng, list, &original, candidates, exclude) {
                list[pos] = item;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    #[test]
    fn replaces_the_stated_share_with_allowed_new_items() {
        let candidates: Vec<u32> = (0..300).collect();
        let exclude: Vec<u32> = (100..200).collect();
        let mut rng = rng_for(1, Stream::TargetDefence);
        for (strength, changed) in [(0.25, 5), (0.5, 10), (1.0, 20)] {
            let d = ListPerturbation::new(strength);
            let original: Vec<u32> = (0..20).collect();
            let mut list = original.clone();
            d.list(&mut rng, &mut list, &candidates, &exclude);
            let diff = list.iter().zip(&original).filter(|(a, b)| a != b).count();
            assert_eq!(diff, changed, "strength {strength}");
            let mut sorted = list.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 20, "no duplicates: {list:?}");
            for (a, b) in list.iter().zip(&original) {
                if a != b {
                    assert!(*a >= 20 && exclude.binary_search(a).is_err(), "{a}");
                }
            }
        }
    }

    #[test]
    fn a_tiny_catalogue_still_gets_allowed_items() {
        let candidates: Vec<u32> = (0..12).collect();
        let exclude: Vec<u32> = (4..10).collect();
        let mut list = vec![0u32, 1, 2, 3];
        ListPerturbation::new(1.0).list(
            &mut rng_for(2, Stream::TargetDefence),
            &mut list,
            &candidates,
            &exclude,
        );
        // Only 10 and 11 are allowed and new: two positions get them, the others keep theirs.
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 4, "{list:?}");
        assert!(list.contains(&10) && list.contains(&11), "{list:?}");
    }
}
