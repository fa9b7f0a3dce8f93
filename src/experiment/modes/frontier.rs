//! The privacy–utility frontier as units: a seed each, or with more than one worker each seed's
//! parts (its base run, each trained defence point, each natural point: `Frontier::parts`).

use std::sync::Arc;

use super::{mismatch, not_a_unit, Env, Mode, SharedFn};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::experiment::frontier::{Frontier, FrontierPart, FrontierPiece};
use crate::experiment::job_spec::JobSpec;
use crate::experiment::units::{Outcome, Piece, PlannedUnit, Report, Unit, UnitRun};
use crate::experiment::units_run::Work;

/// A checked frontier; each unit builds the frontier again from the job (its own clock).
pub struct FrontierMode {
    frontier: Frontier,
    spec: JobSpec,
}

impl FrontierMode {
    pub fn new(data: &Arc<Dataset>, config: &Config, spec: &JobSpec) -> Result<FrontierMode> {
        Ok(FrontierMode {
            frontier: Frontier::from_spec(data.clone(), config.clone(), spec)?,
            spec: spec.clone(),
        })
    }
}

impl Mode for FrontierMode {
    fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        self.frontier
            .parts(fine)
            .into_iter()
            .map(|(seed_index, part, weight)| PlannedUnit {
                unit: Unit::Frontier { seed_index, part },
                weight,
                group: seed_index,
                served: None,
                needs: Vec::new(),
            })
            .collect()
    }

    fn start(&self, env: &Env<'_>, unit: Unit, clock: Option<SharedFn>) -> Result<UnitRun> {
        let Unit::Frontier { seed_index, part } = unit else {
            return Err(not_a_unit(unit));
        };
        let mut f = Frontier::from_spec(env.data.clone(), env.config.clone(), &self.spec)?
            .unit(seed_index, part)?;
        if let Some(c) = clock {
            f = f.with_clock(c);
        }
        Ok(UnitRun::new(unit, Work::Frontier(Box::new(f))))
    }

    fn aggregate(&self, pieces: &[Piece]) -> Result<Report> {
        // Fine or coarse, the pieces say which seed and which points they hold; the aggregation
        // checks that every point has one run per seed.
        Ok(Report::Frontier(
            self.frontier.aggregate(&frontier_parts(pieces)?)?,
        ))
    }

    /// A frontier so far (any subset of the pieces, in any order): every point it holds has its
    /// final numbers.
    fn so_far(&self, pieces: &[Piece]) -> Result<Report> {
        Ok(Report::Frontier(
            self.frontier.aggregate_so_far(&frontier_parts(pieces)?)?,
        ))
    }
}

/// A frontier's parts from the pieces of its units (any order, any subset): sorted by seed and
/// part, as both the final report and the report so far take them.
fn frontier_parts(pieces: &[Piece]) -> Result<Vec<FrontierPiece>> {
    let mut sorted: Vec<&Piece> = pieces.iter().collect();
    sorted.sort_by_key(|p| unit_key(&p.unit));
    sorted
        .iter()
        .map(|p| match &p.outcome {
            Outcome::Frontier { piece } => Ok(piece.clone()),
            _ => Err(mismatch()),
        })
        .collect()
}

/// Frontier pieces sort by seed, then by part (base first, then the plan's order).
fn unit_key(u: &Unit) -> (usize, usize, usize, usize) {
    match *u {
        Unit::Frontier { seed_index, part } => match part {
            FrontierPart::Seed | FrontierPart::Base => (seed_index, 0, 0, 0),
            FrontierPart::Train { defence, strength } => (seed_index, 1, defence, strength),
            FrontierPart::Natural { index } => (seed_index, 2, index, 0),
        },
        // Not a frontier's: sorted last, refused as a mismatch.
        _ => (usize::MAX, 0, 0, 0),
    }
}
