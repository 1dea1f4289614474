//! One run into a run folder: limits, the step loop with its numerical guard, snapshots,
//! checkpoints, cancellation and resume. Every run, alone or in a batch, goes through
//! [`execute`].

use crate::checkpoint::RunState;
use crate::drive::{Session, simulate};
use crate::limits::check_memory;
use crate::{CancelToken, Progress, RunError, plots};
use alsim_core::Summary;
use alsim_io::{RunFolder, has_checkpoint, is_finished, names};
use alsim_scenario::{PersonRecord, Scenario};
use rayon::ThreadPool;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The alsim version, recorded in manifests, plans and checkpoints.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How often a run writes a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Every {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Simulated days.
    Days(f64),
}

/// When the next checkpoint is due.
pub(crate) struct Schedule {
    every: Option<Every>,
    last: Instant,
    every_ticks: u64,
    /// The tick the last check was at: a step of several ticks may pass a due tick.
    last_tick: Option<u64>,
}

impl Schedule {
    pub(crate) fn new(every: Option<Every>, dt_hours: f64) -> Self {
        let every_ticks = match every {
            Some(Every::Days(d)) => ((d * 24.0 / dt_hours).round() as u64).max(1),
            _ => u64::MAX,
        };
        Self {
            every,
            last: Instant::now(),
            every_ticks,
            last_tick: None,
        }
    }

    /// Whether a checkpoint is due after `tick` ticks.
    pub(crate) fn due(&mut self, tick: u64) -> bool {
        let due = match self.every {
            None => false,
            Some(Every::Days(_)) => {
                let before = self.last_tick.unwrap_or(tick.saturating_sub(1));
                tick / self.every_ticks > before / self.every_ticks
            }
            Some(Every::Seconds(s)) => self.last.elapsed() >= Duration::from_secs_f64(s),
        };
        self.last_tick = Some(tick);
        if due {
            self.last = Instant::now();
        }
        due
    }
}

/// How a run goes: threads, checkpoints, memory, plots, and whether it may replace a run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads; `None`: every core. Results are identical for any number.
    pub threads: Option<usize>,
    /// Write a checkpoint this often (and always when cancelled); on resume, `None` keeps the
    /// interval the run was started with.
    pub checkpoint_every: Option<Every>,
    /// Memory the run may use, bytes; `None`: the memory available when it starts. A run
    /// estimated above it is refused before anything is allocated.
    pub max_memory: Option<u64>,
    /// Also draw PNG plots of the main time series into `plots/`.
    pub plots: bool,
    /// Replace a finished or interrupted run already in the folder ([`run`] only).
    pub replace: bool,
}

#[derive(Serialize)]
struct Manifest<'a> {
    alsim_version: &'static str,
    scenario_file: &'a str,
    seed: u64,
    threads: usize,
    ticks: u64,
    wall_time_seconds: f64,
    /// Peak resident memory of the process when the run finished, bytes (of the whole batch
    /// process so far for a run in a batch); absent where the system does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_resident_bytes: Option<u64>,
    /// The estimate the run was admitted with (`alsim validate` prints it), bytes.
    estimated_memory_bytes: u64,
    /// Replicate index in a batch; absent for a run alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    replicate: Option<u64>,
    /// Swept parameters and their values; absent without a sweep.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    sweep: &'a BTreeMap<String, f64>,
    /// `--set path=value` overrides applied to the file, in order; absent without any.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    overrides: &'a [String],
    /// The person of a cohort this run is: index, sex, draws, exposures, death of other
    /// causes; absent for a run of a scenario without a cohort.
    #[serde(skip_serializing_if = "Option::is_none")]
    person: Option<&'a PersonRecord>,
    scenario: &'a Scenario,
}

/// No sweep: what a run alone records.
static NO_SWEEP: BTreeMap<String, f64> = BTreeMap::new();

/// One run to execute: the scenario (seed set), what its manifest records beside it, and the
/// name its progress goes by.
pub struct RunSpec<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) scenario_file: &'a str,
    pub(crate) name: &'a str,
    pub(crate) replicate: Option<u64>,
    pub(crate) sweep: &'a BTreeMap<String, f64>,
    pub(crate) overrides: &'a [String],
    pub(crate) person: Option<&'a PersonRecord>,
}

impl<'a> RunSpec<'a> {
    /// A run alone of `scenario`, read from `scenario_file` (recorded in the manifest as
    /// given); its progress goes by the scenario's name.
    pub fn new(scenario: &'a Scenario, scenario_file: &'a str) -> Self {
        Self {
            scenario,
            scenario_file,
            name: &scenario.name,
            replicate: None,
            sweep: &NO_SWEEP,
            overrides: &[],
            person: None,
        }
    }

    /// The same run, recording that it is `person` of a cohort.
    pub fn of_person(self, person: &'a PersonRecord) -> Self {
        Self {
            person: Some(person),
            ..self
        }
    }

    /// The same run, recording the `--set path=value` overrides its scenario was loaded with.
    pub fn with_overrides(self, overrides: &'a [String]) -> Self {
        Self { overrides, ..self }
    }
}

/// Runs `spec` into the run folder `dir`: time series and VTK snapshots, resolved scenario,
/// manifest, plots if asked, and `summary.json` last. A folder holding a finished run is
/// refused unless `options.replace`, and so is one holding an unfinished run with a
/// checkpoint (resume it instead). A run stopped by `cancel` or by the numerical guard keeps
/// its checkpoint, its time series so far as `timeseries.csv.partial` and `incomplete.json`.
pub fn run(
    spec: &RunSpec,
    dir: &Path,
    options: &RunOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Summary, RunError> {
    reported(spec.name, spec.scenario.time.ticks(), progress, || {
        check_memory(spec.scenario, spec.scenario_file, options.max_memory, 1)?;
        if has_checkpoint(dir) && !options.replace {
            return Err(RunError::HasCheckpoint {
                dir: dir.to_path_buf(),
            });
        }
        let pool = pool(options.threads)?;
        let folder = RunFolder::create(dir, options.replace)?;
        folder.clear_resume_state()?;
        execute(spec, &folder, &pool, options, None, progress, cancel)
    })
}

/// Continues the unfinished run in `dir` from its last checkpoint, with the scenario and seed
/// it was started with: its results are byte for byte those of a run never stopped.
pub fn resume(
    dir: &Path,
    options: &RunOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Summary, RunError> {
    if is_finished(dir) {
        return Err(RunError::AlreadyFinished {
            dir: dir.to_path_buf(),
        });
    }
    if !dir.join(names::CHECKPOINT).is_file() {
        return Err(RunError::NoCheckpoint {
            dir: dir.to_path_buf(),
        });
    }
    let state = RunState::read(dir)?;
    let scenario = state.scenario(dir)?;
    let (file, replicate, sweep, overrides) = (
        state.scenario_file.to_string(),
        state.replicate,
        state.sweep.clone().into_owned(),
        state.overrides.clone().into_owned(),
    );
    let person = state.person.clone().map(Cow::into_owned);
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &file,
        name: &scenario.name,
        replicate,
        sweep: &sweep,
        overrides: &overrides,
        person: person.as_ref(),
    };
    let options = RunOptions {
        checkpoint_every: options.checkpoint_every.or(state.checkpoint_every),
        ..options.clone()
    };
    reported(spec.name, scenario.time.ticks(), progress, || {
        let checkpoint = dir.join(names::CHECKPOINT).display().to_string();
        check_memory(&scenario, &checkpoint, options.max_memory, 1)?;
        let pool = pool(options.threads)?;
        let folder = RunFolder::create(dir, false)?;
        // A checkpoint copied in from another run would finish that run under this one's name.
        if let Ok(started_as) = std::fs::read_to_string(dir.join(names::SCENARIO))
            && started_as != state.scenario
        {
            return Err(RunError::ForeignCheckpoint {
                dir: dir.to_path_buf(),
            });
        }
        progress.message(&format!(
            "resuming {} at day {} (tick {})",
            dir.display(),
            scenario.time.dt_hours * state.tick() as f64 / 24.0,
            state.tick()
        ));
        execute(
            &spec,
            &folder,
            &pool,
            &options,
            Some(state),
            progress,
            cancel,
        )
    })
}

/// `body`'s result, with the run `name` of `total_ticks` reported started before and finished
/// after it.
pub(crate) fn reported(
    name: &str,
    total_ticks: u64,
    progress: &dyn Progress,
    body: impl FnOnce() -> Result<Summary, RunError>,
) -> Result<Summary, RunError> {
    progress.started(name, total_ticks);
    let started = Instant::now();
    let result = body();
    progress.finished(name, result.as_ref(), started.elapsed());
    result
}

/// The one run a scenario file asks for: the scenario, or one person of its cohort.
#[derive(Debug)]
pub struct SingleRun {
    /// What runs: the file's scenario, or the person's (draws written in).
    pub scenario: Scenario,
    /// The person's record for the manifest; `None` for a scenario without a cohort.
    pub person: Option<PersonRecord>,
}

impl SingleRun {
    /// What to run, recording the `overrides` the scenario of `file` was loaded with and,
    /// for a person, their record.
    pub fn spec<'a>(&'a self, file: &'a str, overrides: &'a [String]) -> RunSpec<'a> {
        let spec = RunSpec::new(&self.scenario, file).with_overrides(overrides);
        match &self.person {
            Some(record) => spec.of_person(record),
            None => spec,
        }
    }
}

/// The run `alsim run FILE [--seed S] [--person I]` (or Python's `alsim.run`) makes of the
/// scenario loaded from `file`: the seed set first, then person `person` drawn from it. A sweep
/// belongs to a batch, a cohort file needs a person and a person needs a cohort file; each
/// refusal says what to run instead.
pub fn single_run(
    mut scenario: Scenario,
    file: &str,
    seed: Option<u64>,
    person: Option<u64>,
) -> Result<SingleRun, RunError> {
    if !scenario.sweep.is_empty() {
        return Err(RunError::Invalid(format!(
            "{file} declares a sweep of {} parameter(s); run its grid as a batch (`alsim batch {file}`, or alsim.batch in Python), or remove the sweep to run the scenario once",
            scenario.sweep.len()
        )));
    }
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    match (&scenario.cohort, person) {
        (Some(cohort), None) => Err(RunError::Invalid(format!(
            "{file} describes a cohort of {} people; run them as a cohort (`alsim cohort {file}`, or alsim.cohort in Python), or one of them by its index (--person INDEX, or person=INDEX)",
            cohort.people
        ))),
        (None, Some(_)) => Err(RunError::Invalid(format!(
            "{file} has no cohort section; a person index picks one person of a cohort"
        ))),
        (Some(_), Some(index)) => {
            let person = scenario.person(index, file)?;
            Ok(SingleRun {
                scenario: person.scenario,
                person: Some(person.record),
            })
        }
        (None, None) => {
            scenario.validate(file)?;
            Ok(SingleRun {
                scenario,
                person: None,
            })
        }
    }
}

/// A rayon pool of `threads` worker threads (all cores when `None`), at most
/// [`MAX_THREADS_PER_CORE`] per core.
pub fn pool(threads: Option<usize>) -> Result<ThreadPool, RunError> {
    let threads = threads.unwrap_or_else(cores);
    if threads == 0 {
        return Err(RunError::Invalid("threads must be at least 1".into()));
    }
    // Results do not depend on the thread count, so more threads than cores only cost memory
    // and scheduling; a typo such as 2000 would start 2000 threads.
    let most = MAX_THREADS_PER_CORE * cores();
    if threads > most {
        return Err(RunError::Invalid(format!(
            "{threads} threads (--threads, or threads= in Python) is more than {MAX_THREADS_PER_CORE} per core of the {} cores here (at most {most}); results are the same for any thread count",
            cores()
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(RunError::Threads)
}

/// Most worker threads per core a run may ask for.
const MAX_THREADS_PER_CORE: usize = 4;

/// Cores this process may use.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `spec` in `pool` and writes its folder: time series and snapshots, resolved scenario,
/// manifest, plots if asked, and the summary last; from `resume`'s state when given.
pub(crate) fn execute(
    spec: &RunSpec,
    folder: &RunFolder,
    pool: &ThreadPool,
    options: &RunOptions,
    resume: Option<RunState<'static>>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Summary, RunError> {
    let scenario = spec.scenario;
    let started = Instant::now();
    let before = resume.as_ref().map_or(0.0, |r| r.wall_time_seconds);
    let every = options.checkpoint_every;
    // Written first, so a resume can tell whether a checkpoint belongs to this folder.
    folder.write_text(names::SCENARIO, &scenario.to_ron_string())?;
    let (summary, body) = pool.install(|| {
        let session = Session {
            every,
            memory: MemoryGuard::new(crate::limits::memory_limit(options.max_memory)),
            started,
            progress,
            cancel,
        };
        simulate(spec, folder, resume, session)
    })?;
    let manifest = Manifest {
        alsim_version: VERSION,
        scenario_file: spec.scenario_file,
        seed: scenario.seed,
        threads: pool.current_num_threads(),
        ticks: summary.ticks,
        wall_time_seconds: before + started.elapsed().as_secs_f64(),
        peak_resident_bytes: crate::limits::peak_resident_bytes(),
        estimated_memory_bytes: scenario.footprint().memory_bytes,
        replicate: spec.replicate,
        sweep: spec.sweep,
        overrides: spec.overrides,
        person: spec.person,
        scenario,
    };
    folder.write_json(names::MANIFEST, &manifest)?;
    if options.plots {
        plots::write_plots(folder.path(), &scenario.name)?;
    }
    // Last: its presence marks a finished run.
    match &body {
        Some(body) => folder.write_json(names::SUMMARY, body)?,
        None => folder.write_json(names::SUMMARY, &summary)?,
    }
    folder.clear_resume_state()?;
    Ok(summary)
}

/// Watches the process's resident memory against its limit, a few times a second (reading it
/// costs tens of microseconds, a tick can take less).
pub(crate) struct MemoryGuard {
    limit: Option<u64>,
    next: Instant,
}

impl MemoryGuard {
    const INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

    fn new(limit: Option<u64>) -> Self {
        Self {
            limit,
            next: Instant::now(),
        }
    }

    /// The resident bytes when they exceed the limit, at most once per interval.
    pub(crate) fn exceeded(&mut self) -> Option<(u64, u64)> {
        let limit = self.limit?;
        let now = Instant::now();
        if now < self.next {
            return None;
        }
        self.next = now + Self::INTERVAL;
        let held = crate::limits::resident_bytes()?;
        (held > limit).then_some((held, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_intervals_fall_on_whole_ticks() {
        // 0.5 days of 2-hour ticks: every 6 ticks; shorter than a tick: every tick.
        let mut half_day = Schedule::new(Some(Every::Days(0.5)), 2.0);
        let due: Vec<u64> = (1..=18).filter(|&t| half_day.due(t)).collect();
        assert_eq!(due, [6, 12, 18]);
        let mut tiny = Schedule::new(Some(Every::Days(0.001)), 1.0);
        assert!((1..=5).all(|t| tiny.due(t)));
        // Steps of several ticks: due on the first step that reaches or passes a due tick.
        let mut stretched = Schedule::new(Some(Every::Days(0.5)), 2.0);
        let due: Vec<u64> = [4, 8, 12, 17, 18, 30, 31]
            .into_iter()
            .filter(|&t| stretched.due(t))
            .collect();
        assert_eq!(due, [8, 12, 18, 30]);
        let mut never = Schedule::new(None, 1.0);
        assert!(!(1..=100).any(|t| never.due(t)));
    }
}
