//! The overlap attack (shadow-free): the share of a user's list made of items they interacted with,
//! |list ∩ history| / |list|. A model that memorised its members recommends their own items back to
//! them more than it recommends a stranger's. With `exclude_seen` every list avoids the user's
//! items and this attack is blind (AUC 0.5) by construction.

use super::{Attack, AttackInput};

pub struct Overlap;

/// |list ∩ history| / |list| for a sorted history (0 for an empty list).
pub fn overlap_share(history: &[u32], list: &[u32]) -> f64 {
    if list.is_empty() {
        return 0.0;
    }
    let hits = list
        .iter()
        .filter(|i| history.binary_search(i).is_ok())
        .count();
    hits as f64 / list.len() as f64
}

impl Attack for Overlap {
    fn score(&self, target: &AttackInput) -> Vec<f64> {
        target
            .histories
            .iter()
            .zip(target.lists)
            .map(|(h, l)| overlap_share(h, l))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_of_the_list_the_user_knows() {
        assert_eq!(overlap_share(&[1, 3, 5], &[5, 2, 1, 9]), 0.5);
        assert_eq!(overlap_share(&[1], &[]), 0.0);
        let f = ndarray::Array2::<f32>::zeros((2, 1));
        let lists = [vec![1, 2], vec![7, 8]];
        let input = AttackInput::new(vec![&[1, 2], &[1]], &lists, &f);
        assert_eq!(Overlap.score(&input), vec![1.0, 0.0]);
    }
}
