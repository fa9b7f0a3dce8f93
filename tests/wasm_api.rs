//! wasm-bindgen tests of the JavaScript-facing layer (`src/wasm.rs`), run in Node by
//! `cargo test --target wasm32-unknown-unknown` (and in a browser worker with the runner's env vars).

#![cfg(target_arch = "wasm32")]

mod common;

use memberlens::wasm::{check_config, default_config, Dataset, Job};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn synthetic_csv() -> Vec<u8> {
    // 60 users with two tastes over 80 items, fixed pattern (no RNG needed for a small test set).
    let mut s = String::from("userId,movieId,rating,timestamp\r\n");
    for u in 1..=60u32 {
        let base = if u % 2 == 0 { 0 } else { 40 };
        for j in 0..(10 + u % 17) {
            let item = base + (j * 7 + u) % 40 + 1;
            s.push_str(&format!("{u},{item},4.0,1\r\n"));
        }
    }
    s.into_bytes()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

fn small_config() -> JsValue {
    let cfg = js_sys::Object::new();
    for (k, v) in [
        ("k", 8.0),
        ("top_n", 10.0),
        ("epochs", 5.0),
        ("vector_epochs", 3.0),
        ("attack_epochs", 5.0),
        ("seed", 2.0),
    ] {
        js_sys::Reflect::set(&cfg, &k.into(), &v.into()).unwrap();
    }
    cfg.into()
}

fn run_to_end(job: &mut Job) -> JsValue {
    for _ in 0..100_000 {
        let p = job.step().unwrap();
        if get(&p, "done").as_bool().unwrap() {
            return job.result().unwrap();
        }
    }
    panic!("job did not finish");
}

#[wasm_bindgen_test]
fn default_config_has_the_paper_defaults() {
    let c = default_config().unwrap();
    assert_eq!(get(&c, "k").as_f64(), Some(100.0));
    assert_eq!(get(&c, "lr").as_f64(), Some(0.01));
    assert_eq!(get(&c, "protocol").as_string().as_deref(), Some("popular"));
}

#[wasm_bindgen_test]
fn bad_config_and_bad_file_throw_clear_errors() {
    let bad = js_sys::JSON::parse(r#"{"k": 0}"#).unwrap();
    assert!(check_config(bad).is_err());
    let unknown = js_sys::JSON::parse(r#"{"kk": 1}"#).unwrap();
    assert!(check_config(unknown).is_err());
    assert!(Dataset::from_bytes(b"userId,movieId,rating\n1,2,x\n", "bad.csv").is_err());
}

#[wasm_bindgen_test]
fn single_run_matches_a_second_run_and_has_cli_keys() {
    let ds = Dataset::from_bytes(&synthetic_csv(), "ratings.csv").unwrap();
    assert_eq!(get(&ds.summary().unwrap(), "users").as_f64(), Some(60.0));
    let a = run_to_end(&mut Job::single(&ds, small_config()).unwrap());
    let b = run_to_end(&mut Job::single(&ds, small_config()).unwrap());
    for key in common::RUN_KEYS {
        assert!(!get(&a, key).is_undefined(), "missing {key}");
    }
    let auc = get(&a, "roc_auc").as_f64().unwrap();
    assert!((0.0..=1.0).contains(&auc));
    assert_eq!(Some(auc), get(&b, "roc_auc").as_f64());
    let (fa, fb) = (
        js_sys::JSON::stringify(&get(&a, "roc")).unwrap(),
        js_sys::JSON::stringify(&get(&b, "roc")).unwrap(),
    );
    assert_eq!(String::from(fa), String::from(fb));
}

#[wasm_bindgen_test]
fn sweep_reports_points_and_result_before_done_throws() {
    let ds = Dataset::from_bytes(&synthetic_csv(), "ratings.csv").unwrap();
    let mut job = Job::sweep(&ds, small_config(), "k", vec![4.0, 8.0], vec![0, 1]).unwrap();
    assert!(job.result().is_err());
    let r = run_to_end(&mut job);
    let points: js_sys::Array = get(&r, "points").into();
    assert_eq!(points.length(), 2);
    assert!(Job::sweep(&ds, small_config(), "protocol", vec![1.0], vec![0]).is_err());
}
