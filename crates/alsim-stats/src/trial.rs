//! The power of a randomised two-arm trial, estimated by resampling simulated people.
//!
//! Each simulated person is run in both arms from the same seed (common random numbers): a
//! [`Twin`] holds the endpoint the person would have had in each. A trial of `n` people draws
//! `n` of them with replacement, randomises a share to treatment by a random permutation, keeps
//! each person's outcome in the arm they were given (never both), and tests the difference;
//! its power is the share of such trials significant at the chosen level.

use crate::StatsError;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// One simulated person's endpoint in each arm of a trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Twin<T> {
    /// In the control arm.
    pub control: T,
    /// In the treated arm.
    pub treated: T,
}

/// The estimated power of a design of `n` people.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Power {
    /// People per trial.
    pub n: usize,
    /// Share of the simulated trials significant at the level.
    pub power: f64,
    /// Wilson 95% interval of that share (the resampling's own uncertainty).
    pub ci_lower: f64,
    /// See `ci_lower`.
    pub ci_upper: f64,
    /// Simulated trials.
    pub resamples: usize,
    /// Trials whose test could not be computed (counted as not significant).
    pub untestable: usize,
}

/// The power of trials of `n` people, `treated_share` of them (rounded) randomised to
/// treatment, tested two-sided at `alpha` by `p_value` (control outcomes, treated outcomes; `None`
/// when the test cannot be computed, as with too few events). `resamples` trials from one PCG
/// stream seeded with `seed`, so equal inputs give equal answers on every platform.
pub fn power<T: Copy>(
    people: &[Twin<T>],
    n: usize,
    treated_share: f64,
    alpha: f64,
    resamples: usize,
    seed: u64,
    p_value: impl Fn(&[T], &[T]) -> Option<f64>,
) -> Result<Power, StatsError> {
    if people.is_empty() {
        return Err(StatsError::Empty {
            what: "trial power (simulated people)",
        });
    }
    if resamples == 0 {
        return Err(StatsError::NoResamples);
    }
    let treated = (n as f64 * treated_share).round() as usize;
    if n < 4 || treated < 2 || n - treated < 2 {
        return Err(StatsError::Empty {
            what: "trial power (at least two people in each arm)",
        });
    }
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut drawn: Vec<Twin<T>> = Vec::with_capacity(n);
    let (mut control_arm, mut treated_arm) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut significant, mut untestable) = (0usize, 0usize);
    for _ in 0..resamples {
        drawn.clear();
        drawn.extend((0..n).map(|_| people[rng.random_range(0..people.len())]));
        drawn.shuffle(&mut rng);
        control_arm.clear();
        treated_arm.clear();
        control_arm.extend(drawn[treated..].iter().map(|t| t.control));
        treated_arm.extend(drawn[..treated].iter().map(|t| t.treated));
        match p_value(&control_arm, &treated_arm) {
            Some(p) if p < alpha => significant += 1,
            Some(_) => {}
            None => untestable += 1,
        }
    }
    let (lower, upper) = wilson(significant, resamples);
    Ok(Power {
        n,
        power: significant as f64 / resamples as f64,
        ci_lower: lower,
        ci_upper: upper,
        resamples,
        untestable,
    })
}

/// The arms of `n` people randomised in permuted blocks: each block holds every arm as often as
/// its whole-number `weights` say, twice over (so 2:1 gives blocks of six), in an order shuffled
/// by one PCG stream seeded with `seed`; the last block is cut short. Arm indices follow
/// `weights`. Blocks keep the arms near their shares at any point of enrolment, as trials
/// randomise.
pub fn permuted_blocks(weights: &[u32], n: usize, seed: u64) -> Vec<usize> {
    let block: Vec<usize> = weights
        .iter()
        .enumerate()
        .flat_map(|(arm, &w)| std::iter::repeat_n(arm, 2 * w as usize))
        .collect();
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut arms = Vec::with_capacity(n + block.len());
    while arms.len() < n && !block.is_empty() {
        let mut next = block.clone();
        next.shuffle(&mut rng);
        arms.extend(next);
    }
    arms.truncate(n);
    arms
}

/// Wilson's 95% interval for `k` successes in `n` trials.
fn wilson(k: usize, n: usize) -> (f64, f64) {
    let z = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mean_difference;

    fn welch(a: &[f64], b: &[f64]) -> Option<f64> {
        mean_difference(a, b).ok().map(|d| d.p_value)
    }

    /// `n` people whose outcome is a deterministic spread plus `effect` when treated.
    fn people(n: usize, effect: f64) -> Vec<Twin<f64>> {
        (0..n)
            .map(|i| {
                let x = ((i * 37) % n) as f64 / n as f64;
                Twin {
                    control: x,
                    treated: x + effect,
                }
            })
            .collect()
    }

    #[test]
    fn without_an_effect_trials_are_significant_at_the_level() {
        // Type I error: about 5% of trials, within the resampling's interval.
        let p = power(&people(200, 0.0), 60, 0.5, 0.05, 4000, 7, welch).unwrap();
        assert!(p.ci_lower < 0.05 && 0.05 < p.ci_upper, "{p:?}");
        assert_eq!(p.untestable, 0);
    }

    #[test]
    fn power_grows_with_the_size_of_the_trial_and_the_effect() {
        let pool = people(200, 0.15);
        let at = |n| power(&pool, n, 0.5, 0.05, 2000, 11, welch).unwrap();
        let (small, large) = (at(20), at(200));
        assert!(small.ci_upper < large.ci_lower, "{small:?} {large:?}");
        assert!(large.power > 0.8, "{large:?}");
        // A large effect is found by almost every trial.
        let sure = power(&people(200, 2.0), 20, 0.5, 0.05, 500, 3, welch).unwrap();
        assert!(sure.power > 0.99, "{sure:?}");
    }

    #[test]
    fn equal_inputs_give_equal_power_and_bad_designs_are_refused() {
        let pool = people(50, 0.1);
        let a = power(&pool, 30, 0.5, 0.05, 300, 5, welch).unwrap();
        assert_eq!(a, power(&pool, 30, 0.5, 0.05, 300, 5, welch).unwrap());
        assert!(power(&pool, 3, 0.5, 0.05, 10, 5, welch).is_err());
        assert!(power(&pool, 30, 0.02, 0.05, 10, 5, welch).is_err());
        assert!(power::<f64>(&[], 30, 0.5, 0.05, 10, 5, welch).is_err());
        assert!(power(&pool, 30, 0.5, 0.05, 0, 5, welch).is_err());
    }

    #[test]
    fn permuted_blocks_keep_the_allocation_ratio_within_each_block() {
        let arms = permuted_blocks(&[1, 2], 600, 9);
        assert_eq!(arms.len(), 600);
        for block in arms.chunks(6) {
            assert_eq!(block.iter().filter(|&&a| a == 0).count(), 2, "{block:?}");
        }
        assert_ne!(
            arms[..12],
            permuted_blocks(&[1, 2], 12, 10)[..],
            "the seed matters"
        );
        assert_eq!(
            arms[..7],
            permuted_blocks(&[1, 2], 7, 9)[..],
            "a prefix of a longer list"
        );
    }

    #[test]
    fn wilson_interval_matches_its_formula_at_the_ends() {
        // 0 of 10: (0, z²/(n + z²)) = (0, 0.2775).
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277_535).abs() < 1e-5, "{hi}");
        let (lo, hi) = wilson(5, 10);
        assert!((lo - 0.236_593).abs() < 1e-5 && (hi - 0.763_407).abs() < 1e-5);
    }
}
