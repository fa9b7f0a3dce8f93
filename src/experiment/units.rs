//! Jobs as independent units, for a pool of workers (the CLI's threads, the page's Web Workers).
//! A `Plan` lists a sweep's, matrix's or frontier's units — a sweep's (value, seed) runs, a
//! matrix's seeds (or each seed's algorithms' training, then its attack), a frontier's per-seed
//! parts — each of which `Plan::start` runs alone as a stepped `UnitRun` that ends with a `Piece`.
//! `Plan::aggregate` takes the finished pieces in any order, puts them back in the plan's fixed
//! order and hands them to the very aggregation the stepped `Sweep`, `Matrix` and `Frontier` use:
//! the report is bit-identical whatever the number of workers and whatever order the units
//! finished in. What each kind of job does is its mode's (experiment::modes, one file each);
//! this file has the types every mode shares and the plan around a mode. Pieces are plain serde
//! data (they cross between workers); every number in them is finite, or the unit fails.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::frontier::{FrontierPart, FrontierPiece, FrontierReport};
use super::job::JobResult;
pub use super::job_spec::JobSpec;
use super::matrix::{MatrixReport, SeedOutcome};
use super::modes;
pub use super::modes::{Env, Mode, SharedFn};
use super::references::import_reference;
use super::served::{ServedCache, ServedLists};
use super::sweep::{SweepPoint, SweepReport};
pub use super::units_run::UnitRun;
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::report::RunReport;

/// One unit of a job.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Unit {
    /// A sweep's run `run` (value by value, seed by seed: `Sweep::run_config`).
    Run { run: usize },
    /// A matrix's seed `seed_index` (with more than one worker: its attack, from the lists its
    /// `MatrixTrain` units left).
    Seed { seed_index: usize },
    /// With more than one worker: a matrix seed's algorithm `recommender` (index in the job's
    /// list) trained and served on both halves (experiment::matrix_train).
    MatrixTrain {
        seed_index: usize,
        recommender: usize,
    },
    /// A part of a frontier's seed `seed_index`.
    Frontier {
        seed_index: usize,
        part: FrontierPart,
    },
    /// With more than one worker: a lira run's reference model `index`, trained, served and
    /// asked, left in the served cache (experiment::references::ReferenceTrain).
    Reference { index: u32 },
    /// A single run (starting from the reference models its `needs` left in the cache).
    Single,
}

/// A unit with what a scheduler needs: its estimated share of the job's work (for progress) and
/// its group (a sweep's value index, a matrix's or frontier's seed index).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedUnit {
    pub unit: Unit,
    pub weight: f64,
    pub group: usize,
    /// Units with the same `served` (a sweep's runs that differ only in the attacker's settings,
    /// e.g. a k-sweep's values of one seed) can reuse the recommenders the first of them trained,
    /// when they run where it ran (`Plan::with_cache`); a scheduler keeps them together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served: Option<usize>,
    /// Units whose served lists this one starts from (a matrix seed's training units): a
    /// scheduler starts it once they are done and sends their lists along where they ran
    /// elsewhere. Without them it trains what is missing itself, with the same numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<usize>,
}

/// What a unit produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    Run {
        run: super::sweep::SweepRun,
    },
    Seed {
        outcome: SeedOutcome,
    },
    Frontier {
        piece: FrontierPiece,
    },
    /// A single run's whole report.
    Single {
        report: Box<RunReport>,
    },
    /// A training unit's lists went to the served cache; nothing for the report.
    Served,
}

/// A finished unit: the unit, the time it took (the `total` its stepped job would add) and its
/// outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Piece {
    pub unit: Unit,
    pub ms: f64,
    pub outcome: Outcome,
}

/// A finished job's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Report {
    Single(Box<RunReport>),
    Sweep(SweepReport),
    Matrix(MatrixReport),
    Frontier(FrontierReport),
}

impl Report {
    pub fn as_result(&self) -> JobResult<'_> {
        match self {
            Report::Single(r) => JobResult::Single(r),
            Report::Sweep(r) => JobResult::Sweep(r),
            Report::Matrix(r) => JobResult::Matrix(r),
            Report::Frontier(r) => JobResult::Frontier(r),
        }
    }

    pub fn timings_mut(&mut self) -> &mut std::collections::BTreeMap<String, f64> {
        match self {
            Report::Single(r) => &mut r.timings_ms,
            Report::Sweep(r) => &mut r.timings_ms,
            Report::Matrix(r) => &mut r.timings_ms,
            Report::Frontier(r) => &mut r.timings_ms,
        }
    }
}

/// A checked job, split into units by its mode (experiment::modes).
pub struct Plan {
    data: Arc<Dataset>,
    config: Config,
    mode: Box<dyn Mode>,
    cache: Option<Arc<ServedCache>>,
}

impl Plan {
    /// Checks the job as its stepped form would (a bad value fails before any work).
    pub fn new(data: Arc<Dataset>, config: Config, spec: &JobSpec) -> Result<Plan> {
        spec.validate(&config)?;
        let mode = modes::build(&data, &config, spec)?;
        Ok(Plan::from_mode(data, config, mode))
    }

    /// The plan of a job of `mode` (one `modes::build` does not know: a test's toy mode).
    pub fn from_mode(data: Arc<Dataset>, config: Config, mode: Box<dyn Mode>) -> Plan {
        Plan {
            data,
            config,
            mode,
            cache: None,
        }
    }

    /// A sweep's runs started by this plan take and leave their seed's served recommenders in
    /// `cache` (experiment::served); the numbers are the same with or without it.
    pub fn with_cache(mut self, cache: Arc<ServedCache>) -> Plan {
        self.cache = Some(cache);
        self
    }

    /// The units, in the plan's fixed order. `fine`, for more than one worker: split a frontier's
    /// seeds into parts (a part repeats its seed's attacker side, so one worker should not), a
    /// matrix's seeds into a training unit per algorithm and the seed's attack, which `needs`
    /// them, and a lira run into its reference models and the run (their lists go through a
    /// served cache: run them with `with_cache`).
    pub fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        self.mode.units(fine)
    }

    /// Starts one unit; `clock` times it (timings are 0 without one).
    pub fn start(&self, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let env = Env {
            data: &self.data,
            config: &self.config,
            cache: self.cache.as_ref(),
        };
        self.mode.start(&env, unit, clock)
    }

    /// The cache key of what `unit` serves (a sweep run's seed, a matrix training unit's
    /// algorithm, a lira reference model); `None` for other units.
    fn served_key_of(&self, unit: Unit) -> Option<(String, Config)> {
        self.mode.served_key(unit)
    }

    /// The report from every unit's piece (in any order; each unit exactly once): the very
    /// report the stepped job gives, bit for bit (timings aside).
    pub fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        self.mode.aggregate(pieces)
    }

    /// A frontier so far from the pieces of its finished units (any subset, in any order): what
    /// the page draws while the rest run (issue 18). Every point it holds has its final numbers.
    pub fn frontier_so_far(&self, pieces: &[Piece]) -> Result<Report> {
        self.mode.so_far(pieces)
    }

    /// One sweep value's point from its seeds' pieces (what the page draws while the rest run);
    /// the same numbers as that point of the final report.
    pub fn sweep_point(&self, value_index: usize, pieces: &[Piece]) -> Result<SweepPoint> {
        self.mode.point(value_index, pieces)
    }

    /// What a finished unit (a sweep run, a matrix training unit) left in the plan's cache, for
    /// another worker (`import_served`); `None` for other units or when the cache no longer has it.
    pub fn export_served(&self, unit: Unit) -> Option<ServedLists> {
        let cache = self.cache.as_ref()?;
        let key = self.served_key_of(unit)?.0;
        let lists = cache.export(&key);
        // A reference model goes to the worker that runs the run; this one keeps no copy.
        if let Unit::Reference { .. } = unit {
            cache.forget(&key);
        }
        lists
    }

    /// Puts what another worker served for `unit` (a sweep run of the same served key, or a
    /// matrix training unit) into the plan's cache, so that the units that start from it do; the
    /// result is the one training here would give.
    pub fn import_served(&self, unit: Unit, sent: ServedLists) -> Result<()> {
        let Some(cache) = &self.cache else {
            return Err(Error::State("served lists need a plan with a cache".into()));
        };
        let (key, cfg) = self.served_key_of(unit).ok_or_else(|| {
            Error::config("unit", format!("{unit:?} serves no lists in this job"))
        })?;
        if let Unit::Reference { index } = unit {
            return import_reference(cache, &self.data, &cfg, index, sent);
        }
        cache.import_as(&self.data, &cfg, key, sent)
    }
}
