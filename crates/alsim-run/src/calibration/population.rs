//! Calibration of populations: the bundled cohorts (`scenarios/cohorts/`) against the registry
//! rows of `docs/calibration-targets.md` (sections B and F): the mean and spread of age at onset
//! among the people who reach it, the number of steps that age-specific incidence implies, and,
//! for the cohort of bodies, the site of onset and survival from onset.
//!
//! ```text
//! cohorts/<name>.ron --person(i), i < N--> people --run, measure--> CohortPerson per person
//!   --alsim_report::analyse_cohort--> onset summary, sites, Kaplan-Meier, steps --> rows
//! ```
//!
//! Each person is measured as `alsim cohort` measures them (`crate::cohort`): end stage is
//! respiratory failure in a body and the force proxy below [`END_STAGE_FORCE`] in a block, and
//! a run cut by death of other causes or by the end of follow-up is censored.

use super::body::{BodyCourse, row, run_body, share_cell, site_class};
use super::{END_STAGE_FORCE, run_each};
use crate::{Progress, RunError};
use alsim_core::mechanisms::motor_units::is_below;
use alsim_core::{Simulation, Summary};
use alsim_report::{CohortAnalysis, CohortPerson, analyse_cohort};
use alsim_scenario::Scenario;
use std::path::Path;

/// What a population target compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopulationObservable {
    /// Mean age at onset among the people who reached it, years.
    MeanOnset,
    /// Standard deviation of age at onset among them, years.
    OnsetSd,
    /// Mean age at onset, years earlier than the sporadic cohort's.
    EarlierThanSporadic,
    /// Number of steps implied by the slope of log incidence on log age (slope + 1).
    Steps,
    /// Share of onsets in a site class (0 limb, 1 bulbar, 2 trunk or respiratory), percent.
    SiteShare(usize),
    /// Kaplan–Meier median survival from onset to respiratory failure, years.
    MedianSurvival,
    /// Kaplan–Meier share without respiratory failure 10 years after onset, percent.
    AliveAfter10Years,
}

/// A population target for one bundled cohort.
#[derive(Clone, Copy, Debug)]
pub struct PopulationTarget {
    /// Bundled cohort (file stem in `scenarios/cohorts/`).
    pub cohort: &'static str,
    /// What is compared.
    pub observable: PopulationObservable,
    /// Lower end of the range.
    pub low: f64,
    /// Upper end of the range.
    pub high: f64,
    /// Where the target comes from.
    pub source: &'static str,
}

/// The cohorts of lifetime blocks the table covers, the sporadic one first.
pub const BLOCK_COHORTS: [&str; 5] = ["sporadic", "sod1", "c9orf72", "tardbp", "fus"];
/// The cohort of bodies of regions the table covers.
pub const BODY_COHORT: &str = "sporadic-body";

const ONSET_SD_SOURCE: &str =
    "Alčaz et al. 1996 (56.2 ± 9.8); Strong et al. 1991 (familial 45.7 ± 11.3)";
/// Chiò et al. 2018: slope 4.65 (95% CI 4.37–4.95) in the whole population, so 5.4–6.0 steps.
const SPORADIC_STEPS: (f64, f64) = (5.37, 5.95);
const STEPS_SOURCE: &str = "Chiò et al. 2018 (Al-Chalabi et al. 2014: about 6 steps)";

const fn target(
    cohort: &'static str,
    observable: PopulationObservable,
    (low, high): (f64, f64),
    source: &'static str,
) -> PopulationTarget {
    PopulationTarget {
        cohort,
        observable,
        low,
        high,
        source,
    }
}

use PopulationObservable::*;

/// The targets, in table order. The number of steps of a genotype is a point value in Chiò et
/// al. 2018 except for C9orf72 (slope 2.22, 95% CI 1.74–2.29): ±0.5 step around it is taken as
/// its range. The spread of onset among cases is 10–12 years in sporadic and familial series
/// alike.
pub const POPULATION_TARGETS: [PopulationTarget; 21] = [
    target(
        "sporadic",
        MeanOnset,
        (58.0, 63.0),
        "Logroscino et al. 2010; Chiò et al. 2013",
    ),
    target("sporadic", OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target("sporadic", Steps, SPORADIC_STEPS, STEPS_SOURCE),
    target("sod1", MeanOnset, (45.0, 55.0), "Bali et al. 2017"),
    target("sod1", OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target("sod1", Steps, (1.5, 2.5), "Chiò et al. 2018 (2 steps)"),
    target(
        "c9orf72",
        MeanOnset,
        (53.0, 59.0),
        "Byrne et al. 2012; Majounie et al. 2012",
    ),
    target("c9orf72", OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target(
        "c9orf72",
        Steps,
        (2.74, 3.29),
        "Chiò et al. 2018 (slope 2.22, 1.74–2.29)",
    ),
    target(
        "tardbp",
        EarlierThanSporadic,
        (2.8, 7.8),
        "Mehta et al. 2019",
    ),
    target("tardbp", OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target("tardbp", Steps, (3.5, 4.5), "Chiò et al. 2018 (4 steps)"),
    target(
        "fus",
        MeanOnset,
        (25.0, 45.0),
        "Vance et al. 2009; Kwiatkowski et al. 2009",
    ),
    target("fus", OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target(
        BODY_COHORT,
        MeanOnset,
        (58.0, 63.0),
        "Logroscino et al. 2010; Chiò et al. 2013",
    ),
    target(BODY_COHORT, OnsetSd, (10.0, 12.0), ONSET_SD_SOURCE),
    target(BODY_COHORT, Steps, SPORADIC_STEPS, STEPS_SOURCE),
    target(BODY_COHORT, SiteShare(0), (65.0, 75.0), SITE_SOURCE),
    target(BODY_COHORT, SiteShare(1), (20.0, 33.0), SITE_SOURCE),
    target(BODY_COHORT, SiteShare(2), (2.0, 6.0), SITE_SOURCE),
    target(BODY_COHORT, MedianSurvival, (2.0, 4.0), "Chiò et al. 2009"),
];

/// The 10-year tail: "about 10%" (Chiò et al. 2009), taken as 5–15%.
pub const TEN_YEAR_TAIL: PopulationTarget = target(
    BODY_COHORT,
    AliveAfter10Years,
    (5.0, 15.0),
    "Chiò et al. 2009 (about 10%)",
);

const SITE_SOURCE: &str =
    "Raymond et al. 2019 (US National ALS Registry: limb 72.0%, bulbar 22.1%, trunk 6.1%)";
const SITE_NAMES: [&str; 3] = ["limb", "bulbar", "trunk or respiratory"];

/// A lifetime block person, measured (not yet knowing whether they died of other causes).
fn block_person(scenario: &Scenario) -> Result<(CohortPerson, Summary), RunError> {
    let mut sim = Simulation::new(scenario)?;
    let rows = sim.run_to_end();
    let summary = sim.summary().clone();
    let end_stage = rows
        .iter()
        .find(|o| is_below(o["force_proxy"], END_STAGE_FORCE))
        .map(|o| o.time_days);
    Ok((person(&summary, end_stage, None), summary))
}

/// A body-of-regions person, measured; their site is a registry class ([`SITE_NAMES`]).
fn body_person(scenario: &Scenario) -> Result<(CohortPerson, Summary), RunError> {
    let (rows, summary) = run_body(scenario)?;
    let course = BodyCourse::measure(scenario, &rows, &summary);
    let site = course.site.map(|s| SITE_NAMES[site_class(s)].to_string());
    Ok((person(&summary.body, course.end_day, site), summary.body))
}

fn person(summary: &Summary, end_stage_day: Option<f64>, site: Option<String>) -> CohortPerson {
    let onset = summary.age_at_clinical_onset_years;
    let (end_age, _) = crate::cohort::end_ages(
        summary.start_age_years,
        summary.simulated_days,
        end_stage_day,
    );
    CohortPerson {
        entry_age: summary.start_age_years,
        onset_age: onset,
        end_age,
        site,
        survival: onset.map(|o| (end_age - o, end_stage_day.is_some())),
        died_of_other_causes: false,
    }
}

/// The first `people` people of the bundled cohort `name` (in `scenarios/cohorts/`), each with
/// their age at death of other causes.
fn people_of(
    scenarios: &Path,
    name: &str,
    people: u64,
) -> Result<Vec<(Scenario, Option<f64>)>, RunError> {
    let path = scenarios.join("cohorts").join(format!("{name}.ron"));
    let cohort = alsim_scenario::load(&path)?;
    let origin = path.display().to_string();
    (0..people)
        .map(|i| {
            let person = cohort.person(i, &origin)?;
            Ok((person.scenario, person.record.death_age_years))
        })
        .collect()
}

/// A cohort's people run and analysed.
struct Measured {
    name: &'static str,
    analysis: CohortAnalysis,
}

fn measure(
    name: &'static str,
    people: &[(Scenario, Option<f64>)],
    progress: &dyn Progress,
    run: impl Fn(&Scenario) -> Result<(CohortPerson, Summary), RunError> + Sync,
) -> Result<Measured, RunError> {
    let scenarios: Vec<Scenario> = people.iter().map(|(s, _)| s.clone()).collect();
    let measured = run_each(&scenarios, progress, run, |o| &o.1)?;
    let rows: Vec<CohortPerson> = measured
        .into_iter()
        .zip(people)
        .map(|((mut p, _), (_, death))| {
            p.died_of_other_causes = p.survival.is_none_or(|s| !s.1)
                && death.is_some_and(|d| crate::cohort::cut_at_death(p.end_age, d));
            p
        })
        .collect();
    let analysis =
        analyse_cohort(&rows).map_err(|e| RunError::Invalid(format!("cohort {name}: {e}")))?;
    Ok(Measured { name, analysis })
}

/// Runs the first `people` people of each bundled block cohort and the first `body_people` of
/// the cohort of bodies, and returns the markdown table comparing them with
/// [`POPULATION_TARGETS`].
pub fn calibrate_population(
    scenarios: &Path,
    people: u64,
    body_people: u64,
    progress: &dyn Progress,
) -> Result<String, RunError> {
    if people < 2 || body_people < 2 {
        return Err(RunError::Invalid(
            "--people and --body-people must be at least 2 (a spread needs two people)".into(),
        ));
    }
    let blocks: Vec<Vec<(Scenario, Option<f64>)>> = BLOCK_COHORTS
        .iter()
        .map(|n| people_of(scenarios, n, people))
        .collect::<Result<_, _>>()?;
    let bodies = people_of(scenarios, BODY_COHORT, body_people)?;
    progress.planned(blocks.iter().map(Vec::len).sum::<usize>() + bodies.len());
    let mut measured = Vec::new();
    for (name, people) in BLOCK_COHORTS.iter().zip(&blocks) {
        measured.push(measure(name, people, progress, block_person)?);
    }
    measured.push(measure(BODY_COHORT, &bodies, progress, body_person)?);
    Ok(format!(
        "Bundled cohorts (`scenarios/cohorts/<name>.ron`; the first {people} people of each cohort of lifetime blocks, the first {body_people} of the cohort of bodies `cohorts/{BODY_COHORT}.ron`; ages in years; onset among the people who reached it during follow-up):\n\n{}",
        population_table(&measured)
    ))
}

/// The markdown table of the cohorts' analyses against [`POPULATION_TARGETS`] (rows of cohorts
/// not measured are left out), with each cohort's share reaching onset.
fn population_table(measured: &[Measured]) -> String {
    let find = |name: &str| {
        measured
            .iter()
            .find(|m| m.name == name)
            .map(|m| &m.analysis)
    };
    let mut out = String::from(
        "| cohort | observable | target | model | inside? | source |\n|---|---|---|---|---|---|\n",
    );
    for m in measured {
        let a = &m.analysis;
        let (reached, _) = share_cell(a.onsets.len(), a.people);
        out.push_str(&format!(
            "| `cohorts/{}.ron` | people reaching onset during follow-up | (none) | {reached} | | |\n",
            m.name
        ));
        let targets = POPULATION_TARGETS
            .iter()
            .chain(std::iter::once(&TEN_YEAR_TAIL))
            .filter(|t| t.cohort == m.name);
        for t in targets {
            let (observable, model, value) = cell(t, a, find("sporadic"));
            let inside = value.is_some_and(|v| (t.low..=t.high).contains(&v));
            out.push_str(&row(
                &format!("cohorts/{}", t.cohort),
                &observable,
                &format!("{}–{}", t.low, t.high),
                &model,
                inside,
                t.source,
            ));
        }
    }
    out
}

/// A target's observable, the model's cell and the value compared with the range.
fn cell(
    t: &PopulationTarget,
    a: &CohortAnalysis,
    sporadic: Option<&CohortAnalysis>,
) -> (String, String, Option<f64>) {
    let not_reached = || "not reached".to_string();
    match t.observable {
        MeanOnset => (
            "mean age at onset".into(),
            a.onset
                .map_or_else(not_reached, |s| format!("{:.1} (n = {})", s.mean, s.n)),
            a.onset.map(|s| s.mean),
        ),
        OnsetSd => {
            let sd = a.onset.and_then(|s| s.sd);
            (
                "sd of age at onset".into(),
                sd.map_or_else(not_reached, |sd| format!("{sd:.1}")),
                sd,
            )
        }
        EarlierThanSporadic => {
            let d = a
                .onset
                .zip(sporadic.and_then(|s| s.onset))
                .map(|(own, sporadic)| sporadic.mean - own.mean);
            (
                "mean onset earlier than `cohorts/sporadic.ron`'s".into(),
                d.map_or_else(not_reached, |d| format!("{d:.1}")),
                d,
            )
        }
        Steps => match &a.incidence {
            Ok(m) => (
                "steps (slope of log incidence on log age, + 1)".into(),
                format!(
                    "{:.1} (95% CI {:.1}–{:.1})",
                    m.fit.steps, m.fit.steps_ci_lower, m.fit.steps_ci_upper
                ),
                Some(m.fit.steps),
            ),
            Err(why) => ("steps".into(), format!("not estimated: {why}"), None),
        },
        SiteShare(class) => {
            let k = a
                .sites
                .iter()
                .find(|(s, _)| s == SITE_NAMES[class])
                .map_or(0, |(_, k)| *k);
            let (model, p) = share_cell(k, a.onsets.len().max(1));
            (
                format!("site of onset: {} (% of onsets)", SITE_NAMES[class]),
                model,
                (!a.onsets.is_empty()).then_some(100.0 * p),
            )
        }
        MedianSurvival => {
            let median = a.km.as_ref().and_then(|km| km.median);
            (
                "median survival, onset to respiratory failure (Kaplan–Meier)".into(),
                median.map_or_else(not_reached, |m| format!("{m:.1}")),
                median,
            )
        }
        AliveAfter10Years => {
            let share = a.km.as_ref().map(|km| 100.0 * km.survival_at(10.0));
            (
                "without respiratory failure 10 years after onset (Kaplan–Meier, %)".into(),
                share.map_or_else(not_reached, |s| format!("{s:.0}")),
                share,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(onset: f64, survival: f64, site: &str) -> CohortPerson {
        CohortPerson {
            entry_age: 40.0,
            onset_age: Some(onset),
            end_age: onset + survival,
            site: Some(site.into()),
            survival: Some((survival, true)),
            died_of_other_causes: false,
        }
    }

    fn no_onset(end: f64) -> CohortPerson {
        CohortPerson {
            entry_age: 40.0,
            onset_age: None,
            end_age: end,
            site: None,
            survival: None,
            died_of_other_causes: false,
        }
    }

    fn row_of<'a>(table: &'a str, cohort: &str, observable: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(&format!("| `cohorts/{cohort}.ron` | {observable}")))
            .unwrap_or_else(|| panic!("no {cohort} {observable} row in\n{table}"))
    }

    #[test]
    fn the_table_judges_onset_spread_sites_and_survival_against_the_targets() {
        // Onsets 50, 60, 70 (mean 60, sd 10), one without onset; sites 2 limb, 1 bulbar.
        let sporadic = vec![
            case(50.0, 2.0, "limb"),
            case(60.0, 3.0, "limb"),
            case(70.0, 12.0, "bulbar"),
            no_onset(90.0),
        ];
        let tardbp = vec![case(48.0, 1.0, "limb"), case(62.0, 1.0, "limb")];
        let measured = [
            Measured {
                name: "sporadic",
                analysis: analyse_cohort(&sporadic).unwrap(),
            },
            Measured {
                name: "tardbp",
                analysis: analyse_cohort(&tardbp).unwrap(),
            },
            Measured {
                name: BODY_COHORT,
                analysis: analyse_cohort(&sporadic).unwrap(),
            },
        ];
        let table = population_table(&measured);
        assert!(row_of(&table, "sporadic", "mean age at onset").contains("| 60.0 (n = 3) |"));
        assert!(
            row_of(&table, "sporadic", "mean age at onset")
                .ends_with("| yes | Logroscino et al. 2010; Chiò et al. 2013 |")
        );
        assert!(row_of(&table, "sporadic", "sd of age at onset").contains("| 10.0 | yes |"));
        assert!(row_of(&table, "sporadic", "people reaching onset").contains("3/4 (75%"));
        // 60 − 55 = 5 years earlier: inside 2.8–7.8; sd 9.9 is outside 10–12.
        assert!(row_of(&table, "tardbp", "mean onset earlier").contains("| 5.0 | yes |"));
        assert!(row_of(&table, "tardbp", "sd of age at onset").contains("| 9.9 | no |"));
        // Shares of onsets: limb 2/3 = 67% inside 65–75, bulbar 33% at the edge of 20–33 (out).
        assert!(row_of(&table, BODY_COHORT, "site of onset: limb").contains("| yes |"));
        assert!(row_of(&table, BODY_COHORT, "site of onset: bulbar").contains("| no |"));
        assert!(row_of(&table, BODY_COHORT, "site of onset: trunk").contains("0/3"));
        // Survival 2, 3, 12: median 3 inside 2–4; one of three beyond 10 years, 33%: outside.
        assert!(row_of(&table, BODY_COHORT, "median survival").contains("| 3.0 | yes |"));
        assert!(row_of(&table, BODY_COHORT, "without respiratory failure").contains("| 33 | no |"));
        // Cohorts not measured have no rows.
        assert!(!table.contains("fus.ron"));
    }

    #[test]
    fn a_cohort_too_small_for_a_spread_is_refused_before_anything_runs() {
        let err = calibrate_population(Path::new("no/such"), 1, 10, &crate::NoProgress)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 2"), "{err}");
    }
}
