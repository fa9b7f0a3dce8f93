//! Shadow-free attacks that compare a user's list with a list an outsider can get by asking the
//! service as a new account (serving/probe.rs):
//! - `new-user-list`: the list of a new account without history. Under protocol `popular` every
//!   non-member gets exactly that list, so "this is not the new-user list" separates members
//!   perfectly (ROC-AUC 1.0) unless a defence changes non-members' lists.
//! - `reference-list` (after Chi et al., AAAI 2026): the list of a new account holding a copy of
//!   the user's history. Under `fold-in` a non-member's own list was made the same way (it differs
//!   only by the service's fold-in randomness), a member's came from training with them.
//!
//! Score = the share of the user's list NOT on the other list, 1 − |L ∩ R| / |L|: larger = more
//! likely a member. Without the probe the attack has nothing to compare and scores 0 for everyone
//! (the pipeline always asks; a constant score is flagged by the run's warnings).

use super::{Attack, AttackInput};

/// 1 − |list ∩ other| / |list| (0 for an empty list).
pub fn list_distance(list: &[u32], other: &[u32]) -> f64 {
    if list.is_empty() {
        return 0.0;
    }
    let mut sorted = other.to_vec();
    crate::order::u32s(&mut sorted);
    let shared = list
        .iter()
        .filter(|i| sorted.binary_search(i).is_ok())
        .count();
    1.0 - shared as f64 / list.len() as f64
}

/// Distance of every user's list to the list a new account without history gets.
pub struct NewUserList;

impl Attack for NewUserList {
    fn score(&self, target: &AttackInput) -> Vec<f64> {
        let Some(new_user) = target.new_user_list else {
            return vec![0.0; target.lists.len()];
        };
        let mut sorted = new_user.to_vec();
        crate::order::u32s(&mut sorted);
        target
            .lists
            .iter()
            .map(|l| list_distance(l, &sorted))
            .collect()
    }
}

/// Distance of every user's list to the list their copy (a new account with their history) gets.
pub struct ReferenceList;

impl Attack for ReferenceList {
    fn score(&self, target: &AttackInput) -> Vec<f64> {
        let Some(clones) = target.clone_lists else {
            return vec![0.0; target.lists.len()];
        };
        target
            .lists
            .iter()
            .zip(clones)
            .map(|(l, c)| list_distance(l, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_the_share_of_the_list_not_on_the_other() {
        assert_eq!(list_distance(&[1, 2, 3, 4], &[4, 9, 1]), 0.5);
        assert_eq!(list_distance(&[1, 2], &[2, 1]), 0.0);
        assert_eq!(list_distance(&[], &[1]), 0.0);
        assert_eq!(list_distance(&[5], &[]), 1.0);
    }

    #[test]
    fn both_attacks_score_each_user_against_their_probe() {
        let f = ndarray::Array2::<f32>::zeros((3, 1));
        let lists = [vec![1, 2], vec![7, 8], vec![1, 9]];
        let clones = [vec![1, 2], vec![7, 3], vec![5, 6]];
        let mut input = AttackInput::new(vec![&[], &[], &[]], &lists, &f);
        // no probe: nothing to compare, one score for all
        assert_eq!(NewUserList.score(&input), vec![0.0; 3]);
        assert_eq!(ReferenceList.score(&input), vec![0.0; 3]);
        let popular = [2u32, 1];
        input.new_user_list = Some(&popular);
        input.clone_lists = Some(&clones);
        assert_eq!(NewUserList.score(&input), vec![0.0, 1.0, 0.5]);
        assert_eq!(ReferenceList.score(&input), vec![0.0, 0.5, 1.0]);
    }
}
