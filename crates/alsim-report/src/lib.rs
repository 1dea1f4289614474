//! alsim-report: compares two groups of replicate alsim runs and writes the result as a folder,
//! and draws pictures of one run (field slices with cells, time series) for the CLI.
//!
//! ```text
//! Group A, Group B (one RunSeries per replicate run, filled by the caller)
//!   -> checked: non-empty groups, finite values, one set of sample times per group
//!   -> analysed with alsim-stats: replicate bands of survival and inflammation; per event
//!      (10% loss, 50% loss, clinical onset) Kaplan-Meier curves, log-rank test, summaries
//!      and the bootstrap difference of medians (B - A)
//!   -> rendered in memory: report.md, and each plot as PNG (bitmap) and SVG
//!   -> written: every file to a .partial name, then renamed; report.md last
//! ```
//!
//! A cohort's report (`write_cohort_report`): age at onset, site of onset, survival from
//! onset with its 10-year tail, and age-specific incidence with the implied number of steps,
//! from one [`CohortPerson`] per person.
//!
//! A virtual trial's report (`write_trial_report`): per treated arm and endpoint the effect as
//! randomised, on the twins, and the power curve, from one [`TrialPerson`] per enrolled person.
//!
//! Pictures of one run (`slice_png`, `series_png`) take values, labels and marker styles and
//! return PNG bytes; the caller writes them. So does `scaling_png`, the log-log plot of
//! `alsim bench`.
//!
//! Nothing is written until every statistic and plot has been computed, so bad input leaves
//! the folder untouched, and a file with its final name is always complete. PNG text is drawn
//! with DejaVu Sans bundled in the binary, so no system fonts are needed.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod analysis;
mod cohort;
mod lettering;
mod markdown;
mod picture;
mod plots;
mod trial;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use alsim_stats::StatsError;
pub use cohort::{
    COHORT_COMPARISON, COHORT_REPORT, CohortAnalysis, CohortPerson, analyse_cohort,
    write_cohort_comparison, write_cohort_report,
};
pub use picture::{
    Line, MarkerStyle, Point, ScalingPlot, SeriesPanel, SeriesPlot, Shape, SlicePicture,
    scaling_png, series_png, slice_png,
};
pub use trial::{
    ArmEndpoints, Effect, Endpoint, EndpointResult, Screening, TRIAL_REPORT, TrialAnalysis,
    TrialDesign, TrialPerson, analyse_trial, write_trial_report,
};

/// One replicate run's observables, sampled at `time_days`. Times are days on the clock of
/// [`ReportOptions::time_axis`]: since the run's start, or of age.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSeries {
    /// The run's seed (named in error messages).
    pub seed: u64,
    /// Sample times, days; the same in every run of a group.
    pub time_days: Vec<f64>,
    /// Motor neurons alive at each sample, cells.
    pub motor_neurons_alive: Vec<f64>,
    /// Motor neurons at the start, cells (> 0); survival is alive over this.
    pub motor_neurons_initial: f64,
    /// Activated microglia at each sample (e.g. pro- plus anti-inflammatory), cells.
    pub microglia_activated: Vec<f64>,
    /// Reactive astrocytes at each sample, cells.
    pub astrocytes_reactive: Vec<f64>,
    /// Simulated length of the run, days: where a run without an event is censored.
    pub duration_days: f64,
    /// Day 10% of the initial motor neurons were lost; `None` if not by the end.
    pub days_to_10pct_loss: Option<f64>,
    /// Day 50% of the initial motor neurons were lost; `None` if not by the end.
    pub days_to_50pct_loss: Option<f64>,
    /// Day of clinical onset; `None` if not by the end.
    pub days_to_clinical_onset: Option<f64>,
}

impl RunSeries {
    /// The run with every time moved `days` later: from days since its start to days of age,
    /// for [`TimeAxis::AgeYears`], with `days` its start age in days.
    pub fn shifted(self, days: f64) -> Self {
        Self {
            time_days: self.time_days.iter().map(|t| t + days).collect(),
            duration_days: self.duration_days + days,
            days_to_10pct_loss: self.days_to_10pct_loss.map(|t| t + days),
            days_to_50pct_loss: self.days_to_50pct_loss.map(|t| t + days),
            days_to_clinical_onset: self.days_to_clinical_onset.map(|t| t + days),
            ..self
        }
    }
}

/// The replicate runs of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Name shown in the report and legends (e.g. the scenario's file stem).
    pub name: String,
    /// The runs; at least one.
    pub runs: Vec<RunSeries>,
}

/// The clock the report tells time by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeAxis {
    /// Days of simulated time: every time in a [`RunSeries`] counts from its run's start.
    #[default]
    Days,
    /// Age in years: every time in a [`RunSeries`] is the tissue's age in days (its age at the
    /// run's start in days plus the simulated days), and the report shows it over 365.25, so
    /// groups that start at different ages are compared age for age.
    AgeYears,
}

/// Days in a year of age.
pub const DAYS_PER_YEAR: f64 = 365.25;

impl TimeAxis {
    /// Days per unit shown.
    fn days_per_unit(self) -> f64 {
        match self {
            TimeAxis::Days => 1.0,
            TimeAxis::AgeYears => DAYS_PER_YEAR,
        }
    }

    /// `group` with every time in the unit shown.
    fn shown(self, group: &Group) -> Group {
        let k = self.days_per_unit();
        let runs = group
            .runs
            .iter()
            .map(|r| RunSeries {
                time_days: r.time_days.iter().map(|t| t / k).collect(),
                duration_days: r.duration_days / k,
                days_to_10pct_loss: r.days_to_10pct_loss.map(|t| t / k),
                days_to_50pct_loss: r.days_to_50pct_loss.map(|t| t / k),
                days_to_clinical_onset: r.days_to_clinical_onset.map(|t| t / k),
                ..r.clone()
            })
            .collect();
        Group {
            name: group.name.clone(),
            runs,
        }
    }

    /// The time axis's title in plots.
    pub(crate) fn axis_label(self) -> &'static str {
        match self {
            TimeAxis::Days => "Time (days)",
            TimeAxis::AgeYears => "Age (years)",
        }
    }

    /// The unit, plural and singular.
    pub(crate) fn unit(self) -> (&'static str, &'static str) {
        match self {
            TimeAxis::Days => ("days", "day"),
            TimeAxis::AgeYears => ("years", "year"),
        }
    }
}

/// How the report is computed and drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Bootstrap resamples for the difference of medians (>= 1).
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap; the same seed gives the same report.
    pub bootstrap_seed: u64,
    /// Width and height of every plot, pixels (PNG) or SVG user units, each 200–8000.
    pub plot_size: (u32, u32),
    /// The clock times are given and shown in.
    pub time_axis: TimeAxis,
}

impl Default for ReportOptions {
    /// 2000 resamples, seed 1, 1000 × 600 plots, days.
    fn default() -> Self {
        Self {
            bootstrap_resamples: 2000,
            bootstrap_seed: 1,
            plot_size: (1000, 600),
            time_axis: TimeAxis::Days,
        }
    }
}

/// One plot's two renderings.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotFiles {
    /// File stem: `survival`, `km_10pct`, `km_50pct`, `km_onset` or `inflammation`.
    pub name: &'static str,
    /// The PNG.
    pub png: PathBuf,
    /// The SVG.
    pub svg: PathBuf,
}

/// What [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    /// `report.md`.
    pub report: PathBuf,
    /// The plots, in the order the report shows them.
    pub plots: Vec<PlotFiles>,
}

/// Why a report could not be made. Input problems name the group and the run's seed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A group has no runs.
    #[error("group {group} has no runs")]
    EmptyGroup {
        /// The group's name.
        group: String,
    },
    /// A run has no samples.
    #[error("group {group}, seed {seed}: no samples in time_days")]
    NoSamples {
        /// The group's name.
        group: String,
        /// The run's seed.
        seed: u64,
    },
    /// A run's series is not as long as its `time_days`.
    #[error("group {group}, seed {seed}: {field} has {len} samples, time_days has {expected}")]
    SeriesLength {
        /// The group's name.
        group: String,
        /// The run's seed.
        seed: u64,
        /// The series.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The length of `time_days`.
        expected: usize,
    },
    /// A run was sampled at other times than the group's first run.
    #[error("group {group}, seed {seed}: sample times differ from those of seed {first_seed}")]
    SampleTimes {
        /// The group's name.
        group: String,
        /// The run's seed.
        seed: u64,
        /// Seed of the group's first run.
        first_seed: u64,
    },
    /// A value is NaN, infinite or out of its range.
    #[error("group {group}, seed {seed}: {field} must be {rule}, got {value}")]
    InvalidValue {
        /// The group's name.
        group: String,
        /// The run's seed.
        seed: u64,
        /// The field.
        field: &'static str,
        /// What it must be.
        rule: &'static str,
        /// The offending value.
        value: f64,
    },
    /// The options are out of range.
    #[error("report options: {0}")]
    InvalidOptions(&'static str),
    /// A statistic failed on input that passed the checks above.
    #[error("{what}")]
    Stats {
        /// Which statistic.
        what: String,
        /// Why.
        source: StatsError,
    },
    /// The bundled font could not be parsed.
    #[error("the bundled DejaVu Sans font could not be read")]
    Font,
    /// A plot could not be drawn.
    #[error("plot {plot}: cannot draw")]
    Plot {
        /// The plot's name.
        plot: &'static str,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file could not be written.
    #[error("{path}: cannot write")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// File name of the report.
pub const REPORT: &str = "report.md";

/// Compares group `a` with group `b` (differences are B − A) and writes `report.md` and its
/// plots into `out_dir`, creating it if needed and replacing earlier files of the same names.
pub fn write_report(
    a: &Group,
    b: &Group,
    out_dir: &Path,
    options: &ReportOptions,
) -> Result<ReportFiles, ReportError> {
    let (width, height) = options.plot_size;
    if !(200..=8000).contains(&width) || !(200..=8000).contains(&height) {
        return Err(ReportError::InvalidOptions(
            "plot width and height must be 200-8000",
        ));
    }
    if options.bootstrap_resamples == 0 {
        return Err(ReportError::InvalidOptions(
            "bootstrap_resamples must be at least 1",
        ));
    }
    let shown = [a, b].map(|g| options.time_axis.shown(g));
    let analysis = analysis::analyse([&shown[0], &shown[1]], options)?;
    let figures = plots::figures(&analysis);
    let mut rendered = Vec::with_capacity(figures.len());
    for (name, figure) in &figures {
        rendered.push((*name, plots::render(name, figure, options.plot_size)?));
    }
    let report = markdown::report(&analysis);

    fs::create_dir_all(out_dir).map_err(write_err(out_dir))?;
    let mut plots = Vec::with_capacity(rendered.len());
    for (name, (png, svg)) in rendered {
        let files = PlotFiles {
            name,
            png: out_dir.join(format!("{name}.png")),
            svg: out_dir.join(format!("{name}.svg")),
        };
        write_atomically(&files.png, &png)?;
        write_atomically(&files.svg, svg.as_bytes())?;
        plots.push(files);
    }
    // Last, so a report.md never links to plots that are missing or stale.
    let report_path = out_dir.join(REPORT);
    write_atomically(&report_path, report.as_bytes())?;
    Ok(ReportFiles {
        report: report_path,
        plots,
    })
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path.partial` in the same folder, syncs, then renames it to `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut partial = path.as_os_str().to_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut file = File::create(&partial).map_err(write_err(&partial))?;
    file.write_all(bytes).map_err(write_err(&partial))?;
    file.sync_all().map_err(write_err(&partial))?;
    fs::rename(&partial, path).map_err(write_err(path))
}
