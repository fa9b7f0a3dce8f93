//! A seed's recommenders once trained and served: what the attack stages read of them (the split,
//! every user's list, the target's utility and privacy), kept in a small cache so that runs that
//! differ only in the attacker's settings — a k-sweep's values, the default sweep of the page —
//! train the recommenders once per seed instead of once per run. The trained models themselves
//! are not kept (the attacker never sees them), only their lists.
//!
//! A cached seed is exactly what a fresh run would compute: the split, the models and the lists
//! come from the config's seed through their own random streams (`rng::Stream`), never from a
//! stream the attacker's stages also draw from, so reusing them cannot change a number.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::pipeline::Halves;
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::eval::utility::Utility;
use crate::privacy::PrivacySpent;
use crate::serving::{Half, HalfData, Probes};

/// Entries each page worker's data set keeps (src/wasm.rs; js/pool.js mirrors it): the page's
/// sweeps have at most 20 seeds, but a pool spreads them over its workers and the default sweep
/// has 3; a matrix seed's attack needs one entry per algorithm at once (at most 5).
pub const PAGE_SERVED_ENTRIES: usize = crate::experiment::matrix::MAX_RECOMMENDERS + 1;

/// The most reference models a lira run has (`lira_references`' upper bound in config.rs).
const MAX_REFERENCES: usize = 64;

fn is_reference_key(key: &str) -> bool {
    key.starts_with(super::references::REFERENCE_KEY_PREFIX)
}

/// One served half: its users and data, its lists, and the recommender's utility.
#[derive(Clone)]
pub(crate) struct ServedHalf {
    pub data: Arc<HalfData>,
    pub lists: Arc<Vec<Vec<u32>>>,
    pub utility: Utility,
    /// What a new account was served (serving/probe.rs).
    pub probes: Probes,
}

impl ServedHalf {
    pub fn of(half: &Half) -> ServedHalf {
        ServedHalf {
            data: half.data.clone(),
            lists: half.lists.clone(),
            utility: half.utility(),
            probes: half.probes.clone(),
        }
    }
}

/// A seed's served halves (the shadow only when the attack needs one).
pub(crate) struct Served {
    pub halves: Halves,
    pub target: ServedHalf,
    pub shadow: Option<ServedHalf>,
    pub privacy: Option<PrivacySpent>,
}

/// What decides a seed's served halves: the config without the attacker's own settings (which
/// only the stages after `recommendations` read), plus whether a shadow half is served at all.
/// Keys of configs that share served halves are equal; any other difference gives another key.
pub fn served_key(cfg: &Config) -> String {
    let d = Config::default();
    let mut c = cfg.clone();
    // The attacker's settings: item vectors, features, the attack model. None of them reaches the
    // split, a recommender, a defence or the serving code (they read only the fields left).
    c.vector_k = d.vector_k;
    c.weighting = d.weighting;
    c.item_vectors = d.item_vectors;
    c.vector_epochs = d.vector_epochs;
    c.attack = d.attack;
    c.hidden1 = d.hidden1;
    c.hidden2 = d.hidden2;
    c.attack_lr = d.attack_lr;
    c.attack_epochs = d.attack_epochs;
    c.attack_batch = d.attack_batch;
    c.attack_restarts = d.attack_restarts;
    c.lira_references = d.lira_references;
    c.lira_offline = d.lira_offline;
    let shadow = cfg.attack.needs_shadow();
    // A Config always serializes (plain numbers, strings and enums).
    format!(
        "shadow={shadow};{}",
        serde_json::to_string(&c).unwrap_or_default()
    )
}

/// A served seed as sent between workers (`ServedCache::export` / `import`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedLists {
    pub key: String,
    pub target: HalfLists,
    pub shadow: Option<HalfLists>,
    pub privacy: Option<PrivacySpent>,
}

/// One half's lists (one per user of the half, members first) and its recommender's utility.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HalfLists {
    pub lists: Vec<Vec<u32>>,
    pub utility: Utility,
    /// The list a new account without history got (serving/probe.rs).
    #[serde(default)]
    pub new_user_list: Option<Vec<u32>>,
    /// The lists of new accounts with a copy of each user's history.
    #[serde(default)]
    pub clone_lists: Option<Vec<Vec<u32>>>,
}

/// A served half from lists sent by another worker, checked against the half's users and items.
pub(crate) fn served_half_from(data: &Arc<HalfData>, h: HalfLists) -> Result<ServedHalf> {
    let n_items = data.train.counts.len();
    let fits = |lists: &[Vec<u32>]| {
        lists.len() == data.users.len() && lists.iter().flatten().all(|&i| (i as usize) < n_items)
    };
    if !fits(&h.lists)
        || !h.clone_lists.as_deref().is_none_or(fits)
        || h.new_user_list
            .iter()
            .flatten()
            .any(|&i| i as usize >= n_items)
    {
        return Err(Error::State("served lists do not fit".into()));
    }
    Ok(ServedHalf {
        data: data.clone(),
        lists: Arc::new(h.lists),
        utility: h.utility,
        probes: Probes {
            new_user: h.new_user_list,
            clones: h.clone_lists.map(Arc::new),
        },
    })
}

/// The last few served seeds, by key (least recently used first out). Shared by the runs of one
/// job on one data set: a plan's units, a pool worker's units, the CLI's threads.
pub struct ServedCache {
    capacity: usize,
    entries: Mutex<VecDeque<(String, Arc<Served>)>>,
}

impl ServedCache {
    /// A cache of at most `capacity` seeds (0 keeps nothing).
    pub fn new(capacity: usize) -> ServedCache {
        ServedCache {
            capacity,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Arc<Served>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let i = e.iter().position(|(k, _)| k == key)?;
        let hit = e.remove(i)?;
        let served = hit.1.clone();
        e.push_back(hit);
        Some(served)
    }

    pub(crate) fn put(&self, key: String, served: Arc<Served>) {
        if self.capacity == 0 {
            return;
        }
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.retain(|(k, _)| *k != key);
        // A lira run's reference models (sent to the worker that runs it) are held beside the
        // seeds, up to the most references a run has: they must not push out the seed being
        // worked on, nor each other before the run has taken them (`take`).
        let reference = is_reference_key(&key);
        let capacity = if reference {
            MAX_REFERENCES
        } else {
            self.capacity
        };
        while e
            .iter()
            .filter(|(k, _)| is_reference_key(k) == reference)
            .count()
            >= capacity
        {
            let oldest = e
                .iter()
                .position(|(k, _)| is_reference_key(k) == reference)
                .expect("counted above");
            e.remove(oldest);
        }
        e.push_back((key, served));
    }

    /// `get` that also removes the entry: a reference model is used by one run only.
    pub(crate) fn take(&self, key: &str) -> Option<Arc<Served>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let i = e.iter().position(|(k, _)| k == key)?;
        e.remove(i).map(|(_, s)| s)
    }

    /// Removes `key`'s entry (a reference model sent to another worker).
    pub(crate) fn forget(&self, key: &str) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.retain(|(k, _)| k != key);
    }

    /// The served seed of `key` in a form another worker can take (`import`): the lists and
    /// the recommenders' numbers; the split is not sent (the seed remakes it in milliseconds).
    pub fn export(&self, key: &str) -> Option<ServedLists> {
        let e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (_, s) = e.iter().find(|(k, _)| k == key)?;
        let half = |h: &ServedHalf| HalfLists {
            lists: h.lists.as_ref().clone(),
            utility: h.utility.clone(),
            new_user_list: h.probes.new_user.clone(),
            clone_lists: h.probes.clones.as_ref().map(|c| c.as_ref().clone()),
        };
        Some(ServedLists {
            key: key.to_string(),
            target: half(&s.target),
            shadow: s.shadow.as_ref().map(half),
            privacy: s.privacy,
        })
    }

    /// Takes a seed another worker served for `cfg` (a run of the same key): the split is made
    /// again from the seed, the lists and numbers are used as sent. Lists that do not fit the
    /// split (another data set, another setting) are refused.
    pub fn import(&self, data: &Dataset, cfg: &Config, sent: ServedLists) -> Result<()> {
        self.import_as(data, cfg, served_key(cfg), sent)
    }

    /// `import` under `key` (a matrix training unit's, `matrix_train::matrix_key`), for `cfg`'s
    /// seed and split.
    pub fn import_as(
        &self,
        data: &Dataset,
        cfg: &Config,
        key: String,
        sent: ServedLists,
    ) -> Result<()> {
        let refuse = |what: &str| Error::State(format!("served lists refused: {what}"));
        if sent.key != key {
            return Err(refuse("they were made for another setting"));
        }
        let halves = Halves::split(data, cfg)?;
        let half = |data: &Arc<HalfData>, h: HalfLists| -> Result<ServedHalf> {
            served_half_from(data, h).map_err(|_| refuse("they do not fit this data set's split"))
        };
        let target = half(&halves.target, sent.target)?;
        let shadow = match (sent.shadow, cfg.attack.needs_shadow()) {
            (Some(h), true) => Some(half(&halves.shadow, h)?),
            (None, false) => None,
            _ => return Err(refuse("the shadow half does not match the attack")),
        };
        self.put(
            key,
            Arc::new(Served {
                halves,
                target,
                shadow,
                privacy: sent.privacy,
            }),
        );
        Ok(())
    }

    /// How many seeds are held.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::AttackKind;
    use crate::experiment::pipeline::Pipeline;

    #[test]
    fn attacker_settings_share_a_key_and_everything_else_does_not() {
        let base = Config::default();
        let key = served_key(&base);
        let attacker_only = [
            Config {
                vector_k: 17,
                ..base.clone()
            },
            Config {
                hidden1: 3,
                attack_lr: 0.5,
                attack_epochs: 2,
                attack_batch: 7,
                attack_restarts: 2,
                hidden2: 5,
                vector_epochs: 3,
                ..base.clone()
            },
        ];
        for c in &attacker_only {
            assert_eq!(served_key(c), key);
        }
        let served_differently = [
            Config {
                seed: base.seed + 1,
                ..base.clone()
            },
            Config {
                k: base.k + 1,
                ..base.clone()
            },
            Config {
                lr: base.lr * 2.0,
                ..base.clone()
            },
            Config {
                top_n: base.top_n + 1,
                ..base.clone()
            },
            Config {
                epochs: base.epochs + 1,
                ..base.clone()
            },
        ];
        for c in &served_differently {
            assert_ne!(served_key(c), key);
        }
        // A shadow-free attack serves no shadow half: its seed is not the MLP's.
        let distance = Config {
            attack: AttackKind::Distance,
            ..base.clone()
        };
        assert_ne!(served_key(&distance), key);
    }

    #[test]
    fn a_run_on_served_halves_from_the_cache_equals_a_fresh_run_bit_for_bit() {
        let data = crate::synth::dataset(80, 90, 2_000, 5);
        let base = Config {
            epochs: 3,
            vector_epochs: 2,
            attack_epochs: 3,
            ..Config::default()
        };
        let cache = Arc::new(ServedCache::new(4));
        let fresh = |cfg: &Config| {
            let mut run = Pipeline::new(data.clone(), cfg.clone()).unwrap();
            let r = run.run_to_end().unwrap().clone();
            assert!(!run.reused());
            r
        };
        let cached = |cfg: &Config| {
            let mut run = Pipeline::new(data.clone(), cfg.clone())
                .unwrap()
                .with_cache(cache.clone());
            let r = run.run_to_end().unwrap().clone();
            (r, run.reused())
        };
        // The first run of a seed trains and leaves its served halves; the others reuse them,
        // and every number (timings aside) is the fresh run's.
        for (i, vk) in [8u32, 4, 12].into_iter().enumerate() {
            for seed in [1u32, 2] {
                let cfg = Config {
                    vector_k: vk,
                    seed,
                    ..base.clone()
                };
                let (mut got, reused) = cached(&cfg);
                assert_eq!(reused, i > 0, "vector_k {vk}, seed {seed}");
                let mut want = fresh(&cfg);
                assert_eq!(
                    got.timings_ms.keys().collect::<Vec<_>>(),
                    want.timings_ms.keys().collect::<Vec<_>>()
                );
                got.timings_ms.clear();
                want.timings_ms.clear();
                assert_eq!(
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(&want).unwrap()
                );
            }
        }
        assert_eq!(cache.len(), 2);
        // Another recommender setting is another seed's worth of training.
        let (_, reused) = cached(&Config {
            lr: base.lr * 2.0,
            seed: 1,
            ..base.clone()
        });
        assert!(!reused);
    }

    /// A lira run spread over a page's workers sends its reference models to one worker: they
    /// are held beside that worker's few seeds (never pushing one out), up to the most references
    /// a run has, and a run takes each once.
    #[test]
    fn reference_models_are_held_beside_the_seeds_and_taken_once() {
        use crate::experiment::references::reference_key;
        let data = crate::synth::dataset(80, 90, 2_000, 5);
        let cfg = Config {
            epochs: 2,
            vector_epochs: 1,
            attack_epochs: 1,
            ..Config::default()
        };
        let cache = Arc::new(ServedCache::new(2));
        Pipeline::new(data, cfg.clone())
            .unwrap()
            .with_cache(cache.clone())
            .run_to_end()
            .unwrap();
        let seed = served_key(&cfg);
        let entry = cache.get(&seed).expect("the run left its seed");
        for r in 0..=MAX_REFERENCES as u32 {
            cache.put(reference_key(&cfg, r), entry.clone());
        }
        // The 65th reference pushed out the oldest reference, not the seed.
        assert_eq!(cache.len(), 1 + MAX_REFERENCES);
        assert!(cache.get(&seed).is_some());
        assert!(cache.get(&reference_key(&cfg, 0)).is_none());
        // Seeds push out seeds only.
        cache.put("a".into(), entry.clone());
        cache.put("b".into(), entry);
        assert!(cache.get(&seed).is_none());
        assert_eq!(cache.len(), 2 + MAX_REFERENCES);
        let one = reference_key(&cfg, 1);
        assert!(cache.take(&one).is_some());
        assert!(cache.take(&one).is_none());
        cache.forget(&reference_key(&cfg, 2));
        assert_eq!(cache.len(), MAX_REFERENCES);
    }

    /// The bytes an entry's vectors hold: what `cost::served_bytes` counts for the estimates.
    fn entry_bytes(s: &Served) -> usize {
        let half = |h: &crate::serving::HalfData| {
            4 * (h.users.members.len() + h.users.non_members.len())
                + 4 * (h.train.interactions.len() + h.train.interactions.n_users() + 1)
                + 4 * (h.train.counts.len() + h.train.known.len() + h.popular_order.len())
                + h.heldout.iter().map(|r| 24 + 4 * r.len()).sum::<usize>()
                + 4 * (h.new_user_histories.len() + h.new_user_histories.n_users() + 1)
        };
        let lists = |h: &ServedHalf| h.lists.iter().map(|l| 24 + 4 * l.len()).sum::<usize>();
        half(&s.halves.shadow)
            + half(&s.halves.target)
            + lists(&s.target)
            + s.shadow.as_ref().map_or(0, lists)
    }

    #[test]
    fn the_cost_model_counts_an_entry_within_a_quarter() {
        let data = crate::synth::dataset(300, 400, 20_000, 3);
        let cfg = Config {
            epochs: 2,
            vector_epochs: 1,
            attack_epochs: 2,
            ..Config::default()
        };
        let cache = Arc::new(ServedCache::new(1));
        Pipeline::new(data.clone(), cfg.clone())
            .unwrap()
            .with_cache(cache.clone())
            .run_to_end()
            .unwrap();
        let real = entry_bytes(&cache.get(&served_key(&cfg)).unwrap()) as f64;
        let model = crate::cost::served_bytes(&cfg, &data.summary());
        assert!(
            (0.75..=1.25).contains(&(model / real)),
            "model {model} B against {real} B"
        );
    }
}
