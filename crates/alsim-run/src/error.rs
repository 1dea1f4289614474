//! [`RunError`]: why a run, a batch, a merge or a calibration could not be done.

use std::path::PathBuf;

/// Why a run, a batch, a merge or a calibration could not be done. Errors of the crates below
/// pass through unchanged; the messages name the file, the run or the setting at fault and,
/// where there is one, the command that goes on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A scenario (a file, a checkpoint's, a sweep point) is not valid.
    #[error(transparent)]
    Scenario(#[from] alsim_scenario::ScenarioError),
    /// The model could not be built from a scenario.
    #[error(transparent)]
    Build(#[from] alsim_core::BuildError),
    /// A checkpoint's state does not fit its scenario.
    #[error(transparent)]
    Restore(#[from] alsim_core::RestoreError),
    /// The numerical guard found a value out of bounds.
    #[error(transparent)]
    Numerical(#[from] alsim_core::guard::NumericalError),
    /// A value of an output row is NaN or infinite.
    #[error(
        "numerical blow-up: {column} is {value} at day {day}; check the parameters this run changes, or shorten time.dt_hours or time.field_dt_minutes"
    )]
    BlowUp {
        /// The time-series column.
        column: String,
        /// Its value.
        value: f64,
        /// The row's day.
        day: f64,
    },
    /// Output could not be written or read.
    #[error(transparent)]
    Output(#[from] alsim_io::OutputError),
    /// A checkpoint could not be read.
    #[error(transparent)]
    Checkpoint(#[from] alsim_io::checkpoint::CheckpointError),
    /// The plots of a run could not be drawn.
    #[error(transparent)]
    Picture(#[from] alsim_report::ReportError),
    /// A run stopped by the numerical guard (or an output error) before its end; its partial
    /// time series stays.
    #[error("run stopped; its time series so far is in {partial}")]
    Stopped {
        /// The partial time series.
        partial: PathBuf,
        /// What stopped it.
        #[source]
        cause: Box<RunError>,
    },
    /// The process outgrew its memory limit while the run was going (dividing microglia).
    #[error(
        "at day {day} the process held {held} in memory, more than its limit of {limit} (--max-memory, or the memory available at the start); {microglia} microglia now, against {microglia_start} at the start (the scenario allows up to {microglia_max}: lower mechanisms.microglia.max_density_per_mm3 or proliferation_per_day), or give a larger --max-memory and `alsim run --resume` it from its checkpoint"
    )]
    OutOfMemory {
        /// Simulated day it stopped at.
        day: f64,
        /// Resident memory then, as text.
        held: String,
        /// The limit, as text.
        limit: String,
        /// Microglia then.
        microglia: u64,
        /// Microglia at the start.
        microglia_start: u64,
        /// Most microglia the scenario allows.
        microglia_max: u64,
    },
    /// A run stopped by its [`CancelToken`](crate::CancelToken), with a checkpoint.
    #[error(
        "interrupted at day {day} (tick {tick} of {total_ticks}); checkpoint and partial time series in {dir}; continue with `alsim run --resume {dir}`"
    )]
    Cancelled {
        /// Simulated days completed.
        day: f64,
        /// Ticks completed.
        tick: u64,
        /// Ticks of the whole run.
        total_ticks: u64,
        /// The run folder.
        dir: PathBuf,
    },
    /// A batch stopped by its [`CancelToken`](crate::CancelToken).
    #[error(
        "batch interrupted: {stopped} run(s) stopped with a checkpoint, {not_started} not started; run the same command again to continue them"
    )]
    BatchCancelled {
        /// Runs stopped with a checkpoint.
        stopped: usize,
        /// Runs not started.
        not_started: usize,
    },
    /// A trial stopped by its [`CancelToken`](crate::CancelToken).
    #[error(
        "trial interrupted: {finished} people finished and kept, {left} left; run the same command again to go on"
    )]
    TrialCancelled {
        /// People whose record is written.
        finished: usize,
        /// People left to run (those stopped start again).
        left: usize,
    },
    /// A run's memory estimate exceeds its limit.
    #[error("{origin}: {reason}")]
    TooLarge {
        /// The scenario's file.
        origin: String,
        /// The estimate, the limit and how to get past it.
        reason: String,
    },
    /// A new run would replace an unfinished one that can be resumed.
    #[error(
        "{dir} holds an unfinished run with a checkpoint; continue it with `alsim run --resume {dir}`, or pass --force to start again"
    )]
    HasCheckpoint {
        /// The run folder.
        dir: PathBuf,
    },
    /// A run to resume is finished.
    #[error("{dir} holds a finished run (summary.json); there is nothing to resume")]
    AlreadyFinished {
        /// The run folder.
        dir: PathBuf,
    },
    /// The checkpoint of a run to resume is of another scenario or seed than the folder's.
    #[error(
        "{dir}: checkpoint.bin is of another scenario or seed than the run this folder started (scenario.ron); it was copied in from another run. Resume that run in its own folder, or start this one again with `alsim run SCENARIO --out {dir} --force`"
    )]
    ForeignCheckpoint {
        /// The run folder.
        dir: PathBuf,
    },
    /// A run to resume has no checkpoint.
    #[error(
        "{dir} has no checkpoint ({}) to resume from; runs write one with --checkpoint-every and when interrupted (Ctrl-C); start it again with `alsim run SCENARIO --out {dir} --force`",
        alsim_io::names::CHECKPOINT
    )]
    NoCheckpoint {
        /// The run folder.
        dir: PathBuf,
    },
    /// Worker threads could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// A setting is out of its range (replicates, jobs, seeds, a shard).
    #[error("{0}")]
    Invalid(String),
    /// Two runs of a batch would have one name.
    #[error(
        "two runs would be named {name}: give each scenario file once, and rename one of two files with the same name"
    )]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A batch's run folder holds a finished run of another scenario.
    #[error(
        "{dir} holds a finished run of another scenario (its scenario.ron differs from this one); use another --out, or delete that folder to run it again"
    )]
    OtherScenario {
        /// The run folder.
        dir: PathBuf,
    },
    /// A run of a batch panicked.
    #[error("the run panicked (a bug: please report it)")]
    Panicked,
    /// A run of a batch could not start.
    #[error("run {name}")]
    InRun {
        /// The run's name.
        name: String,
        /// Why.
        #[source]
        cause: Box<RunError>,
    },
    /// A batch folder's plan cannot be read.
    #[error("{path}: cannot read; is {dir} a batch folder (written by alsim batch)?")]
    NoPlan {
        /// The plan file.
        path: PathBuf,
        /// The folder.
        dir: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A batch folder's plan is not one.
    #[error("{path}: not a batch plan")]
    BadPlan {
        /// The plan file.
        path: PathBuf,
        /// What is wrong.
        source: serde_json::Error,
    },
    /// Folders to merge hold different batches.
    #[error(
        "{dir} holds another batch than {first} (its batch.json plans other runs); merge only folders of one batch command"
    )]
    OtherBatch {
        /// The folder that differs.
        dir: PathBuf,
        /// The first folder.
        first: PathBuf,
    },
    /// The folder to merge into is not empty.
    #[error("{dir} is not empty; merge into a new folder")]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
    },
    /// Runs finished in more than one of the folders to merge.
    #[error(
        "{} run(s) finished in more than one folder; keep one copy of each and merge again (nothing was written):\n  {}",
        runs.len(),
        runs.join("\n  ")
    )]
    FinishedTwice {
        /// Each run with the folders it finished in.
        runs: Vec<String>,
    },
    /// A finished run could not be copied.
    #[error("copying {from}")]
    Copy {
        /// The run folder copied.
        from: PathBuf,
        /// Why.
        source: alsim_io::OutputError,
    },
    /// A calibration run failed.
    #[error("scenario '{name}' seed {seed}")]
    InCalibration {
        /// The scenario's name.
        name: String,
        /// The seed.
        seed: u64,
        /// Why.
        #[source]
        cause: Box<RunError>,
    },
    /// A document to hold the calibration table has no markers.
    #[error(
        "{path}: no calibration markers; add the two lines\n{begin}\n{end}\nwhere the table belongs"
    )]
    NoMarkers {
        /// The document.
        path: PathBuf,
        /// The line that starts the table.
        begin: &'static str,
        /// The line that ends it.
        end: &'static str,
    },
    /// A snapshot's cells are not as a run writes them.
    #[error("{0}")]
    NotASnapshot(String),
}

impl RunError {
    /// The message with its causes, `outer: inner: ...`, as the CLI prints errors.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            text.push_str(": ");
            text.push_str(&err.to_string());
            cause = err.source();
        }
        text
    }

    /// Whether a [`CancelToken`](crate::CancelToken) stopped the run or batch.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self,
            Self::Cancelled { .. } | Self::BatchCancelled { .. } | Self::TrialCancelled { .. }
        )
    }
}
