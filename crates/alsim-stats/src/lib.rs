//! alsim-stats: the statistics for comparing two groups of replicate alsim runs.
//!
//! ```text
//! per run:   event time or end of run ──> Observation { time, event }
//!   kaplan_meier(group)              -> step function, Greenwood SE, log(-log) 95% CI, median
//!   log_rank(group A, group B)       -> chi-square (1 df), p-value, observed/expected events
//! event times of the runs that reached the event:
//!   summarize(times)                 -> n, mean, sd, quartiles, min, max
//!   bootstrap_median_difference(A,B) -> median(B) - median(A) with a percentile bootstrap CI
//! time series sampled at the same times in every replicate:
//!   pointwise_band(replicates)       -> mean, 95% CI of the mean, 2.5-97.5% quantile band
//! ```
//!
//! Pure functions of their inputs: no IO, no global state, and the bootstrap is deterministic
//! given its seed. Bad input (empty samples, NaN or negative times, ragged series) is an
//! [`StatsError`], never a panic.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod bootstrap;
mod series;
mod summary;
mod survival;

pub use bootstrap::{BootstrapCi, bootstrap_median_difference};
pub use series::{Limits, MeanInterval, PointwiseBand, pointwise_band};
pub use summary::{Summary, summarize};
pub use survival::{KaplanMeier, KmStep, LogRank, Observation, kaplan_meier, log_rank};

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
}

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
