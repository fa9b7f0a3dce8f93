//! A transfer matrix's recommender training as units of their own, for a pool of workers: one
//! unit trains one algorithm of one seed on the shadow half and on the target half, serves every
//! user's list and leaves them in the served cache (experiment::served) under `matrix_key`; the
//! seed's attack unit (a single-seed `Matrix` with that cache) then starts from those lists.
//! Without this a matrix seed was one unit, so a one-seed matrix used one core.
//!
//! The halves are made exactly as `Matrix` makes them (its seed config, the algorithm given, the
//! seed's own random streams), so a seed built from these lists equals one trained in place.

use std::sync::Arc;

use super::pipeline::{train_and_serve, Halves};
use super::served::{served_key, Served, ServedCache, ServedHalf};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::privacy::PrivacySpent;
use crate::recommender::RecommenderKind;
use crate::report::{Progress, Stage};
use crate::serving::Half;

/// The cache key of algorithm `kind`'s two served halves for a matrix seed (`cfg` is the matrix's
/// config with the seed set). Its own prefix: a single run's entry (`served_key`) may train the
/// halves with other settings (dp-sgd reads the config's `recommender`).
pub fn matrix_key(cfg: &Config, kind: RecommenderKind) -> String {
    format!("matrix {};{}", kind.id(), served_key(cfg))
}

/// One algorithm of one matrix seed, trained and served on both halves.
pub struct MatrixTrain {
    data: Arc<Dataset>,
    cfg: Config,
    kind: RecommenderKind,
    /// `matrix_key` of this seed and algorithm.
    key: String,
    cache: Arc<ServedCache>,
    halves: Option<Halves>,
    /// Target first, then shadow; `None` once both are served.
    sides: Vec<Half>,
    served: Vec<ServedHalf>,
    privacy: Option<PrivacySpent>,
    done: bool,
    reused: bool,
    clock: Option<Arc<dyn Fn() -> f64>>,
    spent_ms: f64,
}

impl MatrixTrain {
    /// `cfg`: the matrix's config with this seed.
    pub fn new(
        data: Arc<Dataset>,
        cfg: Config,
        kind: RecommenderKind,
        cache: Arc<ServedCache>,
    ) -> MatrixTrain {
        MatrixTrain {
            key: matrix_key(&cfg, kind),
            data,
            cfg,
            kind,
            cache,
            halves: None,
            sides: Vec::new(),
            served: Vec::new(),
            privacy: None,
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

    /// True when the cache already held this algorithm's lists (nothing was trained).
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// Milliseconds spent in `step`.
    pub fn spent_ms(&self) -> f64 {
        self.spent_ms
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work.
    pub fn step(&mut self) -> Result<Progress> {
        crate::full::required("a transfer matrix")?;
        if self.done {
            return Ok(Progress::finished(1));
        }
        let t0 = self.now();
        let (stage, within, message) = self.work()?;
        self.spent_ms += self.now() - t0;
        let index = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0);
        Ok(Progress {
            done: self.done,
            stage,
            stage_index: index,
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if self.done {
                1.0
            } else {
                // Target, then shadow: each half of the unit.
                ((self.served.len() as f64 + within.min(0.999)) / 2.0).min(1.0)
            },
            message,
            loss: None,
            run_index: 0,
            run_count: 1,
        })
    }

    fn work(&mut self) -> Result<(Stage, f64, String)> {
        let seed = self.cfg.seed;
        if self.halves.is_none() {
            if self.cache.get(&self.key).is_some() {
                self.reused = true;
                self.done = true;
                let msg = format!("seed {seed}: {} trained earlier, reused", self.kind.id());
                return Ok((Stage::Split, 1.0, msg));
            }
            let halves = Halves::split(&self.data, &self.cfg)?;
            // Popped from the end: the shadow half is trained after the target half.
            self.sides = vec![
                halves.shadow_half(&self.cfg, self.kind),
                halves.target_half(&self.cfg, self.kind),
            ];
            self.halves = Some(halves);
            return Ok((Stage::Split, 1.0, format!("seed {seed}: split")));
        }
        let (stage, side) = if self.served.is_empty() {
            (Stage::TargetRecommender, "target")
        } else {
            (Stage::ShadowRecommender, "shadow")
        };
        let half = self.sides.last_mut().expect("a half is in training");
        let (finished, within) = train_and_serve(&self.data, half)?;
        let message = format!(
            "seed {seed}: {side} {}: {}",
            self.kind.id(),
            half.train_status().0
        );
        if finished {
            let half = self.sides.pop().expect("checked above");
            if self.served.is_empty() {
                // The privacy a run reports is its target's.
                self.privacy = half.privacy();
            }
            self.served.push(ServedHalf::of(&half));
            if self.sides.is_empty() {
                self.keep();
            }
        }
        Ok((stage, within, message))
    }

    fn keep(&mut self) {
        let (Some(halves), 2) = (self.halves.take(), self.served.len()) else {
            return;
        };
        let shadow = self.served.pop();
        let target = self.served.pop().expect("two halves served");
        self.cache.put(
            self.key.clone(),
            Arc::new(Served {
                halves,
                target,
                shadow,
                privacy: self.privacy,
            }),
        );
        self.done = true;
    }
}
