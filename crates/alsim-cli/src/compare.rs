//! `alsim compare`: two groups of replicate runs compared with alsim-report. The groups come
//! from two scenario files (run as one batch into the output folder, so a second call reuses
//! every finished run), from a comparison file naming the two, or from two batch folders
//! already run.

use crate::batch::{print_failures, run_plan};
use alsim_io::{names, read_columns};
use alsim_report::{DAYS_PER_YEAR, Group, ReportOptions, RunSeries, TimeAxis, write_report};
use alsim_run::{BatchFile, BatchOptions, CancelToken, Plan, PlannedRun};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Replicates per scenario when neither the command nor a comparison file says.
const DEFAULT_REPLICATES: u64 = 10;

/// Arguments of `alsim compare`.
#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// A.ron B.ron (two scenario files, A the reference), DIR_A DIR_B (two batch folders, each
    /// of one scenario), or one comparison file (scenarios/compare/*.ron).
    #[arg(required = true, num_args = 1..=2)]
    inputs: Vec<PathBuf>,
    /// Runs of each scenario. Default: the comparison file's, else 10.
    #[arg(long)]
    replicates: Option<u64>,
    /// Runs at once; each gets cores / jobs threads. Default: one per core.
    #[arg(long)]
    jobs: Option<usize>,
    /// Folder of the report (and, for scenario files, of the batch).
    /// Default: comparisons/<A>-vs-<B>, or comparisons/<comparison file name>.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn compare(args: &CompareArgs, cancel: &CancelToken) -> Result<()> {
    if let Some(missing) = args.inputs.iter().find(|p| !p.exists()) {
        bail!(
            "{}: no such scenario file or batch folder",
            missing.display()
        );
    }
    if let [a, b] = args.inputs.as_slice()
        && let (Some(ca), Some(cb)) = (cohort_of(a)?, cohort_of(b)?)
    {
        return compare_cohorts([a, b], [ca, cb], args, cancel);
    }
    let (groups, out, incomplete) = match args.inputs.as_slice() {
        [file] => {
            let c = alsim_scenario::load_comparison(file)?;
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| Path::new("comparisons").join(stem(file)));
            if let (Some(ca), Some(cb)) = (cohort_of(&c.a)?, cohort_of(&c.b)?) {
                let args = CompareArgs {
                    out: Some(out),
                    replicates: None,
                    inputs: Vec::new(),
                    jobs: args.jobs,
                };
                return compare_cohorts([&c.a, &c.b], [ca, cb], &args, cancel);
            }
            let replicates = args.replicates.unwrap_or(c.replicates);
            let (groups, incomplete) =
                from_scenarios([&c.a, &c.b], replicates, args, &out, cancel)?;
            (groups, out, incomplete)
        }
        [a, b] if a.is_dir() && b.is_dir() => {
            if args.replicates.is_some() {
                bail!(
                    "--replicates applies to scenario files; batch folders hold their runs already"
                );
            }
            let out = args.out.clone().unwrap_or_else(|| default_out(a, b));
            let (ga, ma) = from_batch_folder(a)?;
            let (gb, mb) = from_batch_folder(b)?;
            ([ga, gb], out, ma + mb)
        }
        [a, b] if a.is_dir() || b.is_dir() => {
            bail!("give two scenario files or two batch folders, not one of each");
        }
        [a, b] => {
            let out = args.out.clone().unwrap_or_else(|| default_out(a, b));
            let replicates = args.replicates.unwrap_or(DEFAULT_REPLICATES);
            let (groups, incomplete) = from_scenarios([a, b], replicates, args, &out, cancel)?;
            (groups, out, incomplete)
        }
        _ => unreachable!("clap takes one or two inputs"),
    };
    let (groups, time_axis) = on_clock(groups);
    let options = ReportOptions {
        time_axis,
        ..ReportOptions::default()
    };
    let files = write_report(&groups[0], &groups[1], &out, &options)?;
    note!(
        "alsim: compare: {} ({} runs) vs {} ({} runs): report in {}",
        groups[0].name,
        groups[0].runs.len(),
        groups[1].name,
        groups[1].runs.len(),
        files.report.display()
    );
    if incomplete > 0 {
        // Batch folders are only read here: their runs are finished by `alsim batch`.
        let how = if args.inputs.iter().all(|p| p.is_dir()) {
            "finish them with `alsim batch` and the same --out as each folder was made with, then compare again"
        } else {
            "run the same command again to continue them"
        };
        bail!("{incomplete} planned run(s) did not finish and are left out of the report; {how}");
    }
    Ok(())
}

/// Where a cohort comes from: a cohort folder already run, or a cohort scenario file to run.
enum CohortInput {
    Folder,
    File(Box<alsim_scenario::Scenario>),
}

/// `Some` if `path` is a cohort folder (its plan's runs are people) or a cohort file.
fn cohort_of(path: &Path) -> Result<Option<CohortInput>> {
    if path.is_dir() {
        let is_cohort =
            BatchFile::read(path).is_ok_and(|b| b.runs.iter().any(|r| r.person.is_some()));
        return Ok(is_cohort.then_some(CohortInput::Folder));
    }
    // A file that does not load is left to the scenario path below, which reports it.
    Ok(alsim_scenario::load(path)
        .ok()
        .filter(|s| s.cohort.is_some())
        .map(|s| CohortInput::File(Box::new(s))))
}

/// Two cohorts compared on their people: each cohort file is run into `OUT/<stem>/` first
/// (resuming like `alsim cohort`), each folder read as it is.
fn compare_cohorts(
    paths: [&PathBuf; 2],
    inputs: [CohortInput; 2],
    args: &CompareArgs,
    cancel: &CancelToken,
) -> Result<()> {
    if args.replicates.is_some() {
        bail!("--replicates does not apply to cohorts: each file's cohort.people sets its size");
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(paths[0], paths[1]));
    let mut groups = Vec::new();
    for (path, input) in paths.into_iter().zip(inputs) {
        let dir = match input {
            CohortInput::Folder => path.clone(),
            CohortInput::File(scenario) => {
                let dir = out.join(stem(path));
                let plan = Plan::cohort(path, &scenario, None)?;
                let options = BatchOptions {
                    jobs: args.jobs,
                    ..BatchOptions::default()
                };
                let outcome = run_plan(&plan, &dir, &options, cancel)?;
                outcome.check_cancelled()?;
                print_failures(&outcome);
                dir
            }
        };
        let people = alsim_run::cohort::outcomes(&dir)?;
        alsim_run::cohort::write_people(&dir, &people)?;
        groups.push((stem(path), alsim_run::cohort::report_rows(&people)));
    }
    let report = alsim_report::write_cohort_comparison(
        &out,
        (&groups[0].0, &groups[0].1),
        (&groups[1].0, &groups[1].1),
    )?;
    note!(
        "alsim: compare: cohorts {} ({} people) vs {} ({} people): report in {}",
        groups[0].0,
        groups[0].1.len(),
        groups[1].0,
        groups[1].1.len(),
        report.display()
    );
    Ok(())
}

fn default_out(a: &Path, b: &Path) -> PathBuf {
    Path::new("comparisons").join(format!("{}-vs-{}", stem(a), stem(b)))
}

/// One group's runs with the age each started at, years.
type AgedGroup = (Group, Vec<f64>);

/// The groups on the report's clock: the tissue's age when any run started past age 0, so
/// groups that start at different ages are compared age for age (shown in years); days of
/// simulated time otherwise.
fn on_clock(groups: [AgedGroup; 2]) -> ([Group; 2], TimeAxis) {
    let aged = groups.iter().flat_map(|g| &g.1).any(|&age| age > 0.0);
    if !aged {
        return (groups.map(|g| g.0), TimeAxis::Days);
    }
    let shift = |(group, ages): AgedGroup| Group {
        runs: group
            .runs
            .into_iter()
            .zip(ages)
            .map(|(r, age)| r.shifted(age * DAYS_PER_YEAR))
            .collect(),
        ..group
    };
    (groups.map(shift), TimeAxis::AgeYears)
}

/// Runs both scenarios as one batch in `out` and reads the two groups; also returns how many
/// runs did not finish.
fn from_scenarios(
    [a, b]: [&PathBuf; 2],
    replicates: u64,
    args: &CompareArgs,
    out: &Path,
    cancel: &CancelToken,
) -> Result<([AgedGroup; 2], usize)> {
    let mut scenarios = Vec::new();
    for path in [a, b] {
        let s = alsim_scenario::load(path)?;
        if !s.sweep.is_empty() {
            bail!(
                "{} declares a sweep; compare takes one scenario per group (run the sweep with alsim batch)",
                path.display()
            );
        }
        scenarios.push((path.clone(), s));
    }
    let plan = Plan::new(&scenarios, replicates)?;
    let options = BatchOptions {
        jobs: args.jobs,
        ..BatchOptions::default()
    };
    let outcome = run_plan(&plan, out, &options, cancel)?;
    outcome.check_cancelled()?;
    print_failures(&outcome);
    let of = |path: &PathBuf| {
        let file = path.display().to_string();
        plan.file
            .runs
            .iter()
            .filter(|r| r.scenario_file == file)
            .collect::<Vec<_>>()
    };
    let (ga, ma) = read_group(out, &stem(a), &of(a))?;
    let (gb, mb) = read_group(out, &stem(b), &of(b))?;
    Ok(([ga, gb], ma + mb))
}

/// The one group of a batch folder, and how many of its runs did not finish.
fn from_batch_folder(dir: &Path) -> Result<(AgedGroup, usize)> {
    let plan = BatchFile::read(dir)?;
    let names: Vec<&str> = plan
        .runs
        .iter()
        .map(|r| r.group.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let [name] = names.as_slice() else {
        bail!(
            "{} holds runs of {} scenarios or sweep points ({}); compare needs one per folder: run each scenario as its own batch, or give the scenario files",
            dir.display(),
            names.len(),
            names.join(", ")
        );
    };
    let runs: Vec<&PlannedRun> = plan.runs.iter().collect();
    read_group(dir, name, &runs)
}

/// Reads the finished runs of `runs` in batch folder `dir` as a group named `name`; returns it
/// with how many runs are not finished (each named on stderr).
fn read_group(dir: &Path, name: &str, runs: &[&PlannedRun]) -> Result<(AgedGroup, usize)> {
    let mut group = Group {
        name: name.to_string(),
        runs: Vec::new(),
    };
    let mut ages = Vec::new();
    let mut missing = 0;
    for run in runs {
        let folder = BatchFile::run_dir(dir, run);
        if !alsim_io::is_finished(&folder) {
            note!(
                "alsim: compare: {} is not finished; left out",
                folder.display()
            );
            missing += 1;
            continue;
        }
        let (series, age) = read_run(&folder, run.seed)?;
        group.runs.push(series);
        ages.push(age);
    }
    if group.runs.is_empty() {
        bail!("no finished run of {name} in {}", dir.display());
    }
    Ok(((group, ages), missing))
}

/// The parts of `summary.json` the report needs.
#[derive(Deserialize)]
struct RunSummary {
    motor_neurons_initial: u64,
    days_to_10pct_mn_loss: Option<f64>,
    days_to_50pct_mn_loss: Option<f64>,
    days_to_clinical_onset: Option<f64>,
    start_age_years: f64,
    simulated_days: f64,
}

/// Time-series columns the report needs: time, alive, microglia pro and anti, reactive
/// astrocytes.
const COLUMNS: [&str; 5] = [
    "time_days",
    "motor_neurons_alive",
    "microglia_proinflammatory",
    "microglia_antiinflammatory",
    "astrocytes_reactive",
];

/// One finished run as the report's series (times in days since its start), and its start age.
fn read_run(folder: &Path, seed: u64) -> Result<(RunSeries, f64)> {
    let path = folder.join(names::SUMMARY);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let summary: RunSummary = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a run summary", path.display()))?;
    let columns = read_columns(&folder.join(names::TIMESERIES), &COLUMNS)?;
    let [time_days, alive, pro, anti, reactive]: [Vec<f64>; 5] =
        columns.try_into().expect("one column per name");
    let series = RunSeries {
        seed,
        time_days,
        motor_neurons_alive: alive,
        motor_neurons_initial: summary.motor_neurons_initial as f64,
        microglia_activated: pro.iter().zip(&anti).map(|(p, a)| p + a).collect(),
        astrocytes_reactive: reactive,
        duration_days: summary.simulated_days,
        days_to_10pct_loss: summary.days_to_10pct_mn_loss,
        days_to_50pct_loss: summary.days_to_50pct_mn_loss,
        days_to_clinical_onset: summary.days_to_clinical_onset,
    };
    Ok((series, summary.start_age_years))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, ages: &[f64]) -> AgedGroup {
        let runs = ages
            .iter()
            .enumerate()
            .map(|(i, _)| RunSeries {
                seed: i as u64,
                time_days: vec![0.0, 10.0],
                motor_neurons_alive: vec![10.0, 8.0],
                motor_neurons_initial: 10.0,
                microglia_activated: vec![0.0, 1.0],
                astrocytes_reactive: vec![0.0, 1.0],
                duration_days: 10.0,
                days_to_10pct_loss: Some(4.0),
                days_to_50pct_loss: None,
                days_to_clinical_onset: Some(6.0),
            })
            .collect();
        (
            Group {
                name: name.into(),
                runs,
            },
            ages.to_vec(),
        )
    }

    #[test]
    fn runs_that_start_at_an_age_are_put_on_the_age_clock() {
        let (groups, axis) = on_clock([group("a", &[40.0, 40.0]), group("b", &[30.0])]);
        assert_eq!(axis, TimeAxis::AgeYears);
        let b = &groups[1].runs[0];
        let start = 30.0 * DAYS_PER_YEAR;
        assert_eq!(b.time_days, [start, start + 10.0]);
        assert_eq!(b.duration_days, start + 10.0);
        assert_eq!(b.days_to_10pct_loss, Some(start + 4.0));
        assert_eq!(b.days_to_50pct_loss, None);
        assert_eq!(b.days_to_clinical_onset, Some(start + 6.0));
        assert_eq!(groups[0].runs[1].time_days[0], 40.0 * DAYS_PER_YEAR);
    }

    #[test]
    fn runs_from_birth_keep_days_of_simulated_time() {
        let plain = group("a", &[0.0]);
        let (groups, axis) = on_clock([plain.clone(), group("b", &[0.0])]);
        assert_eq!(axis, TimeAxis::Days);
        assert_eq!(groups[0], plain.0);
    }
}
