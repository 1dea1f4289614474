//! Merge: the folders of a batch's shards (or of any partial runs of one batch) gathered into
//! one batch folder, as if the batch had run whole.

use crate::RunError;
use crate::plan::{BatchFile, PlannedRun};
use std::path::{Path, PathBuf};

/// What a merge gathered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// Runs copied into the merged folder.
    pub copied: usize,
    /// Runs of the plan.
    pub planned: usize,
    /// Runs finished in none of the folders, by name.
    pub missing: Vec<String>,
}

/// Copies every run finished in one of `dirs` (batch folders of one plan) into the new batch
/// folder `out`, then writes its `batch.json` (last, so a folder without it is known to be an
/// interrupted merge). Folders of other plans, an `out` that is not empty, and a run finished
/// in two folders are refused before anything is written; runs finished nowhere are listed in
/// [`Merged::missing`].
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged, RunError> {
    let plans = dirs
        .iter()
        .map(|d| BatchFile::read(d))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = plans.first() else {
        return Err(RunError::Invalid("no batch folder to merge".into()));
    };
    for (dir, plan) in dirs.iter().zip(&plans).skip(1) {
        if plan.runs != first.runs || plan.replicates != first.replicates {
            return Err(RunError::OtherBatch {
                dir: dir.clone(),
                first: dirs[0].clone(),
            });
        }
    }
    let is_empty = |d: &Path| d.read_dir().map_or(true, |mut e| e.next().is_none());
    if !is_empty(out) {
        return Err(RunError::NotEmpty {
            dir: out.to_path_buf(),
        });
    }
    // Where each run finished; more than one place is a conflict to settle by hand.
    let mut sources: Vec<(&PlannedRun, &Path)> = Vec::new();
    let mut missing = Vec::new();
    let mut duplicates = Vec::new();
    for run in &first.runs {
        let found: Vec<&Path> = dirs
            .iter()
            .filter(|d| alsim_io::is_finished(&BatchFile::run_dir(d, run)))
            .map(PathBuf::as_path)
            .collect();
        match found.as_slice() {
            [] => missing.push(run.name.clone()),
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
        return Err(RunError::FinishedTwice { runs: duplicates });
    }
    alsim_io::make_folder(out)?;
    let _lock = alsim_io::FolderLock::acquire(out)?;
    for (run, dir) in &sources {
        let from = BatchFile::run_dir(dir, run);
        alsim_io::copy_run(&from, &BatchFile::run_dir(out, run))
            .map_err(|source| RunError::Copy { from, source })?;
    }
    BatchFile {
        shard: None,
        ..first.clone()
    }
    .write(out)?;
    Ok(Merged {
        copied: sources.len(),
        planned: first.runs.len(),
        missing,
    })
}
