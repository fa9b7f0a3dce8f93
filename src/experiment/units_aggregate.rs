//! Putting a job's pieces back together (experiment::units): `Plan::aggregate` orders the
//! finished pieces as the plan lists its units, checks that each is there exactly once and of
//! this job, and hands them to the aggregation the stepped `Sweep`, `Matrix` and `Frontier` use;
//! `Plan::sweep_point` does the same for one sweep value while the rest of the job runs.

use super::frontier::{FrontierPart, FrontierPiece};
use super::sweep::{point, SweepPoint};
use super::units::{JobSpec, Kind, Outcome, Piece, Plan, Report, Unit};
use crate::error::{Error, Result};

impl Plan {
    /// The report from every unit's piece (in any order; each unit exactly once).
    pub fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        let units: Vec<Unit> = self.units(true).into_iter().map(|u| u.unit).collect();
        match &self.kind {
            Kind::Single(_) => {
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
                self.ordered(&units, pieces)?;
                match &p.outcome {
                    Outcome::Single { report } => Ok(Report::Single(report.clone())),
                    _ => Err(mismatch()),
                }
            }
            Kind::Sweep(s) => {
                let ordered = self.ordered(&units, pieces)?;
                // Summed in run order, as the stepped sweep sums them.
                let total = ordered.iter().fold(0.0, |acc, p| acc + p.ms);
                let runs = ordered
                    .iter()
                    .map(|p| match &p.outcome {
                        Outcome::Run { run } => Ok(run.clone()),
                        _ => Err(mismatch()),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Report::Sweep(s.aggregate(runs, total)))
            }
            Kind::Matrix(m) => {
                crate::full::required("a transfer matrix")?;
                // Fine or coarse: the training units' pieces carry only their time; the seeds'
                // pieces, in seed order, carry the numbers.
                let trains = pieces
                    .iter()
                    .filter(|p| matches!(p.unit, Unit::MatrixTrain { .. }))
                    .count();
                let fine = trains > 0;
                let units: Vec<Unit> = self.units(fine).into_iter().map(|u| u.unit).collect();
                let ordered = self.ordered(&units, pieces)?;
                let total = ordered.iter().fold(0.0, |acc, p| acc + p.ms);
                let ordered: Vec<&Piece> = ordered
                    .into_iter()
                    .filter(|p| matches!(p.unit, Unit::Seed { .. }))
                    .collect();
                let outcomes = ordered
                    .iter()
                    .map(|p| match &p.outcome {
                        Outcome::Seed { outcome } => Ok(outcome.clone()),
                        _ => Err(mismatch()),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Report::Matrix(m.aggregate(&outcomes, total)))
            }
            Kind::Frontier(f) => {
                // Fine or coarse, the pieces say which seed and which points they hold; the
                // aggregation checks that every point has one run per seed.
                Ok(Report::Frontier(f.aggregate(&frontier_parts(pieces)?)?))
            }
        }
    }

    /// A frontier so far from the pieces of its finished units (any subset, in any order): what
    /// the page draws while the rest run (issue 18). Every point it holds has its final numbers.
    pub fn frontier_so_far(&self, pieces: &[Piece]) -> Result<Report> {
        let Kind::Frontier(f) = &self.kind else {
            return Err(Error::config("kind", "only a frontier has a report so far"));
        };
        Ok(Report::Frontier(
            f.aggregate_so_far(&frontier_parts(pieces)?)?,
        ))
    }

    /// One sweep value's point from its seeds' pieces (what the page draws while the rest run);
    /// the same numbers as that point of the final report.
    pub fn sweep_point(&self, value_index: usize, pieces: &[Piece]) -> Result<SweepPoint> {
        let JobSpec::Sweep { values, seeds, .. } = &self.spec else {
            return Err(Error::config("kind", "only a sweep has points by value"));
        };
        let value = *values.get(value_index).ok_or_else(|| {
            Error::config(
                "value_index",
                format!("{value_index} is out of range (0 to {})", values.len() - 1),
            )
        })?;
        let units: Vec<Unit> = (0..seeds.len())
            .map(|s| Unit::Run {
                run: value_index * seeds.len() + s,
            })
            .collect();
        let runs = self
            .ordered(&units, pieces)?
            .iter()
            .map(|p| match &p.outcome {
                Outcome::Run { run } => Ok(run.clone()),
                _ => Err(mismatch()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(point(value, runs))
    }

    /// `pieces` in the order of `units`, each exactly once.
    fn ordered<'p>(&self, units: &[Unit], pieces: &'p [Piece]) -> Result<Vec<&'p Piece>> {
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
}

/// A frontier's parts from the pieces of its units (any order, any subset): sorted by seed and
/// part, as both the final report and the report so far take them.
fn frontier_parts(pieces: &[Piece]) -> Result<Vec<FrontierPiece>> {
    let mut sorted: Vec<&Piece> = pieces.iter().collect();
    crate::order::sort_by_key(&mut sorted, |p| unit_key(&p.unit));
    sorted
        .iter()
        .map(|p| match &p.outcome {
            Outcome::Frontier { piece } => Ok(piece.clone()),
            _ => Err(mismatch()),
        })
        .collect()
}

fn mismatch() -> Error {
    Error::State("pieces: a piece of another kind of job".into())
}

/// Frontier pieces sort by seed, then by part (base first, then the plan's order).
fn unit_key(u: &Unit) -> (usize, usize, usize, usize) {
    match *u {
        Unit::Reference { index } => (0, 1, index as usize, 0),
        Unit::Single => (0, 0, 0, 0),
        Unit::Run { run } => (run, 0, 0, 0),
        Unit::Seed { seed_index } => (seed_index, 0, 0, 0),
        Unit::MatrixTrain {
            seed_index,
            recommender,
        } => (seed_index, 1, recommender, 0),
        Unit::Frontier { seed_index, part } => match part {
            FrontierPart::Seed | FrontierPart::Base => (seed_index, 0, 0, 0),
            FrontierPart::Train { defence, strength } => (seed_index, 1, defence, strength),
            FrontierPart::Natural { index } => (seed_index, 2, index, 0),
        },
    }
}
