//! The Rust RDP accountant against Google's `dp-accounting` package: every case and every per-order
//! RDP value in tests/fixtures/dp_accounting.json (written by scripts/dp_fixtures.py) must agree to
//! 1e-6 relative. Also pins the exact bits of an ε and of the DP-SGD draws, so a platform (native,
//! wasm) or dependency change that moves any number fails here. Runs natively and, as a
//! wasm-bindgen test, under `cargo test --target wasm32-unknown-unknown`.

use memberlens::privacy::accountant::{
    default_orders, rdp_sampled_gaussian, sampled_gaussian_epsilon,
};
use memberlens::privacy::dp_sgd::{add_gaussian_noise, poisson_batch};
use memberlens::rng::{rng_for, Stream};
use serde::Deserialize;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const FIXTURE: &str = include_str!("../fixtures/dp_accounting.json");
const TOLERANCE: f64 = 1e-6;

#[derive(Deserialize)]
struct Fixture {
    package: String,
    version: String,
    orders: Vec<f64>,
    mechanisms: Vec<Mechanism>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Mechanism {
    noise_multiplier: f64,
    sampling_rate: f64,
    /// One-step RDP per order; `None` where the package gives ∞ (series did not converge).
    rdp: Vec<Option<f64>>,
}

#[derive(Deserialize, Debug)]
struct Case {
    noise_multiplier: f64,
    sampling_rate: f64,
    steps: u64,
    delta: f64,
    epsilon: f64,
    order: f64,
}

fn fixture() -> Fixture {
    let f: Fixture =
        serde_json::from_str(FIXTURE).expect("tests/fixtures/dp_accounting.json parses");
    assert_eq!(f.package, "dp-accounting");
    assert!(!f.version.is_empty());
    f
}

/// |a − b| / |b|, with 0 when both are 0.
fn rel_err(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs()
    }
}

#[test]
fn orders_are_the_packages() {
    assert_eq!(default_orders(), fixture().orders);
}

#[test]
fn per_order_rdp_matches_the_package() {
    let f = fixture();
    assert!(f.mechanisms.len() >= 5);
    let (mut worst, mut at) = (0.0f64, String::new());
    let mut divergent = 0;
    for m in &f.mechanisms {
        let ours = rdp_sampled_gaussian(m.sampling_rate, m.noise_multiplier, &f.orders);
        assert_eq!(ours.len(), m.rdp.len());
        for ((&alpha, &mine), &theirs) in f.orders.iter().zip(&ours).zip(&m.rdp) {
            let at_here = format!("σ={} q={} α={alpha}", m.noise_multiplier, m.sampling_rate);
            match theirs {
                None => {
                    assert_eq!(
                        mine,
                        f64::INFINITY,
                        "{at_here}: the package's series diverged"
                    );
                    divergent += 1;
                }
                Some(theirs) => {
                    let e = rel_err(mine, theirs);
                    assert!(
                        e <= TOLERANCE,
                        "{at_here}: {mine} vs {theirs} (rel. error {e:e})"
                    );
                    if e > worst {
                        (worst, at) = (e, at_here);
                    }
                }
            }
        }
    }
    eprintln!(
        "per-order RDP: {} curves × {} orders, {divergent} divergent orders matched, max rel. error {worst:e} at {at}",
        f.mechanisms.len(),
        f.orders.len()
    );
}

#[test]
fn epsilon_matches_the_package_on_every_case() {
    let f = fixture();
    assert!(f.cases.len() >= 8, "the issue asks for at least five cases");
    let (mut worst, mut at) = (0.0f64, String::new());
    for c in &f.cases {
        let ours = sampled_gaussian_epsilon(c.noise_multiplier, c.sampling_rate, c.steps, c.delta)
            .unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let e = rel_err(ours.epsilon, c.epsilon);
        assert!(
            e <= TOLERANCE,
            "{c:?}: ε {} (rel. error {e:e})",
            ours.epsilon
        );
        assert_eq!(ours.order, c.order, "{c:?}: optimal order");
        if e > worst {
            (worst, at) = (e, format!("{c:?}"));
        }
    }
    eprintln!(
        "ε: {} cases (dp-accounting {}), max rel. error {worst:e} at {at}",
        f.cases.len(),
        f.version
    );
}

#[test]
fn numbers_are_pinned_to_the_bit() {
    // Identical on every platform thanks to libm and u32 ChaCha8 draws; a change here moves every
    // published ε or every DP-SGD run.
    let e = sampled_gaussian_epsilon(1.1, 0.01, 1000, 1e-5).unwrap();
    assert_eq!(
        (e.epsilon.to_bits(), e.order),
        (PINNED_EPSILON_BITS, 9.6),
        "{e:?}"
    );

    let mut rng = rng_for(0, Stream::TargetModel);
    assert_eq!(poisson_batch(&mut rng, 100, 0.05), PINNED_BATCH);
    let mut noise = [0.0f32; 4];
    add_gaussian_noise(&mut rng, &mut noise, 1.0);
    assert_eq!(noise.map(f32::to_bits), PINNED_NOISE_BITS, "{noise:?}");
}

const PINNED_EPSILON_BITS: u64 = 4610387946655482299;
const PINNED_BATCH: [usize; 5] = [1, 3, 85, 96, 98];
const PINNED_NOISE_BITS: [u32; 4] = [1048267324, 3216432654, 1064119047, 1057144987];
