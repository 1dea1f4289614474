//! Percentile bootstrap of the difference of two medians.

use crate::StatsError;
use crate::check_sample;
use crate::summary::quantile_sorted;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A difference of medians with its 95% percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapCi {
    /// median(B) − median(A) of the samples as given.
    pub estimate: f64,
    /// 2.5% quantile of the resampled differences.
    pub lower: f64,
    /// 97.5% quantile of the resampled differences.
    pub upper: f64,
    /// Number of resamples drawn.
    pub resamples: usize,
}

/// median(`b`) − median(`a`) with a 95% percentile bootstrap confidence interval.
///
/// Each of `resamples` rounds draws `a.len()` values from `a` and `b.len()` from `b` with
/// replacement and takes the difference of their medians; the interval is the 2.5% and 97.5%
/// type 7 quantiles of those differences. The draws come from one PCG stream seeded with
/// `seed`, so equal inputs and seed give equal intervals on every platform.
///
/// Meant for event times of the runs that reached the event: each group needs at least two
/// values ([`StatsError::TooFewEvents`] otherwise), since a single value has no spread to
/// resample and the interval would pretend to a certainty the data do not have.
pub fn bootstrap_median_difference(
    a: &[f64],
    b: &[f64],
    resamples: usize,
    seed: u64,
) -> Result<BootstrapCi, StatsError> {
    for (group, values) in [("A", a), ("B", b)] {
        if values.len() < 2 {
            return Err(StatsError::TooFewEvents {
                group,
                n: values.len(),
            });
        }
        check_sample(values, "bootstrap")?;
    }
    if resamples == 0 {
        return Err(StatsError::NoResamples);
    }
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut scratch = Vec::with_capacity(a.len().max(b.len()));
    let mut resample_median = |values: &[f64], rng: &mut Pcg64Mcg| {
        scratch.clear();
        scratch.extend((0..values.len()).map(|_| values[rng.random_range(0..values.len())]));
        median(&mut scratch)
    };
    let mut differences: Vec<f64> = (0..resamples)
        .map(|_| {
            let median_a = resample_median(a, &mut rng);
            resample_median(b, &mut rng) - median_a
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    Ok(BootstrapCi {
        estimate: median(&mut b.to_vec()) - median(&mut a.to_vec()),
        lower: quantile_sorted(&differences, 0.025),
        upper: quantile_sorted(&differences, 0.975),
        resamples,
    })
}

/// Median of a non-empty slice, sorting it in place.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    quantile_sorted(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [f64; 6] = [100.0, 104.0, 110.0, 111.0, 120.0, 135.0];
    const B: [f64; 5] = [60.0, 71.0, 75.0, 80.0, 98.0];

    #[test]
    fn estimate_is_difference_of_sample_medians() {
        let ci = bootstrap_median_difference(&A, &B, 200, 1).unwrap();
        // median(A) = (110 + 111)/2 = 110.5, median(B) = 75: B − A = −35.5.
        assert_eq!(ci.estimate, -35.5);
        assert_eq!(ci.resamples, 200);
    }

    #[test]
    fn interval_lies_within_reachable_differences_and_is_ordered() {
        let ci = bootstrap_median_difference(&A, &B, 2000, 7).unwrap();
        // A resampled median lies in [min, max] of its sample: B − A in [60 − 135, 98 − 100].
        assert!(ci.lower <= ci.upper);
        assert!(ci.lower >= 60.0 - 135.0 && ci.upper <= 98.0 - 100.0);
        assert!(ci.lower < ci.estimate && ci.estimate < ci.upper);
    }

    #[test]
    fn same_seed_gives_same_interval_and_other_seed_another() {
        let first = bootstrap_median_difference(&A, &B, 500, 42).unwrap();
        let again = bootstrap_median_difference(&A, &B, 500, 42).unwrap();
        let other = bootstrap_median_difference(&A, &B, 500, 43).unwrap();
        assert_eq!(first, again);
        assert_ne!((first.lower, first.upper), (other.lower, other.upper));
    }

    #[test]
    fn constant_groups_give_a_point_interval() {
        let ci = bootstrap_median_difference(&[5.0, 5.0], &[8.0, 8.0, 8.0], 50, 0).unwrap();
        assert_eq!((ci.estimate, ci.lower, ci.upper), (3.0, 3.0, 3.0));
    }

    #[test]
    fn fewer_than_two_event_times_or_no_resamples_is_an_error() {
        assert_eq!(
            bootstrap_median_difference(&A, &[70.0], 100, 0),
            Err(StatsError::TooFewEvents { group: "B", n: 1 })
        );
        assert_eq!(
            bootstrap_median_difference(&[], &B, 100, 0),
            Err(StatsError::TooFewEvents { group: "A", n: 0 })
        );
        assert_eq!(
            bootstrap_median_difference(&A, &B, 0, 0),
            Err(StatsError::NoResamples)
        );
        assert!(matches!(
            bootstrap_median_difference(&A, &[1.0, f64::INFINITY], 10, 0),
            Err(StatsError::NonFinite { .. })
        ));
    }
}
