//! The cost model's constants: nanoseconds per operation and bytes per unit, fitted to the runs of
//! `scripts/scale.sh` (docs/scale.csv), and the limits above which the CLI refuses and the page
//! asks, with the browser's factor over native.

/// Nanoseconds per SGD multiply-add (LFM training, fold-in, the attacker's item vectors) when the
/// factors fit in cache, plus this much per MB of factors (user + item rows × k × 4 bytes): SGD
/// visits rows at random, so once the factors outgrow the caches every sample waits on memory.
/// First fitted on the stages of 40-epoch runs (0.57 ns at 1.7 MB of factors, 0.95 ns at 8 MB,
/// about 2 ns at 52 MB), then scaled by 1.25 to the CPU times of the 80-epoch runs of
/// docs/scale.csv, measured while the machine was shared (load ~5 on 2 cores: shared caches).
/// Both were then scaled by 100 / (100 + SGD_SAMPLE_FIXED) when the fixed part of a sample was
/// added, so that runs at k = 100 (what they were fitted on) keep their estimate.
pub const NS_SGD: f64 = 0.62 * 100.0 / (100.0 + SGD_SAMPLE_FIXED);
pub const NS_SGD_PER_MB: f64 = 0.037 * 100.0 / (100.0 + SGD_SAMPLE_FIXED);
/// What one SGD sample costs whatever its k, in multiply-adds: drawing it and its negative,
/// reaching two rows that are rarely in cache. The attacker's item vectors at vector_k 10 took
/// 666 ms, at 100 1,296 ms (ML-1M shape, seed 0, the same machine minutes apart): 596 ms + 7 ms
/// per unit of k, a fixed part worth k ≈ 85. Without it a k-sweep was estimated at 0.64× its CPU
/// time.
pub const SGD_SAMPLE_FIXED: f64 = 80.0;
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
/// Both scaled like NS_SGD when the fixed part of a sample (MLP_SAMPLE_FIXED) was added: by
/// 3,464 / (3,464 + MLP_SAMPLE_FIXED), 3,464 being the default network's weights at k = 100.
pub const NS_MLP: f64 = 0.45 * 3464.0 / (3464.0 + MLP_SAMPLE_FIXED);
pub const NS_MLP_PER_MB: f64 = 0.03 * 3464.0 / (3464.0 + MLP_SAMPLE_FIXED);
/// What one sample of one epoch of the attack network costs beyond its weights, in weight
/// operations (activations, the loss, its share of Adam's step): the attack model took 485 ms at
/// vector_k 10 (584 weights) and 848 ms at 100 (3,464 weights), ML-1M shape: 445 ms + 4 ms per
/// unit of k, a fixed part worth ~3,500 weights.
pub const MLP_SAMPLE_FIXED: f64 = 3500.0;
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
/// docs/performance.md's Scale section).
pub const BROWSER_FACTOR: f64 = 1.5;
