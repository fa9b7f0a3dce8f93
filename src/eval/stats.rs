//! Summary statistics over seeds.

/// Mean and sample standard deviation (n − 1; 0 for fewer than two values).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_std() {
        let (mean, std) = mean_std(&[1.0, 2.0, 3.0]);
        assert_eq!((mean, std), (2.0, 1.0));
        assert_eq!(mean_std(&[4.0]), (4.0, 0.0));
        // two seeds: sample std |a − b|/√2, never 0 for different values
        let (m, s) = mean_std(&[0.5, 0.7]);
        assert!((m - 0.6).abs() < 1e-15 && (s - 0.2 / 2f64.sqrt()).abs() < 1e-15);
        // asymmetric: mean 2, squared deviations 1 + 1 + 4 + 0 = 6 over n − 1 = 3
        assert_eq!(mean_std(&[1.0, 1.0, 4.0, 2.0]), (2.0, 2f64.sqrt()));
        // deviations from the mean, not Σv² − n·mean², which cancels catastrophically when the
        // mean is large against the spread (it gives 1.73 here)
        let (_, s) = mean_std(&[1e8 + 0.1, 1e8 + 0.3]);
        assert!((s - 0.2 / 2f64.sqrt()).abs() < 1e-6, "{s}");
        let (m, s) = mean_std(&[]);
        assert!(m.is_nan() && s == 0.0);
    }
}
