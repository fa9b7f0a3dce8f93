//! The transfer matrix as units: a seed each, or with more than one worker each seed's
//! algorithms' training (experiment::matrix_train) and then the seed's attack, which needs them.

use std::sync::Arc;

use super::{mismatch, not_a_unit, ordered, Env, Mode, SharedFn};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::matrix::Matrix;
use crate::experiment::matrix_train::{matrix_key, MatrixTrain};
use crate::experiment::units::{Outcome, Piece, PlannedUnit, Report, Unit, UnitRun};
use crate::experiment::units_run::Work;
use crate::recommender::RecommenderKind;

/// A checked matrix of `recommenders` over seeds.
pub struct MatrixMode {
    matrix: Matrix,
    recommenders: Vec<RecommenderKind>,
}

impl MatrixMode {
    pub fn new(
        data: &Arc<Dataset>,
        config: &Config,
        recommenders: &[RecommenderKind],
        seeds: &[u32],
    ) -> Result<MatrixMode> {
        Ok(MatrixMode {
            matrix: Matrix::new(data.clone(), config.clone(), recommenders, seeds)?,
            recommenders: recommenders.to_vec(),
        })
    }
}

impl Mode for MatrixMode {
    fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        let r = self.recommenders.len();
        let mut units = Vec::new();
        for seed_index in 0..self.matrix.seeds().len() {
            // Fine: each algorithm's training is a unit (most of a seed's work: about four
            // fifths by the matrix cost estimate), then the seed's attack.
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

    fn start(&self, env: &Env<'_>, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let m = &self.matrix;
        let n = m.seeds().len();
        let work = match unit {
            Unit::Seed { seed_index } if seed_index < n => {
                let seed = m.seeds()[seed_index];
                let mut one = Matrix::new(
                    env.data.clone(),
                    env.config.clone(),
                    &self.recommenders,
                    &[seed],
                )?;
                if let Some(c) = clock {
                    one = one.with_clock(c);
                }
                if let Some(cache) = env.cache {
                    one = one.with_cache(cache.clone());
                }
                Work::Seed(Box::new(one), seed_index, n)
            }
            Unit::MatrixTrain {
                seed_index,
                recommender,
            } if seed_index < n => {
                let Some(cache) = env.cache else {
                    return Err(Error::State(
                        "a matrix's training unit needs a served cache to leave its lists in"
                            .into(),
                    ));
                };
                let kind = *self
                    .recommenders
                    .get(recommender)
                    .ok_or_else(|| not_a_unit(unit))?;
                let mut t = MatrixTrain::new(
                    env.data.clone(),
                    m.seed_config(seed_index),
                    kind,
                    cache.clone(),
                );
                if let Some(c) = clock {
                    t = t.with_clock(c);
                }
                Work::Train(Box::new(t), seed_index, n)
            }
            _ => return Err(not_a_unit(unit)),
        };
        Ok(UnitRun::new(unit, work))
    }

    fn served_key(&self, unit: Unit) -> Option<(String, Config)> {
        match unit {
            Unit::MatrixTrain {
                seed_index,
                recommender,
            } if seed_index < self.matrix.seeds().len() => {
                let cfg = self.matrix.seed_config(seed_index);
                let kind = *self.recommenders.get(recommender)?;
                Some((matrix_key(&cfg, kind), cfg))
            }
            _ => None,
        }
    }

    fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        // Fine or coarse: the training units' pieces carry only their time; the seeds' pieces,
        // in seed order, carry the numbers.
        let fine = pieces
            .iter()
            .any(|p| matches!(p.unit, Unit::MatrixTrain { .. }));
        let units: Vec<Unit> = self.units(fine).into_iter().map(|u| u.unit).collect();
        let ordered = ordered(&units, pieces)?;
        let total = ordered.iter().fold(0.0, |acc, p| acc + p.ms);
        let outcomes = ordered
            .iter()
            .filter(|p| matches!(p.unit, Unit::Seed { .. }))
            .map(|p| match &p.outcome {
                Outcome::Seed { outcome } => Ok(outcome.clone()),
                _ => Err(mismatch()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Report::Matrix(self.matrix.aggregate(&outcomes, total)))
    }
}
