//! A cohort's people table: each person's draws beside their outcomes, read back from the run
//! folders of a finished cohort (`alsim cohort`).
//!
//! ```text
//! batch.json (people and their draws) + runs/<person>/summary.json (+ timeseries.csv for a block)
//!     --outcomes--> PersonOutcome per person --write_people--> people.csv
//!                                            --write_report--> report/cohort.md + figures
//! ```
//!
//! Onset is clinical onset (the whole body's first region, or the block's force proxy below its
//! threshold). End stage is respiratory failure in a body and, in a block, the force proxy
//! below [`END_STAGE_FORCE`] (the calibration's end stage). A run that stops before end stage
//! was censored: by death of other causes when it stopped at the person's drawn age at death,
//! else by the end of follow-up (the scenario's duration).

use crate::RunError;
use crate::calibration::END_STAGE_FORCE;
use crate::plan::{BatchFile, PlannedRun};
use alsim_io::names;
use alsim_io::table::{Cell, Table};
use alsim_report::CohortPerson;
use alsim_scenario::PersonRecord;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// File name of the people table in a cohort folder.
pub const PEOPLE_FILE: &str = "people.csv";
/// Stem of the people tables (`people.csv`, `people.parquet`).
const PEOPLE_STEM: &str = "people";

/// How a person's follow-up ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// End stage of ALS: respiratory failure (a body) or force below end stage (a block).
    Als,
    /// Death of other causes, at the person's drawn age, before ALS end stage.
    OtherCauses,
    /// The run's duration, with the person alive and not at end stage.
    EndOfFollowUp,
}

impl End {
    /// The name written in `people.csv`.
    pub fn name(self) -> &'static str {
        match self {
            End::Als => "als",
            End::OtherCauses => "other_causes",
            End::EndOfFollowUp => "end_of_follow_up",
        }
    }
}

/// What happened to one person.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonOutcome {
    /// Who they are.
    pub person: PersonRecord,
    /// Age at the start of their run, years.
    pub start_age_years: f64,
    /// Age at clinical onset, if reached.
    pub onset_age_years: Option<f64>,
    /// The region of onset (a body) if reached.
    pub site_of_onset: Option<String>,
    /// Age at end stage, if reached.
    pub end_stage_age_years: Option<f64>,
    /// Age at the end of follow-up: end stage, death of other causes or the run's end.
    pub end_age_years: f64,
    /// How follow-up ended.
    pub end: End,
}

impl PersonOutcome {
    /// Years from onset to end stage, or to the end of follow-up (censored), if onset came.
    pub fn survival_from_onset_years(&self) -> Option<(f64, bool)> {
        let onset = self.onset_age_years?;
        Some(match self.end_stage_age_years {
            Some(end) => (end - onset, true),
            None => (self.end_age_years - onset, false),
        })
    }
}

/// The parts of a block's or a body's `summary.json` the table needs.
#[derive(Deserialize)]
struct SummaryFields {
    start_age_years: f64,
    simulated_days: f64,
    age_at_clinical_onset_years: Option<f64>,
    #[serde(default)]
    site_of_onset: Option<String>,
    #[serde(default)]
    days_to_respiratory_failure: Option<f64>,
    /// Present in a body's summary only.
    #[serde(default)]
    regions: Option<serde_json::Value>,
}

/// Every finished person of the cohort in `dir`, in plan order; people whose run is not
/// finished are left out (a shard's folder holds only its own).
pub fn outcomes(dir: &Path) -> Result<Vec<PersonOutcome>, RunError> {
    let plan = BatchFile::read(dir)?;
    let mut out = Vec::new();
    for run in &plan.runs {
        let Some(person) = &run.person else {
            return Err(RunError::Invalid(format!(
                "{} is a batch, not a cohort: its run {} is no person of a cohort",
                dir.display(),
                run.name
            )));
        };
        let run_dir = BatchFile::run_dir(dir, run);
        if !run_dir.join(names::SUMMARY).is_file() {
            continue;
        }
        out.push(outcome(&run_dir, run, person)?);
    }
    Ok(out)
}

fn outcome(dir: &Path, run: &PlannedRun, person: &PersonRecord) -> Result<PersonOutcome, RunError> {
    let bad = |path: PathBuf, what: String| {
        RunError::Invalid(format!("{}: {what} (run {})", path.display(), run.name))
    };
    let summary_path = dir.join(names::SUMMARY);
    let text = std::fs::read_to_string(&summary_path)
        .map_err(|e| bad(summary_path.clone(), e.to_string()))?;
    let s: SummaryFields =
        serde_json::from_str(&text).map_err(|e| bad(summary_path.clone(), e.to_string()))?;
    let end_stage_days = if s.regions.is_some() {
        s.days_to_respiratory_failure
    } else {
        first_day_below(&dir.join(names::TIMESERIES), "force_proxy", END_STAGE_FORCE)?
    };
    let (end_age, end_stage_age) = end_ages(s.start_age_years, s.simulated_days, end_stage_days);
    let end = match (end_stage_days, person.death_age_years) {
        (Some(_), _) => End::Als,
        // The run was cut at the drawn age at death (to within a tick).
        (None, Some(death)) if cut_at_death(end_age, death) => End::OtherCauses,
        (None, _) => End::EndOfFollowUp,
    };
    Ok(PersonOutcome {
        person: person.clone(),
        start_age_years: s.start_age_years,
        onset_age_years: s.age_at_clinical_onset_years,
        site_of_onset: s.site_of_onset,
        end_stage_age_years: end_stage_age,
        end_age_years: end_age,
        end,
    })
}

/// The ages, years, at which a run from `start_age` ended (after `simulated_days`) and, when
/// it did, reached end stage (on `end_stage_day`): a run stops at end stage or goes on to its
/// end.
pub(crate) fn end_ages(
    start_age: f64,
    simulated_days: f64,
    end_stage_day: Option<f64>,
) -> (f64, Option<f64>) {
    let age = |days: f64| start_age + days / alsim_core::DAYS_PER_YEAR;
    (
        age(end_stage_day.unwrap_or(simulated_days)),
        end_stage_day.map(age),
    )
}

/// Whether a run that ended at `end_age` without ALS end stage was cut at the person's drawn
/// age at death of other causes (runs end on a tick, so to within a day).
pub(crate) fn cut_at_death(end_age: f64, death_age: f64) -> bool {
    end_age >= death_age - 1.0 / alsim_core::DAYS_PER_YEAR
}

/// The first `time_days` at which `column` of the time series at `path` is below `threshold`.
fn first_day_below(path: &Path, column: &str, threshold: f64) -> Result<Option<f64>, RunError> {
    let bad = |what: String| RunError::Invalid(format!("{}: {what}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("has no column {name}")))
    };
    let (time, value) = (find("time_days")?, find(column)?);
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let number = |i: usize| record[i].parse::<f64>().map_err(|e| bad(e.to_string()));
        if alsim_core::mechanisms::motor_units::is_below(number(value)?, threshold) {
            return Ok(Some(number(time)?));
        }
    }
    Ok(None)
}

/// Writes the report of the cohort in `dir` (`cohort.md` and its figures, alsim-report) for
/// `people` into `dir/report/`, titled by the cohort file's stem (so a merged cohort's report
/// is the whole cohort's).
pub fn write_report(dir: &Path, people: &[PersonOutcome]) -> Result<PathBuf, RunError> {
    let plan = BatchFile::read(dir)?;
    let name = plan.runs.first().map_or("", |r| r.group.as_str());
    alsim_report::write_cohort_report(&dir.join("report"), name, &report_rows(people))
        .map_err(|e| RunError::Invalid(format!("cohort report: {e}")))
}

/// The outcomes as the report's rows.
pub fn report_rows(people: &[PersonOutcome]) -> Vec<CohortPerson> {
    people
        .iter()
        .map(|p| CohortPerson {
            entry_age: p.start_age_years,
            onset_age: p.onset_age_years,
            end_age: p.end_age_years,
            site: p.site_of_onset.clone(),
            survival: p.survival_from_onset_years(),
            died_of_other_causes: p.end == End::OtherCauses,
        })
        .collect()
}

/// Writes `people.csv` and `people.parquet` in `dir`: one row per person, their draws (one
/// column per drawn parameter, one per exposure's dose) and outcomes (ages in years; empty when
/// not reached). Returns the CSV's path.
pub fn write_people(dir: &Path, people: &[PersonOutcome]) -> Result<PathBuf, RunError> {
    let mut traits: Vec<&str> = Vec::new();
    let mut exposures: Vec<&str> = Vec::new();
    for p in people {
        for (path, _) in &p.person.draws {
            if !traits.contains(&path.as_str()) {
                traits.push(path);
            }
        }
        for (name, _) in &p.person.exposures {
            if !exposures.contains(&name.as_str()) {
                exposures.push(name);
            }
        }
    }
    let mut header: Vec<String> = ["person", "seed", "sex"].map(String::from).to_vec();
    header.extend(traits.iter().map(|t| t.to_string()));
    header.extend(exposures.iter().map(|e| format!("dose:{e}")));
    header.extend(
        [
            "start_age_years",
            "other_cause_death_age_years",
            "onset_age_years",
            "site_of_onset",
            "end_stage_age_years",
            "survival_from_onset_years",
            "survival_censored",
            "end",
            "end_age_years",
        ]
        .map(String::from),
    );
    let mut table = Table::new(header);
    let number = |x: Option<f64>| x.map_or(Cell::Null, Cell::Float);
    for p in people {
        let r = &p.person;
        let mut row = vec![
            Cell::UInt(r.index),
            Cell::UInt(r.seed),
            Cell::Text(r.sex.name().into()),
        ];
        row.extend(traits.iter().map(|t| {
            r.draws
                .iter()
                .find(|(k, _)| k == t)
                .map_or(Cell::Null, |(_, v)| Cell::parse(v))
        }));
        row.extend(
            exposures
                .iter()
                .map(|e| number(r.exposures.iter().find(|(k, _)| k == e).map(|(_, d)| *d))),
        );
        let survival = p.survival_from_onset_years();
        row.extend([
            Cell::Float(p.start_age_years),
            number(r.death_age_years),
            number(p.onset_age_years),
            p.site_of_onset.clone().map_or(Cell::Null, Cell::Text),
            number(p.end_stage_age_years),
            number(survival.map(|s| s.0)),
            survival.map_or(Cell::Null, |s| Cell::Bool(!s.1)),
            Cell::Text(p.end.name().into()),
            Cell::Float(p.end_age_years),
        ]);
        table.rows.push(row);
    }
    let [csv, _] = table.write(dir, PEOPLE_STEM)?;
    Ok(csv)
}
