//! wasm-bindgen tests of the pool's unit API (`planJob`, `Unit`, `aggregateJob`, `sweepPoint`):
//! a sweep's and a frontier's units, run one by one in reverse order with their pieces crossing
//! as JS values, give the report the stepped `Job.start` gives (timings aside), bit for bit;
//! a k-sweep's seed served in one worker and sent as a JS value to another gives the same pieces.

use memberlens::wasm::{
    aggregate_job, export_served, import_served, plan_job, sweep_point, Dataset, Job, Unit,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn csv() -> Vec<u8> {
    crate::two_tastes_csv("\n")
}

const SINGLE: &str = r#"{"kind":"single"}"#;

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn config() -> JsValue {
    json(r#"{"k":8,"top_n":10,"epochs":5,"vector_epochs":3,"attack_epochs":5}"#)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

/// The report's JSON text without `timings_ms` (clock time).
fn text(report: &JsValue) -> String {
    js_sys::Reflect::delete_property(&report.clone().into(), &"timings_ms".into()).unwrap();
    String::from(js_sys::JSON::stringify(report).unwrap())
}

fn run_units(ds: &Dataset, spec: &str, fine: bool) -> js_sys::Array {
    let units: js_sys::Array = plan_job(ds, config(), spec, fine).unwrap().into();
    let pieces = js_sys::Array::new();
    for u in units.iter().collect::<Vec<_>>().into_iter().rev() {
        let mut unit = Unit::start(ds, config(), spec, get(&u, "unit")).unwrap();
        assert!(unit.piece().is_err(), "a piece before the unit is done");
        while !get(&unit.step().unwrap(), "done").as_bool().unwrap() {}
        pieces.push(&unit.piece().unwrap());
    }
    pieces
}

fn job_result(mut job: Job) -> JsValue {
    while !get(&job.step().unwrap(), "done").as_bool().unwrap() {}
    job.result().unwrap()
}

#[wasm_bindgen_test]
fn sweep_units_give_the_job_sweep_report() {
    let ds = Dataset::from_bytes(csv(), "ratings.csv").unwrap();
    let spec = r#"{"kind":"sweep","param":"k","values":[4,8],"seeds":[0,1]}"#;
    let pieces = run_units(&ds, spec, true);
    assert_eq!(pieces.length(), 4);
    let report = aggregate_job(&ds, config(), spec, pieces.clone().into()).unwrap();
    let job = Job::start(&ds, config(), spec, false).unwrap();
    let want = job_result(job);
    let point = sweep_point(&ds, config(), spec, 0, pieces.slice(2, 4).into()).unwrap();
    let first = get(&get(&report, "points"), "0");
    assert_eq!(
        String::from(js_sys::JSON::stringify(&point).unwrap()),
        String::from(js_sys::JSON::stringify(&first).unwrap())
    );
    assert_eq!(text(&report), text(&want));
    // A piece missing: an error, not a report.
    assert!(aggregate_job(&ds, config(), spec, pieces.slice(1, 4).into()).is_err());
    // A bad spec says which key.
    let e = plan_job(&ds, config(), r#"{"kind":"sweep","param":"k"}"#, true).err();
    assert!(e.is_some());
}

#[wasm_bindgen_test]
fn frontier_units_fine_and_coarse_give_the_job_frontier_report() {
    let ds = Dataset::from_bytes(csv(), "ratings.csv").unwrap();
    let spec =
        r#"{"kind":"frontier","defences":["score-noise","dp-sgd"],"strengths":[0,1],"seeds":[0]}"#;
    let job = Job::start(&ds, config(), spec, false).unwrap();
    let want = text(&job_result(job));
    for fine in [true, false] {
        let pieces = run_units(&ds, spec, fine);
        let report = aggregate_job(&ds, config(), spec, pieces.into()).unwrap();
        assert_eq!(text(&report), want, "fine: {fine}");
    }
}

fn piece_of(ds: &Dataset, spec: &str, unit: &JsValue) -> String {
    let mut u = Unit::start(ds, config(), spec, unit.clone()).unwrap();
    while !get(&u.step().unwrap(), "done").as_bool().unwrap() {}
    let piece = u.piece().unwrap();
    String::from(js_sys::JSON::stringify(&get(&piece, "outcome")).unwrap())
}

#[wasm_bindgen_test]
fn a_seed_served_in_one_worker_runs_the_other_values_in_another_with_the_same_numbers() {
    let spec = r#"{"kind":"sweep","param":"vector_k","values":[4,8],"seeds":[0,1]}"#;
    // Two workers: each has its own data set (and so its own cache); a third runs fresh.
    let (a, b, fresh) = (
        Dataset::from_bytes(csv(), "ratings.csv").unwrap(),
        Dataset::from_bytes(csv(), "ratings.csv").unwrap(),
        Dataset::from_bytes(csv(), "ratings.csv").unwrap(),
    );
    let units: js_sys::Array = plan_job(&a, config(), spec, true).unwrap().into();
    let served: Vec<JsValue> = units.iter().map(|u| get(&u, "served")).collect();
    assert_eq!(
        served.iter().map(|v| v.as_f64()).collect::<Vec<_>>(),
        [Some(0.0), Some(1.0), Some(0.0), Some(1.0)]
    );
    let unit = |i: u32| get(&units.get(i), "unit");
    // Worker A runs seed 0's first value and exports what it served (nothing of seed 1).
    let first = piece_of(&a, spec, &unit(0));
    assert_eq!(first, piece_of(&fresh, spec, &unit(0)));
    let lists = export_served(&a, config(), spec, unit(0)).unwrap();
    assert!(!lists.is_null());
    assert!(export_served(&a, config(), spec, unit(1))
        .unwrap()
        .is_null());
    // Worker B takes those lists as a JS value (a structured clone) and runs seed 0's next value.
    let cloned = json(&String::from(js_sys::JSON::stringify(&lists).unwrap()));
    import_served(&b, config(), spec, unit(2), cloned.clone()).unwrap();
    assert_eq!(
        piece_of(&b, spec, &unit(2)),
        piece_of(&fresh, spec, &unit(2))
    );
    // Lists of seed 0 do not go with seed 1's runs.
    assert!(import_served(&b, config(), spec, unit(3), cloned).is_err());
}

#[wasm_bindgen_test]
fn a_single_run_reusing_its_seeds_recommenders_equals_a_fresh_one() {
    let ds = Dataset::from_bytes(csv(), "ratings.csv").unwrap();
    let fresh = Dataset::from_bytes(csv(), "ratings.csv").unwrap();
    let with_vk = |vk: u32| {
        json(&format!(
            r#"{{"k":8,"top_n":10,"epochs":5,"vector_epochs":3,"attack_epochs":5,"vector_k":{vk}}}"#
        ))
    };
    let first = job_result(Job::start(&ds, with_vk(4), SINGLE, true).unwrap());
    let second = job_result(Job::start(&ds, with_vk(6), SINGLE, true).unwrap());
    // The second run skipped the recommender stages (timed 0) and gave a fresh run's numbers.
    let timings = get(&second, "timings_ms");
    assert_eq!(get(&timings, "target_recommender").as_f64(), Some(0.0));
    assert_eq!(
        text(&first),
        text(&job_result(
            Job::start(&fresh, with_vk(4), SINGLE, false).unwrap()
        ))
    );
    assert_eq!(
        text(&second),
        text(&job_result(
            Job::start(&fresh, with_vk(6), SINGLE, false).unwrap()
        ))
    );
}
