//! `alsim calibrate`: the arguments of `alsim_run::calibration::calibrate`, which runs the
//! calibration scenarios over many seeds and compares what they show with the targets of
//! `docs/calibration-targets.md`; the table is printed or written into a document between its
//! marker lines. With `--cohorts` it runs the bundled cohorts instead
//! (`calibration::calibrate_population`), and with `--cell-types` the mouse with its mutant
//! gene taken from one cell type (`calibration::calibrate_cell_types`), each table between
//! markers of its own.

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
    #[arg(long, conflicts_with_all = ["cohorts", "cell_types"])]
    mouse_only: bool,
    /// Calibrate the cell types instead: the SOD1-G93A mouse with its mutant gene excised from
    /// motor neurons, microglia or astrocytes, at fewer copies and under an antisense drug,
    /// each paired with the bundled mouse seed for seed (Boillée 2006, Yamanaka 2008).
    #[arg(long, conflicts_with = "cohorts")]
    cell_types: bool,
    /// Calibrate the populations instead: the bundled cohorts (scenarios/cohorts/) against the
    /// registry rows (age at onset and its spread, steps, site of onset, survival).
    #[arg(long)]
    cohorts: bool,
    /// With --cohorts: people of each cohort of lifetime blocks (the first N of the cohort).
    #[arg(long, default_value_t = 200, requires = "cohorts")]
    people: u64,
    /// With --cohorts: people of the cohort of bodies of regions (the slow part).
    #[arg(long, default_value_t = 50, requires = "cohorts")]
    body_people: u64,
    /// Replace the table between the calibration markers of this file (e.g. docs/model.md);
    /// with --cohorts or --cell-types, between their own markers.
    #[arg(long)]
    write: Option<PathBuf>,
}

pub(crate) fn calibrate(args: &CalibrateArgs) -> Result<()> {
    let bar = CalibrateBar::default();
    let (table, markers) = if args.cohorts {
        (
            calibration::calibrate_population(&args.scenarios, args.people, args.body_people, &bar),
            (calibration::POPULATION_BEGIN, calibration::POPULATION_END),
        )
    } else if args.cell_types {
        (
            calibration::calibrate_cell_types(&args.scenarios, args.seeds, &bar),
            (calibration::CELL_TYPES_BEGIN, calibration::CELL_TYPES_END),
        )
    } else {
        (
            calibration::calibrate(&args.scenarios, args.seeds, args.mouse_only, &bar),
            (calibration::BEGIN, calibration::END),
        )
    };
    bar.finish();
    let table = table?;
    match &args.write {
        Some(path) => {
            calibration::write_table(path, markers, &table)?;
            note!("alsim: calibration table written to {}", path.display());
        }
        None => out!("{}", table.strip_suffix('\n').unwrap_or(&table))?,
    }
    Ok(())
}
