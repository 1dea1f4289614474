//! alsim-cli: the `alsim` command line. Argument handling, progress display and error reporting
//! over the library crates; no model logic lives here.
//!
//! ```text
//! argv --clap--> Command --run-->      alsim_scenario::load -> alsim_core::Simulation (in a rayon
//!                                      pool of --threads) -> alsim_io::RunFolder
//!                        --validate--> alsim_scenario::load -> footprint report
//!                        --calibrate--> many seeds of the calibration scenarios ->
//!                                       alsim_core::calibration -> markdown table
//! ```
//!
//! Errors travel up as `anyhow` chains and are printed once, in [`main`], with a non-zero exit.

#![warn(missing_docs)]

mod calibrate;
mod progress;
mod run;

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
}

/// Entry point of the `alsim` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate { scenario } => run::validate(&scenario),
        Command::Calibrate(args) => calibrate::calibrate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
