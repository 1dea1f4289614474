//! Pointwise summaries of replicate time series sampled at the same times.

use crate::summary::{mean, quantile_sorted, sample_sd};
use crate::{StatsError, check_sample};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A lower and an upper curve, one value per sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Lower curve.
    pub lower: Vec<f64>,
    /// Upper curve.
    pub upper: Vec<f64>,
}

/// The spread of the replicates and what it says about their mean.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanInterval {
    /// Sample standard deviation (divisor n − 1) across replicates.
    pub sd: Vec<f64>,
    /// 95% confidence interval of the mean: mean ± t₀.₉₇₅,ₙ₋₁ · sd/√n.
    pub limits: Limits,
}

/// Pointwise mean of replicates and two different 95% bands around it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointwiseBand {
    /// Number of replicates.
    pub replicates: usize,
    /// Mean across replicates.
    pub mean: Vec<f64>,
    /// Where the mean itself probably lies (narrows as replicates are added); `None` for a
    /// single replicate, which says nothing about spread.
    pub mean_ci: Option<MeanInterval>,
    /// Where individual runs fall: the 2.5% and 97.5% type 7 quantiles of the replicates (does
    /// not narrow with more replicates). For one replicate both curves are that replicate.
    pub quantiles: Limits,
}

/// Pointwise mean and bands of `replicates`, each one series sampled at the same times.
///
/// Fails if there are no replicates, if a replicate's length differs from the first's, if the
/// series are empty, or if a value is not finite.
pub fn pointwise_band<S: AsRef<[f64]>>(replicates: &[S]) -> Result<PointwiseBand, StatsError> {
    let Some(first) = replicates.first() else {
        return Err(StatsError::Empty { what: "replicates" });
    };
    let expected = first.as_ref().len();
    for (index, series) in replicates.iter().enumerate() {
        let series = series.as_ref();
        if series.len() != expected {
            return Err(StatsError::RaggedSeries {
                index,
                len: series.len(),
                expected,
            });
        }
        check_sample(series, "replicate series")?;
    }

    let n = replicates.len();
    // t quantile for n − 1 degrees of freedom; `None` when there is no spread to use it on.
    let t = (n >= 2).then(|| {
        StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .expect("n - 1 >= 1 degrees of freedom is valid")
            .inverse_cdf(0.975)
    });
    let mut band = PointwiseBand {
        replicates: n,
        mean: Vec::with_capacity(expected),
        mean_ci: t.map(|_| MeanInterval {
            sd: Vec::with_capacity(expected),
            limits: Limits {
                lower: Vec::with_capacity(expected),
                upper: Vec::with_capacity(expected),
            },
        }),
        quantiles: Limits {
            lower: Vec::with_capacity(expected),
            upper: Vec::with_capacity(expected),
        },
    };
    let mut column = Vec::with_capacity(n);
    for i in 0..expected {
        column.clear();
        column.extend(replicates.iter().map(|s| s.as_ref()[i]));
        column.sort_by(f64::total_cmp);
        let m = mean(&column);
        band.mean.push(m);
        if let (Some(ci), Some(t), Some(sd)) = (&mut band.mean_ci, t, sample_sd(&column, m)) {
            let half = t * sd / (n as f64).sqrt();
            ci.sd.push(sd);
            ci.limits.lower.push(m - half);
            ci.limits.upper.push(m + half);
        }
        band.quantiles.lower.push(quantile_sorted(&column, 0.025));
        band.quantiles.upper.push(quantile_sorted(&column, 0.975));
    }
    Ok(band)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;

    #[test]
    fn two_replicates_give_mean_t_interval_and_quantile_band() {
        let band = pointwise_band(&[vec![1.0, 2.0, 3.0], vec![3.0, 4.0, 5.0]]).unwrap();
        assert_eq!(band.replicates, 2);
        assert_eq!(band.mean, vec![2.0, 3.0, 4.0]);
        let ci = band.mean_ci.unwrap();
        // sd of {1, 3} = sqrt(((−1)² + 1²)/1) = √2; half width = t₀.₉₇₅,₁ · √2/√2 = 12.7062.
        for (i, sd) in ci.sd.iter().enumerate() {
            assert!(close(*sd, 2f64.sqrt(), 1e-12));
            assert!(close(ci.limits.upper[i] - band.mean[i], 12.7062, 1e-4));
            assert!(close(band.mean[i] - ci.limits.lower[i], 12.7062, 1e-4));
        }
        // Type 7 on {1, 3}: h = p, so 1 + 0.025·2 = 1.05 and 1 + 0.975·2 = 2.95.
        assert!(close(band.quantiles.lower[0], 1.05, 1e-12));
        assert!(close(band.quantiles.upper[0], 2.95, 1e-12));
    }

    #[test]
    fn ten_replicates_use_t_with_nine_degrees_of_freedom() {
        // Replicate k is the constant k: sd of 0..9 = sqrt(82.5/9) = 3.02765; mean 4.5.
        let replicates: Vec<Vec<f64>> = (0..10).map(|k| vec![f64::from(k); 2]).collect();
        let ci = pointwise_band(&replicates).unwrap().mean_ci.unwrap();
        // t₀.₉₇₅,₉ = 2.262157 (R qt(0.975, 9)); half width 2.262157 · 3.02765/√10 = 2.16585.
        assert!(close(ci.limits.upper[0], 4.5 + 2.16585, 1e-4));
        assert!(close(ci.limits.lower[1], 4.5 - 2.16585, 1e-4));
    }

    #[test]
    fn single_replicate_has_no_mean_interval_and_quantiles_equal_it() {
        let band = pointwise_band(&[[0.5, 0.25]]).unwrap();
        assert_eq!(band.mean, vec![0.5, 0.25]);
        assert!(band.mean_ci.is_none());
        assert_eq!(band.quantiles.lower, band.mean);
        assert_eq!(band.quantiles.upper, band.mean);
    }

    #[test]
    fn ragged_empty_or_nan_replicates_are_errors() {
        let none: [Vec<f64>; 0] = [];
        assert!(matches!(
            pointwise_band(&none),
            Err(StatsError::Empty { .. })
        ));
        assert_eq!(
            pointwise_band(&[vec![1.0, 2.0], vec![1.0]]),
            Err(StatsError::RaggedSeries {
                index: 1,
                len: 1,
                expected: 2
            })
        );
        assert!(matches!(
            pointwise_band(&[vec![1.0, f64::NAN]]),
            Err(StatsError::NonFinite { .. })
        ));
        assert!(matches!(
            pointwise_band(&[Vec::<f64>::new()]),
            Err(StatsError::Empty { .. })
        ));
    }
}
