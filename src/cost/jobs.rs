//! The estimates of jobs of many runs: a sweep (`estimate_sweep`), a transfer matrix
//! (`estimate_matrix`), a privacy–utility frontier (`estimate_frontier`) and any job of the page
//! (`estimate_job`, `JobEstimate`) and the CLI's estimate of any job (`estimate_spec`), both from
//! an `experiment::JobSpec`. Each is a list of pieces (one per run or seed, from
//! the single-run model in `cost`) scheduled over native threads or the page's workers.

use serde::Serialize;

use super::{
    attacker, data_bytes, describe_bytes, describe_seconds, half, load_bytes, run_piece,
    served_bytes, Estimate, Piece, Shape, CONFIRM_SECONDS, MAX_RUNS, PARALLEL_EFFICIENCY,
};
use crate::config::{Config, Protocol};
use crate::data::DatasetSummary;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::experiment::frontier::job_protocols;
use crate::experiment::served::{served_key, PAGE_SERVED_ENTRIES};
use crate::experiment::JobSpec;
use crate::recommender::RecommenderKind;

/// Wall time and peak memory of `pieces` spread over `jobs` threads (longest first, each to the
/// least loaded thread, as a work-stealing pool roughly does).
fn schedule(pieces: &[Piece], data: &DatasetSummary, jobs: usize) -> Estimate {
    schedule_copies(pieces, data, jobs, jobs, false)
}

/// `schedule`, with one copy of the data set per thread when `copies` (the page's workers each
/// hold their own; native threads share one). The time divides among at most `cores` threads:
/// more workers than cores share them (a page with `workers=8` on 2 cores is no faster than 2),
/// while each still holds its working set.
fn schedule_copies(
    pieces: &[Piece],
    data: &DatasetSummary,
    jobs: usize,
    cores: usize,
    copies: bool,
) -> Estimate {
    let threads = jobs.clamp(1, pieces.len().max(1));
    let running = threads.min(cores.max(1));
    let mut sorted = pieces.to_vec();
    crate::order::sort_by(&mut sorted, |a, b| b.seconds.total_cmp(&a.seconds));
    let mut load = vec![0.0f64; running];
    for p in &sorted {
        let least = load
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        load[least] += p.seconds;
    }
    let longest = load.iter().copied().fold(0.0, f64::max);
    // Threads share caches and memory bandwidth: a second one gives PARALLEL_EFFICIENCY of a core.
    let slowdown = if running > 1 {
        running as f64 / (1.0 + (running as f64 - 1.0) * PARALLEL_EFFICIENCY)
    } else {
        1.0
    };
    let mut bytes: Vec<f64> = pieces.iter().map(Piece::peak).collect();
    // Highest first (equal values have equal bits: the order of ties cannot show).
    crate::order::f64s(&mut bytes);
    bytes.reverse();
    let data_copies = if copies { threads as f64 } else { 1.0 };
    let working = data_copies * data_bytes(data) + bytes.iter().take(threads).sum::<f64>();
    Estimate {
        seconds: longest * slowdown,
        peak_bytes: working.max(load_bytes(data)),
    }
}
/// The runs of a sweep: every value with every seed. A value that changes only the attacker's
/// settings (a k-sweep) reuses each seed's recommenders (experiment::served) when `reuse`: after
/// the first such value, its runs cost the attacker's part only. Also the served entries the CLI
/// keeps until the job ends: every trained run's when some are reused, else the last one.
fn sweep_pieces(
    base: &Config,
    data: &DatasetSummary,
    param: &str,
    values: &[f64],
    seeds: usize,
    reuse: bool,
) -> Result<(Vec<Piece>, usize)> {
    let mut pieces = Vec::new();
    let mut trained = Vec::new();
    for &v in values {
        let cfg = base.with_param(param, v)?;
        let key = served_key(&cfg);
        let p = if reuse && trained.contains(&key) {
            attacker(&cfg, &Shape::new(&cfg, data), 1.0)
        } else {
            trained.push(key);
            run_piece(&cfg, data)
        };
        pieces.extend(std::iter::repeat_n(p, seeds));
    }
    let entries = if trained.len() < values.len() {
        trained.len() * seeds
    } else {
        1
    };
    Ok((pieces, entries))
}

/// A sweep of `param` over `values` × `seeds` on `jobs` threads (every value's own config).
pub fn estimate_sweep(
    base: &Config,
    data: &DatasetSummary,
    param: &str,
    values: &[f64],
    seeds: usize,
    jobs: usize,
) -> Result<Estimate> {
    let (pieces, entries) = sweep_pieces(base, data, param, values, seeds, true)?;
    Ok(schedule(&pieces, data, jobs).with_served(entries, base, data))
}

/// A transfer matrix of `kinds` over `seeds` seeds on `jobs` threads: per seed, every algorithm on
/// both halves, the item vectors once, one attack fit per shadow algorithm. With more than one
/// thread each algorithm's training is a unit of its own (experiment::matrix_train) and its lists
/// wait in the served cache until the job ends.
pub fn estimate_matrix(
    cfg: &Config,
    data: &DatasetSummary,
    kinds: &[RecommenderKind],
    seeds: usize,
    jobs: usize,
) -> Estimate {
    let entries = if jobs > 1 { seeds * kinds.len() } else { 0 };
    matrix_schedule(cfg, data, kinds, seeds, jobs, jobs, false).with_served(entries, cfg, data)
}

/// A matrix's pieces scheduled: one per seed on one thread; on more, each seed's algorithms'
/// training and its attack, the last seed's attack after everything else (it needs its seed's
/// lists, which the schedule does not know).
fn matrix_schedule(
    cfg: &Config,
    data: &DatasetSummary,
    kinds: &[RecommenderKind],
    seeds: usize,
    jobs: usize,
    cores: usize,
    copies: bool,
) -> Estimate {
    let s = Shape::new(cfg, data);
    let attack = attacker(cfg, &s, kinds.len() as f64);
    // A matrix's halves count one at a time: the 5-algorithm matrix peaked at 84 MB on the
    // ML-1M shape, where both of ncf's halves' working sets at once would take 130 MB (a single
    // ncf run, whose pipeline keeps both models until the lists are made, took 117).
    let trainings = kinds.iter().map(|&k| {
        let h = half(k, cfg, &s);
        h.then(h)
    });
    if jobs <= 1 || seeds == 0 {
        // One algorithm's halves after another's, then the attack.
        let seed = trainings.fold(Piece::NONE, Piece::then).then_attack(attack);
        return schedule_copies(&vec![seed; seeds], data, jobs, cores, copies);
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for _ in 0..seeds {
        pieces.extend(trainings.clone());
    }
    pieces.extend(std::iter::repeat_n(attack, seeds - 1));
    let mut e = schedule_copies(&pieces, data, jobs, cores, copies);
    e.seconds += attack.seconds;
    e.peak_bytes = e.peak_bytes.max(data_bytes(data) + attack.peak());
    e
}

impl Estimate {
    /// Adds `entries` served-cache entries (`served_bytes`) to the peak.
    fn with_served(mut self, entries: usize, cfg: &Config, data: &DatasetSummary) -> Estimate {
        self.peak_bytes += entries as f64 * served_bytes(cfg, data);
        self
    }
}

/// Measured peak over the score caches counted once (see `frontier_pieces`).
const FRONTIER_CACHE_FACTOR: f64 = 2.0;

/// A privacy–utility frontier (`experiment::frontier`), per slot (protocol and seed): one
/// undefended target and shadow, one attacker; each serving-level defence at each strength above 0
/// serves the target again from its cached scores (a selection over the catalogue per user) and,
/// with an attacker who knows the defence, the shadow too and fits a new attack model; dp-sgd
/// trains a new target (and shadow) at each strength above 0 (its T steps do not depend on the
/// strength, `cost::dp`); the natural frontier (lfm only) trains a target (and shadow) per epoch
/// count.
fn frontier_pieces(
    cfg: &Config,
    data: &DatasetSummary,
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: usize,
    natural_epochs: &[u32],
) -> Vec<Piece> {
    // The frontier's base run is undefended whatever the config's own defence.
    let cfg = &cfg.undefended();
    let s = Shape::new(cfg, data);
    let base = run_piece(cfg, data);
    let mut seed = base;
    let adaptive = cfg.attack.needs_shadow() && cfg.attacker_knows_defence;
    let sides = if adaptive { 2.0 } else { 1.0 };
    let target = half(cfg.recommender, cfg, &s);
    let serve = half(RecommenderKind::Popularity, cfg, &s);
    // A new attack model per point: the attacker's cost without its item vectors.
    let refit = if adaptive {
        let fit = attacker(cfg, &s, 1.0).seconds - attacker(cfg, &s, 0.0).seconds;
        fit.max(0.0)
    } else {
        0.0
    };
    let points = strengths.iter().filter(|&&x| x > 0.0).count() as f64;
    for &d in defences {
        if d == DefenceKind::None {
            continue;
        }
        if d.serving_only() {
            seed.seconds += points * (sides * serve.seconds + refit);
        } else {
            let dp = Config {
                defence: d,
                defence_strength: 1.0,
                ..cfg.clone()
            };
            let one = target.seconds + super::dp::dp_extra(&dp, &s).seconds;
            // Every dp point is audited by default (`defence::audit`): its training once more.
            let audited = if dp.audits() { 1.0 } else { 0.0 };
            seed.seconds += points * ((sides + audited) * one + refit);
        }
    }
    if cfg.recommender == RecommenderKind::Lfm {
        // Under both initialisations (`experiment::frontier`; the base point once more: an
        // overestimate of one point).
        for &e in natural_epochs.iter().chain(natural_epochs) {
            let c = Config {
                epochs: e,
                ..cfg.clone()
            };
            seed.seconds += sides * half(cfg.recommender, &c, &s).seconds + refit;
        }
    }
    // The cached scores of every target (and shadow) user: users × items × 4 bytes, counted
    // twice: the default two-panel frontier peaked at 83.5 MB (ml-latest-small) and 290.5 MB
    // (ML-1M shape) against 42 and 142 MB counted once (`cost::tests::JOBS`, 2026-12-05); what
    // holds the second copy (the probes' clones, a training point's models beside the cache) was
    // not pinned down.
    seed.bytes += FRONTIER_CACHE_FACTOR * sides * s.half_users * s.items * 4.0;
    vec![seed; seeds]
}

/// The pieces of a frontier with one panel per protocol (`defences` empty: every defence that
/// applies to each panel).
#[allow(clippy::too_many_arguments)]
fn panel_pieces(
    cfg: &Config,
    data: &DatasetSummary,
    protocols: &[Protocol],
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: usize,
    natural_epochs: &[u32],
) -> Vec<Piece> {
    protocols
        .iter()
        .flat_map(|&p| {
            let c = Config {
                protocol: p,
                ..cfg.clone()
            };
            let applicable = c.applicable_defences();
            let mine: Vec<DefenceKind> = if defences.is_empty() {
                applicable
            } else {
                defences
                    .iter()
                    .copied()
                    .filter(|d| applicable.contains(d))
                    .collect()
            };
            frontier_pieces(&c, data, &mine, strengths, seeds, natural_epochs)
        })
        .collect()
}

/// A frontier of `defences` × `strengths` over `seeds` seeds on `jobs` threads (one panel: the
/// config's protocol).
pub fn estimate_frontier(
    cfg: &Config,
    data: &DatasetSummary,
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: usize,
    natural_epochs: &[u32],
    jobs: usize,
) -> Estimate {
    let pieces = frontier_pieces(cfg, data, defences, strengths, seeds, natural_epochs);
    schedule(&pieces, data, jobs)
}

/// A frontier with one panel per protocol on `jobs` threads.
#[allow(clippy::too_many_arguments)]
pub fn estimate_frontier_panels(
    cfg: &Config,
    data: &DatasetSummary,
    protocols: &[Protocol],
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: usize,
    natural_epochs: &[u32],
    jobs: usize,
) -> Estimate {
    let pieces = panel_pieces(
        cfg,
        data,
        protocols,
        defences,
        strengths,
        seeds,
        natural_epochs,
    );
    schedule(&pieces, data, jobs)
}

/// What the page shows before a job and decides on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobEstimate {
    /// Wall-clock seconds where the job runs (the browser: native × `BROWSER_FACTOR`).
    pub seconds: f64,
    /// Peak memory in bytes, every worker's copy of the data set included.
    pub bytes: f64,
    /// Runs the job is made of (a matrix or frontier: seeds), the number `MAX_RUNS` limits.
    pub runs: usize,
    /// Above `CONFIRM_SECONDS`: ask before starting.
    pub confirm: bool,
    /// Why the job must not start (more runs than `MAX_RUNS`), or `None`.
    pub refused: Option<String>,
    /// "about 2 min 5 s and 120 MiB (30 runs on 3 workers)".
    pub text: String,
}

/// A page job's work: pieces to schedule, or (a matrix) already scheduled, with its units.
enum Scheduled {
    Pieces(Vec<Piece>),
    Done(Estimate, usize),
}

/// What `spec` costs natively on `jobs` threads (the CLI's estimate, refused above the limits):
/// one per kind, from the per-kind models above. "You" is two single runs one after the other:
/// the estimate is each one's. An audit's estimate needs its lists (`estimate_audit`).
pub fn estimate_spec(
    cfg: &Config,
    data: &DatasetSummary,
    spec: &JobSpec,
    jobs: usize,
) -> Result<Estimate> {
    Ok(match spec {
        JobSpec::Single {} | JobSpec::You { .. } => super::estimate(cfg, data, 1),
        JobSpec::Compare { configs } => {
            let pieces = configs
                .iter()
                .map(|c| Ok(run_piece(&Config::from_json(c.clone())?, data)))
                .collect::<Result<Vec<_>>>()?;
            schedule(&pieces, data, jobs)
        }
        JobSpec::Sweep {
            param,
            values,
            seeds,
        } => estimate_sweep(cfg, data, param, values, seeds.len(), jobs)?,
        JobSpec::Matrix {
            recommenders,
            seeds,
        } => estimate_matrix(cfg, data, recommenders, seeds.len(), jobs),
        JobSpec::Frontier {
            defences,
            strengths,
            seeds,
            natural_epochs,
            protocols,
        } => estimate_frontier_panels(
            cfg,
            data,
            &job_protocols(protocols),
            defences,
            strengths,
            seeds.len(),
            natural_epochs,
            jobs,
        ),
        JobSpec::Audit { .. } => {
            return Err(Error::config(
                "job",
                "an audit is estimated from its lists (cost::estimate_audit)",
            ))
        }
    })
}

/// A frontier's panels: `protocols`, or both when empty.
/// The estimate of a page job `spec`, its runs divided among `workers` workers, each `factor`
/// times slower than native.
pub fn estimate_job(
    cfg: &Config,
    data: &DatasetSummary,
    spec: &JobSpec,
    workers: usize,
    factor: f64,
) -> Result<JobEstimate> {
    estimate_job_on(cfg, data, spec, workers, workers, factor)
}

/// `estimate_job` on a machine of `cores` cores: the workers beyond them add their memory but
/// no speed.
pub fn estimate_job_on(
    cfg: &Config,
    data: &DatasetSummary,
    spec: &JobSpec,
    workers: usize,
    cores: usize,
    factor: f64,
) -> Result<JobEstimate> {
    let workers = workers.max(1);
    let browser = factor > 1.0;
    let runs = spec.runs();
    let (scheduled, what) = match spec {
        JobSpec::Single {} => (Scheduled::Pieces(vec![run_piece(cfg, data)]), "run"),
        // "Would it spot you?" is two single runs, one after the other.
        JobSpec::You { .. } => (Scheduled::Pieces(vec![run_piece(cfg, data); 2]), "runs"),
        JobSpec::Compare { configs } => {
            let pieces = configs
                .iter()
                .map(|c| Ok(run_piece(&Config::from_json(c.clone())?, data)))
                .collect::<Result<Vec<_>>>()?;
            (Scheduled::Pieces(pieces), "runs")
        }
        JobSpec::Sweep {
            param,
            values,
            seeds,
        } => {
            let seeds = seeds.len();
            // The page's pool runs a sweep in value order. With one worker, a seed's lists are
            // its own cache's only (PAGE_SERVED_ENTRIES of them, least recently used out): with
            // more seeds than that, each value's seeds push out the ones the next value needs,
            // so every run trains again (20 seeds: 135 s, 5x the estimate that assumed reuse).
            // Two or more workers send a seed's lists along and reuse whatever the seeds.
            let reuse = !browser || workers > 1 || seeds <= PAGE_SERVED_ENTRIES;
            let (pieces, _) = sweep_pieces(cfg, data, param, values, seeds, reuse)?;
            (Scheduled::Pieces(pieces), "runs")
        }
        JobSpec::Matrix {
            recommenders,
            seeds,
        } => {
            let seeds = seeds.len();
            let units = if workers > 1 {
                seeds * (recommenders.len() + 1)
            } else {
                seeds
            };
            let est = matrix_schedule(cfg, data, recommenders, seeds, workers, cores, browser);
            (Scheduled::Done(est, units), "seeds")
        }
        JobSpec::Frontier {
            defences,
            strengths,
            seeds,
            natural_epochs,
            protocols,
        } => {
            let pieces = panel_pieces(
                cfg,
                data,
                &job_protocols(protocols),
                defences,
                strengths,
                seeds.len(),
                natural_epochs,
            );
            (Scheduled::Pieces(pieces), "seeds")
        }
        JobSpec::Audit { .. } => {
            return Err(Error::config(
                "job",
                "an audit is estimated from its lists (Audit.estimate)",
            ))
        }
    };
    // Units that can run at once: the runs (a frontier: its seeds), or a matrix's seed parts.
    let (mut native, units) = match scheduled {
        Scheduled::Pieces(pieces) => (
            schedule_copies(&pieces, data, workers, cores, browser),
            runs,
        ),
        Scheduled::Done(e, units) => (e, units),
    };
    if browser {
        // Each worker's data set keeps its served entries from one job to the next.
        native = native.with_served(workers * PAGE_SERVED_ENTRIES, cfg, data);
    }
    let seconds = native.seconds * factor;
    let used = workers.min(units.max(1));
    let refused = (runs > MAX_RUNS).then(|| {
        format!(
            "this job has {runs} {what}, more than the limit of {MAX_RUNS}: use fewer seeds or values (or the command line with --force)"
        )
    });
    let on = if runs > 1 {
        format!(
            " ({runs} {what} on {used} worker{})",
            if used == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    Ok(JobEstimate {
        seconds,
        bytes: native.peak_bytes,
        runs,
        confirm: seconds > CONFIRM_SECONDS,
        refused,
        text: format!(
            "about {} and {}{on}",
            describe_seconds(seconds),
            describe_bytes(native.peak_bytes)
        ),
    })
}
