//! Calibration: the observables of the targets in `docs/calibration-targets.md` that a run can
//! show, measured on a run's observation rows; the targets they are compared with; and
//! [`calibrate`], which runs the calibration scenarios over many seeds and makes the markdown
//! table that `alsim calibrate --write docs/model.md` writes between the [`BEGIN`] and [`END`]
//! markers. [`calibrate_population`] does the same for the bundled cohorts, and
//! [`calibrate_cell_types`] for the G93A mouse with its mutant gene taken from one cell type,
//! each between markers of its own. `tests/calibration.rs` checks what CI has time for.

use crate::{Progress, RunError};
use alsim_core::mechanisms::motor_units::is_below;
use alsim_core::{Observation, Simulation, Summary};
use alsim_io::OutputError;
use alsim_scenario::Scenario;
use alsim_stats::summarize;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

mod body;
mod cell_types;
mod population;

pub use body::BodyCourse;
pub use cell_types::{CELL_TYPES_BEGIN, CELL_TYPES_END, calibrate_cell_types};
pub use population::{
    BLOCK_COHORTS, BODY_COHORT, POPULATION_TARGETS, PopulationObservable, PopulationTarget,
    TEN_YEAR_TAIL, calibrate_population,
};

/// The SOD1-G93A mouse time course of one run, in days; `None` when not reached in the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MouseCourse {
    /// Mean axonal transport efficiency first below 90% of its value at the start.
    pub transport_deficit: Option<f64>,
    /// Denervated endplates first at least 40%.
    pub denervation_40pct: Option<f64>,
    /// Motor neurons lost first at least 20%.
    pub loss_20pct: Option<f64>,
    /// Motor neurons lost first at least 50%.
    pub loss_50pct: Option<f64>,
    /// Clinical onset (force proxy below the scenario's threshold).
    pub onset: Option<f64>,
    /// End stage: force proxy first below [`END_STAGE_FORCE`].
    pub end_stage: Option<f64>,
}

/// Force proxy taken as end stage (a mouse that cannot right itself has lost most hindlimb
/// force; model choice).
pub const END_STAGE_FORCE: f64 = 0.2;

fn first_day(rows: &[Observation], reached: impl Fn(&Observation) -> bool) -> Option<f64> {
    rows.iter().find(|o| reached(o)).map(|o| o.time_days)
}

impl MouseCourse {
    /// Measures the course on a run's rows (in time order) and summary.
    pub fn measure(rows: &[Observation], summary: &Summary) -> Self {
        let Some(start) = rows.first() else {
            return Self::default();
        };
        let transport0 = start["mn_transport_efficiency_mean"];
        let lost = |o: &Observation, share: f64| {
            o.motor_neurons_dead as f64 >= share * summary.motor_neurons_initial as f64
        };
        Self {
            transport_deficit: first_day(rows, |o| {
                o.motor_neurons_alive > 0 && o["mn_transport_efficiency_mean"] < 0.9 * transport0
            }),
            denervation_40pct: first_day(rows, |o| o["endplates_denervated_fraction"] >= 0.4),
            loss_20pct: first_day(rows, |o| lost(o, 0.2)),
            loss_50pct: first_day(rows, |o| lost(o, 0.5)),
            onset: summary.days_to_clinical_onset,
            end_stage: first_day(rows, |o| is_below(o["force_proxy"], END_STAGE_FORCE)),
        }
    }

    /// Measures the course on the rows and summary of an in-memory run ([`crate::Tables`]).
    pub fn of_tables(tables: &crate::Tables) -> Result<Self, RunError> {
        if tables.columns != Observation::columns() {
            return Err(RunError::Invalid(
                "the mouse course is measured on a block's time series; this run is a body of regions".into(),
            ));
        }
        let rows = tables
            .rows
            .iter()
            .map(|r| Observation::from_values(r))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| RunError::Invalid("a time-series row has the wrong length".into()))?;
        let summary: Summary = serde_json::from_value(tables.summary.clone())
            .map_err(|e| RunError::Invalid(format!("summary: {e}")))?;
        Ok(Self::measure(&rows, &summary))
    }

    /// The observables in [`MOUSE_TARGETS`] order.
    pub fn values(&self) -> [Option<f64>; 6] {
        [
            self.transport_deficit,
            self.denervation_40pct,
            self.loss_20pct,
            self.loss_50pct,
            self.onset,
            self.end_stage,
        ]
    }
}

/// A measured target: observable, range in days, source.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Short name (the [`MouseCourse`] field; Python's `alsim.mouse_course` keys).
    pub key: &'static str,
    /// What is measured.
    pub observable: &'static str,
    /// Lower end of the target range, days.
    pub low: f64,
    /// Upper end of the target range, days.
    pub high: f64,
    /// Where the target comes from.
    pub source: &'static str,
}

/// SOD1-G93A mouse targets (`docs/calibration-targets.md`, section A), in [`MouseCourse::values`] order.
pub const MOUSE_TARGETS: [Target; 6] = [
    Target {
        key: "transport_deficit",
        observable: "retrograde transport deficit (mean efficiency < 90% of start)",
        low: 30.0,
        high: 40.0,
        source: "Bilsland et al. 2010",
    },
    Target {
        key: "denervation_40pct",
        observable: "40% of endplates denervated",
        low: 30.0,
        high: 50.0,
        source: "Fischer et al. 2004; Vinsant et al. 2013",
    },
    Target {
        key: "loss_20pct",
        observable: "20% of motor neurons lost",
        low: 50.0,
        high: 70.0,
        source: "Vinsant et al. 2013; Chiu et al. 1995",
    },
    Target {
        key: "loss_50pct",
        observable: "50% of motor neurons lost",
        low: 90.0,
        high: 110.0,
        source: "Hall et al. 1998",
    },
    Target {
        key: "onset",
        observable: "clinical onset",
        low: 80.0,
        high: 115.0,
        source: "Gurney 1994; Hall et al. 1998",
    },
    Target {
        key: "end_stage",
        observable: "end stage (force proxy < 0.2)",
        low: 115.0,
        high: 145.0,
        source: "Scott et al. 2008",
    },
];

/// Mean, standard deviation and count of the runs that reached an observable, and how many
/// runs there were.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Mean over the runs that reached it.
    pub mean: f64,
    /// Sample standard deviation (0 for one run).
    pub sd: f64,
    /// Runs that reached it.
    pub reached: usize,
    /// Runs in all.
    pub runs: usize,
}

impl Spread {
    /// Summarises per-run values; `None` entries are runs that did not reach the observable.
    pub fn of(values: &[Option<f64>]) -> Option<Self> {
        let got: Vec<f64> = values.iter().flatten().copied().collect();
        let summary = summarize(&got).ok()?;
        Some(Self {
            mean: summary.mean,
            sd: summary.sd.unwrap_or(0.0),
            reached: got.len(),
            runs: values.len(),
        })
    }

    /// Whether every run reached the observable.
    pub fn all_reached(&self) -> bool {
        self.reached == self.runs
    }
}

/// A table cell for the runs' mean: `mean ± sd (reached/runs)`, or that none reached it.
fn mean_cell(spread: Option<Spread>, runs: usize) -> String {
    spread.map_or(format!("not reached (0/{runs})"), |s| {
        format!("{:.1} ± {:.1} ({}/{})", s.mean, s.sd, s.reached, s.runs)
    })
}

/// The markdown table comparing per-run courses with the targets.
pub(crate) fn mouse_table(courses: &[MouseCourse]) -> String {
    let mut out = String::from(
        "| observable | target (days) | model: mean ± sd (runs reaching it) | inside? | source |\n|---|---|---|---|---|\n",
    );
    for (i, target) in MOUSE_TARGETS.iter().enumerate() {
        let values: Vec<Option<f64>> = courses.iter().map(|c| c.values()[i]).collect();
        let spread = Spread::of(&values);
        let model = mean_cell(spread, values.len());
        let inside = match spread {
            Some(s) if s.all_reached() && (target.low..=target.high).contains(&s.mean) => "yes",
            _ => "no",
        };
        out.push_str(&format!(
            "| {} | {}–{} | {} | {} | {} |\n",
            target.observable, target.low, target.high, model, inside, target.source
        ));
    }
    out
}

/// The human course of one lifetime block, in years; `None` when not reached in the run.
/// Survival is measured on bodies of regions ([`FAMILIAL_BODIES`], `body::human_rows`): in a
/// block, once its aggregates run away, the tissue degenerates within months.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HumanCourse {
    /// Age at clinical onset.
    pub age_at_onset: Option<f64>,
}

impl HumanCourse {
    /// Measures the course on a run's summary.
    pub fn measure(summary: &Summary) -> Self {
        Self {
            age_at_onset: summary.age_at_clinical_onset_years,
        }
    }
}

/// What a human target compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HumanObservable {
    /// Mean age at onset, years.
    AgeAtOnset,
    /// Mean age at onset, years earlier than the sporadic scenario's.
    YearsEarlierThanSporadic,
}

/// A human target (`docs/calibration-targets.md`, section B) for one bundled scenario.
#[derive(Clone, Copy, Debug)]
pub struct HumanTarget {
    /// Bundled scenario (file stem in `scenarios/`).
    pub scenario: &'static str,
    /// What is compared.
    pub observable: HumanObservable,
    /// Lower end of the range, years.
    pub low: f64,
    /// Upper end of the range, years.
    pub high: f64,
    /// Where the target comes from.
    pub source: &'static str,
}

/// Human targets. Where the targets give a genotype's own age at onset it is used with the
/// spread of the cited cohorts (±3 to 5 years); TARDBP has none of its own, so it takes the
/// familial-versus-sporadic difference of Mehta et al. 2019 (5.3 years, 95% CI 2.8–7.8).
pub const HUMAN_TARGETS: [HumanTarget; 5] = [
    HumanTarget {
        scenario: "sporadic",
        observable: HumanObservable::AgeAtOnset,
        low: 58.0,
        high: 63.0,
        source: "Logroscino et al. 2010; Chiò et al. 2013",
    },
    HumanTarget {
        scenario: "sod1",
        observable: HumanObservable::AgeAtOnset,
        low: 45.0,
        high: 55.0,
        source: "Bali et al. 2017",
    },
    HumanTarget {
        scenario: "c9orf72",
        observable: HumanObservable::AgeAtOnset,
        low: 53.0,
        high: 59.0,
        source: "Byrne et al. 2012; Majounie et al. 2012",
    },
    HumanTarget {
        scenario: "tardbp",
        observable: HumanObservable::YearsEarlierThanSporadic,
        low: 2.8,
        high: 7.8,
        source: "Mehta et al. 2019",
    },
    HumanTarget {
        scenario: "fus",
        observable: HumanObservable::AgeAtOnset,
        low: 25.0,
        high: 45.0,
        source: "Vance et al. 2009; Kwiatkowski et al. 2009",
    },
];

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The markdown table comparing per-scenario courses with [`HUMAN_TARGETS`]; `courses` holds
/// each scenario's runs by name (the sporadic scenario among them).
pub(crate) fn human_table(courses: &[(&str, Vec<HumanCourse>)]) -> String {
    let runs_of = |name: &str| courses.iter().find(|(n, _)| *n == name).map(|(_, c)| c);
    let onset_spread = |name: &str| {
        runs_of(name)
            .and_then(|c| Spread::of(&c.iter().map(|c| c.age_at_onset).collect::<Vec<_>>()))
    };
    let mut out = String::from(
        "| scenario | observable | target (years) | model | inside? | source |\n|---|---|---|---|---|---|\n",
    );
    for target in &HUMAN_TARGETS {
        let Some(runs) = runs_of(target.scenario) else {
            continue;
        };
        let (label, model, value, complete) = match target.observable {
            HumanObservable::AgeAtOnset => {
                let s = onset_spread(target.scenario);
                (
                    "mean age at onset",
                    mean_cell(s, runs.len()),
                    s.map(|s| s.mean),
                    s.is_some_and(|s| s.all_reached()),
                )
            }
            HumanObservable::YearsEarlierThanSporadic => {
                let (own, sporadic) = (onset_spread(target.scenario), onset_spread("sporadic"));
                let difference = own.zip(sporadic).map(|(o, s)| s.mean - o.mean);
                (
                    "onset earlier than sporadic",
                    difference.map_or("not reached".into(), |d| format!("{d:.1}")),
                    difference,
                    own.zip(sporadic)
                        .is_some_and(|(o, s)| o.all_reached() && s.all_reached()),
                )
            }
        };
        let inside = complete && value.is_some_and(|v| (target.low..=target.high).contains(&v));
        out.push_str(&format!(
            "| `{}.ron` | {label} | {}–{} | {model} | {} | {} |\n",
            target.scenario,
            target.low,
            target.high,
            if inside { "yes" } else { "no" },
            target.source
        ));
    }
    // Events have no numeric target (modest or debated effects): report the shift they cause.
    for (name, _) in courses.iter().filter(|(n, _)| n.starts_with("sporadic-")) {
        let shift = onset_spread(name)
            .zip(onset_spread("sporadic"))
            .map_or("not reached".into(), |(e, s)| {
                format!("{:+.1}", e.mean - s.mean)
            });
        out.push_str(&format!(
            "| `{name}.ron` | mean age at onset minus sporadic's | (none: modest or debated effects) | {shift} | | Oskarsson et al. 2015 |\n"
        ));
    }
    out
}

/// Marks where the generated table starts in the document [`write_table`] updates.
pub const BEGIN: &str =
    "<!-- calibration-table:begin (generated by `alsim calibrate`; do not edit) -->";
/// Marks where it ends.
pub const END: &str = "<!-- calibration-table:end -->";

/// The human lifetime scenarios the table covers (file stems in the scenarios folder).
const HUMAN_SCENARIOS: [&str; 8] = [
    "sporadic",
    "sod1",
    "sod1-a4v",
    "c9orf72",
    "tardbp",
    "fus",
    "sporadic-toxin",
    "sporadic-trauma",
];

/// A familial body of regions and its survival target: the genotype's human block, as the
/// focus of a body whose every region carries the mutation.
#[derive(Clone, Copy, Debug)]
pub struct FamilialBody {
    /// Bundled scenario (file stem in `scenarios/`).
    pub scenario: &'static str,
    /// Median survival from onset to respiratory failure, years: lower end of the range.
    pub low: f64,
    /// Upper end of the range.
    pub high: f64,
    /// Where the target comes from.
    pub source: &'static str,
}

/// The familial bodies with a survival target (`docs/calibration-targets.md`, section B).
pub const FAMILIAL_BODIES: [FamilialBody; 3] = [
    FamilialBody {
        scenario: "sod1-body",
        low: 2.0,
        high: 4.0,
        source: "Chiò et al. 2009",
    },
    FamilialBody {
        scenario: "sod1-a4v-body",
        low: 1.0,
        high: 1.5,
        source: "Cudkowicz et al. 1997; Bali et al. 2017",
    },
    FamilialBody {
        scenario: "fus-body",
        low: 1.0,
        high: 4.0,
        source: "Vance et al. 2009",
    },
];

/// The mouse body of regions the table covers.
const MOUSE_BODY: &str = "sod1-g93a-mouse-body";
/// The human body of regions the table covers.
const HUMAN_BODY: &str = "sporadic-body";

/// Runs `scenario` to its end, keeping every output row.
fn run(scenario: &Scenario) -> Result<(Vec<Observation>, Summary), RunError> {
    let mut sim = Simulation::new(scenario)?;
    let rows = sim.run_to_end();
    Ok((rows, sim.summary().clone()))
}

/// The scenario in `path` with `seeds` seeds: its own, then the next ones.
fn with_seeds(path: &Path, seeds: u64) -> Result<Vec<Scenario>, RunError> {
    let base = alsim_scenario::load(path)?;
    Ok((0..seeds)
        .map(|i| {
            let mut s = base.clone();
            s.seed = base.seed + i;
            s
        })
        .collect())
}

/// Runs every scenario in parallel (in the current rayon pool) with `run`, each reported to
/// `progress` as `<name> seed <seed>`.
fn run_each<T: Send>(
    scenarios: &[Scenario],
    progress: &dyn Progress,
    run: impl Fn(&Scenario) -> Result<T, RunError> + Sync,
    summary: impl Fn(&T) -> &Summary + Sync,
) -> Result<Vec<T>, RunError> {
    scenarios
        .par_iter()
        .map(|s| {
            let name = format!("{} seed {}", s.name, s.seed);
            progress.started(&name, s.time.ticks());
            let started = Instant::now();
            let out = run(s).map_err(|cause| RunError::InCalibration {
                name: s.name.clone(),
                seed: s.seed,
                cause: Box::new(cause),
            });
            progress.finished(&name, out.as_ref().map(&summary), started.elapsed());
            out
        })
        .collect()
}

/// [`run_each`] for blocks.
fn run_all(
    scenarios: &[Scenario],
    progress: &dyn Progress,
) -> Result<Vec<(Vec<Observation>, Summary)>, RunError> {
    run_each(scenarios, progress, run, |o| &o.1)
}

/// [`run_each`] for bodies of regions, measured.
fn run_bodies(
    scenarios: &[Scenario],
    progress: &dyn Progress,
) -> Result<Vec<BodyCourse>, RunError> {
    let runs = run_each(scenarios, progress, body::run_body, |o| &o.1.body)?;
    Ok(scenarios
        .iter()
        .zip(&runs)
        .map(|(s, (rows, summary))| BodyCourse::measure(s, rows, summary))
        .collect())
}

/// Header of the body tables.
const BODY_HEADER: &str =
    "| scenario | observable | target | model | inside? | source |\n|---|---|---|---|---|---|\n";

/// Runs the calibration scenarios of the folder `scenarios` (`sod1-g93a-mouse.ron`, and unless
/// `mouse_only` the human lifetimes) with `seeds` seeds each, and returns the markdown tables
/// comparing what they show with the targets.
pub fn calibrate(
    scenarios: &Path,
    seeds: u64,
    mouse_only: bool,
    progress: &dyn Progress,
) -> Result<String, RunError> {
    if seeds == 0 {
        return Err(RunError::Invalid("--seeds must be at least 1".into()));
    }
    let mouse = with_seeds(&scenarios.join("sod1-g93a-mouse.ron"), seeds)?;
    let mouse_body = with_seeds(&scenarios.join(format!("{MOUSE_BODY}.ron")), seeds)?;
    let load_all = |names: &[&str]| -> Result<Vec<Vec<Scenario>>, RunError> {
        names
            .iter()
            .map(|n| with_seeds(&scenarios.join(format!("{n}.ron")), seeds))
            .collect()
    };
    let (human, human_body, familial) = if mouse_only {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        (
            load_all(&HUMAN_SCENARIOS)?,
            with_seeds(&scenarios.join(format!("{HUMAN_BODY}.ron")), seeds)?,
            load_all(&FAMILIAL_BODIES.map(|f| f.scenario))?,
        )
    };
    progress.planned(
        mouse.len()
            + mouse_body.len()
            + human.iter().map(Vec::len).sum::<usize>()
            + human_body.len()
            + familial.iter().map(Vec::len).sum::<usize>(),
    );
    let courses: Vec<MouseCourse> = run_all(&mouse, progress)?
        .iter()
        .map(|(rows, summary)| MouseCourse::measure(rows, summary))
        .collect();
    let mut table = format!(
        "SOD1-G93A mouse (`scenarios/sod1-g93a-mouse.ron`, {seeds} seeds from {}):\n\n{}",
        mouse[0].seed,
        mouse_table(&courses)
    );
    let courses = run_bodies(&mouse_body, progress)?;
    table.push_str(&format!(
        "\nSOD1-G93A mouse body of regions (`scenarios/{MOUSE_BODY}.ron`, {seeds} seeds from {}; end stage is respiratory failure):\n\n{BODY_HEADER}{}",
        mouse_body[0].seed,
        body::mouse_rows(MOUSE_BODY, &courses)
    ));
    if !human.is_empty() {
        let mut courses = Vec::new();
        for (name, scenarios) in HUMAN_SCENARIOS.iter().zip(&human) {
            let measured = run_all(scenarios, progress)?
                .iter()
                .map(|(_, summary)| HumanCourse::measure(summary))
                .collect();
            courses.push((*name, measured));
        }
        table.push_str(&format!(
            "\nHuman lifetimes (`scenarios/<name>.ron`, {seeds} seeds each; ages in years):\n\n{}",
            human_table(&courses)
        ));
        let courses = run_bodies(&human_body, progress)?;
        table.push_str(&format!(
            "\nHuman body of regions (`scenarios/{HUMAN_BODY}.ron`, {seeds} seeds from {}; the site of onset drawn per run from the registry's shares):\n\n{BODY_HEADER}{}",
            human_body[0].seed,
            body::human_rows(HUMAN_BODY, &courses)
        ));
        table.push_str(&format!(
            "\nFamilial bodies of regions (`scenarios/<name>.ron`: `{HUMAN_BODY}.ron` with the mutation in every region, {seeds} seeds each):\n\n{BODY_HEADER}"
        ));
        for (target, scenarios) in FAMILIAL_BODIES.iter().zip(&familial) {
            let courses = run_bodies(scenarios, progress)?;
            table.push_str(&body::familial_rows(target, &courses));
        }
    }
    Ok(table)
}

/// Marks where the generated population table (`alsim calibrate --cohorts`) starts.
pub const POPULATION_BEGIN: &str =
    "<!-- population-table:begin (generated by `alsim calibrate --cohorts`; do not edit) -->";
/// Marks where it ends.
pub const POPULATION_END: &str = "<!-- population-table:end -->";

/// Replaces what lies between the markers `begin` and `end` ([`BEGIN`] and [`END`], or
/// [`POPULATION_BEGIN`] and [`POPULATION_END`]) in the document `path` with `table`, writing a
/// temporary file renamed into place so a failure never leaves it half-written.
pub fn write_table(
    path: &Path,
    (begin, end): (&'static str, &'static str),
    table: &str,
) -> Result<(), RunError> {
    let text = std::fs::read_to_string(path).map_err(|source| OutputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let (Some(start), Some(stop)) = (text.find(begin), text.find(end)) else {
        return Err(RunError::NoMarkers {
            path: path.to_path_buf(),
            begin,
            end,
        });
    };
    let updated = format!("{}{begin}\n{table}{}", &text[..start], &text[stop..]);
    alsim_io::write_file(path, updated.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_the_sample_mean_and_sd_of_reached_runs() {
        let s = Spread::of(&[Some(2.0), None, Some(4.0), Some(6.0)]).unwrap();
        assert_eq!((s.mean, s.reached, s.runs), (4.0, 3, 4));
        assert!((s.sd - 2.0).abs() < 1e-12);
        assert_eq!(Spread::of(&[None, None]), None);
    }

    #[test]
    fn table_marks_a_target_inside_only_when_every_run_reached_it_within_range() {
        let course = |onset| MouseCourse {
            onset,
            ..MouseCourse::default()
        };
        let table = mouse_table(&[course(Some(90.0)), course(Some(100.0))]);
        let onset_row = table
            .lines()
            .find(|l| l.starts_with("| clinical onset"))
            .unwrap();
        assert!(onset_row.contains("95.0 ± 7.1 (2/2) | yes"), "{onset_row}");
        let table = mouse_table(&[course(Some(90.0)), course(None)]);
        let onset_row = table
            .lines()
            .find(|l| l.starts_with("| clinical onset"))
            .unwrap();
        assert!(onset_row.contains("(1/2) | no"), "{onset_row}");
    }

    fn human(onset: f64) -> HumanCourse {
        HumanCourse {
            age_at_onset: Some(onset),
        }
    }

    fn row<'a>(table: &'a str, scenario: &str, observable: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(&format!("| `{scenario}.ron` | {observable}")))
            .unwrap_or_else(|| panic!("no {scenario} {observable} row in\n{table}"))
    }

    #[test]
    fn human_table_compares_ages_and_differences_with_targets() {
        let courses = vec![
            ("sporadic", vec![human(60.0), human(62.0), human(61.0)]),
            ("tardbp", vec![human(57.0), human(55.0)]),
            ("sporadic-toxin", vec![human(60.0)]),
        ];
        let table = human_table(&courses);
        assert!(row(&table, "sporadic", "mean age at onset").contains("61.0 ± 1.0 (3/3) | yes"));
        // 61 − 56 = 5 years earlier, inside 2.8–7.8.
        assert!(row(&table, "tardbp", "onset earlier").contains("| 5.0 | yes"));
        assert!(row(&table, "sporadic-toxin", "mean age at onset minus").contains("| -1.0 |"));
        // Scenarios not run get no rows.
        assert!(!table.contains("fus.ron"));
    }

    #[test]
    fn the_table_replaces_what_lies_between_the_markers_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("model.md");
        std::fs::write(&doc, format!("# Model\n{BEGIN}\nold table\n{END}\nafter\n")).unwrap();
        write_table(&doc, (BEGIN, END), "| new |\n").unwrap();
        let text = std::fs::read_to_string(&doc).unwrap();
        assert_eq!(text, format!("# Model\n{BEGIN}\n| new |\n{END}\nafter\n"));

        std::fs::write(&doc, "no markers\n").unwrap();
        let err = write_table(&doc, (BEGIN, END), "| new |\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("model.md: no calibration markers"), "{err}");
        assert_eq!(std::fs::read_to_string(&doc).unwrap(), "no markers\n");
    }

    #[test]
    fn calibrating_with_no_seeds_is_refused_before_anything_runs() {
        let err = calibrate(Path::new("no/such/folder"), 0, true, &crate::NoProgress)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "--seeds must be at least 1");
    }
}
