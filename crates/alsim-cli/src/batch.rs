//! `alsim batch`: the arguments, the scenario files read, and the lines printed around
//! `alsim_run::run_batch`, which runs every run of the plan, several at once, skipping runs
//! already finished, so an interrupted batch resumes where it stopped.

use crate::progress::BatchBars;
use crate::run::{Overrides, Safety};
use alsim_run::{BatchOptions, CancelToken, Plan, RUNS_DIR, Shard};
use anyhow::{Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `alsim batch`.
#[derive(Args, Debug)]
pub(crate) struct BatchArgs {
    /// Scenario files (RON); a file with a sweep gives one run per point of its grid.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Runs of each scenario (and sweep point). Replicate 0 uses the scenario's seed, replicate
    /// k the k-th output of SplitMix64 seeded with it.
    #[arg(long, default_value_t = 1)]
    replicates: u64,
    /// Batch folder. Default: batches/<file stems joined by +>.
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

/// The tables of a whole batch or cohort (`alsim_run::table`).
#[derive(Args, Debug)]
pub(crate) struct Tables {
    /// Also gather every run's time series (and a body's regions) into one long Parquet table,
    /// timeseries.parquet (and regions.parquet), beside runs.csv and runs.parquet, which are
    /// always written.
    #[arg(long)]
    timeseries_table: bool,
}

impl Tables {
    /// Writes the tables of the finished runs in `dir` and says where they are.
    pub(crate) fn write(&self, dir: &Path) -> Result<()> {
        let written = alsim_run::table::write_batch_tables(dir, self.timeseries_table)?;
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        note!("alsim: tables of the finished runs: {}", names.join(", "));
        Ok(())
    }
}

/// How the runs of a batch or cohort spread over cores and machines.
#[derive(Args, Debug)]
pub(crate) struct Spread {
    /// Runs at once; each gets cores / jobs threads. Default: one per core (fewer when fewer
    /// runs are left, each then with more threads). Results are identical for any value.
    #[arg(long)]
    jobs: Option<usize>,
    /// Run only the i-th of n disjoint slices of the runs (0 <= i < n), e.g.
    /// $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; gather the slices with `alsim merge`.
    #[arg(long)]
    shard: Option<Shard>,
}

impl Spread {
    /// The batch options of these flags and `safety`'s.
    pub(crate) fn options(&self, safety: &Safety) -> BatchOptions {
        BatchOptions {
            shard: self.shard,
            jobs: self.jobs,
            checkpoint_every: safety.checkpoint_every,
            max_memory: safety.max_memory,
        }
    }
}

pub(crate) fn batch(args: &BatchArgs, cancel: &CancelToken) -> Result<()> {
    let mut unreadable = Vec::new();
    let mut scenarios = Vec::new();
    for path in &args.scenarios {
        match args.overrides.load(path) {
            Ok(s) => scenarios.push((path.clone(), s)),
            Err(e) => {
                // Reported now, before hours of running the others, and again at the end.
                note!("error: {e}\nalsim: batch: skipping {}", path.display());
                unreadable.push(e);
            }
        }
    }
    if scenarios.is_empty() {
        bail!("no scenario file could be read; nothing was run");
    }
    let plan = Plan::new(&scenarios, args.replicates)?.with_overrides(args.overrides.recorded());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenarios));
    let outcome = run_plan(&plan, &out, &args.spread.options(&args.safety), cancel)?;
    args.tables.write(&out)?;
    note!(
        "alsim: batch done: {} ran, {} already finished, {} failed; results in {}",
        outcome.ran,
        outcome.skipped,
        outcome.failed.len(),
        out.join(RUNS_DIR).display()
    );
    let stopped = outcome.cancelled + outcome.not_started;
    if outcome.failed.is_empty() && unreadable.is_empty() && stopped == 0 {
        return Ok(());
    }
    print_failures(&outcome);
    for err in &unreadable {
        note!("  not run: {err}");
    }
    outcome.check_cancelled()?;
    bail!(
        "{} run(s) failed and {} scenario file(s) could not be read; fix them and run the same command again: finished runs are skipped",
        outcome.failed.len(),
        unreadable.len()
    )
}

/// `batches/<stem>+<stem>...`, so the same command finds the same folder again.
fn default_out(files: &[PathBuf]) -> PathBuf {
    let stems: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let joined = stems.join("+");
    let name = if joined.len() <= 120 {
        joined
    } else {
        format!("{}+{}-more", stems[0], stems.len() - 1)
    };
    PathBuf::from("batches").join(name)
}

/// `alsim_run::run_batch` with the batch display, cleared when it is done.
pub(crate) fn run_plan(
    plan: &Plan,
    out: &Path,
    options: &BatchOptions,
    cancel: &CancelToken,
) -> Result<alsim_run::BatchOutcome> {
    let unit = if plan.file.runs.iter().any(|r| r.person.is_some()) {
        "people"
    } else {
        "runs"
    };
    let bars = BatchBars::new(unit);
    let outcome = alsim_run::run_batch(plan, out, options, &bars, cancel);
    bars.finish();
    Ok(outcome?)
}

/// Lists the runs that failed, with why.
pub(crate) fn print_failures(outcome: &alsim_run::BatchOutcome) {
    for (name, err) in &outcome.failed {
        note!("  failed: {name}: {}", err.chain());
    }
}
