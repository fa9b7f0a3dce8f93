//! wasm-bindgen tests of the audit's JavaScript-facing layer (`Audit` in `src/wasm.rs`), run in Node
//! by `cargo test --target wasm32-unknown-unknown --test wasm audit::`: stepped like a job, its result
//! is the compute core's report, bad lists throw naming file and line, and the HTML report is one
//! self-contained page with both fingerprints.

use std::sync::Arc;

use memberlens::wasm::{file_fingerprint, Audit, Dataset};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

/// The two-tastes data set of every wasm test (`crate::two_tastes_csv`).
fn ratings_csv() -> Vec<u8> {
    crate::two_tastes_csv("\n")
}

/// Users 1 … 30 audited, even ones members, each served ten items of their own taste.
fn lists_csv() -> String {
    let mut s = String::from("user,member,list\n");
    for u in 1..=30u32 {
        let base = if u % 2 == 0 { 0 } else { 40 };
        let list: Vec<String> = (0..10)
            .map(|j| (base + (j * 3 + u) % 40 + 1).to_string())
            .collect();
        s.push_str(&format!("{u},{},{}\n", u % 2 == 0, list.join(" ")));
    }
    s
}

const CONFIG: &str = r#"{"k":8,"top_n":10,"epochs":5,"vector_epochs":3,"attack_epochs":5,"seed":2,"lira_references":2}"#;

fn config() -> JsValue {
    js_sys::JSON::parse(CONFIG).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

/// A JS value as JSON text, without the wall-clock timings.
fn json(v: &JsValue) -> String {
    let o: &js_sys::Object = v.unchecked_ref();
    js_sys::Reflect::delete_property(o, &"timings_ms".into()).unwrap();
    js_sys::JSON::stringify(v).unwrap().into()
}

#[wasm_bindgen_test]
fn a_stepped_audit_gives_the_cores_report() {
    let ds = Dataset::from_bytes(ratings_csv(), "ratings.csv").unwrap();
    let lists = lists_csv().into_bytes();
    let mut audit = Audit::start(&ds, lists.clone(), "lists.csv", config(), false).unwrap();
    let estimate = audit.estimate(&ds).unwrap();
    assert!(get(&estimate, "seconds").as_f64().unwrap() > 0.0);
    assert!(audit.result().is_err(), "result before done");
    let mut steps = 0;
    loop {
        let p = audit.step().unwrap();
        steps += 1;
        assert!(steps < 100_000, "the audit did not finish");
        if get(&p, "done").as_bool().unwrap() {
            break;
        }
    }
    assert!(steps > 5, "stepped in pieces, not in one call ({steps})");
    let result = audit.result().unwrap();
    let got = json(&result);
    // The compute core on the same bytes and config, run to its end in one go.
    let data =
        Arc::new(memberlens::data::Dataset::parse_owned(ratings_csv(), "ratings.csv").unwrap());
    let read = memberlens::audit::read_lists(&lists, "lists.csv", &data, false).unwrap();
    let cfg = memberlens::config::Config::from_json(serde_json::from_str(CONFIG).unwrap()).unwrap();
    let mut core = memberlens::audit::Audit::new(data, cfg, read).unwrap();
    // The core's JSON read by JS and written again: the page's view of the same report.
    let text = serde_json::to_string(core.run_to_end().unwrap()).unwrap();
    let want = json(&js_sys::JSON::parse(&text).unwrap());
    assert_eq!(got, want);
    let audited = get(&result, "audited");
    assert_eq!(get(&audited, "users").as_f64(), Some(30.0));
    assert!(get(&get(&result, "strongest"), "roc_auc")
        .as_f64()
        .is_some());
    // The report page: both inputs' fingerprints, nothing fetched from elsewhere.
    let ratings = file_fingerprint(ratings_csv(), "ratings.csv").unwrap();
    let sha = get(&ratings, "sha256").as_string().unwrap();
    assert_eq!(sha, memberlens::audit::sha256_hex(&ratings_csv()));
    let html = audit.report_html("2026-12-05", ratings).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..60]);
    assert!(html.contains(&sha));
    assert!(html.contains(&memberlens::audit::sha256_hex(&lists)));
    assert!(html.contains("2026-12-05"));
    assert!(!html.contains("https://"));
}

#[wasm_bindgen_test]
fn bad_lists_throw_naming_file_and_line() {
    let ds = Dataset::from_bytes(ratings_csv(), "ratings.csv").unwrap();
    let mut bad = lists_csv();
    bad.push_str("31,maybe,1 2 3\n");
    let e = Audit::start(&ds, bad.into_bytes(), "lists.csv", config(), false)
        .err()
        .expect("a bad member field throws");
    let text = error_message(e);
    assert!(text.starts_with("lists.csv:32: member"), "{text}");
    let unknown = format!("{}31,true,1 2 9999\n", lists_csv());
    let e = Audit::start(
        &ds,
        unknown.clone().into_bytes(),
        "lists.csv",
        config(),
        false,
    )
    .err()
    .expect("an unknown item throws");
    let text = error_message(e);
    assert!(text.starts_with("lists.csv:32:"), "{text}");
    assert!(text.contains("9999"), "{text}");
    // asked to skip, the same file is read with the unknown item dropped and counted
    let audit = Audit::start(&ds, unknown.into_bytes(), "lists.csv", config(), true);
    assert!(audit.is_ok());
}

/// A thrown `JsError` is a JS `Error`: its message.
fn error_message(e: wasm_bindgen::JsError) -> String {
    let v = JsValue::from(e);
    get(&v, "message").as_string().unwrap()
}
