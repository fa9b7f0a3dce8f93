//! Serving one half of the users: who gets which top-N list. Members are served by the half's
//! trained recommender; non-members by the protocol — the training data's popularity list (the
//! paper's) or the same recommender folding in their own history (a deployed service). Also counts
//! the recommender's utility on the members' held-out interactions.
//!
//! `HalfData` (split, held-out items, training set) is fixed by the seed and shared by every
//! algorithm trained on the half, so the transfer matrix compares algorithms on the same data.
//!
//! The target half applies the config's defence where lists are made (`defence::Defence`: scores
//! before ranking, lists after ranking, non-members' popular lists), drawing from its own stream.
//! The attacker's halves (its shadow, its reference models) run the same defence when the attacker
//! knows it (`attacker_knows_defence`, the default: a defence whose mechanism is public must hold
//! against an attacker who imitates it), each from a stream of its own. A trained half can be
//! served again under another serving-level defence (`reserve`) from its cached scores, which is
//! how the frontier avoids retraining.
//!
//! A half whose model trains with DP-SGD recommends from every item of the data set and serves
//! each non-member from their history less the share a member's training holds out, so that
//! nothing it serves depends on who is a member except through the private model (see
//! `defence::dp_training` for what ε covers). After training, an audited target runs the one-run
//! privacy audit (`defence::audit`) and puts its verdict into `privacy`.
//!
//! After serving, a half can be asked what a new account gets (`probe`, serving/probe.rs): the
//! list of a new user without history, and the list of a new account holding a copy of each
//! user's history — what an outsider sees by asking the service, which the `new-user-list`,
//! `reference-list` and `lira` attacks compare with the user's own list.

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;

use crate::config::{Config, Protocol};
use crate::data::Dataset;
use crate::defence::audit::{audits, CanaryAudit};
use crate::defence::{self, Defence};
use crate::error::{Error, Result};
use crate::eval::utility::{Utility, UtilityCounter};
use crate::mf::Interactions;
use crate::privacy::PrivacySpent;
use crate::recommend::{first_n_unseen, full_order, popularity_scores, top_n_with_and_without};
use crate::recommender::{build, Recommender, RecommenderKind, TrainSet, Who};
use crate::rng::{rng_for, rng_for_index, Stream};
use crate::split::{hold_out, HalfUsers};

mod probe;
pub use probe::Probes;

/// Users scored together so each item row is loaded once per block.
const BLOCK: usize = 8;
/// A mean training loss above this has exploded: every loss MemberLens trains (squared error on
/// 0/1 targets, logistic losses) starts below about 1.
const DIVERGED_LOSS: f64 = 1e3;

/// What a half's recommenders learn from and are judged on, whatever the algorithm.
pub struct HalfData {
    pub users: HalfUsers,
    pub train: TrainSet,
    /// Held-out items of each member (by local member index).
    pub heldout: Vec<Vec<u32>>,
    /// Known items from most to least popular in the training data.
    pub popular_order: Vec<u32>,
    /// Each non-member's whole history. A service folds in what of it lies in its catalogue
    /// (`Half`): the known items, or the whole history under DP.
    pub new_user_histories: Interactions,
}

impl HalfData {
    /// Holds out `holdout` of each member's items (drawn from `rng`) and builds the training set.
    pub fn new(data: &Dataset, users: HalfUsers, holdout: f64, rng: &mut ChaCha8Rng) -> HalfData {
        let (rows, heldout): (Vec<Vec<u32>>, Vec<Vec<u32>>) = users
            .members
            .iter()
            .map(|&u| hold_out(data.user_items(u as usize), holdout, rng))
            .unzip();
        let train = TrainSet::new(
            Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
            data.n_items(),
        );
        let popularity = popularity_scores(&train.counts, &train.known);
        let popular_order = full_order(popularity.iter().copied().zip(train.known.iter().copied()));
        let new_user_histories = Interactions::from_rows(
            users
                .non_members
                .iter()
                .map(|&u| data.user_items(u as usize)),
        );
        HalfData {
            users,
            train,
            heldout,
            popular_order,
            new_user_histories,
        }
    }

    /// Membership labels in the half's user order (members first).
    pub fn labels(&self) -> Vec<bool> {
        let m = self.users.members.len();
        (0..self.users.len()).map(|i| i < m).collect()
    }
}

/// How lists are served; the serving part of the config.
#[derive(Clone, Copy, Debug)]
pub struct ServingParams {
    pub protocol: Protocol,
    pub top_n: usize,
    pub exclude_seen: bool,
}

impl ServingParams {
    pub fn from_config(cfg: &Config) -> ServingParams {
        ServingParams {
            protocol: cfg.protocol,
            top_n: cfg.top_n as usize,
            exclude_seen: cfg.exclude_seen,
        }
    }
}

/// One algorithm serving one half: training, fold-in, then the lists.
pub struct Half {
    pub kind: RecommenderKind,
    /// "target" or "shadow", for messages.
    pub side: &'static str,
    pub data: Arc<HalfData>,
    serving: ServingParams,
    /// The items the model may recommend (`TrainSet::catalogue`), sorted.
    catalogue: Vec<u32>,
    /// Under DP, what each non-member is served from: their history minus the same share a
    /// member's training holds out, drawn from its own stream (`None`: their known items).
    served_new: Option<Interactions>,
    model: Box<dyn Recommender>,
    fold_rng: Option<ChaCha8Rng>,
    folding: bool,
    /// One list per user of the half, members first. Shared, not copied, with what the attacker
    /// observes (`experiment::pipeline::Observed`).
    pub lists: Arc<Vec<Vec<u32>>>,
    utility: UtilityCounter,
    scores: Vec<Vec<f32>>,
    /// The serving-level defence (the target's, or the attacker's imitation of it) and its stream.
    defence: Option<Box<dyn Defence>>,
    defence_rng: Option<ChaCha8Rng>,
    /// Whether this half runs the config's defence, and the streams it draws from.
    defended: bool,
    streams: HalfStreams,
    /// The privacy DP training spends (a half trained with dp-sgd, or an audited target:
    /// `defence::audit`).
    privacy: Option<PrivacySpent>,
    /// The one-run privacy audit of the target's training, until it is done; its verdict then
    /// goes into `privacy`.
    audit: Option<CanaryAudit>,
    /// A defence setting that cannot work, reported by the first `train_step`.
    pending_error: Option<Error>,
    /// Every scored user's scores, in the half's order, once `keep_scores` is on.
    score_cache: Option<Vec<Vec<f32>>>,
    /// What a new account is served (serving/probe.rs), once asked.
    probing: Option<probe::Probing>,
    pub probes: Probes,
}

/// The seed and the streams one half draws its defence and its probes from.
#[derive(Clone, Copy, Debug)]
pub struct HalfStreams {
    pub seed: u32,
    /// The serving-level defence of the half's own lists.
    pub defence: (Stream, Option<u32>),
    /// The fold-in of the probe accounts.
    pub probe_fold: (Stream, Option<u32>),
    /// The defence on the probe accounts' lists.
    pub probe_defence: (Stream, Option<u32>),
}

impl HalfStreams {
    /// The target's and the shadow's streams; reference models set their own.
    pub fn of_side(seed: u32, side: &str) -> HalfStreams {
        let (defence, probe) = if side == "target" {
            (Stream::TargetDefence, Stream::TargetProbe)
        } else {
            (Stream::ShadowDefence, Stream::ShadowProbe)
        };
        HalfStreams {
            seed,
            defence: (defence, None),
            probe_fold: (probe, Some(0)),
            probe_defence: (probe, Some(1)),
        }
    }

    pub fn rng(&self, which: (Stream, Option<u32>)) -> ChaCha8Rng {
        match which {
            (s, None) => rng_for(self.seed, s),
            (s, Some(i)) => rng_for_index(self.seed, s, i),
        }
    }
}

/// Applies the defence's list hook, if any.
fn defend_list(
    defence: &Option<Box<dyn Defence>>,
    rng: &mut Option<ChaCha8Rng>,
    list: &mut [u32],
    candidates: &[u32],
    exclude: &[u32],
) {
    if let (Some(d), Some(r)) = (defence, rng) {
        d.list(r, list, candidates, exclude);
    }
}

impl Half {
    pub fn new(
        kind: RecommenderKind,
        side: &'static str,
        data: Arc<HalfData>,
        cfg: &Config,
        model_rng: ChaCha8Rng,
        fold_rng: ChaCha8Rng,
    ) -> Half {
        let streams = HalfStreams::of_side(cfg.seed, side);
        Half::with_streams(kind, side, data, cfg, model_rng, fold_rng, streams)
    }

    /// `new` with the streams of the defence and the probes given (reference models).
    pub fn with_streams(
        kind: RecommenderKind,
        side: &'static str,
        data: Arc<HalfData>,
        cfg: &Config,
        model_rng: ChaCha8Rng,
        fold_rng: ChaCha8Rng,
        streams: HalfStreams,
    ) -> Half {
        // Defences protect the target service. The attacker's halves imitate it, defence
        // included when the attacker knows it and the defence applies to the algorithm the
        // attacker trains (dp-sgd does not apply to item-knn, say: that imitation stays plain).
        let target = side == "target";
        let applies = cfg
            .defence
            .check_applies(kind, cfg.protocol, cfg.negative_sampling);
        let defended = target || (cfg.attacker_knows_defence && applies.is_ok());
        let model_cfg = if defended {
            cfg.clone()
        } else {
            cfg.undefended()
        };
        let mut pending_error = None;
        let mut privacy = None;
        let mut audit = None;
        if defended {
            let defence = cfg.defence_params();
            match applies.and_then(|()| defence::privacy_for(&defence, &data.train)) {
                Ok(p) => privacy = p,
                Err(e) => pending_error = Some(e),
            }
            // The audit measures the service's training: the target's only.
            if target && pending_error.is_none() && audits(&defence) {
                let delta = defence::delta_for(&defence, data.train.interactions.len());
                let p = privacy.get_or_insert(PrivacySpent::none(delta));
                let models = cfg.recommender_params();
                audit = Some(CanaryAudit::new(kind, &models, &defence, &data, p.delta));
            }
        }
        let model = build(
            kind,
            &model_cfg.recommender_params(),
            &data.train,
            model_rng,
        );
        // A DP-trained model serves from the public catalogue, and every user — member or not —
        // from the same share of their own history; see `defence::dp_training` for what ε covers.
        let private = model_cfg.dp_params().is_some();
        let served_new = private.then(|| {
            let mut rng = rng_for(cfg.seed, Stream::NewUserHoldout);
            let h = &data.new_user_histories;
            let rows: Vec<Vec<u32>> = (0..h.n_users())
                .map(|u| hold_out(h.row(u), cfg.holdout, &mut rng).0)
                .collect();
            Interactions::from_rows(rows.iter().map(|r| r.as_slice()))
        });
        let mut half = Half {
            kind,
            side,
            serving: ServingParams::from_config(cfg),
            catalogue: data.train.catalogue(private),
            served_new,
            model,
            fold_rng: Some(fold_rng),
            folding: false,
            lists: Arc::default(),
            utility: UtilityCounter::default(),
            scores: vec![Vec::new(); BLOCK],
            defence: None,
            defence_rng: None,
            defended,
            streams,
            privacy,
            audit,
            pending_error,
            score_cache: None,
            probing: None,
            probes: Probes::default(),
            data,
        };
        if defended {
            half.set_defence(cfg);
        }
        half
    }

    /// Takes the serving-level defence of `cfg` (none at strength 0) with a fresh stream.
    fn set_defence(&mut self, cfg: &Config) {
        self.defence = defence::build(&cfg.defence_params());
        self.defence_rng = self
            .defence
            .as_ref()
            .map(|_| self.streams.rng(self.streams.defence));
    }

    /// Whether this half runs the config's defence (the target always; the attacker's halves when
    /// the attacker knows it).
    pub fn defended(&self) -> bool {
        self.defended
    }

    /// Keeps every user's scores from the next serving on, so that `reserve` need not score again.
    pub fn keep_scores(&mut self) {
        self.score_cache.get_or_insert_with(Vec::new);
    }

    /// Forgets the lists and serves again under `cfg`'s serving-level defence, from the same trained
    /// model: the lists equal those of a half trained and served with `cfg` from the start. `cfg`
    /// must differ from the training config only in the serving-level defence.
    pub fn reserve(&mut self, cfg: &Config) -> Result<()> {
        if !cfg.defence.serving_only() {
            return Err(Error::State(format!(
                "{} changes training: train a new half instead of serving again",
                cfg.defence.id()
            )));
        }
        if !self.defended {
            // The attacker's plain imitation: nothing to serve differently.
            return Ok(());
        }
        cfg.defence
            .check_applies(self.kind, cfg.protocol, cfg.negative_sampling)?;
        self.set_defence(cfg);
        // A new vector: the attacker may still hold the old lists.
        self.lists = Arc::default();
        self.utility = UtilityCounter::default();
        self.reset_probes();
        Ok(())
    }

    /// The privacy DP training spent (`None` unless the target trains with dp-sgd).
    pub fn privacy(&self) -> Option<PrivacySpent> {
        self.privacy
    }

    /// Trains the model, then folds in non-members (protocol `fold-in`); true when both are done.
    /// A non-finite or exploding loss stops the run with an error naming the setting to lower.
    pub fn train_step(&mut self, budget: usize) -> Result<bool> {
        if let Some(e) = self.pending_error.take() {
            return Err(e);
        }
        let done = self.advance_training(budget) && self.advance_audit(budget);
        let (status, loss) = self.train_status();
        if let Some(l) = loss.filter(|l| !l.is_finite() || *l > DIVERGED_LOSS) {
            let hint = match &self.audit {
                Some(a) if self.own_train_fraction() >= 1.0 => a.divergence_hint(),
                _ => self.model.divergence_hint(),
            };
            return Err(Error::Training(format!(
                "the {} recommender ({}) diverged at {status}: mean loss {l}; lower {hint}",
                self.side,
                self.kind.id(),
            )));
        }
        Ok(done)
    }

    /// Steps the privacy audit once training is over; true when it is done (or there is none).
    fn advance_audit(&mut self, budget: usize) -> bool {
        let Some(a) = &mut self.audit else {
            return true;
        };
        if !a.step(budget) {
            return false;
        }
        if let Some(p) = &mut self.privacy {
            p.audit = a.result();
        }
        // The audit's model and canaries are not needed again.
        self.audit = None;
        true
    }

    fn advance_training(&mut self, budget: usize) -> bool {
        let train = &self.data.train;
        if !self.folding {
            if !self.model.train_step(train, budget) {
                return false;
            }
            if self.serving.protocol != Protocol::FoldIn {
                return true;
            }
            let rng = self.fold_rng.take().expect("fold-in begins once");
            let histories = match &self.served_new {
                Some(h) => h.clone(),
                // A service that is not private knows only its catalogue's items.
                None => {
                    let h = &self.data.new_user_histories;
                    let rows: Vec<Vec<u32>> = (0..h.n_users())
                        .map(|u| {
                            let r = h.row(u).iter().copied();
                            r.filter(|&i| train.counts[i as usize] > 0).collect()
                        })
                        .collect();
                    Interactions::from_rows(rows.iter().map(|r| r.as_slice()))
                }
            };
            self.model.begin_fold_in(train, histories, rng);
            self.folding = true;
        }
        self.model.fold_in_step(train, budget)
    }

    pub fn train_fraction(&self) -> f64 {
        let own = self.own_train_fraction();
        match &self.audit {
            // The audit trains the model once more: half of the way.
            Some(a) => (own + a.fraction()) / 2.0,
            None => own,
        }
    }

    fn own_train_fraction(&self) -> f64 {
        if self.serving.protocol == Protocol::FoldIn {
            let fold = if self.folding {
                self.model.fold_in_fraction()
            } else {
                0.0
            };
            (self.model.train_fraction() * 2.0 + fold) / 3.0
        } else {
            self.model.train_fraction()
        }
    }

    /// A line for the progress view and the latest loss (the audit's, once it trains).
    pub fn train_status(&self) -> (String, Option<f64>) {
        match &self.audit {
            Some(a) if self.own_train_fraction() >= 1.0 => a.status(),
            _ => self.model.status(),
        }
    }

    /// Users whose lists one serving step of `budget` units builds.
    pub fn users_per_step(&self, budget: usize) -> usize {
        let per_user = self.catalogue.len().max(1) * self.model.score_cost().max(1);
        (budget / per_user).max(1)
    }

    /// Builds the lists of up to `users` more users; true when every user has one.
    pub fn serve_step(&mut self, dataset: &Dataset, users: usize) -> bool {
        let n = self.serving.top_n;
        let n_members = self.data.users.members.len();
        let total = self.data.users.len();
        let end = (self.lists.len() + users.max(1)).min(total);
        while self.lists.len() < end {
            let idx = self.lists.len();
            // A block never straddles members and non-members: they are scored differently.
            let limit = if idx < n_members {
                n_members.min(end)
            } else {
                end
            };
            let block = (limit - idx).min(BLOCK);
            let personal_new = self.serving.protocol == Protocol::FoldIn;
            let (who, first) = if idx < n_members {
                (Who::Member, idx)
            } else {
                (Who::NewUser, idx - n_members)
            };
            if who == Who::Member || personal_new {
                self.fill_scores(who, first, idx, block);
            }
            for b in 0..block {
                if let (Some(d), Some(r)) = (&self.defence, &mut self.defence_rng) {
                    if who == Who::Member || personal_new {
                        d.scores(r, &mut self.scores[b]);
                    }
                }
                let list = if who == Who::Member {
                    self.member_list(first + b, b, n)
                } else {
                    let u = self.data.users.non_members[first + b] as usize;
                    let seen: &[u32] = match (&self.served_new, self.serving.exclude_seen) {
                        (_, false) => &[],
                        // Under DP a non-member, like a member, is served from a share of their
                        // history, and only that share is "seen".
                        (Some(h), true) => h.row(first + b),
                        (None, true) => dataset.user_items(u),
                    };
                    let mut list = if personal_new {
                        crate::recommend::top_n(self.scored(b), seen, n)
                    } else if let (Some(d), Some(r)) = (&self.defence, &mut self.defence_rng) {
                        d.popular_list(r, &self.data.popular_order, seen, n)
                    } else {
                        first_n_unseen(&self.data.popular_order, seen, n)
                    };
                    defend_list(
                        &self.defence,
                        &mut self.defence_rng,
                        &mut list,
                        &self.catalogue,
                        seen,
                    );
                    list
                };
                // Unshared while serving, so this never copies.
                Arc::make_mut(&mut self.lists).push(list);
            }
        }
        self.lists.len() == total
    }

    /// Scores of users `idx..idx + block` (group `who` from `first`) into `self.scores`, from the
    /// cache when it has them.
    fn fill_scores(&mut self, who: Who, first: usize, idx: usize, block: usize) {
        if let Some(cache) = &self.score_cache {
            if cache.len() >= idx + block && !cache[idx].is_empty() {
                for (b, s) in self.scores[..block].iter_mut().enumerate() {
                    s.clear();
                    s.extend_from_slice(&cache[idx + b]);
                }
                return;
            }
        }
        self.model.score_block(
            &self.data.train,
            who,
            first,
            &self.catalogue,
            &mut self.scores[..block],
        );
        if let Some(cache) = &mut self.score_cache {
            // Users never scored (non-members under protocol popular) keep an empty entry.
            cache.resize(idx, Vec::new());
            cache.extend(self.scores[..block].iter().cloned());
        }
    }

    fn scored(&self, b: usize) -> impl Iterator<Item = (f32, u32)> + '_ {
        self.scores[b]
            .iter()
            .copied()
            .zip(self.catalogue.iter().copied())
    }

    /// Member `m`'s list from its scores in slot `b`; also counts utility on held-out items.
    fn member_list(&mut self, m: usize, b: usize, n: usize) -> Vec<u32> {
        let data = self.data.clone();
        let train = data.train.interactions.row(m);
        let (mut all, mut unseen) = top_n_with_and_without(self.scored(b), train, n);
        let known = &self.catalogue;
        let (d, r) = (&self.defence, &mut self.defence_rng);
        defend_list(d, r, &mut all, known, &[]);
        // The list recall is measured on is defended the same way: recall is what the service delivers.
        defend_list(d, r, &mut unseen, known, train);
        let heldout = &data.heldout[m];
        if !heldout.is_empty() {
            // Utility is measured the usual way: training items are never counted as recommendations.
            let popular = first_n_unseen(&data.popular_order, train, n);
            self.utility.add(heldout, &unseen, &popular);
            // A random list of the candidates left (catalogue items not trained on) hits each
            // held-out catalogue item with probability min(n, c)/c.
            let c = known.len() - train.len();
            let reachable = heldout
                .iter()
                .filter(|i| known.binary_search(i).is_ok())
                .count();
            if c > 0 {
                self.utility
                    .add_random(reachable as f64 * n.min(c) as f64 / c as f64);
            }
        }
        if self.serving.exclude_seen {
            unseen
        } else {
            all
        }
    }

    pub fn serve_fraction(&self) -> f64 {
        self.lists.len() as f64 / self.data.users.len().max(1) as f64
    }

    pub fn is_served(&self) -> bool {
        self.lists.len() == self.data.users.len()
    }

    /// The recommender's utility on held-out member interactions (after serving).
    pub fn utility(&self) -> Utility {
        self.utility
            .finish(self.serving.top_n, self.model.final_loss())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    fn setup(kind: RecommenderKind, protocol: Protocol, exclude_seen: bool) -> (Dataset, Half) {
        // 12 users over 30 items; users 0..6 members, 6..12 non-members.
        let pairs: Vec<(u64, u64)> = (0..12u64)
            .flat_map(|u| (0..10u64).map(move |j| (u, (u * 3 + j * 2) % 30)))
            .collect();
        let data = Dataset::from_pairs("t", &pairs, pairs.len()).unwrap();
        let cfg = Config {
            k: 4,
            top_n: 5,
            epochs: 3,
            protocol,
            exclude_seen,
            ..Config::default()
        };
        let users = HalfUsers {
            members: (0..6).collect(),
            non_members: (6..12).collect(),
        };
        let half_data = HalfData::new(&data, users, cfg.holdout, &mut rng_for(0, Stream::Holdout));
        let h = Half::new(
            kind,
            "target",
            Arc::new(half_data),
            &cfg,
            rng_for(0, Stream::TargetModel),
            rng_for(0, Stream::TargetFoldIn),
        );
        (data, h)
    }

    fn finish(data: &Dataset, h: &mut Half) {
        while !h.train_step(7).unwrap() {}
        while !h.serve_step(data, 3) {}
    }

    #[test]
    fn popular_protocol_gives_every_non_member_the_same_list() {
        for kind in RecommenderKind::ALL {
            let (data, mut h) = setup(kind, Protocol::Popular, false);
            finish(&data, &mut h);
            assert_eq!(h.lists.len(), 12);
            assert!(h.lists.iter().all(|l| l.len() == 5));
            assert!(h.lists[6..].windows(2).all(|w| w[0] == w[1]), "{kind:?}");
            // only items seen in training can be recommended
            let known = &h.data.train.known;
            assert!(h
                .lists
                .iter()
                .flatten()
                .all(|i| known.binary_search(i).is_ok()));
        }
    }

    #[test]
    fn fold_in_and_exclude_seen_personalise_non_member_lists() {
        for kind in [RecommenderKind::Lfm, RecommenderKind::ItemKnn] {
            let (data, mut h) = setup(kind, Protocol::FoldIn, true);
            finish(&data, &mut h);
            // Non-members' lists avoid their whole history; members' avoid their training items.
            for (idx, u) in h.data.users.all().enumerate().skip(6) {
                let seen = data.user_items(u as usize);
                assert!(
                    h.lists[idx].iter().all(|i| seen.binary_search(i).is_err()),
                    "{kind:?} user {u}"
                );
            }
            assert!(h.lists[6..].windows(2).any(|w| w[0] != w[1]), "{kind:?}");
        }
    }
}
