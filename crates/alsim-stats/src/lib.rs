//! alsim-stats: the statistics for comparing two groups of replicate alsim runs.
//!
//! ```text
//! per run:   event time or end of run ──> Observation { time, event }
//!   kaplan_meier(group)              -> step function, Greenwood SE, log(-log) 95% CI, median
//!   log_rank(group A, group B)       -> chi-square (1 df), p-value, observed/expected events
//!   cox_ph(runs, covariates)         -> Cox coefficients, hazard ratios, Wald and LR tests (Efron)
//! per person: time and event, competing event or censoring ──> CompetingObservation
//!   cumulative_incidence(people)     -> Aalen-Johansen cumulative incidence of the event
//! event times of the runs that reached the event:
//!   summarize(times)                 -> n, mean, sd, quartiles, min, max
//!   bootstrap_median_difference(A,B) -> median(B) - median(A) with a percentile bootstrap CI
//!   mean_difference(A, B)            -> mean(B) - mean(A), Welch 95% CI and two-sided p-value
//! per simulated person, the endpoint in each arm of a trial ──> Twin { control, treated }
//!   power(people, n, share, alpha, …) -> share of resampled trials of n people significant
//! time series sampled at the same times in every replicate:
//!   pointwise_band(replicates)       -> mean, 95% CI of the mean, 2.5-97.5% quantile band
//! per person: entry age, exit age, onset or not ──> FollowUp { entry_age, exit_age, onset }
//!   multistep_incidence(people, edges) -> incidence per age band, log-log slope, steps = slope + 1
//! ```
//!
//! Pure functions of their inputs: no IO, no global state, and the bootstrap is deterministic
//! given its seed. Bad input (empty samples, NaN or negative times, ragged series) is an
//! [`StatsError`], never a panic.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod bootstrap;
mod competing;
mod cox;
mod gompertz;
mod incidence;
mod series;
mod summary;
mod survival;
mod trial;

pub use bootstrap::{BootstrapCi, bootstrap_median_difference};
pub use competing::{CompetingObservation, CumulativeIncidence, Outcome, cumulative_incidence};
pub use cox::{CoxCoefficient, CoxFit, cox_ph, hazard_ratio};
pub use gompertz::Gompertz;
pub use incidence::{AgeBand, FollowUp, MultistepAnalysis, PowerLawFit, multistep_incidence};
pub use series::{Limits, MeanInterval, PointwiseBand, pointwise_band};
pub use summary::{MeanDifference, Summary, mean_difference, paired_difference, summarize};
pub use survival::{KaplanMeier, KmStep, LogRank, Observation, kaplan_meier, log_rank};
pub use trial::{Power, Twin, permuted_blocks, power};

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The sample has no values.
    #[error("{what}: no values")]
    Empty {
        /// Which input.
        what: &'static str,
    },
    /// A value is NaN or infinite.
    #[error("{what}: values must be finite, got {value}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A survival time is negative.
    #[error("survival times must be >= 0, got {time}")]
    NegativeTime {
        /// The offending time.
        time: f64,
    },
    /// Replicate series differ in length.
    #[error("replicate {index} has {len} samples, replicate 0 has {expected}")]
    RaggedSeries {
        /// Index of the first replicate whose length differs.
        index: usize,
        /// Its length.
        len: usize,
        /// The length of replicate 0.
        expected: usize,
    },
    /// A group has fewer than two event times, so its median has no sampling spread to resample.
    #[error("group {group} has {n} event time(s); the bootstrap needs at least 2")]
    TooFewEvents {
        /// `"A"` or `"B"`.
        group: &'static str,
        /// How many event times it has.
        n: usize,
    },
    /// The bootstrap was asked for zero resamples.
    #[error("the bootstrap needs at least one resample")]
    NoResamples,
    /// No event happened while both groups had someone at risk, so the log-rank variance is 0.
    #[error("no event time with both groups at risk: the log-rank test has no information")]
    NoLogRankInformation,
    /// Two inputs that must match in size do not (covariate rows vs. observations, ragged rows).
    #[error("{what}: has {len} entries, expected {expected}")]
    DimensionMismatch {
        /// Which input.
        what: &'static str,
        /// Its size.
        len: usize,
        /// The size it must have.
        expected: usize,
    },
    /// No observation has the event, so there is nothing to fit.
    #[error("{what}: no events")]
    NoEvents {
        /// Which input.
        what: &'static str,
    },
    /// The information matrix cannot be inverted: a covariate is constant or a linear
    /// combination of others, so its coefficient is not identified.
    #[error("singular information matrix: a covariate is constant or collinear with others")]
    SingularInformation,
    /// An interval is invalid: a negative start, an end before its start, or an age band that
    /// does not have a positive width.
    #[error("{what}: invalid interval [{start}, {end}]")]
    BadInterval {
        /// Which input.
        what: &'static str,
        /// Start of the interval.
        start: f64,
        /// End of the interval.
        end: f64,
    },
    /// Fewer than two age bands have events, so log-incidence against log-age has no finite slope.
    #[error("events in {with_events} age band(s); the log-log fit needs events in at least 2")]
    TooFewBands {
        /// How many bands have at least one event.
        with_events: usize,
    },
    /// A distribution parameter is outside its domain.
    #[error("{what} must be > 0 and finite, got {value}")]
    NonPositive {
        /// Which parameter.
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// An iterative fit did not settle within its iteration limit.
    #[error("{what} did not converge in {iterations} iterations")]
    NotConverged {
        /// Which fit.
        what: &'static str,
        /// Iterations done.
        iterations: usize,
    },
}

/// Standard normal quantile for a two-sided 95% interval.
const Z_975: f64 = 1.959_963_984_540_054;

/// Checks that `values` is non-empty and finite.
fn check_sample(values: &[f64], what: &'static str) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty { what });
    }
    match values.iter().find(|v| !v.is_finite()) {
        Some(&value) => Err(StatsError::NonFinite { what, value }),
        None => Ok(()),
    }
}

/// `a` within `tol` of `b`, for comparing with hand-computed values.
#[cfg(test)]
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
