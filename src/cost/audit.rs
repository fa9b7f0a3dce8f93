//! The estimate of an audit (`memberlens audit`, src/audit/): no target to train, one shadow half
//! of every user not audited, the attacker's item vectors, features and MLP as in a run, and the
//! K reference models, each trained on `member_fraction` of the audited users' whole histories and
//! serving (and asking about) every audited user, `jobs` at a time natively; each reference's
//! users are then scored by every attack (features and the MLP's forward pass).

use super::{attacker, data_bytes, half, load_bytes, probes, Estimate, Piece, Shape};
use super::{NS_MLP, NS_SCORE, NS_TO_SECONDS, PARALLEL_EFFICIENCY};
use crate::config::Config;
use crate::data::DatasetSummary;

/// A half of `users` of the data set's users, `members` of them members, with the interactions
/// they hold in proportion (`train_share`: the share of a member's interactions trained on).
fn half_shape(data: &DatasetSummary, users: f64, member_fraction: f64, train_share: f64) -> Shape {
    let n = data.interactions as f64;
    let share = users / (data.users as f64).max(1.0);
    Shape {
        n,
        users: data.users as f64,
        items: data.items as f64,
        half_users: users,
        members: (users * member_fraction).max(1.0),
        train: n * share * member_fraction * train_share,
        non_member: n * share * (1.0 - member_fraction),
    }
}

/// An audit of `audited` users of `data` with `cfg` (the shadow's and the references' family is
/// `cfg.shadow_kind()`), the references on `jobs` threads.
pub fn estimate_audit(
    cfg: &Config,
    data: &DatasetSummary,
    audited: usize,
    jobs: usize,
) -> Estimate {
    let kind = cfg.shadow_kind();
    let shadow_users = data.users.saturating_sub(audited) as f64;
    let s = half_shape(data, shadow_users, cfg.member_fraction, 1.0 - cfg.holdout);
    let shadow = half(kind, cfg, &s).then(probes(kind, cfg, &s));
    let attack = attacker(cfg, &s, 1.0);
    let a = audited as f64;
    let r = half_shape(data, a, cfg.member_fraction, 1.0);
    let one = half(kind, cfg, &r).then(probes(kind, cfg, &r));
    // Every attack scores each reference's audited users: their features and the MLP's pass.
    let vk = f64::from(cfg.attacker_k());
    let history = r.n / r.users.max(1.0);
    let weights = vk * f64::from(cfg.hidden1) + f64::from(cfg.hidden1 * cfg.hidden2);
    let judged = a * ((history + f64::from(cfg.top_n)) * vk * NS_SCORE + weights * NS_MLP);
    let one = one.then(Piece {
        seconds: judged * NS_TO_SECONDS,
        bytes: 0.0,
        transient: 0.0,
    });
    let k = f64::from(cfg.lira_references);
    let threads = (jobs.max(1) as f64).min(k);
    let slowdown = threads / (1.0 + (threads - 1.0) * PARALLEL_EFFICIENCY);
    let rounds = (k / threads).ceil();
    // The LiRA samples (a flag and three statistics per user and reference) and the lists given.
    let samples = k * a * 32.0;
    let lists = a * f64::from(cfg.top_n) * 4.0 * 2.0;
    let seconds = shadow.seconds + attack.seconds + rounds * one.seconds * slowdown;
    let peak = shadow.bytes.max(one.peak() * threads) + attack.bytes + samples + lists;
    let modelled = (data_bytes(data) + peak.max(shadow.peak())).max(load_bytes(data));
    Estimate {
        seconds,
        peak_bytes: modelled
            * if threads > 1.0 {
                PEAK_FACTOR_THREADS
            } else {
                PEAK_FACTOR
            },
    }
}

/// The measured peak over the modelled one, one thread: /usr/bin/time -v and /proc sampling of
/// item-knn audits with lists of 100 gave 171 MiB (2·10^6 interactions, 2 references; modelled
/// 108), 187 MiB (2·10^6, 16 references; 116) and 810 MiB (10^7, 2 references; 494): 1.50–1.64×.
/// The extra shows at the end (the last reference and the evaluation, where RSS rose from 122 to
/// 171 MiB in the first case); what holds it is not yet modelled piece by piece.
const PEAK_FACTOR: f64 = 1.6;
/// The same on more than one thread, where the threads' transient peaks can coincide and each
/// thread's allocator keeps its own high-water mark: 10^7 interactions, 16 references, 2 threads
/// peaked at 1,690 MiB on an idle machine (modelled 664: 2.55×) and at 993 MiB (1.50×) at load 5–7,
/// where the threads overlapped less; 2·10^6 with 16 references, 244 MiB (modelled 142: 1.72×).
/// The gate must not undershoot, so the highest ratio.
const PEAK_FACTOR_THREADS: f64 = 2.55;

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(users: usize, items: usize, interactions: usize) -> DatasetSummary {
        DatasetSummary {
            name: "t".into(),
            users,
            items,
            interactions,
            ratings: interactions,
        }
    }

    #[test]
    fn an_audit_costs_about_a_lira_run_and_threads_share_the_references() {
        let data = summary(610, 9724, 100_836);
        let cfg = Config::default();
        let lira = Config {
            attack: crate::attack::AttackKind::Lira,
            ..cfg.clone()
        };
        let run = super::super::estimate(&lira, &data, 1);
        let one = estimate_audit(&cfg, &data, 305, 1);
        // No target is trained, but every attack judges each reference's users: measured on
        // ml-latest-small with the defaults and --jobs 1, the audit of a lira run's --users file
        // took 5.26 s and the run 5.43 s (/usr/bin/time); the estimates must agree within 25 %.
        let ratio = one.seconds / run.seconds;
        assert!((0.75..1.25).contains(&ratio), "{one:?} vs {run:?}");
        let two = estimate_audit(&cfg, &data, 305, 2);
        assert!(two.seconds < 0.75 * one.seconds && two.seconds > 0.5 * one.seconds);
        assert!(two.peak_bytes >= one.peak_bytes);
        // fewer references, less time
        let few = Config {
            lira_references: 2,
            ..cfg
        };
        assert!(estimate_audit(&few, &data, 305, 1).seconds < 0.4 * one.seconds);
    }

    #[test]
    fn the_audit_peak_never_undershoots_the_measured_one_and_overshoots_it_by_less_than_60_percent()
    {
        let knn = |references: u32| Config {
            recommender: crate::recommender::RecommenderKind::ItemKnn,
            lira_references: references,
            ..Config::default()
        };
        const MIB: f64 = 1024.0 * 1024.0;
        // (data, audited users, references, threads, measured peak RSS in MiB): see PEAK_FACTOR.
        // The same 10^7 audit on two threads peaked at 993 MiB under load and 1,690 MiB idle:
        // the estimate must cover the higher.
        let measured = [
            (summary(40_000, 10_000, 2_000_000), 20_000, 2, 1, 171.0),
            (summary(40_000, 8_000, 2_000_000), 20_000, 16, 1, 187.0),
            (summary(40_000, 8_000, 2_000_000), 20_000, 16, 2, 244.0),
            (summary(200_000, 20_000, 10_000_000), 100_000, 2, 1, 810.0),
            (summary(200_000, 20_000, 10_000_000), 100_000, 16, 2, 1690.0),
        ];
        for (data, audited, references, threads, peak) in measured {
            let e = estimate_audit(&knn(references), &data, audited, threads);
            let ratio = e.peak_bytes / MIB / peak;
            assert!((0.9..1.6).contains(&ratio), "{e:?} vs {peak} MiB: {ratio}");
        }
    }
}
