//! Where the flat `Config` becomes each family's own params: the recommenders'
//! (`RecommenderParams`), the attacks' (`AttackParams`, `ItemVectorParams`) and the defences'
//! (`DefenceParams`). The families define and validate their params and never read the config;
//! this file is the one place that knows which config key feeds which field.

use super::Config;
use crate::attack::item_vectors::ItemVectorParams;
use crate::attack::network::MlpParams;
use crate::attack::{AttackParams, MlpAttackParams};
use crate::defence::{self, DefenceKind, DefenceParams};
use crate::mf::SgdParams;
use crate::privacy::DpSgdParams;
use crate::recommender::{BprParams, ItemKnnParams, LfmParams, NcfParams, RecommenderParams};

impl Config {
    /// Every recommender's params (each model takes only its own; see `recommender::build`).
    pub fn recommender_params(&self) -> RecommenderParams {
        let dp = self.dp_params();
        RecommenderParams {
            lfm: LfmParams {
                k: self.k as usize,
                init: self.init,
                sgd: SgdParams {
                    lr: self.lr as f32,
                    reg: self.reg as f32,
                    epochs: self.epochs,
                    negatives: self.negatives,
                    sampling: self.negative_sampling,
                },
                dp,
            },
            bpr: BprParams {
                k: self.k as usize,
                init: self.init,
                lr: self.bpr_lr as f32,
                reg: self.bpr_reg as f32,
                epochs: self.bpr_epochs,
                dp,
            },
            item_knn: ItemKnnParams {
                neighbours: self.knn_neighbours as usize,
                shrink: self.knn_shrink,
            },
            ncf: NcfParams {
                factors: self.ncf_factors as usize,
                lr: self.ncf_lr as f32,
                epochs: self.ncf_epochs,
                negatives: self.ncf_negatives,
                reg: self.ncf_reg as f32,
            },
        }
    }

    /// The attacks' params (`attack::build`).
    pub fn attack_params(&self) -> AttackParams {
        AttackParams {
            mlp: MlpAttackParams {
                net: MlpParams {
                    hidden1: self.hidden1 as usize,
                    hidden2: self.hidden2 as usize,
                    lr: self.attack_lr as f32,
                    epochs: self.attack_epochs,
                    batch: self.attack_batch as usize,
                },
                restarts: self.attack_restarts,
                seed: self.seed,
            },
        }
    }

    /// The attacker's item-vector factorisation.
    pub fn item_vector_params(&self) -> ItemVectorParams {
        ItemVectorParams {
            k: self.attacker_k() as usize,
            epochs: self.vector_epochs,
            source: self.item_vectors,
            seed: self.seed,
        }
    }

    /// The defences' params: their own keys and the facts of the target they depend on.
    pub fn defence_params(&self) -> DefenceParams {
        DefenceParams {
            kind: self.defence,
            strength: self.defence_strength,
            dp_clip: self.dp_clip,
            dp_sampling_rate: self.dp_sampling_rate,
            dp_delta: self.dp_delta,
            recommender: self.recommender,
            protocol: self.protocol,
            negative_sampling: self.negative_sampling,
            lfm_epochs: self.epochs,
            bpr_epochs: self.bpr_epochs,
            audit: self.audit,
            audit_canaries: self.audit_canaries,
            seed: self.seed,
        }
    }

    /// The DP-SGD settings of the target, or `None` when it trains without DP.
    pub fn dp_params(&self) -> Option<DpSgdParams> {
        defence::dp_params(&self.defence_params())
    }

    /// Whether this run audits its target (`defence::audit::audits`).
    pub fn audits(&self) -> bool {
        defence::audit::audits(&self.defence_params())
    }

    /// The defences that apply to this config's recommender and protocol (the frontier's default).
    pub fn applicable_defences(&self) -> Vec<DefenceKind> {
        DefenceKind::applicable(&self.defence_params())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ItemVectors;
    use crate::recommender::RecommenderKind;

    #[test]
    fn the_mlp_attack_reads_its_keys() {
        let cfg = Config {
            hidden1: 7,
            hidden2: 5,
            attack_lr: 0.25,
            attack_epochs: 11,
            attack_batch: 13,
            attack_restarts: 2,
            seed: 4,
            ..Config::default()
        };
        let p = cfg.attack_params().mlp;
        let n = p.net;
        assert_eq!(
            (n.hidden1, n.hidden2, n.lr, n.epochs, n.batch),
            (7, 5, 0.25, 11, 13)
        );
        assert_eq!((p.restarts, p.seed), (2, 4));
    }

    #[test]
    fn the_item_vectors_read_their_keys() {
        let cfg = Config {
            k: 7,
            vector_k: 0,
            vector_epochs: 3,
            item_vectors: ItemVectors::Shadow,
            seed: 5,
            ..Config::default()
        };
        let p = cfg.item_vector_params();
        assert_eq!(
            (p.k, p.epochs, p.source, p.seed),
            (7, 3, ItemVectors::Shadow, 5)
        );
        let p = Config { vector_k: 4, ..cfg }.item_vector_params();
        assert_eq!(p.k, 4);
    }

    #[test]
    fn dp_sgd_follows_the_target_recommenders_epochs_and_both_factor_models_get_it() {
        let cfg = Config {
            defence: DefenceKind::DpSgd,
            defence_strength: 0.5,
            epochs: 40,
            bpr_epochs: 7,
            ..Config::default()
        };
        let lfm = cfg.dp_params().unwrap();
        assert_eq!(lfm.steps, 80);
        let bpr = Config {
            recommender: RecommenderKind::Bpr,
            ..cfg.clone()
        };
        assert_eq!(bpr.dp_params().unwrap().steps, 14);
        let r = cfg.recommender_params();
        assert_eq!((r.lfm.dp, r.bpr.dp), (Some(lfm), Some(lfm)));
        assert!(cfg.undefended().recommender_params().lfm.dp.is_none());
        assert!(cfg.audits() && !cfg.undefended().audits());
    }

    #[test]
    fn the_defaults_take_ncfs_specialised_path() {
        assert!(
            Config::default().recommender_params().ncf.specialised(),
            "update ncf's specialised shape (recommender/ncf/shape.rs) with the defaults"
        );
        let other = Config {
            ncf_factors: 4,
            ..Config::default()
        };
        assert!(!other.recommender_params().ncf.specialised());
    }
}
