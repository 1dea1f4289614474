//! A cohort's report: the numbers registries report, from one row per person.
//!
//! ```text
//! CohortPerson per person (filled by the caller from people.csv's sources)
//!   -> age at onset: summary and 5-year histogram
//!   -> site of onset: shares
//!   -> survival from onset: Kaplan-Meier, median with CI, alive at 5 and 10 years
//!   -> age-specific incidence among the people at risk, its log-log slope and the implied
//!      number of steps (alsim_stats::multistep_incidence)
//!   -> cohort.md + onset_age, survival, incidence (PNG and SVG), written as report.md is
//! ```

use crate::plots::{Figure, KmCurve, render};
use crate::{ReportError, write_atomically, write_err};
use alsim_stats::{
    CompetingObservation, CumulativeIncidence, FollowUp, KaplanMeier, MultistepAnalysis,
    Observation, Outcome, Summary, cumulative_incidence, kaplan_meier, multistep_incidence,
    summarize,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of a cohort's report.
pub const COHORT_REPORT: &str = "cohort.md";

/// One person's outcomes, ages in years.
#[derive(Clone, Debug, PartialEq)]
pub struct CohortPerson {
    /// Age at the start of follow-up.
    pub entry_age: f64,
    /// Age at clinical onset, if reached.
    pub onset_age: Option<f64>,
    /// Age at the end of follow-up (ALS end stage, death of other causes, or the run's end).
    pub end_age: f64,
    /// Region (or site) of onset, if known.
    pub site: Option<String>,
    /// Years from onset to end stage, and whether end stage was reached (else censored).
    pub survival: Option<(f64, bool)>,
    /// Whether follow-up ended by death of other causes (before ALS end stage).
    pub died_of_other_causes: bool,
}

/// Edges of the age bands of the incidence analysis, years.
const BANDS: [f64; 12] = [
    30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0,
];

/// What the report shows of a cohort, for callers that want the numbers (`alsim calibrate`).
#[derive(Clone, Debug)]
pub struct CohortAnalysis {
    /// People in the cohort.
    pub people: usize,
    /// Ages at onset of those who reached it.
    pub onsets: Vec<f64>,
    /// Years from onset to end stage (an event) or to the end of follow-up (censored).
    pub survival: Vec<Observation>,
    /// Summary of `onsets`; `None` when nobody reached onset.
    pub onset: Option<Summary>,
    /// Histogram of `onsets`: (from, to, people) in 5-year bins from 25.
    pub bins: Vec<(f64, f64, usize)>,
    /// People per site of onset, most first.
    pub sites: Vec<(String, usize)>,
    /// Onset by age: onset an event, the end of follow-up without it censored (death of other
    /// causes too): the risk in the absence of other causes of death.
    pub onset_by_age: KaplanMeier,
    /// Onset by age with death of other causes before onset a competing event (Aalen–Johansen):
    /// the risk people of the cohort actually run, and the lifetime risk at its end.
    pub onset_risk: CumulativeIncidence,
    /// Kaplan–Meier of `survival`; `None` when nobody reached onset.
    pub km: Option<KaplanMeier>,
    /// Age-specific incidence and its number of steps, or why it could not be estimated.
    pub incidence: Result<MultistepAnalysis, String>,
}

/// Ages at which the cumulative risk of onset is reported.
const RISK_AGES: [f64; 4] = [50.0, 60.0, 70.0, 80.0];

/// Analyses the people of a cohort as its report does.
pub fn analyse_cohort(people: &[CohortPerson]) -> Result<CohortAnalysis, ReportError> {
    let stats = |what: &str| {
        let what = what.to_string();
        move |source| ReportError::Stats { what, source }
    };
    let onsets: Vec<f64> = people.iter().filter_map(|p| p.onset_age).collect();
    let onset = (!onsets.is_empty())
        .then(|| summarize(&onsets))
        .transpose()
        .map_err(stats("age at onset"))?;
    let bins = (0..14)
        .map(|i| {
            let lo = 25.0 + 5.0 * i as f64;
            let n = onsets.iter().filter(|&&a| a >= lo && a < lo + 5.0).count();
            (lo, lo + 5.0, n)
        })
        .collect();
    let mut sites: Vec<(String, usize)> = Vec::new();
    for site in people.iter().filter_map(|p| p.site.as_ref()) {
        match sites.iter_mut().find(|(s, _)| s == site) {
            Some(entry) => entry.1 += 1,
            None => sites.push((site.clone(), 1)),
        }
    }
    sites.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let survival: Vec<Observation> = people
        .iter()
        .filter_map(|p| p.survival)
        .map(|(t, event)| {
            if event {
                Observation::event(t)
            } else {
                Observation::censored(t)
            }
        })
        .collect();
    let km = (!survival.is_empty())
        .then(|| kaplan_meier(&survival))
        .transpose()
        .map_err(stats("survival from onset"))?;
    let follow_up: Vec<FollowUp> = people
        .iter()
        .map(|p| match p.onset_age {
            Some(onset) => FollowUp::onset(p.entry_age, onset),
            None => FollowUp::censored(p.entry_age, p.end_age),
        })
        .collect();
    let incidence = multistep_incidence(&follow_up, &BANDS).map_err(|e| e.to_string());
    let by_age: Vec<Observation> = people
        .iter()
        .map(|p| match p.onset_age {
            Some(age) => Observation::event(age),
            None => Observation::censored(p.end_age),
        })
        .collect();
    let onset_by_age = kaplan_meier(&by_age).map_err(stats("onset by age"))?;
    let competing: Vec<CompetingObservation> = people
        .iter()
        .map(|p| CompetingObservation {
            entry: p.entry_age,
            time: p.onset_age.unwrap_or(p.end_age),
            outcome: match p.onset_age {
                Some(_) => Outcome::Event,
                None if p.died_of_other_causes => Outcome::Competing,
                None => Outcome::Censored,
            },
        })
        .collect();
    let onset_risk = cumulative_incidence(&competing).map_err(stats("risk of onset"))?;
    Ok(CohortAnalysis {
        people: people.len(),
        onsets,
        survival,
        onset,
        bins,
        sites,
        onset_by_age,
        onset_risk,
        km,
        incidence,
    })
}

/// Writes `cohort.md` and its figures (PNG and SVG) into `out_dir` for the people of a cohort
/// called `name`; returns the report's path. Files go to `.partial` names first, the report
/// last, as [`crate::write_report`] does.
pub fn write_cohort_report(
    out_dir: &Path,
    name: &str,
    people: &[CohortPerson],
) -> Result<PathBuf, ReportError> {
    let a = analyse_cohort(people)?;
    let mut figures = Vec::new();
    if let Some(s) = &a.onset {
        figures.push((
            "onset_age",
            Figure::Histogram {
                title: "Age at clinical onset",
                key: format!(
                    "{} people reached onset; mean {:.1}, sd {} years",
                    s.n,
                    s.mean,
                    s.sd.map_or("–".into(), |sd| format!("{sd:.1}"))
                ),
                x_label: "Age at onset (years)",
                y_label: "People",
                bins: a.bins.clone(),
            },
        ));
    }
    if let Some(km) = &a.km {
        let reached = km.steps.iter().map(|s| s.events).sum::<usize>();
        let at_risk = km.steps.first().map_or(0, |s| s.at_risk);
        figures.push((
            "survival",
            survival_figure(vec![KmCurve {
                label: format!("{reached} of {at_risk} people with onset reached end stage"),
                km,
            }]),
        ));
    }
    if let Ok(m) = &a.incidence {
        let points: Vec<(f64, f64)> = m
            .bands
            .iter()
            .filter_map(|b| {
                b.incidence
                    .filter(|&i| i > 0.0)
                    .map(|i| ((b.start + b.end) / 2.0, i))
            })
            .collect();
        figures.push((
            "incidence",
            Figure::LogLog {
                title: "Age-specific incidence",
                key: format!(
                    "Onsets per person-year at risk; slope {:.2} ({:.2}–{:.2}): {:.1} steps",
                    m.fit.slope, m.fit.slope_ci_lower, m.fit.slope_ci_upper, m.fit.steps
                ),
                labels: ["log10 age (years)", "log10 incidence (per person-year)"],
                points,
                fit: Some((m.fit.intercept, m.fit.slope)),
            },
        ));
    }
    write_folder(out_dir, COHORT_REPORT, &figures, |drawn| {
        markdown(name, &a, drawn)
    })
}

/// The Kaplan–Meier figure of survival from onset, over at least ten years.
fn survival_figure(curves: Vec<KmCurve<'_>>) -> Figure<'_> {
    let x_max = curves
        .iter()
        .filter_map(|c| c.km.steps.last().map(|s| s.time))
        .fold(10.0, f64::max);
    Figure::KaplanMeier {
        title: "Survival from onset",
        x_label: "Years since onset",
        y_label: "Without end stage (fraction)".into(),
        curves,
        x_min: 0.0,
        x_max,
    }
}

/// Renders `figures` (each as PNG and SVG), then writes them into `out_dir` and, last, the
/// report `file` that `text` makes knowing which figures there are; returns its path.
pub(crate) fn write_folder(
    out_dir: &Path,
    file: &str,
    figures: &[(&'static str, Figure)],
    text: impl FnOnce(&[&'static str]) -> String,
) -> Result<PathBuf, ReportError> {
    let mut rendered = Vec::new();
    for (name, figure) in figures {
        rendered.push((*name, render(name, figure, (1000, 650))?));
    }
    let text = text(&figures.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    std::fs::create_dir_all(out_dir).map_err(write_err(out_dir))?;
    for (name, (png, svg)) in rendered {
        write_atomically(&out_dir.join(format!("{name}.png")), &png)?;
        write_atomically(&out_dir.join(format!("{name}.svg")), svg.as_bytes())?;
    }
    let path = out_dir.join(file);
    write_atomically(&path, text.as_bytes())?;
    Ok(path)
}

fn markdown(name: &str, a: &CohortAnalysis, figures: &[&str]) -> String {
    let mut md = String::new();
    let share = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
    let onsets = a.onset.map_or(0, |s| s.n);
    let _ = writeln!(md, "# Cohort {name}\n");
    let _ = writeln!(
        md,
        "{} people; {onsets} ({:.0}%) reached clinical onset during follow-up.\n",
        a.people,
        share(onsets, a.people)
    );
    let _ = writeln!(md, "## Age at onset\n");
    match &a.onset {
        Some(s) => {
            let _ = writeln!(
                md,
                "| n | mean | sd | median | quartiles | range |\n|---|---|---|---|---|---|\n| {} | {:.1} | {} | {:.1} | {:.1}–{:.1} | {:.1}–{:.1} |\n",
                s.n,
                s.mean,
                s.sd.map_or("–".into(), |sd| format!("{sd:.1}")),
                s.median,
                s.q1,
                s.q3,
                s.min,
                s.max
            );
        }
        None => md.push_str("Nobody reached onset.\n\n"),
    }
    if figures.contains(&"onset_age") {
        md.push_str("![Age at onset](onset_age.png)\n\n");
    }
    let risks: Vec<String> = RISK_AGES
        .iter()
        .map(|&age| {
            format!(
                "{age:.0}: {:.0}%",
                100.0 * (1.0 - a.onset_by_age.survival_at(age))
            )
        })
        .collect();
    let _ = writeln!(
        md,
        "Cumulative risk of onset by age without other causes of death (1 − Kaplan–Meier of onset by age, death of other causes censored; for carriers, their penetrance): {}.\n",
        risks.join(", ")
    );
    let competing: Vec<String> = RISK_AGES
        .iter()
        .chain([&90.0])
        .map(|&age| format!("{age:.0}: {:.0}%", 100.0 * a.onset_risk.at(age)))
        .collect();
    let _ = writeln!(
        md,
        "Risk of onset by age with death of other causes competing (Aalen–Johansen cumulative incidence: the risk people of this cohort actually run, so the last is their lifetime risk): {}.\n",
        competing.join(", ")
    );
    if !a.sites.is_empty() {
        let _ = writeln!(
            md,
            "## Site of onset\n\n| site | people | share |\n|---|---|---|"
        );
        for (site, n) in &a.sites {
            let _ = writeln!(md, "| {site} | {n} | {:.0}% |", share(*n, onsets));
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Survival from onset\n");
    match &a.km {
        Some(km) => {
            let median = km
                .median
                .map_or("not reached".into(), |m| format!("{m:.2} years"));
            let _ = writeln!(
                md,
                "Kaplan–Meier from onset to end stage (censored at death of other causes or the end of follow-up): median {median}; without end stage after 5 years {:.0}%, after 10 years {:.0}%.\n",
                100.0 * km.survival_at(5.0),
                100.0 * km.survival_at(10.0)
            );
        }
        None => md.push_str("Nobody reached onset.\n\n"),
    }
    if figures.contains(&"survival") {
        md.push_str("![Survival from onset](survival.png)\n\n");
    }
    let _ = writeln!(md, "## Incidence and the number of steps\n");
    match &a.incidence {
        Ok(m) => {
            let f = &m.fit;
            let _ = writeln!(
                md,
                "Onsets per person-year at risk (alive, before onset) in 5-year bands, fitted as log incidence = a + b·log age by Poisson regression (Armitage–Doll; Al-Chalabi et al. 2014 Lancet Neurol 13:1108): slope b = {:.2} (95% CI {:.2}–{:.2}), so **{:.1} steps** ({:.1}–{:.1}), from {} bands.\n",
                f.slope,
                f.slope_ci_lower,
                f.slope_ci_upper,
                f.steps,
                f.steps_ci_lower,
                f.steps_ci_upper,
                f.bands_used
            );
            let _ = writeln!(
                md,
                "| ages | onsets | person-years | incidence per 1,000 person-years |\n|---|---|---|---|"
            );
            for b in &m.bands {
                let _ = writeln!(
                    md,
                    "| {:.0}–{:.0} | {} | {:.0} | {} |",
                    b.start,
                    b.end,
                    b.events,
                    b.person_years,
                    b.incidence
                        .map_or("–".into(), |i| format!("{:.2}", 1000.0 * i))
                );
            }
            md.push('\n');
        }
        Err(why) => {
            let _ = writeln!(md, "Not estimated: {why}.\n");
        }
    }
    if figures.contains(&"incidence") {
        md.push_str("![Age-specific incidence](incidence.png)\n\n");
    }
    md.push_str(
        "The simulated people stand for the part of a population that would develop ALS if it lived long enough; the incidence above is per person-year at risk among them. A population's incidence is this times that part's share, a factor that does not depend on age, so the slope and the number of steps are those of the population.\n",
    );
    md
}

/// File name of a comparison of two cohorts.
pub const COHORT_COMPARISON: &str = "cohorts.md";

/// Compares cohort `b` with cohort `a` (each a name and its people; differences are B − A):
/// the difference in mean age at onset with its Welch 95% CI, the hazard ratio of end stage
/// after onset (B against A, Cox proportional hazards with Efron ties) with its CI, the
/// Kaplan–Meier curves of onset by age and of survival from onset, and each cohort's number
/// of steps. Writes `cohorts.md` and its figures into `out_dir`; returns the report's path.
pub fn write_cohort_comparison(
    out_dir: &Path,
    a: (&str, &[CohortPerson]),
    b: (&str, &[CohortPerson]),
) -> Result<PathBuf, ReportError> {
    let groups = [a, b];
    let analyses = [analyse_cohort(a.1)?, analyse_cohort(b.1)?];
    let difference = alsim_stats::mean_difference(&analyses[0].onsets, &analyses[1].onsets);
    let hazard = alsim_stats::hazard_ratio(&analyses[0].survival, &analyses[1].survival);
    let mut figures = vec![(
        "onset_by_age",
        Figure::KaplanMeier {
            title: "Onset by age",
            x_label: "Age (years)",
            y_label: "Without onset (fraction)".into(),
            curves: (0..2)
                .map(|g| KmCurve {
                    label: format!(
                        "{}: {} of {} reached onset",
                        groups[g].0,
                        analyses[g].onsets.len(),
                        groups[g].1.len()
                    ),
                    km: &analyses[g].onset_by_age,
                })
                .collect(),
            x_min: groups
                .iter()
                .flat_map(|(_, p)| p.iter().map(|p| p.entry_age))
                .fold(f64::INFINITY, f64::min),
            x_max: groups
                .iter()
                .flat_map(|(_, p)| p.iter().map(|p| p.end_age))
                .fold(0.0, f64::max),
        },
    )];
    if let [Some(ka), Some(kb)] = [&analyses[0].km, &analyses[1].km] {
        figures.push((
            "survival",
            survival_figure(
                [(groups[0].0, ka), (groups[1].0, kb)]
                    .into_iter()
                    .map(|(name, km)| KmCurve {
                        label: format!(
                            "{name}: median {}",
                            km.median
                                .map_or("not reached".into(), |m| format!("{m:.2} y"))
                        ),
                        km,
                    })
                    .collect(),
            ),
        ));
    }
    write_folder(out_dir, COHORT_COMPARISON, &figures, |drawn| {
        let mut md = String::new();
        let (na, nb) = (groups[0].0, groups[1].0);
        let _ = writeln!(md, "# Cohorts {na} and {nb}\n");
        let _ = writeln!(
            md,
            "| cohort | people | reached onset | age at onset, mean ± sd | median survival from onset | steps (95% CI) |\n|---|---|---|---|---|---|"
        );
        for g in 0..2 {
            let an = &analyses[g];
            let onset = an.onset.map_or("–".into(), |s| {
                format!(
                    "{:.1} ± {}",
                    s.mean,
                    s.sd.map_or("–".into(), |sd| format!("{sd:.1}"))
                )
            });
            let median = an
                .km
                .as_ref()
                .and_then(|k| k.median)
                .map_or("not reached".into(), |m| format!("{m:.2} years"));
            let steps = match &an.incidence {
                Ok(m) => format!(
                    "{:.1} ({:.1}–{:.1})",
                    m.fit.steps, m.fit.steps_ci_lower, m.fit.steps_ci_upper
                ),
                Err(_) => "–".into(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {onset} | {median} | {steps} |",
                groups[g].0,
                an.people,
                analyses[g].onsets.len()
            );
        }
        md.push('\n');
        match difference {
            Ok(d) => {
                let _ = writeln!(
                    md,
                    "**Age at onset**: {nb} − {na} = {:+.1} years (Welch 95% CI {:+.1} to {:+.1}).\n",
                    d.difference, d.ci_lower, d.ci_upper
                );
            }
            Err(e) => {
                let _ = writeln!(md, "**Age at onset**: no difference estimated: {e}.\n");
            }
        }
        match hazard {
            Ok(fit) => {
                let c = &fit.coefficients[0];
                let _ = writeln!(
                    md,
                    "**Survival from onset**: hazard ratio of end stage, {nb} against {na}: {:.2} (95% CI {:.2}–{:.2}, Wald p = {:.2e}), Cox proportional hazards with Efron ties over {} people with onset and {} end stages.\n",
                    c.hazard_ratio, c.ci_lower, c.ci_upper, c.p_value, fit.n, fit.events
                );
            }
            Err(e) => {
                let _ = writeln!(
                    md,
                    "**Survival from onset**: no hazard ratio estimated: {e}.\n"
                );
            }
        }
        for file in drawn {
            let _ = writeln!(md, "![{file}]({file}.png)\n");
        }
        md
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(onset: Option<f64>, survival: Option<(f64, bool)>, site: &str) -> CohortPerson {
        CohortPerson {
            entry_age: 40.0,
            onset_age: onset,
            end_age: onset.map_or(90.0, |o| o + survival.map_or(0.0, |s| s.0)),
            site: onset.map(|_| site.to_string()),
            survival,
            died_of_other_causes: false,
        }
    }

    #[test]
    fn death_of_other_causes_competes_with_onset_in_the_risk_people_run() {
        // One onset at 60; one death of other causes at 55 without onset. Without other causes
        // of death, the risk by 80 is 100%; with them, one person in two has onset.
        let died = CohortPerson {
            end_age: 55.0,
            died_of_other_causes: true,
            ..person(None, None, "")
        };
        let people = [person(Some(60.0), Some((2.0, true)), "brainstem"), died];
        let dir = tempfile::tempdir().unwrap();
        let md = std::fs::read_to_string(write_cohort_report(dir.path(), "t", &people).unwrap())
            .unwrap();
        let line = |start: &str| {
            md.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no line {start} in {md}"))
                .to_string()
        };
        assert!(
            line("Cumulative risk of onset by age without").contains("80: 100%"),
            "{md}"
        );
        let competing = line("Risk of onset by age with death");
        assert!(
            competing.contains("50: 0%") && competing.contains("80: 50%"),
            "{competing}"
        );
        assert!(competing.contains("90: 50%"), "{competing}");
    }

    #[test]
    fn the_report_counts_sites_onsets_and_the_ten_year_tail() {
        let mut people = Vec::new();
        for i in 0..40 {
            let onset = 45.0 + i as f64 * 0.75;
            // Every fourth person lives past 10 years (censored at 12).
            let survival = if i % 4 == 0 {
                (12.0, false)
            } else {
                (1.0 + (i % 5) as f64, true)
            };
            people.push(person(
                Some(onset),
                Some(survival),
                if i % 3 == 0 {
                    "brainstem"
                } else {
                    "cervical-left"
                },
            ));
        }
        people.push(person(None, None, ""));
        let dir = tempfile::tempdir().unwrap();
        let path = write_cohort_report(dir.path(), "test", &people).unwrap();
        let md = std::fs::read_to_string(&path).unwrap();
        assert!(
            md.contains("41 people; 40 (98%) reached clinical onset"),
            "{md}"
        );
        // 14 of 40 in the brainstem (i = 0, 3, ..., 39).
        assert!(md.contains("| brainstem | 14 | 35% |"), "{md}");
        assert!(md.contains("after 10 years 25%"), "{md}");
        // Onsets 45 to 74.25 in steps of 0.75 among 41 people: 7 by 50 (17%), all 40 by 80.
        assert!(md.contains("50: 17%") && md.contains("80: 98%"), "{md}");
        // The same people with onset 5 years later and survival halved: +5 years, HR > 1.
        let later: Vec<CohortPerson> = people
            .iter()
            .map(|p| CohortPerson {
                onset_age: p.onset_age.map(|o| o + 5.0),
                end_age: p.end_age + 5.0,
                survival: p.survival.map(|(t, e)| (t / 2.0, e)),
                ..p.clone()
            })
            .collect();
        let both = tempfile::tempdir().unwrap();
        let path = write_cohort_comparison(both.path(), ("a", &people), ("b", &later)).unwrap();
        let cmp = std::fs::read_to_string(&path).unwrap();
        assert!(cmp.contains("b − a = +5.0 years"), "{cmp}");
        let hr: f64 = cmp
            .split("against a: ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(hr > 1.5, "{hr}: {cmp}");
        for f in ["onset_age", "survival", "incidence"] {
            assert!(dir.path().join(format!("{f}.png")).is_file(), "{f}");
            assert!(md.contains(&format!("({f}.png)")), "{f}");
        }
    }
}
