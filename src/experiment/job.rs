//! `Job`: a single run, a sweep, a transfer matrix or a defence frontier behind one `step()` interface — what the CLI's
//! progress loop and the browser worker drive.

use serde::Serialize;

use super::frontier::{Frontier, FrontierReport};
use super::matrix::{Matrix, MatrixReport};
use super::pipeline::Pipeline;
use super::sweep::{Sweep, SweepReport};
use super::you::{You, YouReport};
use crate::error::{Error, Result};
use crate::report::{Progress, RunReport};

/// Any experiment, advanced one bounded step at a time.
pub enum Job {
    Single(Box<Pipeline>),
    Sweep(Box<Sweep>),
    Matrix(Box<Matrix>),
    Frontier(Box<Frontier>),
    /// "Would it spot you?": the reader as a member, then as a non-member.
    You(Box<You>),
}

/// A finished job's result.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum JobResult<'a> {
    Single(&'a RunReport),
    Sweep(&'a SweepReport),
    Matrix(&'a MatrixReport),
    Frontier(&'a FrontierReport),
    You(&'a YouReport),
}

impl Job {
    pub fn step(&mut self) -> Result<Progress> {
        match self {
            Job::Single(p) => p.step(),
            Job::Sweep(s) => s.step(),
            Job::Matrix(m) => m.step(),
            Job::Frontier(f) => f.step(),
            Job::You(y) => y.step(),
        }
    }

    pub fn result(&self) -> Result<JobResult<'_>> {
        let r = match self {
            Job::Single(p) => p.report().map(JobResult::Single),
            Job::Sweep(s) => s.report().map(JobResult::Sweep),
            Job::Matrix(m) => m.report().map(JobResult::Matrix),
            Job::Frontier(f) => f.report().map(JobResult::Frontier),
            Job::You(y) => y.report().map(JobResult::You),
        };
        r.ok_or_else(|| Error::State("the job has not finished: call step() until done".into()))
    }
}
