//! The default k-sweep (vector_k 10, 20, …, 100 × seeds 0, 1, 2: 30 runs) on ml-latest-small with
//! 1 and 2 worker threads (`experiment::parallel`), to measure what a second core buys. Without
//! the real file (MEMBERLENS_RATINGS or ../shared/data/ml-latest-small/ratings.csv) it uses a
//! synthetic file of the same shape (610 users, 9,724 items, 100,836 ratings).

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use memberlens::config::Config;
use memberlens::experiment::parallel::{self, Workers};
use memberlens::synth::{write_csv, SynthParams};
use memberlens::Dataset;

fn data() -> Arc<Dataset> {
    let path = std::env::var_os("MEMBERLENS_RATINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/data/ml-latest-small/ratings.csv")
        });
    if let Ok(bytes) = std::fs::read(&path) {
        eprintln!("k-sweep benchmark on {}", path.display());
        return Arc::new(Dataset::parse(&bytes, "ratings.csv").unwrap());
    }
    let p = SynthParams {
        users: 610,
        items: 9_724,
        ratings: 100_836,
        seed: 0,
    };
    let mut csv = Vec::new();
    write_csv(&p, &mut csv).unwrap();
    eprintln!("k-sweep benchmark on synthetic data of ml-latest-small's shape");
    Arc::new(Dataset::parse(&csv, "synthetic.csv").unwrap())
}

fn benches(c: &mut Criterion) {
    let data = data();
    let values: Vec<f64> = (1..=10).map(|v| f64::from(v) * 10.0).collect();
    let seeds = [0, 1, 2];
    let mut g = c.benchmark_group("k_sweep_30_runs");
    g.sample_size(10);
    for jobs in [1, 2] {
        g.bench_function(format!("jobs_{jobs}"), |b| {
            b.iter(|| {
                parallel::sweep(
                    data.clone(),
                    Config::default(),
                    "vector_k",
                    &values,
                    &seeds,
                    Workers::new(jobs),
                )
                .unwrap()
                .points[0]
                    .over
                    .roc_auc_mean
            })
        });
    }
    g.finish();
}

criterion_group!(scale, benches);
criterion_main!(scale);
