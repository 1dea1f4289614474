//! `alsim run` and `alsim validate`: the arguments, and what is printed around
//! `alsim_run::run` and `alsim_run::resume`.

use crate::limits;
use crate::progress::RunBar;
use alsim_io::{has_checkpoint, is_finished};
use alsim_run::{CancelToken, Every, RunOptions, size_text};
use alsim_scenario::{Override, Scenario, ScenarioError};
use anyhow::{Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

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
    /// Run person INDEX (from 0) of a cohort scenario alone: the same person, with the same
    /// draws and seed, as in `alsim cohort` of that file.
    #[arg(long, value_name = "INDEX")]
    person: Option<u64>,
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
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "out", "seed", "force", "set", "person"])]
    resume: Option<PathBuf>,
    #[command(flatten)]
    overrides: Overrides,
    #[command(flatten)]
    pub(crate) safety: Safety,
}

/// `--set path=value` of `run`, `batch` and `validate`.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct Overrides {
    /// Set one parameter by its dotted path, as validation errors and sweeps name it
    /// (mechanisms.ageing.proteostasis_half_life_years=70, genotype=C9orf72,
    /// mechanisms.microglia=None). Repeatable; applied in order after the file and its
    /// `extends` chain are read; recorded in manifest.json.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<Override>,
}

impl Overrides {
    /// Reads, resolves and validates `path` with the overrides applied.
    pub(crate) fn load(&self, path: &Path) -> Result<Scenario, ScenarioError> {
        alsim_scenario::load_with(path, &self.set)
    }

    /// The overrides as given, for the manifest.
    pub(crate) fn recorded(&self) -> Vec<String> {
        self.set.iter().map(Override::to_string).collect()
    }
}

/// Arguments of `alsim validate`.
#[derive(Args, Debug)]
pub(crate) struct ValidateArgs {
    /// Scenario file (RON).
    scenario: PathBuf,
    #[command(flatten)]
    overrides: Overrides,
}

/// Checkpoint and memory options of `run` and `batch`.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct Safety {
    /// Write a checkpoint this often, in wall-clock time (90s, 30min, 2h) or simulated time
    /// (10days); `alsim run --resume DIR` continues from the last one. Ctrl-C always writes one.
    #[arg(long, value_name = "DURATION", value_parser = parse_every)]
    pub(crate) checkpoint_every: Option<Every>,
    /// Memory a run may use (16GiB, 500MB, ...), shared by the runs of a batch that run at once.
    /// Default: the memory available when the run starts. Runs estimated above it are refused,
    /// and a run whose process outgrows it while going stops with a checkpoint.
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    pub(crate) max_memory: Option<u64>,
}

/// `90s`, `30min`, `2h` (wall-clock time) or `10days` (simulated time).
fn parse_every(text: &str) -> Result<Every, String> {
    let (number, unit) = limits::number_and_unit(text);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: use e.g. 90s, 30min, 2h or 10days"))?;
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

impl RunArgs {
    fn options(&self) -> Result<RunOptions> {
        if self.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        Ok(RunOptions {
            threads: self.threads,
            checkpoint_every: self.safety.checkpoint_every,
            max_memory: self.safety.max_memory,
            plots: self.plots,
            replace: self.force,
        })
    }
}

pub(crate) fn run(args: &RunArgs, cancel: &CancelToken) -> Result<()> {
    let options = args.options()?;
    let progress = RunBar::default();
    let (summary, out) = match (&args.resume, &args.scenario) {
        (Some(dir), _) => {
            let summary = alsim_run::resume(dir, &options, &progress, cancel)?;
            (summary, dir.clone())
        }
        (None, Some(path)) => {
            let scenario = args.overrides.load(path)?;
            let file = path.display().to_string();
            let seed = args.seed.unwrap_or(scenario.seed);
            let name = match args.person {
                Some(index) => format!("{}-person{index}-seed{seed}", scenario.name),
                None => format!("{}-seed{seed}", scenario.name),
            };
            let single = alsim_run::single_run(scenario, &file, args.seed, args.person)?;
            let out = match &args.out {
                Some(out) => out.clone(),
                None => default_out(&name, args.force),
            };
            let overrides = args.overrides.recorded();
            let spec = single.spec(&file, &overrides);
            let summary = alsim_run::run(&spec, &out, &options, &progress, cancel)?;
            (summary, out)
        }
        (None, None) => unreachable!("clap requires a scenario without --resume"),
    };
    note!(
        "alsim: {} motor neurons of {} alive after {} days; results in {}",
        summary.motor_neurons_final_alive,
        summary.motor_neurons_initial,
        summary.simulated_days,
        out.display()
    );
    Ok(())
}

/// `runs/<base>` (`<name>-seed<seed>`, or `<name>-person<i>-seed<seed>` for a person of a
/// cohort), or the first `-2`, `-3`, ... after it that holds no finished or interrupted run, so
/// running the same command twice keeps both results. `--force` reuses the first.
fn default_out(base: &str, force: bool) -> PathBuf {
    let runs = PathBuf::from("runs");
    let first = runs.join(base);
    if force {
        return first;
    }
    std::iter::once(first)
        .chain((2..).map(|n| runs.join(format!("{base}-{n}"))))
        .find(|dir| !is_finished(dir) && !has_checkpoint(dir))
        .expect("an unbounded sequence has a free name")
}

pub(crate) fn validate(args: &ValidateArgs) -> Result<()> {
    let path = args.scenario.as_path();
    let scenario = args.overrides.load(path)?;
    let points = scenario.sweep_points(&path.display().to_string())?;
    let fp = scenario.footprint();
    let [nx, ny, nz] = fp.grid;
    out!("{}: valid scenario '{}'", path.display(), scenario.name)?;
    match &scenario.neuraxis {
        None => out!(
            "  grid:       {nx} × {ny} × {nz} = {} voxels of {} µm",
            fp.voxels,
            scenario.tissue.voxel_um
        )?,
        Some(axis) => out!(
            "  neuraxis:   {} regions ({} of upper motor neurons), {} connections; {} voxels in all",
            axis.regions.len(),
            axis.regions
                .iter()
                .filter(|r| r.neurons == alsim_scenario::neuraxis::Neurons::Upper)
                .count(),
            axis.connections.len(),
            fp.voxels
        )?,
    }
    out!(
        "  cells:      {} motor neurons, {} microglia, {} astrocytes",
        fp.cells[0],
        fp.cells[1],
        fp.cells[2]
    )?;
    out!(
        "  time:       {} days in {} ticks of {} h, {} field sub-steps per tick",
        scenario.time.duration_days,
        fp.ticks,
        scenario.time.dt_hours,
        scenario.time.field_substeps()
    )?;
    // Each mechanism is a key of the serde form, null when switched off.
    let mechanisms = serde_json::to_value(&scenario.mechanisms)?;
    let listed: Vec<String> = mechanisms
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, params)| format!("{name} {}", if params.is_null() { "off" } else { "on" }))
        .collect();
    out!("  mechanisms: {}", listed.join(", "))?;
    out!(
        "  genotype:   {:?}; {} events, {} interventions",
        scenario.genotype,
        scenario.events.len(),
        scenario.interventions.len()
    )?;
    out!(
        "  memory:     about {}{}",
        size_text(fp.memory_bytes),
        match alsim_run::available_memory() {
            Some(free) if free < fp.memory_bytes => format!(
                ", more than the {} available now: alsim run refuses it without --max-memory",
                size_text(free)
            ),
            _ => String::new(),
        }
    )?;
    if fp.max_microglia > fp.cells[1] {
        out!(
            "              up to {} if microglia divide to their limit of {} (the run stops, keeping a checkpoint, if it outgrows its memory)",
            size_text(fp.memory_bytes_at_most),
            fp.max_microglia
        )?;
    }
    if let Some(cohort) = &scenario.cohort {
        let traits: Vec<&str> = cohort.traits.iter().map(|t| t.parameter.as_str()).collect();
        out!(
            "  cohort:     {} people, {} drawn trait(s) ({}), {} exposure(s), {}; the first person drawn and checked",
            cohort.people,
            traits.len(),
            if traits.is_empty() {
                "none".to_string()
            } else {
                traits.join(", ")
            },
            cohort.exposures.len(),
            if cohort.other_mortality.is_some() {
                "death of other causes"
            } else {
                "no death of other causes"
            }
        )?;
    }
    if let Some(trial) = &scenario.trial {
        let arms: Vec<String> = trial
            .arms
            .iter()
            .map(|a| format!("{} ({})", a.name, a.allocation))
            .collect();
        let (from, to) = trial.enrolment.months_since_onset;
        out!(
            "  trial:      arms {}; screened {from}-{to} months after onset; {} days of follow-up with visits every {} days; run it with `alsim trial`",
            arms.join(", "),
            trial.duration_days,
            scenario.time.output_every_days
        )?;
    }
    if !scenario.sweep.is_empty() {
        let sizes: Vec<String> = scenario
            .sweep
            .iter()
            .map(|a| format!("{} ({} values)", a.parameter, a.points().len()))
            .collect();
        out!(
            "  sweep:      {} points, every one valid, over {}",
            points.len(),
            sizes.join(" × ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_intervals_read_wall_clock_and_simulated_units() {
        assert_eq!(parse_every("90s"), Ok(Every::Seconds(90.0)));
        assert_eq!(parse_every("30min"), Ok(Every::Seconds(1800.0)));
        assert_eq!(parse_every("2h"), Ok(Every::Seconds(7200.0)));
        assert_eq!(parse_every("10days"), Ok(Every::Days(10.0)));
        assert!(parse_every("10m").unwrap_err().contains("unknown unit 'm'"));
        assert!(parse_every("0s").unwrap_err().contains("must be > 0"));
        assert!(parse_every("soon").unwrap_err().contains("not a duration"));
    }
}
