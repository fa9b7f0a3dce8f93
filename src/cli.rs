//! The native command line: `run`, `sweep`, `matrix`, `frontier`, `audit`, `synth`, `titles` and
//! `bundle`.
//! Progress goes to stderr (a bar when stderr is a terminal); with `--json`, stdout is exactly one
//! JSON object.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, Protocol};
use crate::cost;
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::experiment::frontier::{DEFAULT_NATURAL_EPOCHS, DEFAULT_STRENGTHS};
use crate::experiment::parallel::{self, SharedClock, Workers};
use crate::experiment::{Job, JobResult, JobSpec};
use crate::output::{self, Output};
use crate::pipeline::Pipeline;
use crate::recommender::RecommenderKind;
use crate::report::Progress;

#[derive(Parser, Debug)]
#[command(
    name = "memberlens",
    version,
    about = "Membership inference against recommender systems"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// One full run of the attack.
    Run(RunArgs),
    /// One numeric parameter over several values and seeds (mean ± std).
    Sweep(SweepArgs),
    /// Every (shadow, target) pair of recommender algorithms: does the attack transfer?
    Matrix(MatrixArgs),
    /// Write the compact movie-title file the web page's user cards load (from movies.csv).
    Titles {
        /// MovieLens movies.csv
        #[arg(long)]
        movies: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// replace an existing --out file that is not an earlier titles file
        #[arg(long)]
        force: bool,
    },
    /// Defences at several strengths: how far the attack falls and what recall pays.
    Frontier(FrontierArgs),
    /// Write a synthetic MovieLens-shaped ratings.csv (power-law popularity and activity).
    Synth(SynthArgs),
    /// Audit another recommender from the lists it served: every attack an outsider could run.
    Audit(AuditArgs),
    /// Write the compact data copy the web page ships.
    Bundle {
        /// ratings.csv, u.data or ratings.dat
        #[arg(long)]
        ratings: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// replace an existing --out file that is not an earlier bundle
        #[arg(long)]
        force: bool,
    },
}

/// Options shared by `run` and `sweep`; an option not given takes the `Config` default.
#[derive(Args, Debug)]
struct Common {
    /// ratings.csv (MovieLens), u.data (ML-100K), ratings.dat (ML-1M) or a bundle
    #[arg(long)]
    ratings: PathBuf,
    /// start from a named config: default, or paper (the paper-faithful settings, schema 1's defaults)
    #[arg(long)]
    preset: Option<String>,
    #[arg(long)]
    seed: Option<u32>,
    /// latent dimension of the factor recommenders (lfm, bpr)
    #[arg(long)]
    k: Option<u32>,
    /// length of the attacker's item vectors (0 = the recommenders' k)
    #[arg(long = "vector-k")]
    vector_k: Option<u32>,
    #[arg(long, value_parser = typed_finite)]
    lr: Option<Typed>,
    #[arg(long, value_parser = typed_finite)]
    reg: Option<Typed>,
    #[arg(long)]
    epochs: Option<u32>,
    #[arg(long = "top-n")]
    top_n: Option<u32>,
    /// how non-members are served
    #[arg(long, value_enum)]
    protocol: Option<ProtocolArg>,
    /// drop already-seen items from recommendation lists
    #[arg(long)]
    exclude_seen: bool,
    /// defence of the target service: none, popularity-randomisation, list-perturbation,
    /// score-noise, dp-sgd
    #[arg(long)]
    defence: Option<String>,
    /// how strongly the defence acts, 0 (off) to 1 (strongest)
    #[arg(long = "defence-strength", value_parser = typed_finite)]
    defence_strength: Option<Typed>,
    /// any other config key as a JSON object, e.g. '{"hidden1":64,"weighting":"uniform"}'
    #[arg(long)]
    config: Option<String>,
    /// print one JSON object on stdout instead of a summary
    #[arg(long)]
    json: bool,
    /// run even if the job is estimated above the time or memory limit, or has too many runs
    /// (`run`: also replace an existing --users file that is not an earlier users file)
    #[arg(long)]
    force: bool,
}

/// A number flag: finite, or refused (a NaN or infinity must never fall back to a default).
fn finite(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) => Err(format!("{v} is not a finite number")),
        Err(e) => Err(e.to_string()),
    }
}

/// A protocol name in a list flag (`--protocols popular,fold-in`).
fn protocol_arg(text: &str) -> std::result::Result<Protocol, String> {
    match text.trim() {
        "popular" => Ok(Protocol::Popular),
        "fold-in" => Ok(Protocol::FoldIn),
        other => Err(format!(
            "unknown protocol '{}' (allowed: popular, fold-in)",
            crate::error::shorten(other)
        )),
    }
}

/// A number flag as typed and as read: the text lets the config judge a number that rounds onto
/// an end of its range (`Config::check_typed`).
#[derive(Clone, Debug)]
struct Typed {
    value: f64,
    text: String,
}

fn typed_finite(text: &str) -> std::result::Result<Typed, String> {
    Ok(Typed {
        value: finite(text)?,
        text: text.trim().to_string(),
    })
}

impl Typed {
    fn entry(&self, key: &str) -> Option<crate::json_text::Entry> {
        Some(crate::json_text::Entry {
            key: key.into(),
            value: serde_json::Number::from_f64(self.value)?.into(),
            text: self.text.clone(),
        })
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ProtocolArg {
    Popular,
    FoldIn,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    parallel: Parallel,
    /// also write one JSON record per target user (id, member, score, rank, history, list, …) here
    #[arg(long)]
    users: Option<PathBuf>,
    /// "Would it spot you?": add yourself as one more user who likes the 5–20 movies in FILE (one
    /// movie id per line, or CSV with a movieId column) and run twice, with you as a member and as
    /// a non-member of the target
    #[arg(long, value_name = "FILE", conflicts_with = "users")]
    you: Option<PathBuf>,
}

/// `audit`: the auditor's interactions (`--ratings`) and the audited users' lists.
#[derive(Args, Debug)]
struct AuditArgs {
    /// the lists the audited service served: CSV (user,member,list[,reference_list]), JSON Lines,
    /// or the JSON array `memberlens run --users` writes (docs/audit.md)
    #[arg(long)]
    lists: PathBuf,
    /// family of the attacker's shadow and reference recommenders: lfm, item-knn, bpr, ncf,
    /// popularity (default: the config's recommender)
    #[arg(long)]
    shadow: Option<String>,
    /// also write a self-contained HTML report here
    #[arg(long)]
    report: Option<PathBuf>,
    /// drop list items and users the ratings do not hold (counted in the warnings) instead of
    /// stopping at the first
    #[arg(long = "skip-unknown")]
    skip_unknown: bool,
    #[command(flatten)]
    parallel: Parallel,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// config key to vary: k, lr, reg, epochs, top_n, … (any numeric key)
    #[arg(long)]
    param: String,
    /// comma-separated values, e.g. 10,20,30
    #[arg(long, value_delimiter = ',', required = true, value_parser = typed_finite)]
    values: Vec<Typed>,
    /// comma-separated seeds, e.g. 0,1,2
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    seeds: Vec<u32>,
    #[command(flatten)]
    parallel: Parallel,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct SynthArgs {
    #[arg(long)]
    users: u32,
    /// catalogue size (items nobody happens to rate do not appear in the file)
    #[arg(long)]
    items: u32,
    /// number of rows (at least 5 per user, at most users × items)
    #[arg(long)]
    ratings: u64,
    #[arg(long, default_value_t = 0)]
    seed: u32,
    #[arg(long)]
    out: PathBuf,
    /// generate even if estimated above the time or memory limit, and replace an existing --out
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
struct MatrixArgs {
    /// comma-separated algorithms (default: all): rows are the shadow model's, columns the target's
    #[arg(long, value_delimiter = ',')]
    recommenders: Option<Vec<String>>,
    /// comma-separated seeds, e.g. 0,1,2
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    seeds: Vec<u32>,
    #[command(flatten)]
    parallel: Parallel,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct FrontierArgs {
    /// comma-separated defences (default: every one that applies to the config):
    /// popularity-randomisation, list-perturbation, score-noise, dp-sgd
    #[arg(long, value_delimiter = ',')]
    defences: Option<Vec<String>>,
    /// comma-separated strengths in [0, 1]
    #[arg(long, value_delimiter = ',', value_parser = finite)]
    strengths: Option<Vec<f64>>,
    /// comma-separated seeds, e.g. 0,1,2
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    seeds: Vec<u32>,
    /// comma-separated epoch counts of the undefended "natural" frontier (lfm only)
    #[arg(long = "natural-epochs", value_delimiter = ',')]
    natural_epochs: Option<Vec<u32>>,
    /// comma-separated protocols, one panel each (default: popular,fold-in)
    #[arg(long, value_delimiter = ',', value_parser = protocol_arg)]
    protocols: Option<Vec<Protocol>>,
    #[command(flatten)]
    parallel: Parallel,
    #[command(flatten)]
    common: Common,
}

/// How many runs (sweep), seed parts (matrix: each algorithm's training and the attack; frontier)
/// run at once.
#[derive(Args, Debug)]
struct Parallel {
    /// worker threads (default: the cores available); results are identical for every value
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    jobs: Option<u32>,
}

impl Parallel {
    /// The threads to use: `--jobs`, at most the cores this process may use (more threads only
    /// share the same cores, and an estimate divided by them would be wrong), or all of them.
    fn jobs(&self) -> usize {
        let cores = parallel::default_jobs();
        match self.jobs {
            Some(j) if j as usize > cores => {
                eprintln!(
                    "note: --jobs {j} is more than the {cores} core{} here: using {cores}",
                    if cores == 1 { "" } else { "s" }
                );
                cores
            }
            Some(j) => j as usize,
            None => cores,
        }
    }
}

impl Common {
    fn config(&self) -> Result<Config> {
        let mut entries = match &self.config {
            Some(s) => crate::json_text::object_entries(s, "--config")?,
            None => Vec::new(),
        };
        let protocol = self.protocol.map(|p| match p {
            ProtocolArg::Popular => Protocol::Popular,
            ProtocolArg::FoldIn => Protocol::FoldIn,
        });
        let whole = |key: &str, v: Option<u32>| {
            v.map(|v| crate::json_text::Entry {
                key: key.into(),
                value: v.into(),
                text: v.to_string(),
            })
        };
        let text = |key: &str, v: Option<String>| {
            v.map(|v| crate::json_text::Entry {
                key: key.into(),
                text: v.clone(),
                value: v.into(),
            })
        };
        let flags = [
            whole("seed", self.seed),
            whole("k", self.k),
            whole("vector_k", self.vector_k),
            self.lr.as_ref().and_then(|t| t.entry("lr")),
            self.reg.as_ref().and_then(|t| t.entry("reg")),
            whole("epochs", self.epochs),
            whole("top_n", self.top_n),
            protocol.map(|p| crate::json_text::Entry {
                key: "protocol".into(),
                value: serde_json::to_value(p).expect("serialises"),
                text: String::new(),
            }),
            self.exclude_seen.then(|| crate::json_text::Entry {
                key: "exclude_seen".into(),
                value: true.into(),
                text: "true".into(),
            }),
            text("defence", self.defence.clone()),
            self.defence_strength
                .as_ref()
                .and_then(|t| t.entry("defence_strength")),
        ];
        // Flags win over --config; flags not given leave the key to --config or the default.
        for flag in flags.into_iter().flatten() {
            entries.retain(|e| e.key != flag.key);
            entries.push(flag);
        }
        let base = match &self.preset {
            Some(name) => Config::preset(name)?,
            None => Config::default(),
        };
        Config::from_entries_over(&base, entries)
    }
}

fn clock() -> Box<dyn Fn() -> f64> {
    let start = Instant::now();
    Box::new(move || start.elapsed().as_secs_f64() * 1000.0)
}

fn shared_clock() -> SharedClock {
    let start = Instant::now();
    Arc::new(move || start.elapsed().as_secs_f64() * 1000.0)
}

/// Runs a parallel job with a progress bar on a terminal; `what` names its pieces ("runs", "seeds").
fn with_workers<T>(jobs: usize, what: &str, f: impl FnOnce(Workers<'_>) -> Result<T>) -> Result<T> {
    let bar = progress_bar();
    let c = shared_clock();
    let on_progress = |fraction: f64, done: usize, n: usize| {
        if let Some(b) = &bar {
            b.set_position((fraction * 1000.0) as u64);
            b.set_message(format!("{done}/{n} {what} finished on {jobs} threads"));
        }
    };
    let out = f(Workers {
        jobs,
        clock: Some(&c),
        progress: Some(&on_progress),
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// A progress bar on a terminal, nothing otherwise (scripts and CI get clean stderr).
fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {percent:>3}% {msg}").expect("valid template"),
    );
    Some(bar)
}

fn show(bar: &Option<ProgressBar>, p: &Progress) {
    if let Some(b) = bar {
        b.set_position((p.fraction * 1000.0) as u64);
        let run = if p.run_count > 1 {
            format!("run {}/{} ", p.run_index + 1, p.run_count)
        } else {
            String::new()
        };
        b.set_message(format!("{run}{}: {}", p.stage.id(), p.message));
    }
}

fn load(path: &std::path::Path) -> Result<Arc<Dataset>> {
    Ok(Arc::new(Dataset::load(path)?))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("reports serialise")
}

/// Steps a job to the end with a progress bar, then prints its result; returns the finished job.
fn finish(mut job: Job, json: bool) -> Result<Job> {
    let bar = progress_bar();
    loop {
        let p = job.step()?;
        show(&bar, &p);
        if p.done {
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    print_result(&job.result()?, json);
    Ok(job)
}

fn print_result(result: &JobResult<'_>, json: bool) {
    match result {
        r if json => println!("{}", to_json(r)),
        r => print!("{}", crate::cli_text::text(r)),
    }
}

/// Prints the estimate of jobs above `cost::NOTICE_SECONDS` to stderr and refuses, without
/// `--force`, a job estimated above `cost::MAX_SECONDS` or `cost::MAX_BYTES`.
fn check_cost(estimate: cost::Estimate, what: &str, force: bool) -> Result<()> {
    let over = estimate.over_limits();
    if !over.is_empty() && !force {
        // The refusal alone (it holds the estimate): an error is one line.
        return Err(Error::State(format!(
            "{what} is estimated at {}, above {over}: pass --force to run it anyway",
            estimate.describe()
        )));
    }
    if estimate.seconds > cost::NOTICE_SECONDS {
        eprintln!("estimate: {what} takes about {}", estimate.describe());
    }
    Ok(())
}

/// Refuses, without `--force`, more than `cost::MAX_RUNS` runs (sweep) or seeds (matrix).
fn check_runs(runs: usize, what: &str, force: bool) -> Result<()> {
    if runs > cost::MAX_RUNS && !force {
        return Err(Error::State(format!(
            "{what} has {runs} runs, above the limit of {}: pass --force to run it anyway",
            cost::MAX_RUNS
        )));
    }
    Ok(())
}

/// A flag's name for a job field in messages: `natural_epochs` is `--natural-epochs`.
fn flag(field: &str) -> String {
    format!("--{}", field.replace('_', "-"))
}

/// A sweep, matrix or frontier: the job checked (`JobSpec::validate`, fields named as flags)
/// and held to the run limit before the data set loads, then to the cost limits, then run on
/// every thread (`parallel::run`, the one entry for any job) and printed.
fn run_job(cfg: Config, spec: JobSpec, common: &Common, parallel: &Parallel) -> Result<()> {
    spec.validate_named(&cfg, &flag)?;
    let seeds = spec.seeds().len();
    let what = match &spec {
        JobSpec::Sweep { values, .. } => {
            format!("this sweep ({} values × {seeds} seeds)", values.len())
        }
        JobSpec::Matrix { recommenders, .. } => {
            format!(
                "this matrix ({seeds} seeds × {} recommenders)",
                recommenders.len()
            )
        }
        JobSpec::Frontier { .. } => format!("this frontier ({seeds} seeds)"),
        other => format!("this {} job", other.kind()),
    };
    check_runs(spec.runs(), &what, common.force)?;
    let data = load(&common.ratings)?;
    let jobs = parallel.jobs();
    let estimate = cost::estimate_spec(&cfg, &data.summary(), &spec, jobs)?;
    // A frontier's estimate is of its parts, not its threads.
    let label = match &spec {
        JobSpec::Frontier { .. } => what,
        _ => format!("{what} on {jobs} threads"),
    };
    check_cost(estimate, &label, common.force)?;
    let pieces = match &spec {
        JobSpec::Sweep { .. } => "runs",
        // More than one thread: each seed's algorithms train as parts of their own.
        JobSpec::Matrix { .. } if jobs > 1 => "seed parts",
        JobSpec::Matrix { .. } => "seeds",
        JobSpec::Frontier { .. } => "parts",
        _ => "units",
    };
    let report = with_workers(jobs, pieces, |w| parallel::run(data, cfg, &spec, w))?;
    print_result(&report.as_result(), common.json);
    Ok(())
}

/// `run --you FILE`: the picks are read and checked before the data set's runs.
fn run_you(path: &std::path::Path, cfg: Config, common: &Common) -> Result<()> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: crate::error::shorten_to(&name, crate::error::NAME_MAX),
        source,
    })?;
    let picks = crate::experiment::you::parse_picks(&bytes, &name)?;
    let data = load(&common.ratings)?;
    let estimate = cost::estimate(&cfg, &data.summary(), 1);
    check_cost(estimate, "each of the two runs", common.force)?;
    let you = crate::experiment::you::You::new(&data, cfg, &picks, &name)?.with_clock(clock);
    finish(Job::You(Box::new(you)), common.json)?;
    Ok(())
}

/// Runs the command line; the caller prints the error and exits non-zero.
pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => {
            let cfg = a.common.config()?;
            // Before the run: an output that would be refused costs no run.
            let users = a
                .users
                .as_deref()
                .map(|path| {
                    Output::check(
                        "--users",
                        path,
                        output::Kind::Users,
                        &[("--ratings", &a.common.ratings)],
                        a.common.force,
                    )
                })
                .transpose()?;
            if let Some(path) = &a.you {
                return run_you(path, cfg, &a.common);
            }
            let data = load(&a.common.ratings)?;
            let estimate = cost::estimate(&cfg, &data.summary(), 1);
            check_cost(estimate, "this run", a.common.force)?;
            let jobs = a.parallel.jobs();
            // A lira run's reference models train on every core; the per-user records need the
            // run itself, which only the stepped run keeps.
            if cfg.attack == crate::attack::AttackKind::Lira && jobs > 1 && a.users.is_none() {
                let spec = JobSpec::Single {};
                let report = with_workers(jobs, "units", |w| parallel::run(data, cfg, &spec, w))?;
                print_result(&report.as_result(), a.common.json);
                return Ok(());
            }
            let p = Pipeline::new(data, cfg)?.with_clock(clock());
            let job = finish(Job::Single(Box::new(p)), a.common.json)?;
            if let (Some(out), Job::Single(p)) = (&users, &job) {
                let records = p.user_records().expect("the run is done");
                out.write(|w| {
                    serde_json::to_writer(&mut *w, &records).map_err(|e| Error::Io {
                        path: String::new(),
                        source: e.into(),
                    })
                })?;
            }
        }
        Command::Sweep(a) => {
            let cfg = a.common.config()?;
            // Check the swept values before spending time on the data.
            for v in &a.values {
                cfg.with_param(&a.param, v.value)?;
                let given = serde_json::Map::from_iter(v.entry(&a.param).map(|e| (e.key, e.value)));
                cfg.check_typed(&given, &a.param, &v.text)?;
            }
            let spec = JobSpec::Sweep {
                param: a.param.clone(),
                values: a.values.iter().map(|v| v.value).collect(),
                seeds: a.seeds.clone(),
            };
            run_job(cfg, spec, &a.common, &a.parallel)?;
        }
        Command::Matrix(a) => {
            let cfg = a.common.config()?;
            let kinds = match &a.recommenders {
                Some(names) => names
                    .iter()
                    .map(|n| RecommenderKind::parse("recommenders", n.trim()))
                    .collect::<Result<Vec<_>>>()?,
                None => RecommenderKind::ALL.to_vec(),
            };
            let spec = JobSpec::Matrix {
                recommenders: kinds,
                seeds: a.seeds.clone(),
            };
            run_job(cfg, spec, &a.common, &a.parallel)?;
        }
        Command::Synth(a) => {
            let params = crate::synth::SynthParams {
                users: a.users,
                items: a.items,
                ratings: a.ratings,
                seed: a.seed,
            };
            params.check()?;
            let out = Output::check("--out", &a.out, output::Kind::Synth, &[], a.force)?;
            check_cost(
                cost::estimate_synth(&params),
                "this synthetic file",
                a.force,
            )?;
            let rows = out.write(|w| crate::synth::write_csv(&params, w))?;
            eprintln!(
                "synthetic: {} users, {} items, {rows} ratings (seed {}) → {}",
                a.users,
                a.items,
                a.seed,
                output::shown(&a.out)
            );
        }
        Command::Titles { movies, out, force } => {
            let target = Output::check(
                "--out",
                &out,
                output::Kind::Titles,
                &[("--movies", &movies)],
                force,
            )?;
            // Messages name the file as the data set's do: its name, not its whole path.
            let name = movies.file_name().map_or_else(
                || output::shown(&movies),
                |n| n.to_string_lossy().into_owned(),
            );
            let bytes =
                std::fs::read(&movies).map_err(|source| output::io_error(&movies, source))?;
            let list = crate::data::titles::parse_movies(&bytes, &name)?;
            target.write(|w| {
                w.write_all(crate::data::titles::to_tsv(&list).as_bytes())
                    .map_err(|source| output::io_error(&out, source))
            })?;
            eprintln!(
                "{}: {} titles → {}",
                crate::error::shorten_to(&name, crate::error::NAME_MAX),
                list.len(),
                output::shown(&out)
            );
        }
        Command::Frontier(a) => {
            let cfg = a.common.config()?;
            // None: every defence that applies, per panel.
            let defences = match &a.defences {
                Some(names) => names
                    .iter()
                    .map(|n| DefenceKind::parse("defences", n.trim()))
                    .collect::<Result<Vec<_>>>()?,
                None => Vec::new(),
            };
            let spec = JobSpec::Frontier {
                defences,
                strengths: a.strengths.clone().unwrap_or(DEFAULT_STRENGTHS.to_vec()),
                seeds: a.seeds.clone(),
                natural_epochs: a
                    .natural_epochs
                    .clone()
                    .unwrap_or(DEFAULT_NATURAL_EPOCHS.to_vec()),
                protocols: a
                    .protocols
                    .clone()
                    .unwrap_or(crate::experiment::frontier::DEFAULT_PROTOCOLS.to_vec()),
            };
            run_job(cfg, spec, &a.common, &a.parallel)?;
        }
        Command::Audit(a) => {
            let command = crate::audit::command::AuditCommand {
                cfg: a.common.config()?,
                ratings: &a.common.ratings,
                lists: &a.lists,
                shadow: a.shadow.as_deref(),
                report: a.report.as_deref(),
                skip_unknown: a.skip_unknown,
                json: a.common.json,
                jobs: a.parallel.jobs(),
            };
            let force = a.common.force;
            crate::audit::command::run(command, &|e, what| check_cost(e, what, force))?;
        }
        Command::Bundle {
            ratings,
            out,
            force,
        } => {
            let target = Output::check(
                "--out",
                &out,
                output::Kind::Bundle,
                &[("--ratings", &ratings)],
                force,
            )?;
            let data = Dataset::load(&ratings)?;
            let bytes = data.to_bundle();
            target.write(|w| {
                w.write_all(&bytes)
                    .map_err(|source| output::io_error(&out, source))
            })?;
            let s = data.summary();
            eprintln!(
                "{}: {} users, {} items, {} interactions → {} ({} bytes)",
                crate::error::shorten_to(&s.name, crate::error::NAME_MAX),
                s.users,
                s.items,
                s.interactions,
                output::shown(&out),
                bytes.len()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_gate_refuses_over_the_limits_unless_forced() {
        let big = cost::Estimate {
            seconds: 2.0 * cost::MAX_SECONDS,
            peak_bytes: 1e6,
        };
        let e = check_cost(big, "this run", false).unwrap_err().to_string();
        assert_eq!(
            e,
            "this run is estimated at 20 min 0 s, 1 MiB, above the 10 min 0 s time limit: pass --force to run it anyway"
        );
        assert!(check_cost(big, "this run", true).is_ok());
        let fine = cost::Estimate {
            seconds: 1.0,
            peak_bytes: 1e6,
        };
        assert!(check_cost(fine, "this run", false).is_ok());
        let e = check_runs(cost::MAX_RUNS + 1, "this sweep", false).unwrap_err();
        assert!(
            e.to_string().contains("above the limit of 200") && e.to_string().contains("--force")
        );
        assert!(check_runs(cost::MAX_RUNS + 1, "this sweep", true).is_ok());
        assert!(check_runs(cost::MAX_RUNS, "this sweep", false).is_ok());
    }
}
