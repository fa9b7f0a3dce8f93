//! The audit's reference models (`experiment::references`, the calibrated attack's): K imitations
//! of the audited service of the shadow's family, each trained on a seeded random share of the
//! audited users' own histories (online: every audited user in about half of them; `lira_offline`:
//! on shadow users only). Each reference is taken in as soon as it is served and then dropped, so
//! memory holds one at a time (one per thread natively): what is kept is
//!
//! - the LiRA samples (each audited user's three list statistics in each reference, and whether
//!   the user was in it), from which the calibrated attack is fitted;
//! - every attack's ROC-AUC on each reference's users, in or out — labelled data the attacker made
//!   itself. Their mean says which attack is strongest on the attacker's own data: the one whose
//!   scores give each audited user's risk when the auditor has no labels. The MLP and the
//!   shadow-free statistics were fixed on the shadow half, so the references are out of sample for
//!   them; lira's own number is taken leaving each reference out of its fit in turn.
//!
//! The probe statistic (distance to the list a new account gets) uses what the audit has: the
//! reference lists when the auditor gave them, else the new-user list, else none (0 for all, in
//! the references too, so in- and out-samples compare like with like).

use std::collections::BTreeMap;

use ndarray::ArrayRef2;

use crate::attack::lira::{input_statistics, Lira, ReferenceSamples};
use crate::attack::{Attack, AttackInput, AttackKind};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::Result;
use crate::eval::roc_curve;
use crate::experiment::pipeline::{train_and_serve, Halves};
use crate::experiment::references::{reference_half, ReferenceView};
use crate::experiment::served::ServedHalf;
use crate::serving::Half;

/// Which list the probe statistic compares with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// Each user's copy's list (`reference_list`).
    Copies,
    /// The list a new account without history gets (`*new*`).
    NewUser,
    /// Neither was given.
    None,
}

impl Probe {
    /// `input` with only the probe this audit has.
    pub fn mask<'a>(self, mut input: AttackInput<'a>) -> AttackInput<'a> {
        match self {
            Probe::Copies => {}
            Probe::NewUser => input.clone_lists = None,
            Probe::None => {
                input.clone_lists = None;
                input.new_user_list = None;
            }
        }
        input
    }
}

/// The references of one audit, taken in one by one.
pub(crate) struct Calibration {
    k: u32,
    offline: bool,
    probe: Probe,
    current: Option<Half>,
    taken: u32,
    samples: ReferenceSamples,
    /// Per attack: its ROC-AUC on each reference's users.
    own: BTreeMap<AttackKind, Vec<f64>>,
}

/// An attack the references score, by name.
pub(crate) type Scorer<'a> = (AttackKind, &'a dyn Attack);

/// What every reference is built from and judged with.
pub(crate) struct Context<'a> {
    pub data: &'a Dataset,
    pub cfg: &'a Config,
    pub halves: &'a Halves,
    /// The attacker's item vectors.
    pub vectors: &'a ArrayRef2<f32>,
    pub scorers: &'a [Scorer<'a>],
}

impl Calibration {
    pub fn new(cfg: &Config, probe: Probe) -> Calibration {
        Calibration {
            k: cfg.lira_references,
            offline: cfg.lira_offline,
            probe,
            current: None,
            taken: 0,
            samples: ReferenceSamples::default(),
            own: BTreeMap::new(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.taken >= self.k
    }

    pub fn fraction(&self) -> f64 {
        let within = self
            .current
            .as_ref()
            .map_or(0.0, |h| (h.train_fraction() + h.serve_fraction()) / 2.0);
        ((f64::from(self.taken) + within) / f64::from(self.k.max(1))).min(1.0)
    }

    pub fn status(&self) -> String {
        format!(
            "reference recommender {}/{}",
            (self.taken + 1).min(self.k),
            self.k
        )
    }

    /// One bounded piece of the next reference's work; true once all K are taken in.
    pub fn step(&mut self, c: &Context) -> Result<bool> {
        if self.is_done() {
            return Ok(true);
        }
        let r = self.taken;
        let half = self
            .current
            .get_or_insert_with(|| reference_half(c.data, c.cfg, c.halves, r));
        if train_and_serve(c.data, half)?.0 {
            let half = self.current.take().expect("in training");
            self.take(c, &ServedHalf::of(&half));
        }
        Ok(self.is_done())
    }

    /// Trains every remaining reference, `threads` at a time on a pool of that many threads, and
    /// takes them in in order: the same samples and numbers as `step`, for any thread count.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn train_parallel(
        &mut self,
        c: &Context,
        threads: usize,
        on_taken: &dyn Fn(u32, u32),
    ) -> Result<()> {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| crate::Error::State(format!("could not start {threads} threads: {e}")))?;
        self.current = None;
        while !self.is_done() {
            let batch: Vec<u32> = (self.taken..self.k).take(threads.max(1)).collect();
            let served: Vec<ServedHalf> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|&r| {
                        let mut half = reference_half(c.data, c.cfg, c.halves, r);
                        while !train_and_serve(c.data, &mut half)?.0 {}
                        Ok(ServedHalf::of(&half))
                    })
                    .collect::<Result<Vec<_>>>()
            })?;
            for s in served {
                self.take(c, &s);
                on_taken(self.taken, self.k);
            }
        }
        Ok(())
    }

    /// Takes in one served reference: its LiRA samples and every attack's ROC-AUC on its users.
    fn take(&mut self, c: &Context, served: &ServedHalf) {
        let Context {
            data,
            cfg,
            halves,
            vectors,
            scorers,
        } = *c;
        let attacked: Vec<u32> = halves.target.users.all().collect();
        let view = ReferenceView::of(data, served, &attacked, vectors, cfg);
        let stats = input_statistics(&self.probe.mask(view.input(data)));
        self.samples
            .attacked
            .push(view.members.iter().copied().zip(stats).collect());
        // Online the audited users are in or out of each reference; offline they are all out,
        // and the shadow users are the ones in or out.
        let judged = if self.offline {
            let shadow: Vec<u32> = halves.shadow.users.all().collect();
            let cal = ReferenceView::of(data, served, &shadow, vectors, cfg);
            let stats = input_statistics(&self.probe.mask(cal.input(data)));
            self.samples
                .calibration
                .push(cal.members.iter().copied().zip(stats).collect());
            cal
        } else {
            view
        };
        let input = judged.input(data);
        let both = judged.members.contains(&true) && judged.members.contains(&false);
        for (kind, attack) in scorers {
            if both {
                let auc = roc_curve(&attack.score(&input), &judged.members).auc();
                self.own.entry(*kind).or_default().push(auc);
            }
        }
        self.taken += 1;
    }

    /// The calibrated attack fitted on every reference, and its own ROC-AUC on the references
    /// (each scored by a fit without it; `None` offline, where no audited user is ever in).
    pub fn lira(&self) -> Option<(Lira, Option<f64>)> {
        let lira = Lira::from_samples(&self.samples, self.offline)?;
        if self.offline {
            return Some((lira, None));
        }
        let mut aucs = Vec::new();
        let mut rest = self.samples.clone();
        for r in 0..self.samples.attacked.len() {
            let held = rest.attacked.remove(r);
            if let Some(fit) = Lira::from_samples(&rest, false) {
                let stats: Vec<[f64; 3]> = held.iter().map(|s| s.1).collect();
                let labels: Vec<bool> = held.iter().map(|s| s.0).collect();
                if labels.contains(&true) && labels.contains(&false) {
                    aucs.push(roc_curve(&fit.score_statistics(&stats), &labels).auc());
                }
            }
            rest.attacked.insert(r, held);
        }
        let own = (!aucs.is_empty()).then(|| aucs.iter().sum::<f64>() / aucs.len() as f64);
        Some((lira, own))
    }

    /// Each attack's mean ROC-AUC over the references (attacks never judged are absent).
    pub fn own_aucs(&self) -> BTreeMap<AttackKind, f64> {
        self.own
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.iter().sum::<f64>() / v.len() as f64))
            .collect()
    }

    pub fn count(&self) -> u32 {
        self.k
    }
}
