//! One module per run mode behind one trait, `Mode`: what the unit planner (`units::Plan`) asks
//! of a kind of job — its units in a fixed order, how to start one, what a unit serves to the
//! units that start from it, and how the finished pieces make the report. `build` is the
//! registry, one line per `JobSpec` variant that splits into units. A new mode is a module here
//! (or anywhere: `Plan::from_mode` takes any `Mode`, tests/units.rs's toy "sweep of one"), a
//! `JobSpec` variant and a line in `build` (docs/INTERFACES.md "Adding a run mode").

pub mod frontier;
pub mod matrix;
pub mod single;
pub mod sweep;

use std::sync::Arc;

use super::job_spec::JobSpec;
use super::served::ServedCache;
use super::sweep::SweepPoint;
use super::units::{Piece, PlannedUnit, Report, Unit, UnitRun};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};

/// A clock in milliseconds for a unit's timings.
pub type SharedFn = Arc<dyn Fn() -> f64>;

/// What a unit runs with: the job's data set and config, and the plan's served cache if any.
pub struct Env<'a> {
    pub data: &'a Arc<Dataset>,
    pub config: &'a Config,
    pub cache: Option<&'a Arc<ServedCache>>,
}

/// A kind of job split into units.
pub trait Mode {
    /// The units, in the plan's fixed order. `fine`: split finer for more than one worker.
    fn units(&self, fine: bool) -> Vec<PlannedUnit>;

    /// Starts one unit; `clock` times it (timings are 0 without one). A unit not of this job is
    /// an error (`not_a_unit`).
    fn start(&self, env: &Env<'_>, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun>;

    /// The served-cache key and config of what `unit` serves to the units that start from it
    /// (experiment::served); `None` for a unit that serves nothing.
    fn served_key(&self, _unit: Unit) -> Option<(String, Config)> {
        None
    }

    /// The report from every unit's piece, in any order, each unit exactly once.
    fn aggregate(&self, pieces: &[Piece]) -> Result<Report>;

    /// The report so far from the pieces of the finished units (drawn while the rest run).
    fn so_far(&self, _pieces: &[Piece]) -> Result<Report> {
        Err(Error::config("kind", "only a frontier has a report so far"))
    }

    /// One value's point from its seeds' pieces (drawn while the rest run).
    fn point(&self, _value_index: usize, _pieces: &[Piece]) -> Result<SweepPoint> {
        Err(Error::config("kind", "only a sweep has points by value"))
    }
}

/// The registry: the mode of a job that splits into units (checked as its stepped job would).
pub fn build(data: &Arc<Dataset>, config: &Config, spec: &JobSpec) -> Result<Box<dyn Mode>> {
    Ok(match spec {
        JobSpec::Single {} => Box::new(single::SingleMode::new(config)?),
        JobSpec::Sweep {
            param,
            values,
            seeds,
        } => Box::new(sweep::SweepMode::new(data, config, param, values, seeds)?),
        JobSpec::Matrix {
            recommenders,
            seeds,
        } => Box::new(matrix::MatrixMode::new(data, config, recommenders, seeds)?),
        JobSpec::Frontier { .. } => Box::new(frontier::FrontierMode::new(data, config, spec)?),
        JobSpec::Compare { .. } | JobSpec::You { .. } | JobSpec::Audit { .. } => {
            return Err(Error::config(
                "job",
                format!(
                    "a {} job is not split into units: it runs as one job (experiment::Job)",
                    spec.kind()
                ),
            ))
        }
    })
}

/// The error of a unit that is not one of this job's.
pub fn not_a_unit(unit: Unit) -> Error {
    Error::config("unit", format!("{unit:?} is not a unit of this job"))
}

/// The error of a piece whose outcome is of another kind of job.
pub fn mismatch() -> Error {
    Error::State("pieces: a piece of another kind of job".into())
}

/// `pieces` in the order of `units`, each exactly once.
pub fn ordered<'p>(units: &[Unit], pieces: &'p [Piece]) -> Result<Vec<&'p Piece>> {
    if pieces.len() != units.len() {
        return Err(Error::State(format!(
            "pieces: {} given for {} units",
            pieces.len(),
            units.len()
        )));
    }
    units
        .iter()
        .map(|u| {
            let mut found = pieces.iter().filter(|p| p.unit == *u);
            match (found.next(), found.next()) {
                (Some(p), None) => Ok(p),
                (None, _) => Err(Error::State(format!("pieces: none for {u:?}"))),
                _ => Err(Error::State(format!("pieces: {u:?} given twice"))),
            }
        })
        .collect()
}
