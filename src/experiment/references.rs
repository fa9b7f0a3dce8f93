//! The calibrated attack's reference recommenders (`attack` lira, attack/lira.rs): K imitations of
//! the target service that the attacker trains itself, each on its own seeded choice of users,
//! served exactly as the target serves (same algorithm as the attacker's shadow, same protocol,
//! the same defence when the attacker knows it), then asked what a new account gets.
//!
//! Reference `r` of seed `s` draws everything from sub-streams `8r … 8r + 7` of
//! `rng::Stream::Reference`, so a reference is the same whoever trains it and in whatever order.
//! Its members are, online, a random `member_fraction` of the attacked (target) users — the
//! target's own training size, each attacked user in about half the references; offline, as many
//! random users of the attacker's shadow half, every attacked user out. Its training uses each
//! member's whole history (the attacker does not know the target's held-out items), so no utility
//! is measured.
//!
//! Why the attacked users and not shadow ∪ target (which would also put each attacked user in
//! about half the references): that trains each reference on twice the target's data — a worse
//! imitation of a model trained on `member_fraction` of one half — at twice the time.

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::Array2;

use super::pipeline::{train_and_serve, Halves};
use super::served::ServedHalf;
use crate::attack::features::centroid_differences;
use crate::attack::lira::{input_statistics, ReferenceSamples};
use crate::attack::AttackInput;
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::rng::{rng_for_index, shuffle, Stream};
use crate::serving::{Half, HalfData, HalfStreams};
use crate::split::HalfUsers;

/// Sub-streams of one reference: 8 per reference.
const STREAMS_PER_REFERENCE: u32 = 8;

fn sub(seed: u32, r: u32, j: u32) -> rand_chacha::ChaCha8Rng {
    rng_for_index(seed, Stream::Reference, r * STREAMS_PER_REFERENCE + j)
}

/// Reference `r`'s users: members (its training data) and non-members (every other user it must
/// serve: the attacked users not in it, and offline the shadow users not in it).
pub(crate) fn reference_users(cfg: &Config, halves: &Halves, r: u32) -> HalfUsers {
    let target: Vec<u32> = halves.target.users.all().collect();
    let m = halves.target.users.members.len();
    let mut pool: Vec<u32> = if cfg.lira_offline {
        halves.shadow.users.all().collect()
    } else {
        target.clone()
    };
    shuffle(&mut sub(cfg.seed, r, 0), &mut pool);
    let cut = m.min(pool.len());
    let mut members = pool[..cut].to_vec();
    let mut non_members = pool[cut..].to_vec();
    if cfg.lira_offline {
        non_members.extend(&target);
    }
    members.sort_unstable();
    non_members.sort_unstable();
    HalfUsers {
        members,
        non_members,
    }
}

/// Reference `r`, ready to train and serve.
pub(crate) fn reference_half(data: &Dataset, cfg: &Config, halves: &Halves, r: u32) -> Half {
    let users = reference_users(cfg, halves, r);
    let half_data = HalfData::new(data, users, 0.0, &mut sub(cfg.seed, r, 1));
    Half::with_streams(
        cfg.shadow_kind(),
        "reference",
        Arc::new(half_data),
        cfg,
        sub(cfg.seed, r, 2),
        sub(cfg.seed, r, 3),
        HalfStreams {
            seed: cfg.seed,
            defence: (Stream::Reference, Some(r * STREAMS_PER_REFERENCE + 4)),
            probe_fold: (Stream::Reference, Some(r * STREAMS_PER_REFERENCE + 5)),
            probe_defence: (Stream::Reference, Some(r * STREAMS_PER_REFERENCE + 6)),
        },
    )
}

/// The K references of one run, trained one after the other (a pool trains them as units).
pub(crate) struct References {
    k: u32,
    done: Vec<ServedHalf>,
    current: Option<Half>,
}

impl References {
    pub fn new(k: u32) -> References {
        References {
            k,
            done: Vec::new(),
            current: None,
        }
    }

    pub fn next_index(&self) -> u32 {
        self.done.len() as u32
    }

    pub fn is_done(&self) -> bool {
        self.done.len() as u32 >= self.k
    }

    /// One bounded piece of the next reference's work; true once all K are in.
    pub fn step(&mut self, data: &Dataset, cfg: &Config, halves: &Halves) -> Result<bool> {
        if self.is_done() {
            return Ok(true);
        }
        let r = self.next_index();
        let half = self
            .current
            .get_or_insert_with(|| reference_half(data, cfg, halves, r));
        let (finished, _) = train_and_serve(data, half)?;
        if finished {
            let half = self.current.take().expect("in training");
            self.done.push(ServedHalf::of(&half));
        }
        Ok(self.is_done())
    }

    /// Share done, in [0, 1].
    pub fn fraction(&self) -> f64 {
        let within = self
            .current
            .as_ref()
            .map_or(0.0, |h| (h.train_fraction() + h.serve_fraction()) / 2.0);
        ((self.done.len() as f64 + within) / f64::from(self.k.max(1))).min(1.0)
    }

    pub fn status(&self) -> String {
        format!(
            "reference recommender {}/{}",
            (self.done.len() as u32 + 1).min(self.k),
            self.k
        )
    }

    pub fn served(&self) -> &[ServedHalf] {
        &self.done
    }
}

/// What the attacker observes of a set of users in one reference: their histories, the
/// reference's lists for them, their features, the reference's probes, and whether each was in.
pub(crate) struct ReferenceView {
    pub users: Vec<u32>,
    pub lists: Vec<Vec<u32>>,
    pub clones: Option<Vec<Vec<u32>>>,
    pub new_user: Option<Vec<u32>>,
    pub features: Array2<f32>,
    pub members: Vec<bool>,
}

impl ReferenceView {
    /// The view of `users` (dataset indices) in reference `half`.
    pub fn of(
        data: &Dataset,
        half: &ServedHalf,
        users: &[u32],
        vectors: &ndarray::ArrayRef2<f32>,
        cfg: &Config,
    ) -> ReferenceView {
        let position: HashMap<u32, usize> = half
            .data
            .users
            .all()
            .enumerate()
            .map(|(i, u)| (u, i))
            .collect();
        let n_members = half.data.users.members.len();
        let idx: Vec<usize> = users.iter().map(|u| position[u]).collect();
        let lists: Vec<Vec<u32>> = idx.iter().map(|&i| half.lists[i].clone()).collect();
        let clones = half
            .probes
            .clones
            .as_ref()
            .map(|c| idx.iter().map(|&i| c[i].clone()).collect());
        let histories: Vec<&[u32]> = users.iter().map(|&u| data.user_items(u as usize)).collect();
        let list_refs: Vec<&[u32]> = lists.iter().map(|l| l.as_slice()).collect();
        let features = centroid_differences(vectors, &histories, &list_refs, cfg.weighting);
        ReferenceView {
            users: users.to_vec(),
            members: idx.iter().map(|&i| i < n_members).collect(),
            lists,
            clones,
            new_user: half.probes.new_user.clone(),
            features,
        }
    }

    pub fn input<'a>(&'a self, data: &'a Dataset) -> AttackInput<'a> {
        AttackInput {
            histories: self
                .users
                .iter()
                .map(|&u| data.user_items(u as usize))
                .collect(),
            lists: &self.lists,
            features: &self.features,
            new_user_list: self.new_user.as_deref(),
            clone_lists: self.clones.as_deref(),
        }
    }
}

/// Every reference's view of the attacked users (and offline of the shadow users), and the LiRA
/// samples from them.
pub(crate) fn views(
    data: &Dataset,
    cfg: &Config,
    halves: &Halves,
    refs: &[ServedHalf],
    vectors: &ndarray::ArrayRef2<f32>,
) -> (Vec<ReferenceView>, ReferenceSamples) {
    let attacked: Vec<u32> = halves.target.users.all().collect();
    let calibration: Vec<u32> = halves.shadow.users.all().collect();
    let mut views = Vec::with_capacity(refs.len());
    let mut samples = ReferenceSamples::default();
    for half in refs {
        let view = ReferenceView::of(data, half, &attacked, vectors, cfg);
        let stats = input_statistics(&view.input(data));
        samples
            .attacked
            .push(view.members.iter().copied().zip(stats).collect());
        if cfg.lira_offline {
            let cal = ReferenceView::of(data, half, &calibration, vectors, cfg);
            let stats = input_statistics(&cal.input(data));
            samples
                .calibration
                .push(cal.members.iter().copied().zip(stats).collect());
        }
        views.push(view);
    }
    (views, samples)
}
