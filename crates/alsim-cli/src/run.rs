//! `alsim run` and `alsim validate`.

use crate::plots;
use crate::progress::Progress;
use crate::snapshot;
use alsim_core::{Observation, Simulation};
use alsim_io::{RunFolder, names};
use alsim_scenario::Scenario;
use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::ThreadPool;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `alsim run`.
#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Scenario file (RON).
    scenario: PathBuf,
    /// Run folder to write. Default: runs/<scenario name>-seed<seed>, numbered -2, -3, ... when
    /// that already holds a finished run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the random streams, replacing the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads. Default: all cores. Results are identical for any value.
    #[arg(long)]
    threads: Option<usize>,
    /// Replace a finished run already in the output folder (without --out: the unnumbered one).
    #[arg(long)]
    force: bool,
    /// Also draw PNG plots of the main time series (motor neurons, glial activation, field
    /// totals) into plots/ in the run folder.
    #[arg(long)]
    plots: bool,
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

/// Runs `spec` in `pool` (of `threads` threads) and writes its folder: time series and
/// snapshots, resolved scenario, manifest, plots if asked, and the summary last.
pub(crate) fn execute(
    spec: &RunSpec,
    folder: &RunFolder,
    pool: &ThreadPool,
    progress: Progress,
) -> Result<alsim_core::Summary> {
    let scenario = spec.scenario;
    let started = Instant::now();
    let summary = pool.install(|| simulate(scenario, folder, progress))?;
    let manifest = Manifest {
        alsim_version: env!("CARGO_PKG_VERSION"),
        scenario_file: spec.scenario_file,
        seed: scenario.seed,
        threads: pool.current_num_threads(),
        ticks: summary.ticks,
        wall_time_seconds: started.elapsed().as_secs_f64(),
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
    let mut scenario = alsim_scenario::load(&args.scenario)?;
    if !scenario.sweep.is_empty() {
        bail!(
            "{} declares a sweep of {} parameter(s); run its grid with `alsim batch {}`, or remove the sweep to run the scenario once",
            args.scenario.display(),
            scenario.sweep.len(),
            args.scenario.display()
        );
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => n,
        None => cores(),
    };
    let out = match &args.out {
        Some(out) => out.clone(),
        None => default_out(&scenario, args.force),
    };
    let folder = RunFolder::create(&out, args.force)?;
    let spec = RunSpec {
        scenario: &scenario,
        scenario_file: &args.scenario.display().to_string(),
        replicate: None,
        sweep: &BTreeMap::new(),
        plots: args.plots,
    };
    let progress = Progress::new(scenario.time.ticks(), &scenario.name);
    let summary = execute(&spec, &folder, &pool(threads)?, progress)?;
    eprintln!(
        "alsim: {} motor neurons of {} alive after {} days; results in {}",
        summary.motor_neurons_final_alive,
        summary.motor_neurons_initial,
        summary.simulated_days,
        folder.path().display()
    );
    Ok(())
}

/// `runs/<name>-seed<seed>`, or the first `-2`, `-3`, ... after it that holds no finished run,
/// so running the same command twice keeps both results. `--force` reuses the first.
fn default_out(scenario: &Scenario, force: bool) -> PathBuf {
    let base = format!("{}-seed{}", scenario.name, scenario.seed);
    let runs = PathBuf::from("runs");
    let first = runs.join(&base);
    if force {
        return first;
    }
    std::iter::once(first)
        .chain((2..).map(|n| runs.join(format!("{base}-{n}"))))
        .find(|dir| !dir.join(names::SUMMARY).exists())
        .expect("an unbounded sequence has a free name")
}

fn simulate(
    scenario: &Scenario,
    folder: &RunFolder,
    mut progress: Progress,
) -> Result<alsim_core::Summary> {
    let mut sim = Simulation::new(scenario)?;
    let columns = Observation::columns();
    let mut series = folder.timeseries(&columns)?;
    series.write_row(&finite(&columns, sim.observe().values())?)?;
    let snapshot_every = scenario.time.snapshot_every_ticks();
    let mut snapshots = snapshot_every.map(|_| folder.snapshots()).transpose()?;
    if let Some(writer) = &mut snapshots {
        snapshot::write(&mut sim, writer)?;
    }
    while !sim.is_finished() {
        sim.step();
        let s = sim.summary();
        progress.update(sim.tick(), sim.time_days(), s.motor_neurons_final_alive);
        if sim.is_output_tick() {
            series.write_row(&finite(&columns, sim.observe().values())?)?;
        }
        if let (Some(writer), Some(every)) = (&mut snapshots, snapshot_every)
            && (sim.tick().is_multiple_of(every) || sim.is_finished())
        {
            snapshot::write(&mut sim, writer)?;
        }
    }
    progress.finish();
    series.finish()?;
    Ok(sim.summary().clone())
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
        "  memory:     about {:.1} MiB",
        fp.memory_bytes as f64 / (1024.0 * 1024.0)
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
    fn a_non_finite_value_stops_the_run_naming_column_and_day() {
        let columns = ["time_days".to_string(), "tnf_total".to_string()];
        assert_eq!(finite(&columns, vec![3.0, 1.5]).unwrap(), [3.0, 1.5]);
        let err = finite(&columns, vec![3.0, f64::NAN])
            .unwrap_err()
            .to_string();
        assert!(err.contains("tnf_total is NaN at day 3"), "{err}");
    }
}
