//! The privacy–utility frontier: what does it cost to stop the attack? For each serving protocol
//! (a panel: `popular`, `fold-in`), each defence and strength, how far the strongest attack's
//! ROC-AUC falls and what the target recommender's recall@N pays, over seeds; next to the
//! undefended service, the popularity list's recall, and the "natural" frontier of the undefended
//! recommender trained for fewer or more epochs (less or more memorisation, no defence).
//!
//! The attacker knows the defence (`attacker_knows_defence`, the default): at every point its
//! shadow runs the same defence, its MLP is trained on that shadow and the shadow-free baselines
//! are oriented on it; the point reports the strongest of them. The naive attacker — the MLP of an
//! undefended shadow — is reported beside it (`naive_roc_auc_mean`). Every point equals, bit for
//! bit, a single run with that protocol, `defence`, `defence_strength` and seed (natural points:
//! with that `epochs`): same streams, same order. Strength 0 is the undefended run itself.
//!
//! Work is shared wherever the defence leaves it unchanged. Per panel and seed ("slot"): one split,
//! one set of attacker item vectors; one undefended target and one shadow, each trained once and
//! served again from its cached scores under every serving-level defence and strength; a new
//! target and shadow only for dp-sgd (which changes training) and for each natural epoch count.
//!
//! A `Frontier` runs a list of slots (panel-major: every seed of the first protocol, then of the
//! next), each through its panel's tasks: the whole job, or one unit of it for a pool of workers
//! (`Frontier::unit`: one slot and a part of its tasks, plus the attacker's side it needs). Either
//! way each slot leaves a `FrontierPiece`, and the report is `FrontierSlots::aggregate` of the
//! pieces (frontier_report.rs). This file owns the set-up (checks, task lists) and `step`; what each
//! task does is in frontier/seed.rs, the split into parts in frontier/parts.rs.

use std::sync::Arc;

use crate::attack::AttackKind;
use crate::config::{Config, Init, Protocol};
use crate::data::Dataset;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::experiment::job_spec::JobSpec;
use crate::recommender::RecommenderKind;
use crate::report::{Progress, Stage};

/// The strengths a frontier takes when none are given.
pub const DEFAULT_STRENGTHS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// The epoch counts of the natural frontier when none are given.
pub const DEFAULT_NATURAL_EPOCHS: [u32; 4] = [10, 20, 40, 80];
/// The panels a frontier shows when none are given: the paper's protocol and a deployed service's.
pub const DEFAULT_PROTOCOLS: [Protocol; 2] = [Protocol::Popular, Protocol::FoldIn];

/// A frontier job's panels: the protocols it lists, or `DEFAULT_PROTOCOLS` for none (the one
/// reading of `protocols: []` for the job, its units and its cost).
pub fn job_protocols(protocols: &[Protocol]) -> Vec<Protocol> {
    if protocols.is_empty() {
        DEFAULT_PROTOCOLS.to_vec()
    } else {
        protocols.to_vec()
    }
}

mod parts;
mod seed;

pub use super::frontier_notes::{notes, MAX_NOTES};
pub use super::frontier_report::{
    DefenceCurve, FrontierPanel, FrontierPiece, FrontierPoint, FrontierReport, FrontierSlots,
    NaturalPoint, PieceRun, Undefended,
};
pub use parts::FrontierPart;
use seed::{SeedState, Task};

/// A frontier in progress.
pub struct Frontier {
    data: Arc<Dataset>,
    base: Config,
    protocols: Vec<Protocol>,
    /// Per panel: the defences run there (those of the request that apply to its protocol).
    defences: Vec<Vec<DefenceKind>>,
    strengths: Vec<f64>,
    seeds: Vec<u32>,
    /// The natural points: (epochs, initial factors), the base's init first, then the other.
    natural: Vec<(u32, Init)>,
    /// Per panel: every task of one slot, with its share of the slot's work.
    all_tasks: Vec<Vec<(Task, f64)>>,
    /// When this is a unit: its part (its slot's tasks are that part's).
    part: Option<FrontierPart>,
    /// The slot indices this frontier runs (all of them, or a unit's one).
    order: Vec<usize>,
    /// Position in `order`.
    slot_index: usize,
    task_index: usize,
    state: Option<SeedState>,
    /// One piece per finished slot.
    pieces: Vec<FrontierPiece>,
    clock: Option<Arc<dyn Fn() -> f64>>,
    report: Option<FrontierReport>,
}

/// The initialisation the natural curve is also drawn under.
fn other_init(init: Init) -> Init {
    match init {
        Init::Positive => Init::Centred,
        Init::Centred => Init::Positive,
    }
}

/// Whether the algorithm's training length is the `epochs` key (what the natural frontier varies).
/// Exhaustive on purpose: a new algorithm must say. bpr and ncf count their own `bpr_epochs`, `ncf_epochs`.
fn trains_by_epochs(kind: RecommenderKind) -> bool {
    match kind {
        RecommenderKind::Lfm => true,
        RecommenderKind::ItemKnn
        | RecommenderKind::Popularity
        | RecommenderKind::Bpr
        | RecommenderKind::Ncf => false,
    }
}

impl Frontier {
    /// A frontier of one panel, the config's protocol.
    pub fn new(
        data: Arc<Dataset>,
        config: Config,
        defences: &[DefenceKind],
        strengths: &[f64],
        seeds: &[u32],
        natural_epochs: &[u32],
    ) -> Result<Frontier> {
        crate::full::required("a frontier")?;
        let protocols = [config.protocol];
        Frontier::panels(
            data,
            config,
            &protocols,
            defences,
            strengths,
            seeds,
            natural_epochs,
        )
    }

    /// The frontier of job `spec` (a `JobSpec::Frontier`), checked as `panels` checks it.
    pub fn from_spec(data: Arc<Dataset>, config: Config, spec: &JobSpec) -> Result<Frontier> {
        let JobSpec::Frontier {
            defences,
            strengths,
            seeds,
            natural_epochs,
            protocols,
        } = spec
        else {
            return Err(Error::State("not a frontier".into()));
        };
        Frontier::panels(
            data,
            config,
            &job_protocols(protocols),
            defences,
            strengths,
            seeds,
            natural_epochs,
        )
    }

    /// Checks every point's config up front so a bad one fails before any work. The base config's
    /// own `defence` keys are ignored (the frontier sets them per point), and so is its `protocol`
    /// (each panel sets its own). `defences` empty: every defence that applies, per panel.
    pub fn panels(
        data: Arc<Dataset>,
        config: Config,
        protocols: &[Protocol],
        defences: &[DefenceKind],
        strengths: &[f64],
        seeds: &[u32],
        natural_epochs: &[u32],
    ) -> Result<Frontier> {
        let base = config.undefended();
        base.check()?;
        if base.attack == AttackKind::Lira {
            return Err(Error::config(
                "attack",
                "lira in a frontier would train its reference models again at every defence point; run single lira runs at the strengths you need (the frontier's points are oriented on the defended shadow and report the strongest of mlp and the shadow-free attacks)",
            ));
        }
        if protocols.is_empty() {
            return Err(Error::config(
                "protocols",
                "a frontier needs at least one protocol (popular, fold-in)",
            ));
        }
        for (i, p) in protocols.iter().enumerate() {
            if protocols[..i].contains(p) {
                return Err(Error::config(
                    "protocols",
                    format!("{} appears twice", protocol_id(*p)),
                ));
            }
        }
        let mut seen = Vec::new();
        for &d in defences {
            if d == DefenceKind::None {
                return Err(Error::config(
                    "defences",
                    "none is the undefended service, which every frontier reports as `undefended`",
                ));
            }
            if seen.contains(&d) {
                return Err(Error::config(
                    "defences",
                    format!("{} appears twice", d.id()),
                ));
            }
            seen.push(d);
        }
        let mut per_panel = Vec::new();
        for &p in protocols {
            let cfg = Config {
                protocol: p,
                ..base.clone()
            };
            cfg.check()?;
            let applicable = cfg.applicable_defences();
            let chosen: Vec<DefenceKind> = if defences.is_empty() {
                applicable
            } else {
                defences
                    .iter()
                    .copied()
                    .filter(|d| applicable.contains(d))
                    .collect()
            };
            per_panel.push(chosen);
        }
        for &d in defences {
            if !per_panel.iter().any(|c| c.contains(&d)) {
                // No panel can run it: say why, from the first panel's refusal.
                let p = protocols[0];
                let e = d
                    .check_applies(base.recommender, p, base.negative_sampling)
                    .err()
                    .map_or_else(
                        || "it applies to none of the protocols".into(),
                        |e| match e {
                            Error::Config { message, .. } => message,
                            other => other.to_string(),
                        },
                    );
                return Err(Error::config("defences", e));
            }
        }
        if per_panel.iter().all(|c| c.is_empty()) {
            return Err(Error::config(
                "defences",
                format!(
                    "no defence applies to {} under {}",
                    base.recommender.id(),
                    protocols
                        .iter()
                        .map(|&p| protocol_id(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if strengths.is_empty() {
            return Err(Error::config(
                "strengths",
                "a frontier needs at least one strength",
            ));
        }
        for &s in strengths {
            crate::defence::check_strength(s)
                .map_err(|_| Error::config("strengths", format!("{s} must be between 0 and 1")))?;
        }
        if seeds.is_empty() {
            return Err(Error::config("seeds", "a frontier needs at least one seed"));
        }
        for &e in natural_epochs {
            if !(1..=500).contains(&e) {
                return Err(Error::config(
                    "natural_epochs",
                    format!("{e} is out of range (allowed 1 to 500)"),
                ));
            }
        }
        for (pi, &p) in protocols.iter().enumerate() {
            for &d in &per_panel[pi] {
                for &s in strengths {
                    let mut c = Self::point_config(&base, d, s);
                    c.protocol = p;
                    c.check()?;
                }
            }
        }
        // Under both initialisations: a lesson of the natural curve that holds under one only is
        // a lesson about the initialisation (centred factors give personal lists from the first
        // epochs; positive ones start every user on the popularity direction).
        let natural: Vec<(u32, Init)> = if trains_by_epochs(base.recommender) {
            let inits = [base.init, other_init(base.init)];
            inits
                .iter()
                .flat_map(|&i| natural_epochs.iter().map(move |&e| (e, i)))
                .collect()
        } else {
            Vec::new()
        };
        let all_tasks = per_panel
            .iter()
            .map(|d| Self::tasks(&base, d, strengths, &natural))
            .collect();
        let slots = protocols.len() * seeds.len();
        Ok(Frontier {
            data,
            base,
            protocols: protocols.to_vec(),
            defences: per_panel,
            strengths: strengths.to_vec(),
            order: (0..slots).collect(),
            seeds: seeds.to_vec(),
            natural,
            all_tasks,
            part: None,
            slot_index: 0,
            task_index: 0,
            state: None,
            pieces: Vec::new(),
            clock: None,
            report: None,
        })
    }

    /// Every task of one slot of a panel running `defences`, with its share of the work. With an
    /// attacker who knows the defence every point trains (or serves) a shadow too and fits a new
    /// attack model on it.
    fn tasks(
        base: &Config,
        defences: &[DefenceKind],
        strengths: &[f64],
        natural: &[(u32, Init)],
    ) -> Vec<(Task, f64)> {
        let shadow = base.attack.needs_shadow();
        let adaptive = shadow && base.attacker_knows_defence;
        let both = if adaptive { 2.0 } else { 1.0 };
        let refit = if adaptive { 0.3 } else { 0.0 };
        let epoch_weight = |e: u32| f64::from(e) / f64::from(base.epochs);
        let mut tasks = vec![(Task::Split, 0.02), (Task::Target, 1.0)];
        if shadow {
            tasks.push((Task::Shadow, 1.0));
        }
        tasks.push((Task::Vectors, 0.5));
        tasks.push((Task::Attack, 0.3));
        for (di, &d) in defences.iter().enumerate() {
            for (si, &s) in strengths.iter().enumerate() {
                if s == 0.0 {
                    continue;
                }
                if d.serving_only() {
                    tasks.push((Task::Serve(di, si), 0.1 * both + refit));
                } else {
                    tasks.push((Task::Train(di, si), 2.0 * both + refit));
                }
            }
        }
        for (i, &(e, init)) in natural.iter().enumerate() {
            if (e, init) != (base.epochs, base.init) {
                tasks.push((Task::Natural(i), epoch_weight(e) * both + refit));
            }
        }
        tasks
    }

    /// Whether every slot of this frontier (or unit) has finished.
    pub fn is_done(&self) -> bool {
        self.slot_index == self.order.len()
    }

    /// The config of one point: the base with `defence` at `strength`.
    fn point_config(base: &Config, defence: DefenceKind, strength: f64) -> Config {
        Config {
            defence,
            defence_strength: strength,
            ..base.clone()
        }
    }

    /// (panel, seed index) of slot `slot`.
    fn slot(&self, slot: usize) -> (usize, usize) {
        (slot / self.seeds.len(), slot % self.seeds.len())
    }

    /// The tasks this frontier runs for a slot of `panel`: all of them, or its unit's part.
    fn tasks_of(&self, panel: usize) -> Vec<(Task, f64)> {
        match self.part {
            None => self.all_tasks[panel].clone(),
            Some(part) => Self::part_tasks(&self.all_tasks[panel], part),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> f64>) -> Self {
        self.clock = Some(clock);
        self
    }

    pub fn report(&self) -> Option<&FrontierReport> {
        self.report.as_ref()
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    /// Does one bounded piece of work.
    pub fn step(&mut self) -> Result<Progress> {
        crate::full::required("a frontier")?;
        let slots = self.protocols.len() * self.seeds.len();
        if self.is_done() {
            return Ok(Progress::finished(slots));
        }
        let t0 = self.now();
        let slot = self.order[self.slot_index];
        let tasks = self.tasks_of(self.slot(slot).0);
        let (task, _) = tasks[self.task_index];
        let (finished, within, message) = self.work(task)?;
        let total: f64 = tasks.iter().map(|t| t.1).sum();
        let before: f64 = tasks[..self.task_index].iter().map(|t| t.1).sum();
        let per_slot = (before + tasks[self.task_index].1 * within.clamp(0.0, 0.999)) / total;
        let position = self.slot_index;
        let spent = self.now() - t0;
        let st = self.state.as_mut().expect("work() keeps the slot's state");
        *st.piece
            .timings_ms
            .entry(task.timing_key().into())
            .or_insert(0.0) += spent;
        if finished {
            self.task_index += 1;
            if self.task_index == tasks.len() {
                self.task_index = 0;
                self.slot_index += 1;
                let st = self.state.take().expect("a slot was in progress");
                self.pieces.push(st.piece);
            }
        }
        if self.is_done() && self.part.is_none() && self.report.is_none() {
            self.report = Some(self.aggregate(&self.pieces)?);
        }
        let done = self.is_done();
        let stage = task.stage();
        Ok(Progress {
            done,
            stage,
            stage_index: Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0),
            stage_count: Stage::ALL.len(),
            stage_fraction: within,
            fraction: if done {
                1.0
            } else {
                ((position as f64 + per_slot) / self.order.len() as f64).min(1.0)
            },
            message,
            loss: None,
            run_index: slot,
            run_count: slots,
        })
    }
}

/// A protocol's name in configs and messages.
pub fn protocol_id(p: Protocol) -> &'static str {
    match p {
        Protocol::Popular => "popular",
        Protocol::FoldIn => "fold-in",
    }
}
