//! alsim-cli: the `alsim` command line. Argument handling, progress display and error reporting
//! over the library crates; no model logic lives here.
//!
//! ```text
//! argv --clap--> Command --run-->      alsim_scenario::load -> memory check -> alsim_core::Simulation
//!                                      (in a rayon pool of --threads; guard after every step,
//!                                      checkpoints; or restored from one with --resume)
//!                                      -> alsim_io::RunFolder (time series, VTK snapshots; with
//!                                      --plots, alsim_report::series_png)
//!                        --validate--> alsim_scenario::load -> footprint report
//!                        --calibrate--> many seeds of the calibration scenarios ->
//!                                       calibration (observables, targets) -> markdown table
//!                        --batch-->    scenario files -> Plan (sweep points × replicates, seeds,
//!                                      names; batch.json) -> --jobs runs at once, each as `run`
//!                                      does, skipping finished ones
//!                        --merge-->    shard folders -> one batch folder
//!                        --compare-->  two groups of runs (batch of two files, or two batch
//!                                      folders) -> alsim_report::write_report
//!                        --render-->   a run's VTK snapshots (alsim_io::vtk) -> z slices of a
//!                                      field with the cells -> alsim_report::slice_png
//!                        --bench-->    alsim_bench::run_suite (memory probes in child alsim
//!                                      processes) -> table; alsim_report::scaling_png
//! ```
//!
//! Errors travel up as `anyhow` chains and are printed once, in [`main`], with a non-zero exit
//! (130 for a run or batch stopped by Ctrl-C or SIGTERM, after its checkpoint is written).

#![warn(missing_docs)]

mod batch;
mod bench;
mod calibrate;
pub mod calibration;
mod compare;
mod interrupt;
mod limits;
mod merge;
mod plan;
mod plots;
mod progress;
mod render;
mod run;
mod snapshot;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Agent-based simulator of spinal cord tissue in ALS.
#[derive(Parser, Debug)]
#[command(name = "alsim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one scenario and write a run folder (manifest, time series, summary).
    Run(run::RunArgs),
    /// Parse and check a scenario; print its grid, cells and memory estimate.
    Validate {
        /// Scenario file (RON).
        scenario: PathBuf,
    },
    /// Run the calibration scenarios over many seeds and compare them with the measured
    /// biology; print the table or write it into a document.
    Calibrate(calibrate::CalibrateArgs),
    /// Run scenario files (and their sweeps) several times each, several at once, into one
    /// batch folder; finished runs are skipped, so an interrupted batch resumes.
    Batch(batch::BatchArgs),
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
    if matches!(
        cli.command,
        Command::Run(_) | Command::Batch(_) | Command::Compare(_)
    ) {
        interrupt::watch();
    }
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate { scenario } => run::validate(&scenario),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Batch(args) => batch::batch(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Render(args) => render::render(&args),
        Command::Bench(args) => bench::bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            if err.downcast_ref::<interrupt::Interrupted>().is_some() {
                ExitCode::from(interrupt::EXIT_STATUS)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
