//! `Job`: a single run, a sweep, a transfer matrix, a defence frontier or "would it spot you?"
//! behind one `step()` interface — what the CLI's progress loop and the browser worker drive.
//! `Job::from_spec` makes the stepped job of a `JobSpec` (the page's slow-motion jobs and its
//! single runs; a pool splits the others into units instead, experiment::units).

use std::sync::Arc;

use serde::Serialize;

use super::frontier::{Frontier, FrontierReport};
use super::job_spec::JobSpec;
use super::matrix::{Matrix, MatrixReport};
use super::pipeline::Pipeline;
use super::served::ServedCache;
use super::sweep::{Sweep, SweepReport};
use super::you::{You, YouReport};
use crate::config::Config;
use crate::data::Dataset;
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

/// A clock in milliseconds that a job's parts share.
pub type SharedClock = Arc<dyn Fn() -> f64>;

impl Job {
    /// The stepped job of `spec` on `data` with `cfg`, timed by `clock` (timings are 0 without
    /// one). `cache`: a single run takes its seed's served recommenders from it when an earlier
    /// run trained them with the same settings, and leaves its own (experiment::served). A
    /// comparison is one single job per config, an audit a job of its own (src/audit/): both are
    /// refused here.
    pub fn from_spec(
        data: Arc<Dataset>,
        cfg: Config,
        spec: &JobSpec,
        clock: Option<SharedClock>,
        cache: Option<Arc<ServedCache>>,
    ) -> Result<Job> {
        spec.validate(&cfg)?;
        let job = match spec {
            JobSpec::Single {} => {
                let mut p = Pipeline::new(data, cfg)?;
                if let Some(c) = clock {
                    p = p.with_clock(Box::new(move || c()));
                }
                if let Some(cache) = cache {
                    p = p.with_cache(cache);
                }
                Job::Single(Box::new(p))
            }
            JobSpec::Sweep {
                param,
                values,
                seeds,
            } => {
                let mut s = Sweep::new(data, cfg, param, values, seeds)?;
                if let Some(c) = clock {
                    s = s.with_clock(c);
                }
                Job::Sweep(Box::new(s))
            }
            JobSpec::Matrix {
                recommenders,
                seeds,
            } => {
                let mut m = Matrix::new(data, cfg, recommenders, seeds)?;
                if let Some(c) = clock {
                    m = m.with_clock(c);
                }
                Job::Matrix(Box::new(m))
            }
            JobSpec::Frontier { .. } => {
                let mut f = Frontier::from_spec(data, cfg, spec)?;
                if let Some(c) = clock {
                    f = f.with_clock(c);
                }
                Job::Frontier(Box::new(f))
            }
            JobSpec::You { .. } => {
                let mut y = You::new(&data, cfg, &spec.picks()?, "picks")?;
                if let Some(c) = clock {
                    y = y.with_clock(move || {
                        let c = c.clone();
                        Box::new(move || c())
                    });
                }
                Job::You(Box::new(y))
            }
            JobSpec::Compare { .. } | JobSpec::Audit { .. } => {
                return Err(Error::config(
                    "job",
                    format!("a {} job is not one stepped job", spec.kind()),
                ))
            }
        };
        Ok(job)
    }

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
