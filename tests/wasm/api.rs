//! wasm-bindgen tests of the JavaScript-facing layer (`src/wasm.rs`), run in Node by
//! `cargo test --target wasm32-unknown-unknown` (and in a browser worker with the runner's env vars).

use crate::common;

use memberlens::wasm::{check_config, default_config, estimate_job, Dataset, Job};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn synthetic_csv() -> Vec<u8> {
    crate::two_tastes_csv("\r\n")
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
    assert!(Dataset::from_bytes(b"userId,movieId,rating\n1,2,x\n".to_vec(), "bad.csv").is_err());
}

#[wasm_bindgen_test]
fn single_run_matches_a_second_run_and_has_cli_keys() {
    let ds = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    assert_eq!(get(&ds.summary().unwrap(), "users").as_f64(), Some(60.0));
    let a =
        run_to_end(&mut Job::start(&ds, small_config(), r#"{"kind":"single"}"#, false).unwrap());
    let b =
        run_to_end(&mut Job::start(&ds, small_config(), r#"{"kind":"single"}"#, false).unwrap());
    for key in common::RUN_KEYS {
        assert!(!get(&a, key).is_undefined(), "missing {key}");
    }
    let auc = get(&a, "roc_auc").as_f64().unwrap();
    assert_eq!(Some(auc), get(&b, "roc_auc").as_f64());
    let (fa, fb) = (
        js_sys::JSON::stringify(&get(&a, "roc")).unwrap(),
        js_sys::JSON::stringify(&get(&b, "roc")).unwrap(),
    );
    let (fa, fb) = (String::from(fa), String::from(fb));
    assert_eq!(fa, fb);
    // The AUC is the area under the ROC the result carries.
    let roc: serde_json::Value = serde_json::from_str(&fa).unwrap();
    let points = |key: &str| -> Vec<f64> {
        roc[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let area = common::trapezoid_auc(&points("fpr"), &points("tpr"));
    assert!((auc - area).abs() < 1e-12, "{auc} vs {area}");
}

/// A comparison's takeaway (what the worker sends with a `compare` job) is written from the two
/// finished jobs in place: the popular-list run's job, given the fold-in run's.
#[wasm_bindgen_test]
fn compare_takeaway_reads_two_finished_single_runs() {
    let ds = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    let with = |protocol: &str| {
        let cfg = small_config();
        js_sys::Reflect::set(&cfg, &"protocol".into(), &protocol.into()).unwrap();
        Job::start(&ds, cfg, r#"{"kind":"single"}"#, false).unwrap()
    };
    let (mut popular, mut fold_in) = (with("popular"), with("fold-in"));
    // Before the runs are done there is nothing to compare.
    assert!(popular.compare_takeaway(&fold_in).is_err());
    run_to_end(&mut popular);
    run_to_end(&mut fold_in);
    let t = popular.compare_takeaway(&fold_in).unwrap();
    assert!(t.starts_with("Strongest attack "), "{t}");
    assert!(
        t.contains("with the popular list") && t.contains("with model lists (fold-in)"),
        "{t}"
    );
    // Only single runs compare.
    let mut sweep = Job::start(
        &ds,
        small_config(),
        r#"{"kind":"sweep","param":"k","values":[4],"seeds":[0]}"#,
        false,
    )
    .unwrap();
    run_to_end(&mut sweep);
    assert!(popular.compare_takeaway(&sweep).is_err());
}

#[wasm_bindgen_test]
fn sweep_reports_points_and_result_before_done_throws() {
    let ds = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    let mut job = Job::start(
        &ds,
        small_config(),
        r#"{"kind":"sweep","param":"k","values":[4,8],"seeds":[0,1]}"#,
        false,
    )
    .unwrap();
    assert!(job.result().is_err());
    let r = run_to_end(&mut job);
    let points: js_sys::Array = get(&r, "points").into();
    assert_eq!(points.length(), 2);
    let bad = r#"{"kind":"sweep","param":"protocol","values":[1],"seeds":[0]}"#;
    assert!(Job::start(&ds, small_config(), bad, false).is_err());
    // The job's own fields are checked too: a job of another shape, or a kind not stepped here.
    assert!(Job::start(
        &ds,
        small_config(),
        r#"{"kind":"sweep","param":"k"}"#,
        false
    )
    .is_err());
    assert!(Job::start(
        &ds,
        small_config(),
        r#"{"kind":"compare","configs":[{}]}"#,
        false
    )
    .is_err());
}

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
fn estimate_job_scales_to_the_browser_asks_above_a_minute_and_refuses_too_many_runs() {
    let ds = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    let summary = ds.summary().unwrap();
    let e = estimate_job(
        summary.clone(),
        JsValue::NULL,
        r#"{"kind":"single"}"#,
        1,
        None,
    )
    .unwrap();
    let native = memberlens::cost::estimate(
        &memberlens::Config::default(),
        &memberlens::data::DatasetSummary {
            name: String::new(),
            users: 60,
            items: get(&summary, "items").as_f64().unwrap() as usize,
            interactions: get(&summary, "interactions").as_f64().unwrap() as usize,
            ratings: get(&summary, "ratings").as_f64().unwrap() as usize,
        },
        1,
    );
    let seconds = get(&e, "seconds").as_f64().unwrap();
    assert!((seconds - native.seconds * memberlens::cost::BROWSER_FACTOR).abs() < 1e-9);
    assert_eq!(get(&e, "runs").as_f64(), Some(1.0));
    assert_eq!(get(&e, "confirm").as_bool(), Some(false));
    assert!(get(&e, "refused").is_null());
    assert!(get(&e, "text").as_string().unwrap().starts_with("about "));

    // ML-1M-sized counts, epochs and k at the page's maximum: above a minute, so the page asks.
    let big = estimate_job(
        js(r#"{"users":6040,"items":3706,"interactions":1000000,"ratings":1000000}"#),
        js(r#"{"epochs":500,"k":512}"#),
        r#"{"kind":"single"}"#,
        1,
        None,
    )
    .unwrap();
    assert_eq!(get(&big, "confirm").as_bool(), Some(true));

    // 10 values × 21 seeds = 210 runs: refused, naming the limit.
    let seeds: Vec<String> = (0..21).map(|s| s.to_string()).collect();
    let job = format!(
        r#"{{"kind":"sweep","param":"vector_k","values":[10,20,30,40,50,60,70,80,90,100],"seeds":[{}]}}"#,
        seeds.join(",")
    );
    let sweep = estimate_job(summary.clone(), JsValue::NULL, &job, 3, None).unwrap();
    assert_eq!(get(&sweep, "runs").as_f64(), Some(210.0));
    assert!(get(&sweep, "refused")
        .as_string()
        .unwrap()
        .contains("more than the limit of 200"));
    // "Would it spot you?" is two single runs: a comparison of the same config twice.
    let you = estimate_job(
        summary.clone(),
        JsValue::NULL,
        r#"{"kind":"you","picks":[1,2,3,4,5]}"#,
        1,
        None,
    )
    .unwrap();
    let twice = estimate_job(
        summary.clone(),
        JsValue::NULL,
        r#"{"kind":"compare","configs":[{},{}]}"#,
        1,
        None,
    )
    .unwrap();
    assert_eq!(get(&you, "runs").as_f64(), Some(2.0));
    assert_eq!(
        get(&you, "seconds").as_f64(),
        get(&twice, "seconds").as_f64()
    );
    // More workers than cores: the time of as many workers as cores, not less (3 seeds: every
    // worker count reuses each seed's recommenders).
    let job = r#"{"kind":"sweep","param":"lr","values":[0.01,0.02],"seeds":[0,1,2]}"#;
    let on = |workers, cores| {
        let e = estimate_job(summary.clone(), JsValue::NULL, job, workers, cores);
        get(&e.unwrap(), "seconds").as_f64().unwrap()
    };
    assert!((on(3, Some(1)) - on(1, None)).abs() < 1e-9 * on(1, None));
    assert!(on(3, None) < 0.5 * on(1, None));
    // A bad kind or field throws.
    assert!(estimate_job(
        summary.clone(),
        JsValue::NULL,
        r#"{"kind":"nope"}"#,
        1,
        None
    )
    .is_err());
    assert!(estimate_job(
        summary,
        JsValue::NULL,
        r#"{"kind":"single","valuez":[1]}"#,
        1,
        None
    )
    .is_err());
}

/// Issue 19: a file of ~134 M line ends panicked the module ("capacity overflow": 16 bytes were
/// reserved a line, more than wasm32 can address). Records are now counted from the lines that
/// hold something: the file is refused with a message, and the module stays usable.
#[wasm_bindgen_test]
fn a_file_of_line_ends_only_is_refused_without_a_panic() {
    let blank = vec![b'\n'; 1 << 27];
    let e: JsValue = Dataset::from_bytes(blank, "blank.csv")
        .err()
        .expect("refused")
        .into();
    let text = get(&e, "message").as_string().unwrap();
    assert_eq!(text, "blank.csv:0: the file is empty");
    let ok = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    assert_eq!(get(&ok.summary().unwrap(), "users").as_f64(), Some(60.0));
}

/// The pool's worker 0 sends the others the parsed data set as a bundle: it reads back the same.
#[wasm_bindgen_test]
fn to_bundle_reads_back_as_the_same_data_set() {
    let ds = Dataset::from_bytes(synthetic_csv(), "ratings.csv").unwrap();
    let copy = Dataset::from_bytes(ds.to_bundle(), "ratings.csv").unwrap();
    for key in ["name", "users", "items", "interactions", "ratings"] {
        assert_eq!(
            get(&ds.summary().unwrap(), key).as_string(),
            get(&copy.summary().unwrap(), key).as_string()
        );
        assert_eq!(
            get(&ds.summary().unwrap(), key).as_f64(),
            get(&copy.summary().unwrap(), key).as_f64()
        );
    }
}
