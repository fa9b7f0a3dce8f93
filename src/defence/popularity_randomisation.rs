//! Popularity randomisation (Zhang et al., CCS 2021, §6): under protocol `popular` every
//! non-member would get the same top-N popular items, which is what makes members' personal
//! lists stand out. Instead each non-member gets N items drawn uniformly without replacement from
//! the top ⌈N/α⌉ popular items (items they interacted with skipped when `exclude_seen`), shown in
//! popularity order. Members' lists are untouched, so the recommender's recall does not change.
//!
//! Strength s maps to α = 10^(−s): s = 0 → α = 1 (the pool is the list: the plain top N),
//! s = 0.5 → α ≈ 0.316 (a pool 3.2× the list), s = 1 → α = 0.1 (a pool ten times the list).
//! The map is geometric so that equal steps of strength multiply the pool by equal factors.

use rand_chacha::ChaCha8Rng;

use super::{distinct_positions, Defence, DefenceKind};
use crate::recommend::first_n_unseen;

/// α at `strength`: 10^(−strength).
pub fn alpha(strength: f64) -> f64 {
    libm::pow(10.0, -strength)
}

/// The pool a list of `n` items is drawn from at `strength`: ⌈n/α⌉ (never below n).
pub fn pool_size(n: usize, strength: f64) -> usize {
    let pool = libm::ceil(n as f64 / alpha(strength) - 1e-9) as usize;
    pool.max(n)
}

/// The defence at one strength.
pub struct PopularityRandomisation {
    strength: f64,
}

impl PopularityRandomisation {
    pub fn new(strength: f64) -> Self {
        PopularityRandomisation { strength }
    }
}

impl Defence for PopularityRandomisation {
    fn kind(&self) -> DefenceKind {
        DefenceKind::PopularityRandomisation
    }

    fn popular_list(
        &self,
        rng: &mut ChaCha8Rng,
        order: &[u32],
        exclude: &[u32],
        n: usize,
    ) -> Vec<u32> {
        let pool = first_n_unseen(order, exclude, pool_size(n, self.strength));
        let mut picked = distinct_positions(rng, pool.len(), n);
        // Positions in the pool are popularity ranks: sorting them shows the draw in that order.
        crate::order::usizes(&mut picked);
        picked.into_iter().map(|p| pool[p]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    #[test]
    fn alpha_and_pool_follow_the_documented_map() {
        assert_eq!(alpha(0.0), 1.0);
        assert!((alpha(1.0) - 0.1).abs() < 1e-15);
        assert!((alpha(0.5) - 0.316_227_766).abs() < 1e-9);
        assert_eq!(pool_size(100, 0.0), 100);
        assert_eq!(pool_size(100, 1.0), 1000);
        assert_eq!(pool_size(100, 0.5), 317);
        assert_eq!(pool_size(7, 0.01), 8);
    }

    #[test]
    fn lists_come_from_the_pool_in_popularity_order_and_differ_between_users() {
        let order: Vec<u32> = (0..500).rev().collect(); // item 499 most popular
        let d = PopularityRandomisation::new(1.0);
        let mut rng = rng_for(4, Stream::TargetDefence);
        let exclude = [498u32, 450];
        let lists: Vec<Vec<u32>> = (0..50)
            .map(|_| d.popular_list(&mut rng, &order, &exclude, 10))
            .collect();
        let pool = first_n_unseen(&order, &exclude, 100);
        let mut seen_items = std::collections::BTreeSet::new();
        for l in &lists {
            assert_eq!(l.len(), 10);
            assert!(l.iter().all(|i| pool.contains(i)));
            assert!(l.windows(2).all(|w| w[0] > w[1]), "popularity order: {l:?}");
            seen_items.extend(l.iter().copied());
        }
        assert!(lists.windows(2).any(|w| w[0] != w[1]));
        // 500 draws from a pool of 100: nearly every pool item appears.
        assert!(seen_items.len() > 90, "{}", seen_items.len());
        // A pool no larger than the list is the plain top N.
        assert_eq!(pool_size(10, 1e-12), 10);
        let plain = PopularityRandomisation::new(1e-12).popular_list(&mut rng, &order, &[], 10);
        assert_eq!(plain, first_n_unseen(&order, &[], 10));
    }
}
