//! The run configuration: one flat, validated, serialisable schema shared by the CLI, the wasm layer
//! and the page's URL hash. Every default is documented on its field; `check()` validates ranges.

use serde::{Deserialize, Serialize};

use crate::attack::AttackKind;
use crate::defence::DefenceKind;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;

mod compose;

// The shared vocabulary lives in `crate::params` (the families import it from there); these
// paths (`config::Protocol`, …) keep working for the rest of the crate and for library users.
pub use crate::params::{Audit, Init, ItemVectors, NegativeSampling, Protocol, Weighting};

/// Version of the config schema that links carry (`v=` in the page's URL). Schema 1 (links without
/// a version) had the defaults of `Config::preset("paper")`; schema 2 changed the defaults below.
pub const SCHEMA_VERSION: u32 = 2;

/// The named presets (`--preset`, `preset=` in the URL).
pub const PRESETS: [&str; 2] = ["default", "paper"];

/// The shadow model's algorithm: the target's (`same`, the paper's assumption) or another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ShadowRecommender {
    #[default]
    Same,
    Kind(RecommenderKind),
}

impl Serialize for ShadowRecommender {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ShadowRecommender::Same => s.serialize_str("same"),
            ShadowRecommender::Kind(k) => k.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ShadowRecommender {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name == "same" {
            return Ok(ShadowRecommender::Same);
        }
        RecommenderKind::ALL
            .iter()
            .find(|k| k.id() == name)
            .map(|&k| ShadowRecommender::Kind(k))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown recommender '{}' (allowed: same, {})",
                    crate::error::shorten(&name),
                    RecommenderKind::ALL.map(|k| k.id()).join(", ")
                ))
            })
    }
}

/// The whole configuration of one run. Missing keys take the defaults below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seed of every random choice (split, initialisation, sampling, attack model). Default 0.
    pub seed: u32,
    /// Share of each half that are members (the recommender trains on them). Default 0.5.
    pub member_fraction: f64,
    /// The target's recommender algorithm. Default lfm (the paper's).
    pub recommender: RecommenderKind,
    /// The shadow model's algorithm: `same` as the target (default) or another one.
    pub shadow_recommender: ShadowRecommender,
    /// Latent dimension of the factor recommenders (lfm, bpr). Default 100.
    pub k: u32,
    /// Length of the attacker's item vectors (the paper's Figure 2 varies it). Default 100;
    /// 0 = the recommenders' `k`, the tie of schema 1 (what links made before schema 2 mean).
    pub vector_k: u32,
    /// Neighbours each item keeps in item-knn. Default 20.
    pub knn_neighbours: u32,
    /// Shrinkage of item-knn's cosine, c_ij / (√(n_i·n_j) + shrink). Default 5: at 0 item-knn is
    /// no better than the popularity list here (recall@100 0.98×; 1.22× at 5).
    pub knn_shrink: f64,
    /// SGD learning rate of the target and shadow recommenders. Default 0.01 (the paper's).
    pub lr: f64,
    /// L2 regularisation of the recommenders. Default 0.01 (the paper's).
    pub reg: f64,
    /// SGD epochs of the LFM and of its fold-in. Default 80: with uniform negatives, member recall@100
    /// is 1.37× / 1.21× / 1.32× the popularity list's on seeds 0 / 1 / 2 (at 40: 1.24× / 1.08× /
    /// 1.16×, so seed 1 would miss the 1.15× bar). `preset paper` keeps schema 1's 40 (the
    /// reference's 20 leave the model no better than the popularity list).
    pub epochs: u32,
    /// SGD learning rate of bpr. Default 0.07. bpr has its own lr/reg/epochs because the LFM's
    /// (0.01, 0.01, 40) leave it at recall@100 1.23×, 1.10×, 1.15× the popularity list's (seeds 0, 1,
    /// 2, ml-latest-small) at twice the training time; 0.07, 0.02, 20 give 1.39×, 1.23×, 1.31×.
    pub bpr_lr: f64,
    /// L2 regularisation of bpr (factors and item biases). Default 0.02 (see `bpr_lr`; at lr 0.1,
    /// 15 epochs, 0.01 gave lower recall on seeds 0-2 and 0.03 on seeds 1 and 2).
    pub bpr_reg: f64,
    /// SGD epochs of bpr (one sampled triple per training interaction each) and of its fold-in.
    /// Default 20 (see `bpr_lr`; at lr 0.05, 30 epochs raised the ratio by 0.04-0.05 for 1.5× the
    /// time).
    pub bpr_epochs: u32,
    /// Sampled negatives per positive interaction. Default 1 (the reference's ratio).
    pub negatives: u32,
    /// How the recommenders draw negatives. Default uniform: with the reference's popularity
    /// sampling the LFM is no better than the popularity list (recall@100 0.243 vs 0.244, seed 0);
    /// `preset paper` keeps popularity.
    pub negative_sampling: NegativeSampling,
    /// Length of every recommendation list. Default 100.
    pub top_n: u32,
    /// Drop items the user already interacted with from the lists. Default false (the reference keeps them).
    pub exclude_seen: bool,
    /// How non-members are served. Default popular (the paper's protocol).
    pub protocol: Protocol,
    /// Share of each member's interactions held out of training to measure the recommender's
    /// utility (recall@N). Default 0.1; 0 disables the utility metrics.
    pub holdout: f64,
    /// Weighting of the recommendation centroid. Default rank (the reference's).
    pub weighting: Weighting,
    /// What the attacker factorises for its item vectors. Default joint.
    pub item_vectors: ItemVectors,
    /// SGD epochs of the attacker's item-vector factorisation. Default 5 (more changes little).
    pub vector_epochs: u32,
    /// The attack: `mlp` (the paper's, trained on a shadow model), the shadow-free `distance`,
    /// `overlap`, `new-user-list` and `reference-list`, or the calibrated `lira` (reference models
    /// instead of a shadow). Default mlp.
    pub attack: AttackKind,
    /// Width of the attack MLP's first hidden layer. Default 32 (the reference's).
    pub hidden1: u32,
    /// Width of the attack MLP's second hidden layer. Default 8 (the reference's).
    pub hidden2: u32,
    /// Adam learning rate of the attack MLP. Default 0.01.
    pub attack_lr: f64,
    /// Training epochs of the attack MLP. Default 30.
    pub attack_epochs: u32,
    /// Mini-batch size of the attack MLP. Default 32.
    pub attack_batch: u32,
    /// Independent MLP initialisations; the one with the lowest shadow loss is kept (plain small MLPs
    /// sometimes collapse to a constant). Default 3.
    pub attack_restarts: u32,
    /// The calibrated attack (`attack` lira): how many reference recommenders the attacker trains,
    /// each on a seeded random half of the attacked users (2 to 64). Default 16.
    pub lira_references: u32,
    /// The calibrated attack's offline variant: the references train on the attacker's shadow users
    /// only, so every attacked user is out of every reference. Default false (online: each
    /// attacked user is in about half of them).
    pub lira_offline: bool,
    /// The defence of the TARGET service (`src/defence/`): none, popularity-randomisation,
    /// list-perturbation, score-noise or dp-sgd. Default none. The attacker's imitations of the
    /// service run it too when `attacker_knows_defence` (the default).
    pub defence: DefenceKind,
    /// How strongly the defence acts, in [0, 1]: 0 = off (bit-identical to `none`), 1 = the
    /// strongest setting worth showing. Each defence maps it to its own parameter:
    /// popularity-randomisation α = 10^(−s) (non-members draw N items from the top N/α; protocol
    /// popular only); list-perturbation: a share s of every served list's positions replaced by
    /// uniform draws from the catalogue; score-noise: Gaussian noise of 2s standard deviations of
    /// the user's own scores added before ranking; dp-sgd: noise multiplier σ = 4s (lfm and bpr;
    /// s = 1 gives ε ≈ 7.8 for lfm and ≈ 3.5 for bpr on ml-latest-small). Default 0.
    pub defence_strength: f64,
    /// Whether the attacker knows the target's defence and its imitations (shadow, references) run
    /// it too, at the same strength. Default true: a defence is judged against an attacker who
    /// knows it (Tramèr et al. 2020), as a published defence must be. false keeps the naive
    /// attacker, whose shadow is undefended, for comparison.
    pub attacker_knows_defence: bool,
    /// dp-sgd: C, the L2 bound on one member's change to the item vectors per step. Default 0 =
    /// the recommender's own: lfm 0.01 (on ml-latest-small it keeps more recall at every noise
    /// multiplier from 1 to 4 than 0.05 or 0.1 do; at σ = 2: 0.14 vs 0.07 and 0.03), bpr 0.003
    /// (more recall than 0.01 at σ = 1, 2, 4 on seeds 0–2; see `defence::BPR_DP_CLIP`); else in
    /// (0, 1000].
    pub dp_clip: f64,
    /// dp-sgd: q, the probability that a member joins a step's batch (Poisson sampling); training
    /// takes ⌈epochs / q⌉ steps. Default 0.5; 0.01 to 1.
    pub dp_sampling_rate: f64,
    /// dp-sgd: δ of the (ε, δ) guarantee. Default 0 = 1 / (members' training interactions); else
    /// strictly between 0 and 1. (A number, not null, so the page's URL schema can carry it.)
    pub dp_delta: f64,
    /// Embedding size d of each of ncf's two towers (GMF and MLP; the MLP tower is 2d → 2d → d).
    /// Default 8. Measured on ml-latest-small (recall@100 / popularity's, mean over seeds 0-2 and
    /// both halves, other ncf keys at default): d 4 1.13, 8 1.15, 12 1.11, 16 1.08 (and 2× the time):
    /// more dimensions only memorise the small halves.
    pub ncf_factors: u32,
    /// Adam learning rate of ncf (training and fold-in). Default 0.01 (measured as above: 0.005 1.14,
    /// 0.01 1.15, 0.02 1.11).
    pub ncf_lr: f64,
    /// Epochs of ncf's training and of its fold-in. Default 3 (as above: 2 1.10, 3 1.15, 4 1.15 at
    /// 35% more time); with 16 negatives each positive is already seen with 48 negatives.
    pub ncf_epochs: u32,
    /// Uniformly sampled negatives per positive for ncf. Default 16 (NeuMF's 4 is far too few for a
    /// full ranking here; as above at 3 epochs: 8 1.06, 12 1.09, 16 1.15, 24 1.14 at 45% more time).
    pub ncf_negatives: u32,
    /// L2 penalty of ncf's embeddings, (reg/2)·|e|² per sample that uses embedding e. Default 0.01
    /// (as above: 0 1.07, 0.003 1.11, 0.01 1.15, 0.03 1.14).
    pub ncf_reg: f64,
    /// Initial factors of the factor recommenders (lfm, bpr; also their fold-in and, under dp-sgd,
    /// the members' refit): `positive` U[0, 1)/√k (the reference LFM's, and this schema's LFM
    /// before issue 16; `preset paper` keeps it) or `centred` U[−0.5, 0.5)/√k (BPR's before).
    /// Default centred, for its recall@100 on held-out ratings (ml-latest-small, seeds 0–4, mean
    /// ± std, other keys at default): lfm at 80 epochs 0.325 ± 0.023 (1.37× the popularity list)
    /// against 0.316 ± 0.026 (1.32×) positive; at 20 epochs 0.275 ± 0.017 (1.16×) against
    /// 0.239 ± 0.010 (1.00×); bpr 0.316 ± 0.025 (1.32×) against 0.301 ± 0.023 (1.26×) — higher on
    /// every one of the 15 seed × model pairs. All-positive vectors start in one shared direction,
    /// a popularity direction, that training must first undo.
    pub init: Init,
    /// The one-run privacy audit (Steinke, Nasr & Jagielski, NeurIPS 2023; `defence::audit`):
    /// `dp-sgd` (default) audits every run whose target trains with dp-sgd, `always` every run
    /// (an undefended target too), `off` none. The audit trains the target's algorithm a second
    /// time, on the target's members plus canaries, so it costs about one more target training.
    pub audit: Audit,
    /// Canary users of the audit, each included in its training with probability ½. Default 100:
    /// without DP the bound reaches 2.36 and 2.45 at 95 % confidence (ml-latest-small, seeds 0
    /// and 1; it can grow only like ln m), and 100 canaries add ~50 users of 4 interactions to the
    /// ~150 members of an ml-latest-small half. 10 to 1000.
    pub audit_canaries: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0,
            member_fraction: 0.5,
            recommender: RecommenderKind::Lfm,
            shadow_recommender: ShadowRecommender::Same,
            k: 100,
            vector_k: 100,
            knn_neighbours: 20,
            knn_shrink: 5.0,
            lr: 0.01,
            reg: 0.01,
            epochs: 80,
            bpr_lr: 0.07,
            bpr_reg: 0.02,
            bpr_epochs: 20,
            negatives: 1,
            negative_sampling: NegativeSampling::Uniform,
            top_n: 100,
            exclude_seen: false,
            protocol: Protocol::Popular,
            holdout: 0.1,
            weighting: Weighting::Rank,
            item_vectors: ItemVectors::Joint,
            vector_epochs: 5,
            attack: AttackKind::Mlp,
            hidden1: 32,
            hidden2: 8,
            attack_lr: 0.01,
            attack_epochs: 30,
            attack_batch: 32,
            attack_restarts: 3,
            lira_references: 16,
            lira_offline: false,
            defence: DefenceKind::None,
            defence_strength: 0.0,
            attacker_knows_defence: true,
            dp_clip: 0.0,
            dp_sampling_rate: crate::defence::DEFAULT_DP_SAMPLING_RATE,
            dp_delta: 0.0,
            ncf_factors: 8,
            ncf_lr: 0.01,
            ncf_epochs: 3,
            ncf_negatives: 16,
            ncf_reg: 0.01,
            init: Init::Centred,
            audit: Audit::DpSgd,
            audit_canaries: 100,
        }
    }
}

fn in_range<T: PartialOrd + std::fmt::Display>(key: &str, v: T, lo: T, hi: T) -> Result<()> {
    if v >= lo && v <= hi {
        Ok(())
    } else {
        Err(Error::config(
            key,
            format!("{v} is out of range (allowed {lo} to {hi})"),
        ))
    }
}

fn finite_in(key: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Error::config(
            key,
            format!("{v} must be between {lo} and {hi}"),
        ))
    }
}

fn open_unit(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        Err(Error::config(
            key,
            format!("{v} must lie strictly between 0 and 1"),
        ))
    }
}

/// A learning rate: the engine computes in f32, so the value must still be positive there
/// (1e-300 is a positive f64 but 0 in f32, and nothing would train).
fn positive_rate(key: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 && v <= 1.0 && (v as f32) >= f32::MIN_POSITIVE {
        Ok(())
    } else {
        Err(Error::config(
            key,
            format!("{v} must be > 0 and ≤ 1 (and at least 1.2e-38, the smallest normal f32)"),
        ))
    }
}

impl Config {
    /// Validates every field; the error names the key and the allowed range.
    pub fn check(&self) -> Result<()> {
        open_unit("member_fraction", self.member_fraction)?;
        in_range("k", self.k, 1, 512)?;
        in_range("vector_k", self.vector_k, 0, 512)?;
        in_range("knn_neighbours", self.knn_neighbours, 1, 1000)?;
        finite_in("knn_shrink", self.knn_shrink, 0.0, 1000.0)?;
        positive_rate("lr", self.lr)?;
        if !(self.reg.is_finite() && (0.0..=10.0).contains(&self.reg)) {
            return Err(Error::config(
                "reg",
                format!("{} must be between 0 and 10", self.reg),
            ));
        }
        in_range("epochs", self.epochs, 1, 500)?;
        positive_rate("bpr_lr", self.bpr_lr)?;
        finite_in("bpr_reg", self.bpr_reg, 0.0, 10.0)?;
        in_range("bpr_epochs", self.bpr_epochs, 1, 500)?;
        in_range("negatives", self.negatives, 0, 20)?;
        in_range("top_n", self.top_n, 1, 1000)?;
        if !(self.holdout.is_finite() && (0.0..=0.9).contains(&self.holdout)) {
            return Err(Error::config(
                "holdout",
                format!("{} must be between 0 and 0.9", self.holdout),
            ));
        }
        in_range("vector_epochs", self.vector_epochs, 1, 500)?;
        in_range("hidden1", self.hidden1, 1, 1024)?;
        in_range("hidden2", self.hidden2, 1, 1024)?;
        positive_rate("attack_lr", self.attack_lr)?;
        in_range("attack_epochs", self.attack_epochs, 1, 2000)?;
        in_range("attack_batch", self.attack_batch, 1, 4096)?;
        in_range("attack_restarts", self.attack_restarts, 1, 20)?;
        in_range("lira_references", self.lira_references, 2, 64)?;
        crate::defence::check_strength(self.defence_strength)?;
        if !(self.dp_clip.is_finite()
            && self.dp_clip >= 0.0
            && self.dp_clip <= crate::privacy::dp_sgd::MAX_CLIP)
        {
            return Err(Error::config(
                "dp_clip",
                format!(
                    "{} must be 0 (the recommender's own C) or > 0 and ≤ {}",
                    self.dp_clip,
                    crate::privacy::dp_sgd::MAX_CLIP
                ),
            ));
        }
        // Every DP step adds noise to the whole catalogue: rates below 0.01 would take thousands.
        finite_in("dp_sampling_rate", self.dp_sampling_rate, 0.01, 1.0)?;
        if self.dp_delta != 0.0 {
            crate::privacy::dp_sgd::check_delta(self.dp_delta)?;
        }
        self.defence
            .check_applies(self.recommender, self.protocol, self.negative_sampling)?;
        in_range("ncf_factors", self.ncf_factors, 1, 64)?;
        positive_rate("ncf_lr", self.ncf_lr)?;
        in_range("ncf_epochs", self.ncf_epochs, 1, 200)?;
        in_range("ncf_negatives", self.ncf_negatives, 1, 100)?;
        finite_in("ncf_reg", self.ncf_reg, 0.0, 10.0)?;
        in_range("audit_canaries", self.audit_canaries, 10, 1000)?;
        Ok(())
    }

    /// The same config without its defence: the attacker's shadow service (see `defence`).
    pub fn undefended(&self) -> Config {
        Config {
            defence: DefenceKind::None,
            defence_strength: 0.0,
            ..self.clone()
        }
    }

    /// Builds a config from a (possibly partial) JSON object; missing keys take their defaults.
    pub fn from_json(value: serde_json::Value) -> Result<Config> {
        Self::from_json_over(&Config::default(), value)
    }

    /// Like `from_json`, with missing keys taken from `base` (a preset) instead of the defaults.
    pub fn from_json_over(base: &Config, value: serde_json::Value) -> Result<Config> {
        let serde_json::Value::Object(given) = value else {
            return Err(Error::config("config", "must be a JSON object"));
        };
        let mut merged = match serde_json::to_value(base).expect("config serialises") {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("a struct serialises to an object"),
        };
        for (key, v) in given {
            if !merged.contains_key(&key) {
                // Every key would not fit a one-line message (≤ 200 characters): the nearest.
                let near = merged
                    .keys()
                    .map(|k| (edit_distance(k, &key), k))
                    .min()
                    .filter(|(d, _)| *d <= 3)
                    .map_or(String::new(), |(_, k)| format!("did you mean `{k}`? "));
                return Err(Error::config(
                    &key,
                    format!("unknown key ({near}the keys are listed in docs/INTERFACES.md)"),
                ));
            }
            // Check each value alone so the error names its key (serde's message does not).
            let mut one = serde_json::to_value(base).expect("config serialises");
            one[&key] = v.clone();
            if let Err(e) = serde_json::from_value::<Config>(one) {
                return Err(Error::config(&key, type_error(&e.to_string())));
            }
            merged.insert(key, v);
        }
        let cfg: Config = serde_json::from_value(serde_json::Value::Object(merged))
            .map_err(|e| Error::config("config", e.to_string()))?;
        cfg.check()?;
        Ok(cfg)
    }

    /// `from_json_over` for JSON text a user typed (`--config`; `what` names it in errors): a key
    /// given twice is refused naming it, and so is a number whose typed text rounds onto an end
    /// of its key's range (`check_typed`).
    pub fn from_json_text_over(base: &Config, text: &str, what: &str) -> Result<Config> {
        Self::from_entries_over(base, crate::json_text::object_entries(text, what)?)
    }

    /// `from_json_over` for typed entries (key, value and the text it was typed as): every
    /// number is checked against its text (`check_typed`) before the values are merged.
    pub fn from_entries_over(
        base: &Config,
        entries: Vec<crate::json_text::Entry>,
    ) -> Result<Config> {
        let mut given = serde_json::Map::new();
        for e in &entries {
            if given.insert(e.key.clone(), e.value.clone()).is_some() {
                return Err(Error::config(
                    &e.key,
                    "given twice: give each key once (the second would silently replace the first)",
                ));
            }
        }
        for e in &entries {
            base.check_typed(&given, &e.key, &e.text)?;
        }
        Self::from_json_over(base, serde_json::Value::Object(given))
    }

    /// Refuses a number typed with more precision than a 64-bit float holds when the float it
    /// rounds to sits on an end of `key`'s allowed range (the check accepts that float but not
    /// the next one on one side, or the reverse): `0.99999999999999999` for `member_fraction` is
    /// read as 1.0, and `1.00000000000000001` for `defence_strength` as the allowed 1.0, so the
    /// check could not judge what was typed. A text that is exactly its float (`1`, `0.5`, `0.01`
    /// as its nearest float prints) passes; so does any over-precise number inside the range.
    /// `given` holds the keys set over `self`, `key` among them.
    pub fn check_typed(
        &self,
        given: &serde_json::Map<String, serde_json::Value>,
        key: &str,
        text: &str,
    ) -> Result<()> {
        let Some(v) = given.get(key).and_then(|v| v.as_f64()) else {
            return Ok(());
        };
        if !given[key].is_f64() || crate::json_text::same_decimal(text, &format!("{v}")) {
            return Ok(());
        }
        let valid = |x: f64| {
            let Some(n) = serde_json::Number::from_f64(x) else {
                return false;
            };
            let mut m = given.clone();
            m.insert(key.to_string(), serde_json::Value::Number(n));
            Self::from_json_over(self, serde_json::Value::Object(m)).is_ok()
        };
        let here = valid(v);
        if here != valid(next_float(v, true)) || here != valid(next_float(v, false)) {
            return Err(Error::config(
                key,
                format!(
                    "{} has more digits than a 64-bit float holds and rounds to {v}, an end of the allowed range: type the end itself or a value inside",
                    crate::json_text::typed(text)
                ),
            ));
        }
        Ok(())
    }

    /// A named preset: `default`, or `paper` — the paper-faithful configuration that was the
    /// default of schema 1 (popularity-sampled negatives, the attacker's vector length tied to k).
    pub fn preset(name: &str) -> Result<Config> {
        match name {
            "default" => Ok(Config::default()),
            // Every key of schema 1 spelled out, so a later change of a default cannot move it.
            "paper" => Ok(Config {
                seed: 0,
                member_fraction: 0.5,
                recommender: RecommenderKind::Lfm,
                shadow_recommender: ShadowRecommender::Same,
                k: 100,
                vector_k: 0,
                lr: 0.01,
                reg: 0.01,
                epochs: 40,
                negatives: 1,
                negative_sampling: NegativeSampling::Popularity,
                top_n: 100,
                exclude_seen: false,
                protocol: Protocol::Popular,
                holdout: 0.1,
                weighting: Weighting::Rank,
                item_vectors: ItemVectors::Joint,
                vector_epochs: 5,
                attack: AttackKind::Mlp,
                hidden1: 32,
                hidden2: 8,
                attack_lr: 0.01,
                attack_epochs: 30,
                attack_batch: 32,
                attack_restarts: 3,
                init: Init::Positive,
                ..Config::default()
            }),
            other => Err(Error::config(
                "preset",
                format!(
                    "unknown preset '{}' (allowed: {})",
                    crate::error::shorten(other),
                    PRESETS.join(", ")
                ),
            )),
        }
    }

    /// The attacker's item-vector length (`vector_k`, or `k` when it is 0).
    pub fn attacker_k(&self) -> u32 {
        if self.vector_k == 0 {
            self.k
        } else {
            self.vector_k
        }
    }

    /// The shadow model's algorithm.
    pub fn shadow_kind(&self) -> RecommenderKind {
        match self.shadow_recommender {
            ShadowRecommender::Same => self.recommender,
            ShadowRecommender::Kind(k) => k,
        }
    }

    /// Names of the keys a sweep may vary (every numeric key except the seed).
    pub fn numeric_keys() -> Vec<&'static str> {
        vec![
            "member_fraction",
            "k",
            "vector_k",
            "knn_neighbours",
            "knn_shrink",
            "lr",
            "reg",
            "epochs",
            "bpr_lr",
            "bpr_reg",
            "bpr_epochs",
            "negatives",
            "top_n",
            "holdout",
            "vector_epochs",
            "hidden1",
            "hidden2",
            "attack_lr",
            "attack_epochs",
            "attack_batch",
            "attack_restarts",
            "lira_references",
            "defence_strength",
            "dp_clip",
            "dp_sampling_rate",
            "dp_delta",
            "ncf_factors",
            "ncf_lr",
            "ncf_epochs",
            "ncf_negatives",
            "ncf_reg",
            "audit_canaries",
        ]
    }

    /// Returns a copy with one numeric key set to `value` (integers must be whole), validated.
    pub fn with_param(&self, key: &str, value: f64) -> Result<Config> {
        if !Self::numeric_keys().contains(&key) {
            return Err(Error::config(
                key,
                format!(
                    "cannot be swept; numeric keys are {}",
                    Self::numeric_keys().join(", ")
                ),
            ));
        }
        let mut json = serde_json::to_value(self).expect("config serialises");
        let slot = json.get_mut(key).expect("numeric key exists");
        let number = if slot.is_u64() {
            if !(value.is_finite() && value.fract() == 0.0 && value >= 0.0) {
                return Err(Error::config(key, format!("{value} is not a whole number")));
            }
            serde_json::Number::from(value as u64)
        } else {
            serde_json::Number::from_f64(value)
                .ok_or_else(|| Error::config(key, format!("{value} is not a finite number")))?
        };
        *slot = serde_json::Value::Number(number);
        Config::from_json(json)
    }
}

/// The next float above (`up`) or below `x` (finite `x`; `f64::next_up` needs Rust 1.86).
fn next_float(x: f64, up: bool) -> f64 {
    if x == 0.0 {
        let tiny = f64::from_bits(1);
        return if up { tiny } else { -tiny };
    }
    let bits = x.to_bits();
    // Away from zero is one more in the bit pattern, whatever the sign.
    let away = (x > 0.0) == up;
    f64::from_bits(if away { bits + 1 } else { bits - 1 })
}

/// serde's message for a bad value, without its position suffix (" at line 1 column 9"), short
/// enough that the whole error stays within 200 characters.
fn type_error(text: &str) -> String {
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => text,
    };
    crate::error::shorten_to(text, 140)
}

/// Levenshtein distance of two short keys (for "did you mean").
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().take(64).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().take(64).enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_follow_the_paper() {
        let c = Config::default();
        c.check().unwrap();
        assert_eq!((c.k, c.top_n, c.lr, c.reg), (100, 100, 0.01, 0.01));
        assert_eq!(c.protocol, Protocol::Popular);
        assert_eq!(c.recommender, RecommenderKind::Lfm);
        assert_eq!(c.shadow_kind(), RecommenderKind::Lfm);
        assert_eq!(c.attacker_k(), 100);
    }

    #[test]
    fn paper_preset_is_the_schema_1_default() {
        let p = Config::preset("paper").unwrap();
        assert_eq!(p.negative_sampling, NegativeSampling::Popularity);
        // Schema 1's LFM started all-positive; the default starts centred (issue 16).
        assert_eq!(
            (p.init, Config::default().init),
            (Init::Positive, Init::Centred)
        );
        assert_eq!(
            (p.k, p.vector_k, p.attacker_k(), p.epochs),
            (100, 0, 100, 40)
        );
        let over = Config::from_json_over(&p, serde_json::json!({"k": 30})).unwrap();
        assert_eq!(
            over.attacker_k(),
            30,
            "schema 1 ties the vector length to k"
        );
        let e = Config::preset("nope").unwrap_err().to_string();
        assert!(e.contains("preset") && e.contains("paper"), "{e}");
    }

    #[test]
    fn bad_names_and_types_name_their_key_and_the_allowed_values() {
        let e = Config::from_json(serde_json::json!({"recommender": "svd"})).unwrap_err();
        let t = e.to_string();
        assert!(
            t.starts_with("config: recommender:") && t.contains("item-knn"),
            "{t}"
        );
        let e = Config::from_json(serde_json::json!({"shadow_recommender": "x"})).unwrap_err();
        let t = e.to_string();
        assert!(
            t.starts_with("config: shadow_recommender:") && t.contains("same"),
            "{t}"
        );
        let e = Config::from_json(serde_json::json!({"attack": "oracle"})).unwrap_err();
        assert!(e.to_string().starts_with("config: attack:"), "{e}");
        let e = Config::from_json(serde_json::json!({"seed": -1})).unwrap_err();
        assert!(e.to_string().starts_with("config: seed:"), "{e}");
        let c = Config::from_json(serde_json::json!({"shadow_recommender": "item-knn"})).unwrap();
        assert_eq!(c.shadow_kind(), RecommenderKind::ItemKnn);
        assert_eq!(
            serde_json::to_value(&c).unwrap()["shadow_recommender"],
            "item-knn"
        );
    }

    #[test]
    fn partial_json_fills_defaults_and_rejects_unknown_keys() {
        let c = Config::from_json(serde_json::json!({"k": 10, "protocol": "fold-in"})).unwrap();
        assert_eq!(c.k, 10);
        assert_eq!(c.protocol, Protocol::FoldIn);
        assert_eq!(c.top_n, 100);
        let e = Config::from_json(serde_json::json!({"kk": 1})).unwrap_err();
        assert!(e.to_string().contains("kk"), "{e}");
    }

    #[test]
    fn out_of_range_values_name_the_key() {
        let e = Config::from_json(serde_json::json!({"lr": 0.0})).unwrap_err();
        assert!(e.to_string().starts_with("config: lr:"), "{e}");
        let e = Config::from_json(serde_json::json!({"member_fraction": 1.0})).unwrap_err();
        assert!(e.to_string().contains("member_fraction"), "{e}");
        let e = Config::from_json(serde_json::json!({"audit_canaries": 5})).unwrap_err();
        assert!(e.to_string().starts_with("config: audit_canaries:"), "{e}");
        let e = Config::from_json(serde_json::json!({"init": "gaussian"})).unwrap_err();
        assert!(
            e.to_string().starts_with("config: init:") && e.to_string().contains("centred"),
            "{e}"
        );
        let e = Config::from_json(serde_json::json!({"audit": "sometimes"})).unwrap_err();
        assert!(e.to_string().contains("always"), "{e}");
        let e = Config::from_json(serde_json::json!({"lr": 1e-300})).unwrap_err();
        assert!(e.to_string().starts_with("config: lr:"), "{e}");
        let e = Config::from_json(serde_json::json!({"attack_lr": 1e-40})).unwrap_err();
        assert!(e.to_string().starts_with("config: attack_lr:"), "{e}");
    }

    #[test]
    fn typed_json_refuses_duplicate_keys_even_after_an_invalid_first() {
        let d = Config::default();
        // serde_json's Value keeps the last: this ran with k 10 before.
        let e = Config::from_json_text_over(&d, r#"{"k":0,"k":10}"#, "--config").unwrap_err();
        assert!(e.to_string().starts_with("config: k: given twice"), "{e}");
        let e = Config::from_json_text_over(&d, r#"{"k":10,"k":10}"#, "--config").unwrap_err();
        assert!(e.to_string().starts_with("config: k: given twice"), "{e}");
        let c = Config::from_json_text_over(&d, r#"{"k":10,"lr":0.02}"#, "--config").unwrap();
        assert_eq!((c.k, c.lr), (10, 0.02));
    }

    #[test]
    fn numbers_that_round_onto_an_end_of_the_range_are_refused_as_typed() {
        let d = Config::default();
        let text = |json: &str| Config::from_json_text_over(&d, json, "--config");
        // Rounds to 1.0, which member_fraction excludes: the message shows what was typed.
        let e = text(r#"{"member_fraction":0.99999999999999999}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("config: member_fraction: 0.99999999999999999 has more digits"),
            "{e}"
        );
        assert!(e.chars().count() <= 200, "{e}");
        // Rounds to the allowed 1.0 from above: accepted silently before.
        let e = text(r#"{"defence_strength":1.00000000000000001}"#).unwrap_err();
        assert!(e.to_string().contains("1.00000000000000001"), "{e}");
        // The ends typed exactly, over-precise values inside the range, and a float's shortest
        // form are all fine.
        assert_eq!(
            text(r#"{"defence_strength":1.0}"#)
                .unwrap()
                .defence_strength,
            1.0
        );
        assert_eq!(
            text(r#"{"dp_sampling_rate":0.010}"#)
                .unwrap()
                .dp_sampling_rate,
            0.01
        );
        assert!(text(r#"{"lr":0.0100000000000000000001}"#).is_ok());
        let near_one = text(r#"{"member_fraction":0.9999999999999999}"#).unwrap();
        assert!(near_one.member_fraction < 1.0);
    }

    #[test]
    fn an_unknown_key_names_the_nearest_in_one_short_line() {
        let e = Config::from_json(serde_json::json!({"kk": 1}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "config: kk: unknown key (did you mean `k`? the keys are listed in docs/INTERFACES.md)"
        );
        let e = Config::from_json(serde_json::json!({"zzzzzzzzzz": 1}))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("did you mean") && e.len() <= 200, "{e}");
        let e = Config::from_json(serde_json::json!({"recommender": "x".repeat(500)}))
            .unwrap_err()
            .to_string();
        assert!(e.chars().count() <= 200, "{e}");
    }

    #[test]
    fn next_float_steps_one_ulp_either_way() {
        assert!(next_float(1.0, true) > 1.0 && next_float(1.0, false) < 1.0);
        assert_eq!(next_float(next_float(1.0, true), false), 1.0);
        assert!(next_float(-1.0, true) > -1.0 && next_float(-1.0, false) < -1.0);
        assert!(next_float(0.0, true) > 0.0 && next_float(0.0, false) < 0.0);
    }

    #[test]
    fn with_param_sets_integers_and_floats() {
        let c = Config::default();
        assert_eq!(c.with_param("k", 30.0).unwrap().k, 30);
        assert_eq!(c.with_param("lr", 0.05).unwrap().lr, 0.05);
        assert!(c.with_param("k", 30.5).is_err());
        assert!(c.with_param("protocol", 1.0).is_err());
        assert!(c.with_param("k", 0.0).is_err());
    }

    /// docs/INTERFACES.md promises that every numeric key but `seed` can be swept: the list must
    /// follow the config's fields (it once lacked `dp_delta`, so `sweep --param dp_delta` was refused).
    #[test]
    fn every_numeric_key_but_the_seed_can_be_swept() {
        let json = serde_json::to_value(Config::default()).unwrap();
        let fields = json.as_object().unwrap();
        let numeric: Vec<&str> = fields
            .iter()
            .filter(|(k, v)| v.is_number() && k.as_str() != "seed")
            .map(|(k, _)| k.as_str())
            .collect();
        let mut listed = Config::numeric_keys();
        listed.sort_unstable();
        let mut want = numeric.clone();
        want.sort_unstable();
        assert_eq!(listed, want);
        let c = Config::default().with_param("dp_delta", 1e-5).unwrap();
        assert_eq!(c.dp_delta, 1e-5);
    }
}
