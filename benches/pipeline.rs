//! Native benchmarks: full default runs on ml-latest-small (every algorithm; the ≤ 1.5 s budget),
//! the transfer matrix with one seed (≤ 15 s), the data parse, and one SGD epoch of the target
//! recommender's size.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use memberlens::config::{Config, NegativeSampling};
use memberlens::experiment::matrix::Matrix;
use memberlens::mf::{init_factors, Interactions, NegativeSampler, SgdParams, SgdTrainer};
use memberlens::pipeline::Pipeline;
use memberlens::recommender::RecommenderKind;
use memberlens::rng::{rng_for, Stream};
use memberlens::Dataset;

fn ratings_path() -> PathBuf {
    std::env::var_os("MEMBERLENS_RATINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/data/ml-latest-small/ratings.csv")
        })
}

fn benches(c: &mut Criterion) {
    let bytes = std::fs::read(ratings_path()).expect("ratings.csv (set MEMBERLENS_RATINGS)");
    let data = Arc::new(Dataset::parse(&bytes, "ratings.csv").unwrap());

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.bench_function("full_run_default_k100", |b| {
        b.iter(|| {
            let mut p = Pipeline::new(data.clone(), Config::default()).unwrap();
            p.run_to_end().unwrap().roc_auc
        })
    });
    g.bench_function("full_run_fold_in_k100", |b| {
        let cfg = Config {
            protocol: memberlens::config::Protocol::FoldIn,
            ..Config::default()
        };
        b.iter(|| {
            Pipeline::new(data.clone(), cfg.clone())
                .unwrap()
                .run_to_end()
                .unwrap()
                .roc_auc
        })
    });
    // Every algorithm's default single run (budget: ≤ 1.5 s native).
    for kind in RecommenderKind::ALL {
        let cfg = Config {
            recommender: kind,
            ..Config::default()
        };
        g.bench_function(format!("full_run_{}", kind.id()), |b| {
            b.iter(|| {
                Pipeline::new(data.clone(), cfg.clone())
                    .unwrap()
                    .run_to_end()
                    .unwrap()
                    .roc_auc
            })
        });
    }
    // The whole transfer matrix with one seed (budget: ≤ 15 s native for 5 × 5).
    g.bench_function(
        format!("matrix_{0}x{0}_one_seed", RecommenderKind::ALL.len()),
        |b| {
            b.iter(|| {
                let mut m =
                    Matrix::new(data.clone(), Config::default(), &RecommenderKind::ALL, &[0])
                        .unwrap();
                while !m.step().unwrap().done {}
                m.report().unwrap().cells.len()
            })
        },
    );
    g.finish();

    c.bench_function("parse_ratings_csv", |b| {
        b.iter(|| Dataset::parse(&bytes, "ratings.csv").unwrap().n_users())
    });

    // One epoch over a quarter of the users (the size of one recommender's members), k = 100.
    let rows: Vec<&[u32]> = (0..data.n_users())
        .step_by(4)
        .map(|u| data.user_items(u))
        .collect();
    let train = Interactions::from_rows(rows);
    let known: Vec<u32> = (0..data.n_items() as u32).collect();
    c.bench_function("sgd_epoch_quarter_users_k100", |b| {
        b.iter(|| {
            let mut rng = rng_for(0, Stream::TargetModel);
            let mut users = init_factors(&mut rng, train.n_users(), 100);
            let mut items = init_factors(&mut rng, data.n_items(), 100);
            let params = SgdParams {
                lr: 0.01,
                reg: 0.01,
                epochs: 1,
                negatives: 1,
                sampling: NegativeSampling::Popularity,
            };
            let sampler = NegativeSampler::new(NegativeSampling::Popularity, &train, &known);
            let mut t = SgdTrainer::new(params, sampler, rng, true);
            t.run(&train, &mut users, &mut items);
            t.last_loss
        })
    });
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
