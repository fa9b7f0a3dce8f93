//! What a new account is served: the attacker's queries to a service (target, shadow or reference
//! model), made after the half's own lists.
//!
//! - `new_user`: the list a new account without history gets — the service's cold-start list, the
//!   training data's popularity list (under protocol `popular` exactly what every non-member gets).
//!   Anyone can see it by signing up; the `new-user-list` attack compares each user's list with it.
//! - `clones`: for every user of the half, the list a new account holding a copy of that user's
//!   history (restricted to the catalogue) gets — under `fold-in` the service fits a vector for the
//!   copy, under `popular` the copy gets the popularity list (minus its history with
//!   `exclude_seen`). The reference-list attack (after Chi et al., AAAI 2026) compares each user's
//!   list with their copy's: a non-member's list was made the same way, a member's was not.
//!
//! The service's defence applies to these lists as to any other, from the half's own probe streams,
//! so asking never shifts the half's own lists. The copies' fold-in replaces the half's non-member
//! fold-in in the model (their lists are made by then); a half that will be served again
//! (`reserve`, the frontier) keeps its scores, and the copies' scores too.

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;

use super::{Half, BLOCK};
use crate::config::Protocol;
use crate::data::Dataset;
use crate::mf::Interactions;
use crate::recommend::first_n_unseen;
use crate::recommender::Who;

/// What the attacker learnt by asking the service as a new account.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probes {
    /// The list a new account without history gets.
    pub new_user: Option<Vec<u32>>,
    /// Per user of the half (members first): the list of a new account with a copy of the user's
    /// history. `None` unless asked for (`begin_probes(true)`).
    pub clones: Option<Arc<Vec<Vec<u32>>>>,
}

/// Asking in progress.
pub(super) struct Probing {
    clones: bool,
    /// Fold-in of the copies begun (protocol fold-in).
    folding: bool,
    fold_rng: Option<ChaCha8Rng>,
    defence_rng: ChaCha8Rng,
    lists: Vec<Vec<u32>>,
    /// The copies' scores, kept when the half keeps its own (`keep_scores`).
    cache: Option<Vec<Vec<f32>>>,
}

impl Half {
    /// Starts asking: the new-user list, and the copies' lists when `clones`. Asking again after
    /// `reserve` reuses the copies' fold-in (and their cached scores).
    pub fn begin_probes(&mut self, clones: bool) {
        let cache = self.score_cache.as_ref().map(|_| Vec::new());
        let old = self.probing.take();
        let (folding, cache) = match old {
            Some(p) => (p.folding, p.cache.or(cache)),
            None => (false, cache),
        };
        self.probing = Some(Probing {
            clones,
            folding,
            fold_rng: (!folding).then(|| self.streams.rng(self.streams.probe_fold)),
            defence_rng: self.streams.rng(self.streams.probe_defence),
            lists: Vec::new(),
            cache,
        });
        self.probes = Probes::default();
    }

    /// Forgets the probes' lists (the half is served again under another defence): asking again
    /// starts the defence's probe stream afresh, as a half served under that defence from the
    /// start would.
    pub(super) fn reset_probes(&mut self) {
        self.probes = Probes::default();
        if let Some(p) = self.probing.as_mut() {
            p.lists.clear();
            p.defence_rng = self.streams.rng(self.streams.probe_defence);
        }
    }

    /// Whether `begin_probes` was called.
    pub fn probing_begun(&self) -> bool {
        self.probing.is_some()
    }

    /// Whether the probes asked for are all made.
    pub fn is_probed(&self) -> bool {
        match &self.probing {
            None => false,
            Some(p) => {
                self.probes.new_user.is_some() && (!p.clones || self.probes.clones.is_some())
            }
        }
    }

    /// Makes up to about `budget` units of the probes; true when done. Call after serving.
    pub fn probe_step(&mut self, dataset: &Dataset, budget: usize) -> bool {
        let Some(mut p) = self.probing.take() else {
            return true;
        };
        let done = self.advance_probes(&mut p, dataset, budget);
        self.probing = Some(p);
        done
    }

    fn advance_probes(&mut self, p: &mut Probing, dataset: &Dataset, budget: usize) -> bool {
        let n = self.serving.top_n;
        if self.probes.new_user.is_none() {
            let mut list = match &self.defence {
                Some(d) => d.popular_list(&mut p.defence_rng, &self.data.popular_order, &[], n),
                None => first_n_unseen(&self.data.popular_order, &[], n),
            };
            if let Some(d) = &self.defence {
                d.list(&mut p.defence_rng, &mut list, &self.data.train.known, &[]);
            }
            self.probes.new_user = Some(list);
        }
        if !p.clones || self.probes.clones.is_some() {
            return true;
        }
        let users: Vec<u32> = self.data.users.all().collect();
        let seen = |u: u32| -> &[u32] {
            if self.serving.exclude_seen {
                dataset.user_items(u as usize)
            } else {
                &[]
            }
        };
        if self.serving.protocol == Protocol::Popular {
            for &u in &users {
                let mut list = match &self.defence {
                    Some(d) => {
                        d.popular_list(&mut p.defence_rng, &self.data.popular_order, seen(u), n)
                    }
                    None => first_n_unseen(&self.data.popular_order, seen(u), n),
                };
                if let Some(d) = &self.defence {
                    d.list(
                        &mut p.defence_rng,
                        &mut list,
                        &self.data.train.known,
                        seen(u),
                    );
                }
                p.lists.push(list);
            }
            self.probes.clones = Some(Arc::new(std::mem::take(&mut p.lists)));
            return true;
        }
        // Protocol fold-in: the service fits a vector for each copy, then ranks for it.
        if !p.folding {
            if let Some(rng) = p.fold_rng.take() {
                let known = &self.data.train.counts;
                let rows: Vec<Vec<u32>> = users
                    .iter()
                    .map(|&u| {
                        dataset
                            .user_items(u as usize)
                            .iter()
                            .copied()
                            .filter(|&i| known[i as usize] > 0)
                            .collect()
                    })
                    .collect();
                let histories = Interactions::from_rows(rows.iter().map(|r| r.as_slice()));
                self.model.begin_fold_in(&self.data.train, histories, rng);
            }
            if !self.model.fold_in_step(&self.data.train, budget) {
                return false;
            }
            p.folding = true;
        }
        let per_step = self.users_per_step(crate::experiment::pipeline::SCORE_WORK);
        let end = (p.lists.len() + per_step).min(users.len());
        while p.lists.len() < end {
            let first = p.lists.len();
            let block = (end - first).min(BLOCK);
            let cached = p.cache.as_ref().is_some_and(|c| c.len() >= first + block);
            if cached {
                let c = p.cache.as_ref().expect("checked");
                for (b, s) in self.scores[..block].iter_mut().enumerate() {
                    s.clear();
                    s.extend_from_slice(&c[first + b]);
                }
            } else {
                self.model.score_block(
                    &self.data.train,
                    Who::NewUser,
                    first,
                    &self.data.train.known,
                    &mut self.scores[..block],
                );
                if let Some(c) = p.cache.as_mut() {
                    c.truncate(first);
                    c.extend(self.scores[..block].iter().cloned());
                }
            }
            for b in 0..block {
                let u = users[first + b];
                if let Some(d) = &self.defence {
                    d.scores(&mut p.defence_rng, &mut self.scores[b]);
                }
                let mut list = crate::recommend::top_n(self.scored(b), seen(u), n);
                if let Some(d) = &self.defence {
                    d.list(
                        &mut p.defence_rng,
                        &mut list,
                        &self.data.train.known,
                        seen(u),
                    );
                }
                p.lists.push(list);
            }
        }
        if p.lists.len() == users.len() {
            self.probes.clones = Some(Arc::new(std::mem::take(&mut p.lists)));
            true
        } else {
            false
        }
    }
}
