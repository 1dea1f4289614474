//! alsim-cli: the `alsim` command line. Argument handling, progress display, the Ctrl-C handler
//! and error reporting over the library crates; no model or run logic lives here.
//!
//! ```text
//! argv --clap--> Command --run-->      alsim_scenario::load -> alsim_run::run (or alsim_run::resume
//!                                      with --resume): memory check, alsim_core::Simulation in
//!                                      a pool of --threads, guard after every step,
//!                                      checkpoints, VTK snapshots -> run folder
//!                        --validate--> alsim_scenario::load -> footprint report
//!                        --calibrate--> alsim_run::calibration::calibrate (many seeds of the
//!                                       calibration scenarios, observables, targets) ->
//!                                       markdown table, printed or written into a document
//!                        --batch-->    scenario files -> alsim_run::Plan -> alsim_run::run_batch
//!                                      (--jobs runs at once, each as `run` does, skipping
//!                                      finished ones)
//!                        --trial-->    alsim_run::trial::run_trial: a cohort's people screened
//!                                      after onset, twins forked into every arm -> people.csv,
//!                                      report/trial.md
//!                        --merge-->    alsim_run::merge: shard folders -> one batch folder
//!                        --compare-->  two groups of runs (batch of two files, or two batch
//!                                      folders) -> alsim_report::write_report
//!                        --render-->   a run's VTK snapshots (alsim_io::vtk, alsim_run::markers)
//!                                      -> z slices of a field with the cells ->
//!                                      alsim_report::slice_png
//!                        --bench-->    alsim_bench::run_suite (memory probes in child alsim
//!                                      processes) -> table; alsim_report::scaling_png
//! ```
//!
//! Progress reaches the terminal through this crate's implementations of
//! [`alsim_run::Progress`] (indicatif bars, or plain lines when stderr is not a terminal);
//! Ctrl-C and SIGTERM trip the [`alsim_run::CancelToken`] the runs check. Errors travel up as
//! `anyhow` chains and are printed once, in [`main`], with a non-zero exit (130 for a run or
//! batch stopped by Ctrl-C or SIGTERM, after its checkpoint is written).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

/// Writes a line to stderr and ignores failure: a closed or full stderr (`alsim run X 2>&1 |
/// head`) must neither stop a run nor lose its results.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Writes a line to stdout; failing to is an error of the command whose output it is
/// (`alsim validate X >/dev/full`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)
            .map_err(|e| anyhow::anyhow!("cannot write to standard output: {e}"))
    }};
}

mod batch;
mod bench;
mod calibrate;
mod cohort;
mod compare;
mod interrupt;
mod limits;
mod merge;
mod progress;
mod render;
mod run;
mod trial;

use alsim_run::{CancelToken, RunError};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// What alsim is: the first line of `alsim --help` and `alsim -h`. Set here, because clap would
/// otherwise take this crate's doc comment, which is about the command line, not the simulator.
macro_rules! about {
    () => {
        "alsim: agent-based simulator of spinal cord tissue in ALS (amyotrophic lateral \
         sclerosis) — motor neurons, microglia and astrocytes on a grid of diffusing fields"
    };
}

/// The rest of `alsim --help`'s description.
const LONG_ABOUT: &str = concat!(
    about!(),
    ".\n\n",
    "A RON scenario goes in (see scenarios/); a run folder comes out: time series, summary, VTK\n",
    "snapshots, plots. Runs resume from checkpoints and are bit-identical at any thread count;\n",
    "batch runs scenarios many times, compare tests two groups of runs against each other, and\n",
    "calibrate holds the model to the targets of docs/calibration-targets.md."
);

/// The `alsim` command line.
#[derive(Parser, Debug)]
#[command(name = "alsim", version, about = about!(), long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one scenario and write a run folder (manifest, time series, summary).
    Run(run::RunArgs),
    /// Parse and check a scenario; print its grid, cells and memory estimate.
    Validate(run::ValidateArgs),
    /// Run the calibration scenarios over many seeds and compare them with the measured
    /// biology; print the table or write it into a document.
    Calibrate(calibrate::CalibrateArgs),
    /// Run scenario files (and their sweeps) several times each, several at once, into one
    /// batch folder; finished runs are skipped, so an interrupted batch resumes.
    Batch(batch::BatchArgs),
    /// Run the people of a cohort scenario as a batch (resumable, --jobs, --shard) and write
    /// their table, people.csv: draws and outcomes, one row per person.
    Cohort(cohort::CohortArgs),
    /// Run a randomised virtual trial on a cohort of bodies: people screened after onset, each
    /// enrolled person's twins followed in every arm from randomisation; people.csv and
    /// report/trial.md with effects, p-values and the power curve.
    Trial(trial::TrialArgs),
    /// Gather the folders of a batch's shards into one batch folder.
    Merge(merge::MergeArgs),
    /// Compare two groups of replicate runs: report.md with statistics and plots.
    Compare(compare::CompareArgs),
    /// Draw PNG pictures of a run's VTK snapshots: a z slice of a field with the cells around
    /// it, one picture per snapshot, numbered for animation.
    Render(render::RenderArgs),
    /// Measure this machine: the field solver, the cell step and whole ticks at growing sizes,
    /// the memory-bandwidth bound, scaling and peak memory; print the table.
    Bench(bench::BenchArgs),
}

/// Entry point of the `alsim` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let cancel = if matches!(
        cli.command,
        Command::Run(_)
            | Command::Batch(_)
            | Command::Cohort(_)
            | Command::Trial(_)
            | Command::Compare(_)
    ) {
        interrupt::watch()
    } else {
        CancelToken::new()
    };
    let result = match cli.command {
        Command::Run(args) => run::run(&args, &cancel),
        Command::Validate(args) => run::validate(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Batch(args) => batch::batch(&args, &cancel),
        Command::Cohort(args) => cohort::cohort(&args, &cancel),
        Command::Trial(args) => trial::trial(&args, &cancel),
        Command::Merge(args) => merge::merge(&args),
        Command::Compare(args) => compare::compare(&args, &cancel),
        Command::Render(args) => render::render(&args),
        Command::Bench(args) => bench::bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            note!("error: {err:#}");
            if err
                .downcast_ref::<RunError>()
                .is_some_and(RunError::is_cancelled)
            {
                ExitCode::from(interrupt::EXIT_STATUS)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
