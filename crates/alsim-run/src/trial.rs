//! A randomised virtual trial (`alsim trial`): the people of a cohort of bodies screened after
//! their onset, each enrolled person's body at randomisation forked into every arm (common
//! random numbers: the twins differ only in the arm's therapies), the endpoints read at the
//! end of follow-up, and the trial analysed with the arms as randomised.
//!
//! ```text
//! trial scenario --person(i)--> Body --steps--> onset --> screening visit (the first output
//!     row on or after onset + the person's drawn months)
//!        not eligible (no onset, follow-up over, ALSFRS-R or FVC too low): recorded as such
//!        eligible: save_state --restore into each arm's scenario (its therapies from that
//!                  day)--> steps to the first visit on or after the end of follow-up
//!     --> people/person-<i>.json (written when done; a rerun skips it)
//! all people --permuted blocks over the enrolled, by index--> assigned arms
//!     --> people.csv / people.parquet, report/trial.md (alsim-report)
//! ```
//!
//! A person's screening visit is an output row, where a step of the body ends anyway, so the
//! state forked there is that of the person's run without a trial; a twin starts from it bit
//! for bit and follows a run of its arm's scenario from the start closely (`tests/trial.rs`;
//! docs/model.md, "Virtual trials", on why not yet bit for bit).

use crate::RunError;
use crate::progress::{CancelToken, Progress, Step};
use alsim_core::{Body, Summary};
use alsim_io::table::{Cell, Table};
use alsim_report::{ArmEndpoints, Screening, TrialDesign, TrialPerson};
use alsim_scenario::Scenario;
use alsim_scenario::trial::{DAYS_PER_MONTH, Trial};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// The resolved trial scenario a trial folder was started with.
const TRIAL_FILE: &str = "trial.ron";
/// Folder of the finished people's records.
const PEOPLE_DIR: &str = "people";

/// One visit: a row of the body's time series after randomisation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Days since randomisation.
    pub day: f64,
    /// ALSFRS-R total, of 48.
    pub alsfrs_r: f64,
    /// Forced vital capacity, % predicted.
    pub fvc_percent: f64,
    /// Blood NfL, pg/mL; `None` with the mechanism off.
    pub nfl_pg_per_ml: Option<f64>,
}

/// One enrolled person's follow-up in one arm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmCourse {
    /// Visits from randomisation (day 0) to the end of follow-up or end stage.
    pub visits: Vec<Visit>,
    /// Days from randomisation to respiratory failure, if it came during follow-up.
    pub end_stage_day: Option<f64>,
    /// Days followed.
    pub followed_days: f64,
}

impl ArmCourse {
    /// The endpoints: ALSFRS-R and NfL at the last visit (the last before end stage for a
    /// person who reached it) against randomisation, and survival from randomisation.
    pub fn endpoints(&self) -> ArmEndpoints {
        let (first, last) = (self.visits[0], self.visits[self.visits.len() - 1]);
        let log_nfl_ratio = match (first.nfl_pg_per_ml, last.nfl_pg_per_ml) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 => Some((b / a).ln()),
            _ => None,
        };
        ArmEndpoints {
            alsfrs_r_change: last.alsfrs_r - first.alsfrs_r,
            log_nfl_ratio,
            survival_days: self.end_stage_day.unwrap_or(self.followed_days),
            end_stage: self.end_stage_day.is_some(),
        }
    }
}

/// Whether and why a person was enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Randomised.
    Enrolled,
    /// No clinical onset during the person's follow-up.
    NoOnset,
    /// End stage, death of other causes or the run's end before the screening visit.
    EndedBeforeScreening,
    /// ALSFRS-R below the criterion at screening.
    AlsfrsRBelow,
    /// FVC below the criterion at screening.
    FvcBelow,
}

impl Status {
    /// As `people.csv` and the person's record name it.
    pub fn code(self) -> &'static str {
        match self {
            Status::Enrolled => "enrolled",
            Status::NoOnset => "no_onset",
            Status::EndedBeforeScreening => "ended_before_screening",
            Status::AlsfrsRBelow => "alsfrs_r_below",
            Status::FvcBelow => "fvc_below",
        }
    }

    /// As the report and table name it.
    pub fn text(self) -> &'static str {
        match self {
            Status::Enrolled => "enrolled",
            Status::NoOnset => "no onset during follow-up",
            Status::EndedBeforeScreening => "end stage or death before screening",
            Status::AlsfrsRBelow => "ALSFRS-R below the criterion",
            Status::FvcBelow => "FVC below the criterion",
        }
    }
}

/// One screened person of a trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTrial {
    /// Index in the cohort.
    pub index: u64,
    /// Seed of their run.
    pub seed: u64,
    /// Age at the start of their run, years.
    pub start_age_years: f64,
    /// Day of clinical onset, if reached.
    pub onset_day: Option<f64>,
    /// Months after onset at which they were to be screened (drawn).
    pub screening_months: f64,
    /// Day of the screening visit, the randomisation day when enrolled.
    pub screening_day: Option<f64>,
    /// Whether and why enrolled.
    pub status: Status,
    /// Their state at screening, if they were screened.
    pub screened: Option<Visit>,
    /// Their follow-up in each arm, in the arms' order, when enrolled.
    pub arms: Vec<ArmCourse>,
}

/// What a finished trial holds.
#[derive(Debug)]
pub struct TrialOutcome {
    /// People run now.
    pub ran: usize,
    /// People already finished in the folder.
    pub skipped: usize,
    /// People enrolled.
    pub enrolled: usize,
    /// `people.csv`.
    pub table: PathBuf,
    /// `report/trial.md`.
    pub report: PathBuf,
}

/// Steps a person's bodies, telling the progress and minding the cancel token.
struct Stepper<'a> {
    name: &'a str,
    progress: &'a dyn Progress,
    cancel: &'a CancelToken,
}

impl Stepper<'_> {
    fn step(&self, body: &mut Body) -> Result<(), RunError> {
        if self.cancel.is_cancelled() {
            return Err(stopped());
        }
        body.step();
        body.check_state()?;
        self.progress.advanced(
            self.name,
            Step {
                tick: body.tick(),
                total_ticks: body.total_ticks(),
                day: body.time_days(),
                motor_neurons_alive: body.summary().motor_neurons_final_alive,
            },
        );
        Ok(())
    }
}

/// A person stopped by the cancel token: not written, so a rerun takes them up again.
fn stopped() -> RunError {
    RunError::TrialCancelled {
        finished: 0,
        left: 1,
    }
}

fn visit(body: &Body, randomised_day: f64) -> Visit {
    let f = body.function();
    Visit {
        day: body.time_days() - randomised_day,
        alsfrs_r: f[4],
        fvc_percent: f[5],
        nfl_pg_per_ml: body.summary().nfl_blood_pg_per_ml_final,
    }
}

fn has_ended(body: &Body) -> bool {
    body.is_finished() || body.respiratory_failure_day().is_some()
}

/// Screens person `index` of the trial `scenario` (from `origin`) and, if enrolled, follows
/// their twins in every arm; with the summary of the last body run (the last arm's twin).
pub fn run_person(
    scenario: &Scenario,
    origin: &str,
    index: u64,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<(PersonTrial, Summary), RunError> {
    let name = format!("person-{index:06}");
    let stepper = Stepper {
        name: &name,
        progress,
        cancel,
    };
    let trial = scenario
        .trial
        .as_ref()
        .ok_or_else(|| RunError::Invalid(format!("{origin} has no trial section")))?;
    let person = scenario.person(index, origin)?;
    let s = &person.scenario;
    let mut body = Body::new(s)?;
    let months = trial.screening_months(scenario.seed, index);
    let mut record = PersonTrial {
        index,
        seed: person.record.seed,
        start_age_years: s.time.start_age_years,
        onset_day: None,
        screening_months: months,
        screening_day: None,
        status: Status::NoOnset,
        screened: None,
        arms: Vec::new(),
    };
    let onset = loop {
        if let Some(day) = body.summary().days_to_clinical_onset {
            break day;
        }
        if body.is_finished() {
            return Ok((record, body.summary().clone()));
        }
        stepper.step(&mut body)?;
    };
    record.onset_day = Some(onset);
    let screening_day = onset + months * DAYS_PER_MONTH;
    loop {
        if has_ended(&body) {
            record.status = Status::EndedBeforeScreening;
            return Ok((record, body.summary().clone()));
        }
        if body.time_days() >= screening_day && body.is_output_tick() {
            break;
        }
        stepper.step(&mut body)?;
    }
    let day = body.time_days();
    let screened = visit(&body, day);
    record.screening_day = Some(day);
    record.screened = Some(screened);
    record.status = if screened.alsfrs_r < trial.enrolment.alsfrs_r_min {
        Status::AlsfrsRBelow
    } else if screened.fvc_percent < trial.enrolment.fvc_percent_min {
        Status::FvcBelow
    } else {
        Status::Enrolled
    };
    if record.status != Status::Enrolled {
        return Ok((record, body.summary().clone()));
    }
    let state = body.save_state();
    let twins = (0..trial.arms.len())
        .map(|arm| {
            let mut arm_scenario = s.clone();
            arm_scenario
                .interventions
                .extend(trial.interventions(arm, day));
            Body::restore(&arm_scenario, state.clone())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut summary = body.summary().clone();
    for mut twin in twins {
        record
            .arms
            .push(follow(&mut twin, day, trial.duration_days, &stepper)?);
        summary = twin.summary().clone();
    }
    Ok((record, summary))
}

/// Follows a twin from randomisation on `day` to the first visit (output row) on or after
/// `duration` days later, or to its end.
fn follow(
    body: &mut Body,
    day: f64,
    duration: f64,
    stepper: &Stepper,
) -> Result<ArmCourse, RunError> {
    let mut visits = vec![visit(body, day)];
    loop {
        stepper.step(body)?;
        if body.is_output_tick() {
            visits.push(visit(body, day));
            if body.is_finished() || body.time_days() >= day + duration {
                break;
            }
        }
    }
    let followed_days = body.time_days() - day;
    let end_stage_day = body.respiratory_failure_day().map(|d| d - day);
    Ok(ArmCourse {
        visits,
        end_stage_day,
        followed_days,
    })
}

/// Runs the trial of `scenario` (its cohort's first `people` people, or the cohort's size)
/// into `out`, people at once on a pool of `threads`; people finished in `out` by an earlier
/// run of the same trial are kept. Then allocates, tabulates and reports.
pub fn run_trial(
    path: &Path,
    scenario: &Scenario,
    people: Option<u64>,
    out: &Path,
    threads: Option<usize>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<TrialOutcome, RunError> {
    let origin = path.display().to_string();
    let (Some(trial), Some(cohort)) = (&scenario.trial, &scenario.cohort) else {
        return Err(RunError::Invalid(format!(
            "{origin} has no trial and cohort sections; see docs/scenarios.md, \"trial\""
        )));
    };
    let n = crate::plan::cohort_size(cohort, people)?;
    alsim_io::make_folder(&out.join(PEOPLE_DIR))?;
    let text = scenario.to_ron_string();
    let held = out.join(TRIAL_FILE);
    match std::fs::read_to_string(&held) {
        Ok(existing) if existing != text => {
            return Err(RunError::Invalid(format!(
                "{} holds another trial (its {TRIAL_FILE} differs from {origin}); choose another --out or remove the folder",
                out.display()
            )));
        }
        Ok(_) => {}
        Err(_) => alsim_io::write_file(&held, text.as_bytes())?,
    }
    let file = |i: u64| out.join(PEOPLE_DIR).join(format!("person-{i:06}.json"));
    let todo: Vec<u64> = (0..n).filter(|&i| !file(i).is_file()).collect();
    let skipped = (n as usize) - todo.len();
    progress.planned(todo.len());
    let failures = Mutex::new(Vec::new());
    let pool = crate::pool(threads)?;
    pool.install(|| {
        todo.par_iter().for_each(|&i| {
            if cancel.is_cancelled() {
                return;
            }
            let name = format!("person-{i:06}");
            progress.started(&name, scenario.time.ticks());
            let start = Instant::now();
            let result =
                run_person(scenario, &origin, i, progress, cancel).and_then(|(p, summary)| {
                    let json = serde_json::to_vec_pretty(&p)
                        .map_err(|e| RunError::Invalid(format!("{name}: {e}")))?;
                    alsim_io::write_file(&file(i), &json)?;
                    Ok(summary)
                });
            match result {
                Ok(summary) => progress.finished(&name, Ok(&summary), start.elapsed()),
                Err(e) => {
                    progress.finished(&name, Err(&e), start.elapsed());
                    failures.lock().expect("no panics hold it").push((name, e));
                }
            }
        });
    });
    let failures = failures.into_inner().expect("no panics hold it");
    if cancel.is_cancelled() {
        let finished = (0..n).filter(|&i| file(i).is_file()).count();
        return Err(RunError::TrialCancelled {
            finished,
            left: n as usize - finished,
        });
    }
    if let Some((name, e)) = failures.into_iter().next() {
        return Err(RunError::Invalid(format!(
            "{name}: {}; the people finished are kept, so the same command goes on from there",
            e.chain()
        )));
    }
    let screened = (0..n)
        .map(|i| read_person(&file(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let enrolled: Vec<&PersonTrial> = screened
        .iter()
        .filter(|p| p.status == Status::Enrolled)
        .collect();
    let weights: Vec<u32> = trial.arms.iter().map(|a| a.allocation).collect();
    let assigned = alsim_stats::permuted_blocks(
        &weights,
        enrolled.len(),
        Trial::allocation_seed(scenario.seed),
    );
    let table = write_people(out, trial, &screened, &enrolled, &assigned)?;
    let design = TrialDesign {
        name: scenario.name.clone(),
        arms: trial.arms.iter().map(|a| a.name.clone()).collect(),
        allocation: weights,
        duration_days: trial.duration_days,
        power_sizes: trial.power.people.clone(),
        resamples: trial.power.resamples,
        alpha: trial.power.alpha,
        seed: Trial::allocation_seed(scenario.seed),
    };
    let people: Vec<TrialPerson> = enrolled
        .iter()
        .zip(&assigned)
        .map(|(p, &arm)| {
            let visits = &p.arms[arm].visits;
            TrialPerson {
                assigned: arm,
                arms: p.arms.iter().map(ArmCourse::endpoints).collect(),
                visits: visits
                    .iter()
                    .map(|v| (v.day, v.alsfrs_r - visits[0].alsfrs_r))
                    .collect(),
            }
        })
        .collect();
    let report = alsim_report::write_trial_report(
        &out.join("report"),
        &design,
        &screening(&screened),
        &people,
    )
    .map_err(|e| RunError::Invalid(format!("trial report: {e}")))?;
    Ok(TrialOutcome {
        ran: todo.len(),
        skipped,
        enrolled: enrolled.len(),
        table,
        report,
    })
}

fn read_person(path: &Path) -> Result<PersonTrial, RunError> {
    let bad = |what: String| RunError::Invalid(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("{e}; remove it to run the person again")))
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn screening(people: &[PersonTrial]) -> Screening {
    let mut not_enrolled: Vec<(String, usize)> = Vec::new();
    for p in people.iter().filter(|p| p.status != Status::Enrolled) {
        match not_enrolled
            .iter_mut()
            .find(|(why, _)| why == p.status.text())
        {
            Some((_, n)) => *n += 1,
            None => not_enrolled.push((p.status.text().into(), 1)),
        }
    }
    let enrolled: Vec<(&PersonTrial, Visit)> = people
        .iter()
        .filter(|p| p.status == Status::Enrolled)
        .filter_map(|p| Some((p, p.screened?)))
        .collect();
    Screening {
        people: people.len(),
        not_enrolled,
        baseline: [
            mean(enrolled.iter().map(|(_, v)| v.alsfrs_r)),
            mean(enrolled.iter().map(|(_, v)| v.fvc_percent)),
            mean(
                enrolled
                    .iter()
                    .filter_map(|(p, _)| Some((p.screening_day? - p.onset_day?) / DAYS_PER_MONTH)),
            ),
            mean(enrolled.iter().filter_map(|(_, v)| v.nfl_pg_per_ml)),
        ],
    }
}

/// `people.csv` and `people.parquet`: one row per screened person; for the enrolled their arm
/// and their endpoints in every arm (the twins).
fn write_people(
    out: &Path,
    trial: &Trial,
    screened: &[PersonTrial],
    enrolled: &[&PersonTrial],
    assigned: &[usize],
) -> Result<PathBuf, RunError> {
    let mut header: Vec<String> = [
        "person",
        "seed",
        "status",
        "onset_age_years",
        "screening_months_since_onset",
        "randomisation_age_years",
        "arm",
        "alsfrs_r_at_randomisation",
        "fvc_percent_at_randomisation",
        "nfl_pg_per_ml_at_randomisation",
    ]
    .map(String::from)
    .to_vec();
    for arm in &trial.arms {
        for column in [
            "alsfrs_r_change",
            "log_nfl_ratio",
            "days_to_end_stage_or_censoring",
            "end_stage",
        ] {
            header.push(format!("{}:{column}", arm.name));
        }
    }
    let mut table = Table::new(header);
    let number = |x: Option<f64>| x.map_or(Cell::Null, Cell::Float);
    let age = |p: &PersonTrial, day: Option<f64>| {
        day.map(|d| p.start_age_years + d / alsim_core::DAYS_PER_YEAR)
    };
    for p in screened {
        let arm = enrolled
            .iter()
            .position(|e| e.index == p.index)
            .map(|k| trial.arms[assigned[k]].name.clone());
        let mut row = vec![
            Cell::UInt(p.index),
            Cell::UInt(p.seed),
            Cell::Text(p.status.code().into()),
            number(age(p, p.onset_day)),
            number(
                p.screening_day
                    .zip(p.onset_day)
                    .map(|(s, o)| (s - o) / DAYS_PER_MONTH),
            ),
            number(age(p, p.screening_day)),
            arm.map_or(Cell::Null, Cell::Text),
            number(p.screened.map(|v| v.alsfrs_r)),
            number(p.screened.map(|v| v.fvc_percent)),
            number(p.screened.and_then(|v| v.nfl_pg_per_ml)),
        ];
        for k in 0..trial.arms.len() {
            match p.arms.get(k).map(ArmCourse::endpoints) {
                Some(e) => row.extend([
                    Cell::Float(e.alsfrs_r_change),
                    number(e.log_nfl_ratio),
                    Cell::Float(e.survival_days),
                    Cell::Bool(e.end_stage),
                ]),
                None => row.extend([Cell::Null, Cell::Null, Cell::Null, Cell::Null]),
            }
        }
        table.rows.push(row);
    }
    let [csv, _] = table.write(out, "people")?;
    Ok(csv)
}
