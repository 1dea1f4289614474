//! `alsim calibrate`: the arguments of `alsim_run::calibration::calibrate`, which runs the
//! calibration scenarios over many seeds and compares what they show with the targets of
//! `docs/calibration-targets.md`; the table is printed or written into a document between its
//! marker lines.

use crate::progress::CalibrateBar;
use alsim_run::calibration;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `alsim calibrate`.
#[derive(Args, Debug)]
pub(crate) struct CalibrateArgs {
    /// Seeds per scenario (the scenario's seed, then the next ones).
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// Folder holding the bundled scenarios.
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,
    /// Skip the human lifetime scenarios (the slow part).
    #[arg(long)]
    mouse_only: bool,
    /// Replace the table between the calibration markers of this file (e.g. docs/model.md).
    #[arg(long)]
    write: Option<PathBuf>,
}

pub(crate) fn calibrate(args: &CalibrateArgs) -> Result<()> {
    let bar = CalibrateBar::default();
    let table = calibration::calibrate(&args.scenarios, args.seeds, args.mouse_only, &bar);
    bar.finish();
    let table = table?;
    match &args.write {
        Some(path) => {
            calibration::write_table(path, &table)?;
            note!("alsim: calibration table written to {}", path.display());
        }
        None => out!("{}", table.strip_suffix('\n').unwrap_or(&table))?,
    }
    Ok(())
}
