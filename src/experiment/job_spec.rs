//! `JobSpec`: what a job is, beside its config — the one type the CLI, the cost model
//! (`cost::estimate_spec`, `cost::estimate_job`), the unit planner (`units::Plan`) and the wasm
//! façade (`src/wasm.rs`, as JSON text) all take. Its serde shape is the page's job object,
//! `{kind, ...fields}` (docs/INTERFACES.md "Jobs"), with the worker message's field names.
//! `validate` is the one check of a job's own fields (non-empty and distinct seeds and values,
//! ranges); the config keys' ranges come from `Config` itself (`Config::with_param`,
//! `Config::check`), never from a copy here. The engines (`Sweep::new`, `Matrix::new`,
//! `Frontier::panels`) check again what they are given: they are public constructors too.

use serde::{Deserialize, Serialize};

use super::frontier::{DEFAULT_NATURAL_EPOCHS, DEFAULT_STRENGTHS};
use crate::config::{Config, Protocol};
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;

/// A job of any kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum JobSpec {
    /// One run of the config. With `attack` lira and more than one worker, each reference model
    /// is a unit of its own and the run starts from them.
    Single {},
    /// One single run per config (partial config objects), in order (the page's popular vs
    /// fold-in comparison).
    Compare { configs: Vec<serde_json::Value> },
    /// `param` (any numeric config key but `seed`) over `values`, each with every seed.
    Sweep {
        param: String,
        values: Vec<f64>,
        seeds: Vec<u32>,
    },
    /// Every (shadow, target) pair of `recommenders`, over `seeds`.
    Matrix {
        recommenders: Vec<RecommenderKind>,
        seeds: Vec<u32>,
    },
    /// The privacy–utility frontier: `defences` (empty: every one that applies to a panel) at
    /// `strengths`, one panel per protocol of `protocols` (empty: both), over `seeds`, with the
    /// natural frontier at `natural_epochs`.
    Frontier {
        #[serde(default)]
        defences: Vec<DefenceKind>,
        #[serde(default = "default_strengths")]
        strengths: Vec<f64>,
        seeds: Vec<u32>,
        #[serde(default = "default_natural")]
        natural_epochs: Vec<u32>,
        #[serde(default)]
        protocols: Vec<Protocol>,
    },
    /// "Would it spot you?": the reader, who likes the movies `picks` (ids), as a member and as a
    /// non-member (experiment::you).
    You { picks: Vec<f64> },
    /// An audit of another service's lists (src/audit/); its files travel beside the job.
    Audit {
        #[serde(default, rename = "skipUnknown")]
        skip_unknown: bool,
    },
}

fn default_strengths() -> Vec<f64> {
    DEFAULT_STRENGTHS.to_vec()
}

fn default_natural() -> Vec<u32> {
    DEFAULT_NATURAL_EPOCHS.to_vec()
}

/// Refuses an item given twice in a job's list `key` ("4 is given twice: give each once (why)"):
/// a seed twice would be averaged as if it were an independent run, and its spread understated.
pub fn distinct<T: PartialEq + std::fmt::Display>(key: &str, items: &[T], why: &str) -> Result<()> {
    for (i, x) in items.iter().enumerate() {
        if items[..i].contains(x) {
            return Err(Error::config(
                key,
                format!(
                    "{} is given twice: give each once ({why})",
                    crate::error::shorten(&x.to_string())
                ),
            ));
        }
    }
    Ok(())
}

/// Why seeds must be distinct.
pub const SEEDS_WHY: &str =
    "a repeated seed repeats the same run, which would count as independent";

impl JobSpec {
    /// The job's kind as its JSON tag says it (`single`, `sweep`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            JobSpec::Single {} => "single",
            JobSpec::Compare { .. } => "compare",
            JobSpec::Sweep { .. } => "sweep",
            JobSpec::Matrix { .. } => "matrix",
            JobSpec::Frontier { .. } => "frontier",
            JobSpec::You { .. } => "you",
            JobSpec::Audit { .. } => "audit",
        }
    }

    /// Reads a job from JSON text (the page's job object); errors start with "job: ".
    pub fn from_json_text(text: &str) -> Result<JobSpec> {
        serde_json::from_str(text).map_err(|e| Error::config("job", e.to_string()))
    }

    /// The seeds the job repeats its runs with (empty for kinds without).
    pub fn seeds(&self) -> &[u32] {
        match self {
            JobSpec::Sweep { seeds, .. }
            | JobSpec::Matrix { seeds, .. }
            | JobSpec::Frontier { seeds, .. } => seeds,
            _ => &[],
        }
    }

    /// Runs the job is made of, the number `cost::MAX_RUNS` limits: a sweep's values × seeds, a
    /// matrix's or frontier's seeds, a comparison's configs, "you"'s two runs.
    pub fn runs(&self) -> usize {
        match self {
            JobSpec::Single {} | JobSpec::Audit { .. } => 1,
            JobSpec::Compare { configs } => configs.len(),
            JobSpec::Sweep { values, seeds, .. } => values.len() * seeds.len(),
            JobSpec::Matrix { seeds, .. } | JobSpec::Frontier { seeds, .. } => seeds.len(),
            JobSpec::You { .. } => 2,
        }
    }

    /// `validate_named` with the fields' own names in messages.
    pub fn validate(&self, cfg: &Config) -> Result<()> {
        self.validate_named(cfg, &|k: &str| k.to_string())
    }

    /// Checks the job's own fields against `cfg` before any work: a sweep's param and every
    /// value (through `Config::with_param`, the config's own ranges), non-empty lists, no value
    /// or seed given twice, a frontier's strengths in [0, 1] and natural epochs in 1..=500, a
    /// comparison's configs. `name` names a field in the "given twice" messages (the CLI: its
    /// flag, `--seeds`).
    pub fn validate_named(&self, cfg: &Config, name: &dyn Fn(&str) -> String) -> Result<()> {
        let seeds = |kind: &str, seeds: &[u32]| {
            distinct(&name("seeds"), seeds, SEEDS_WHY)?;
            if seeds.is_empty() {
                return Err(Error::config(
                    "seeds",
                    format!("a {kind} needs at least one seed"),
                ));
            }
            Ok(())
        };
        match self {
            JobSpec::Single {} | JobSpec::Audit { .. } => cfg.check(),
            JobSpec::Compare { configs } => {
                if configs.is_empty() {
                    return Err(Error::config(
                        "configs",
                        "a comparison needs at least one config",
                    ));
                }
                for c in configs {
                    Config::from_json(c.clone())?;
                }
                Ok(())
            }
            JobSpec::Sweep {
                param,
                values,
                seeds: s,
            } => {
                for &v in values {
                    cfg.with_param(param, v)?;
                }
                distinct(
                    &name("values"),
                    values,
                    "a repeated value repeats its runs, which would count as another point",
                )?;
                if values.is_empty() {
                    return Err(Error::config(param, "a sweep needs at least one value"));
                }
                seeds("sweep", s)
            }
            JobSpec::Matrix {
                recommenders,
                seeds: s,
            } => {
                let ids: Vec<&str> = recommenders.iter().map(|k| k.id()).collect();
                distinct(
                    &name("recommenders"),
                    &ids,
                    "each is a row and a column of the matrix",
                )?;
                if recommenders.is_empty() {
                    return Err(Error::config(
                        "recommenders",
                        "a matrix needs at least one recommender",
                    ));
                }
                seeds("matrix", s)
            }
            JobSpec::Frontier {
                strengths,
                seeds: s,
                natural_epochs,
                ..
            } => {
                distinct(
                    &name("strengths"),
                    strengths,
                    "a repeated strength repeats its runs",
                )?;
                distinct(
                    &name("natural_epochs"),
                    natural_epochs,
                    "a repeated count repeats its runs",
                )?;
                seeds("frontier", s)?;
                if strengths.is_empty() {
                    return Err(Error::config(
                        "strengths",
                        "a frontier needs at least one strength",
                    ));
                }
                for &x in strengths {
                    crate::defence::check_strength(x).map_err(|_| {
                        Error::config("strengths", format!("{x} must be between 0 and 1"))
                    })?;
                }
                for &e in natural_epochs {
                    if !(1..=500).contains(&e) {
                        return Err(Error::config(
                            "natural_epochs",
                            format!("{e} is out of range (allowed 1 to 500)"),
                        ));
                    }
                }
                Ok(())
            }
            JobSpec::You { .. } => self.picks().map(|_| ()),
        }
    }

    /// "You"'s picks as movie ids (each a whole number; a JS number holds one exactly up to
    /// 2^53), numbered from line 1 in messages ("picks:3: …"); empty for other kinds.
    pub fn picks(&self) -> Result<Vec<crate::experiment::you::Pick>> {
        let JobSpec::You { picks } = self else {
            return Ok(Vec::new());
        };
        picks
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                if id.fract() != 0.0 || !(0.0..=9_007_199_254_740_992.0).contains(&id) {
                    return Err(Error::parse(
                        "picks",
                        i + 1,
                        format!("{id} is not a movie id (a whole number)"),
                    ));
                }
                Ok(crate::experiment::you::Pick {
                    id: id as u64,
                    line: i + 1,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(text: &str) -> JobSpec {
        JobSpec::from_json_text(text).unwrap()
    }

    #[test]
    fn reads_the_page_job_objects() {
        assert_eq!(job(r#"{"kind":"single"}"#), JobSpec::Single {});
        assert_eq!(
            job(r#"{"kind":"matrix","recommenders":["lfm","item-knn"],"seeds":[0,1]}"#),
            JobSpec::Matrix {
                recommenders: vec![RecommenderKind::Lfm, RecommenderKind::ItemKnn],
                seeds: vec![0, 1],
            }
        );
        // A frontier's lists default as the page and the CLI leave them out.
        let JobSpec::Frontier {
            strengths,
            natural_epochs,
            protocols,
            defences,
            ..
        } = job(r#"{"kind":"frontier","seeds":[0]}"#)
        else {
            panic!("not a frontier");
        };
        assert_eq!(strengths, DEFAULT_STRENGTHS.to_vec());
        assert_eq!(natural_epochs, DEFAULT_NATURAL_EPOCHS.to_vec());
        assert!(protocols.is_empty() && defences.is_empty());
        assert_eq!(
            job(r#"{"kind":"audit","skipUnknown":true}"#),
            JobSpec::Audit { skip_unknown: true }
        );
        let e = JobSpec::from_json_text(
            r#"{"kind":"sweep","param":"k","values":[4],"seeds":[0],"mode":"k"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("config: job: unknown field `mode`"), "{e}");
        let e = JobSpec::from_json_text(r#"{"kind":"toy"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown variant `toy`"), "{e}");
    }

    #[test]
    fn serialises_back_to_the_same_object() {
        let text = r#"{"kind":"sweep","param":"dp_delta","values":[1e-6,1e-5],"seeds":[0,1]}"#;
        let spec = job(text);
        assert_eq!(job(&serde_json::to_string(&spec).unwrap()), spec);
    }

    #[test]
    fn validate_checks_through_the_config_vocabulary() {
        let cfg = Config::default();
        let err = |s: &str| job(s).validate(&cfg).unwrap_err().to_string();
        // Any numeric key but the seed, from Config's own list (dp_delta was once refused).
        job(r#"{"kind":"sweep","param":"dp_delta","values":[1e-6,1e-5],"seeds":[0]}"#)
            .validate(&cfg)
            .unwrap();
        assert!(
            err(r#"{"kind":"sweep","param":"seed","values":[1],"seeds":[0]}"#)
                .starts_with("config: seed: cannot be swept")
        );
        assert!(
            err(r#"{"kind":"sweep","param":"k","values":[4.5],"seeds":[0]}"#)
                .contains("not a whole number")
        );
        assert_eq!(
            err(r#"{"kind":"sweep","param":"k","values":[4,4],"seeds":[0]}"#),
            "config: values: 4 is given twice: give each once (a repeated value repeats its runs, which would count as another point)"
        );
        assert_eq!(
            err(r#"{"kind":"sweep","param":"k","values":[4],"seeds":[]}"#),
            "config: seeds: a sweep needs at least one seed"
        );
        assert!(
            err(r#"{"kind":"matrix","recommenders":["lfm","lfm"],"seeds":[0]}"#)
                .starts_with("config: recommenders: lfm is given twice")
        );
        assert_eq!(
            err(r#"{"kind":"frontier","strengths":[1.5],"seeds":[0]}"#),
            "config: strengths: 1.5 must be between 0 and 1"
        );
        assert!(
            err(r#"{"kind":"frontier","natural_epochs":[0],"seeds":[0]}"#)
                .contains("allowed 1 to 500")
        );
        assert_eq!(
            err(r#"{"kind":"you","picks":[1,2.5]}"#),
            "picks:2: 2.5 is not a movie id (a whole number)"
        );
        assert!(err(r#"{"kind":"compare","configs":[{"k":0}]}"#).starts_with("config: k:"));
        // The CLI names its flags.
        let e = job(r#"{"kind":"sweep","param":"k","values":[4],"seeds":[1,1]}"#)
            .validate_named(&cfg, &|k| format!("--{}", k.replace('_', "-")))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config: --seeds: 1 is given twice"), "{e}");
    }
}
