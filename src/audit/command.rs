//! `memberlens audit` natively: reads both files (fingerprinting them for the report), estimates
//! the cost first (the CLI's gate refuses above the limits without `--force`), steps the audit with
//! a progress bar on a terminal (the reference models on `--jobs` threads), prints the JSON or the
//! text, and writes the HTML report to a temporary file in the report's directory renamed into
//! place, never over an input.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::html::{FileMeta, ReportMeta};
use super::{read_lists, utc_date, Audit};
use crate::config::{Config, ShadowRecommender};
use crate::cost::{self, Estimate};
use crate::data::Dataset;
use crate::error::{shorten_to, Error, Result, NAME_MAX};
use crate::recommender::RecommenderKind;

/// What the command line asked for.
pub struct AuditCommand<'a> {
    pub cfg: Config,
    pub ratings: &'a Path,
    pub lists: &'a Path,
    /// `--shadow`: the family of the shadow and the references (default: the config's recommender).
    pub shadow: Option<&'a str>,
    pub report: Option<&'a Path>,
    pub skip_unknown: bool,
    pub json: bool,
    pub jobs: usize,
}

fn shown(path: &Path) -> String {
    shorten_to(&path.display().to_string(), NAME_MAX)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: shown(path),
        source,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Refuses a report path that is one of the inputs (the same file by any name).
fn check_output(report: &Path, inputs: &[&Path]) -> Result<()> {
    let target = std::fs::canonicalize(report).ok();
    for input in inputs {
        let same = match (&target, std::fs::canonicalize(input).ok()) {
            (Some(a), Some(b)) => *a == b,
            _ => report == *input,
        };
        if same {
            return Err(Error::State(format!(
                "--report {} is an input of this audit: choose another file",
                shown(report)
            )));
        }
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `path`, then renames it into place: an interrupted
/// write never leaves half a report.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.{}.tmp", file_name(path), std::process::id()));
    let io = |source| Error::Io {
        path: shown(path),
        source,
    };
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// Runs the audit; `gate` is the CLI's cost gate (prints the estimate, refuses without --force).
pub fn run(c: AuditCommand, gate: &dyn Fn(Estimate, &str) -> Result<()>) -> Result<()> {
    let mut cfg = c.cfg;
    if let Some(name) = c.shadow {
        cfg.recommender = RecommenderKind::parse("shadow", name.trim())?;
        cfg.shadow_recommender = ShadowRecommender::Same;
    }
    cfg.check()?;
    if let Some(report) = c.report {
        check_output(report, &[c.ratings, c.lists])?;
    }
    let ratings_bytes = read(c.ratings)?;
    let ratings_meta = FileMeta::of(&file_name(c.ratings), &ratings_bytes);
    let data = Arc::new(Dataset::parse_owned(ratings_bytes, &ratings_meta.name)?);
    let lists_bytes = read(c.lists)?;
    let lists_meta = FileMeta::of(&file_name(c.lists), &lists_bytes);
    let lists = read_lists(&lists_bytes, &lists_meta.name, &data, c.skip_unknown)?;
    drop(lists_bytes);
    let jobs = c.jobs.max(1);
    let estimate = cost::estimate_audit(&cfg, &data.summary(), lists.users.len(), jobs);
    gate(
        estimate,
        &format!(
            "this audit ({} users, {} reference models on {jobs} thread{})",
            lists.users.len(),
            cfg.lira_references,
            if jobs == 1 { "" } else { "s" }
        ),
    )?;
    let start = Instant::now();
    let mut audit = Audit::new(data, cfg, lists)?
        .with_clock(Box::new(move || start.elapsed().as_secs_f64() * 1000.0));
    let bar = progress_bar();
    loop {
        if jobs > 1 && audit.at_references() {
            let on_taken = |taken: u32, k: u32| {
                if let Some(b) = &bar {
                    b.set_message(format!(
                        "reference recommender {taken}/{k} on {jobs} threads"
                    ));
                }
            };
            audit.references_in_parallel(jobs, &on_taken)?;
        }
        let p = audit.step()?;
        if let Some(b) = &bar {
            b.set_position((p.fraction * 1000.0) as u64);
            b.set_message(format!("{}: {}", p.stage.id(), p.message));
        }
        if p.done {
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = audit.report().expect("done");
    if c.json {
        println!(
            "{}",
            serde_json::to_string(report).expect("reports serialise")
        );
    } else {
        print!("{}", super::text::text(report));
    }
    if let Some(path) = c.report {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let meta = ReportMeta {
            ratings: ratings_meta,
            lists: lists_meta,
            version: env!("CARGO_PKG_VERSION").to_string(),
            date: utc_date(now),
        };
        write_atomically(path, &super::html::render(report, &meta))?;
        if !c.json {
            println!("report    {}", shown(path));
        }
    }
    Ok(())
}

/// A progress bar on a terminal, nothing otherwise.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {percent:>3}% {msg}")
            .expect("valid template"),
    );
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_never_replaces_an_input() {
        let dir = std::env::temp_dir().join(format!("memberlens-audit-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("lists.csv");
        std::fs::write(&input, "user,list\n").unwrap();
        let other = dir
            .join("..")
            .join(dir.file_name().unwrap())
            .join("lists.csv");
        let e = check_output(&other, &[&input]).unwrap_err().to_string();
        assert!(e.contains("is an input of this audit"), "{e}");
        let report = dir.join("report.html");
        assert!(check_output(&report, &[&input]).is_ok());
        write_atomically(&report, "<p>one</p>").unwrap();
        write_atomically(&report, "<p>two</p>").unwrap();
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "<p>two</p>");
        // no temporary file is left behind
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
