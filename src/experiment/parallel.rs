//! Sweeps and transfer matrices on every core (native only; the browser build stays
//! single-threaded). A sweep's runs — (value, seed) pairs — and a matrix's seeds are independent
//! computations with their own random streams, so they run on a rayon pool of `jobs` threads; the
//! finished pieces are collected in their fixed order and handed to the very aggregation the
//! stepped `Sweep`/`Matrix` use, so a report is bit-identical whatever `jobs` is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::matrix::{Matrix, MatrixReport, SeedOutcome};
use super::pipeline::Pipeline;
use super::sweep::{Sweep, SweepReport, SweepRun};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;

/// A monotonic clock in milliseconds that threads can share.
pub type SharedClock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Called after every step of any worker with (share of the whole job done, pieces finished,
/// pieces in all). It runs on worker threads, so it must be cheap and thread-safe.
pub type OnProgress<'a> = &'a (dyn Fn(f64, usize, usize) + Sync);

/// The default number of worker threads: the cores the process may use (1 if unknown).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How a parallel job runs: threads, an optional clock (timings are 0 without one) and an
/// optional progress callback.
#[derive(Clone, Copy)]
pub struct Workers<'a> {
    pub jobs: usize,
    pub clock: Option<&'a SharedClock>,
    pub progress: Option<OnProgress<'a>>,
}

impl<'a> Workers<'a> {
    pub fn new(jobs: usize) -> Workers<'a> {
        Workers {
            jobs,
            clock: None,
            progress: None,
        }
    }

    fn pool(&self) -> Result<rayon::ThreadPool> {
        if self.jobs == 0 {
            return Err(Error::config("jobs", "must be at least 1"));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .build()
            .map_err(|e| Error::State(format!("could not start {} worker threads: {e}", self.jobs)))
    }

    fn now(&self) -> f64 {
        self.clock.map_or(0.0, |c| c())
    }
}

/// Per-piece progress shared by the workers: each piece's fraction as f64 bits.
struct Tracker<'a> {
    fractions: Vec<AtomicU64>,
    finished: AtomicU64,
    progress: Option<OnProgress<'a>>,
}

impl<'a> Tracker<'a> {
    fn new(pieces: usize, progress: Option<OnProgress<'a>>) -> Tracker<'a> {
        Tracker {
            fractions: (0..pieces).map(|_| AtomicU64::new(0)).collect(),
            finished: AtomicU64::new(0),
            progress,
        }
    }

    fn report(&self, piece: usize, fraction: f64, done: bool) {
        let Some(callback) = self.progress else {
            return;
        };
        self.fractions[piece].store(fraction.to_bits(), Ordering::Relaxed);
        let finished = if done {
            self.finished.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.finished.load(Ordering::Relaxed)
        };
        let n = self.fractions.len();
        let sum: f64 = self
            .fractions
            .iter()
            .map(|f| f64::from_bits(f.load(Ordering::Relaxed)))
            .sum();
        callback((sum / n as f64).min(1.0), finished as usize, n);
    }
}

/// A sweep with its runs spread over `workers.jobs` threads. Same checks and same report as
/// `sweep::run_sweep`; `timings_ms` has `total` (the runs' summed time, as the stepped sweep
/// reports) and `wall` (elapsed time of the whole job).
pub fn sweep(
    data: Arc<Dataset>,
    base: Config,
    param: &str,
    values: &[f64],
    seeds: &[u32],
    workers: Workers<'_>,
) -> Result<SweepReport> {
    let plan = Sweep::new(data.clone(), base, param, values, seeds)?;
    let pool = workers.pool()?;
    let start = workers.now();
    let tracker = Tracker::new(plan.run_count(), workers.progress);
    let configs: Vec<Config> = (0..plan.run_count()).map(|i| plan.run_config(i)).collect();
    let finished: Vec<(SweepRun, f64)> = pool.install(|| {
        configs
            .into_par_iter()
            // Every run its own task: runs differ in cost (a k-sweep's largest k is ten times
            // its smallest), so halves of the list would leave one thread idle at the end.
            .with_max_len(1)
            .enumerate()
            .map(|(index, cfg)| {
                let mut p = Pipeline::new(data.clone(), cfg)?;
                if let Some(c) = workers.clock {
                    let c = c.clone();
                    p = p.with_clock(Box::new(move || c()));
                }
                loop {
                    let progress = p.step()?;
                    tracker.report(index, progress.fraction, progress.done);
                    if progress.done {
                        break;
                    }
                }
                let r = p.report().expect("done");
                Ok((SweepRun::from_report(r), r.timings_ms["total"]))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    // Summed in run order, as the stepped sweep sums them.
    let total_ms = finished.iter().fold(0.0, |acc, (_, ms)| acc + ms);
    let runs = finished.into_iter().map(|(r, _)| r).collect();
    let mut report = plan.aggregate(runs, total_ms);
    report
        .timings_ms
        .insert("wall".into(), workers.now() - start);
    Ok(report)
}

/// A transfer matrix with its seeds spread over `workers.jobs` threads: each seed is a
/// single-seed `Matrix`, and their outcomes are aggregated by the full matrix in seed order.
/// `timings_ms` has `total` (summed) and `wall`.
pub fn matrix(
    data: Arc<Dataset>,
    base: Config,
    kinds: &[RecommenderKind],
    seeds: &[u32],
    workers: Workers<'_>,
) -> Result<MatrixReport> {
    let plan = Matrix::new(data.clone(), base.clone(), kinds, seeds)?;
    let pool = workers.pool()?;
    let start = workers.now();
    let tracker = Tracker::new(seeds.len(), workers.progress);
    let finished: Vec<(SeedOutcome, f64)> = pool.install(|| {
        seeds
            .par_iter()
            .with_max_len(1)
            .enumerate()
            .map(|(index, &seed)| {
                let mut m = Matrix::new(data.clone(), base.clone(), kinds, &[seed])?;
                if let Some(c) = workers.clock {
                    let c = c.clone();
                    m = m.with_clock(Arc::new(move || c()));
                }
                loop {
                    let progress = m.step()?;
                    tracker.report(index, progress.fraction, progress.done);
                    if progress.done {
                        break;
                    }
                }
                let ms = m.report().expect("done").timings_ms["total"];
                let outcome = m.outcomes().first().expect("one seed").clone();
                Ok((outcome, ms))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let total_ms = finished.iter().fold(0.0, |acc, (_, ms)| acc + ms);
    let outcomes: Vec<SeedOutcome> = finished.into_iter().map(|(o, _)| o).collect();
    let mut report = plan.aggregate(&outcomes, total_ms);
    report
        .timings_ms
        .insert("wall".into(), workers.now() - start);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 60 users with two tastes over 40 items, seeded: small enough for a unit test.
    fn tiny() -> Arc<Dataset> {
        let mut rng = crate::rng::rng_for(9, crate::rng::Stream::Split);
        let mut pairs = Vec::new();
        for u in 0..60u64 {
            let base = (u % 2) * 20;
            for _ in 0..12 {
                pairs.push((u, base + crate::rng::below(&mut rng, 20) as u64));
            }
        }
        Arc::new(Dataset::from_pairs("tiny", &pairs, pairs.len()).unwrap())
    }

    fn small() -> Config {
        Config {
            k: 4,
            vector_k: 4,
            epochs: 3,
            top_n: 5,
            attack_epochs: 3,
            attack_restarts: 1,
            ..Config::default()
        }
    }

    #[test]
    fn zero_jobs_is_a_config_error() {
        let e = sweep(tiny(), small(), "k", &[4.0], &[0], Workers::new(0)).unwrap_err();
        assert_eq!(e.to_string(), "config: jobs: must be at least 1");
    }

    #[test]
    fn progress_reaches_one_with_every_piece_finished() {
        let last = std::sync::Mutex::new((0.0, 0, 0));
        let cb = |f: f64, done: usize, n: usize| {
            let mut l = last.lock().unwrap();
            assert!((0.0..=1.0).contains(&f));
            if done >= l.1 {
                *l = (f, done, n);
            }
        };
        let w = Workers {
            jobs: 2,
            clock: None,
            progress: Some(&cb),
        };
        sweep(tiny(), small(), "k", &[4.0, 6.0], &[0, 1], w).unwrap();
        let (f, done, n) = *last.lock().unwrap();
        assert_eq!((done, n), (4, 4));
        assert!(f > 0.99, "{f}");
    }
}
