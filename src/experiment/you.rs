//! "Would it spot you?": the reader picks 5–20 movies they like and joins the data set as one more
//! user with those picks as their history. The run is made twice with the same config and seed —
//! the reader among the target's members (the service trained with them) and among its
//! non-members — and each time says what list the reader was served, the attack's score of them,
//! their rank among the target users, and whether the attack flags them at its own threshold.
//! Everyone else is split exactly as in an ordinary run of the seed (`Halves::split_placing`), so
//! the only difference between the two runs is the reader's membership.
//!
//! Owns: reading and checking the picks (`parse_picks`, `resolve`), the two runs (`You`) and
//! their report (`YouReport`). The CLI (`run --you FILE`) and the page's worker (`Job.start` with a `you` job) call it.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use super::pipeline::{Clock, Pipeline};
use crate::attack::AttackKind;
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{shorten, Error, Result};
use crate::report::Progress;

/// Fewest and most picks: five give the recommenders something to fold in (fewer make a list
/// that is nearly the popular one whatever the picks), twenty keep the picking quick.
pub const MIN_PICKS: usize = 5;
pub const MAX_PICKS: usize = 20;

/// One picked movie id and the line (1-based) it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub id: u64,
    pub line: usize,
}

/// Splits one CSV line into fields, honouring double quotes (a title may hold commas).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads the picks file: one movie id per line, or a CSV file with a `movieId` column (e.g. a
/// copy of some rows of MovieLens `movies.csv` or `ratings.csv`). Blank lines are skipped; LF,
/// CRLF and CR line ends are read alike.
pub fn parse_picks(bytes: &[u8], file: &str) -> Result<Vec<Pick>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::parse(file, 0, format!("not UTF-8 text ({e})")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = physical_lines(text)
        .into_iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let Some(&(first_line, first)) = lines.first() else {
        return Err(Error::parse(
            file,
            0,
            format!("no movie ids (give {MIN_PICKS} to {MAX_PICKS}, one per line, or a CSV with a movieId column)"),
        ));
    };
    let id_of = |line: usize, field: &str| {
        field.trim().parse::<u64>().map_err(|_| {
            Error::parse(
                file,
                line,
                format!(
                    "'{}' is not a movie id (a whole number)",
                    shorten(field.trim())
                ),
            )
        })
    };
    if first.parse::<u64>().is_ok() {
        return lines
            .iter()
            .map(|&(line, l)| {
                Ok(Pick {
                    id: id_of(line, l)?,
                    line,
                })
            })
            .collect();
    }
    let header = fields(first);
    let col = header
        .iter()
        .position(|h| h.trim() == "movieId")
        .ok_or_else(|| {
            Error::parse(
                file,
                first_line,
                "neither a movie id nor a CSV header with a movieId column",
            )
        })?;
    lines[1..]
        .iter()
        .map(|&(line, l)| {
            let f = fields(l);
            let field = f.get(col).ok_or_else(|| {
                Error::parse(file, line, format!("no movieId field (column {})", col + 1))
            })?;
            Ok(Pick {
                id: id_of(line, field)?,
                line,
            })
        })
        .collect()
}

/// The lines of `text`: LF, CRLF and a lone CR each end one.
fn physical_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        if matches!(bytes[i], b'\n' | b'\r') {
            out.push(&text[start..i]);
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Checks the picks against the data set: 5–20 of them, each once, each a movie the data set
/// has; returns their dense item indices, sorted. `source` names where they came from.
pub fn resolve(data: &Dataset, picks: &[Pick], source: &str) -> Result<Vec<u32>> {
    let mut seen = BTreeSet::new();
    let mut items = Vec::with_capacity(picks.len());
    for p in picks {
        if !seen.insert(p.id) {
            return Err(Error::parse(
                source,
                p.line,
                format!("movie {} is picked twice (pick each movie once)", p.id),
            ));
        }
        let i = data.item_ids.binary_search(&p.id).map_err(|_| {
            Error::parse(
                source,
                p.line,
                format!("movie {} is not in the data set (nobody rated it)", p.id),
            )
        })?;
        items.push(i as u32);
    }
    if !(MIN_PICKS..=MAX_PICKS).contains(&picks.len()) {
        return Err(Error::parse(
            source,
            0,
            format!(
                "{} movies picked: pick {MIN_PICKS} to {MAX_PICKS} distinct movies",
                picks.len()
            ),
        ));
    }
    crate::order::u32s(&mut items);
    Ok(items)
}

/// Where one of the two runs put the reader, and what the attack made of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YouSide {
    /// true: the run's target service trained with the reader.
    pub member: bool,
    /// The list the reader was served, best first (the data set's movie ids).
    pub list: Vec<u64>,
    /// How many of the reader's picks are in that list.
    pub picks_in_list: usize,
    /// The headline attack's score of the reader (larger = more likely a member).
    pub score: f64,
    /// 1 = the target user the attack is surest about; `users` target users in all.
    pub rank: usize,
    pub users: usize,
    /// Share of the other target users the attack scored below the reader, in %.
    pub percentile: f64,
    /// The attack's own threshold (the MLP's logit 0, the median for distance and overlap).
    pub threshold: f64,
    /// score ≥ threshold: the attack says "member".
    pub flagged: bool,
    /// The run's ROC-AUC (headline attack), for scale.
    pub roc_auc: f64,
    /// The other target users' scores, by class: the strip the reader is placed on.
    pub member_scores: Vec<f64>,
    pub non_member_scores: Vec<f64>,
}

/// The two runs' answer (CLI `memberlens run --you FILE --json`, wasm `Job.start` with a `you` job).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YouReport {
    /// The reader's picks (movie ids), ascending.
    pub picks: Vec<u64>,
    /// The attack the scores are of (the config's `attack`).
    pub attack: AttackKind,
    pub as_member: YouSide,
    pub as_non_member: YouSide,
    pub config: Config,
}

/// The two runs, stepped one after the other.
pub struct You {
    picks: Vec<u64>,
    reader: u64,
    cfg: Config,
    /// The runs still to do, the member run first.
    runs: Vec<Pipeline>,
    sides: Vec<YouSide>,
    report: Option<YouReport>,
}

impl You {
    /// Checks the picks (named by `source` in errors) and the config; no work is done until `step()`.
    pub fn new(data: &Dataset, cfg: Config, picks: &[Pick], source: &str) -> Result<You> {
        let items = resolve(data, picks, source)?;
        if data.user_ids.last() == Some(&u64::MAX) {
            return Err(Error::Data(
                "the data set's largest user id leaves no id for you".into(),
            ));
        }
        let with_you = Arc::new(data.with_user(&items));
        let reader = *with_you.user_ids.last().expect("just added");
        let runs = [false, true]
            .into_iter()
            .map(|member| Ok(Pipeline::new(with_you.clone(), cfg.clone())?.with_reader(member)))
            .collect::<Result<Vec<_>>>()?;
        Ok(You {
            picks: items.iter().map(|&i| data.item_ids[i as usize]).collect(),
            reader,
            cfg,
            runs,
            sides: Vec::new(),
            report: None,
        })
    }

    /// Times each run's stages with `clock`.
    pub fn with_clock(mut self, clock: impl Fn() -> Clock) -> Self {
        self.runs = self
            .runs
            .into_iter()
            .map(|p| p.with_clock(clock()))
            .collect();
        self
    }

    pub fn report(&self) -> Option<&YouReport> {
        self.report.as_ref()
    }

    /// One bounded piece of work on the current run.
    pub fn step(&mut self) -> Result<Progress> {
        let Some(run) = self.runs.last_mut() else {
            return Ok(Progress::finished(2));
        };
        let i = self.sides.len();
        let mut p = run.step()?;
        if p.done {
            let run = self.runs.pop().expect("not empty");
            self.sides.push(self.side(&run)?);
            if self.runs.is_empty() {
                let mut sides = std::mem::take(&mut self.sides).into_iter();
                let (as_member, as_non_member) = (sides.next(), sides.next());
                self.report = Some(YouReport {
                    picks: self.picks.clone(),
                    attack: self.cfg.attack,
                    as_member: as_member.expect("two runs"),
                    as_non_member: as_non_member.expect("two runs"),
                    config: self.cfg.clone(),
                });
            }
        }
        p.done = self.report.is_some();
        p.fraction = if p.done {
            1.0
        } else {
            (i as f64 + p.fraction) / 2.0
        };
        p.run_index = i;
        p.run_count = 2;
        Ok(p)
    }

    /// The reader's place in a finished run.
    fn side(&self, run: &Pipeline) -> Result<YouSide> {
        let missing = || Error::State("the run ended without its user records".into());
        let records = run.user_records().ok_or_else(missing)?;
        let threshold = run.threshold().ok_or_else(missing)?;
        let me = records
            .iter()
            .find(|r| r.user == self.reader)
            .ok_or_else(missing)?;
        let others: Vec<_> = records.iter().filter(|r| r.user != self.reader).collect();
        let below = others.iter().filter(|r| r.score < me.score).count();
        let scores = |member: bool| {
            others
                .iter()
                .filter(|r| r.member == member)
                .map(|r| r.score)
                .collect()
        };
        Ok(YouSide {
            member: me.member,
            picks_in_list: me.list.iter().filter(|i| self.picks.contains(i)).count(),
            list: me.list.clone(),
            score: me.score,
            rank: me.rank,
            users: records.len(),
            percentile: 100.0 * below as f64 / others.len().max(1) as f64,
            threshold,
            flagged: me.score >= threshold,
            roc_auc: run.report().ok_or_else(missing)?.roc_auc,
            member_scores: scores(true),
            non_member_scores: scores(false),
        })
    }
}

#[cfg(test)]
mod tests;
