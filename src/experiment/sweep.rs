//! Sweeps: one numeric config key over a list of values, each value run with several seeds, reported
//! as mean and sample standard deviation.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::eval::mean_std;
use crate::pipeline::{Clock, Pipeline};
use crate::report::{Progress, RunReport};

// Schema 1's path `memberlens::sweep::Job` keeps working.
pub use super::job::{Job, JobResult};

/// The numbers kept from each run of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRun {
    pub seed: u32,
    pub roc_auc: f64,
    pub tpr_at_fpr: BTreeMap<String, f64>,
    pub balanced_accuracy: f64,
    pub recall_at_n: f64,
}

/// One value of the swept key, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub value: f64,
    pub roc_auc_mean: f64,
    pub roc_auc_std: f64,
    pub tpr_at_1pct_mean: f64,
    pub tpr_at_1pct_std: f64,
    pub recall_at_n_mean: f64,
    pub recall_at_n_std: f64,
    pub runs: Vec<SweepRun>,
}

/// The result of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub param: String,
    pub values: Vec<f64>,
    pub seeds: Vec<u32>,
    pub config: Config,
    pub points: Vec<SweepPoint>,
    pub timings_ms: BTreeMap<String, f64>,
}

impl SweepRun {
    /// The numbers a sweep keeps from one finished run.
    pub fn from_report(r: &RunReport) -> SweepRun {
        SweepRun {
            seed: r.config.seed,
            roc_auc: r.roc_auc,
            tpr_at_fpr: r.tpr_at_fpr.clone(),
            balanced_accuracy: r.balanced_accuracy,
            recall_at_n: r.recommender.target.recall_at_n,
        }
    }
}

/// Mean and sample standard deviation of one value's runs (also the frontier's aggregation).
pub(crate) fn point(value: f64, runs: Vec<SweepRun>) -> SweepPoint {
    let stat = |f: &dyn Fn(&SweepRun) -> f64| mean_std(&runs.iter().map(f).collect::<Vec<_>>());
    let (roc_auc_mean, roc_auc_std) = stat(&|r| r.roc_auc);
    let (tpr_at_1pct_mean, tpr_at_1pct_std) = stat(&|r| r.tpr_at_fpr["0.01"]);
    let (recall_at_n_mean, recall_at_n_std) = stat(&|r| r.recall_at_n);
    SweepPoint {
        value,
        roc_auc_mean,
        roc_auc_std,
        tpr_at_1pct_mean,
        tpr_at_1pct_std,
        recall_at_n_mean,
        recall_at_n_std,
        runs,
    }
}

/// A sweep in progress: runs value by value, seed by seed.
pub struct Sweep {
    data: Arc<Dataset>,
    base: Config,
    param: String,
    configs: Vec<(f64, Config)>,
    seeds: Vec<u32>,
    next: usize,
    current: Option<Pipeline>,
    runs: Vec<SweepRun>,
    total_ms: f64,
    clock: Option<Arc<dyn Fn() -> f64>>,
    report: Option<SweepReport>,
}

impl Sweep {
    /// Checks every (value, seed) config up front so a bad value fails before any work.
    pub fn new(
        data: Arc<Dataset>,
        base: Config,
        param: &str,
        values: &[f64],
        seeds: &[u32],
    ) -> Result<Sweep> {
        base.check()?;
        if values.is_empty() {
            return Err(Error::config(param, "a sweep needs at least one value"));
        }
        if seeds.is_empty() {
            return Err(Error::config("seeds", "a sweep needs at least one seed"));
        }
        let configs = values
            .iter()
            .map(|&v| Ok((v, base.with_param(param, v)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Sweep {
            data,
            base,
            param: param.to_string(),
            configs,
            seeds: seeds.to_vec(),
            next: 0,
            current: None,
            runs: Vec::new(),
            total_ms: 0.0,
            clock: None,
            report: None,
        })
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> f64>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Number of runs: every value with every seed.
    pub fn run_count(&self) -> usize {
        self.configs.len() * self.seeds.len()
    }

    /// The config of run `index`: value by value, seed by seed within a value (the order of
    /// `SweepPoint::runs`).
    pub fn run_config(&self, index: usize) -> Config {
        let (_, cfg) = &self.configs[index / self.seeds.len()];
        Config {
            seed: self.seeds[index % self.seeds.len()],
            ..cfg.clone()
        }
    }

    pub fn report(&self) -> Option<&SweepReport> {
        self.report.as_ref()
    }

    pub fn step(&mut self) -> Result<Progress> {
        if self.current.is_none() && self.report.is_none() {
            let mut p = Pipeline::new(self.data.clone(), self.run_config(self.next))?;
            if let Some(c) = &self.clock {
                let c = c.clone();
                p = p.with_clock(Box::new(move || c()));
            }
            self.current = Some(p);
        }
        let Some(pipeline) = self.current.as_mut() else {
            return Ok(Progress::finished(self.run_count()));
        };
        let mut progress = pipeline.step()?;
        let index = self.next;
        if progress.done {
            let r: &RunReport = pipeline.report().expect("done");
            self.total_ms += r.timings_ms["total"];
            self.runs.push(SweepRun::from_report(r));
            self.current = None;
            self.next += 1;
            if self.next == self.run_count() {
                self.finish();
            }
        }
        progress.run_index = index;
        progress.run_count = self.run_count();
        progress.fraction = ((index as f64
            + if progress.done {
                1.0
            } else {
                progress.fraction
            })
            / self.run_count() as f64)
            .min(1.0);
        progress.done = self.report.is_some();
        Ok(progress)
    }

    fn finish(&mut self) {
        let runs = std::mem::take(&mut self.runs);
        self.report = Some(self.aggregate(runs, self.total_ms));
    }

    /// The report of this sweep from its finished runs, in `run_config` order (however they were
    /// run: stepped here, or in parallel by `experiment::parallel`). `total_ms` is the summed time.
    pub fn aggregate(&self, runs: Vec<SweepRun>, total_ms: f64) -> SweepReport {
        debug_assert_eq!(runs.len(), self.run_count());
        let per = self.seeds.len();
        let points = self
            .configs
            .iter()
            .zip(runs.chunks(per))
            .map(|((v, _), runs)| point(*v, runs.to_vec()))
            .collect();
        SweepReport {
            param: self.param.clone(),
            values: self.configs.iter().map(|(v, _)| *v).collect(),
            seeds: self.seeds.clone(),
            config: self.base.clone(),
            points,
            timings_ms: BTreeMap::from([("total".to_string(), total_ms)]),
        }
    }
}

/// Convenience for native callers: a whole sweep in one call.
pub fn run_sweep(
    data: Arc<Dataset>,
    base: Config,
    param: &str,
    values: &[f64],
    seeds: &[u32],
    clock: Option<Clock>,
) -> Result<SweepReport> {
    let mut s = Sweep::new(data, base, param, values, seeds)?;
    if let Some(c) = clock {
        let c: Arc<dyn Fn() -> f64> = Arc::from(c);
        s = s.with_clock(c);
    }
    while !s.step()?.done {}
    Ok(s.report.expect("done"))
}
