//! A frontier's independent parts, for a pool of workers: which tasks each part runs, their
//! estimated weights, a `Frontier` reduced to one part (`Frontier::unit`), and the report from
//! every part's pieces (`Frontier::aggregate`).

use serde::{Deserialize, Serialize};

use super::{Frontier, FrontierPiece, FrontierReport, FrontierSlots, Task};
use crate::error::{Error, Result};

/// A part of one seed's work that can run alone (with the attacker's side it needs: split,
/// shadow, item vectors and attack model, which are the same for every part).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum FrontierPart {
    /// Every task of the seed (no work repeated).
    Seed,
    /// The undefended target and every serving-level defence point (they share its scores).
    Base,
    /// One training-level defence point: (defence index, strength index).
    Train { defence: usize, strength: usize },
    /// One natural point: index into the natural epoch counts.
    Natural { index: usize },
}

impl Frontier {
    /// The independent parts of this frontier, in a fixed order, with their estimated share of
    /// the work: one per seed (`fine` false: nothing is computed twice), or for a pool of workers
    /// (`fine` true) per seed the base part, every training-level point and every natural point,
    /// each of which repeats the seed's split and attacker's side (cheaper than a target).
    pub fn parts(&self, fine: bool) -> Vec<(usize, FrontierPart, f64)> {
        let mut out = Vec::new();
        for seed_index in 0..self.seeds.len() {
            if !fine {
                let w = self.all_tasks.iter().map(|t| t.1).sum();
                out.push((seed_index, FrontierPart::Seed, w));
                continue;
            }
            for part in self.fine_parts() {
                let w = Self::part_tasks(&self.all_tasks, part)
                    .iter()
                    .map(|t| t.1)
                    .sum();
                out.push((seed_index, part, w));
            }
        }
        out
    }

    fn fine_parts(&self) -> Vec<FrontierPart> {
        let mut parts = vec![FrontierPart::Base];
        for (t, _) in &self.all_tasks {
            match *t {
                Task::Train(defence, strength) => {
                    parts.push(FrontierPart::Train { defence, strength })
                }
                Task::Natural(index) => parts.push(FrontierPart::Natural { index }),
                _ => {}
            }
        }
        parts
    }

    /// The tasks of one part: the attacker's side, then the part's own.
    fn part_tasks(all: &[(Task, f64)], part: FrontierPart) -> Vec<(Task, f64)> {
        all.iter()
            .copied()
            .filter(|&(t, _)| match (part, t) {
                (FrontierPart::Seed, _) => true,
                (_, Task::Split | Task::Shadow | Task::Vectors | Task::Attack) => true,
                (FrontierPart::Base, Task::Target | Task::Serve(..)) => true,
                (FrontierPart::Train { defence, strength }, Task::Train(d, s)) => {
                    (d, s) == (defence, strength)
                }
                (FrontierPart::Natural { index }, Task::Natural(i)) => i == index,
                _ => false,
            })
            .collect()
    }

    /// This frontier reduced to one unit: seed `seed_index`, the tasks of `part`. It ends with
    /// its piece (`pieces()`), not a report.
    pub fn unit(mut self, seed_index: usize, part: FrontierPart) -> Result<Frontier> {
        if seed_index >= self.seeds.len() {
            return Err(Error::config(
                "unit",
                format!(
                    "seed index {seed_index} is out of range (0 to {})",
                    self.seeds.len() - 1
                ),
            ));
        }
        if part != FrontierPart::Seed && !self.fine_parts().contains(&part) {
            return Err(Error::config(
                "unit",
                format!("{part:?} is not a part of this frontier"),
            ));
        }
        self.order = vec![seed_index];
        self.tasks = Self::part_tasks(&self.all_tasks, part);
        self.unit = true;
        Ok(self)
    }

    /// The pieces of the finished seeds (one per seed, in order).
    pub fn pieces(&self) -> &[FrontierPiece] {
        &self.pieces
    }

    /// The report from every seed's pieces, however they were computed.
    pub fn aggregate(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        FrontierSlots {
            base: &self.base,
            defences: &self.defences,
            strengths: &self.strengths,
            seeds: &self.seeds,
            natural: &self.natural,
        }
        .aggregate(pieces)
    }
}
