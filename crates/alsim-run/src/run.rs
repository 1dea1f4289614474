//! One run into a run folder: limits, the step loop with its numerical guard, snapshots,
//! checkpoints, cancellation and resume. Every run, alone or in a batch, goes through
//! [`execute`].

use crate::checkpoint::{ModelState, RunState};
use crate::limits::check_memory;
use crate::{CancelToken, Progress, RunError, Step, plots, snapshot};
use alsim_core::{Body, BodySummary, Observation, RestoreError, Simulation, Summary};
use alsim_io::{RunFolder, TimeSeriesWriter, has_checkpoint, is_finished, names};
use alsim_scenario::Scenario;
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
struct Schedule {
    every: Option<Every>,
    last: Instant,
    every_ticks: u64,
    /// The tick the last check was at: a step of several ticks may pass a due tick.
    last_tick: Option<u64>,
}

impl Schedule {
    fn new(every: Option<Every>, dt_hours: f64) -> Self {
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
    fn due(&mut self, tick: u64) -> bool {
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
        }
    }

    /// The same run, recording the `--set path=value` overrides its scenario was loaded with.
    pub fn with_overrides(self, overrides: &'a [String]) -> Self {
        Self { overrides, ..self }
    }
}

/// Why a run stopped early, in `incomplete.json` beside its partial time series.
#[derive(Serialize)]
struct Incomplete<'a> {
    reason: &'a str,
    tick: u64,
    simulated_days: f64,
    /// Whether `checkpoint.bin` holds a state to resume from.
    checkpoint: bool,
    resume: String,
    partial_timeseries: String,
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
        let pool = pool(options.threads.unwrap_or_else(cores))?;
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
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &file,
        name: &scenario.name,
        replicate,
        sweep: &sweep,
        overrides: &overrides,
    };
    let options = RunOptions {
        checkpoint_every: options.checkpoint_every.or(state.checkpoint_every),
        ..options.clone()
    };
    reported(spec.name, scenario.time.ticks(), progress, || {
        let checkpoint = dir.join(names::CHECKPOINT).display().to_string();
        check_memory(&scenario, &checkpoint, options.max_memory, 1)?;
        let pool = pool(options.threads.unwrap_or_else(cores))?;
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

/// A rayon pool of `threads` worker threads.
pub(crate) fn pool(threads: usize) -> Result<ThreadPool, RunError> {
    // Results do not depend on the thread count, so more threads than cores only cost memory
    // and scheduling; a typo such as 2000 would start 2000 threads.
    let most = MAX_THREADS_PER_CORE * cores();
    if threads > most {
        return Err(RunError::Invalid(format!(
            "--threads {threads} is more than {MAX_THREADS_PER_CORE} per core of the {} cores here (at most {most}); results are the same for any thread count",
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
        let memory = MemoryGuard::new(crate::limits::memory_limit(options.max_memory));
        simulate(
            spec, folder, every, memory, resume, started, progress, cancel,
        )
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
struct MemoryGuard {
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
    fn exceeded(&mut self) -> Option<(u64, u64)> {
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

/// A run's milestones, and a body's summary for a neuraxis run (what `summary.json` holds).
type Finished = (Summary, Option<BodySummary>);

#[allow(clippy::too_many_arguments)]
fn simulate(
    spec: &RunSpec,
    folder: &RunFolder,
    every: Option<Every>,
    mut memory: MemoryGuard,
    resume: Option<RunState<'static>>,
    started: Instant,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Finished, RunError> {
    let scenario = spec.scenario;
    if scenario.neuraxis.is_some() {
        let session = Session {
            every,
            memory,
            started,
            progress,
            cancel,
        };
        return simulate_body(spec, folder, resume, session);
    }
    let columns = Observation::columns();
    let (mut sim, mut rows, before) = match resume {
        Some(state) => {
            folder.clear_incomplete()?;
            let rows = state.rows.into_owned();
            let ModelState::Block(saved) = state.model else {
                return Err(RestoreError::Mismatch("it holds a body of regions".into()).into());
            };
            let sim = Simulation::restore(scenario, saved)?;
            (sim, rows, state.wall_time_seconds)
        }
        None => {
            let mut sim = Simulation::new(scenario)?;
            let first = finite(&columns, sim.observe().values())?;
            (sim, vec![first], 0.0)
        }
    };
    let mut series = folder.timeseries(&columns)?;
    for row in &rows {
        series.write_row(row)?;
    }
    let mut schedule = Schedule::new(every, scenario.time.dt_hours);
    let checkpoint = |sim: &mut Simulation, rows: &[Vec<f64>]| {
        let state = RunState {
            scenario: Cow::Owned(scenario.to_ron_string()),
            scenario_file: Cow::Borrowed(spec.scenario_file),
            replicate: spec.replicate,
            sweep: Cow::Borrowed(spec.sweep),
            overrides: Cow::Borrowed(spec.overrides),
            checkpoint_every: every,
            wall_time_seconds: before + started.elapsed().as_secs_f64(),
            rows: Cow::Borrowed(rows),
            model: ModelState::Block(sim.save_state()),
        };
        folder.write_checkpoint(VERSION, &state)
    };
    let snapshot_every = scenario.time.snapshot_every_ticks();
    let mut snapshots = match snapshot_every {
        None => None,
        // Snapshots come before checkpoints in a tick, so those up to the checkpoint exist.
        Some(every) if sim.tick() > 0 => Some(folder.resume_snapshots(
            usize::try_from(sim.tick() / every + 1).expect("snapshot count fits in memory"),
        )?),
        Some(_) => {
            let mut writer = folder.snapshots()?;
            snapshot::write(&mut sim, &mut writer, [0.0; 3])?;
            Some(writer)
        }
    };
    while !sim.is_finished() {
        sim.step();
        progress.advanced(
            spec.name,
            Step {
                tick: sim.tick(),
                total_ticks: sim.total_ticks(),
                day: sim.time_days(),
                motor_neurons_alive: sim.summary().motor_neurons_final_alive,
            },
        );
        let row = if sim.is_output_tick() {
            Some(sim.observe().values())
        } else {
            None
        };
        let guard = sim
            .check_state()
            .map_err(RunError::from)
            .and_then(|()| row.map(|r| finite(&columns, r)).transpose());
        match guard {
            Ok(Some(row)) => {
                series.write_row(&row)?;
                rows.push(row);
            }
            Ok(None) => {}
            Err(err) => {
                // The state is not worth saving: the last checkpoint stays as it was.
                stop(
                    folder,
                    series,
                    (sim.tick(), sim.time_days()),
                    &err.to_string(),
                )?;
                return Err(RunError::Stopped {
                    partial: folder.path().join("timeseries.csv.partial"),
                    cause: Box::new(err),
                });
            }
        }
        if let (Some(writer), Some(every)) = (&mut snapshots, snapshot_every)
            && (sim.tick().is_multiple_of(every) || sim.is_finished())
        {
            snapshot::write(&mut sim, writer, [0.0; 3])?;
        }
        if let Some((held, limit)) = memory.exceeded() {
            // The state is sound, only too big to go on with here: keep it to resume.
            checkpoint(&mut sim, &rows)?;
            let microglia = microglia_of(&sim.observe());
            let fp = scenario.footprint();
            let err = RunError::OutOfMemory {
                day: sim.time_days(),
                held: crate::limits::size_text(held),
                limit: crate::limits::size_text(limit),
                microglia,
                microglia_start: fp.cells[1],
                microglia_max: fp.max_microglia,
            };
            stop(
                folder,
                series,
                (sim.tick(), sim.time_days()),
                &err.to_string(),
            )?;
            return Err(RunError::Stopped {
                partial: folder.path().join("timeseries.csv.partial"),
                cause: Box::new(err),
            });
        }
        let cancelled = cancel.is_cancelled();
        if cancelled || schedule.due(sim.tick()) {
            checkpoint(&mut sim, &rows)?;
        }
        if cancelled && !sim.is_finished() {
            stop(
                folder,
                series,
                (sim.tick(), sim.time_days()),
                "interrupted (Ctrl-C or SIGTERM)",
            )?;
            return Err(RunError::Cancelled {
                day: sim.time_days(),
                tick: sim.tick(),
                total_ticks: sim.total_ticks(),
                dir: folder.path().to_path_buf(),
            });
        }
    }
    series.finish()?;
    Ok((sim.summary().clone(), None))
}

/// What a run's loop is given besides the run: when to checkpoint, the memory watch, when it
/// started, whom to tell, and how it is stopped.
struct Session<'a> {
    every: Option<Every>,
    memory: MemoryGuard,
    started: Instant,
    progress: &'a dyn Progress,
    cancel: &'a CancelToken,
}

/// [`simulate`] for a neuraxis scenario: every region stepped together ([`Body`]); the whole
/// body's rows into `timeseries.csv`, each region's into the long table `regions.csv` (region,
/// side, neurons, serves, then the time-series columns), the body's summary into
/// `summary.json`; checkpoints hold the body's state and both tables' rows.
fn simulate_body(
    spec: &RunSpec,
    folder: &RunFolder,
    resume: Option<RunState<'static>>,
    mut session: Session,
) -> Result<Finished, RunError> {
    let scenario = spec.scenario;
    let columns = Observation::columns();
    let body_columns = Body::columns();
    let (mut body, mut rows, mut region_rows, before) = match resume {
        Some(state) => {
            folder.clear_incomplete()?;
            let ModelState::Body { body, region_rows } = state.model else {
                return Err(RestoreError::Mismatch("it holds one block, not a body".into()).into());
            };
            let restored = Body::restore(scenario, body)?;
            (
                restored,
                state.rows.into_owned(),
                region_rows.into_owned(),
                state.wall_time_seconds,
            )
        }
        None => (Body::new(scenario)?, Vec::new(), Vec::new(), 0.0),
    };
    let labels: Vec<[String; 4]> = body
        .regions()
        .iter()
        .map(|r| {
            let s = &r.spec;
            let text = |v: &dyn std::fmt::Debug| format!("{v:?}");
            [
                s.name.clone(),
                text(&s.side),
                text(&s.neurons),
                text(&s.serves),
            ]
        })
        .collect();
    let region_columns: Vec<String> = ["region", "side", "neurons", "serves"]
        .map(String::from)
        .into_iter()
        .chain(columns.iter().cloned())
        .collect();
    let mut series = folder.timeseries(&body_columns)?;
    let mut regions = folder.table(names::REGIONS, &region_columns)?;
    let labelled = |i: usize| labels[i % labels.len()].each_ref().map(String::as_str);
    for row in &rows {
        series.write_row(row)?;
    }
    for (i, row) in region_rows.iter().enumerate() {
        regions.write_labelled_row(&labelled(i), row)?;
    }
    // The rows of the tick just run, written and kept for the checkpoint.
    let output = |body: &mut Body,
                  series: &mut TimeSeriesWriter,
                  regions: &mut TimeSeriesWriter,
                  rows: &mut Vec<Vec<f64>>,
                  region_rows: &mut Vec<Vec<f64>>|
     -> Result<(), RunError> {
        let observed = body.observe();
        let row = finite(&body_columns, body.whole_body(&observed))?;
        series.write_row(&row)?;
        rows.push(row);
        for o in &observed {
            let row = finite(&columns, o.values())?;
            regions.write_labelled_row(&labelled(region_rows.len()), &row)?;
            region_rows.push(row);
        }
        Ok(())
    };
    if rows.is_empty() {
        output(
            &mut body,
            &mut series,
            &mut regions,
            &mut rows,
            &mut region_rows,
        )?;
    }
    let mut snapshots = BodySnapshots::start(folder, scenario, &mut body)?;
    let mut schedule = Schedule::new(session.every, scenario.time.dt_hours);
    let checkpoint = |body: &mut Body, rows: &[Vec<f64>], region_rows: &[Vec<f64>]| {
        let state = RunState {
            scenario: Cow::Owned(scenario.to_ron_string()),
            scenario_file: Cow::Borrowed(spec.scenario_file),
            replicate: spec.replicate,
            sweep: Cow::Borrowed(spec.sweep),
            overrides: Cow::Borrowed(spec.overrides),
            checkpoint_every: session.every,
            wall_time_seconds: before + session.started.elapsed().as_secs_f64(),
            rows: Cow::Borrowed(rows),
            model: ModelState::Body {
                body: body.save_state(),
                region_rows: Cow::Borrowed(region_rows),
            },
        };
        folder.write_checkpoint(VERSION, &state)
    };
    let stop_both = |series: TimeSeriesWriter, regions: TimeSeriesWriter, at, reason: &str| {
        regions.keep_partial()?;
        stop(folder, series, at, reason)
    };
    while !body.is_finished() {
        body.step();
        session.progress.advanced(
            spec.name,
            Step {
                tick: body.tick(),
                total_ticks: body.total_ticks(),
                day: body.time_days(),
                motor_neurons_alive: body.summary().motor_neurons_final_alive,
            },
        );
        let checked = body.check_state().map_err(RunError::from).and_then(|()| {
            if body.is_output_tick() {
                output(
                    &mut body,
                    &mut series,
                    &mut regions,
                    &mut rows,
                    &mut region_rows,
                )
            } else {
                Ok(())
            }
        });
        let at = (body.tick(), body.time_days());
        if let Err(err) = checked {
            // The state is not worth saving: the last checkpoint stays as it was.
            stop_both(series, regions, at, &err.to_string())?;
            return Err(RunError::Stopped {
                partial: folder.path().join("timeseries.csv.partial"),
                cause: Box::new(err),
            });
        }
        if let Some(snapshots) = &mut snapshots {
            snapshots.after_step(folder, &mut body)?;
        }
        if let Some((held, limit)) = session.memory.exceeded() {
            // The state is sound, only too big to go on with here: keep it to resume.
            checkpoint(&mut body, &rows, &region_rows)?;
            let fp = scenario.footprint();
            let microglia = body.observe().iter().map(microglia_of).sum();
            let err = RunError::OutOfMemory {
                day: body.time_days(),
                held: crate::limits::size_text(held),
                limit: crate::limits::size_text(limit),
                microglia,
                microglia_start: fp.cells[1],
                microglia_max: fp.max_microglia,
            };
            stop_both(series, regions, at, &err.to_string())?;
            return Err(RunError::Stopped {
                partial: folder.path().join("timeseries.csv.partial"),
                cause: Box::new(err),
            });
        }
        let cancelled = session.cancel.is_cancelled();
        if cancelled || schedule.due(body.tick()) {
            checkpoint(&mut body, &rows, &region_rows)?;
        }
        if cancelled && !body.is_finished() {
            stop_both(series, regions, at, "interrupted (Ctrl-C or SIGTERM)")?;
            return Err(RunError::Cancelled {
                day: body.time_days(),
                tick: body.tick(),
                total_ticks: body.total_ticks(),
                dir: folder.path().to_path_buf(),
            });
        }
    }
    series.finish()?;
    regions.finish()?;
    Ok((body.summary().clone(), Some(body.body_summary())))
}

/// The VTK snapshots of a body: a folder per region, every region placed at its origin in the
/// body, and `vtk/body.pvd` listing them all.
struct BodySnapshots {
    every: u64,
    names: Vec<String>,
    origins: Vec<[f64; 3]>,
    writers: Vec<alsim_io::SnapshotWriter>,
    times: Vec<f64>,
}

impl BodySnapshots {
    /// `None` without `time.snapshot_every_days`; otherwise the writers, fresh with the first
    /// snapshot taken, or continuing those up to a resumed body's checkpoint.
    fn start(
        folder: &RunFolder,
        scenario: &alsim_scenario::Scenario,
        body: &mut Body,
    ) -> Result<Option<Self>, RunError> {
        let Some(every) = scenario.time.snapshot_every_ticks() else {
            return Ok(None);
        };
        let axis = scenario.neuraxis.as_ref().expect("a neuraxis scenario");
        let names: Vec<String> = axis.regions.iter().map(|r| r.name.clone()).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let origins = (0..names.len())
            .map(|i| axis.origin_um(i, &scenario.tissue))
            .collect();
        let snapshots = if body.tick() > 0 {
            // Snapshots come before checkpoints in a tick, so those up to the checkpoint exist.
            let kept = usize::try_from(body.tick() / every + 1).expect("snapshot count fits");
            let writers = folder.resume_body_snapshots(&refs, kept)?;
            let listed = alsim_io::vtk::read_collection(
                &folder
                    .path()
                    .join(names::VTK)
                    .join(&names[0])
                    .join(names::FIELDS_PVD),
            )?;
            let times = listed.iter().take(kept).map(|(t, _)| *t).collect();
            Self {
                every,
                names,
                origins,
                writers,
                times,
            }
        } else {
            let writers = folder.body_snapshots(&refs)?;
            let mut fresh = Self {
                every,
                names,
                origins,
                writers,
                times: Vec::new(),
            };
            fresh.take(folder, body)?;
            fresh
        };
        Ok(Some(snapshots))
    }

    /// Takes a snapshot when one is due after the tick just run.
    fn after_step(&mut self, folder: &RunFolder, body: &mut Body) -> Result<(), RunError> {
        if body.tick().is_multiple_of(self.every) || body.is_finished() {
            self.take(folder, body)?;
        }
        Ok(())
    }

    fn take(&mut self, folder: &RunFolder, body: &mut Body) -> Result<(), RunError> {
        for ((region, writer), origin) in body
            .regions_mut()
            .iter_mut()
            .zip(&mut self.writers)
            .zip(&self.origins)
        {
            snapshot::write(&mut region.sim, writer, *origin)?;
        }
        self.times.push(body.time_days());
        let refs: Vec<&str> = self.names.iter().map(String::as_str).collect();
        folder.write_body_collection(&refs, &self.times)?;
        Ok(())
    }
}

/// Microglia of every phenotype in an observation.
fn microglia_of(o: &Observation) -> u64 {
    ["surveying", "proinflammatory", "antiinflammatory"]
        .iter()
        .map(|p| o[format!("microglia_{p}").as_str()] as u64)
        .sum()
}

/// Keeps the time series so far as `timeseries.csv.partial` and says in `incomplete.json` why
/// the run stopped and how to continue it.
fn stop(
    folder: &RunFolder,
    series: TimeSeriesWriter,
    (tick, day): (u64, f64),
    reason: &str,
) -> Result<(), RunError> {
    let partial = series.keep_partial()?;
    let checkpoint = folder.checkpoint_path().is_file();
    let dir = folder.path().display();
    folder.write_json(
        names::INCOMPLETE,
        &Incomplete {
            reason,
            tick,
            simulated_days: day,
            checkpoint,
            resume: if checkpoint {
                format!("alsim run --resume {dir}")
            } else {
                format!("no checkpoint: run the scenario again with --out {dir} --force")
            },
            partial_timeseries: partial.display().to_string(),
        },
    )?;
    Ok(())
}

/// `row` if every value is finite; otherwise the run has blown up numerically, and the error
/// names the column and the day so the run stops before writing nonsense.
fn finite(columns: &[String], row: Vec<f64>) -> Result<Vec<f64>, RunError> {
    if let Some(i) = row.iter().position(|v| !v.is_finite()) {
        return Err(RunError::BlowUp {
            column: columns[i].clone(),
            value: row[i],
            day: row[0],
        });
    }
    Ok(row)
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

    #[test]
    fn a_non_finite_value_stops_the_run_naming_column_and_day() {
        let columns = ["time_days".to_string(), "tnf_total".to_string()];
        assert_eq!(finite(&columns, vec![3.0, 1.5]).unwrap(), [3.0, 1.5]);
        let err = finite(&columns, vec![3.0, f64::NAN])
            .unwrap_err()
            .to_string();
        assert!(err.contains("tnf_total is NaN at day 3"), "{err}");
    }
}
