//! `alsim trial`: a randomised virtual trial on a cohort scenario's people (resumable, people
//! at once on --threads), then its table, people.csv, and report, report/trial.md.

use crate::progress::BatchBars;
use crate::run::Overrides;
use alsim_run::CancelToken;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `alsim trial`.
#[derive(Args, Debug)]
pub(crate) struct TrialArgs {
    /// Trial scenario file (RON, with `cohort` and `trial` sections).
    scenario: PathBuf,
    /// People to screen, replacing the file's `cohort.people`. Person i is the same person in
    /// a trial of any size.
    #[arg(long)]
    people: Option<u64>,
    /// Trial folder. Default: trials/<file stem>.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads; people run at once on them. Default: all cores. Results are identical
    /// for any value.
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    overrides: Overrides,
}

pub(crate) fn trial(args: &TrialArgs, cancel: &CancelToken) -> Result<()> {
    let path = &args.scenario;
    let scenario = args.overrides.load(path)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("trials").join(path.file_stem().unwrap_or_default()));
    let bars = BatchBars::new("people");
    let outcome = alsim_run::trial::run_trial(
        path,
        &scenario,
        args.people,
        &out,
        args.threads,
        &bars,
        cancel,
    )?;
    note!(
        "alsim: trial done: {} people ran, {} already finished; {} enrolled; table in {}, report in {}",
        outcome.ran,
        outcome.skipped,
        outcome.enrolled,
        outcome.table.display(),
        outcome.report.display()
    );
    Ok(())
}
