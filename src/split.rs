//! Splitting users: a seeded shuffle cuts them into disjoint shadow and target halves, and each half
//! into members (the half's recommender trains on them) and non-members. A share of every member's
//! interactions is held out of training to measure the recommender's utility.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::rng::shuffle;

/// Dense user indices of one half.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HalfUsers {
    pub members: Vec<u32>,
    pub non_members: Vec<u32>,
}

impl HalfUsers {
    /// Members first, then non-members: the order of every per-user array of a half.
    pub fn all(&self) -> impl Iterator<Item = u32> + '_ {
        self.members.iter().chain(&self.non_members).copied()
    }

    pub fn len(&self) -> usize {
        self.members.len() + self.non_members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The user split of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSplit {
    pub shadow: HalfUsers,
    pub target: HalfUsers,
}

/// How many users fell in each group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
    pub shadow_members: usize,
    pub shadow_nonmembers: usize,
    pub target_members: usize,
    pub target_nonmembers: usize,
}

fn cut(users: &[u32], member_fraction: f64) -> HalfUsers {
    let m = ((users.len() as f64 * member_fraction).round() as usize).min(users.len());
    let mut members = users[..m].to_vec();
    let mut non_members = users[m..].to_vec();
    crate::order::u32s(&mut members);
    crate::order::u32s(&mut non_members);
    HalfUsers {
        members,
        non_members,
    }
}

/// Shuffles the users with `rng`; the first half (rounded down) is the shadow half.
pub fn split_users(
    n_users: usize,
    member_fraction: f64,
    rng: &mut ChaCha8Rng,
) -> Result<UserSplit> {
    let mut users: Vec<u32> = (0..n_users as u32).collect();
    shuffle(rng, &mut users);
    let (shadow, target) = users.split_at(n_users / 2);
    let split = UserSplit {
        shadow: cut(shadow, member_fraction),
        target: cut(target, member_fraction),
    };
    for (name, g) in [
        ("shadow members", &split.shadow.members),
        ("shadow non-members", &split.shadow.non_members),
        ("target members", &split.target.members),
        ("target non-members", &split.target.non_members),
    ] {
        if g.is_empty() {
            return Err(Error::Data(format!(
                "{n_users} users with member_fraction {member_fraction} leave no {name}; need more users"
            )));
        }
    }
    Ok(split)
}

/// Splits one member's sorted items into (training, held-out), both sorted; at least one item
/// always stays in training.
pub fn hold_out(items: &[u32], share: f64, rng: &mut ChaCha8Rng) -> (Vec<u32>, Vec<u32>) {
    let n_out = ((items.len() as f64 * share).floor() as usize).min(items.len().saturating_sub(1));
    if n_out == 0 {
        return (items.to_vec(), Vec::new());
    }
    let mut shuffled = items.to_vec();
    shuffle(rng, &mut shuffled);
    let mut out = shuffled[..n_out].to_vec();
    let mut keep = shuffled[n_out..].to_vec();
    crate::order::u32s(&mut out);
    crate::order::u32s(&mut keep);
    (keep, out)
}

impl Counts {
    pub fn new(data: &Dataset, split: &UserSplit) -> Self {
        Counts {
            users: data.n_users(),
            items: data.n_items(),
            interactions: data.n_interactions(),
            shadow_members: split.shadow.members.len(),
            shadow_nonmembers: split.shadow.non_members.len(),
            target_members: split.target.members.len(),
            target_nonmembers: split.target.non_members.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    #[test]
    fn halves_and_groups_are_disjoint_and_cover_everyone() {
        let s = split_users(611, 0.5, &mut rng_for(4, Stream::Split)).unwrap();
        let mut all: Vec<u32> = s.shadow.all().chain(s.target.all()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..611).collect::<Vec<_>>());
        assert_eq!(s.shadow.len(), 305);
        assert_eq!(s.target.len(), 306);
        assert_eq!(s.target.members.len(), 153);
    }

    #[test]
    fn split_is_reproducible_and_seed_dependent() {
        let a = split_users(100, 0.5, &mut rng_for(1, Stream::Split)).unwrap();
        let b = split_users(100, 0.5, &mut rng_for(1, Stream::Split)).unwrap();
        let c = split_users(100, 0.5, &mut rng_for(2, Stream::Split)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn too_few_users_is_a_clear_error() {
        let e = split_users(3, 0.5, &mut rng_for(0, Stream::Split)).unwrap_err();
        assert!(e.to_string().contains("need more users"), "{e}");
    }

    #[test]
    fn cut_puts_the_first_share_of_the_shuffled_users_in_members_sorted() {
        let h = cut(&[5, 3, 9, 1], 0.5);
        assert_eq!(h.members, vec![3, 5]);
        assert_eq!(h.non_members, vec![1, 9]);
        assert_eq!((h.len(), h.is_empty()), (4, false));
        assert_eq!(h.all().collect::<Vec<_>>(), vec![3, 5, 1, 9]);
        // 3 × 0.5 rounds to 2 members
        assert_eq!(cut(&[7, 2, 4], 0.5).members, vec![2, 7]);
        assert!(cut(&[], 0.5).is_empty());
    }

    #[test]
    fn counts_are_the_group_sizes() {
        let pairs: Vec<(u64, u64)> = (0..10u64).flat_map(|u| [(u, 1), (u, 2 + u % 3)]).collect();
        let data = Dataset::from_pairs("t", &pairs, pairs.len()).unwrap();
        let s = split_users(10, 0.6, &mut rng_for(0, Stream::Split)).unwrap();
        let c = Counts::new(&data, &s);
        let expected = Counts {
            users: 10,
            items: 4,
            interactions: 20,
            shadow_members: 3,
            shadow_nonmembers: 2,
            target_members: 3,
            target_nonmembers: 2,
        };
        assert_eq!(c, expected);
    }

    #[test]
    fn hold_out_keeps_one_training_item() {
        let mut rng = rng_for(0, Stream::Holdout);
        let (keep, out) = hold_out(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.2, &mut rng);
        assert_eq!((keep.len(), out.len()), (8, 2));
        assert!(out.iter().all(|i| keep.binary_search(i).is_err()));
        assert_eq!(hold_out(&[4], 0.5, &mut rng), (vec![4], vec![]));
    }
}
