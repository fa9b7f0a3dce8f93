//! Sweeps, transfer matrices and defence frontiers on every core (native only; the browser build
//! stays single-threaded and uses a pool of Web Workers instead). A job's units (experiment::units:
//! a sweep's (value, seed) runs, a matrix's seeds, a frontier's per-seed parts) are independent
//! computations with their own random streams, so they run on a rayon pool of `jobs` threads; the
//! finished pieces go to the very aggregation the stepped `Sweep`/`Matrix`/`Frontier` use, so a
//! report is bit-identical whatever `jobs` is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::frontier::FrontierReport;
use super::matrix::MatrixReport;
use super::served::ServedCache;
use super::sweep::SweepReport;
use super::units::{JobSpec, Piece, Plan, Report};
use crate::config::Config;
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;
use crate::report::RunReport;

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

/// Per-unit progress shared by the workers: each unit's fraction as f64 bits, weighted by the
/// unit's estimated share of the work.
struct Tracker<'a> {
    fractions: Vec<AtomicU64>,
    weights: Vec<f64>,
    finished: AtomicU64,
    progress: Option<OnProgress<'a>>,
}

impl<'a> Tracker<'a> {
    fn new(weights: Vec<f64>, progress: Option<OnProgress<'a>>) -> Tracker<'a> {
        Tracker {
            fractions: weights.iter().map(|_| AtomicU64::new(0)).collect(),
            weights,
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
            .zip(&self.weights)
            .map(|(f, w)| w * f64::from_bits(f.load(Ordering::Relaxed)))
            .sum();
        let all: f64 = self.weights.iter().sum();
        callback((sum / all).min(1.0), finished as usize, n);
    }
}

/// The order units are taken in, one at a time by whichever thread is free: first the first unit
/// of every group that shares served recommenders (each trains its seed once), then the rest in
/// the plan's order. A unit whose group's first unit is still training waits for it (it would
/// otherwise train the same seed again), and so does a unit until the units it `needs` (a matrix
/// seed's training units) are done; a thread takes any other unit before waiting.
struct Queue {
    state: std::sync::Mutex<QueueState>,
    changed: std::sync::Condvar,
    /// Each unit's group (the index of the group's first unit), if it shares one.
    served: Vec<Option<usize>>,
    needs: Vec<Vec<usize>>,
}

struct QueueState {
    pending: std::collections::VecDeque<usize>,
    /// Groups whose first unit is running.
    training: std::collections::HashSet<usize>,
    done: std::collections::HashSet<usize>,
    failed: bool,
}

impl Queue {
    fn new(units: &[super::units::PlannedUnit]) -> Queue {
        let served: Vec<Option<usize>> = units.iter().map(|u| u.served).collect();
        let first = |i: usize| served[i].is_none_or(|g| g == i);
        let pending = (0..units.len())
            .filter(|&i| first(i))
            .chain((0..units.len()).filter(|&i| !first(i)))
            .collect();
        Queue {
            state: std::sync::Mutex::new(QueueState {
                pending,
                training: Default::default(),
                done: Default::default(),
                failed: false,
            }),
            changed: std::sync::Condvar::new(),
            served,
            needs: units.iter().map(|u| u.needs.clone()).collect(),
        }
    }

    /// The next unit to run, or `None` when every unit is taken (or one failed).
    fn take(&self) -> Option<usize> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if st.failed || st.pending.is_empty() {
                return None;
            }
            let ready = st.pending.iter().position(|&i| {
                let group_ready = match self.served[i] {
                    Some(g) if g != i => !st.training.contains(&g),
                    _ => true,
                };
                group_ready && self.needs[i].iter().all(|n| st.done.contains(n))
            });
            if let Some(pos) = ready {
                let i = st.pending.remove(pos)?;
                if self.served[i] == Some(i) {
                    st.training.insert(i);
                }
                return Some(i);
            }
            st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn finished(&self, index: usize, ok: bool) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.training.remove(&index);
        st.done.insert(index);
        st.failed |= !ok;
        self.changed.notify_all();
    }
}

/// Any job with its units spread over `workers.jobs` threads. Same checks and same report as the
/// stepped job; `timings_ms` has `total` (the units' summed time, as the stepped job reports it)
/// and `wall` (elapsed time of the whole job). With more than one thread a frontier is split
/// finer than by seed (see `Plan::units`).
pub fn run(
    data: Arc<Dataset>,
    config: Config,
    spec: &JobSpec,
    workers: Workers<'_>,
) -> Result<Report> {
    run_plans(&|| Plan::new(data.clone(), config.clone(), spec), workers)
}

/// `run` for any plan: `make` makes the job's plan, once to list its units and put the pieces
/// together and once per unit, on the thread that runs it (a plan's clock is not shared between
/// threads). A mode `modes::build` does not know (a test's toy mode, `Plan::from_mode`) runs so.
pub fn run_plans(make: &(dyn Fn() -> Result<Plan> + Sync), workers: Workers<'_>) -> Result<Report> {
    let plan = make()?;
    let pool = workers.pool()?;
    let start = workers.now();
    let units = plan.units(workers.jobs > 1);
    let weights: Vec<f64> = units.iter().map(|u| u.weight).collect();
    let tracker = Tracker::new(weights, workers.progress);
    let queue = Queue::new(&units);
    // Served seeds stay until the job ends: after the first run of each, the runs go value by
    // value across every seed (a matrix's training units: until their seed's attack ran). Only
    // lists and the split are kept (no models), a few MB a seed.
    let groups = units.iter().filter(|u| u.served.is_some()).count().max(1);
    let cache = Arc::new(ServedCache::new(groups));
    let slots: Vec<std::sync::Mutex<Option<Result<Piece>>>> =
        units.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let run_unit = |index: usize| -> Result<Piece> {
        // A plan per thread: its clock type is not shared between threads.
        let own = make()?.with_cache(cache.clone());
        let clock = workers.clock.map(|c| {
            let c = c.clone();
            Arc::new(move || c()) as Arc<dyn Fn() -> f64>
        });
        let mut unit = own.start(units[index].unit, clock)?;
        loop {
            let progress = unit.step()?;
            tracker.report(index, progress.fraction, progress.done);
            if progress.done {
                break;
            }
        }
        unit.piece()
            .cloned()
            .ok_or_else(|| Error::State("a unit ended without its piece".into()))
    };
    pool.scope(|scope| {
        for _ in 0..workers.jobs {
            scope.spawn(|_| {
                while let Some(index) = queue.take() {
                    let result = run_unit(index);
                    queue.finished(index, result.is_ok());
                    *slots[index].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                }
            });
        }
    });
    let mut pieces = Vec::with_capacity(units.len());
    for slot in slots {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(piece)) => pieces.push(piece),
            Some(Err(e)) => return Err(e),
            // Not run: another unit failed first (its error is in an earlier or later slot).
            None => {}
        }
    }
    if pieces.len() < units.len() {
        return Err(Error::State("a unit failed without an error".into()));
    }
    let mut report = plan.aggregate(&pieces)?;
    report
        .timings_mut()
        .insert("wall".into(), workers.now() - start);
    Ok(report)
}

/// A sweep on `workers.jobs` threads (`run` with a sweep spec).
pub fn sweep(
    data: Arc<Dataset>,
    base: Config,
    param: &str,
    values: &[f64],
    seeds: &[u32],
    workers: Workers<'_>,
) -> Result<SweepReport> {
    let spec = JobSpec::Sweep {
        param: param.to_string(),
        values: values.to_vec(),
        seeds: seeds.to_vec(),
    };
    match run(data, base, &spec, workers)? {
        Report::Sweep(r) => Ok(r),
        _ => Err(Error::State("a sweep gave another report".into())),
    }
}

/// A transfer matrix on `workers.jobs` threads (with more than one: each algorithm's training of
/// each seed is a unit, then the seed's attack).
pub fn matrix(
    data: Arc<Dataset>,
    base: Config,
    kinds: &[RecommenderKind],
    seeds: &[u32],
    workers: Workers<'_>,
) -> Result<MatrixReport> {
    let spec = JobSpec::Matrix {
        recommenders: kinds.to_vec(),
        seeds: seeds.to_vec(),
    };
    match run(data, base, &spec, workers)? {
        Report::Matrix(r) => Ok(r),
        _ => Err(Error::State("a matrix gave another report".into())),
    }
}

/// One run on `workers.jobs` threads: with `attack` lira each reference model is a unit of its own
/// (the same report as the stepped run, bit for bit); any other run is one unit.
pub fn single(data: Arc<Dataset>, base: Config, workers: Workers<'_>) -> Result<RunReport> {
    match run(data, base, &JobSpec::Single {}, workers)? {
        Report::Single(r) => Ok(*r),
        _ => Err(Error::State("a single run gave another report".into())),
    }
}

/// A defence frontier on `workers.jobs` threads.
#[allow(clippy::too_many_arguments)]
pub fn frontier(
    data: Arc<Dataset>,
    base: Config,
    protocols: &[crate::config::Protocol],
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: &[u32],
    natural_epochs: &[u32],
    workers: Workers<'_>,
) -> Result<FrontierReport> {
    let spec = JobSpec::Frontier {
        defences: defences.to_vec(),
        strengths: strengths.to_vec(),
        seeds: seeds.to_vec(),
        natural_epochs: natural_epochs.to_vec(),
        protocols: protocols.to_vec(),
    };
    match run(data, base, &spec, workers)? {
        Report::Frontier(r) => Ok(r),
        _ => Err(Error::State("a frontier gave another report".into())),
    }
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
