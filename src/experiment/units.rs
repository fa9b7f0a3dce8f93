//! Jobs as independent units, for a pool of workers (the CLI's threads, the page's Web Workers).
//! A `Plan` lists a sweep's, matrix's or frontier's units — a sweep's (value, seed) runs, a
//! matrix's seeds (or each seed's algorithms' training, then its attack), a frontier's per-seed
//! parts — each of which `Plan::start` runs alone as a stepped `UnitRun` that ends with a `Piece`.
//! `Plan::aggregate` (units_aggregate) takes the finished pieces in any order, puts them back in
//! the plan's fixed order and hands them to the very aggregation the stepped `Sweep`, `Matrix` and
//! `Frontier` use: the report is bit-identical whatever the number of workers and whatever order
//! the units finished in. Pieces are plain serde data (they cross between workers); every number in them is
//! finite, or the unit fails.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::frontier::{
    Frontier, FrontierPart, FrontierPiece, FrontierReport, DEFAULT_NATURAL_EPOCHS,
    DEFAULT_PROTOCOLS,
};
use super::job::JobResult;
use super::matrix::{Matrix, MatrixReport, SeedOutcome};
use super::matrix_train::{matrix_key, MatrixTrain};
use super::pipeline::Pipeline;
use super::references::{import_reference, reference_key, ReferenceTrain};
use super::served::{served_key, ServedCache, ServedLists};
use super::sweep::{Sweep, SweepReport};
pub use super::units_run::UnitRun;
use super::units_run::Work;
use crate::attack::AttackKind;
use crate::config::{Config, Protocol};
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;
use crate::report::RunReport;

/// What a job is, beside its config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum JobSpec {
    /// One run of the config. With `attack` lira and more than one worker, each reference model
    /// is a unit of its own and the run starts from them.
    Single {},
    Sweep {
        param: String,
        values: Vec<f64>,
        seeds: Vec<u32>,
    },
    Matrix {
        recommenders: Vec<RecommenderKind>,
        seeds: Vec<u32>,
    },
    Frontier {
        defences: Vec<DefenceKind>,
        strengths: Vec<f64>,
        seeds: Vec<u32>,
        #[serde(default = "default_natural")]
        natural_epochs: Vec<u32>,
        /// The panels; empty: both protocols (`frontier::DEFAULT_PROTOCOLS`).
        #[serde(default)]
        protocols: Vec<Protocol>,
    },
}

fn default_natural() -> Vec<u32> {
    DEFAULT_NATURAL_EPOCHS.to_vec()
}

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

pub(super) enum Kind {
    /// A single run: its config, checked.
    Single(Box<Config>),
    Sweep(Box<Sweep>),
    Matrix(Box<Matrix>),
    Frontier(Box<Frontier>),
}

/// A checked job, split into units.
pub struct Plan {
    data: Arc<Dataset>,
    config: Config,
    pub(super) spec: JobSpec,
    pub(super) kind: Kind,
    cache: Option<Arc<ServedCache>>,
}

type SharedFn = Arc<dyn Fn() -> f64>;

impl Plan {
    /// Checks the job as its stepped form would (a bad value fails before any work).
    pub fn new(data: Arc<Dataset>, config: Config, spec: &JobSpec) -> Result<Plan> {
        let kind = match spec {
            JobSpec::Single {} => {
                config.check()?;
                Kind::Single(Box::new(config.clone()))
            }
            JobSpec::Sweep {
                param,
                values,
                seeds,
            } => Kind::Sweep(Box::new(Sweep::new(
                data.clone(),
                config.clone(),
                param,
                values,
                seeds,
            )?)),
            JobSpec::Matrix {
                recommenders,
                seeds,
            } => Kind::Matrix(Box::new(Matrix::new(
                data.clone(),
                config.clone(),
                recommenders,
                seeds,
            )?)),
            JobSpec::Frontier { .. } => Kind::Frontier(Box::new(Self::frontier(
                data.clone(),
                config.clone(),
                spec,
            )?)),
        };
        Ok(Plan {
            data,
            config,
            spec: spec.clone(),
            kind,
            cache: None,
        })
    }

    /// A sweep's runs started by this plan take and leave their seed's served recommenders in
    /// `cache` (experiment::served); the numbers are the same with or without it.
    pub fn with_cache(mut self, cache: Arc<ServedCache>) -> Plan {
        self.cache = Some(cache);
        self
    }

    fn frontier(data: Arc<Dataset>, config: Config, spec: &JobSpec) -> Result<Frontier> {
        let JobSpec::Frontier {
            defences,
            strengths,
            seeds,
            natural_epochs,
            protocols,
        } = spec
        else {
            return Err(Error::State("not a frontier".into()));
        };
        let protocols = if protocols.is_empty() {
            DEFAULT_PROTOCOLS.to_vec()
        } else {
            protocols.clone()
        };
        Frontier::panels(
            data,
            config,
            &protocols,
            defences,
            strengths,
            seeds,
            natural_epochs,
        )
    }

    /// The units, in the plan's fixed order. `fine`, for more than one worker: split a frontier's
    /// seeds into parts (a part repeats its seed's attacker side, so one worker should not), and
    /// a matrix's seeds into a training unit per algorithm and the seed's attack, which `needs`
    /// them (their lists go through a served cache: run them with `with_cache`).
    pub fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        match (&self.kind, &self.spec) {
            (Kind::Single(cfg), _) => {
                // Fine and lira: each reference model is a unit (nearly all of the run's work),
                // then the run, which needs them all.
                let k = if fine && cfg.attack == AttackKind::Lira {
                    cfg.lira_references as usize
                } else {
                    0
                };
                let mut units: Vec<PlannedUnit> = (0..k)
                    .map(|index| PlannedUnit {
                        unit: Unit::Reference {
                            index: index as u32,
                        },
                        weight: 1.0,
                        group: 0,
                        served: Some(index),
                        needs: Vec::new(),
                    })
                    .collect();
                units.push(PlannedUnit {
                    unit: Unit::Single,
                    weight: if k > 0 { 1.5 } else { 1.0 },
                    group: 0,
                    served: None,
                    needs: (0..k).collect(),
                });
                units
            }
            (Kind::Sweep(s), JobSpec::Sweep { seeds, .. }) => {
                // Runs share `served` with the first run of the same served key, if any other.
                let keys: Vec<String> = (0..s.run_count())
                    .map(|run| served_key(&s.run_config(run)))
                    .collect();
                (0..s.run_count())
                    .map(|run| {
                        let first = keys.iter().position(|k| *k == keys[run]).unwrap_or(run);
                        let shared = keys.iter().filter(|k| **k == keys[run]).count() > 1;
                        PlannedUnit {
                            unit: Unit::Run { run },
                            weight: 1.0,
                            group: run / seeds.len(),
                            served: shared.then_some(first),
                            needs: Vec::new(),
                        }
                    })
                    .collect()
            }
            (Kind::Matrix(m), JobSpec::Matrix { recommenders, .. }) => {
                let r = recommenders.len();
                let mut units = Vec::new();
                for seed_index in 0..m.seeds().len() {
                    // Fine: each algorithm's training is a unit (most of a seed's work: about
                    // four fifths by the matrix cost estimate), then the seed's attack.
                    let first = units.len();
                    if fine {
                        units.extend((0..r).map(|recommender| PlannedUnit {
                            unit: Unit::MatrixTrain {
                                seed_index,
                                recommender,
                            },
                            weight: 0.8 / r as f64,
                            group: seed_index,
                            served: Some(first + recommender),
                            needs: Vec::new(),
                        }));
                    }
                    units.push(PlannedUnit {
                        unit: Unit::Seed { seed_index },
                        weight: if fine { 0.2 } else { 1.0 },
                        group: seed_index,
                        served: None,
                        needs: (first..units.len()).collect(),
                    });
                }
                units
            }
            (Kind::Frontier(f), _) => f
                .parts(fine)
                .into_iter()
                .map(|(seed_index, part, weight)| PlannedUnit {
                    unit: Unit::Frontier { seed_index, part },
                    weight,
                    group: seed_index,
                    served: None,
                    needs: Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Starts one unit; `clock` times it (timings are 0 without one).
    pub fn start(&self, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let bad = || Error::config("unit", format!("{unit:?} is not a unit of this job"));
        let work = match (&self.kind, unit) {
            (Kind::Single(cfg), Unit::Single) => {
                let mut p = Pipeline::new(self.data.clone(), cfg.as_ref().clone())?;
                if let Some(c) = clock {
                    p = p.with_clock(Box::new(move || c()));
                }
                if let Some(cache) = &self.cache {
                    p = p.with_cache(cache.clone());
                }
                Work::Single(Box::new(p))
            }
            (Kind::Single(cfg), Unit::Reference { index })
                if cfg.attack == AttackKind::Lira && index < cfg.lira_references =>
            {
                let Some(cache) = &self.cache else {
                    return Err(Error::State(
                        "a reference unit needs a served cache to leave its model's lists in"
                            .into(),
                    ));
                };
                let mut t = ReferenceTrain::new(
                    self.data.clone(),
                    cfg.as_ref().clone(),
                    index,
                    cache.clone(),
                );
                if let Some(c) = clock {
                    t = t.with_clock(c);
                }
                Work::Reference(Box::new(t))
            }
            (Kind::Sweep(s), Unit::Run { run }) if run < s.run_count() => {
                let mut p = Pipeline::new(self.data.clone(), s.run_config(run))?;
                if let Some(c) = clock {
                    p = p.with_clock(Box::new(move || c()));
                }
                if let Some(cache) = &self.cache {
                    p = p.with_cache(cache.clone());
                }
                Work::Run(Box::new(p), s.run_count())
            }
            (Kind::Matrix(m), Unit::Seed { seed_index }) if seed_index < m.seeds().len() => {
                let JobSpec::Matrix { recommenders, .. } = &self.spec else {
                    return Err(bad());
                };
                let seed = m.seeds()[seed_index];
                let mut one = Matrix::new(
                    self.data.clone(),
                    self.config.clone(),
                    recommenders,
                    &[seed],
                )?;
                if let Some(c) = clock {
                    one = one.with_clock(c);
                }
                if let Some(cache) = &self.cache {
                    one = one.with_cache(cache.clone());
                }
                Work::Seed(Box::new(one), seed_index, m.seeds().len())
            }
            (
                Kind::Matrix(m),
                Unit::MatrixTrain {
                    seed_index,
                    recommender,
                },
            ) if seed_index < m.seeds().len() => {
                let (Some(cache), JobSpec::Matrix { recommenders, .. }) = (&self.cache, &self.spec)
                else {
                    return Err(Error::State(
                        "a matrix's training unit needs a served cache to leave its lists in"
                            .into(),
                    ));
                };
                let kind = *recommenders.get(recommender).ok_or_else(bad)?;
                let mut t = MatrixTrain::new(
                    self.data.clone(),
                    m.seed_config(seed_index),
                    kind,
                    cache.clone(),
                );
                if let Some(c) = clock {
                    t = t.with_clock(c);
                }
                Work::Train(Box::new(t), seed_index, m.seeds().len())
            }
            (Kind::Frontier(_), Unit::Frontier { seed_index, part }) => {
                let mut f = Self::frontier(self.data.clone(), self.config.clone(), &self.spec)?
                    .unit(seed_index, part)?;
                if let Some(c) = clock {
                    f = f.with_clock(c);
                }
                Work::Frontier(Box::new(f))
            }
            _ => return Err(bad()),
        };
        Ok(UnitRun::new(unit, work))
    }

    /// The cache key of what `unit` serves: a sweep run's seed, a matrix training unit's
    /// algorithm; `None` for other units.
    fn served_key_of(&self, unit: Unit) -> Option<(String, Config)> {
        match (&self.kind, unit, &self.spec) {
            (Kind::Single(cfg), Unit::Reference { index }, _) if index < cfg.lira_references => {
                Some((reference_key(cfg, index), cfg.as_ref().clone()))
            }
            (Kind::Sweep(s), Unit::Run { run }, _) if run < s.run_count() => {
                let cfg = s.run_config(run);
                Some((served_key(&cfg), cfg))
            }
            (
                Kind::Matrix(m),
                Unit::MatrixTrain {
                    seed_index,
                    recommender,
                },
                JobSpec::Matrix { recommenders, .. },
            ) if seed_index < m.seeds().len() => {
                let cfg = m.seed_config(seed_index);
                let kind = *recommenders.get(recommender)?;
                Some((matrix_key(&cfg, kind), cfg))
            }
            _ => None,
        }
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
