//! What a run tells its caller while it goes (the [`Progress`] trait), and how the caller stops
//! it (the [`CancelToken`]).

use crate::RunError;
use alsim_core::Summary;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Where a run stands after a tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Ticks completed.
    pub tick: u64,
    /// Ticks of the whole run.
    pub total_ticks: u64,
    /// Simulated days completed.
    pub day: f64,
    /// Motor neurons alive now.
    pub motor_neurons_alive: u64,
}

/// Receives the progress of runs. Every method has a default that does nothing, so an
/// implementation overrides only what it shows.
///
/// A run is named in every call (a run alone by its scenario's name, a batch's run by its
/// name in the plan, a calibration run by scenario and seed); runs of a batch go on at once on
/// several threads, so calls about different runs interleave. Every run that is
/// [`started`](Progress::started) is [`finished`](Progress::finished) once, with its result.
pub trait Progress: Sync {
    /// A batch or a calibration is about to take up `runs` runs.
    fn planned(&self, runs: usize) {
        let _ = runs;
    }

    /// The run `run` of `total_ticks` ticks is taken up (a resumed one too).
    fn started(&self, run: &str, total_ticks: u64) {
        let _ = (run, total_ticks);
    }

    /// The run `run` completed a tick.
    fn advanced(&self, run: &str, step: Step) {
        let _ = (run, step);
    }

    /// The run `run` ended after `elapsed`: finished with its summary, or stopped with an
    /// error ([`RunError::is_cancelled`] tells a cancelled run).
    fn finished(&self, run: &str, result: Result<&Summary, &RunError>, elapsed: Duration) {
        let _ = (run, result, elapsed);
    }

    /// A line worth telling the user (a run resumed from its checkpoint, a batch's plan).
    fn message(&self, text: &str) {
        let _ = text;
    }
}

/// Progress that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Asks runs to stop: cheap to clone, and every clone shares one flag. A run checks it after
/// each tick, writes a checkpoint and its partial time series, and returns
/// [`RunError::Cancelled`]; a batch starts no new run once it is set.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every run holding a clone of this token to stop.
    pub fn cancel(&self) {
        // Nothing is published through the flag, so no ordering beyond its own is needed.
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
