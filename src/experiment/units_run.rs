//! One unit of a job in progress (experiment::units): a sweep's run, a single-seed matrix, a
//! matrix's training unit or a frontier part, stepped like any job, ending with its `Piece` once
//! every number in it has been checked to be finite.

use super::frontier::Frontier;
use super::matrix::Matrix;
use super::matrix_train::MatrixTrain;
use super::pipeline::Pipeline;
use super::references::ReferenceTrain;
use super::sweep::SweepRun;
use super::units::{Outcome, Piece, Unit};
use crate::error::{Error, Result};
use crate::eval::seeds::SeedRun;
use crate::report::{Progress, TprAtFpr};

pub(super) enum Work {
    /// A sweep's run, with the sweep's number of runs.
    Run(Box<Pipeline>, usize),
    /// A single-seed matrix: the seed's index in the whole matrix and the number of seeds.
    Seed(Box<Matrix>, usize, usize),
    Frontier(Box<Frontier>),
    /// A matrix seed's algorithm, trained for the served cache: the seed's index in the whole
    /// matrix and the number of seeds.
    Train(Box<MatrixTrain>, usize, usize),
    /// A lira run's reference model, trained for the served cache.
    Reference(Box<ReferenceTrain>),
    /// A single run.
    Single(Box<Pipeline>),
}

/// One unit in progress, advanced by `step()` like any job.
pub struct UnitRun {
    unit: Unit,
    work: Work,
    piece: Option<Piece>,
}

impl UnitRun {
    pub(super) fn new(unit: Unit, work: Work) -> UnitRun {
        UnitRun {
            unit,
            work,
            piece: None,
        }
    }

    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// True when this unit (a sweep's run, a matrix training unit) started from served
    /// recommenders instead of training them (experiment::served).
    pub fn reused(&self) -> bool {
        match &self.work {
            Work::Run(p, _) => p.reused(),
            Work::Train(t, _, _) => t.reused(),
            Work::Reference(t) => t.reused(),
            _ => false,
        }
    }

    /// Does one bounded piece of work; `run_index`/`run_count` place the unit in the whole job.
    pub fn step(&mut self) -> Result<Progress> {
        crate::full::required("a job split into units")?;
        if self.piece.is_some() {
            return Ok(Progress::finished(1));
        }
        let mut p = match &mut self.work {
            Work::Run(pipeline, count) => {
                let mut p = pipeline.step()?;
                let Unit::Run { run } = self.unit else {
                    unreachable!("a run unit")
                };
                p.run_index = run;
                p.run_count = *count;
                p
            }
            Work::Seed(m, index, count) => {
                let mut p = m.step()?;
                p.run_index = *index;
                p.run_count = *count;
                p
            }
            Work::Frontier(f) => f.step()?,
            Work::Reference(t) => t.step()?,
            Work::Single(p) => p.step()?,
            Work::Train(t, index, count) => {
                let mut p = t.step()?;
                p.run_index = *index;
                p.run_count = *count;
                p
            }
        };
        if p.done {
            let piece = self.finish()?;
            check_finite(&piece)?;
            self.piece = Some(piece);
        }
        p.done = self.piece.is_some();
        Ok(p)
    }

    fn finish(&self) -> Result<Piece> {
        let not_done = || Error::State("the unit has not finished".into());
        let (ms, outcome) = match &self.work {
            Work::Run(p, _) => {
                let r = p.report().ok_or_else(not_done)?;
                (
                    r.timings_ms.get("total").copied().unwrap_or(0.0),
                    Outcome::Run {
                        run: SweepRun::from_report(r),
                    },
                )
            }
            Work::Seed(m, _, _) => {
                let r = m.report().ok_or_else(not_done)?;
                let outcome = m.outcomes().first().ok_or_else(not_done)?.clone();
                (
                    r.timings_ms.get("total").copied().unwrap_or(0.0),
                    Outcome::Seed { outcome },
                )
            }
            Work::Frontier(f) => {
                let piece = f.pieces().first().ok_or_else(not_done)?.clone();
                (piece.timings_ms.values().sum(), Outcome::Frontier { piece })
            }
            Work::Train(t, _, _) => (t.spent_ms(), Outcome::Served),
            Work::Reference(t) => (t.spent_ms(), Outcome::Served),
            Work::Single(p) => {
                let r = p.report().ok_or_else(not_done)?;
                (
                    r.timings_ms.get("total").copied().unwrap_or(0.0),
                    Outcome::Single {
                        report: Box::new(r.clone()),
                    },
                )
            }
        };
        Ok(Piece {
            unit: self.unit,
            ms,
            outcome,
        })
    }

    /// The finished unit's piece (`None` until `step()` said done).
    pub fn piece(&self) -> Option<&Piece> {
        self.piece.as_ref()
    }
}

/// Every number a piece carries must be finite: a NaN would not survive JSON (it becomes null)
/// and must never reach a report.
fn check_finite(p: &Piece) -> Result<()> {
    let mut numbers = vec![("ms", p.ms)];
    fn attack(numbers: &mut Vec<(&'static str, f64)>, r: &dyn SeedRun, tprs: &TprAtFpr) {
        numbers.push(("roc_auc", r.roc_auc()));
        numbers.extend(tprs.values().flatten().map(|&v| ("tpr_at_fpr", v)));
        for ci in [r.ci95(), &r.strongest().ci95] {
            numbers.extend(ci.roc_auc.iter().map(|&v| ("ci95", v)));
            numbers.extend(ci.tpr_at_1pct.iter().flatten().map(|&v| ("ci95", v)));
        }
        numbers.push(("strongest.roc_auc", r.strongest().roc_auc));
        numbers.extend(
            r.strongest()
                .tpr_at_1pct
                .map(|v| ("strongest.tpr_at_1pct", v)),
        );
    }
    fn run(numbers: &mut Vec<(&'static str, f64)>, r: &SweepRun) {
        attack(numbers, r, &r.tpr_at_fpr);
        numbers.push(("balanced_accuracy", r.balanced_accuracy));
        numbers.push(("recall_at_n", r.recall_at_n));
    }
    match &p.outcome {
        Outcome::Run { run: r } => run(&mut numbers, r),
        Outcome::Single { report } => run(&mut numbers, &SweepRun::from_report(report)),
        Outcome::Seed { outcome } => {
            let (cells, recalls) = outcome.numbers();
            for c in cells {
                attack(&mut numbers, c, &c.tpr_at_fpr);
            }
            for &(a, b) in recalls {
                numbers.push(("recall_at_n", a));
                numbers.push(("popularity_recall_at_n", b));
            }
        }
        Outcome::Frontier { piece } => {
            if let Some((r, pop)) = &piece.undefended {
                run(&mut numbers, r);
                numbers.push(("popularity_recall_at_n", *pop));
            }
            for pr in &piece.points {
                // ε may be infinite (no finite bound) by design; it is not a measurement.
                run(&mut numbers, &pr.run);
            }
            for (_, r) in &piece.natural {
                run(&mut numbers, r);
            }
            numbers.extend(piece.timings_ms.values().map(|&v| ("timings_ms", v)));
        }
        Outcome::Served => {}
    }
    match numbers.iter().find(|(_, v)| !v.is_finite()) {
        Some((key, v)) => Err(Error::State(format!(
            "unit {:?}: {key} is {v}, not a finite number",
            p.unit
        ))),
        None => Ok(()),
    }
}
