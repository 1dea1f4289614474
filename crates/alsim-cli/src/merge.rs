//! `alsim merge`: the arguments of `alsim_run::merge`, which gathers the folders of a batch's
//! shards (or of any partial runs of one batch command) into one batch folder, as if the batch
//! had run whole; the merged folder gets the batch's tables (runs.csv, runs.parquet) and a
//! cohort's its `people.csv` and report.

use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `alsim merge`.
#[derive(Args, Debug)]
pub(crate) struct MergeArgs {
    /// Batch folders of one batch command (e.g. one per shard).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The merged batch folder; must not exist yet, or be empty.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    tables: crate::batch::Tables,
}

pub(crate) fn merge(args: &MergeArgs) -> Result<()> {
    let merged = alsim_run::merge(&args.dirs, &args.out)?;
    note!(
        "alsim: merged {} of {} runs from {} folders into {}",
        merged.copied,
        merged.planned,
        args.dirs.len(),
        args.out.display()
    );
    // A cohort's merged folder gets the people table of everyone finished.
    if alsim_run::BatchFile::read(&args.out)?
        .runs
        .iter()
        .any(|r| r.person.is_some())
    {
        let people = alsim_run::cohort::outcomes(&args.out)?;
        let table = alsim_run::cohort::write_people(&args.out, &people)?;
        let report = alsim_run::cohort::write_report(&args.out, &people)?;
        note!(
            "alsim: {} people in {}, report in {}",
            people.len(),
            table.display(),
            report.display()
        );
    }
    args.tables.write(&args.out)?;
    if merged.missing.is_empty() {
        return Ok(());
    }
    bail!(
        "{} run(s) missing, finished in none of the folders: {}; to run only those, run the batch command again with --out {} and without --shard",
        merged.missing.len(),
        merged.missing.join(", "),
        args.out.display()
    )
}
