//! The calibrated per-user attack (`lira`): the likelihood-ratio attack of Carlini et al.,
//! "Membership Inference Attacks From First Principles" (S&P 2022), on what a recommender shows.
//!
//! The attacker trains K reference recommenders of the target's algorithm and defence
//! (`experiment::references`). Online, each is trained on a seeded random half of the attacked
//! users, so every attacked user is *in* about half of them; offline (`lira_offline`), on the
//! attacker's shadow users only, so every attacked user is *out* of all of them. Each reference
//! serves every user as the target would, and for every user and reference the attack measures
//! three list statistics (`statistics`): the share of the list the user already knows (overlap),
//! minus the distance between the history's and the list's centroids (the paper's feature), and the
//! share of the list not on the probe list (the copy's list under fold-in, the new-user list under
//! popular). Per user it then has in- and out-samples of the 3-vector.
//!
//! Online score: log N(x; μ_in(u), Σ_in) − log N(x; μ_out(u), Σ_out), with the user's own means
//! and covariances pooled over users (deviations from each user's means), as LiRA does with few
//! references ("fixed variance"); a ridge keeps a statistic that never varies (a non-member's
//! distance to the popular list is exactly 0) from dividing by zero. Offline score: the distance
//! from the user's own out-mean along the discriminant direction Σ_out⁻¹(μ̄_in − μ̄_out), the
//! global in/out means taken from the reference members (shadow users). Larger = member; the
//! threshold is a likelihood ratio of 1 (score 0).

use ndarray::ArrayView1;

use super::{list_distance::list_distance, overlap::overlap_share, Attack, AttackInput};

/// The list statistics per user.
pub const STATS: usize = 3;
/// Names of the statistics, in order (reports and docs).
pub const STAT_NAMES: [&str; STATS] = ["overlap", "distance", "probe-distance"];

type Vec3 = [f64; STATS];
type Mat3 = [[f64; STATS]; STATS];

/// The three statistics of one user's list: overlap with the history, minus the centroid
/// difference's length (`feature`), distance to the probe list (0 without one).
pub fn statistics(
    history: &[u32],
    list: &[u32],
    feature: ArrayView1<f32>,
    probe: Option<&[u32]>,
) -> Vec3 {
    let norm = feature
        .iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt();
    [
        overlap_share(history, list),
        -norm,
        probe.map_or(0.0, |p| list_distance(list, p)),
    ]
}

/// The statistics of every user of `input` (the probe: the copy's list, else the new-user list).
pub fn input_statistics(input: &AttackInput) -> Vec<Vec3> {
    (0..input.lists.len())
        .map(|u| {
            let probe = input
                .clone_lists
                .map(|c| c[u].as_slice())
                .or(input.new_user_list);
            statistics(
                input.histories[u],
                &input.lists[u],
                input.features.row(u),
                probe,
            )
        })
        .collect()
}

/// What the references measured: per reference, each attacked user's statistics and whether the
/// user was in that reference; offline also the calibration users' (shadow users').
#[derive(Clone, Debug, Default)]
pub struct ReferenceSamples {
    /// `[reference][attacked user]`: (in the reference's training data, statistics).
    pub attacked: Vec<Vec<(bool, Vec3)>>,
    /// `[reference][calibration user]`: the same for users not attacked (offline only).
    pub calibration: Vec<Vec<(bool, Vec3)>>,
}

/// A Gaussian with a pooled covariance: its inverse and log-determinant.
#[derive(Clone, Debug, PartialEq)]
struct Gaussian {
    inv: Mat3,
    log_det: f64,
}

/// Cholesky of a symmetric positive-definite 3×3 matrix → (inverse, log det). Index loops: the
/// textbook recurrences read best with their indices.
#[allow(clippy::needless_range_loop)]
fn invert(m: &Mat3) -> Option<Gaussian> {
    let mut l = [[0.0; STATS]; STATS];
    for i in 0..STATS {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    // inverse of L (lower triangular), then Σ⁻¹ = L⁻ᵀ L⁻¹
    let mut li = [[0.0; STATS]; STATS];
    for i in 0..STATS {
        li[i][i] = 1.0 / l[i][i];
        for j in 0..i {
            let s: f64 = (j..i).map(|k| l[i][k] * li[k][j]).sum();
            li[i][j] = -s / l[i][i];
        }
    }
    let mut inv = [[0.0; STATS]; STATS];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..STATS).map(|k| li[k][i] * li[k][j]).sum();
        }
    }
    let log_det = 2.0 * (0..STATS).map(|i| libm::log(l[i][i])).sum::<f64>();
    Some(Gaussian { inv, log_det })
}

fn quad(inv: &Mat3, d: &Vec3) -> f64 {
    (0..STATS)
        .map(|i| (0..STATS).map(|j| d[i] * inv[i][j] * d[j]).sum::<f64>())
        .sum()
}

fn sub(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn mean(v: &[Vec3]) -> Option<Vec3> {
    if v.is_empty() {
        return None;
    }
    let mut m = [0.0; STATS];
    for x in v {
        for k in 0..STATS {
            m[k] += x[k];
        }
    }
    Some(m.map(|s| s / v.len() as f64))
}

/// Covariance of the deviations (pooled over users), with a ridge of 1e-3 of its mean variance
/// (at least 1e-8) on the diagonal.
fn pooled(deviations: &[Vec3]) -> Mat3 {
    let mut c = [[0.0; STATS]; STATS];
    let n = deviations.len().max(2) as f64 - 1.0;
    for d in deviations {
        for i in 0..STATS {
            for j in 0..STATS {
                c[i][j] += d[i] * d[j] / n;
            }
        }
    }
    let trace = (c[0][0] + c[1][1] + c[2][2]) / STATS as f64;
    let ridge = (1e-3 * trace).max(1e-8);
    for (i, row) in c.iter_mut().enumerate() {
        row[i] += ridge;
    }
    c
}

/// A fitted LiRA.
#[derive(Clone, Debug, PartialEq)]
struct Fit {
    /// Per attacked user: mean of its in-samples and of its out-samples.
    mean_in: Vec<Vec3>,
    mean_out: Vec<Vec3>,
    g_in: Gaussian,
    g_out: Gaussian,
    /// Offline: Σ_out⁻¹ (μ̄_in − μ̄_out).
    direction: Option<Vec3>,
}

/// The calibrated attack: untrained until its references are in.
#[derive(Clone, Debug, PartialEq)]
pub struct Lira {
    fit: Option<Fit>,
}

impl Lira {
    /// No references yet: scores 0 for everyone (the pipeline fits it before scoring).
    pub fn untrained() -> Lira {
        Lira { fit: None }
    }

    /// Fits the per-user Gaussians from the references' samples. `None` when the samples cannot
    /// carry a fit (no reference, or no member / non-member sample anywhere).
    pub fn from_samples(s: &ReferenceSamples, offline: bool) -> Option<Lira> {
        let users = s.attacked.first()?.len();
        let mut ins: Vec<Vec<Vec3>> = vec![Vec::new(); users];
        let mut outs: Vec<Vec<Vec3>> = vec![Vec::new(); users];
        for r in &s.attacked {
            for (u, (member, x)) in r.iter().enumerate() {
                if *member {
                    ins[u].push(*x);
                } else {
                    outs[u].push(*x);
                }
            }
        }
        // Global means: over every in- and out-sample (offline: the calibration users', as the
        // attacked users are never in).
        let (all_in, all_out): (Vec<Vec3>, Vec<Vec3>) = {
            let source = if offline { &s.calibration } else { &s.attacked };
            let mut a = Vec::new();
            let mut b = Vec::new();
            for r in source {
                for (member, x) in r {
                    if *member {
                        a.push(*x)
                    } else {
                        b.push(*x)
                    }
                }
            }
            (a, b)
        };
        let g_in_mean = mean(&all_in)?;
        let g_out_mean = mean(&all_out)?;
        let shift = sub(&g_in_mean, &g_out_mean);
        let mut mean_in = Vec::with_capacity(users);
        let mut mean_out = Vec::with_capacity(users);
        let (mut dev_in, mut dev_out) = (Vec::new(), Vec::new());
        for u in 0..users {
            let mo = mean(&outs[u]);
            let mi = mean(&ins[u]);
            // A user never in (or never out) of any reference borrows the global shift.
            let (mi, mo) = match (mi, mo) {
                (Some(i), Some(o)) => (i, o),
                (Some(i), None) => (i, sub(&i, &shift)),
                (None, Some(o)) => ([o[0] + shift[0], o[1] + shift[1], o[2] + shift[2]], o),
                (None, None) => (g_in_mean, g_out_mean),
            };
            dev_in.extend(ins[u].iter().map(|x| sub(x, &mi)));
            dev_out.extend(outs[u].iter().map(|x| sub(x, &mo)));
            mean_in.push(mi);
            mean_out.push(mo);
        }
        if offline {
            // Offline has no in-sample of an attacked user: the in-spread is the calibration
            // users' around the global in-mean.
            dev_in = all_in.iter().map(|x| sub(x, &g_in_mean)).collect();
        }
        let g_in = invert(&pooled(&dev_in))?;
        let g_out = invert(&pooled(&dev_out))?;
        let direction = offline.then(|| {
            let mut w = [0.0; STATS];
            for (i, wi) in w.iter_mut().enumerate() {
                *wi = (0..STATS).map(|j| g_out.inv[i][j] * shift[j]).sum();
            }
            w
        });
        Some(Lira {
            fit: Some(Fit {
                mean_in,
                mean_out,
                g_in,
                g_out,
                direction,
            }),
        })
    }

    /// The score of each attacked user from their list statistics (`stats[u]` of user `u`, in the
    /// references' order of attacked users): what `score` computes from an input's lists, for a
    /// caller that has the statistics already (an audit scores each reference's users this way).
    pub fn score_statistics(&self, stats: &[Vec3]) -> Vec<f64> {
        let Some(f) = &self.fit else {
            return vec![0.0; stats.len()];
        };
        stats
            .iter()
            .enumerate()
            .map(|(u, x)| Self::score_one(f, u, x))
            .collect()
    }

    /// The score of attacked user `u` whose list statistics are `x`.
    fn score_one(f: &Fit, u: usize, x: &Vec3) -> f64 {
        let d_out = sub(x, &f.mean_out[u]);
        match &f.direction {
            Some(w) => (0..STATS).map(|k| w[k] * d_out[k]).sum(),
            None => {
                let d_in = sub(x, &f.mean_in[u]);
                -0.5 * (quad(&f.g_in.inv, &d_in) + f.g_in.log_det)
                    + 0.5 * (quad(&f.g_out.inv, &d_out) + f.g_out.log_det)
            }
        }
    }
}

impl Attack for Lira {
    fn status(&self) -> (String, Option<f64>) {
        ("calibrated on reference models".into(), None)
    }

    fn score(&self, target: &AttackInput) -> Vec<f64> {
        self.score_statistics(&input_statistics(target))
    }

    /// A likelihood ratio of 1 (offline: the user's own out-mean).
    fn threshold(&self, _scores: &[f64]) -> f64 {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + b.abs())
    }

    #[test]
    fn the_inverse_and_log_det_of_a_hand_made_covariance() {
        let m = [[4.0, 2.0, 0.0], [2.0, 3.0, 0.0], [0.0, 0.0, 2.0]];
        let g = invert(&m).unwrap();
        // det = (4·3 − 2·2)·2 = 16
        assert!(close(g.log_det, libm::log(16.0)));
        // the 2×2 block's inverse is [[3, −2], [−2, 4]] / 8
        assert!(close(g.inv[0][0], 3.0 / 8.0) && close(g.inv[0][1], -2.0 / 8.0));
        assert!(close(g.inv[1][1], 4.0 / 8.0) && close(g.inv[2][2], 0.5));
        assert!(invert(&[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]).is_none());
    }

    /// Two users, two references each in and out; hand-made samples: the log likelihood ratio
    /// computed by hand from the pooled covariances.
    #[test]
    fn the_likelihood_ratio_on_a_hand_made_case() {
        // user 0: in [1,0,0] and [3,0,0], out [0,0,0] and [0,0,2]
        // user 1: in [0,2,0] and [0,4,0], out [0,0,0] and [2,0,0]
        let s = ReferenceSamples {
            attacked: vec![
                vec![(true, [1.0, 0.0, 0.0]), (false, [0.0, 0.0, 0.0])],
                vec![(true, [3.0, 0.0, 0.0]), (false, [2.0, 0.0, 0.0])],
                vec![(false, [0.0, 0.0, 0.0]), (true, [0.0, 2.0, 0.0])],
                vec![(false, [0.0, 0.0, 2.0]), (true, [0.0, 4.0, 0.0])],
            ],
            calibration: vec![],
        };
        let lira = Lira::from_samples(&s, false).unwrap();
        let f = lira.fit.as_ref().unwrap();
        assert_eq!(f.mean_in, vec![[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]]);
        assert_eq!(f.mean_out, vec![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
        // in-deviations: (−1,0,0), (1,0,0), (0,−1,0), (0,1,0) over n − 1 = 3:
        // diag(2/3, 2/3, 0) + ridge 1e-3 · (4/3)/3
        let r_in = 1e-3 * (4.0 / 3.0) / 3.0;
        let c_in = [
            [2.0 / 3.0 + r_in, 0.0, 0.0],
            [0.0, 2.0 / 3.0 + r_in, 0.0],
            [0.0, 0.0, r_in],
        ];
        // out-deviations: (0,0,∓1) twice and (∓1,0,0) twice: diag(2/3, 0, 2/3) + the same ridge
        let c_out = [
            [2.0 / 3.0 + r_in, 0.0, 0.0],
            [0.0, r_in, 0.0],
            [0.0, 0.0, 2.0 / 3.0 + r_in],
        ];
        let gi = invert(&c_in).unwrap();
        let go = invert(&c_out).unwrap();
        let x = [1.5, 0.0, 0.5];
        let d_in = sub(&x, &[2.0, 0.0, 0.0]);
        let d_out = sub(&x, &[0.0, 0.0, 1.0]);
        let want =
            -0.5 * (quad(&gi.inv, &d_in) + gi.log_det) + 0.5 * (quad(&go.inv, &d_out) + go.log_det);
        // the diagonal case by hand: −½(0.25/v + 0.25/r) ... computed through the same formula,
        // and checked against the closed form of a diagonal Gaussian
        let v = 2.0 / 3.0 + r_in;
        let by_hand = -0.5 * (0.25 / v + 0.0 / v + 0.25 / r_in)
            + 0.5 * (2.25 / v + 0.0 / r_in + 0.25 / v)
            - 0.5 * (libm::log(v) + libm::log(v) + libm::log(r_in))
            + 0.5 * (libm::log(v) + libm::log(r_in) + libm::log(v));
        assert!(close(want, by_hand), "{want} vs {by_hand}");
        assert!(close(Lira::score_one(f, 0, &x), want));
        // a sample at the user's in-mean scores above one at its out-mean
        assert!(Lira::score_one(f, 0, &[2.0, 0.0, 0.0]) > 0.0);
        assert!(Lira::score_one(f, 0, &[0.0, 0.0, 1.0]) < 0.0);
    }

    #[test]
    fn offline_projects_on_the_calibration_direction_and_missing_samples_borrow_the_shift() {
        // attacked users are always out; calibration users show in = +1 on the first statistic
        let s = ReferenceSamples {
            attacked: vec![
                vec![(false, [0.0, 0.0, 0.0]), (false, [1.0, 1.0, 0.0])],
                vec![(false, [0.2, 0.0, 0.1]), (false, [1.2, 1.0, 0.0])],
            ],
            calibration: vec![
                vec![(true, [1.0, 0.0, 0.0]), (false, [0.0, 0.0, 0.0])],
                vec![(true, [1.2, 0.1, 0.0]), (false, [0.1, 0.1, 0.1])],
            ],
        };
        let lira = Lira::from_samples(&s, true).unwrap();
        let f = lira.fit.as_ref().unwrap();
        assert!(f.direction.unwrap()[0] > 0.0);
        // user 0's own out-mean scores 0; above it on the first statistic scores higher
        assert!(Lira::score_one(f, 0, &[0.1, 0.0, 0.05]).abs() < 1e-9);
        assert!(Lira::score_one(f, 0, &[1.1, 0.0, 0.05]) > 0.5);
        // online with a user never in: its in-mean is its out-mean plus the global shift
        let online = Lira::from_samples(&s, false);
        assert!(
            online.is_none(),
            "no in-sample of an attacked user at all online"
        );
        assert!(Lira::from_samples(&ReferenceSamples::default(), false).is_none());
    }
}
