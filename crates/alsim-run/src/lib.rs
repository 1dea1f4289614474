//! alsim-run: runs. One scenario into a run folder, a batch of runs into a batch folder, the
//! shards of a batch merged, and the calibration scenarios against their targets; what the
//! `alsim` command does, without the command line.
//!
//! ```text
//! Scenario + RunSpec --run--> memory check -> a Simulation (or a Body) in a rayon pool
//!     each step (drive.rs): step -> Progress::advanced -> numerical guard (and finite rows)
//!                -> row to timeseries.csv.partial -> VTK snapshot when due
//!                -> checkpoint when due or cancelled (CancelToken, checked between ticks)
//!     at the end: timeseries.csv, scenario.ron, manifest.json, plots/, summary.json last
//!     stopped early: checkpoint.bin, timeseries.csv.partial, incomplete.json -> RunError
//! run folder --resume--> the checkpoint alone -> the same loop, the same bytes
//! scenario files --Plan::new--> runs × replicates with seeds and names (batch.json)
//!     --run_batch--> jobs at once into OUT/runs/<name>/, each as `run`, finished ones skipped,
//!                    from their checkpoints when they hold this scenario -> BatchOutcome
//! cohort scenario --Plan::cohort--> one run per person (draws in batch.json) --run_batch-->
//!     runs/person-<i>/ --cohort::outcomes--> people.csv
//! shard folders --merge--> one batch folder
//! batch or cohort folder --table::write_batch_tables--> runs.csv, runs.parquet (timeseries.parquet)
//! trial scenario --trial::run_trial--> each person screened after onset, the enrolled forked
//!     at randomisation into every arm -> people/, people.csv, report/trial.md
//! Scenario --InMemoryRun--> the same rows and summary with no folder (the Python package)
//! calibration scenarios --calibrate--> many seeds -> MouseCourse / HumanCourse / BodyCourse
//!     -> tables
//! ```
//!
//! The caller sees a run through a [`Progress`] it passes in ([`NoProgress`] shows nothing)
//! and stops it with a [`CancelToken`]; this crate prints nothing and installs no signal
//! handler. Results do not depend on threads, jobs or shards: a run is bit-identical at any
//! thread count, and a resumed run writes the bytes of one never stopped. Errors are
//! [`RunError`]s, which name the file, run or setting at fault.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod batch;
pub mod calibration;
mod checkpoint;
pub mod cohort;
mod drive;
mod error;
mod limits;
mod memory;
mod merge;
mod plan;
mod plots;
mod progress;
mod run;
mod snapshot;
pub mod table;
pub mod trial;

pub use batch::{BatchOptions, BatchOutcome, run_batch};
pub use error::RunError;
pub use limits::{available_memory, size_text};
pub use memory::{InMemoryRun, Tables};
pub use merge::{Merged, merge};
pub use plan::{BatchFile, Plan, PlannedRun, RUNS_DIR, Shard};
pub use progress::{CancelToken, NoProgress, Progress, Step};
pub use run::{Every, RunOptions, RunSpec, SingleRun, pool, resume, run, single_run};
pub use snapshot::{Marker, markers};
