//! Rényi-DP accountant for the Poisson-subsampled Gaussian mechanism (the mechanism of DP-SGD).
//!
//! Follows Google's `dp-accounting` package (`RdpAccountant`, add-or-remove-one neighbouring): the
//! same RDP orders, the same bound on the subsampled Gaussian at integer and fractional orders
//! (Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism",
//! Sec. 3.3), the same composition (RDP adds up over steps) and the same RDP → (ε, δ) conversion
//! (Balle et al. 2020, Prop. 12 / Asoodeh et al. 2020, Eq. 20, with the KL shortcut for ε = 0).
//! Everything runs in log space in `f64`, with `libm` for every transcendental so that native and
//! wasm builds give the same bits. `tests/suite/dp_accountant.rs` checks it against the package.

use crate::error::{Error, Result};

/// Iterations after which the fractional-order series is declared divergent (the package's limit);
/// such an order then gives no bound (RDP = ∞) and drops out of the minimum.
const MAX_TERMS_FRACTIONAL: u32 = 1000;

/// The RDP orders α at which the accountant evaluates, as in the package's `DEFAULT_RDP_ORDERS`:
/// 1.1, 1.2, …, 10.9 (computed as `1 + x/10` so the values are bit-identical), 11, 12, …, 63, then
/// 128, 256, 512, 1024. Whole numbers among them (2.0, 3.0, …) take the exact integer-order sum.
pub fn default_orders() -> Vec<f64> {
    let mut orders: Vec<f64> = (1..100).map(|x| 1.0 + f64::from(x) / 10.0).collect();
    orders.extend((11..64).map(f64::from));
    orders.extend([128.0, 256.0, 512.0, 1024.0]);
    orders
}

/// An ε together with the RDP order that gave the smallest one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpsilonAtOrder {
    /// ε of the (ε, δ)-DP guarantee; `f64::INFINITY` when no order gives a finite bound (σ = 0).
    pub epsilon: f64,
    /// The order α at which the minimum was reached (the first such order on a tie).
    pub order: f64,
}

/// ε of `steps` compositions of the Poisson-subsampled Gaussian mechanism with noise multiplier
/// `noise_multiplier` (σ: noise standard deviation over the L2 sensitivity) and sampling rate
/// `sampling_rate` (q), at the given `delta`, minimised over [`default_orders`].
///
/// q = 0 gives ε = 0; σ = 0 (with q > 0 and steps > 0) gives ε = ∞, which the caller must turn into
/// an error; q = 1 is the plain Gaussian mechanism (RDP α / 2σ²). Out-of-range inputs are config
/// errors naming `dp_noise`, `dp_sampling_rate` or `dp_delta`.
pub fn sampled_gaussian_epsilon(
    noise_multiplier: f64,
    sampling_rate: f64,
    steps: u64,
    delta: f64,
) -> Result<EpsilonAtOrder> {
    if !(noise_multiplier.is_finite() && noise_multiplier >= 0.0) {
        return Err(Error::config(
            "dp_noise",
            format!("{noise_multiplier} must be a finite number ≥ 0"),
        ));
    }
    if !(sampling_rate.is_finite() && (0.0..=1.0).contains(&sampling_rate)) {
        return Err(Error::config(
            "dp_sampling_rate",
            format!("{sampling_rate} must be between 0 and 1"),
        ));
    }
    if !(delta.is_finite() && delta > 0.0 && delta < 1.0) {
        return Err(Error::config(
            "dp_delta",
            format!("{delta} must lie strictly between 0 and 1"),
        ));
    }
    let orders = default_orders();
    let per_step = rdp_sampled_gaussian(sampling_rate, noise_multiplier, &orders);
    // Composition: RDP at a fixed order adds up, so T identical steps multiply it by T.
    let total: Vec<f64> = per_step.iter().map(|r| steps as f64 * r).collect();
    Ok(epsilon_from_rdp(&orders, &total, delta))
}

/// RDP of one step of the Poisson-subsampled Gaussian mechanism at each order in `orders`.
///
/// `q` must lie in [0, 1] and `sigma` be ≥ 0 (checked by [`sampled_gaussian_epsilon`]). An order
/// that is not > 1 gives no bound here (∞) instead of a division by zero. A whole-number order α
/// costs α + 1 terms, a fractional one at most [`MAX_TERMS_FRACTIONAL`].
pub fn rdp_sampled_gaussian(q: f64, sigma: f64, orders: &[f64]) -> Vec<f64> {
    orders
        .iter()
        .map(|&alpha| rdp_one_order(q, sigma, alpha))
        .collect()
}

fn rdp_one_order(q: f64, sigma: f64, alpha: f64) -> f64 {
    if q == 0.0 {
        return 0.0;
    }
    if alpha.is_nan() || alpha <= 1.0 || alpha.is_infinite() || sigma == 0.0 {
        return f64::INFINITY;
    }
    if q == 1.0 {
        return alpha / (2.0 * sigma * sigma);
    }
    let log_a = if alpha.fract() == 0.0 && alpha <= f64::from(u32::MAX) {
        log_a_integer(q, sigma, alpha as u32)
    } else {
        log_a_fractional(q, sigma, alpha)
    };
    log_a / (alpha - 1.0)
}

/// The smallest ε over the orders for which RDP values `rdp` (already composed) give an
/// (ε, δ) guarantee, by the conversion of `dp-accounting`'s `compute_epsilon`:
/// ε(α) = r + ln(1 − 1/α) − ln(δ·α)/(α − 1) for α > 1.01, and ε = 0 where the KL bound
/// δ ≥ √(1 − e^(−r)) already holds. `delta` must lie in (0, 1).
pub fn epsilon_from_rdp(orders: &[f64], rdp: &[f64], delta: f64) -> EpsilonAtOrder {
    debug_assert_eq!(orders.len(), rdp.len());
    let mut best = EpsilonAtOrder {
        epsilon: f64::INFINITY,
        order: orders.first().copied().unwrap_or(f64::NAN),
    };
    let mut first = true;
    for (&a, &r) in orders.iter().zip(rdp) {
        let eps = if r < 0.0 {
            // Only numerical noise can make RDP negative; the package reads it as no loss.
            0.0
        } else if delta * delta + libm::expm1(-r) > 0.0 {
            0.0
        } else if a > 1.01 {
            // Unstable as α → 1 (and useless there), hence the package's lower limit on α.
            r + libm::log1p(-1.0 / a) - libm::log(delta * a) / (a - 1.0)
        } else {
            f64::INFINITY
        };
        // Strict `<` keeps the first order on ties, like numpy's argmin.
        if first || eps < best.epsilon {
            best = EpsilonAtOrder {
                epsilon: eps,
                order: a,
            };
            first = false;
        }
    }
    best.epsilon = best.epsilon.max(0.0);
    best
}

/// ln(e^x + e^y) without overflow; −∞ stands for the number 0.
fn log_add(x: f64, y: f64) -> f64 {
    let (lo, hi) = if x < y { (x, y) } else { (y, x) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    // e^lo + e^hi = (1 + e^(lo − hi)) e^hi.
    libm::log1p(libm::exp(lo - hi)) + hi
}

/// ln |binomial(n, k)| through ln |Γ|; valid for real n (the fractional-order series needs n − k
/// below zero, where the package also takes the absolute value).
fn log_binomial(n: f64, k: f64) -> f64 {
    libm::lgamma(n + 1.0) - libm::lgamma(k + 1.0) - libm::lgamma(n - k + 1.0)
}

/// ln erfc(x), accurate far into the tail where erfc itself underflows.
fn log_erfc(x: f64) -> f64 {
    // libm's erfc keeps full relative accuracy while its result is a normal double (x < ~26.5).
    if x < 26.0 {
        libm::log(libm::erfc(x))
    } else {
        log_erfc_tail(x)
    }
}

/// ln erfc(x) for large x by the asymptotic series erfc(x) = e^(−x²)/(x√π) · (1 − 1/(2x²) +
/// 3/(4x⁴) − 15/(8x⁶) + 105/(16x⁸) − …); at x ≥ 26 the first omitted term is below 3e−13 of the sum.
fn log_erfc_tail(x: f64) -> f64 {
    let u = 1.0 / (2.0 * x * x);
    let series = 1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u)));
    -x * x - libm::log(x) - 0.5 * libm::log(std::f64::consts::PI) + libm::log(series)
}

/// ln A_α for a whole-number order α and 0 < q < 1, where
/// A_α = Σ_{i=0..α} C(α, i) q^i (1 − q)^(α−i) exp((i² − i) / 2σ²).
fn log_a_integer(q: f64, sigma: f64, alpha: u32) -> f64 {
    let log_q = libm::log(q);
    let log_1mq = libm::log1p(-q);
    let two_var = 2.0 * sigma * sigma;
    let a = f64::from(alpha);
    (0..=alpha).fold(f64::NEG_INFINITY, |acc, i| {
        let i = f64::from(i);
        let log_coef = log_binomial(a, i) + i * log_q + (a - i) * log_1mq;
        log_add(acc, log_coef + (i * i - i) / two_var)
    })
}

/// ln A_α for a fractional order α and 0 < q < 1: the integral of A_α split at
/// z0 = σ² ln(1/q − 1) + 1/2 into two series over i ≥ 0 whose terms carry Gaussian tail
/// probabilities (Mironov et al. 2019, Sec. 3.3). Summed until both series decrease and their newest
/// terms are below e^−30 of the total; ∞ (no bound at this order) if that takes too many terms.
fn log_a_fractional(q: f64, sigma: f64, alpha: f64) -> f64 {
    let log_q = libm::log(q);
    let log_1mq = libm::log1p(-q);
    let two_var = 2.0 * sigma * sigma;
    let z0 = sigma * sigma * libm::log(1.0 / q - 1.0) + 0.5;
    let tail_scale = std::f64::consts::SQRT_2 * sigma;
    let log_half = libm::log(0.5);

    let (mut log_a0, mut log_a1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let (mut last_s0, mut last_s1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for i in 0..MAX_TERMS_FRACTIONAL {
        let i = f64::from(i);
        let j = alpha - i;
        let log_coef = log_binomial(alpha, i);

        let log_t0 = log_coef + i * log_q + j * log_1mq;
        let log_t1 = log_coef + j * log_q + i * log_1mq;
        let log_e0 = log_half + log_erfc((i - z0) / tail_scale);
        let log_e1 = log_half + log_erfc((z0 - j) / tail_scale);
        let log_s0 = log_t0 + (i * i - i) / two_var + log_e0;
        let log_s1 = log_t1 + (j * j - j) / two_var + log_e1;

        log_a0 = log_add(log_a0, log_s0);
        log_a1 = log_add(log_a1, log_s1);
        let total = log_add(log_a0, log_a1);
        if log_s0 < last_s0 && log_s1 < last_s1 && log_s0.max(log_s1) < total - 30.0 {
            return total;
        }
        last_s0 = log_s0;
        last_s1 = log_s1;
    }
    f64::INFINITY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eps(sigma: f64, q: f64, steps: u64, delta: f64) -> EpsilonAtOrder {
        sampled_gaussian_epsilon(sigma, q, steps, delta).unwrap()
    }

    #[test]
    fn orders_match_the_package_list() {
        let o = default_orders();
        assert_eq!(o.len(), 99 + 53 + 4);
        assert_eq!(o[0], 1.1);
        assert_eq!(o[9], 2.0);
        assert_eq!(o[98], 10.9);
        assert_eq!(o[99], 11.0);
        assert_eq!(o[151], 63.0);
        assert_eq!(o[155], 1024.0);
        assert!(o.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn zero_sampling_rate_costs_nothing() {
        let e = eps(1.0, 0.0, 10_000, 1e-5);
        assert_eq!(e.epsilon, 0.0);
    }

    #[test]
    fn zero_noise_is_infinite() {
        assert_eq!(eps(0.0, 0.01, 1, 1e-5).epsilon, f64::INFINITY);
        assert_eq!(eps(0.0, 1.0, 100, 1e-5).epsilon, f64::INFINITY);
    }

    #[test]
    fn full_batch_is_the_plain_gaussian() {
        // q = 1: RDP α/(2σ²) exactly, so ε can be recomputed from the conversion formula alone.
        let (sigma, steps, delta) = (2.0, 10u64, 1e-5);
        let e = eps(sigma, 1.0, steps, delta);
        let by_hand = default_orders()
            .into_iter()
            .map(|a| {
                let r = steps as f64 * a / (2.0 * sigma * sigma);
                r + (1.0 - 1.0 / a).ln() - (delta * a).ln() / (a - 1.0)
            })
            .fold(f64::INFINITY, f64::min);
        assert!(
            (e.epsilon - by_hand).abs() < 1e-12 * by_hand,
            "{e:?} {by_hand}"
        );
        // And the per-order RDP is the closed form.
        let r = rdp_sampled_gaussian(1.0, sigma, &[2.0, 2.5]);
        assert_eq!(r, vec![2.0 / 8.0, 2.5 / 8.0]);
    }

    #[test]
    fn integer_order_two_has_a_closed_form() {
        // A_2 = (1−q)² + 2q(1−q) + q² e^(1/σ²) = 1 + q²(e^(1/σ²) − 1); RDP(2) = ln A_2.
        for (q, sigma) in [(0.01, 1.1), (0.2, 0.8), (0.5, 2.0)] {
            let r = rdp_sampled_gaussian(q, sigma, &[2.0])[0];
            let exact = (q * q * (1.0 / (sigma * sigma)).exp_m1()).ln_1p();
            assert!(
                (r - exact).abs() <= 1e-12 * exact,
                "q={q} σ={sigma}: {r} vs {exact}"
            );
        }
    }

    #[test]
    fn fractional_orders_interpolate_their_integer_neighbours() {
        // RDP is non-decreasing in α and (α−1)·RDP(α) is convex: the fractional series must sit
        // between its neighbours, which catches a wrong term or sign in either computation.
        let (q, sigma) = (0.05, 1.1);
        let r = rdp_sampled_gaussian(q, sigma, &[2.0, 2.5, 3.0]);
        assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
        let cgf = |a: f64, v: f64| (a - 1.0) * v;
        let chord = 0.5 * (cgf(2.0, r[0]) + cgf(3.0, r[2]));
        assert!(cgf(2.5, r[1]) <= chord, "{r:?}");
    }

    #[test]
    fn epsilon_grows_with_steps_and_rate_and_shrinks_with_noise() {
        let base = eps(1.1, 0.01, 1000, 1e-5).epsilon;
        assert!(base.is_finite() && base > 0.0);
        assert!(eps(1.1, 0.01, 2000, 1e-5).epsilon > base);
        assert!(eps(1.1, 0.02, 1000, 1e-5).epsilon > base);
        assert!(eps(2.0, 0.01, 1000, 1e-5).epsilon < base);
        assert!(eps(1.1, 0.01, 1000, 1e-3).epsilon < base);
    }

    #[test]
    fn log_erfc_tail_series_agrees_with_libm_where_both_hold() {
        // Where erfc is still a normal double, the series and ln(erfc) must agree, so the switch
        // at x = 26 is seamless.
        for x in [15.0, 20.0, 24.0, 25.999] {
            let (direct, series) = (libm::log(libm::erfc(x)), log_erfc_tail(x));
            assert!(
                (direct - series).abs() < 1e-10 * direct.abs(),
                "x={x}: {direct} vs {series}"
            );
        }
        assert!((log_erfc(-40.0) - 2f64.ln()).abs() < 1e-15);
        assert!((log_erfc(0.0)).abs() < 1e-15);
        assert!(log_erfc(1e3).is_finite() && log_erfc(1e3) < -1e6);
    }

    #[test]
    fn bad_inputs_name_their_config_key() {
        let key = |r: Result<EpsilonAtOrder>| r.unwrap_err().to_string();
        assert!(key(sampled_gaussian_epsilon(-1.0, 0.1, 1, 1e-5)).starts_with("config: dp_noise:"));
        assert!(key(sampled_gaussian_epsilon(f64::NAN, 0.1, 1, 1e-5)).contains("dp_noise"));
        assert!(key(sampled_gaussian_epsilon(1.0, 1.5, 1, 1e-5))
            .starts_with("config: dp_sampling_rate:"));
        assert!(key(sampled_gaussian_epsilon(1.0, 0.1, 1, 0.0)).starts_with("config: dp_delta:"));
        assert!(key(sampled_gaussian_epsilon(1.0, 0.1, 1, 1.0)).contains("dp_delta"));
    }
}
