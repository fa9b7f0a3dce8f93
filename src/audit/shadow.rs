//! The attacker's own data in an audit: every user of the auditor's ratings who is not audited
//! forms the shadow half, cut into members and non-members as a run cuts a half — in the order of
//! the seed's shuffle of all users (`rng::Stream::Split`), the first `member_fraction` members —
//! and held out as a run holds out (`rng::Stream::Holdout`, the shadow first). So when the audited
//! users are exactly a run's target half (`memberlens run --users` of the same seed and ratings),
//! the shadow is that run's shadow half to the bit, and so are its model, its lists, the item
//! vectors and the MLP.
//!
//! The audited users stand in the `Halves` as the "target" half the reference models draw from
//! (`experiment::references`): in the file's order, the first `member_fraction` of them called
//! members only to fix how many users each reference trains on (the target's own training size).
//! Nothing reads those pseudo-labels as membership.

use std::sync::Arc;

use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::pipeline::Halves;
use crate::rng::{rng_for, shuffle, Stream};
use crate::serving::HalfData;
use crate::split::{Counts, HalfUsers};

/// The first round(len × `member_fraction`) of `users` are members; both groups sorted, as
/// `split::split_users` cuts a half.
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

/// The shadow half: the users not in `audited`, in the seed's shuffle order, cut into members and
/// non-members.
pub fn shadow_users(
    n_users: usize,
    audited: &[u32],
    member_fraction: f64,
    seed: u32,
) -> Result<HalfUsers> {
    let mut order: Vec<u32> = (0..n_users as u32).collect();
    shuffle(&mut rng_for(seed, Stream::Split), &mut order);
    let mut is_audited = vec![false; n_users];
    for &u in audited {
        is_audited[u as usize] = true;
    }
    let rest: Vec<u32> = order
        .into_iter()
        .filter(|&u| !is_audited[u as usize])
        .collect();
    let users = cut(&rest, member_fraction);
    if users.members.is_empty() || users.non_members.is_empty() {
        return Err(Error::Data(format!(
            "the ratings hold {} users who are not audited; the attacker's shadow needs at least one member and one non-member among them (with member_fraction {member_fraction}): give the audit the interactions of more users",
            rest.len()
        )));
    }
    Ok(users)
}

/// The audited users as the pseudo-half the references draw from: the file's order, the first
/// round(n × `member_fraction`) "members" (how many each reference trains on), unsorted so that
/// `all()` is the file's order.
fn audited_half(audited: &[u32], member_fraction: f64) -> HalfUsers {
    let m = ((audited.len() as f64 * member_fraction).round() as usize).clamp(1, audited.len());
    HalfUsers {
        members: audited[..m].to_vec(),
        non_members: audited[m..].to_vec(),
    }
}

/// The shadow half (held out as a run's) and the audited users, as the stages read them.
pub(crate) fn halves(data: &Dataset, cfg: &Config, audited: &[u32]) -> Result<Halves> {
    let shadow_users = shadow_users(data.n_users(), audited, cfg.member_fraction, cfg.seed)?;
    let audited_users = audited_half(audited, cfg.member_fraction);
    let counts = Counts {
        users: data.n_users(),
        items: data.n_items(),
        interactions: data.n_interactions(),
        shadow_members: shadow_users.members.len(),
        shadow_nonmembers: shadow_users.non_members.len(),
        target_members: audited_users.members.len(),
        target_nonmembers: audited_users.non_members.len(),
    };
    let mut holdout = rng_for(cfg.seed, Stream::Holdout);
    let shadow = HalfData::new(data, shadow_users, cfg.holdout, &mut holdout);
    // The references train on whole histories: nothing of the audited users is held out.
    let target = HalfData::new(data, audited_users, 0.0, &mut holdout);
    Ok(Halves {
        counts,
        shadow: Arc::new(shadow),
        target: Arc::new(target),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split_users;

    #[test]
    fn auditing_a_runs_target_half_gives_that_runs_shadow_half() {
        for (n, seed, fraction) in [(611, 4, 0.5), (100, 1, 0.3), (57, 9, 0.5)] {
            let split = split_users(n, fraction, &mut rng_for(seed, Stream::Split)).unwrap();
            let audited: Vec<u32> = split.target.all().collect();
            let s = shadow_users(n, &audited, fraction, seed).unwrap();
            assert_eq!(s, split.shadow, "{n} users, seed {seed}");
        }
        // other audited users: the rest, cut in the shuffle's order
        let s = shadow_users(10, &[0, 1, 2, 3], 0.5, 0).unwrap();
        let mut all: Vec<u32> = s.all().collect();
        all.sort_unstable();
        assert_eq!(all, vec![4, 5, 6, 7, 8, 9]);
        assert_eq!(s.members.len(), 3);
        let e = shadow_users(5, &[0, 1, 2, 3], 0.5, 0).unwrap_err();
        assert!(e.to_string().contains("1 users who are not audited"), "{e}");
    }

    #[test]
    fn the_audited_users_keep_the_files_order() {
        let h = audited_half(&[9, 2, 7, 4, 5], 0.5);
        assert_eq!(h.all().collect::<Vec<_>>(), vec![9, 2, 7, 4, 5]);
        assert_eq!(h.members, vec![9, 2, 7]);
        // one audited user still gives each reference a member
        assert_eq!(audited_half(&[3], 0.3).members, vec![3]);
    }

    #[test]
    fn the_shadow_is_held_out_as_a_runs_shadow() {
        let data = crate::synth::dataset(60, 80, 1_500, 3);
        let cfg = Config::default();
        let run = Halves::split(&data, &cfg).unwrap();
        let audited: Vec<u32> = run.target.users.all().collect();
        let h = halves(&data, &cfg, &audited).unwrap();
        assert_eq!(h.shadow.users, run.shadow.users);
        assert_eq!(h.shadow.heldout, run.shadow.heldout);
        assert_eq!(h.shadow.popular_order, run.shadow.popular_order);
        assert_eq!(h.counts, run.counts);
        assert!(h.target.heldout.iter().all(|x| x.is_empty()));
    }
}
