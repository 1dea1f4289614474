//! `alsim merge`: gathers the folders of a batch's shards (or of any partial runs of one batch
//! command) into one batch folder, as if the batch had run whole.

use crate::plan::{BatchFile, PlannedRun};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `alsim merge`.
#[derive(Args, Debug)]
pub(crate) struct MergeArgs {
    /// Batch folders of one batch command (e.g. one per shard).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The merged batch folder; must not exist yet, or be empty.
    #[arg(long)]
    out: PathBuf,
}

pub(crate) fn merge(args: &MergeArgs) -> Result<()> {
    let plans = args
        .dirs
        .iter()
        .map(|d| BatchFile::read(d))
        .collect::<Result<Vec<_>>>()?;
    let first = &plans[0];
    for (dir, plan) in args.dirs.iter().zip(&plans).skip(1) {
        if plan.runs != first.runs || plan.replicates != first.replicates {
            bail!(
                "{} holds another batch than {} (its batch.json plans other runs); merge only folders of one batch command",
                dir.display(),
                args.dirs[0].display()
            );
        }
    }
    let is_empty = |d: &Path| d.read_dir().map_or(true, |mut e| e.next().is_none());
    if !is_empty(&args.out) {
        bail!(
            "{} is not empty; merge into a new folder",
            args.out.display()
        );
    }
    // Where each run finished; more than one place is a conflict to settle by hand.
    let mut sources: Vec<(&PlannedRun, &Path)> = Vec::new();
    let mut missing = Vec::new();
    let mut duplicates = Vec::new();
    for run in &first.runs {
        let found: Vec<&Path> = args
            .dirs
            .iter()
            .filter(|d| alsim_io::is_finished(&BatchFile::run_dir(d, run)))
            .map(PathBuf::as_path)
            .collect();
        match found.as_slice() {
            [] => missing.push(run.name.as_str()),
            [dir] => sources.push((run, dir)),
            many => duplicates.push(format!(
                "{} (in {})",
                run.name,
                many.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if !duplicates.is_empty() {
        bail!(
            "{} run(s) finished in more than one folder; keep one copy of each and merge again (nothing was written):\n  {}",
            duplicates.len(),
            duplicates.join("\n  ")
        );
    }
    for (run, dir) in &sources {
        let from = BatchFile::run_dir(dir, run);
        alsim_io::copy_run(&from, &BatchFile::run_dir(&args.out, run))
            .with_context(|| format!("copying {}", from.display()))?;
    }
    // Last, so a folder without it is known to be an interrupted merge.
    BatchFile {
        shard: None,
        ..first.clone()
    }
    .write(&args.out)?;
    eprintln!(
        "alsim: merged {} of {} runs from {} folders into {}",
        sources.len(),
        first.runs.len(),
        args.dirs.len(),
        args.out.display()
    );
    if missing.is_empty() {
        return Ok(());
    }
    bail!(
        "{} run(s) missing, finished in none of the folders: {}; to run only those, run the batch command again with --out {} and without --shard",
        missing.len(),
        missing.join(", "),
        args.out.display()
    )
}
