//! Batches: every run of a [`Plan`], several at once, skipping runs already finished, so an
//! interrupted batch resumes where it stopped.
//!
//! A run cancelled or killed with a checkpoint in its folder continues from it when the batch
//! runs again, provided the checkpoint is of the very scenario the plan runs; otherwise it
//! starts again. Once the token is cancelled no new run starts, and the running ones stop after
//! their current step with a checkpoint.
//!
//! Concurrency: `jobs` worker threads each take the next run from a shared queue and step it in
//! a rayon pool of their own, of cores / jobs threads, so jobs × threads never exceeds the
//! cores. The workers are plain threads, not a rayon pool: a rayon worker waiting on another
//! pool steals work from its own, which would start more runs at once than `jobs`.

use crate::checkpoint::RunState;
use crate::limits::check_memory;
use crate::plan::{BatchFile, Plan, Shard};
use crate::run::{RunSpec, cores, execute, pool, reported};
use crate::{CancelToken, Every, Progress, RunError, RunOptions};
use alsim_core::Summary;
use alsim_io::{RunFolder, has_checkpoint, is_finished, names};
use alsim_scenario::Scenario;
use rayon::ThreadPool;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How a batch goes.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Run only this slice of the plan; `None`: all of it.
    pub shard: Option<Shard>,
    /// Runs at once, each with cores / jobs threads; `None`: one per core (fewer when fewer runs
    /// are left, each then with more threads). Results are identical for any value.
    pub jobs: Option<usize>,
    /// Each run writes a checkpoint this often (and always when cancelled).
    pub checkpoint_every: Option<Every>,
    /// Memory the runs at once may use together, bytes; `None`: the memory available when each
    /// starts.
    pub max_memory: Option<u64>,
}

/// What became of the runs of a batch.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Runs that ran to their end.
    pub ran: usize,
    /// Runs already finished in the folder, not run again.
    pub skipped: usize,
    /// Runs that failed: name and why.
    pub failed: Vec<(String, RunError)>,
    /// Runs stopped by the cancel token, with a checkpoint.
    pub cancelled: usize,
    /// Runs not started because of it.
    pub not_started: usize,
}

impl BatchOutcome {
    /// [`RunError::BatchCancelled`] when the cancel token stopped runs or kept any from starting.
    pub fn check_cancelled(&self) -> Result<(), RunError> {
        if self.cancelled + self.not_started == 0 {
            return Ok(());
        }
        Err(RunError::BatchCancelled {
            stopped: self.cancelled,
            not_started: self.not_started,
        })
    }
}

/// Runs the runs of `plan` (those of `options.shard`) into the batch folder `out`:
/// `out/batch.json` and a run folder per run under `out/runs/`; finished runs of the same
/// scenario are skipped. Fails only when nothing can start (the folder cannot be written, no
/// threads); a failing run is recorded in the outcome and the rest go on.
pub fn run_batch(
    plan: &Plan,
    out: &Path,
    options: &BatchOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<BatchOutcome, RunError> {
    if options.jobs == Some(0) {
        return Err(RunError::Invalid("--jobs must be at least 1".into()));
    }
    alsim_io::make_folder(out)?;
    // One batch per folder at a time (its runs' folders are locked one by one as they run).
    let _lock = alsim_io::FolderLock::acquire(out)?;
    let shard = options.shard;
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
            failed.push((run.name.clone(), RunError::OtherScenario { dir }));
        }
    }
    let slice = shard.map_or(String::new(), |s| {
        format!(", shard {}/{}", s.index, s.count)
    });
    if todo.is_empty() {
        progress.message(&format!(
            "batch of {} runs{slice}: none to run, {skipped} already finished, in {}",
            file.runs.len(),
            out.display()
        ));
    }
    let cores = cores();
    let jobs = options.jobs.unwrap_or(cores);
    if jobs > cores && !todo.is_empty() {
        progress.message(&format!(
            "batch: --jobs {jobs} is more than the {cores} cores here; running {cores} at once"
        ));
    }
    let workers = jobs.min(cores).min(todo.len()).max(1);
    let threads = (cores / workers).max(1);
    if !todo.is_empty() {
        progress.message(&format!(
            "batch of {} runs{slice}: {} to run, {skipped} already finished, {workers} at a time with {threads} thread(s) each, in {}",
            file.runs.len(),
            todo.len(),
            out.display()
        ));
    }
    let pools = (0..workers)
        .map(|_| pool(Some(threads)))
        .collect::<Result<Vec<_>, _>>()?;
    let batch = Batch {
        plan,
        out,
        options: RunOptions {
            checkpoint_every: options.checkpoint_every,
            max_memory: options.max_memory,
            ..RunOptions::default()
        },
        workers,
        progress,
        cancel,
    };
    progress.planned(todo.len());
    let next = AtomicUsize::new(0);
    let started = AtomicUsize::new(0);
    let results = Mutex::new((0usize, failed, 0usize));
    std::thread::scope(|scope| {
        for pool in &pools {
            scope.spawn(|| {
                while let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if cancel.is_cancelled() {
                        break;
                    }
                    started.fetch_add(1, Ordering::Relaxed);
                    let run = &file.runs[i];
                    let scenario = plan.scenario(i);
                    let ticks = scenario.time.ticks();
                    let result = reported(&run.name, ticks, progress, || {
                        catch_unwind(AssertUnwindSafe(|| batch.run_one(i, &scenario, pool)))
                            .unwrap_or(Err(RunError::Panicked))
                    });
                    let mut done = results.lock().expect("no worker panics holding the lock");
                    match result {
                        Ok(_) => done.0 += 1,
                        Err(err) if err.is_cancelled() => done.2 += 1,
                        Err(err) => done.1.push((run.name.clone(), err)),
                    }
                }
            });
        }
    });
    let (ran, failed, cancelled) = results
        .into_inner()
        .expect("no worker panics holding the lock");
    let not_started = todo.len() - started.load(Ordering::Relaxed);
    Ok(BatchOutcome {
        ran,
        skipped,
        failed,
        cancelled,
        not_started,
    })
}

/// What every run of a batch shares.
struct Batch<'a> {
    plan: &'a Plan,
    out: &'a Path,
    options: RunOptions,
    /// Runs at once, which share the memory limit.
    workers: usize,
    progress: &'a dyn Progress,
    cancel: &'a CancelToken,
}

impl Batch<'_> {
    /// Runs run `i` of the plan, of `scenario`, in `pool`; from its checkpoint when the folder
    /// holds one of this scenario.
    fn run_one(
        &self,
        i: usize,
        scenario: &Scenario,
        pool: &ThreadPool,
    ) -> Result<Summary, RunError> {
        let run = &self.plan.file.runs[i];
        let dir = BatchFile::run_dir(self.out, run);
        let in_run = |cause| RunError::InRun {
            name: run.name.clone(),
            cause: Box::new(cause),
        };
        check_memory(
            scenario,
            &run.scenario_file,
            self.options.max_memory,
            self.workers,
        )
        .map_err(in_run)?;
        let resume = if has_checkpoint(&dir) {
            match RunState::read(&dir) {
                Ok(state) if state.scenario == scenario.to_ron_string() => {
                    self.progress.message(&format!(
                        "batch: {} continues from its checkpoint (tick {})",
                        run.name,
                        state.tick()
                    ));
                    Some(state)
                }
                Ok(_) => {
                    self.progress.message(&format!(
                        "batch: {}: its checkpoint is of another scenario; running it from the start",
                        run.name
                    ));
                    None
                }
                Err(e) => {
                    self.progress.message(&format!(
                        "batch: {}: {}; running it from the start",
                        run.name,
                        e.chain()
                    ));
                    None
                }
            }
        } else {
            None
        };
        let folder = RunFolder::create(&dir, false).map_err(|e| in_run(e.into()))?;
        if resume.is_none() {
            folder.clear_resume_state()?;
        }
        let spec = RunSpec {
            scenario,
            scenario_file: &run.scenario_file,
            name: &run.name,
            replicate: Some(run.replicate),
            sweep: &run.sweep,
            overrides: &self.plan.file.overrides,
            person: run.person.as_ref(),
        };
        execute(
            &spec,
            &folder,
            pool,
            &self.options,
            resume,
            self.progress,
            self.cancel,
        )
    }
}

/// Whether the finished run in `dir` is of `scenario` (its resolved `scenario.ron` is the same).
fn holds(dir: &Path, scenario: &Scenario) -> bool {
    std::fs::read_to_string(dir.join(names::SCENARIO))
        .is_ok_and(|text| text == scenario.to_ron_string())
}
