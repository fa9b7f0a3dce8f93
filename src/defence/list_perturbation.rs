//! List perturbation: every list the target serves (members' and non-members', personal or
//! popular) has a share ε of its positions replaced by items drawn uniformly from the catalogue
//! (the items the service can recommend). Exactly round(ε·len) positions are chosen uniformly
//! without replacement and emptied; each is then filled, in the order drawn, with an item drawn
//! uniformly from the catalogue minus what the list still holds and minus what it must exclude. A
//! removed item can come back: at ε = 1 a list is a uniformly random set of N allowed items,
//! whatever the ranking said. (Drawing outside the original list, as this defence first did, made
//! a non-member's "random" list at ε = 1 the one list that never holds a popular item, and an
//! attacker who knew that still read ROC-AUC 0.757, issue 16.) Uniform draws use no interaction
//! data, so the perturbation itself reveals nothing about members.
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

/// A uniform draw from `candidates` that is neither `taken` (still on the list) nor in the sorted
/// `exclude`; `None` when there is none.
fn draw_item(
    rng: &mut ChaCha8Rng,
    taken: &[u32],
    candidates: &[u32],
    exclude: &[u32],
) -> Option<u32> {
    let allowed = |i: &u32| !taken.contains(i) && exclude.binary_search(i).is_err();
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
        let positions = distinct_positions(rng, list.len(), count);
        let mut emptied = vec![false; list.len()];
        positions.iter().for_each(|&p| emptied[p] = true);
        // What the list still holds: the kept items, then each replacement as it is drawn.
        let mut taken: Vec<u32> = (0..list.len())
            .filter(|&p| !emptied[p])
            .map(|p| list[p])
            .collect();
        for pos in positions {
            // The removed item itself is always allowed, so a draw fails only on a list whose
            // items are excluded; the position then keeps its item.
            let item = draw_item(rng, &taken, candidates, exclude).unwrap_or(list[pos]);
            list[pos] = item;
            taken.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    fn sorted(list: &[u32]) -> Vec<u32> {
        let mut s = list.to_vec();
        s.sort();
        s
    }

    #[test]
    fn keeps_the_other_positions_and_draws_allowed_distinct_items() {
        let candidates: Vec<u32> = (0..300).collect();
        let exclude: Vec<u32> = (100..200).collect();
        let mut rng = rng_for(1, Stream::TargetDefence);
        for (strength, at_most) in [(0.25, 5), (0.5, 10), (1.0, 20)] {
            let d = ListPerturbation::new(strength);
            let original: Vec<u32> = (0..20).collect();
            let mut list = original.clone();
            d.list(&mut rng, &mut list, &candidates, &exclude);
            let kept = list.iter().zip(&original).filter(|(a, b)| a == b).count();
            assert!(20 - kept <= at_most, "strength {strength}: {list:?}");
            assert!(20 - kept >= at_most / 2, "strength {strength}: {list:?}");
            let mut dedup = sorted(&list);
            dedup.dedup();
            assert_eq!(dedup.len(), 20, "no duplicates: {list:?}");
            assert!(list
                .iter()
                .all(|i| exclude.binary_search(i).is_err() && *i < 300));
        }
    }

    #[test]
    fn at_strength_one_a_list_is_a_uniform_draw_and_removed_items_come_back() {
        // 20 of 30 allowed items on the list: a uniformly random list of 20 holds 20·20/30 ≈ 13.3
        // of them on average. Drawing outside the original list (the old rule) could replace only
        // 10 positions and never brought a removed item back.
        let candidates: Vec<u32> = (0..40).collect();
        let exclude: Vec<u32> = (30..40).collect();
        let original: Vec<u32> = (0..20).collect();
        let d = ListPerturbation::new(1.0);
        let mut rng = rng_for(3, Stream::TargetDefence);
        let trials = 2000;
        let mut back = 0usize;
        let mut at_first = [0usize; 30];
        for _ in 0..trials {
            let mut list = original.clone();
            d.list(&mut rng, &mut list, &candidates, &exclude);
            let mut dedup = sorted(&list);
            dedup.dedup();
            assert_eq!(dedup.len(), 20);
            back += list.iter().filter(|&&i| i < 20).count();
            at_first[list[0] as usize] += 1;
        }
        let mean = back as f64 / trials as f64;
        // Hypergeometric: sd of one list's count √(20·(20/30)·(10/30)·(10/29)) ≈ 1.24, of the
        // mean over 2000 lists 0.028.
        assert!(
            (mean - 40.0 / 3.0).abs() < 0.15,
            "original items per list {mean}"
        );
        // The best position holds each allowed item equally often (expected 2000/30 ≈ 66.7).
        assert!(
            at_first.iter().all(|&c| (40..=95).contains(&c)),
            "{at_first:?}"
        );
    }

    #[test]
    fn a_tiny_catalogue_still_gets_allowed_items() {
        let candidates: Vec<u32> = (0..12).collect();
        let exclude: Vec<u32> = (4..10).collect();
        let mut rng = rng_for(2, Stream::TargetDefence);
        let mut seen_new = false;
        for _ in 0..50 {
            let mut list = vec![0u32, 1, 2, 3];
            ListPerturbation::new(1.0).list(&mut rng, &mut list, &candidates, &exclude);
            let mut dedup = sorted(&list);
            dedup.dedup();
            assert_eq!(dedup.len(), 4, "{list:?}");
            assert!(
                list.iter().all(|i| exclude.binary_search(i).is_err()),
                "{list:?}"
            );
            seen_new |= list.contains(&10) || list.contains(&11);
        }
        assert!(seen_new);
        // Nothing allowed but the list's own items: they stay.
        let mut list = vec![0u32, 1];
        ListPerturbation::new(1.0).list(&mut rng, &mut list, &[0, 1, 2], &[2]);
        assert_eq!(sorted(&list), [0, 1]);
    }
}
