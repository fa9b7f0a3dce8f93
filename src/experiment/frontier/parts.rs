//! A frontier's independent parts, for a pool of workers: which tasks each part runs, their
//! estimated weights, a `Frontier` reduced to one part (`Frontier::unit`), and the report from
//! every part's pieces (`Frontier::aggregate`). A part belongs to one slot (a panel's protocol and
//! one seed; `seed_index` in units and pieces is the slot's index, panel-major).

use serde::{Deserialize, Serialize};

use super::{Frontier, FrontierPiece, FrontierReport, FrontierSlots, Task};
use crate::error::{Error, Result};

/// A part of one slot's work that can run alone (with the attacker's side it needs: split,
/// shadow, item vectors and the undefended attack model, which are the same for every part).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum FrontierPart {
    /// Every task of the slot (no work repeated).
    Seed,
    /// The undefended target and every serving-level defence point (they share its scores).
    Base,
    /// One training-level defence point: (defence index in its panel, strength index).
    Train { defence: usize, strength: usize },
    /// One natural point: index into the natural epoch counts.
    Natural { index: usize },
}

impl Frontier {
    /// The independent parts of this frontier, in a fixed order, with their estimated share of
    /// the work: one per slot (`fine` false: nothing is computed twice), or for a pool of workers
    /// (`fine` true) per slot the base part, every training-level point and every natural point,
    /// each of which repeats the slot's split and attacker's side (cheaper than a target).
    pub fn parts(&self, fine: bool) -> Vec<(usize, FrontierPart, f64)> {
        let mut out = Vec::new();
        for slot in 0..self.protocols.len() * self.seeds.len() {
            let tasks = &self.all_tasks[self.slot(slot).0];
            if !fine {
                let w = tasks.iter().map(|t| t.1).sum();
                out.push((slot, FrontierPart::Seed, w));
                continue;
            }
            for part in Self::fine_parts(tasks) {
                let w = Self::part_tasks(tasks, part).iter().map(|t| t.1).sum();
                out.push((slot, part, w));
            }
        }
        out
    }

    fn fine_parts(tasks: &[(Task, f64)]) -> Vec<FrontierPart> {
        let mut parts = vec![FrontierPart::Base];
        for (t, _) in tasks {
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
    pub(super) fn part_tasks(all: &[(Task, f64)], part: FrontierPart) -> Vec<(Task, f64)> {
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

    /// This frontier reduced to one unit: slot `slot`, the tasks of `part`. It ends with its
    /// piece (`pieces()`), not a report.
    pub fn unit(mut self, slot: usize, part: FrontierPart) -> Result<Frontier> {
        let slots = self.protocols.len() * self.seeds.len();
        if slot >= slots {
            return Err(Error::config(
                "unit",
                format!("slot {slot} is out of range (0 to {})", slots - 1),
            ));
        }
        let tasks = &self.all_tasks[self.slot(slot).0];
        if part != FrontierPart::Seed && !Self::fine_parts(tasks).contains(&part) {
            return Err(Error::config(
                "unit",
                format!("{part:?} is not a part of this frontier"),
            ));
        }
        self.order = vec![slot];
        self.part = Some(part);
        Ok(self)
    }

    /// The pieces of the finished slots (one per slot, in order).
    pub fn pieces(&self) -> &[FrontierPiece] {
        &self.pieces
    }

    /// The report from every slot's pieces, however they were computed.
    pub fn aggregate(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        self.slots().aggregate(pieces)
    }

    /// The report so far from the pieces finished yet (`FrontierSlots::aggregate_so_far`).
    pub fn aggregate_so_far(&self, pieces: &[FrontierPiece]) -> Result<FrontierReport> {
        self.slots().aggregate_so_far(pieces)
    }

    fn slots(&self) -> FrontierSlots<'_> {
        FrontierSlots {
            base: &self.base,
            protocols: &self.protocols,
            defences: &self.defences,
            strengths: &self.strengths,
            seeds: &self.seeds,
            natural: &self.natural,
        }
    }
}
