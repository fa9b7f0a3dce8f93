//! What a job will cost before it starts: seconds and peak memory from counts alone (interactions,
//! users, items, the config's sizes and the algorithm), so the CLI can warn about or refuse a job
//! and the page can show the estimate. Pure and serialisable: no clock, no I/O.
//!
//! The model counts the work of each stage in "operations" (one multiply-add of SGD, scoring or
//! the attack network, one co-occurrence update of item-kNN, …) and converts them with the
//! nanoseconds per operation measured by `scripts/scale.sh` (docs/scale.csv): runs at the current
//! defaults on synthetic data of 10^5, 10^6 and 10^7 interactions and on the ML-1M shape, plus each
//! other recommender (item-knn, bpr, ncf, popularity), fold-in and the shadow-free attack, on this
//! project's 2-core x86_64 (AMD EPYC) machines. The machine was shared while measuring (load ~5):
//! the constants are fitted to CPU time, which such sharing inflates less than wall time. The test
//! `matches_the_runs_measured_at_the_current_defaults` checks every measured run within a factor
//! 1.35: the estimate is for questioning or refusing jobs that are far too big, not for planning
//! to the second. The page multiplies by `BROWSER_FACTOR` (wasm in a worker against native).

use serde::{Deserialize, Serialize};

use crate::config::{Config, ItemVectors, Protocol};
use crate::data::DatasetSummary;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::experiment::served::served_key;
use crate::recommender::RecommenderKind;

/// Nanoseconds per SGD multiply-add (LFM training, fold-in, the attacker's item vectors) when the
/// factors fit in cache, plus this much per MB of factors (user + item rows × k × 4 bytes): SGD
/// visits rows at random, so once the factors outgrow the caches every sample waits on memory.
/// First fitted on the stages of 40-epoch runs (0.57 ns at 1.7 MB of factors, 0.95 ns at 8 MB,
/// about 2 ns at 52 MB), then scaled by 1.25 to the CPU times of the 80-epoch runs of
/// docs/scale.csv, measured while the machine was shared (load ~5 on 2 cores: shared caches).
pub const NS_SGD: f64 = 0.62;
pub const NS_SGD_PER_MB: f64 = 0.037;
/// The per-operation cost stops growing once every access misses the cache.
pub const NS_SGD_MAX: f64 = 5.0;
/// Seconds per nanosecond of the constants here: they were fitted on a quieter series of runs
/// (load ~5), and the current series (docs/scale.csv, load ~6 with a 10^7 run alongside) took
/// 1.2× their CPU time on every stage alike; 1.2e-9 keeps the estimate on the measured side.
pub const NS_TO_SECONDS: f64 = 1.2e-9;
/// Nanoseconds per scoring multiply-add (LFM scores, attack features): 0.15–0.16 measured.
pub const NS_SCORE: f64 = 0.16;
/// Nanoseconds per candidate item of every scored user for the top-N selection (5 measured with
/// the popularity recommender; LFM's 21 ns per candidate at k = 100 is 100 × 0.16 + 5).
pub const NS_SELECT: f64 = 5.0;
/// Item-kNN's extra per candidate: accumulating into and clearing a dense score row (7 measured).
pub const NS_KNN_DENSE: f64 = 7.0;
/// Nanoseconds per operation of the attack network (one weight per shadow user, epoch, restart),
/// plus this much per MB of shadow features: 0.42 ns at 0.2 MB to 1.03 ns at 20 MB measured.
pub const NS_MLP: f64 = 0.45;
pub const NS_MLP_PER_MB: f64 = 0.03;
/// Nanoseconds per co-occurrence update of item-kNN training, and per (item, co-occurring item)
/// pair for choosing the neighbours (fitted on the ML-1M shape and 10^5).
pub const NS_KNN: f64 = 2.0;
pub const NS_KNN_SELECT: f64 = 4.0;
/// Nanoseconds per interaction for the split, hold-out and features bookkeeping (~15 measured).
pub const NS_PER_INTERACTION: f64 = 20.0;
/// Nanoseconds per record to read and index a ratings.csv (106–140 measured): before the job,
/// so not in `estimate`, but part of a command's time.
pub const NS_LOAD_PER_RATING: f64 = 120.0;
/// Mean squared user activity over the squared mean (Σ|row|² · users / interactions²): 3.65 in
/// ml-latest-small, 2.6–4.6 in the synthetic files. Item-kNN's training work grows with it.
pub const ACTIVITY_DISPERSION: f64 = 4.0;
/// Share of a core a second worker thread adds (2 jobs take 1 / (1 + this) of the time). From
/// CPU time: the ml-latest-small k-sweep (30 runs) used 11.2–12.5 s of CPU with 1 job and
/// 12.6–13.4 s with 2 (shared caches), less a little imbalance at the end. The wall-clock
/// benchmark (benches/scale.rs) could not confirm it: the machine was shared (load 4–12).
pub const PARALLEL_EFFICIENCY: f64 = 0.85;

/// Bytes the loaded data set keeps per interaction: the CSR item index (4).
pub const DATA_BYTES_PER_INTERACTION: f64 = 4.0;
/// Peak bytes per rating while a text file is read: the file itself (~24 bytes a line for
/// ratings.csv) and the (user, item) pairs (16), which coexist until every line is read; the file
/// is freed before the pairs are indexed (`Dataset::parse_owned`).
pub const LOAD_BYTES_PER_RATING: f64 = 40.0;
/// Bytes per SGD sample held for an epoch (user, item, target: 12), per positive and negative,
/// reserved once and freed when training ends.
pub const SAMPLE_BYTES: f64 = 12.0;
/// The process before any data (binary, allocator, thread stacks), measured ~5 MB.
pub const BASE_BYTES: f64 = 8.0e6;

/// Refuse (unless `--force`) jobs estimated above this: 10 minutes.
pub const MAX_SECONDS: f64 = 600.0;
/// Refuse (unless `--force`) jobs estimated to need more memory than this: 4 GiB.
pub const MAX_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;
/// Refuse (unless `--force`) sweeps and matrices of more runs (sweep) or seeds (matrix) than this.
pub const MAX_RUNS: usize = 200;
/// The CLI prints the estimate for jobs above this many seconds.
pub const NOTICE_SECONDS: f64 = 10.0;
/// The page asks before it starts a job estimated above this many (browser) seconds: one minute.
pub const CONFIRM_SECONDS: f64 = 60.0;
/// How many times longer the page's wasm takes than this native build for the same run, in a
/// Chromium worker with SIMD (see `scripts/bench-browser.mjs`, entry `ml-1m-shape`, and the
/// README's Scale section).
pub const BROWSER_FACTOR: f64 = 1.5;

/// What a job is expected to cost.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Peak resident memory in bytes: the loaded data set plus the working sets alive at once.
    pub peak_bytes: f64,
}

/// One run's (or one matrix seed's) time and working set, the data set excluded.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Piece {
    seconds: f64,
    /// Memory kept until the job ends (models, lists, features).
    bytes: f64,
    /// Memory held during one stage only (an epoch's SGD samples, freed after training): stages
    /// run one after another, so only the largest counts.
    transient: f64,
}

impl Piece {
    const NONE: Piece = Piece {
        seconds: 0.0,
        bytes: 0.0,
        transient: 0.0,
    };

    /// `self`, then `next`, in one thread.
    fn then(self, next: Piece) -> Piece {
        Piece {
            seconds: self.seconds + next.seconds,
            bytes: self.bytes + next.bytes,
            transient: self.transient.max(next.transient),
        }
    }

    fn peak(&self) -> f64 {
        self.bytes + self.transient
    }
}

/// Sizes derived from the counts and the config.
struct Shape {
    n: f64,
    users: f64,
    items: f64,
    /// Users of one half, members of one half, training interactions of one half.
    half_users: f64,
    members: f64,
    train: f64,
    /// Interactions of one half's non-members.
    non_member: f64,
}

impl Shape {
    fn new(cfg: &Config, data: &DatasetSummary) -> Shape {
        let n = data.interactions as f64;
        let half_users = data.users as f64 / 2.0;
        Shape {
            n,
            users: data.users as f64,
            items: data.items as f64,
            half_users,
            members: (half_users * cfg.member_fraction).max(1.0),
            train: n / 2.0 * cfg.member_fraction * (1.0 - cfg.holdout),
            non_member: n / 2.0 * (1.0 - cfg.member_fraction),
        }
    }
}

/// Nanoseconds per SGD operation with `rows` factor rows of length `k`.
fn ns_sgd(rows: f64, k: f64) -> f64 {
    (NS_SGD + NS_SGD_PER_MB * rows * k * 4.0 / 1e6).min(NS_SGD_MAX)
}

/// Seconds to read and index a text ratings file of `data`'s size.
pub fn load_seconds(data: &DatasetSummary) -> f64 {
    data.ratings as f64 * NS_LOAD_PER_RATING * NS_TO_SECONDS
}

/// Peak bytes while the ratings file is loaded (before the job).
pub fn load_bytes(data: &DatasetSummary) -> f64 {
    BASE_BYTES + LOAD_BYTES_PER_RATING * data.ratings as f64
}

/// Bytes the loaded data set occupies.
pub fn data_bytes(data: &DatasetSummary) -> f64 {
    BASE_BYTES
        + DATA_BYTES_PER_INTERACTION * data.interactions as f64
        + 12.0 * (data.users + data.items) as f64
}

/// One half's recommender of `kind`: (seconds, bytes) of training, fold-in and serving.
fn half(kind: RecommenderKind, cfg: &Config, s: &Shape) -> Piece {
    let k = f64::from(cfg.k);
    let epochs = f64::from(cfg.epochs);
    let per_positive = 1.0 + f64::from(cfg.negatives);
    let fold_in = cfg.protocol == Protocol::FoldIn;
    // Who is scored against every known item: members always, non-members under fold-in.
    let scored = if fold_in { s.half_users } else { s.members };
    let lists = s.half_users * f64::from(cfg.top_n) * 4.0 * 2.0;
    match kind {
        // bpr trains one (user, positive, negative) triple per interaction for `bpr_epochs`: about
        // an LFM epoch with one negative (measured: a bpr epoch costs about an LFM epoch).
        // ncf: `ncf_epochs` passes over each positive and its `ncf_negatives`, each sample costing
        // about an LFM sample at k = 40·d (measured on ml-latest-small: ncf's default run 755 ms
        // against 379 ms for a 40-epoch LFM in the same period); scoring is over-estimated by ~2×.
        RecommenderKind::Lfm | RecommenderKind::Bpr | RecommenderKind::Ncf => {
            let (epochs, per_positive, k) = match kind {
                RecommenderKind::Bpr => (f64::from(cfg.bpr_epochs), 2.0, k),
                RecommenderKind::Ncf => (
                    f64::from(cfg.ncf_epochs),
                    1.0 + f64::from(cfg.ncf_negatives),
                    40.0 * f64::from(cfg.ncf_factors),
                ),
                _ => (epochs, per_positive, k),
            };
            let fold = if fold_in { s.non_member } else { 0.0 };
            let sgd = epochs * per_positive * (s.train + fold) * k;
            let score = scored * s.items * (k * NS_SCORE + NS_SELECT);
            let samples = per_positive * s.train.max(fold) * SAMPLE_BYTES;
            let factors = (s.half_users + s.items) * k * 4.0;
            let ns = ns_sgd(s.members + s.items, k);
            // lfm and bpr free their samples when training ends; ncf's trainer keeps them.
            let (kept, transient) = if kind == RecommenderKind::Ncf {
                (samples, 0.0)
            } else {
                (0.0, samples)
            };
            Piece {
                seconds: (sgd * ns + score) * NS_TO_SECONDS,
                bytes: factors + lists + kept,
                transient,
            }
        }
        RecommenderKind::ItemKnn => {
            // Each member's row is read once per item in it: Σ|row|², grown by the dispersion.
            let cooc = ACTIVITY_DISPERSION * s.train * s.train / s.members;
            let history = s.n / s.users.max(1.0);
            let score = scored
                * (history * f64::from(cfg.knn_neighbours) * NS_KNN
                    + s.items * (NS_SELECT + NS_KNN_DENSE));
            let co_items = (cooc / s.items.max(1.0)).min(s.items);
            let select = s.items * co_items * NS_KNN_SELECT;
            // The neighbour lists (k per item, 8 bytes each), the inverted index, the lists.
            let neighbours = s.items * f64::from(cfg.knn_neighbours).min(s.items) * 8.0;
            Piece {
                seconds: (cooc * NS_KNN + select + score) * NS_TO_SECONDS,
                bytes: neighbours + s.train * 4.0 + lists,
                transient: 0.0,
            }
        }
        RecommenderKind::Popularity => Piece {
            seconds: scored * s.items * NS_SELECT * NS_TO_SECONDS,
            bytes: lists,
            transient: 0.0,
        },
    }
}

/// Everything but the recommenders: split, item vectors, features, one attack fit and scoring.
fn attacker(cfg: &Config, s: &Shape, attack_fits: f64) -> Piece {
    let vk = f64::from(cfg.attacker_k());
    let (held, held_users) = match cfg.item_vectors {
        ItemVectors::Joint => (s.n, s.users),
        ItemVectors::Shadow => (s.n / 2.0, s.half_users),
    };
    let vectors = f64::from(cfg.vector_epochs) * 2.0 * held * vk;
    let features = (s.n + s.users * f64::from(cfg.top_n)) * vk;
    let ns_mlp = NS_MLP + NS_MLP_PER_MB * s.half_users * vk * 4.0 / 1e6;
    let mlp = if cfg.attack.needs_shadow() {
        let weights = vk * f64::from(cfg.hidden1)
            + f64::from(cfg.hidden1) * f64::from(cfg.hidden2)
            + f64::from(cfg.hidden2);
        attack_fits
            * f64::from(cfg.attack_restarts)
            * f64::from(cfg.attack_epochs)
            * s.half_users
            * weights
    } else {
        0.0
    };
    Piece {
        seconds: (vectors * ns_sgd(held_users + s.items, vk)
            + features * NS_SCORE
            + mlp * ns_mlp
            + s.n * NS_PER_INTERACTION)
            * NS_TO_SECONDS,
        // The item-vector factors and the features of every user; the trainer's epoch of samples
        // only while it trains.
        bytes: (s.users + s.items) * vk * 4.0 + 2.0 * s.users * vk * 4.0,
        transient: 2.0 * held * SAMPLE_BYTES,
    }
}

/// One run of `cfg`.
fn run_piece(cfg: &Config, data: &DatasetSummary) -> Piece {
    let s = Shape::new(cfg, data);
    let target = half(cfg.recommender, cfg, &s);
    let shadow = if cfg.attack.needs_shadow() {
        half(cfg.shadow_kind(), cfg, &s)
    } else {
        Piece::NONE
    };
    target.then(shadow).then(attacker(cfg, &s, 1.0))
}

/// Wall time and peak memory of `pieces` spread over `jobs` threads (longest first, each to the
/// least loaded thread, as a work-stealing pool roughly does).
fn schedule(pieces: &[Piece], data: &DatasetSummary, jobs: usize) -> Estimate {
    schedule_copies(pieces, data, jobs, false)
}

/// `schedule`, with one copy of the data set per thread when `copies` (the page's workers each
/// hold their own; native threads share one).
fn schedule_copies(pieces: &[Piece], data: &DatasetSummary, jobs: usize, copies: bool) -> Estimate {
    let threads = jobs.clamp(1, pieces.len().max(1));
    let mut sorted = pieces.to_vec();
    sorted.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let mut load = vec![0.0f64; threads];
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
    let slowdown = if threads > 1 {
        threads as f64 / (1.0 + (threads as f64 - 1.0) * PARALLEL_EFFICIENCY)
    } else {
        1.0
    };
    let mut bytes: Vec<f64> = pieces.iter().map(Piece::peak).collect();
    bytes.sort_by(|a, b| b.total_cmp(a));
    let data_copies = if copies { threads as f64 } else { 1.0 };
    let working = data_copies * data_bytes(data) + bytes.iter().take(threads).sum::<f64>();
    Estimate {
        seconds: longest * slowdown,
        peak_bytes: working.max(load_bytes(data)),
    }
}

/// `runs` runs of `cfg` one after another (a single run: `runs` = 1).
pub fn estimate(cfg: &Config, data: &DatasetSummary, runs: usize) -> Estimate {
    let p = run_piece(cfg, data);
    Estimate {
        seconds: p.seconds * runs as f64,
        peak_bytes: (data_bytes(data) + p.peak()).max(load_bytes(data)),
    }
}

/// The runs of a sweep: every value with every seed. A value that changes only the attacker's
/// settings (a k-sweep) reuses each seed's recommenders (experiment::served): after the first such
/// value, its runs cost the attacker's part only.
fn sweep_pieces(
    base: &Config,
    data: &DatasetSummary,
    param: &str,
    values: &[f64],
    seeds: usize,
) -> Result<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut trained = Vec::new();
    for &v in values {
        let cfg = base.with_param(param, v)?;
        let key = served_key(&cfg);
        let p = if trained.contains(&key) {
            attacker(&cfg, &Shape::new(&cfg, data), 1.0)
        } else {
            trained.push(key);
            run_piece(&cfg, data)
        };
        pieces.extend(std::iter::repeat_n(p, seeds));
    }
    Ok(pieces)
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
    Ok(schedule(
        &sweep_pieces(base, data, param, values, seeds)?,
        data,
        jobs,
    ))
}

/// A transfer matrix of `kinds` over `seeds` seeds on `jobs` threads: per seed, every algorithm on
/// both halves, the item vectors once, one attack fit per shadow algorithm.
pub fn estimate_matrix(
    cfg: &Config,
    data: &DatasetSummary,
    kinds: &[RecommenderKind],
    seeds: usize,
    jobs: usize,
) -> Estimate {
    schedule(&matrix_pieces(cfg, data, kinds, seeds), data, jobs)
}

fn matrix_pieces(
    cfg: &Config,
    data: &DatasetSummary,
    kinds: &[RecommenderKind],
    seeds: usize,
) -> Vec<Piece> {
    let s = Shape::new(cfg, data);
    let mut seed = attacker(cfg, &s, kinds.len() as f64);
    for &k in kinds {
        let h = half(k, cfg, &s);
        seed = seed.then(h).then(h);
    }
    vec![seed; seeds]
}

/// Extra work of dp-sgd training over plain SGD (per-sample clipping and noise on every update).
/// Not measured at scale: a guess from the DP step's three passes over each sample's gradient.
pub const DP_SGD_FACTOR: f64 = 3.0;

/// A privacy–utility frontier (`experiment::frontier`), per seed: one shadow, one attacker, one
/// undefended target; each serving-level defence at each strength above 0 serves the target again
/// from its cached scores (a selection over the catalogue per user); dp-sgd trains a new target at
/// each strength above 0; the natural frontier (lfm only) trains a target per epoch count.
fn frontier_pieces(
    cfg: &Config,
    data: &DatasetSummary,
    defences: &[DefenceKind],
    strengths: &[f64],
    seeds: usize,
    natural_epochs: &[u32],
) -> Vec<Piece> {
    let s = Shape::new(cfg, data);
    let base = run_piece(cfg, data);
    let mut seed = base;
    let target = half(cfg.recommender, cfg, &s);
    let serve = half(RecommenderKind::Popularity, cfg, &s);
    let points = strengths.iter().filter(|&&x| x > 0.0).count() as f64;
    for &d in defences {
        if d == DefenceKind::None {
            continue;
        }
        if d.serving_only() {
            seed.seconds += points * serve.seconds;
        } else {
            seed.seconds += points * target.seconds * DP_SGD_FACTOR;
        }
    }
    if cfg.recommender == RecommenderKind::Lfm {
        for &e in natural_epochs {
            let c = Config {
                epochs: e,
                ..cfg.clone()
            };
            seed.seconds += half(cfg.recommender, &c, &s).seconds;
        }
    }
    // The cached scores of every target user: users × items × 4 bytes.
    seed.bytes += s.half_users * s.items * 4.0;
    vec![seed; seeds]
}

/// A frontier of `defences` × `strengths` over `seeds` seeds on `jobs` threads.
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

/// A job as the page describes it (the worker's run message, docs/INTERFACES.md): the keys its
/// kind uses, the others absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    pub param: Option<String>,
    pub values: Option<Vec<f64>>,
    pub seeds: Option<Vec<u32>>,
    pub recommenders: Option<Vec<String>>,
    pub defences: Option<Vec<String>>,
    pub strengths: Option<Vec<f64>>,
    /// Compare: one config object per run.
    pub configs: Option<Vec<serde_json::Value>>,
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

/// The estimate of a page job of `kind` (`single`, `compare`, `sweep`, `matrix` or `frontier`)
/// with `spec`, its runs divided among `workers` workers, each `factor` times slower than native.
pub fn estimate_job(
    cfg: &Config,
    data: &DatasetSummary,
    kind: &str,
    spec: &JobSpec,
    workers: usize,
    factor: f64,
) -> Result<JobEstimate> {
    let missing = |key: &str| Error::config(key, format!("a {kind} job needs `{key}`"));
    let seeds = || {
        spec.seeds
            .as_ref()
            .map(Vec::len)
            .ok_or_else(|| missing("seeds"))
    };
    let workers = workers.max(1);
    let (pieces, runs, what) = match kind {
        "single" => (vec![run_piece(cfg, data)], 1, "run"),
        "compare" => {
            let configs = spec.configs.as_ref().ok_or_else(|| missing("configs"))?;
            let pieces = configs
                .iter()
                .map(|c| Ok(run_piece(&Config::from_json(c.clone())?, data)))
                .collect::<Result<Vec<_>>>()?;
            let n = pieces.len();
            (pieces, n, "runs")
        }
        "sweep" => {
            let param = spec.param.as_deref().ok_or_else(|| missing("param"))?;
            let values = spec.values.as_ref().ok_or_else(|| missing("values"))?;
            let seeds = seeds()?;
            let pieces = sweep_pieces(cfg, data, param, values, seeds)?;
            (pieces, values.len() * seeds, "runs")
        }
        "matrix" => {
            let kinds = match &spec.recommenders {
                Some(names) if !names.is_empty() => names
                    .iter()
                    .map(|n| RecommenderKind::parse("recommenders", n))
                    .collect::<Result<Vec<_>>>()?,
                _ => RecommenderKind::ALL.to_vec(),
            };
            let seeds = seeds()?;
            (matrix_pieces(cfg, data, &kinds, seeds), seeds, "seeds")
        }
        "frontier" => {
            let defences = match &spec.defences {
                Some(names) if !names.is_empty() => names
                    .iter()
                    .map(|n| DefenceKind::parse("defences", n))
                    .collect::<Result<Vec<_>>>()?,
                _ => DefenceKind::applicable(cfg),
            };
            let strengths = spec
                .strengths
                .clone()
                .unwrap_or_else(|| crate::experiment::frontier::DEFAULT_STRENGTHS.to_vec());
            let seeds = seeds()?;
            let natural = crate::experiment::frontier::DEFAULT_NATURAL_EPOCHS;
            let pieces = frontier_pieces(cfg, data, &defences, &strengths, seeds, &natural);
            (pieces, seeds, "seeds")
        }
        other => {
            return Err(Error::config(
                "kind",
                format!(
                    "unknown job kind '{}' (allowed: single, compare, sweep, matrix, frontier)",
                    crate::error::shorten(other)
                ),
            ))
        }
    };
    let native = schedule_copies(&pieces, data, workers, factor > 1.0);
    let seconds = native.seconds * factor;
    let used = workers.min(runs.max(1));
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

impl Estimate {
    /// "2 min 5 s, 1.3 GB".
    pub fn describe(&self) -> String {
        format!(
            "{}, {}",
            describe_seconds(self.seconds),
            describe_bytes(self.peak_bytes)
        )
    }

    /// The limits this estimate exceeds, as a phrase ("" when none).
    pub fn over_limits(&self) -> String {
        let mut over = Vec::new();
        if self.seconds > MAX_SECONDS {
            over.push(format!("the {} time limit", describe_seconds(MAX_SECONDS)));
        }
        if self.peak_bytes > MAX_BYTES {
            over.push(format!("the {} memory limit", describe_bytes(MAX_BYTES)));
        }
        over.join(" and ")
    }
}

pub fn describe_seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 {
        format!("{:.0} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

pub fn describe_bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(users: usize, items: usize, interactions: usize) -> DatasetSummary {
        DatasetSummary {
            name: "t".into(),
            users,
            items,
            interactions,
            ratings: interactions,
        }
    }

    #[test]
    fn a_sweep_of_the_attackers_settings_counts_each_seeds_recommenders_once() {
        let cfg = Config::default();
        let d = summary(610, 9_724, 100_836);
        let values: Vec<f64> = (1..=10).map(|v| f64::from(v) * 10.0).collect();
        let k_sweep = estimate_sweep(&cfg, &d, "vector_k", &values, 3, 1).unwrap();
        let full: f64 = values
            .iter()
            .map(|&v| estimate(&cfg.with_param("vector_k", v).unwrap(), &d, 3).seconds)
            .sum();
        let first = estimate(&cfg.with_param("vector_k", 10.0).unwrap(), &d, 3).seconds;
        let attacker_only: f64 = values[1..]
            .iter()
            .map(|&v| {
                let c = cfg.with_param("vector_k", v).unwrap();
                3.0 * attacker(&c, &Shape::new(&c, &d), 1.0).seconds
            })
            .sum();
        assert!((k_sweep.seconds - (first + attacker_only)).abs() < 1e-9 * full);
        assert!(
            k_sweep.seconds < 0.5 * full,
            "{} vs {full}",
            k_sweep.seconds
        );
        // A recommender setting trains every run.
        let lr = estimate_sweep(&cfg, &d, "lr", &[0.005, 0.01, 0.02], 3, 1).unwrap();
        let lr_full: f64 = [0.005, 0.01, 0.02]
            .iter()
            .map(|&v| estimate(&cfg.with_param("lr", v).unwrap(), &d, 3).seconds)
            .sum();
        assert!((lr.seconds - lr_full).abs() < 1e-9 * lr_full);
    }

    #[test]
    fn grows_with_data_and_settings() {
        let cfg = Config::default();
        let small = estimate(&cfg, &summary(1_000, 3_700, 100_000), 1);
        let big = estimate(&cfg, &summary(10_000, 10_000, 1_000_000), 1);
        assert!(big.seconds > 5.0 * small.seconds, "{small:?} {big:?}");
        assert!(big.peak_bytes > 2.0 * small.peak_bytes);
        let more_epochs = Config {
            epochs: 2 * cfg.epochs,
            ..cfg.clone()
        };
        let d = summary(6_040, 3_706, 1_000_000);
        assert!(estimate(&more_epochs, &d, 1).seconds > estimate(&cfg, &d, 1).seconds);
        assert_eq!(
            estimate(&cfg, &d, 3).seconds,
            3.0 * estimate(&cfg, &d, 1).seconds
        );
    }

    /// The runs the constants are fitted to and checked against: `scripts/scale.sh` (docs/scale.csv)
    /// at today's defaults (LFM 80 epochs, uniform negatives), CPU seconds of `memberlens run`
    /// (loading the CSV included) and its peak RSS, on this project's shared 2-core machine
    /// (load 5.7–6.5 while measuring, another 10^7 run alongside most of them: CPU time, not wall
    /// time, is the fair number then, and even it is inflated by the shared caches).
    /// Tolerance: the estimate within a factor 1.35 of each measured CPU time and peak RSS. It
    /// exists to refuse or question jobs that are far too big, not to plan to the second.
    const MEASURED: [(&str, usize, usize, usize, f64, f64); 12] = [
        ("lfm", 1_000, 3_700, 100_000, 0.98, 13.5),
        ("lfm", 6_040, 3_706, 1_000_000, 8.58, 53.3),
        ("lfm", 10_000, 10_000, 1_000_000, 12.06, 67.9),
        ("item-knn", 6_040, 3_706, 1_000_000, 3.00, 52.6),
        ("fold-in", 6_040, 3_706, 1_000_000, 13.60, 56.4),
        ("popularity", 6_040, 3_706, 1_000_000, 2.11, 49.5),
        ("bpr", 6_040, 3_706, 1_000_000, 4.20, 58.5),
        ("ncf", 6_040, 3_706, 1_000_000, 11.31, 116.8),
        ("distance", 6_040, 3_706, 1_000_000, 3.55, 51.0),
        ("item-knn", 1_000, 3_700, 100_000, 0.26, 12.1),
        ("item-knn", 10_000, 10_000, 1_000_000, 3.69, 63.6),
        ("lfm", 100_000, 30_000, 10_000_000, 202.32, 533.4),
    ];
    const TOLERANCE: f64 = 1.35;

    fn measured_config(what: &str) -> Config {
        let base = Config::default();
        match what {
            "fold-in" => Config {
                protocol: Protocol::FoldIn,
                ..base
            },
            "distance" => Config {
                attack: crate::attack::AttackKind::Distance,
                ..base
            },
            kind => Config {
                recommender: RecommenderKind::parse("recommender", kind).unwrap(),
                ..base
            },
        }
    }

    #[test]
    fn matches_the_runs_measured_at_the_current_defaults() {
        // The pins are of today's defaults: a change of default must re-measure (scripts/scale.sh).
        let d = Config::default();
        assert_eq!(
            (d.epochs, d.k, d.bpr_epochs, d.ncf_epochs),
            (80, 100, 20, 3)
        );
        assert_eq!(
            d.negative_sampling,
            crate::config::NegativeSampling::Uniform
        );
        let mut failures = Vec::new();
        for (what, users, items, n, cpu, rss_mb) in MEASURED {
            let cfg = measured_config(what);
            let d = summary(users, items, n);
            let mut e = estimate(&cfg, &d, 1);
            e.seconds += load_seconds(&d);
            let mb = e.peak_bytes / 1_048_576.0;
            let line = format!(
                "{what} {n}: {:.2} s vs {cpu} ({:.2}x), {mb:.1} MiB vs {rss_mb} ({:.2}x)",
                e.seconds,
                e.seconds / cpu,
                mb / rss_mb
            );
            eprintln!("{line}");
            if !(cpu / TOLERANCE..cpu * TOLERANCE).contains(&e.seconds)
                || !(rss_mb / TOLERANCE..rss_mb * TOLERANCE).contains(&mb)
            {
                failures.push(line);
            }
        }
        assert!(failures.is_empty(), "outside x{TOLERANCE}: {failures:#?}");
    }

    #[test]
    fn parallel_jobs_shorten_time_and_add_working_sets() {
        let cfg = Config::default();
        let d = summary(6_040, 3_706, 1_000_000);
        let values: Vec<f64> = (1..=10).map(|v| f64::from(v) * 10.0).collect();
        let one = estimate_sweep(&cfg, &d, "vector_k", &values, 3, 1).unwrap();
        let two = estimate_sweep(&cfg, &d, "vector_k", &values, 3, 2).unwrap();
        assert!(two.seconds < 0.6 * one.seconds && two.seconds > 0.5 * one.seconds);
        assert!(two.peak_bytes > one.peak_bytes);
        assert!(estimate_sweep(&cfg, &d, "k", &[0.0], 1, 1).is_err());
        let m = estimate_matrix(&cfg, &d, &RecommenderKind::ALL, 3, 1);
        assert!(m.seconds > estimate(&cfg, &d, 3).seconds);
    }

    #[test]
    fn page_jobs_divide_among_workers_ask_above_a_minute_and_refuse_above_the_run_limit() {
        let cfg = Config::default();
        let d = summary(610, 9_724, 100_836);
        let single = estimate_job(&cfg, &d, "single", &JobSpec::default(), 4, 1.0).unwrap();
        let native = estimate(&cfg, &d, 1);
        assert_eq!(single.seconds, native.seconds);
        assert_eq!(single.runs, 1);
        assert!(!single.confirm && single.refused.is_none());
        assert!(single.text.starts_with("about ") && !single.text.contains("worker"));
        // The browser factor scales time, and each worker holds a copy of the data set.
        let browser = estimate_job(&cfg, &d, "single", &JobSpec::default(), 1, 1.5).unwrap();
        assert!((browser.seconds - 1.5 * native.seconds).abs() < 1e-9);

        let sweep = |seeds: u32, workers: usize| {
            let spec = JobSpec {
                param: Some("vector_k".into()),
                values: Some((1..=10).map(|v| f64::from(v) * 10.0).collect()),
                seeds: Some((0..seeds).collect()),
                ..JobSpec::default()
            };
            estimate_job(&cfg, &d, "sweep", &spec, workers, BROWSER_FACTOR).unwrap()
        };
        let one = sweep(3, 1);
        let three = sweep(3, 3);
        assert_eq!((one.runs, three.runs), (30, 30));
        assert!(three.seconds < 0.5 * one.seconds, "{one:?} {three:?}");
        assert!(three.bytes > one.bytes);
        assert!(
            three.text.ends_with("(30 runs on 3 workers)"),
            "{}",
            three.text
        );
        assert_eq!(sweep(20, 1).refused, None); // 200 runs: the limit itself is allowed
        let over = sweep(21, 8);
        assert_eq!(over.runs, 210);
        assert_eq!(
            over.refused.as_deref(),
            Some("this job has 210 runs, more than the limit of 200: use fewer seeds or values (or the command line with --force)")
        );

        // A run above a minute in the browser asks; one below does not.
        let big = Config {
            epochs: 500,
            k: 512,
            negatives: 10,
            ..cfg.clone()
        };
        let e = estimate_job(&big, &d, "single", &JobSpec::default(), 1, BROWSER_FACTOR).unwrap();
        assert!(e.seconds > CONFIRM_SECONDS && e.confirm, "{e:?}");

        // Compare, matrix and frontier: their own counts; a missing key or unknown kind is an error.
        let compare = JobSpec {
            configs: Some(vec![
                serde_json::json!({"protocol": "popular"}),
                serde_json::json!({"protocol": "fold-in"}),
            ]),
            ..JobSpec::default()
        };
        let c = estimate_job(&cfg, &d, "compare", &compare, 1, 1.0).unwrap();
        assert_eq!(c.runs, 2);
        assert!(c.seconds > native.seconds);
        let seeds = JobSpec {
            seeds: Some(vec![0, 1, 2]),
            ..JobSpec::default()
        };
        let m = estimate_job(&cfg, &d, "matrix", &seeds, 1, 1.0).unwrap();
        assert_eq!(m.runs, 3);
        assert_eq!(
            m.seconds,
            estimate_matrix(&cfg, &d, &RecommenderKind::ALL, 3, 1).seconds
        );
        let f = estimate_job(&cfg, &d, "frontier", &seeds, 1, 1.0).unwrap();
        assert_eq!(f.runs, 3);
        assert!(f.seconds > 3.0 * native.seconds, "{f:?}");
        let err = estimate_job(&cfg, &d, "sweep", &seeds, 1, 1.0).unwrap_err();
        assert!(err.to_string().contains("`param`"), "{err}");
        let err = estimate_job(&cfg, &d, "everything", &seeds, 1, 1.0).unwrap_err();
        assert!(
            err.to_string().contains("unknown job kind 'everything'"),
            "{err}"
        );
    }

    #[test]
    fn limits_are_named() {
        let e = Estimate {
            seconds: 1200.0,
            peak_bytes: 5.0 * 1024.0 * 1024.0 * 1024.0,
        };
        assert_eq!(
            e.over_limits(),
            "the 10 min 0 s time limit and the 4.0 GiB memory limit"
        );
        assert_eq!(e.describe(), "20 min 0 s, 5.0 GiB");
        let ok = Estimate {
            seconds: 5.0,
            peak_bytes: 1e6,
        };
        assert_eq!(ok.over_limits(), "");
        let json = serde_json::to_string(&ok).unwrap();
        assert_eq!(serde_json::from_str::<Estimate>(&json).unwrap(), ok);
    }
}
