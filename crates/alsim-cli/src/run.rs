//! `alsim run` and `alsim validate`, and `execute`, which every run (alone or in a batch) goes
//! through: limits, the step loop with its numerical guard, checkpoints, interrupts, resume.

use crate::interrupt::{self, Interrupted};
use crate::limits;
use crate::plots;
use crate::progress::Progress;
use crate::snapshot;
use alsim_core::{Observation, SavedState, Simulation};
use alsim_io::{RunFolder, checkpoint, has_checkpoint, is_finished, names};
use alsim_scenario::Scenario;
use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::ThreadPool;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The alsim version, recorded in manifests and checkpoints.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Arguments of `alsim run`.
#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Scenario file (RON); not with --resume, which reads the scenario from the checkpoint.
    #[arg(required_unless_present = "resume")]
    scenario: Option<PathBuf>,
    /// Run folder to write. Default: runs/<scenario name>-seed<seed>, numbered -2, -3, ... when
    /// that already holds a finished or interrupted run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the random streams, replacing the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads. Default: all cores. Results are identical for any value.
    #[arg(long)]
    threads: Option<usize>,
    /// Replace a finished or interrupted run already in the output folder (without --out: the
    /// unnumbered one).
    #[arg(long)]
    force: bool,
    /// Also draw PNG plots of the main time series (motor neurons, glial activation, field
    /// totals) into plots/ in the run folder.
    #[arg(long)]
    plots: bool,
    /// Continue the unfinished run in DIR from its last checkpoint, with the scenario and seed
    /// it was started with; the result is byte for byte that of an uninterrupted run.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "out", "seed", "force"])]
    resume: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) safety: Safety,
}

/// Checkpoint and memory options of `run` and `batch`.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct Safety {
    /// Write a checkpoint this often, in wall-clock time (90s, 30min, 2h) or simulated time
    /// (10days); `alsim run --resume DIR` continues from the last one. Ctrl-C always writes one.
    #[arg(long, value_name = "DURATION", value_parser = Every::parse)]
    pub(crate) checkpoint_every: Option<Every>,
    /// Memory a run may use (16GiB, 500MB, ...), shared by the runs of a batch that run at once.
    /// Default: the memory available when the run starts. Runs estimated above it are refused.
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    pub(crate) max_memory: Option<u64>,
}

/// How often to write a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum Every {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Simulated days.
    Days(f64),
}

impl Every {
    fn parse(text: &str) -> Result<Self, String> {
        let (number, unit) = limits::number_and_unit(text);
        let value: f64 = number.parse().map_err(|_| {
            format!("'{text}' is not a duration: use e.g. 90s, 30min, 2h or 10days")
        })?;
        if !(value.is_finite() && value > 0.0 && value <= 1e9) {
            return Err(format!(
                "'{text}': the duration must be > 0 and at most 1e9"
            ));
        }
        match unit {
            "s" => Ok(Every::Seconds(value)),
            "min" => Ok(Every::Seconds(value * 60.0)),
            "h" => Ok(Every::Seconds(value * 3600.0)),
            "days" => Ok(Every::Days(value)),
            _ => Err(format!(
                "'{text}': unknown unit '{unit}': use s, min or h (wall-clock time) or days (simulated time)"
            )),
        }
    }
}

/// When the next checkpoint is due.
struct Schedule {
    every: Option<Every>,
    last: Instant,
    every_ticks: u64,
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
        }
    }

    /// Whether a checkpoint is due after `tick` ticks.
    fn due(&mut self, tick: u64) -> bool {
        let due = match self.every {
            None => false,
            Some(Every::Days(_)) => tick.is_multiple_of(self.every_ticks),
            Some(Every::Seconds(s)) => self.last.elapsed() >= Duration::from_secs_f64(s),
        };
        if due {
            self.last = Instant::now();
        }
        due
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    alsim_version: &'static str,
    scenario_file: &'a str,
    seed: u64,
    threads: usize,
    ticks: u64,
    wall_time_seconds: f64,
    /// Replicate index in a batch; absent for `alsim run`.
    #[serde(skip_serializing_if = "Option::is_none")]
    replicate: Option<u64>,
    /// Swept parameters and their values; absent without a sweep.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    sweep: &'a BTreeMap<String, f64>,
    scenario: &'a Scenario,
}

/// One run to execute: the scenario (seed set) and what its manifest records beside it.
pub(crate) struct RunSpec<'a> {
    pub(crate) scenario: &'a Scenario,
    /// The scenario file, as given.
    pub(crate) scenario_file: &'a str,
    pub(crate) replicate: Option<u64>,
    pub(crate) sweep: &'a BTreeMap<String, f64>,
    /// Draw the time-series plots (`alsim run --plots`).
    pub(crate) plots: bool,
}

/// What a checkpoint holds: the run (its resolved scenario and what its manifest records), the
/// time series so far, and the simulation's state.
#[derive(Serialize, Deserialize)]
pub(crate) struct RunState<'a> {
    /// The resolved scenario, as `scenario.ron` would hold it.
    pub(crate) scenario: Cow<'a, str>,
    scenario_file: Cow<'a, str>,
    replicate: Option<u64>,
    sweep: Cow<'a, BTreeMap<String, f64>>,
    checkpoint_every: Option<Every>,
    /// Wall time spent before this checkpoint, over all sessions.
    wall_time_seconds: f64,
    rows: Cow<'a, [Vec<f64>]>,
    simulation: SavedState<'a>,
}

impl RunState<'static> {
    /// Reads the checkpoint of the unfinished run in `dir`.
    pub(crate) fn read(dir: &Path) -> Result<Self> {
        Ok(checkpoint::read(&dir.join(names::CHECKPOINT), VERSION)?)
    }

    /// Ticks completed at the checkpoint.
    pub(crate) fn tick(&self) -> u64 {
        self.simulation.tick
    }

    /// The scenario it continues, parsed and validated.
    fn scenario(&self, dir: &Path) -> Result<Scenario> {
        let origin = format!("{} (its scenario)", dir.join(names::CHECKPOINT).display());
        let scenario = Scenario::from_ron_str(&self.scenario, &origin)?;
        scenario.validate(&origin)?;
        Ok(scenario)
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

/// Runs `spec` in `pool` (of `threads` threads) and writes its folder: time series and
/// snapshots, resolved scenario, manifest, plots if asked, and the summary last; from
/// `resume`'s state when given. A run stopped
/// by an interrupt or a numerical guard keeps its checkpoint and partial time series.
pub(crate) fn execute(
    spec: &RunSpec,
    folder: &RunFolder,
    pool: &ThreadPool,
    progress: Progress,
    every: Option<Every>,
    resume: Option<RunState<'static>>,
) -> Result<alsim_core::Summary> {
    let scenario = spec.scenario;
    let started = Instant::now();
    let before = resume.as_ref().map_or(0.0, |r| r.wall_time_seconds);
    let summary = pool.install(|| simulate(spec, folder, progress, every, resume, started))?;
    let manifest = Manifest {
        alsim_version: VERSION,
        scenario_file: spec.scenario_file,
        seed: scenario.seed,
        threads: pool.current_num_threads(),
        ticks: summary.ticks,
        wall_time_seconds: before + started.elapsed().as_secs_f64(),
        replicate: spec.replicate,
        sweep: spec.sweep,
        scenario,
    };
    folder.write_text(names::SCENARIO, &scenario.to_ron_string())?;
    folder.write_json(names::MANIFEST, &manifest)?;
    if spec.plots {
        plots::write_plots(folder.path(), &scenario.name)?;
    }
    // Last: its presence marks a finished run.
    folder.write_json(names::SUMMARY, &summary)?;
    folder.clear_resume_state()?;
    Ok(summary)
}

/// A rayon pool of `threads` worker threads.
pub(crate) fn pool(threads: usize) -> Result<ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")
}

/// Cores this process may use.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(crate) fn run(args: &RunArgs) -> Result<()> {
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => n,
        None => cores(),
    };
    if let Some(dir) = &args.resume {
        return resume(dir, args, threads);
    }
    let path = args
        .scenario
        .as_ref()
        .expect("clap requires a scenario without --resume");
    let mut scenario = alsim_scenario::load(path)?;
    if !scenario.sweep.is_empty() {
        bail!(
            "{} declares a sweep of {} parameter(s); run its grid with `alsim batch {}`, or remove the sweep to run the scenario once",
            path.display(),
            scenario.sweep.len(),
            path.display()
        );
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    limits::check_memory(
        &scenario,
        &path.display().to_string(),
        args.safety.max_memory,
        1,
    )?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => default_out(&scenario, args.force),
    };
    if has_checkpoint(&out) && !args.force {
        bail!(
            "{} holds an unfinished run with a checkpoint; continue it with `alsim run --resume {}`, or pass --force to start again",
            out.display(),
            out.display()
        );
    }
    let folder = RunFolder::create(&out, args.force)?;
    folder.clear_resume_state()?;
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &path.display().to_string(),
        replicate: None,
        sweep: &BTreeMap::new(),
        plots: args.plots,
    };
    execute_alone(&spec, &folder, threads, args.safety.checkpoint_every, None)
}

/// `execute` for `alsim run`: its own pool and progress bar, and a line saying where the
/// results are.
fn execute_alone(
    spec: &RunSpec,
    folder: &RunFolder,
    threads: usize,
    every: Option<Every>,
    resume: Option<RunState<'static>>,
) -> Result<()> {
    let progress = Progress::new(spec.scenario.time.ticks(), &spec.scenario.name);
    let summary = execute(spec, folder, &pool(threads)?, progress, every, resume)?;
    eprintln!(
        "alsim: {} motor neurons of {} alive after {} days; results in {}",
        summary.motor_neurons_final_alive,
        summary.motor_neurons_initial,
        summary.simulated_days,
        folder.path().display()
    );
    Ok(())
}

/// `alsim run --resume DIR`.
fn resume(dir: &Path, args: &RunArgs, threads: usize) -> Result<()> {
    if is_finished(dir) {
        bail!(
            "{} holds a finished run (summary.json); there is nothing to resume",
            dir.display()
        );
    }
    if !dir.join(names::CHECKPOINT).is_file() {
        bail!(
            "{} has no checkpoint ({}) to resume from; runs write one with --checkpoint-every and when interrupted (Ctrl-C); start it again with `alsim run SCENARIO --out {} --force`",
            dir.display(),
            names::CHECKPOINT,
            dir.display()
        );
    }
    let state = RunState::read(dir)?;
    let scenario = state.scenario(dir)?;
    limits::check_memory(
        &scenario,
        &dir.join(names::CHECKPOINT).display().to_string(),
        args.safety.max_memory,
        1,
    )?;
    let folder = RunFolder::create(dir, false)?;
    let (file, replicate, sweep) = (
        state.scenario_file.to_string(),
        state.replicate,
        state.sweep.clone().into_owned(),
    );
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &file,
        replicate,
        sweep: &sweep,
        plots: args.plots,
    };
    let every = args.safety.checkpoint_every.or(state.checkpoint_every);
    eprintln!(
        "alsim: resuming {} at day {} (tick {})",
        dir.display(),
        scenario.time.dt_hours * state.simulation.tick as f64 / 24.0,
        state.simulation.tick
    );
    execute_alone(&spec, &folder, threads, every, Some(state))
}

/// `runs/<name>-seed<seed>`, or the first `-2`, `-3`, ... after it that holds no finished or
/// interrupted run, so running the same command twice keeps both results. `--force` reuses the
/// first.
fn default_out(scenario: &Scenario, force: bool) -> PathBuf {
    let base = format!("{}-seed{}", scenario.name, scenario.seed);
    let runs = PathBuf::from("runs");
    let first = runs.join(&base);
    if force {
        return first;
    }
    std::iter::once(first)
        .chain((2..).map(|n| runs.join(format!("{base}-{n}"))))
        .find(|dir| !is_finished(dir) && !has_checkpoint(dir))
        .expect("an unbounded sequence has a free name")
}

fn simulate(
    spec: &RunSpec,
    folder: &RunFolder,
    mut progress: Progress,
    every: Option<Every>,
    resume: Option<RunState<'static>>,
    started: Instant,
) -> Result<alsim_core::Summary> {
    let scenario = spec.scenario;
    let columns = Observation::columns();
    let (mut sim, mut rows, before) = match resume {
        Some(state) => {
            folder.clear_incomplete()?;
            let rows = state.rows.into_owned();
            let sim = Simulation::restore(scenario, state.simulation)?;
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
            checkpoint_every: every,
            wall_time_seconds: before + started.elapsed().as_secs_f64(),
            rows: Cow::Borrowed(rows),
            simulation: sim.save_state(),
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
            snapshot::write(&mut sim, &mut writer)?;
            Some(writer)
        }
    };
    while !sim.is_finished() {
        sim.step();
        progress.update(
            sim.tick(),
            sim.time_days(),
            sim.summary().motor_neurons_final_alive,
        );
        let row = if sim.is_output_tick() {
            Some(sim.observe().values())
        } else {
            None
        };
        let guard = sim
            .check_state()
            .map_err(anyhow::Error::from)
            .and_then(|()| row.map(|r| finite(&columns, r)).transpose());
        match guard {
            Ok(Some(row)) => {
                series.write_row(&row)?;
                rows.push(row);
            }
            Ok(None) => {}
            Err(err) => {
                // The state is not worth saving: the last checkpoint stays as it was.
                progress.finish();
                stop(folder, series, &sim, &err.to_string())?;
                return Err(err.context(format!(
                    "run stopped; its time series so far is in {}",
                    folder.path().join("timeseries.csv.partial").display()
                )));
            }
        }
        if let (Some(writer), Some(every)) = (&mut snapshots, snapshot_every)
            && (sim.tick().is_multiple_of(every) || sim.is_finished())
        {
            snapshot::write(&mut sim, writer)?;
        }
        let interrupted = interrupt::requested();
        if interrupted || schedule.due(sim.tick()) {
            checkpoint(&mut sim, &rows)?;
        }
        if interrupted && !sim.is_finished() {
            progress.finish();
            stop(folder, series, &sim, "interrupted (Ctrl-C or SIGTERM)")?;
            return Err(Interrupted(format!(
                "interrupted at day {} (tick {} of {}); checkpoint and partial time series in {}; continue with `alsim run --resume {}`",
                sim.time_days(),
                sim.tick(),
                sim.total_ticks(),
                folder.path().display(),
                folder.path().display()
            ))
            .into());
        }
    }
    progress.finish();
    series.finish()?;
    Ok(sim.summary().clone())
}

/// Keeps the time series so far as `timeseries.csv.partial` and says in `incomplete.json` why
/// the run stopped and how to continue it.
fn stop(
    folder: &RunFolder,
    series: alsim_io::TimeSeriesWriter,
    sim: &Simulation,
    reason: &str,
) -> Result<()> {
    let partial = series.keep_partial()?;
    let checkpoint = folder.checkpoint_path().is_file();
    let dir = folder.path().display();
    folder.write_json(
        names::INCOMPLETE,
        &Incomplete {
            reason,
            tick: sim.tick(),
            simulated_days: sim.time_days(),
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
fn finite(columns: &[String], row: Vec<f64>) -> Result<Vec<f64>> {
    if let Some(i) = row.iter().position(|v| !v.is_finite()) {
        bail!(
            "numerical blow-up: {} is {} at day {}; check the parameters this run changes, or shorten time.dt_hours or time.field_dt_minutes",
            columns[i],
            row[i],
            row[0]
        );
    }
    Ok(row)
}

pub(crate) fn validate(path: &Path) -> Result<()> {
    let scenario = alsim_scenario::load(path)?;
    let points = scenario.sweep_points(&path.display().to_string())?;
    let fp = scenario.footprint();
    let [nx, ny, nz] = fp.grid;
    let m = &scenario.mechanisms;
    let on = |name: &str, enabled: bool| format!("{name} {}", if enabled { "on" } else { "off" });
    println!("{}: valid scenario '{}'", path.display(), scenario.name);
    println!(
        "  grid:       {nx} × {ny} × {nz} = {} voxels of {} µm",
        fp.voxels, scenario.tissue.voxel_um
    );
    println!(
        "  cells:      {} motor neurons, {} microglia, {} astrocytes",
        fp.cells[0], fp.cells[1], fp.cells[2]
    );
    println!(
        "  time:       {} days in {} ticks of {} h, {} field sub-steps per tick",
        scenario.time.duration_days,
        fp.ticks,
        scenario.time.dt_hours,
        scenario.time.field_substeps()
    );
    let switched = [
        ("aggregation", m.aggregation.is_some()),
        ("mitochondria", m.mitochondria.is_some()),
        ("transport", m.transport.is_some()),
        ("microglia", m.microglia.is_some()),
        ("astrocytes", m.astrocytes.is_some()),
        ("neuron_damage", m.neuron_damage.is_some()),
        ("cell_death", m.cell_death.is_some()),
        ("motor_units", m.motor_units.is_some()),
    ];
    let listed: Vec<String> = switched.iter().map(|(n, e)| on(n, *e)).collect();
    println!("  mechanisms: {}", listed.join(", "));
    println!(
        "  genotype:   {:?}; {} events, {} interventions",
        scenario.genotype,
        scenario.events.len(),
        scenario.interventions.len()
    );
    println!(
        "  memory:     about {:.1} MiB{}",
        fp.memory_bytes as f64 / (1024.0 * 1024.0),
        match limits::available_memory() {
            Some(free) if free < fp.memory_bytes => format!(
                ", more than the {} available now: alsim run refuses it without --max-memory",
                limits::gib(free)
            ),
            _ => String::new(),
        }
    );
    if !scenario.sweep.is_empty() {
        let sizes: Vec<String> = scenario
            .sweep
            .iter()
            .map(|a| format!("{} ({} values)", a.parameter, a.points().len()))
            .collect();
        println!(
            "  sweep:      {} points, every one valid, over {}",
            points.len(),
            sizes.join(" × ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_intervals_read_wall_clock_and_simulated_units() {
        assert_eq!(Every::parse("90s"), Ok(Every::Seconds(90.0)));
        assert_eq!(Every::parse("30min"), Ok(Every::Seconds(1800.0)));
        assert_eq!(Every::parse("2h"), Ok(Every::Seconds(7200.0)));
        assert_eq!(Every::parse("10days"), Ok(Every::Days(10.0)));
        assert!(
            Every::parse("10m")
                .unwrap_err()
                .contains("unknown unit 'm'")
        );
        assert!(Every::parse("0s").unwrap_err().contains("must be > 0"));
        assert!(Every::parse("soon").unwrap_err().contains("not a duration"));
    }

    #[test]
    fn simulated_intervals_fall_on_whole_ticks() {
        // 0.5 days of 2-hour ticks: every 6 ticks; shorter than a tick: every tick.
        let mut half_day = Schedule::new(Some(Every::Days(0.5)), 2.0);
        let due: Vec<u64> = (1..=18).filter(|&t| half_day.due(t)).collect();
        assert_eq!(due, [6, 12, 18]);
        let mut tiny = Schedule::new(Some(Every::Days(0.001)), 1.0);
        assert!((1..=5).all(|t| tiny.due(t)));
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
