//! Sweeps: one numeric config key over a list of values, each value run with several seeds, reported
//! as mean and sample standard deviation.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::eval::bootstrap::Ci95;
use crate::eval::mean_std;
use crate::eval::seeds::{over_seeds, OverSeeds, SeedRun};
use crate::eval::warnings::merge as merge_warnings;
use crate::experiment::served::ServedCache;
use crate::pipeline::{Clock, Pipeline};
use crate::report::{Progress, RunReport, Strongest, TprAtFpr};

// Schema 1's path `memberlens::sweep::Job` keeps working.
pub use super::job::{Job, JobResult};

/// The numbers kept from each run of a sweep (also a frontier point's runs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRun {
    pub seed: u32,
    pub roc_auc: f64,
    /// `null` where the run could not measure it.
    pub tpr_at_fpr: TprAtFpr,
    pub balanced_accuracy: f64,
    pub recall_at_n: f64,
    /// The run's attack's bootstrap intervals.
    pub ci95: Ci95,
    /// The strongest attack of the run.
    pub strongest: Strongest,
    /// Frontier points: the ROC-AUC of the naive attacker (the MLP of an undefended shadow) on
    /// the same defended target, beside the attacker who knows the defence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naive_roc_auc: Option<f64>,
    /// The run's warnings (`RunReport::warnings`).
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl SeedRun for SweepRun {
    fn roc_auc(&self) -> f64 {
        self.roc_auc
    }
    fn tpr_at_1pct(&self) -> Option<f64> {
        self.tpr_at_fpr.get("0.01").copied().flatten()
    }
    fn ci95(&self) -> &Ci95 {
        &self.ci95
    }
    fn strongest(&self) -> &Strongest {
        &self.strongest
    }
}

/// One value of the swept key, over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub value: f64,
    /// ROC-AUC and TPR at 1 % FPR of the run's attack and of the strongest, over the seeds.
    #[serde(flatten)]
    pub over: OverSeeds,
    pub recall_at_n_mean: f64,
    pub recall_at_n_std: f64,
    /// The warnings of its runs, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
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
    /// The sentences this sweep teaches, from its numbers (`eval::takeaways::sweep`).
    pub takeaways: Vec<String>,
    /// Every run's warnings, each once, with how many runs raised it when not all did.
    pub warnings: Vec<String>,
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
            ci95: r.ci95.clone(),
            strongest: r.strongest.clone(),
            naive_roc_auc: None,
            warnings: r.warnings.clone(),
        }
    }
}

/// Mean, spread and interval of one value's runs (also the frontier's aggregation).
pub(crate) fn point(value: f64, runs: Vec<SweepRun>) -> SweepPoint {
    let (recall_at_n_mean, recall_at_n_std) =
        mean_std(&runs.iter().map(|r| r.recall_at_n).collect::<Vec<_>>());
    SweepPoint {
        value,
        over: over_seeds(&runs),
        recall_at_n_mean,
        recall_at_n_std,
        warnings: merge_warnings(runs.iter().map(|r| r.warnings.as_slice()), runs.len()),
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
    /// Each seed's served recommenders, for the values after the first when only the attacker's
    /// settings change (experiment::served); up to `CACHED_SEEDS` seeds.
    cache: Arc<ServedCache>,
}

/// Seeds whose served recommenders a stepped sweep keeps (runs go value by value, so a sweep with
/// more seeds trains every run, as it did before the cache).
const CACHED_SEEDS: usize = 5;

impl Sweep {
    /// Checks every (value, seed) config up front so a bad value fails before any work.
    pub fn new(
        data: Arc<Dataset>,
        base: Config,
        param: &str,
        values: &[f64],
        seeds: &[u32],
    ) -> Result<Sweep> {
        crate::full::required("a sweep")?;
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
            cache: Arc::new(ServedCache::new(if seeds.len() <= CACHED_SEEDS {
                seeds.len()
            } else {
                0
            })),
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
        crate::full::required("a sweep")?;
        if self.current.is_none() && self.report.is_none() {
            let mut p = Pipeline::new(self.data.clone(), self.run_config(self.next))?
                .with_cache(self.cache.clone());
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
        let mut report = SweepReport {
            param: self.param.clone(),
            values: self.configs.iter().map(|(v, _)| *v).collect(),
            seeds: self.seeds.clone(),
            config: self.base.clone(),
            points,
            timings_ms: BTreeMap::from([("total".to_string(), total_ms)]),
            takeaways: Vec::new(),
            warnings: Vec::new(),
        };
        let all: Vec<&SweepRun> = report.points.iter().flat_map(|p| &p.runs).collect();
        report.warnings = merge_warnings(all.iter().map(|r| r.warnings.as_slice()), all.len());
        report.takeaways = crate::eval::takeaways::sweep(&report);
        report
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::AttackKind;
    use crate::rng::{below, rng_for, Stream};

    /// 60 users with 8 draws each from 30 items: enough for every stage, fast unoptimised.
    fn data() -> Arc<Dataset> {
        let mut rng = rng_for(7, Stream::Split);
        let mut pairs: Vec<(u64, u64)> = (0..60u64)
            .flat_map(|u| (0..8).map(move |_| u))
            .map(|u| (u, below(&mut rng, 30) as u64))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Arc::new(Dataset::from_pairs("tiny", &pairs, pairs.len()).unwrap())
    }

    fn base() -> Config {
        Config {
            k: 4,
            vector_k: 4,
            epochs: 3,
            vector_epochs: 2,
            top_n: 5,
            attack: AttackKind::Distance,
            ..Config::default()
        }
    }

    /// A clock that advances 1 ms per reading: run times are call counts, deterministic.
    fn ticking() -> Arc<dyn Fn() -> f64> {
        let t = std::sync::Mutex::new(0.0);
        Arc::new(move || {
            let mut t = t.lock().unwrap();
            *t += 1.0;
            *t
        })
    }

    fn run(cfg: Config) -> RunReport {
        let clock = ticking();
        let mut p = Pipeline::new(data(), cfg)
            .unwrap()
            .with_clock(Box::new(move || clock()));
        p.run_to_end().unwrap().clone()
    }

    fn sweep_run(seed: u32, auc: f64, tpr: f64, recall: f64) -> SweepRun {
        let ci95 = Ci95 {
            roc_auc: [auc - 0.1, auc + 0.1],
            tpr_at_1pct: None,
        };
        SweepRun {
            seed,
            roc_auc: auc,
            tpr_at_fpr: BTreeMap::from([("0.01".to_string(), Some(tpr))]),
            balanced_accuracy: 0.5,
            recall_at_n: recall,
            ci95: ci95.clone(),
            strongest: Strongest {
                attack: AttackKind::Mlp,
                roc_auc: auc,
                tpr_at_1pct: Some(tpr),
                ci95,
            },
            naive_roc_auc: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_point_is_the_mean_and_sample_std_of_each_metric() {
        let runs = vec![
            sweep_run(0, 0.5, 0.25, 0.0),
            sweep_run(1, 0.75, 0.0, 0.5),
            sweep_run(2, 1.0, 0.5, 1.0),
        ];
        let p = point(3.0, runs.clone());
        assert_eq!(p.value, 3.0);
        assert_eq!((p.over.roc_auc_mean, p.over.roc_auc_std), (0.75, 0.25));
        assert_eq!(
            (p.over.tpr_at_1pct_mean, p.over.tpr_at_1pct_std),
            (Some(0.25), Some(0.25))
        );
        assert_eq!((p.recall_at_n_mean, p.recall_at_n_std), (0.5, 0.5));
        assert_eq!(p.over.strongest_roc_auc_mean, 0.75);
        assert_eq!(p.runs, runs);
    }

    #[test]
    fn bad_sweeps_are_refused_before_any_work() {
        let (d, b) = (data(), base());
        let err = |r: Result<Sweep>| r.err().expect("refused").to_string();
        assert!(
            err(Sweep::new(d.clone(), b.clone(), "k", &[], &[0])).contains("at least one value")
        );
        assert!(
            err(Sweep::new(d.clone(), b.clone(), "k", &[4.0], &[])).contains("at least one seed")
        );
        assert!(err(Sweep::new(d.clone(), b.clone(), "k", &[4.0, 0.5], &[0])).contains("k"));
        let bad_base = Config { top_n: 0, ..b };
        assert!(err(Sweep::new(d, bad_base, "k", &[4.0], &[0])).contains("top_n"));
    }

    #[test]
    fn runs_value_by_value_seed_by_seed_and_aggregates() {
        let values = [2.0, 3.0, 4.0];
        let seeds = [5, 6];
        let mut s = Sweep::new(data(), base(), "k", &values, &seeds)
            .unwrap()
            .with_clock(ticking());
        assert_eq!(s.run_count(), 6);
        let c = s.run_config(3);
        assert_eq!((c.k, c.seed, c.top_n), (3, 6, 5));
        assert_eq!((s.run_config(4).k, s.run_config(4).seed), (4, 5));
        assert!(s.report().is_none());
        let mut steps = Vec::new();
        loop {
            let p = s.step().unwrap();
            assert_eq!(p.run_count, 6);
            assert!(p.fraction <= 1.0);
            steps.push((p.run_index, p.fraction));
            if p.done {
                break;
            }
            assert!(p.fraction < 1.0 && s.report().is_none());
        }
        assert!(steps.windows(2).all(|w| w[0].1 <= w[1].1), "{steps:?}");
        assert_eq!(*steps.last().unwrap(), (5, 1.0));
        // the step that finishes a run counts it whole
        for w in steps.windows(2) {
            if w[1].0 != w[0].0 {
                assert_eq!(w[1].0, w[0].0 + 1);
                assert_eq!(w[0].1, (w[0].0 + 1) as f64 / 6.0);
            }
        }
        // stepping a finished sweep reports it finished
        let again = s.step().unwrap();
        assert!(again.done && again.fraction == 1.0);
        let r = s.report().unwrap().clone();
        assert_eq!(
            (r.param.as_str(), r.values.clone(), r.seeds.clone()),
            ("k", values.to_vec(), seeds.to_vec())
        );
        assert_eq!(r.config, base());
        let single: Vec<RunReport> = (0..6).map(|i| run(s.run_config(i))).collect();
        let total: f64 = single.iter().map(|x| x.timings_ms["total"]).sum();
        assert!(total > 0.0);
        assert_eq!(r.timings_ms["total"], total);
        for (v, point) in r.points.iter().enumerate() {
            assert_eq!(point.value, values[v]);
            let expected: Vec<SweepRun> = single[2 * v..2 * v + 2]
                .iter()
                .map(SweepRun::from_report)
                .collect();
            assert_eq!(point.runs, expected);
        }
        let one = &r.points[1].runs[1];
        let x = &single[3];
        assert_eq!(one.seed, 6);
        assert_eq!(
            (one.roc_auc, one.balanced_accuracy, one.recall_at_n),
            (
                x.roc_auc,
                x.balanced_accuracy,
                x.recommender.target.recall_at_n
            )
        );
        assert_eq!(one.tpr_at_fpr, x.tpr_at_fpr);
        // the one-call form gives the same report
        let clock: Clock = {
            let c = ticking();
            Box::new(move || c())
        };
        let whole = run_sweep(data(), base(), "k", &values, &seeds, Some(clock)).unwrap();
        assert_eq!(whole, r);
    }
}
