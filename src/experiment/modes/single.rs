//! The single run as units: one unit, or with `attack` lira and more than one worker, each
//! reference model a unit of its own (experiment::references) and then the run, which needs them.

use super::{mismatch, not_a_unit, ordered, Env, Mode, SharedFn};
use crate::attack::AttackKind;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::experiment::pipeline::Pipeline;
use crate::experiment::references::{reference_key, ReferenceTrain};
use crate::experiment::units::{Outcome, Piece, PlannedUnit, Report, Unit, UnitRun};
use crate::experiment::units_run::Work;

/// A single run of a checked config.
pub struct SingleMode {
    cfg: Config,
}

impl SingleMode {
    pub fn new(config: &Config) -> Result<SingleMode> {
        config.check()?;
        Ok(SingleMode {
            cfg: config.clone(),
        })
    }
}

impl Mode for SingleMode {
    fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        // Fine and lira: each reference model is a unit (nearly all of the run's work), then the
        // run, which needs them all.
        let k = if fine && self.cfg.attack == AttackKind::Lira {
            self.cfg.lira_references as usize
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

    fn start(&self, env: &Env<'_>, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let cfg = &self.cfg;
        let work = match unit {
            Unit::Single => {
                let mut p = Pipeline::new(env.data.clone(), cfg.clone())?;
                if let Some(c) = clock {
                    p = p.with_clock(Box::new(move || c()));
                }
                if let Some(cache) = env.cache {
                    p = p.with_cache(cache.clone());
                }
                Work::Single(Box::new(p))
            }
            Unit::Reference { index }
                if cfg.attack == AttackKind::Lira && index < cfg.lira_references =>
            {
                let Some(cache) = env.cache else {
                    return Err(Error::State(
                        "a reference unit needs a served cache to leave its model's lists in"
                            .into(),
                    ));
                };
                let mut t =
                    ReferenceTrain::new(env.data.clone(), cfg.clone(), index, cache.clone());
                if let Some(c) = clock {
                    t = t.with_clock(c);
                }
                Work::Reference(Box::new(t))
            }
            _ => return Err(not_a_unit(unit)),
        };
        Ok(UnitRun::new(unit, work))
    }

    fn served_key(&self, unit: Unit) -> Option<(String, Config)> {
        match unit {
            Unit::Reference { index } if index < self.cfg.lira_references => {
                Some((reference_key(&self.cfg, index), self.cfg.clone()))
            }
            _ => None,
        }
    }

    fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        // Fine (reference units, then the run) or coarse: the run's piece has the report.
        let run = pieces
            .iter()
            .filter(|p| p.unit == Unit::Single)
            .collect::<Vec<_>>();
        let [p] = run.as_slice() else {
            return Err(Error::State(format!(
                "pieces: {} for the single run (want 1)",
                run.len()
            )));
        };
        let fine = pieces.len() > 1;
        let units: Vec<Unit> = self.units(fine).into_iter().map(|u| u.unit).collect();
        ordered(&units, pieces)?;
        match &p.outcome {
            Outcome::Single { report } => Ok(Report::Single(report.clone())),
            _ => Err(mismatch()),
        }
    }
}
