//! Descriptive statistics of one sample.

use crate::{StatsError, check_sample};

/// Summary of a sample. Quantiles interpolate linearly between order statistics (Hyndman & Fan
/// type 7, R's default), so the median of an even-sized sample is the mean of the middle two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n - 1); `None` for a single value.
    pub sd: Option<f64>,
    /// Median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// First quartile (25%).
    pub q1: f64,
    /// Third quartile (75%).
    pub q3: f64,
}

/// Summarises `values`; fails if it is empty or holds a non-finite value.
pub fn summarize(values: &[f64]) -> Result<Summary, StatsError> {
    check_sample(values, "summary")?;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mean = mean(&sorted);
    Ok(Summary {
        n,
        mean,
        sd: sample_sd(&sorted, mean),
        median: quantile_sorted(&sorted, 0.5),
        min: sorted[0],
        max: sorted[n - 1],
        q1: quantile_sorted(&sorted, 0.25),
        q3: quantile_sorted(&sorted, 0.75),
    })
}

pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation around `mean`; `None` below two values.
pub(crate) fn sample_sd(values: &[f64], mean: f64) -> Option<f64> {
    let n = values.len();
    (n >= 2).then(|| {
        let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        (ss / (n - 1) as f64).sqrt()
    })
}

/// Type 7 quantile of a non-empty sorted slice, `p` in [0, 1].
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    match sorted.get(lo + 1) {
        Some(&next) => sorted[lo] + (h - lo as f64) * (next - sorted[lo]),
        None => sorted[lo],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;

    #[test]
    fn summary_of_one_to_eight_matches_hand_values() {
        let s = summarize(&[5.0, 1.0, 8.0, 3.0, 2.0, 7.0, 4.0, 6.0]).unwrap();
        assert_eq!(s.n, 8);
        // mean 36/8; squared deviations 12.25+6.25+2.25+0.25 twice = 42, sd = sqrt(42/7) = sqrt 6.
        assert!(close(s.mean, 4.5, 1e-12));
        assert!(close(s.sd.unwrap(), 6f64.sqrt(), 1e-12));
        // Type 7: h = 7p; q1 at h = 1.75 -> 2 + 0.75 * 1, median at 3.5 -> 4.5, q3 at 5.25 -> 6.25
        // (R: quantile(1:8) gives 2.75, 4.5, 6.25).
        assert!(close(s.q1, 2.75, 1e-12));
        assert!(close(s.median, 4.5, 1e-12));
        assert!(close(s.q3, 6.25, 1e-12));
        assert_eq!((s.min, s.max), (1.0, 8.0));
    }

    #[test]
    fn median_of_odd_sample_is_middle_value() {
        assert_eq!(summarize(&[9.0, 1.0, 4.0]).unwrap().median, 4.0);
    }

    #[test]
    fn single_value_has_no_sd() {
        let s = summarize(&[3.0]).unwrap();
        assert_eq!(s.sd, None);
        assert_eq!((s.median, s.q1, s.q3), (3.0, 3.0, 3.0));
    }

    #[test]
    fn empty_or_nan_sample_is_an_error() {
        assert!(matches!(summarize(&[]), Err(StatsError::Empty { .. })));
        assert!(matches!(
            summarize(&[1.0, f64::NAN]),
            Err(StatsError::NonFinite { .. })
        ));
    }
}

/// The difference of means `mean(b) − mean(a)` with its Welch 95% confidence interval and
/// two-sided p-value (unequal variances; Welch–Satterthwaite degrees of freedom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanDifference {
    /// mean(b) − mean(a).
    pub difference: f64,
    /// Lower end of the 95% confidence interval.
    pub ci_lower: f64,
    /// Upper end of the 95% confidence interval.
    pub ci_upper: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value of Welch's t-test of equal means.
    pub p_value: f64,
}

/// `mean(b) − mean(a)` with Welch's 95% interval; each sample needs at least two values, and
/// not both may be constant.
pub fn mean_difference(a: &[f64], b: &[f64]) -> Result<MeanDifference, StatsError> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let (sa, sb) = (summarize(a)?, summarize(b)?);
    let (Some(da), Some(db)) = (sa.sd, sb.sd) else {
        return Err(StatsError::Empty {
            what: "mean difference (at least two values per sample)",
        });
    };
    let (va, vb) = (da * da / a.len() as f64, db * db / b.len() as f64);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return Err(StatsError::Empty {
            what: "mean difference (both samples constant)",
        });
    }
    let df = (va + vb).powi(2) / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
    let student = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    let t = student.inverse_cdf(0.975);
    let difference = sb.mean - sa.mean;
    Ok(MeanDifference {
        difference,
        ci_lower: difference - t * se,
        ci_upper: difference + t * se,
        df,
        p_value: 2.0 * student.sf((difference / se).abs()),
    })
}

/// The mean of the paired differences `b[i] − a[i]` with its 95% confidence interval and the
/// two-sided p-value of the paired t-test (n − 1 degrees of freedom): the effect on the same
/// people measured twice, as a simulated person's two twins are. Needs two pairs or more, of
/// equal number, whose differences are not all equal.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Result<MeanDifference, StatsError> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if a.len() != b.len() {
        return Err(StatsError::Empty {
            what: "paired difference (as many values in each sample)",
        });
    }
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let s = summarize(&differences)?;
    let se = match s.sd {
        Some(sd) if sd > 0.0 => sd / (s.n as f64).sqrt(),
        _ => {
            return Err(StatsError::Empty {
                what: "paired difference (at least two pairs whose differences vary)",
            });
        }
    };
    let df = (s.n - 1) as f64;
    let student = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    let t = student.inverse_cdf(0.975);
    Ok(MeanDifference {
        difference: s.mean,
        ci_lower: s.mean - t * se,
        ci_upper: s.mean + t * se,
        df,
        p_value: 2.0 * student.sf((s.mean / se).abs()),
    })
}

#[cfg(test)]
mod welch_tests {
    use super::*;

    #[test]
    fn welch_interval_matches_r_t_test() {
        // R: t.test(c(2,4,6,8,10), c(1,2,3,4,5)) gives t = 1.8974, df = 5.8824 and the 95%
        // interval -0.8878 to 6.8878 (by the formulas; t quantile 2.4555 at 5.8824 df).
        let d = mean_difference(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert!((d.difference - 3.0).abs() < 1e-12);
        assert!((d.df - 5.882_352_9).abs() < 1e-6, "{}", d.df);
        assert!((d.ci_lower + 0.8878).abs() < 2e-3, "{}", d.ci_lower);
        assert!((d.ci_upper - 6.8878).abs() < 2e-3, "{}", d.ci_upper);
        // R: p-value = 0.1075 (t = 1.8974 on 5.8824 df, two-sided).
        assert!((d.p_value - 0.107_531).abs() < 1e-5, "{}", d.p_value);
        assert!(mean_difference(&[1.0], &[2.0, 3.0]).is_err());
        assert!(mean_difference(&[1.0, 1.0], &[2.0, 2.0]).is_err());
    }

    #[test]
    fn paired_interval_matches_r_paired_t_test() {
        // t.test(c(2,4,7,8,10), c(1,2,3,4,5), paired = TRUE) by its formulas: differences
        // 1,2,4,4,5 (mean 3.2, sd 1.6432), t = 4.3546 on 4 df, two-sided p 0.01211 (the t
        // density integrated numerically), 95% interval 3.2 ± 2.7764·0.7348 = 1.1597 to 5.2403.
        let d = paired_difference(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 7.0, 8.0, 10.0]).unwrap();
        assert!((d.difference - 3.2).abs() < 1e-12);
        assert_eq!(d.df, 4.0);
        assert!((d.ci_lower - 1.1597).abs() < 2e-4, "{}", d.ci_lower);
        assert!((d.ci_upper - 5.2403).abs() < 2e-4, "{}", d.ci_upper);
        assert!((d.p_value - 0.012_113).abs() < 1e-5, "{}", d.p_value);
        assert!(
            paired_difference(&[1.0, 2.0], &[2.0, 3.0]).is_err(),
            "constant differences"
        );
        assert!(paired_difference(&[1.0], &[2.0, 3.0]).is_err());
    }
}
