//! Kaplan–Meier estimator and the two-group log-rank test.

use crate::{StatsError, Z_975};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// One run's time to an event, or the time it was last seen without the event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Time of the event, or of censoring (any unit; all observations share it).
    pub time: f64,
    /// `true` if the event happened at `time`; `false` if the run ended (was censored) then.
    pub event: bool,
}

impl Observation {
    /// The event happened at `time`.
    pub fn event(time: f64) -> Self {
        Self { time, event: true }
    }

    /// Observed until `time` without the event.
    pub fn censored(time: f64) -> Self {
        Self { time, event: false }
    }
}

/// The estimate at one distinct observed time (an event time, a censoring time, or both).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmStep {
    /// The time.
    pub time: f64,
    /// Observations still at risk just before `time`.
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
    /// Observations censored at `time` (counted at risk for the events at the same time).
    pub censored: usize,
    /// S(time): the estimated probability of no event up to and including `time`.
    pub survival: f64,
    /// Greenwood standard error of `survival`: S·sqrt(Σ d/(n(n−d))) over event times so far.
    pub std_err: f64,
    /// Lower end of the pointwise 95% confidence interval.
    pub ci_lower: f64,
    /// Upper end of the pointwise 95% confidence interval.
    pub ci_upper: f64,
}

/// A Kaplan–Meier curve: a right-continuous step function starting at S = 1.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// One step per distinct observed time, in increasing time.
    pub steps: Vec<KmStep>,
    /// First time with S(t) <= 0.5; `None` if the curve never gets there.
    pub median: Option<f64>,
}

impl KaplanMeier {
    /// S(t): the survival of the last step at or before `t`, 1 before the first.
    pub fn survival_at(&self, t: f64) -> f64 {
        let past = self.steps.partition_point(|s| s.time <= t);
        past.checked_sub(1).map_or(1.0, |i| self.steps[i].survival)
    }
}

/// Kaplan–Meier estimate of the survival function of `observations`.
///
/// The 95% confidence interval is computed on the log(−log S) scale (R's
/// `conf.type = "log-log"`), which keeps it inside [0, 1]:
/// S^exp(±1.96·se), se = sqrt(Σ d/(n(n−d))) / |ln S|. Where that scale is undefined the
/// interval collapses onto the estimate: [1, 1] while S = 1, and [0, 0] with a standard error
/// of 0 once S = 0 (everyone left at risk had the event).
pub fn kaplan_meier(observations: &[Observation]) -> Result<KaplanMeier, StatsError> {
    let sorted = checked_sorted(observations, "Kaplan-Meier")?;
    let mut at_risk = sorted.len();
    let mut survival = 1.0;
    let mut greenwood = 0.0;
    let mut steps = Vec::new();
    for tied in sorted.chunk_by(|a, b| a.time == b.time) {
        let events = tied.iter().filter(|o| o.event).count();
        let censored = tied.len() - events;
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            if events < at_risk {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            }
        }
        let (std_err, ci_lower, ci_upper) = if survival == 0.0 {
            (0.0, 0.0, 0.0)
        } else if survival == 1.0 {
            (0.0, 1.0, 1.0)
        } else {
            let se_loglog = greenwood.sqrt() / survival.ln().abs();
            (
                survival * greenwood.sqrt(),
                survival.powf((Z_975 * se_loglog).exp()),
                survival.powf((-Z_975 * se_loglog).exp()),
            )
        };
        steps.push(KmStep {
            time: tied[0].time,
            at_risk,
            events,
            censored,
            survival,
            std_err,
            ci_lower,
            ci_upper,
        });
        at_risk -= tied.len();
    }
    let median = steps.iter().find(|s| s.survival <= 0.5).map(|s| s.time);
    Ok(KaplanMeier { steps, median })
}

/// Result of a two-group log-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRank {
    /// (O_A − E_A)² / V: chi-square with 1 degree of freedom under equal hazards.
    pub chi_square: f64,
    /// P(χ²₁ >= chi_square).
    pub p_value: f64,
    /// Observed events in group A and B.
    pub observed: [usize; 2],
    /// Expected events in group A and B if both had the same hazard.
    pub expected: [f64; 2],
}

/// Log-rank (Mantel–Cox) test of equal survival in groups `a` and `b`, as R's `survdiff`.
///
/// At each distinct event time with n at risk (n_A in A), d events of which d_A in A:
/// E_A += d·n_A/n and V += n_A·n_B·d·(n−d) / (n²(n−1)). Fails with
/// [`StatsError::NoLogRankInformation`] when V = 0 (no event while both groups were at risk).
pub fn log_rank(a: &[Observation], b: &[Observation]) -> Result<LogRank, StatsError> {
    let a = checked_sorted(a, "log-rank group A")?;
    let b = checked_sorted(b, "log-rank group B")?;
    let mut pooled: Vec<(Observation, usize)> = a
        .iter()
        .map(|&o| (o, 0))
        .chain(b.iter().map(|&o| (o, 1)))
        .collect();
    pooled.sort_by(|x, y| x.0.time.total_cmp(&y.0.time));

    let mut at_risk = [a.len() as f64, b.len() as f64];
    let mut observed = [0usize; 2];
    let mut expected = [0.0; 2];
    let mut variance = 0.0;
    for tied in pooled.chunk_by(|x, y| x.0.time == y.0.time) {
        let mut events = [0usize; 2];
        let mut leaving = [0.0; 2];
        for &(o, group) in tied {
            events[group] += usize::from(o.event);
            leaving[group] += 1.0;
        }
        let d = (events[0] + events[1]) as f64;
        let n = at_risk[0] + at_risk[1];
        if d > 0.0 {
            for g in 0..2 {
                observed[g] += events[g];
                expected[g] += d * at_risk[g] / n;
            }
            if n > 1.0 {
                variance += at_risk[0] * at_risk[1] * d * (n - d) / (n * n * (n - 1.0));
            }
        }
        at_risk[0] -= leaving[0];
        at_risk[1] -= leaving[1];
    }
    if variance <= 0.0 {
        return Err(StatsError::NoLogRankInformation);
    }
    let chi_square = (observed[0] as f64 - expected[0]).powi(2) / variance;
    let p_value = ChiSquared::new(1.0)
        .expect("1 degree of freedom is valid")
        .sf(chi_square);
    Ok(LogRank {
        chi_square,
        p_value,
        observed,
        expected,
    })
}

/// Validates observations (non-empty, finite, >= 0) and sorts them by time.
fn checked_sorted(
    observations: &[Observation],
    what: &'static str,
) -> Result<Vec<Observation>, StatsError> {
    check_observations(observations, what)?;
    let mut sorted = observations.to_vec();
    sorted.sort_by(|x, y| x.time.total_cmp(&y.time));
    Ok(sorted)
}

/// Checks that observations are non-empty with finite times >= 0.
pub(crate) fn check_observations(
    observations: &[Observation],
    what: &'static str,
) -> Result<(), StatsError> {
    if observations.is_empty() {
        return Err(StatsError::Empty { what });
    }
    for o in observations {
        if !o.time.is_finite() {
            return Err(StatsError::NonFinite {
                what,
                value: o.time,
            });
        }
        if o.time < 0.0 {
            return Err(StatsError::NegativeTime { time: o.time });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;
    use proptest::prelude::*;

    /// Freireich et al. (1963) remission times in weeks, 6-MP arm; negative = censored.
    const SIX_MP: [f64; 21] = [
        6.0, 6.0, 6.0, -6.0, 7.0, -9.0, 10.0, -10.0, -11.0, 13.0, 16.0, -17.0, -19.0, -20.0, 22.0,
        23.0, -25.0, -32.0, -32.0, -34.0, -35.0,
    ];
    /// Placebo arm: every patient relapsed.
    const PLACEBO: [f64; 21] = [
        1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 8.0, 8.0, 8.0, 8.0, 11.0, 11.0, 12.0, 12.0,
        15.0, 17.0, 22.0, 23.0,
    ];

    fn observations(signed: &[f64]) -> Vec<Observation> {
        signed
            .iter()
            .map(|&t| {
                if t < 0.0 {
                    Observation::censored(-t)
                } else {
                    Observation::event(t)
                }
            })
            .collect()
    }

    #[test]
    fn kaplan_meier_of_six_mp_matches_hand_product_limit() {
        let km = kaplan_meier(&observations(&SIX_MP)).unwrap();
        // S(t) = Π (1 − d/n) over event times <= t; n drops by events and censorings before t.
        // t=6:  n=21, d=3 -> 18/21           = 0.857143 (the 6* leaves after: 17 at risk)
        // t=7:  n=17, d=1 -> 0.857143 · 16/17 = 0.806723 (9* leaves: 15)
        // t=10: n=15, d=1 -> 0.806723 · 14/15 = 0.752941 (10*, 11* leave: 12)
        // t=13: n=12, d=1 -> 0.752941 · 11/12 = 0.690196
        // t=16: n=11, d=1 -> 0.690196 · 10/11 = 0.627451 (17*, 19*, 20* leave: 7)
        // t=22: n=7,  d=1 -> 0.627451 · 6/7   = 0.537815
        // t=23: n=6,  d=1 -> 0.537815 · 5/6   = 0.448179
        for (t, s) in [
            (6.0, 0.857143),
            (7.0, 0.806723),
            (10.0, 0.752941),
            (13.0, 0.690196),
            (16.0, 0.627451),
            (22.0, 0.537815),
            (23.0, 0.448179),
        ] {
            assert!(close(km.survival_at(t), s, 5e-7), "S({t})");
        }
        // First S <= 0.5 is at 23 (R survfit: median 23).
        assert_eq!(km.median, Some(23.0));
        // Censorings keep S but appear as steps: 16 at risk at 9 (21 − 4 at 6 − 1 at 7), S(9) = S(7).
        let nine = km.steps.iter().find(|s| s.time == 9.0).unwrap();
        assert_eq!((nine.events, nine.censored, nine.at_risk), (0, 1, 16));
        assert_eq!(nine.survival, km.survival_at(7.0));
        assert_eq!(km.survival_at(5.9), 1.0);
        assert_eq!(km.survival_at(100.0), km.survival_at(23.0));
    }

    #[test]
    fn greenwood_error_and_log_log_interval_at_six_weeks() {
        let km = kaplan_meier(&observations(&SIX_MP)).unwrap();
        let six = km.steps[0];
        assert_eq!(
            (six.time, six.at_risk, six.events, six.censored),
            (6.0, 21, 3, 1)
        );
        // Greenwood: Σ d/(n(n−d)) = 3/(21·18) = 0.0079365; SE = 0.857143 · sqrt(0.0079365)
        // = 0.857143 · 0.089087 = 0.0764 (R summary(survfit): std.err 0.0764).
        assert!(close(six.std_err, 0.0764, 5e-5));
        // log(-log): se = 0.089087 / |ln 0.857143| = 0.089087 / 0.154151 = 0.57792;
        // 1.96 · se = 1.13271; S^e^1.13271 = S^3.10414 = 0.6197, S^e^-1.13271 = S^0.32215
        // = 0.9516 (R survfit(conf.type = "log-log"): 0.620, 0.952).
        assert!(close(six.ci_lower, 0.6197, 5e-4));
        assert!(close(six.ci_upper, 0.9516, 5e-4));
    }

    #[test]
    fn log_rank_of_freireich_data_matches_survdiff() {
        let six_mp = observations(&SIX_MP);
        let placebo = observations(&PLACEBO);
        let test = log_rank(&six_mp, &placebo).unwrap();
        // Per event time t: (n_6MP, n_placebo, d_6MP, d_placebo) -> E_6MP = d·n_6MP/n:
        // 1:(21,21,0,2) 1.0000   2:(21,19,0,2) 1.0500   3:(21,17,0,1) 0.5526
        // 4:(21,16,0,2) 1.1351   5:(21,14,0,2) 1.2000   6:(21,12,3,0) 1.9091
        // 7:(17,12,1,0) 0.5862   8:(16,12,0,4) 2.2857  10:(15,8,1,0)  0.6522
        // 11:(13,8,0,2) 1.2381  12:(12,6,0,2)  1.3333  13:(12,4,1,0)  0.7500
        // 15:(11,4,0,1) 0.7333  16:(11,3,1,0)  0.7857  17:(10,3,0,1)  0.7692
        // 22:(7,2,1,1)  1.5556  23:(6,1,1,1)   1.7143
        // E_6MP = 19.25, E_placebo = 30 − 19.25 = 10.75; V = Σ n1·n2·d(n−d)/(n²(n−1)) = 6.2570;
        // χ² = (9 − 19.2505)² / 6.2570 = 16.79, p = 4.17e-5 (R survdiff: Chisq = 16.8 on 1 df,
        // p = 4e-05; O 9 and 21, E 19.3 and 10.7).
        assert_eq!(test.observed, [9, 21]);
        assert!(close(test.expected[0], 19.2505, 1e-4));
        assert!(close(test.expected[1], 10.7495, 1e-4));
        assert!(close(test.chi_square, 16.793, 1e-3));
        assert!(close(test.p_value, 4.169e-5, 1e-8));
    }

    #[test]
    fn log_rank_is_symmetric_in_its_groups() {
        let forward = log_rank(&observations(&SIX_MP), &observations(&PLACEBO)).unwrap();
        let backward = log_rank(&observations(&PLACEBO), &observations(&SIX_MP)).unwrap();
        assert!(close(forward.chi_square, backward.chi_square, 1e-12));
        assert_eq!(
            forward.observed,
            [backward.observed[1], backward.observed[0]]
        );
    }

    #[test]
    fn identical_groups_give_zero_chi_square_and_p_one() {
        let group = observations(&SIX_MP);
        let test = log_rank(&group, &group).unwrap();
        assert!(close(test.chi_square, 0.0, 1e-12));
        assert!(close(test.p_value, 1.0, 1e-12));
    }

    #[test]
    fn log_rank_without_events_is_an_error() {
        let censored = [Observation::censored(5.0), Observation::censored(9.0)];
        assert_eq!(
            log_rank(&censored, &censored),
            Err(StatsError::NoLogRankInformation)
        );
    }

    #[test]
    fn curve_that_stays_above_half_has_no_median() {
        let km = kaplan_meier(&observations(&[3.0, -5.0, -5.0, -5.0])).unwrap();
        assert!(close(km.survival_at(3.0), 0.75, 1e-12));
        assert_eq!(km.median, None);
    }

    #[test]
    fn last_event_takes_survival_to_zero_with_collapsed_interval() {
        let km = kaplan_meier(&observations(&[1.0, 2.0])).unwrap();
        let last = km.steps[1];
        assert_eq!(last.survival, 0.0);
        assert_eq!(
            (last.std_err, last.ci_lower, last.ci_upper),
            (0.0, 0.0, 0.0)
        );
        // S(1) = 1/2 is already <= 0.5.
        assert_eq!(km.median, Some(1.0));
    }

    #[test]
    fn bad_times_are_errors() {
        assert!(matches!(kaplan_meier(&[]), Err(StatsError::Empty { .. })));
        assert!(matches!(
            kaplan_meier(&[Observation::event(f64::NAN)]),
            Err(StatsError::NonFinite { .. })
        ));
        assert_eq!(
            kaplan_meier(&[Observation::censored(-1.0)]),
            Err(StatsError::NegativeTime { time: -1.0 })
        );
        assert!(matches!(
            log_rank(&[Observation::event(1.0)], &[]),
            Err(StatsError::Empty { .. })
        ));
    }

    fn arbitrary_observations() -> impl Strategy<Value = Vec<Observation>> {
        // Few distinct times so ties are common.
        prop::collection::vec((0u8..20, any::<bool>()), 1..40).prop_map(|v| {
            v.into_iter()
                .map(|(t, event)| Observation {
                    time: f64::from(t),
                    event,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn survival_is_non_increasing_within_unit_interval_and_inside_its_ci(
            obs in arbitrary_observations()
        ) {
            let km = kaplan_meier(&obs).unwrap();
            let mut previous = 1.0;
            for step in &km.steps {
                prop_assert!((0.0..=1.0).contains(&step.survival));
                prop_assert!(step.survival <= previous);
                prop_assert!(step.ci_lower <= step.survival + 1e-12);
                prop_assert!(step.survival <= step.ci_upper + 1e-12);
                prop_assert!(step.ci_lower >= 0.0 && step.ci_upper <= 1.0);
                previous = step.survival;
            }
            let seen: usize = km.steps.iter().map(|s| s.events + s.censored).sum();
            prop_assert_eq!(seen, obs.len());
        }

        #[test]
        fn without_censoring_survival_is_the_empirical_survival_function(
            times in prop::collection::vec(0u8..20, 1..40)
        ) {
            let obs: Vec<_> = times.iter().map(|&t| Observation::event(f64::from(t))).collect();
            let km = kaplan_meier(&obs).unwrap();
            for t in 0..21 {
                let beyond = times.iter().filter(|&&x| x > t).count();
                let empirical = beyond as f64 / times.len() as f64;
                prop_assert!(close(km.survival_at(f64::from(t)), empirical, 1e-12));
            }
        }
    }
}
