//! The recommender's own quality on its members' held-out interactions (recall@N, precision@N, hit
//! rate), next to the popularity list's recall, the baseline any recommender should beat.

use serde::{Deserialize, Serialize};

/// Accumulates hits of top-N lists on held-out items.
#[derive(Clone, Debug, Default)]
pub struct UtilityCounter {
    hits: usize,
    heldout: usize,
    users: usize,
    users_hit: usize,
    popularity_hits: usize,
    random_hits: f64,
}

impl UtilityCounter {
    /// Adds one user's held-out items with the model's list and the popularity list (both excluding
    /// the user's training items, the usual evaluation protocol).
    pub fn add(&mut self, heldout: &[u32], model_list: &[u32], popular_list: &[u32]) {
        if heldout.is_empty() {
            return;
        }
        let count = |list: &[u32]| {
            list.iter()
                .filter(|i| heldout.binary_search(i).is_ok())
                .count()
        };
        let h = count(model_list);
        self.hits += h;
        self.popularity_hits += count(popular_list);
        self.heldout += heldout.len();
        self.users += 1;
        self.users_hit += usize::from(h > 0);
    }

    /// Adds the hits a list drawn at random would expect for the last user (see `Utility`).
    pub fn add_random(&mut self, expected_hits: f64) {
        self.random_hits += expected_hits;
    }

    pub fn finish(&self, n: usize, final_loss: Option<f64>) -> Utility {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Utility {
            recall_at_n: ratio(self.hits, self.heldout),
            precision_at_n: ratio(self.hits, self.users * n),
            hit_rate: ratio(self.users_hit, self.users),
            popularity_recall_at_n: ratio(self.popularity_hits, self.heldout),
            recall_vs_popularity: ratio(self.hits, self.popularity_hits),
            random_recall_at_n: if self.heldout == 0 {
                0.0
            } else {
                self.random_hits / self.heldout as f64
            },
            heldout_interactions: self.heldout,
            final_loss,
        }
    }
}

/// The recommender's own quality on its members' held-out interactions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Utility {
    /// Share of held-out interactions that appear in the member's top-N list.
    pub recall_at_n: f64,
    /// Held-out hits per recommended slot.
    pub precision_at_n: f64,
    /// Share of members with at least one held-out item in their list.
    pub hit_rate: f64,
    /// recall@N of the plain popularity list, the baseline any recommender should beat.
    pub popularity_recall_at_n: f64,
    /// recall_at_n / popularity_recall_at_n: above 1 the recommender is worth having (0 when the
    /// popularity list hits nothing).
    pub recall_vs_popularity: f64,
    /// Expected recall@N of a list drawn uniformly from the items the service could recommend: a
    /// recommender at or below it has learnt nothing, and an attack on it measures no memorisation.
    pub random_recall_at_n: f64,
    pub heldout_interactions: usize,
    /// Mean loss of the last training epoch (`null` for algorithms without a loss).
    pub final_loss: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utility_counts_hits() {
        let mut c = UtilityCounter::default();
        c.add(&[1, 5], &[5, 6], &[1, 2]);
        c.add(&[9], &[2, 3], &[9, 1]);
        c.add(&[], &[1], &[1]);
        let u = c.finish(2, Some(0.3));
        assert_eq!(u.recall_at_n, 1.0 / 3.0);
        assert_eq!(u.precision_at_n, 1.0 / 4.0);
        assert_eq!(u.hit_rate, 0.5);
        assert_eq!(u.popularity_recall_at_n, 2.0 / 3.0);
        assert_eq!(u.heldout_interactions, 3);
    }
}
