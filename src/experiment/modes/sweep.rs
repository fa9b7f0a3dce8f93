//! The sweep as units: each (value, seed) run is one; runs that differ only in the attacker's
//! settings share their seed's served recommenders (`PlannedUnit::served`).

use std::sync::Arc;

use super::{mismatch, not_a_unit, ordered, Env, Mode, SharedFn};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::pipeline::Pipeline;
use crate::experiment::served::served_key;
use crate::experiment::sweep::{point, Sweep, SweepPoint};
use crate::experiment::units::{Outcome, Piece, PlannedUnit, Report, Unit, UnitRun};
use crate::experiment::units_run::Work;

/// A checked sweep of one key over values × seeds.
pub struct SweepMode {
    sweep: Sweep,
    values: Vec<f64>,
    seeds: usize,
}

impl SweepMode {
    pub fn new(
        data: &Arc<Dataset>,
        config: &Config,
        param: &str,
        values: &[f64],
        seeds: &[u32],
    ) -> Result<SweepMode> {
        Ok(SweepMode {
            sweep: Sweep::new(data.clone(), config.clone(), param, values, seeds)?,
            values: values.to_vec(),
            seeds: seeds.len(),
        })
    }

    fn runs(&self, pieces: &[&Piece]) -> Result<Vec<crate::experiment::sweep::SweepRun>> {
        pieces
            .iter()
            .map(|p| match &p.outcome {
                Outcome::Run { run } => Ok(run.clone()),
                _ => Err(mismatch()),
            })
            .collect()
    }
}

impl Mode for SweepMode {
    fn units(&self, _fine: bool) -> Vec<PlannedUnit> {
        let s = &self.sweep;
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
                    group: run / self.seeds,
                    served: shared.then_some(first),
                    needs: Vec::new(),
                }
            })
            .collect()
    }

    fn start(&self, env: &Env<'_>, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let s = &self.sweep;
        let Unit::Run { run } = unit else {
            return Err(not_a_unit(unit));
        };
        if run >= s.run_count() {
            return Err(not_a_unit(unit));
        }
        let mut p = Pipeline::new(env.data.clone(), s.run_config(run))?;
        if let Some(c) = clock {
            p = p.with_clock(Box::new(move || c()));
        }
        if let Some(cache) = env.cache {
            p = p.with_cache(cache.clone());
        }
        Ok(UnitRun::new(unit, Work::Run(Box::new(p), s.run_count())))
    }

    fn served_key(&self, unit: Unit) -> Option<(String, Config)> {
        match unit {
            Unit::Run { run } if run < self.sweep.run_count() => {
                let cfg = self.sweep.run_config(run);
                Some((served_key(&cfg), cfg))
            }
            _ => None,
        }
    }

    fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        let units: Vec<Unit> = self.units(true).into_iter().map(|u| u.unit).collect();
        let ordered = ordered(&units, pieces)?;
        // Summed in run order, as the stepped sweep sums them.
        let total = ordered.iter().fold(0.0, |acc, p| acc + p.ms);
        Ok(Report::Sweep(
            self.sweep.aggregate(self.runs(&ordered)?, total),
        ))
    }

    fn point(&self, value_index: usize, pieces: &[Piece]) -> Result<SweepPoint> {
        let value = *self.values.get(value_index).ok_or_else(|| {
            Error::config(
                "value_index",
                format!(
                    "{value_index} is out of range (0 to {})",
                    self.values.len() - 1
                ),
            )
        })?;
        let units: Vec<Unit> = (0..self.seeds)
            .map(|s| Unit::Run {
                run: value_index * self.seeds + s,
            })
            .collect();
        Ok(point(value, self.runs(&ordered(&units, pieces)?)?))
    }
}
