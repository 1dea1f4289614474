//! `alsim cohort`: the people of a cohort scenario run as a batch (resumable, `--jobs`,
//! `--shard`, `alsim merge`), then their table, `people.csv`, and the cohort report.

use crate::batch::{Spread, Tables, print_failures, run_plan};
use crate::run::{Overrides, Safety};
use alsim_run::{CancelToken, Plan};
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `alsim cohort`.
#[derive(Args, Debug)]
pub(crate) struct CohortArgs {
    /// Cohort scenario file (RON, with a `cohort` section).
    scenario: PathBuf,
    /// People to run, replacing the file's `cohort.people`. Person i is the same person in a
    /// cohort of any size.
    #[arg(long)]
    people: Option<u64>,
    /// Cohort folder. Default: cohorts/<file stem>.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    spread: Spread,
    #[command(flatten)]
    tables: Tables,
    #[command(flatten)]
    overrides: Overrides,
    #[command(flatten)]
    safety: Safety,
}

pub(crate) fn cohort(args: &CohortArgs, cancel: &CancelToken) -> Result<()> {
    let path = &args.scenario;
    let scenario = args.overrides.load(path)?;
    let plan =
        Plan::cohort(path, &scenario, args.people)?.with_overrides(args.overrides.recorded());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("cohorts").join(path.file_stem().unwrap_or_default()));
    let outcome = run_plan(&plan, &out, &args.spread.options(&args.safety), cancel)?;
    let people = alsim_run::cohort::outcomes(&out)?;
    let table = alsim_run::cohort::write_people(&out, &people)?;
    let report = alsim_run::cohort::write_report(&out, &people)?;
    args.tables.write(&out)?;
    let onsets = people
        .iter()
        .filter(|p| p.onset_age_years.is_some())
        .count();
    note!(
        "alsim: cohort done: {} ran, {} already finished, {} failed; {} people, {onsets} reached onset; table in {}, report in {}",
        outcome.ran,
        outcome.skipped,
        outcome.failed.len(),
        people.len(),
        table.display(),
        report.display()
    );
    if outcome.failed.is_empty() && outcome.cancelled + outcome.not_started == 0 {
        return Ok(());
    }
    print_failures(&outcome);
    outcome.check_cancelled()?;
    bail!(
        "{} people failed; fix the cause and run the same command again: finished people are skipped",
        outcome.failed.len()
    )
}
