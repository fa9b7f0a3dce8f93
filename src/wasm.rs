//! The only module that knows about JavaScript: a thin wasm-bindgen layer over the compute core.
//! A worker loads a `Dataset`, starts a `Job` from a job (`Job.start`: the JSON text of an
//! `experiment::JobSpec`, `{kind, ...fields}`) and calls `step()` in a loop, posting progress
//! between calls and dropping the job to cancel. For a pool of workers a job is split into units
//! (`planJob`), each run by a `Unit`, and the pieces are put back together by `aggregateJob`. An
//! `Audit` (src/audit/) is stepped the same way.
//!
//! Values cross as JSON: a job is JSON text; other objects go through `JSON.stringify` and
//! `JSON.parse` here (serde_json both ways, floats correctly rounded: the numbers are bit for bit
//! the ones a JS value would carry). serde-wasm-bindgen, which did this before, was a second serde
//! back end beside serde_json in the module (docs/performance.md "First load").

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::Config;
use crate::experiment::served::ServedCache;
use crate::experiment::units::{Piece, Plan, UnitRun};
use crate::experiment::{Job as CoreJob, JobResult, JobSpec};
use crate::recommender::RecommenderKind;

/// The `performance` object of the global scope this module runs in: the page's worker, a window
/// (wasm-bindgen browser tests) or Node (wasm-bindgen Node tests, which have neither type).
fn performance() -> Option<web_sys::Performance> {
    let global = js_sys::global();
    if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        return w.performance();
    }
    if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        return w.performance();
    }
    let p = js_sys::Reflect::get(&global, &JsValue::from_str("performance")).ok()?;
    p.is_object().then(|| p.unchecked_into())
}

/// A clock in milliseconds for the pipeline's stage timings (`Instant::now()` panics on wasm32).
fn clock() -> impl Fn() -> f64 + 'static {
    let perf = performance();
    move || perf.as_ref().map_or(0.0, web_sys::Performance::now)
}

/// With `panic = "abort"` the browser would only say "unreachable": log the message first.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("memberlens panicked: {info}").into())
    }));
}

/// A fresh seed from the browser's cryptographic random source, for the page's "new random seed"
/// button. Runs stay reproducible: the page writes the seed into the link like any other.
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> Result<u32, JsError> {
    getrandom::u32().map_err(|e| JsError::new(&format!("no random source: {e}")))
}

/// `v` as a JS value: its JSON text, parsed by the host (`JSON.parse`).
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(v).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("JSON.parse refused the core's output"))
}

/// A JS value's JSON text (`JSON.stringify`); `what` names it in errors. `undefined` and `null`
/// are `null`.
fn json_text(value: &JsValue, what: &str) -> Result<String, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok("null".into());
    }
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| JsError::new(&format!("{what}: not a JSON value")))?;
    Ok(String::from(text))
}

/// A JS value read as `T` through its JSON text; errors start with `what`.
fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    serde_json::from_str(&json_text(value, what)?)
        .map_err(|e| JsError::new(&format!("{what}: {e}")))
}

fn err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Parses a (possibly partial) config object; missing keys take their defaults, unknown keys are
/// an error.
fn config_from_js(value: JsValue) -> Result<Config, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Config::default());
    }
    Config::from_json(from_js(&value, "config")?).map_err(err)
}

/// A job from its JSON text (`{kind, ...fields}`, experiment::JobSpec).
fn job_from_text(job: &str) -> Result<JobSpec, JsError> {
    JobSpec::from_json_text(job).map_err(err)
}

/// The full default config (every key, documented in `Config`).
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config() -> Result<JsValue, JsError> {
    to_js(&Config::default())
}

/// Checks a partial config and returns it completed with defaults; throws naming the bad key.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config: JsValue) -> Result<JsValue, JsError> {
    to_js(&config_from_js(config)?)
}

/// A parsed ratings data set.
#[wasm_bindgen]
pub struct Dataset {
    inner: Arc<crate::Dataset>,
    /// Seeds whose recommenders this worker trained for a pooled sweep's run: its next runs of the
    /// same seed and recommender settings (a k-sweep's other values) reuse them
    /// (experiment::served). A new data set starts a new cache.
    served: Arc<ServedCache>,
}

/// Served entries a worker keeps (experiment::served says why; js/pool.js mirrors it). An entry is
/// lists and a split: about 1 MB on the bundled data (`cost::served_bytes`).
const SERVED_SEEDS: usize = crate::experiment::served::PAGE_SERVED_ENTRIES;

#[wasm_bindgen]
impl Dataset {
    /// Parses ratings.csv, u.data, ratings.dat or a MemberLens bundle; errors say "file:line: what".
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Dataset, JsError> {
        // Owned, so a text file's copy in wasm memory is freed before indexing (a lower peak).
        let inner = crate::Dataset::parse_owned(bytes, name).map_err(err)?;
        Ok(Dataset {
            inner: Arc::new(inner),
            served: Arc::new(ServedCache::new(SERVED_SEEDS)),
        })
    }

    /// {name, users, items, interactions, ratings}
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.summary())
    }

    /// The data set in the bundle format (`memberlens bundle`): a pool's first worker parses the
    /// user's text file and sends this to the others (js/pool.js), so only one worker ever holds
    /// the raw text (whose copy in wasm memory stays reserved for the worker's life).
    #[wasm_bindgen(js_name = toBundle)]
    pub fn to_bundle(&self) -> Vec<u8> {
        self.inner.to_bundle()
    }
}

/// A job run in this worker alone, advanced by `step()`.
#[wasm_bindgen]
pub struct Job {
    inner: CoreJob,
}

#[wasm_bindgen]
impl Job {
    /// The job `job` (JSON text of `{kind, ...fields}`: single, sweep, matrix, frontier or you;
    /// docs/INTERFACES.md "Jobs") with `config` (partial object; defaults fill the rest). `reuse`:
    /// a single run takes its seed's trained recommenders from this data set's cache when an
    /// earlier run here (a single run, a comparison's or a pooled sweep's) trained them with the
    /// same recommender settings, and leaves its own there (experiment::served): a change of the
    /// attacker's settings only (Live mode) re-runs in a fraction of the time, with the numbers a
    /// fresh run gives. Throws on a bad setting before any work ("picks:3: …" for a bad pick).
    pub fn start(
        dataset: &Dataset,
        config: JsValue,
        job: &str,
        reuse: bool,
    ) -> Result<Job, JsError> {
        let cfg = config_from_js(config)?;
        let spec = job_from_text(job)?;
        let clock: Arc<dyn Fn() -> f64> = Arc::new(clock());
        let cache = reuse.then(|| dataset.served.clone());
        let inner = CoreJob::from_spec(dataset.inner.clone(), cfg, &spec, Some(clock), cache)
            .map_err(err)?;
        Ok(Job { inner })
    }

    /// Does a bounded piece of work; returns the progress object (see docs/INTERFACES.md).
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let p = self.inner.step().map_err(err)?;
        to_js(&p)
    }

    /// The run or sweep result; throws if the job is not done.
    pub fn result(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.result().map_err(err)?)
    }

    /// One record per target user of a finished single run (`memberlens run --users`): user,
    /// member, score, rank, history, list, pca, history_centroid, list_centroid, centroid_distance.
    pub fn users(&self) -> Result<JsValue, JsError> {
        match &self.inner {
            CoreJob::Single(p) => match p.user_records() {
                Some(r) => to_js(&r),
                None => Err(JsError::new(
                    "the run has not finished: call step() until done",
                )),
            },
            _ => Err(JsError::new("user records exist for single runs only")),
        }
    }

    /// What a comparison teaches (`eval::takeaways::compare`), this being its finished
    /// popular-list run and `fold_in` its finished fold-in run. A method on the two jobs, not a
    /// function of their results as JS values: reading a `RunReport` back from JSON took its
    /// deserialiser into the core module (docs/performance.md "First load").
    #[wasm_bindgen(js_name = compareTakeaway)]
    pub fn compare_takeaway(&self, fold_in: &Job) -> Result<String, JsError> {
        fn report(j: &Job) -> Result<&crate::report::RunReport, JsError> {
            match j.inner.result().map_err(err)? {
                JobResult::Single(r) => Ok(r),
                _ => Err(JsError::new(
                    "compareTakeaway: both jobs must be single runs",
                )),
            }
        }
        Ok(crate::eval::takeaways::compare(
            report(self)?,
            report(fold_in)?,
        ))
    }
}

/// The named preset (`default` or `paper`) as a full config object; throws on an unknown name.
#[wasm_bindgen(js_name = presetConfig)]
pub fn preset_config(name: &str) -> Result<JsValue, JsError> {
    to_js(&Config::preset(name).map_err(err)?)
}

/// The algorithm names, in the order the page lists them.
#[wasm_bindgen(js_name = recommenderNames)]
pub fn recommender_names() -> Vec<String> {
    RecommenderKind::ALL
        .iter()
        .map(|k| k.id().to_string())
        .collect()
}

/// The config schema version links carry (`v=` in the page's URL; see `config::SCHEMA_VERSION`).
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> u32 {
    crate::config::SCHEMA_VERSION
}

/// The preset names `presetConfig` accepts, in the order the page lists them.
#[wasm_bindgen(js_name = presetNames)]
pub fn preset_names() -> Vec<String> {
    crate::config::PRESETS
        .iter()
        .map(|p| p.to_string())
        .collect()
}

/// The attack names (config key `attack`), in the order the page lists them.
#[wasm_bindgen(js_name = attackNames)]
pub fn attack_names() -> Vec<String> {
    crate::attack::AttackKind::ALL
        .iter()
        .map(|k| k.id().to_string())
        .collect()
}

/// What job `job` (JSON text, `{kind, ...fields}`) will cost in this browser, before it starts
/// (`cost::estimate_job`): `summary` is the data set's `{users, items, interactions, ratings}` (a
/// worker's `Dataset.summary()`), `config` a (partial) config, `workers` how many workers share
/// the runs, `cores` (optional, `navigator.hardwareConcurrency`) how many of them can run at once.
/// Returns `{seconds, bytes, runs, confirm, refused, text}`: `confirm` above a minute, `refused` (a
/// message) above the run limit.
#[wasm_bindgen(js_name = estimateJob)]
pub fn estimate_job(
    summary: JsValue,
    config: JsValue,
    job: &str,
    workers: u32,
    cores: Option<u32>,
) -> Result<JsValue, JsError> {
    estimate(summary, config, &job_from_text(job)?, workers, cores)
}

fn estimate(
    summary: JsValue,
    config: JsValue,
    job: &JobSpec,
    workers: u32,
    cores: Option<u32>,
) -> Result<JsValue, JsError> {
    #[derive(serde::Deserialize)]
    struct Counts {
        users: usize,
        items: usize,
        interactions: usize,
        ratings: usize,
    }
    let c: Counts = from_js(&summary, "summary")?;
    let data = crate::data::DatasetSummary {
        name: String::new(),
        users: c.users,
        items: c.items,
        interactions: c.interactions,
        ratings: c.ratings,
    };
    let cfg = config_from_js(config)?;
    let e = crate::cost::estimate_job_on(
        &cfg,
        &data,
        job,
        workers as usize,
        cores.map_or(workers, |c| c.max(1)) as usize,
        crate::cost::BROWSER_FACTOR,
    )
    .map_err(err)?;
    to_js(&e)
}

// ---- jobs as units, for a pool of workers (www/js/pool.js) ------------------------------------

/// The plan of job `job` (JSON text: `{kind: 'sweep', param, values, seeds}`, `{kind: 'matrix',
/// recommenders, seeds}`, `{kind: 'frontier', defences, strengths, seeds, protocols?}` or
/// `{kind: 'single'}`). A frontier's defences `[]` are every one that applies, panel by panel
/// (`Frontier::panels`, as the CLI and the job run whole take them).
fn plan(dataset: &Dataset, config: JsValue, job: &str) -> Result<Plan, JsError> {
    // First, before any job or piece is read: what follows is then dead code in the core module
    // (src/full.rs), which the linker drops.
    crate::full::required("a job split into units").map_err(err)?;
    let cfg = config_from_js(config)?;
    let spec = job_from_text(job)?;
    Plan::new(dataset.inner.clone(), cfg, &spec).map_err(err)
}

fn pieces_from_js(pieces: JsValue) -> Result<Vec<Piece>, JsError> {
    from_js(&pieces, "pieces")
}

/// The job's units in their fixed order: `[{unit, weight, group, served?, needs?}]`
/// (docs/INTERFACES.md; units with the same `served` reuse one seed's recommenders when run by the
/// same worker; a unit starts from the lists of the units it `needs`). `fine`: split a frontier's
/// seeds into parts and a matrix's seeds into training units and an attack, for more than one
/// worker. Throws on a bad setting, as the job would.
#[wasm_bindgen(js_name = planJob)]
pub fn plan_job(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    fine: bool,
) -> Result<JsValue, JsError> {
    to_js(&plan(dataset, config, job)?.units(fine))
}

/// The report of a job from every unit's piece (any order): the very report the job run whole
/// (`Job.start`) gives, bit for bit (timings aside).
#[wasm_bindgen(js_name = aggregateJob)]
pub fn aggregate_job(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    pieces: JsValue,
) -> Result<JsValue, JsError> {
    let plan = plan(dataset, config, job)?;
    to_js(&plan.aggregate(&pieces_from_js(pieces)?).map_err(err)?)
}

/// A frontier so far from the pieces of its finished units (`Plan::frontier_so_far`), drawn
/// while the rest run.
#[wasm_bindgen(js_name = frontierSoFar)]
pub fn frontier_so_far(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    pieces: JsValue,
) -> Result<JsValue, JsError> {
    let plan = plan(dataset, config, job)?;
    to_js(
        &plan
            .frontier_so_far(&pieces_from_js(pieces)?)
            .map_err(err)?,
    )
}

/// One sweep value's point (mean, std, runs) from the pieces of its seeds, drawn while the rest
/// of the sweep runs; equal to that point of the final report.
#[wasm_bindgen(js_name = sweepPoint)]
pub fn sweep_point(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    value_index: usize,
    pieces: JsValue,
) -> Result<JsValue, JsError> {
    let plan = plan(dataset, config, job)?;
    to_js(
        &plan
            .sweep_point(value_index, &pieces_from_js(pieces)?)
            .map_err(err)?,
    )
}

/// The served seed (every user's list and the recommenders' numbers) that a finished sweep run
/// or matrix training unit left in this worker, for a worker that runs another value of the same
/// seed or the matrix seed's attack (`importServed`), or `null` (docs/INTERFACES.md "Pool").
#[wasm_bindgen(js_name = exportServed)]
pub fn export_served(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    unit: JsValue,
) -> Result<JsValue, JsError> {
    let plan = plan(dataset, config, job)?.with_cache(dataset.served.clone());
    match plan.export_served(unit_from_js(&unit)?) {
        Some(lists) => to_js(&lists),
        None => Ok(JsValue::NULL),
    }
}

/// Takes what another worker served for `unit` (`exportServed`: a sweep run of the same seed, or
/// one of a matrix seed's training units) before the units that start from it run here: they
/// then skip that training and give the numbers training would. Throws if the lists do not fit.
#[wasm_bindgen(js_name = importServed)]
pub fn import_served(
    dataset: &Dataset,
    config: JsValue,
    job: &str,
    unit: JsValue,
    served: JsValue,
) -> Result<(), JsError> {
    let plan = plan(dataset, config, job)?.with_cache(dataset.served.clone());
    let lists = from_js(&served, "served")?;
    plan.import_served(unit_from_js(&unit)?, lists).map_err(err)
}

fn unit_from_js(unit: &JsValue) -> Result<crate::experiment::units::Unit, JsError> {
    from_js(unit, "unit")
}

/// One unit of a job, advanced by `step()`; `piece()` once done.
#[wasm_bindgen]
pub struct Unit {
    inner: UnitRun,
}

#[wasm_bindgen]
impl Unit {
    /// Starts `unit` (one of `planJob`'s `unit` objects) of the job (config, spec).
    pub fn start(
        dataset: &Dataset,
        config: JsValue,
        job: &str,
        unit: JsValue,
    ) -> Result<Unit, JsError> {
        let plan = plan(dataset, config, job)?.with_cache(dataset.served.clone());
        let unit = unit_from_js(&unit)?;
        let inner = plan.start(unit, Some(Arc::new(clock()))).map_err(err)?;
        Ok(Unit { inner })
    }

    /// Does a bounded piece of work; returns the progress object (`fraction` of this unit).
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        // A `Unit` is never made in the core module (`plan`), but an export's body is kept unless
        // cut off here (src/full.rs); so in `piece`, `reused` and the audit's methods.
        crate::full::required("a job split into units").map_err(err)?;
        to_js(&self.inner.step().map_err(err)?)
    }

    /// True when this sweep run (or matrix training unit) started from served recommenders (kept
    /// in this worker or sent by another: `importServed`) instead of training them.
    pub fn reused(&self) -> bool {
        crate::full::ENABLED && self.inner.reused()
    }

    /// The finished unit's piece `{unit, ms, outcome}`, for `aggregateJob`; throws before done.
    pub fn piece(&self) -> Result<JsValue, JsError> {
        crate::full::required("a job split into units").map_err(err)?;
        match self.inner.piece() {
            Some(p) => to_js(p),
            None => Err(JsError::new(
                "the unit has not finished: call step() until done",
            )),
        }
    }
}

// ---- an audit of another service's lists (src/audit/) ------------------------------------------

/// `{name, bytes, sha256}` of a file: the fingerprint the audit report prints for each input.
#[wasm_bindgen(js_name = fileFingerprint)]
pub fn file_fingerprint(bytes: Vec<u8>, name: &str) -> Result<JsValue, JsError> {
    crate::full::required("an audit").map_err(err)?;
    to_js(&crate::audit::html::FileMeta::of(name, &bytes))
}

/// An audit of the lists another service served (docs/audit.md), advanced by `step()` like a job.
#[wasm_bindgen]
pub struct Audit {
    inner: crate::audit::Audit,
    lists: crate::audit::html::FileMeta,
}

#[wasm_bindgen]
impl Audit {
    /// Reads the lists file (`lists_bytes`, named `lists_name` in messages: CSV, JSON Lines or the
    /// JSON array of `memberlens run --users`) against `dataset` (the auditor's interactions) and
    /// prepares the audit with `config` (partial; `recommender` is the shadow's and references'
    /// family). `skip_unknown`: drop and count ids the ratings do not hold instead of throwing
    /// "file:line: …" at the first.
    pub fn start(
        dataset: &Dataset,
        lists_bytes: Vec<u8>,
        lists_name: &str,
        config: JsValue,
        skip_unknown: bool,
    ) -> Result<Audit, JsError> {
        let cfg = config_from_js(config)?;
        let lists = crate::audit::html::FileMeta::of(lists_name, &lists_bytes);
        let read = crate::audit::read_lists(&lists_bytes, lists_name, &dataset.inner, skip_unknown)
            .map_err(err)?;
        let inner = crate::audit::Audit::new(dataset.inner.clone(), cfg, read)
            .map_err(err)?
            .with_clock(Box::new(clock()));
        Ok(Audit { inner, lists })
    }

    /// What the audit will cost in this browser: `{seconds, bytes, text}` (`cost::estimate_audit`
    /// on one worker, times `cost::BROWSER_FACTOR`).
    pub fn estimate(&self, dataset: &Dataset) -> Result<JsValue, JsError> {
        crate::full::required("an audit").map_err(err)?;
        let e = crate::cost::estimate_audit(
            self.inner.config(),
            &dataset.inner.summary(),
            self.inner.lists().users.len(),
            1,
        );
        let seconds = e.seconds * crate::cost::BROWSER_FACTOR;
        let text = format!(
            "about {} and {}",
            crate::cost::describe_seconds(seconds),
            crate::cost::describe_bytes(e.peak_bytes)
        );
        to_js(&serde_json::json!({"seconds": seconds, "bytes": e.peak_bytes, "text": text}))
    }

    /// Does a bounded piece of work; returns the progress object (the run's stage ids).
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        crate::full::required("an audit").map_err(err)?;
        to_js(&self.inner.step().map_err(err)?)
    }

    /// The audit's result (what `memberlens audit --json` prints); throws before done.
    pub fn result(&self) -> Result<JsValue, JsError> {
        crate::full::required("an audit").map_err(err)?;
        match self.inner.report() {
            Some(r) => to_js(r),
            None => Err(JsError::new(
                "the audit has not finished: call step() until done",
            )),
        }
    }

    /// The self-contained HTML report: `date` (YYYY-MM-DD, the page's clock) and `ratings`, the
    /// interactions file's `fileFingerprint`.
    #[wasm_bindgen(js_name = reportHtml)]
    pub fn report_html(&self, date: &str, ratings: JsValue) -> Result<String, JsError> {
        crate::full::required("an audit").map_err(err)?;
        let report = self
            .inner
            .report()
            .ok_or_else(|| JsError::new("the audit has not finished: call step() until done"))?;
        let ratings: crate::audit::html::FileMeta = from_js(&ratings, "ratings")?;
        let meta = crate::audit::html::ReportMeta {
            ratings,
            lists: self.lists.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            date: date.to_string(),
        };
        Ok(crate::audit::html::render(report, &meta))
    }
}
