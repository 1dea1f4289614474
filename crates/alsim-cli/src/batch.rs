//! `alsim batch`: runs every run of a plan (see `plan.rs`), several at once, skipping runs
//! already finished, so an interrupted batch resumes where it stopped.
//!
//! A run interrupted (Ctrl-C) or killed with a checkpoint in its folder continues from it when
//! the same command runs again, provided the checkpoint is of the very scenario the plan runs;
//! otherwise it starts again. After Ctrl-C no new run starts, and the running ones stop after
//! their current step with a checkpoint.
//!
//! Concurrency: `--jobs` worker threads each take the next run from a shared queue and step it
//! in a rayon pool of their own, of cores / jobs threads, so jobs × threads never exceeds the
//! cores. The workers are plain threads, not a rayon pool: a rayon worker waiting on another
//! pool steals work from its own, which would start more runs at once than `--jobs`.

use crate::interrupt::{self, Interrupted};
use crate::limits;
use crate::plan::{BatchFile, Plan, Shard};
use crate::progress::BatchProgress;
use crate::run::{RunSpec, RunState, Safety, cores, execute, pool};
use alsim_io::{RunFolder, has_checkpoint, is_finished, names};
use alsim_scenario::Scenario;
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use rayon::ThreadPool;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

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
    /// Runs at once; each gets cores / jobs threads. Default: one per core (fewer when fewer
    /// runs are left, each then with more threads). Results are identical for any value.
    #[arg(long)]
    jobs: Option<usize>,
    /// Batch folder. Default: batches/<file stems joined by +>.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only the i-th of n disjoint slices of the batch (0 <= i < n), e.g.
    /// $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; gather the slices with `alsim merge`.
    #[arg(long, value_parser = Shard::parse)]
    shard: Option<Shard>,
    #[command(flatten)]
    safety: Safety,
}

/// What became of the runs of a batch.
pub(crate) struct Outcome {
    pub(crate) ran: usize,
    pub(crate) skipped: usize,
    /// Run name and why it failed.
    pub(crate) failed: Vec<(String, anyhow::Error)>,
    /// Runs stopped by Ctrl-C with a checkpoint, and runs not started because of it.
    pub(crate) interrupted: usize,
    pub(crate) not_started: usize,
}

/// The error of a batch stopped by Ctrl-C, if it was.
pub(crate) fn interrupt_check(outcome: &Outcome) -> Result<()> {
    if outcome.interrupted + outcome.not_started == 0 {
        return Ok(());
    }
    Err(Interrupted(format!(
        "batch interrupted: {} run(s) stopped with a checkpoint, {} not started; run the same command again to continue them",
        outcome.interrupted, outcome.not_started
    ))
    .into())
}

pub(crate) fn batch(args: &BatchArgs) -> Result<()> {
    let mut unreadable = Vec::new();
    let mut scenarios = Vec::new();
    for path in &args.scenarios {
        match alsim_scenario::load(path) {
            Ok(s) => scenarios.push((path.clone(), s)),
            Err(e) => {
                // Reported now, before hours of running the others, and again at the end.
                eprintln!("error: {e}\nalsim: batch: skipping {}", path.display());
                unreadable.push(e);
            }
        }
    }
    if scenarios.is_empty() {
        bail!("no scenario file could be read; nothing was run");
    }
    let plan = Plan::new(&scenarios, args.replicates)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenarios));
    let outcome = run_plan(&plan, args.shard, &out, args.jobs, &args.safety)?;
    eprintln!(
        "alsim: batch done: {} ran, {} already finished, {} failed; results in {}",
        outcome.ran,
        outcome.skipped,
        outcome.failed.len(),
        out.join(crate::plan::RUNS_DIR).display()
    );
    let stopped = outcome.interrupted + outcome.not_started;
    if outcome.failed.is_empty() && unreadable.is_empty() && stopped == 0 {
        return Ok(());
    }
    for (name, err) in &outcome.failed {
        eprintln!("  failed: {name}: {err:#}");
    }
    for err in &unreadable {
        eprintln!("  not run: {err}");
    }
    interrupt_check(&outcome)?;
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

/// Runs the runs of `plan` in `shard` (all without one) into the batch folder `out`, `jobs` at
/// a time (one per core when `None`); finished runs of the same scenario are skipped. Fails only when nothing can start
/// (the folder cannot be written, no threads); a failing run is recorded and the rest go on.
pub(crate) fn run_plan(
    plan: &Plan,
    shard: Option<Shard>,
    out: &Path,
    jobs: Option<usize>,
    safety: &Safety,
) -> Result<Outcome> {
    if jobs == Some(0) {
        bail!("--jobs must be at least 1");
    }
    let file = BatchFile {
        shard,
        ..plan.file.clone()
    };
    file.write(out)?;
    let mut todo = Vec::new();
    let mut skipped = 0;
    let mut failed = Vec::new();
    for i in (0..file.runs.len()).filter(|&i| shard.is_none_or(|s| s.holds(i))) {
        let run = &file.runs[i];
        let dir = BatchFile::run_dir(out, run);
        if !is_finished(&dir) {
            todo.push(i);
        } else if holds(&dir, &plan.scenario(i)) {
            skipped += 1;
        } else {
            failed.push((
                run.name.clone(),
                anyhow!(
                    "{} holds a finished run of another scenario (its scenario.ron differs from this one); use another --out, or delete that folder to run it again",
                    dir.display()
                ),
            ));
        }
    }
    let slice = shard.map_or(String::new(), |s| {
        format!(", shard {}/{}", s.index, s.count)
    });
    if todo.is_empty() {
        eprintln!(
            "alsim: batch of {} runs{slice}: none to run, {skipped} already finished, in {}",
            file.runs.len(),
            out.display()
        );
    }
    let cores = cores();
    let jobs = jobs.unwrap_or(cores);
    if jobs > cores && !todo.is_empty() {
        eprintln!(
            "alsim: batch: --jobs {jobs} is more than the {cores} cores here; running {cores} at once"
        );
    }
    let workers = jobs.min(cores).min(todo.len()).max(1);
    let threads = (cores / workers).max(1);
    if !todo.is_empty() {
        eprintln!(
            "alsim: batch of {} runs{slice}: {} to run, {skipped} already finished, {workers} at a time with {threads} thread(s) each, in {}",
            file.runs.len(),
            todo.len(),
            out.display()
        );
    }
    let pools = (0..workers)
        .map(|_| pool(threads))
        .collect::<Result<Vec<_>>>()?;
    let progress = BatchProgress::new(todo.len() as u64);
    let next = AtomicUsize::new(0);
    let started = AtomicUsize::new(0);
    let results = Mutex::new((0usize, failed, 0usize));
    std::thread::scope(|scope| {
        for pool in &pools {
            scope.spawn(|| {
                while let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if interrupt::requested() {
                        break;
                    }
                    started.fetch_add(1, Ordering::Relaxed);
                    let run = &file.runs[i];
                    if !progress.is_drawn() {
                        progress.say(&format!("alsim: batch: {} started", run.name));
                    }
                    let started = Instant::now();
                    let result = catch_unwind(AssertUnwindSafe(|| {
                        run_one(plan, i, out, pool, &progress, safety, workers)
                    }))
                    .unwrap_or_else(|_| Err(anyhow!("the run panicked (a bug: please report it)")));
                    let mut done = results.lock().expect("no worker panics holding the lock");
                    let line = match result {
                        Ok(summary) => {
                            done.0 += 1;
                            format!(
                                "alsim: batch: {} finished in {:.1} s: {} of {} motor neurons alive after {} days",
                                run.name,
                                started.elapsed().as_secs_f64(),
                                summary.motor_neurons_final_alive,
                                summary.motor_neurons_initial,
                                summary.simulated_days
                            )
                        }
                        Err(err) if err.downcast_ref::<Interrupted>().is_some() => {
                            done.2 += 1;
                            format!("alsim: batch: {} stopped: {err:#}", run.name)
                        }
                        Err(err) => {
                            let line = format!("alsim: batch: {} FAILED: {err:#}", run.name);
                            done.1.push((run.name.clone(), err));
                            line
                        }
                    };
                    progress.run_done(done.1.len());
                    drop(done);
                    if !progress.is_drawn() || !line.contains(" finished in ") {
                        progress.say(&line);
                    }
                }
            });
        }
    });
    progress.finish();
    let (ran, failed, interrupted) = results
        .into_inner()
        .expect("no worker panics holding the lock");
    let not_started = todo.len() - started.load(Ordering::Relaxed);
    Ok(Outcome {
        ran,
        skipped,
        failed,
        interrupted,
        not_started,
    })
}

/// Whether the finished run in `dir` is of `scenario` (its resolved `scenario.ron` is the same).
fn holds(dir: &Path, scenario: &Scenario) -> bool {
    std::fs::read_to_string(dir.join(names::SCENARIO))
        .is_ok_and(|text| text == scenario.to_ron_string())
}

/// Runs run `i` of the plan, from its checkpoint when the folder holds one of this scenario.
fn run_one(
    plan: &Plan,
    i: usize,
    out: &Path,
    pool: &ThreadPool,
    progress: &BatchProgress,
    safety: &Safety,
    workers: usize,
) -> Result<alsim_core::Summary> {
    let run = &plan.file.runs[i];
    let scenario = plan.scenario(i);
    let dir = BatchFile::run_dir(out, run);
    limits::check_memory(&scenario, &run.scenario_file, safety.max_memory, workers)
        .with_context(|| format!("run {}", run.name))?;
    let resume = if has_checkpoint(&dir) {
        match RunState::read(&dir) {
            Ok(state) if state.scenario == scenario.to_ron_string() => {
                progress.say(&format!(
                    "alsim: batch: {} continues from its checkpoint (tick {})",
                    run.name,
                    state.tick()
                ));
                Some(state)
            }
            Ok(_) => {
                progress.say(&format!(
                    "alsim: batch: {}: its checkpoint is of another scenario; running it from the start",
                    run.name
                ));
                None
            }
            Err(e) => {
                progress.say(&format!(
                    "alsim: batch: {}: {e:#}; running it from the start",
                    run.name
                ));
                None
            }
        }
    } else {
        None
    };
    let folder = RunFolder::create(&dir, false).with_context(|| format!("run {}", run.name))?;
    if resume.is_none() {
        folder.clear_resume_state()?;
    }
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &run.scenario_file,
        replicate: Some(run.replicate),
        sweep: &run.sweep,
        plots: false,
    };
    execute(
        &spec,
        &folder,
        pool,
        progress.job(scenario.time.ticks(), &run.name),
        safety.checkpoint_every,
        resume,
    )
}
