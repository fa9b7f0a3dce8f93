//! Shared helpers of the integration tests: the real data path, a seeded synthetic data set and
//! its MovieLens ratings.csv in a temporary file (for the CLI).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use memberlens::config::Config;
use memberlens::Dataset;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The keys every run result has (CLI `--json`, the wasm `Job.result()`, the page's `#results`).
pub const RUN_KEYS: [&str; 8] = [
    "roc_auc",
    "tpr_at_fpr",
    "balanced_accuracy",
    "roc",
    "recommender",
    "counts",
    "config",
    "timings_ms",
];

/// The area under a reported ROC curve by the trapezoid rule, computed here from its points: a
/// report's `roc_auc` must be the area under the `roc` it reports (an AUC "between 0 and 1" is
/// true of any number a bug could put there).
pub fn trapezoid_auc(fpr: &[f64], tpr: &[f64]) -> f64 {
    assert_eq!(fpr.len(), tpr.len(), "fpr and tpr of different lengths");
    let mut area = 0.0;
    for i in 1..fpr.len() {
        assert!(
            fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1],
            "the ROC is not monotone at {i}"
        );
        area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0;
    }
    area
}

/// ratings.csv of ml-latest-small: `MEMBERLENS_RATINGS`, else `../shared/data/ml-latest-small/`.
/// The real-data tests fail (not skip) when it is missing: `make test` fetches it first.
pub fn real_ratings_path() -> PathBuf {
    let p = std::env::var_os("MEMBERLENS_RATINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/ml-latest-small/ratings.csv")
        });
    assert!(
        p.exists(),
        "{} not found: run `bash data/fetch.sh` or set MEMBERLENS_RATINGS",
        p.display()
    );
    p
}

pub fn real_data() -> Arc<Dataset> {
    Arc::new(Dataset::load(&real_ratings_path()).expect("ml-latest-small parses"))
}

/// Users with two tastes (item halves) and a popularity skew: enough structure for every stage.
pub fn synthetic(users: u64, items: u64, seed: u64) -> Arc<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pairs = Vec::new();
    for u in 0..users {
        let taste = u % 2;
        let n = rng.random_range(15..60u32);
        for _ in 0..n {
            // popular items are the low ids of each half; a few cross-taste picks
            let half = if rng.random_range(0..10u32) == 0 {
                1 - taste
            } else {
                taste
            };
            let r: f64 = rng.random::<f64>();
            let i = (r * r * (items / 2) as f64) as u64 + half * (items / 2);
            pairs.push((u + 1, i + 1));
        }
    }
    let n = pairs.len();
    Arc::new(Dataset::from_pairs("synthetic", &pairs, n).expect("synthetic data"))
}

/// A config small enough for multi-run jobs on the synthetic data (parallel and unit tests).
pub fn small_config() -> Config {
    Config {
        k: 8,
        vector_k: 8,
        epochs: 5,
        top_n: 10,
        attack_epochs: 5,
        attack_restarts: 1,
        ..Config::default()
    }
}

/// Writes `d` as a MovieLens ratings.csv (every rating 4.0) to a temporary file named after `tag`
/// and the process, for tests that run the CLI on it.
pub fn write_ratings_csv(d: &Dataset, tag: &str) -> PathBuf {
    let mut csv = String::from("userId,movieId,rating,timestamp\n");
    for u in 0..d.n_users() {
        for &i in d.user_items(u) {
            csv.push_str(&format!(
                "{},{},4.0,1\n",
                d.user_ids[u], d.item_ids[i as usize]
            ));
        }
    }
    let path = std::env::temp_dir().join(format!("memberlens-{tag}-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    path
}

/// Runs the native binary as a user runs it (tests of the command line; not in wasm).
#[cfg(not(target_arch = "wasm32"))]
pub fn memberlens(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(args)
        .output()
        .expect("binary runs")
}
