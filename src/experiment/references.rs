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
use super::served::{Served, ServedCache, ServedHalf};
use crate::attack::features::centroid_differences;
use crate::attack::lira::{input_statistics, ReferenceSamples};
use crate::attack::AttackInput;
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::report::{Progress, Stage};
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
    crate::order::u32s(&mut members);
    crate::order::u32s(&mut non_members);
    HalfUsers {
        members,
        non_members,
    }
}

/// Reference `r`, ready to train and serve.
pub(crate) fn reference_half(data: &Dataset, cfg: &Config, halves: &Halves, r: u32) -> Half {
    let users = reference_users(cfg, halves, r);
    let half_data = HalfData::new(data, users, cfg.holdout, &mut sub(cfg.seed, r, 1));
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

    /// One bounded piece of the next reference's work; true once all K are in. A reference a unit
    /// left in `cache` (`ReferenceTrain`) is taken as it is.
    pub fn step(
        &mut self,
        data: &Dataset,
        cfg: &Config,
        halves: &Halves,
        cache: Option<&ServedCache>,
    ) -> Result<bool> {
        if self.is_done() {
            return Ok(true);
        }
        let r = self.next_index();
        if self.current.is_none() {
            // Taken, not copied: a reference serves one run, and a worker's memory is bounded.
            if let Some(served) = cache.and_then(|c| c.take(&reference_key(cfg, r))) {
                self.done.push(served.target.clone());
                return Ok(self.is_done());
            }
        }
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

/// What every reference model's cache key starts with (experiment::served keeps them apart).
pub const REFERENCE_KEY_PREFIX: &str = "reference ";

/// The cache key of reference `r`'s served half (`cfg`: the run's config): its own prefix, and the
/// offline switch, which changes who the reference trains on.
pub fn reference_key(cfg: &Config, r: u32) -> String {
    format!(
        "{REFERENCE_KEY_PREFIX}{r} offline={};{}",
        cfg.lira_offline,
        super::served::served_key(cfg)
    )
}

/// One reference model as a unit of its own, for a pool of workers or threads: trains, serves and
/// asks reference `r` and leaves it in the served cache under `reference_key`; the run's own unit
/// then takes every reference it finds there (and trains any it does not).
pub struct ReferenceTrain {
    data: Arc<Dataset>,
    cfg: Config,
    r: u32,
    key: String,
    cache: Arc<ServedCache>,
    halves: Option<Halves>,
    half: Option<Half>,
    done: bool,
    reused: bool,
    clock: Option<Arc<dyn Fn() -> f64>>,
    spent_ms: f64,
}

impl ReferenceTrain {
    pub fn new(data: Arc<Dataset>, cfg: Config, r: u32, cache: Arc<ServedCache>) -> ReferenceTrain {
        ReferenceTrain {
            key: reference_key(&cfg, r),
            data,
            cfg,
            r,
            cache,
            halves: None,
            half: None,
            done: false,
            reused: false,
            clock: None,
            spent_ms: 0.0,
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> f64>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// True when the cache already held this reference (nothing was trained).
    pub fn reused(&self) -> bool {
        self.reused
    }

    pub fn spent_ms(&self) -> f64 {
        self.spent_ms
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work.
    pub fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::finished(1));
        }
        let t0 = self.now();
        let mut within = 1.0;
        let message;
        if self.halves.is_none() {
            if self.cache.get(&self.key).is_some() {
                self.reused = true;
                self.done = true;
                message = format!("reference {} trained earlier, reused", self.r + 1);
            } else {
                let halves = Halves::split(&self.data, &self.cfg)?;
                self.half = Some(reference_half(&self.data, &self.cfg, &halves, self.r));
                self.halves = Some(halves);
                message = format!("reference {}: split", self.r + 1);
            }
        } else {
            let half = self.half.as_mut().expect("in training");
            let (finished, w) = train_and_serve(&self.data, half)?;
            within = w;
            message = format!("reference {}: {}", self.r + 1, half.train_status().0);
            if finished {
                let half = self.half.take().expect("in training");
                self.cache.put(
                    self.key.clone(),
                    Arc::new(Served {
                        halves: self.halves.take().expect("split"),
                        target: ServedHalf::of(&half),
                        shadow: None,
                        privacy: None,
                    }),
                );
                self.done = true;
            }
        }
        self.spent_ms += self.now() - t0;
        Ok(Progress {
            done: self.done,
            stage: Stage::AttackModel,
            stage_index: Stage::ALL
                .iter()
                .position(|&s| s == Stage::AttackModel)
                .unwrap_or(0),
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if self.done { 1.0 } else { within.min(0.999) },
            message,
            loss: None,
            run_index: 0,
            run_count: 1,
        })
    }
}

/// Reference `r` of `cfg` as another worker served it (`ServedCache::export` of its key): the
/// reference's users are drawn again from the seed, the lists used as sent; lists that do not fit
/// are refused.
pub fn import_reference(
    cache: &ServedCache,
    data: &Dataset,
    cfg: &Config,
    r: u32,
    sent: super::served::ServedLists,
) -> Result<()> {
    let key = reference_key(cfg, r);
    let refuse =
        |what: &str| crate::error::Error::State(format!("reference lists refused: {what}"));
    if sent.key != key || sent.shadow.is_some() {
        return Err(refuse("they were made for another setting"));
    }
    let halves = Halves::split(data, cfg)?;
    let users = reference_users(cfg, &halves, r);
    let half_data = Arc::new(HalfData::new(
        data,
        users,
        cfg.holdout,
        &mut sub(cfg.seed, r, 1),
    ));
    let served = super::served::served_half_from(&half_data, sent.target)
        .map_err(|_| refuse("they do not fit this data set's users"))?;
    cache.put(
        key,
        Arc::new(Served {
            halves,
            target: served,
            shadow: None,
            privacy: None,
        }),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::AttackKind;

    fn cfg(offline: bool) -> Config {
        Config {
            attack: AttackKind::Lira,
            lira_references: 8,
            lira_offline: offline,
            k: 8,
            epochs: 5,
            top_n: 10,
            vector_epochs: 2,
            ..Config::default()
        }
    }

    #[test]
    fn online_references_hold_each_attacked_user_in_about_half_and_offline_in_none() {
        let data = crate::synth::dataset(80, 90, 2_000, 5);
        let c = cfg(false);
        let halves = Halves::split(&data, &c).unwrap();
        let m = halves.target.users.members.len();
        let attacked: Vec<u32> = halves.target.users.all().collect();
        let mut times_in = vec![0; attacked.len()];
        for r in 0..c.lira_references {
            let u = reference_users(&c, &halves, r);
            // the target's own training size, drawn from the attacked users only
            assert_eq!(u.members.len(), m);
            assert_eq!(u.len(), attacked.len());
            for (i, a) in attacked.iter().enumerate() {
                times_in[i] += usize::from(u.members.binary_search(a).is_ok());
            }
            // the same reference whoever draws it
            assert_eq!(u, reference_users(&c, &halves, r));
        }
        let mean = times_in.iter().sum::<usize>() as f64 / times_in.len() as f64;
        assert!((3.0..=5.0).contains(&mean), "{mean}");
        assert!(times_in.iter().any(|&t| t > 0) && times_in.iter().any(|&t| t < 8));
        let off = cfg(true);
        let shadow: Vec<u32> = halves.shadow.users.all().collect();
        for r in 0..off.lira_references {
            let u = reference_users(&off, &halves, r);
            assert!(u.members.iter().all(|x| shadow.contains(x)));
            assert!(attacked
                .iter()
                .all(|a| u.non_members.binary_search(a).is_ok()));
        }
    }

    /// A reference imitates the target's training procedure, hold-out included: its members are
    /// trained on the same share of their history as the target's members (with `holdout` 0 they
    /// were trained on all of it, so under item-knn fold-in a member's list equalled the list the
    /// service gives a new account with that history, unlike in the target; the likelihood ratio
    /// then rested on a statistic that never varied in the references and inverted at seed 1:
    /// ROC-AUC 0.172 on ml-latest-small, 0.9996 with the hold-out).
    #[test]
    fn references_hold_out_the_share_of_each_member_the_target_holds_out() {
        let data = crate::synth::dataset(80, 90, 2_000, 5);
        let c = Config {
            holdout: 0.25,
            ..cfg(false)
        };
        let halves = Halves::split(&data, &c).unwrap();
        for r in 0..2 {
            let half = reference_half(&data, &c, &halves, r);
            let d = &half.data;
            assert_eq!(d.heldout.len(), d.users.members.len());
            let (mut held, mut total) = (0, 0);
            for (i, &u) in d.users.members.iter().enumerate() {
                let history = data.user_items(u as usize);
                assert_eq!(
                    d.train.interactions.row(i).len() + d.heldout[i].len(),
                    history.len()
                );
                held += d.heldout[i].len();
                total += history.len();
            }
            let share = held as f64 / total as f64;
            assert!(
                (0.15..=0.3).contains(&share),
                "reference {r} held out {share}"
            );
        }
    }

    /// A reference trained with a user serves them from their own vector: the user's list in a
    /// reference with them is personal; in one without them it is the popularity list (protocol
    /// popular), exactly what the target does to members and non-members.
    #[test]
    fn a_reference_with_a_user_serves_them_personally_and_one_without_serves_the_popular_list() {
        let data = crate::synth::dataset(80, 90, 2_000, 5);
        let c = cfg(false);
        let halves = Halves::split(&data, &c).unwrap();
        let attacked: Vec<u32> = halves.target.users.all().collect();
        let mut refs = References::new(c.lira_references);
        while !refs.step(&data, &c, &halves, None).unwrap() {}
        let vectors = halves.item_vectors(&data, &c);
        let mut v = vectors;
        while !v.step(1 << 20) {}
        let (views, samples) = views(&data, &c, &halves, refs.served(), v.vectors());
        assert_eq!(views.len(), 8);
        assert_eq!(samples.attacked.len(), 8);
        let popular = &refs.served()[0].data.popular_order;
        for view in &views {
            assert_eq!(view.users, attacked);
            for (u, list) in view.lists.iter().enumerate() {
                if !view.members[u] {
                    // out: the reference's popularity list (minus nothing: exclude_seen is off)
                    let pop = view.new_user.as_ref().unwrap();
                    assert_eq!(list, pop, "user {u}");
                }
            }
            assert!(view.members.iter().any(|&m| m) && view.members.iter().any(|&m| !m));
        }
        // the popular list of the first reference is its own training data's
        assert_eq!(views[0].new_user.as_deref(), Some(&popular[..10]));
        // a user's statistic of "distance to the new-user list" is 0 when out, above 0 when in
        for r in &samples.attacked {
            for (member, x) in r {
                if !member {
                    assert_eq!(x[2], 0.0);
                }
            }
        }
        let in_mean: Vec<f64> = samples
            .attacked
            .iter()
            .flatten()
            .filter(|s| s.0)
            .map(|s| s.1[2])
            .collect();
        assert!(in_mean.iter().sum::<f64>() / in_mean.len() as f64 > 0.0);
    }
}
