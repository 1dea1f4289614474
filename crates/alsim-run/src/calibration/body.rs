//! Calibration of bodies of regions: where disease starts, how it spreads, how function
//! declines and how it ends, measured on a neuraxis run and compared with the targets of
//! `docs/calibration-targets.md` (section F; the mouse's anatomy of disease with section A).

use super::{Spread, mean_cell, median};
use crate::RunError;
use alsim_core::{Body, BodySummary, DAYS_PER_YEAR};
use alsim_scenario::Scenario;
use alsim_scenario::neuraxis::{BodyPart, ConnectionKind, Neurons};

/// What a body run shows, for the calibration table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BodyCourse {
    /// What the region of onset serves; `None` when no region reached onset.
    pub site: Option<BodyPart>,
    /// Whether the region of onset is the run's focus.
    pub onset_at_focus: bool,
    /// Day of clinical onset (the first lower motor neuron region's).
    pub onset_day: Option<f64>,
    /// Age at clinical onset, years.
    pub age_at_onset: Option<f64>,
    /// Day of respiratory failure (the end stage).
    pub end_day: Option<f64>,
    /// Mean delay from onset, days, to onset in the lower motor neuron regions contiguous to
    /// the site and in the others (a region never reached counts at the end of the run).
    pub spread: Option<(f64, f64)>,
    /// ALSFRS-R decline, points per month: `(48 − total)/months` one year after onset, or at
    /// respiratory failure if that comes first (the ΔFS of Kimura et al. 2006).
    pub alsfrs_decline: Option<f64>,
    /// Blood NfL, pg/mL, six months after onset (at respiratory failure if that comes first).
    pub nfl_after_onset: Option<f64>,
    /// Blood NfL at onset over its level a year before (the presymptomatic rise).
    pub nfl_rise_before_onset: Option<f64>,
}

impl BodyCourse {
    /// Measures the course of `scenario`'s run from its whole-body rows (in [`Body::columns`]
    /// order, time order) and its summary.
    pub fn measure(scenario: &Scenario, rows: &[Vec<f64>], summary: &BodySummary) -> Self {
        let axis = scenario.neuraxis.as_ref().expect("a neuraxis scenario");
        let onset_day = summary.body.days_to_clinical_onset;
        let end_day = summary.days_to_respiratory_failure;
        let site = summary.site_of_onset.as_deref();
        let site_spec = site.and_then(|name| axis.regions.iter().find(|r| r.name == name));
        let spread = site.zip(onset_day).map(|(site, onset)| {
            let reached = |name: &str| {
                summary
                    .order_of_onset
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(summary.body.simulated_days, |(_, day)| *day)
                    - onset
            };
            let contiguous: Vec<&str> = axis
                .connections
                .iter()
                .filter(|c| c.kind == ConnectionKind::Contiguous && c.from == site)
                .map(|c| c.to.as_str())
                .collect();
            let (mut near, mut far) = (Vec::new(), Vec::new());
            for r in axis.regions.iter().filter(|r| r.neurons == Neurons::Lower) {
                if r.name == site {
                    continue;
                }
                let delay = reached(&r.name);
                if contiguous.contains(&r.name.as_str()) {
                    near.push(delay);
                } else {
                    far.push(delay);
                }
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            (mean(&near), mean(&far))
        });
        Self {
            site: site_spec.map(|r| r.serves),
            onset_at_focus: site.is_some() && site == summary.focus.as_deref(),
            onset_day,
            age_at_onset: summary.body.age_at_clinical_onset_years,
            end_day,
            spread,
            alsfrs_decline: onset_day.and_then(|onset| alsfrs_decline(rows, onset, end_day)),
            nfl_after_onset: onset_day.and_then(|onset| {
                nfl_on_or_after(rows, reading_day(onset, NFL_AFTER_ONSET_DAYS, end_day))
            }),
            nfl_rise_before_onset: onset_day.and_then(|onset| {
                let before = rows
                    .iter()
                    .rev()
                    .find(|r| r[0] <= onset - DAYS_PER_YEAR)
                    .map(|r| r[nfl_column()])?;
                Some(nfl_on_or_after(rows, onset)? / before)
            }),
        }
    }

    /// Years from onset to respiratory failure.
    pub fn survival_years(&self) -> Option<f64> {
        self.onset_day
            .zip(self.end_day)
            .map(|(onset, end)| (end - onset) / DAYS_PER_YEAR)
    }

    /// Days from onset to respiratory failure.
    pub fn symptomatic_days(&self) -> Option<f64> {
        self.onset_day
            .zip(self.end_day)
            .map(|(onset, end)| end - onset)
    }
}

/// Days in a month, for slopes per month.
const DAYS_PER_MONTH: f64 = DAYS_PER_YEAR / 12.0;

/// When blood NfL is compared with the ALS cut-off: six months after onset (model choice: early
/// in the symptomatic phase, when patients are diagnosed).
const NFL_AFTER_ONSET_DAYS: f64 = 6.0 * DAYS_PER_MONTH;

/// Verde et al. 2019: serum NfL above 62 pg/mL told ALS from other conditions with 85.5%
/// sensitivity (95% CI 78–91%).
const NFL_ALS_CUT_OFF_PG_PER_ML: f64 = 62.0;

/// Where the whole-body rows hold the column `name`.
fn body_column(name: &str) -> usize {
    Body::columns()
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("a body row has {name}"))
}

fn nfl_column() -> usize {
    body_column("nfl_blood_pg_per_ml")
}

/// Blood NfL at the first row on or after `day`; `None` past the end or with NfL off.
fn nfl_on_or_after(rows: &[Vec<f64>], day: f64) -> Option<f64> {
    let level = rows.iter().find(|r| r[0] >= day)?[nfl_column()];
    level.is_finite().then_some(level)
}

/// The day an observable is read: `after` days past onset, or at the end stage if it comes first.
fn reading_day(onset: f64, after: f64, end: Option<f64>) -> f64 {
    end.map_or(onset + after, |e| e.min(onset + after))
}

/// `(48 − ALSFRS-R)/months since onset` at the first row a year after onset, or at the first
/// row at or after respiratory failure if that comes sooner; `None` when the run ends first.
fn alsfrs_decline(rows: &[Vec<f64>], onset: f64, end: Option<f64>) -> Option<f64> {
    let total = body_column("alsfrs_r_total");
    let at = reading_day(onset, DAYS_PER_YEAR, end);
    let row = rows.iter().find(|r| r[0] >= at)?;
    let months = (row[0] - onset) / DAYS_PER_MONTH;
    (months > 0.0).then(|| (48.0 - row[total]) / months)
}

/// Runs a neuraxis scenario to its end: the whole body's rows at every output tick (the first
/// included) and its summary.
pub(crate) fn run_body(scenario: &Scenario) -> Result<(Vec<Vec<f64>>, BodySummary), RunError> {
    let mut body = Body::new(scenario)?;
    let row = |body: &mut Body| {
        let observed = body.observe();
        body.whole_body(&observed)
    };
    let mut rows = vec![row(&mut body)];
    while !body.is_finished() {
        body.step();
        if body.is_output_tick() {
            rows.push(row(&mut body));
        }
    }
    Ok((rows, body.body_summary()))
}

/// Share of runs, with a 95% Wilson interval: `k/n (p%, 95% CI lo–hi%)`.
pub(super) fn share_cell(k: usize, n: usize) -> (String, f64) {
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z = 1.96f64;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let lo = (centre - half).max(0.0);
    let hi = (centre + half).min(1.0);
    (
        format!(
            "{k}/{n} ({:.0}%, 95% CI {:.0}–{:.0}%)",
            100.0 * p,
            100.0 * lo,
            100.0 * hi
        ),
        p,
    )
}

/// One row of a body table.
pub(super) fn row(
    scenario: &str,
    observable: &str,
    target: &str,
    model: &str,
    inside: bool,
    source: &str,
) -> String {
    format!(
        "| `{scenario}.ron` | {observable} | {target} | {model} | {} | {source} |\n",
        if inside { "yes" } else { "no" }
    )
}

/// The site-of-onset classes of the registries: limb, bulbar, trunk or respiratory.
pub(super) fn site_class(part: BodyPart) -> usize {
    match part {
        BodyPart::Arm | BodyPart::Leg => 0,
        BodyPart::Bulbar => 1,
        BodyPart::Trunk | BodyPart::Respiratory => 2,
    }
}

/// The markdown rows of the human body (`scenario`'s runs) against section F.
pub(crate) fn human_rows(scenario: &str, courses: &[BodyCourse]) -> String {
    let n = courses.len();
    let mut out = String::new();
    let onset = Spread::of(&courses.iter().map(|c| c.age_at_onset).collect::<Vec<_>>());
    out.push_str(&row(
        scenario,
        "mean age at onset (years)",
        "58–63",
        &mean_cell(onset, n),
        onset.is_some_and(|s| s.all_reached() && (58.0..=63.0).contains(&s.mean)),
        "Logroscino et al. 2010; Chiò et al. 2013",
    ));
    out.push_str(&survival_rows(
        scenario,
        courses,
        (2.0, 4.0),
        "Chiò et al. 2009",
    ));
    for (class, name, low, high) in [
        (0, "limb", 0.65, 0.75),
        (1, "bulbar", 0.20, 0.33),
        (2, "trunk or respiratory", 0.02, 0.06),
    ] {
        let k = courses
            .iter()
            .filter(|c| c.site.is_some_and(|s| site_class(s) == class))
            .count();
        let (cell, p) = share_cell(k, n);
        out.push_str(&row(
            scenario,
            &format!("site of onset: {name}"),
            &format!("{:.0}–{:.0}%", 100.0 * low, 100.0 * high),
            &cell,
            (low..=high).contains(&p),
            "Raymond et al. 2019 (US National ALS Registry: limb 72.0%, bulbar 22.1%, trunk 6.1%)",
        ));
    }
    let (focal, p) = share_cell(courses.iter().filter(|c| c.onset_at_focus).count(), n);
    out.push_str(&row(
        scenario,
        "onset in the focus region",
        "all",
        &focal,
        p == 1.0,
        "Ravits et al. 2007 (signs maximal in the region of onset)",
    ));
    let near = Spread::of(
        &courses
            .iter()
            .map(|c| c.spread.map(|s| s.0 / DAYS_PER_YEAR))
            .collect::<Vec<_>>(),
    );
    let far = Spread::of(
        &courses
            .iter()
            .map(|c| c.spread.map(|s| s.1 / DAYS_PER_YEAR))
            .collect::<Vec<_>>(),
    );
    out.push_str(&row(
        scenario,
        "years from onset to onset in contiguous / distant lower motor neuron regions",
        "contiguous first",
        &format!("{} / {}", mean_cell(near, n), mean_cell(far, n)),
        near.zip(far).is_some_and(|(a, b)| a.mean < b.mean),
        "Ravits & La Spada 2009",
    ));
    let decline = Spread::of(&courses.iter().map(|c| c.alsfrs_decline).collect::<Vec<_>>());
    out.push_str(&row(
        scenario,
        "ALSFRS-R decline in the first year (points/month)",
        "~1 (0.3–3)",
        &mean_cell(decline, n),
        decline.is_some_and(|s| s.all_reached() && (0.3..=3.0).contains(&s.mean)),
        "Kimura et al. 2006; Kollewe et al. 2008",
    ));
    let levels: Vec<Option<f64>> = courses.iter().map(|c| c.nfl_after_onset).collect();
    let above = levels
        .iter()
        .flatten()
        .filter(|&&l| l > NFL_ALS_CUT_OFF_PG_PER_ML)
        .count();
    let (share, p) = share_cell(above, n);
    out.push_str(&row(
        scenario,
        &format!(
            "blood NfL six months after onset above {NFL_ALS_CUT_OFF_PG_PER_ML} pg/mL (pg/mL)"
        ),
        "most (≥ 78%)",
        &format!("{share}; {}", mean_cell(Spread::of(&levels), n)),
        p >= 0.78,
        "Verde et al. 2019 (the cut-off told ALS from other conditions with 85.5% sensitivity, 95% CI 78–91%)",
    ));
    out
}

/// The rows of a familial body: median survival from onset to respiratory failure against the
/// genotype's target, and the share of runs ending in respiratory failure.
pub(crate) fn familial_rows(target: &super::FamilialBody, courses: &[BodyCourse]) -> String {
    let mut out = survival_rows(
        target.scenario,
        courses,
        (target.low, target.high),
        target.source,
    );
    let rise = Spread::of(
        &courses
            .iter()
            .map(|c| c.nfl_rise_before_onset)
            .collect::<Vec<_>>(),
    );
    let every_run_rose = courses
        .iter()
        .all(|c| c.nfl_rise_before_onset.is_some_and(|r| r > 1.0));
    out.push_str(&row(
        target.scenario,
        "blood NfL at onset over a year before (fold)",
        "above 1 in every run",
        &mean_cell(rise, courses.len()),
        every_run_rose,
        "Benatar et al. 2018 (serum NfL of SOD1, FUS and C9orf72 carriers rises before phenoconversion; 6–12 months before in SOD1 A4V)",
    ));
    out
}

/// Median survival from onset to respiratory failure (years) against `range`, over the runs
/// that reached it, and the share of runs that did.
fn survival_rows(
    scenario: &str,
    courses: &[BodyCourse],
    (low, high): (f64, f64),
    source: &str,
) -> String {
    let n = courses.len();
    let mut survival: Vec<f64> = courses
        .iter()
        .filter_map(BodyCourse::survival_years)
        .collect();
    let reached = survival.len();
    let median_survival = (!survival.is_empty()).then(|| median(&mut survival));
    let mut out = row(
        scenario,
        "median survival, onset to respiratory failure (years)",
        &format!("{low}–{high}"),
        &median_survival.map_or(format!("not reached (0/{n})"), |m| {
            format!("{m:.1} ({reached}/{n})")
        }),
        reached == n && median_survival.is_some_and(|m| (low..=high).contains(&m)),
        source,
    );
    let (ended, _) = share_cell(reached, n);
    out.push_str(&row(
        scenario,
        "runs ending in respiratory failure",
        "most",
        &ended,
        2 * reached > n,
        "Chiò et al. 2009",
    ));
    out
}

/// The markdown rows of the mouse body (`scenario`'s runs): hindlimbs first, onset, end stage
/// and the symptomatic phase between them.
pub(crate) fn mouse_rows(scenario: &str, courses: &[BodyCourse]) -> String {
    let n = courses.len();
    let mut out = String::new();
    let (lumbar, p) = share_cell(
        courses
            .iter()
            .filter(|c| c.site == Some(BodyPart::Leg))
            .count(),
        n,
    );
    out.push_str(&row(
        scenario,
        "onset in the hindlimbs (lumbar) first",
        "all",
        &lumbar,
        p == 1.0,
        "Gurney 1994; Hall et al. 1998",
    ));
    for (observable, values, low, high, source) in [
        (
            "clinical onset (day)",
            courses.iter().map(|c| c.onset_day).collect::<Vec<_>>(),
            80.0,
            115.0,
            "Gurney 1994; Hall et al. 1998",
        ),
        (
            "end stage: respiratory failure (day)",
            courses.iter().map(|c| c.end_day).collect(),
            115.0,
            145.0,
            "Scott et al. 2008",
        ),
        (
            "symptomatic phase, onset to end stage (days)",
            courses.iter().map(BodyCourse::symptomatic_days).collect(),
            30.0,
            40.0,
            "Gurney 1994; Scott et al. 2008",
        ),
    ] {
        let spread = Spread::of(&values);
        out.push_str(&row(
            scenario,
            observable,
            &format!("{low}–{high}"),
            &mean_cell(spread, n),
            spread.is_some_and(|s| s.all_reached() && (low..=high).contains(&s.mean)),
            source,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alsim_core::Summary;

    #[test]
    fn a_share_carries_its_wilson_interval() {
        // 7 of 10: Wilson's 95% interval is 39.7–89.2%.
        let (cell, p) = share_cell(7, 10);
        assert_eq!(p, 0.7);
        assert_eq!(cell, "7/10 (70%, 95% CI 40–89%)");
        assert_eq!(share_cell(0, 20).0, "0/20 (0%, 95% CI 0–16%)");
    }

    #[test]
    fn familial_survival_is_the_median_over_runs_and_inside_only_if_every_run_ended() {
        let ended = |years: f64| BodyCourse {
            onset_day: Some(1000.0),
            end_day: Some(1000.0 + years * DAYS_PER_YEAR),
            ..BodyCourse::default()
        };
        let a4v = &super::super::FAMILIAL_BODIES[1];
        assert_eq!((a4v.low, a4v.high), (1.0, 1.5));
        let table = familial_rows(a4v, &[ended(1.0), ended(1.2), ended(3.0)]);
        let survival = table.lines().next().unwrap();
        assert!(
            survival.contains("| 1–1.5 | 1.2 (3/3) | yes |"),
            "{survival}"
        );
        assert!(table.lines().nth(1).unwrap().contains("3/3 (100%"));
        let one_lived = [ended(1.0), ended(1.2), BodyCourse::default()];
        let table = familial_rows(a4v, &one_lived);
        assert!(table.contains("1.1 (2/3) | no"), "{table}");
    }

    /// Rows of the body's time series: only time and the ALSFRS-R total matter here.
    fn rows(points: &[(f64, f64)]) -> Vec<Vec<f64>> {
        let columns = Body::columns();
        let total = body_column("alsfrs_r_total");
        points
            .iter()
            .map(|&(day, score)| {
                let mut row = vec![0.0; columns.len()];
                row[0] = day;
                row[total] = score;
                row
            })
            .collect()
    }

    #[test]
    fn alsfrs_decline_is_the_points_lost_per_month_a_year_after_onset_or_at_the_end() {
        let series = rows(&[(0.0, 48.0), (400.0, 46.0), (765.0, 36.0), (900.0, 20.0)]);
        // A year after onset on day 400 is day 765.25: the first row at or after it is day 900.
        let months = (900.0 - 400.0) / DAYS_PER_MONTH;
        let decline = alsfrs_decline(&series, 400.0, None).unwrap();
        assert!((decline - 28.0 / months).abs() < 1e-12, "{decline}");
        // Respiratory failure on day 700 comes first: measured at the row of day 765.
        let decline = alsfrs_decline(&series, 400.0, Some(700.0)).unwrap();
        assert!((decline - 12.0 / ((765.0 - 400.0) / DAYS_PER_MONTH)).abs() < 1e-12);
        // The run ends before a year has passed and nothing ended it: not measured.
        assert_eq!(alsfrs_decline(&series, 800.0, None), None);
    }

    #[test]
    fn nfl_is_read_six_months_after_onset_and_a_year_before_it() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/scenarios/three-segments.ron");
        let scenario = alsim_scenario::load(&path).unwrap();
        let nfl = nfl_column();
        let mut series = rows(&[(0.0, 48.0), (300.0, 48.0), (700.0, 47.0), (900.0, 40.0)]);
        for (row, level) in series.iter_mut().zip([10.0, 12.0, 30.0, 80.0]) {
            row[nfl] = level;
        }
        let summary = |onset: f64, end: Option<f64>| BodySummary {
            body: Summary {
                days_to_clinical_onset: Some(onset),
                simulated_days: 900.0,
                ..Summary::default()
            },
            focus: None,
            site_of_onset: None,
            order_of_onset: Vec::new(),
            days_to_respiratory_failure: end,
            survival_from_onset_days: None,
            alsfrs_r_total_final: 48.0,
            alsfrs_r_slope_per_month: None,
            regions: Vec::new(),
        };
        // Onset on day 700: six months later is day 882.6, read on day 900; a year before is
        // day 334.75, read on the last row before it (day 300).
        let course = BodyCourse::measure(&scenario, &series, &summary(700.0, None));
        assert_eq!(course.nfl_after_onset, Some(80.0));
        assert_eq!(course.nfl_rise_before_onset, Some(30.0 / 12.0));
        // Respiratory failure on day 650 comes before six months are up: read on the first
        // row on or after it, day 700.
        let early = BodyCourse::measure(&scenario, &series, &summary(600.0, Some(650.0)));
        assert_eq!(early.nfl_after_onset, Some(30.0));
        // Onset within the first year: no level a year before.
        let young = BodyCourse::measure(&scenario, &series, &summary(200.0, None));
        assert_eq!(young.nfl_rise_before_onset, None);
    }

    #[test]
    fn nfl_rows_count_runs_above_the_cut_off_and_runs_that_rose() {
        let course = |level: f64, rise: f64| BodyCourse {
            nfl_after_onset: Some(level),
            nfl_rise_before_onset: Some(rise),
            ..BodyCourse::default()
        };
        let mut courses = vec![course(100.0, 2.0); 8];
        courses.push(course(50.0, 1.5));
        courses.push(course(62.0, 0.9));
        // 8 of 10 above 62 pg/mL (62 itself is not above): inside, at least 78%.
        let table = human_rows("body", &courses);
        let line = table.lines().find(|l| l.contains("blood NfL")).unwrap();
        assert!(
            line.contains("8/10 (80%") && line.contains("| yes |"),
            "{line}"
        );
        courses[0].nfl_after_onset = Some(10.0);
        let table = human_rows("body", &courses);
        let line = table.lines().find(|l| l.contains("blood NfL")).unwrap();
        assert!(
            line.contains("7/10 (70%") && line.contains("| no |"),
            "{line}"
        );
        // One run fell in the year before onset: not every run rose.
        let a4v = &super::super::FAMILIAL_BODIES[1];
        let rise = |courses: &[BodyCourse]| {
            let table = familial_rows(a4v, courses);
            table
                .lines()
                .find(|l| l.contains("a year before"))
                .unwrap()
                .to_string()
        };
        assert!(rise(&courses).contains("| no |"));
        assert!(
            rise(&courses[..9]).contains("| yes |"),
            "{}",
            rise(&courses[..9])
        );
    }

    #[test]
    fn spread_compares_the_contiguous_regions_with_the_distant_ones() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/scenarios/three-segments.ron");
        let scenario = alsim_scenario::load(&path).unwrap();
        // L1 first on day 10; its neighbour L2 on day 40; L3 (distant) never, by day 100.
        let summary = BodySummary {
            body: Summary {
                days_to_clinical_onset: Some(10.0),
                simulated_days: 100.0,
                ..Summary::default()
            },
            focus: Some("L1".into()),
            site_of_onset: Some("L1".into()),
            order_of_onset: vec![("L1".into(), 10.0), ("L2".into(), 40.0)],
            days_to_respiratory_failure: None,
            survival_from_onset_days: None,
            alsfrs_r_total_final: 48.0,
            alsfrs_r_slope_per_month: Some(0.0),
            regions: Vec::new(),
        };
        let course = BodyCourse::measure(&scenario, &rows(&[(0.0, 48.0)]), &summary);
        assert_eq!(course.spread, Some((30.0, 90.0)));
        assert_eq!(course.site, Some(BodyPart::Leg));
        assert!(course.onset_at_focus);
        assert_eq!(course.survival_years(), None);
        let elsewhere = BodySummary {
            focus: Some("L3".into()),
            ..summary
        };
        assert!(!BodyCourse::measure(&scenario, &[], &elsewhere).onset_at_focus);
    }

    #[test]
    fn site_shares_are_inside_only_within_the_registry_ranges() {
        let course = |part| BodyCourse {
            site: Some(part),
            ..BodyCourse::default()
        };
        // 7 limb, 2 bulbar, 1 respiratory of 10.
        let mut courses = vec![course(BodyPart::Leg); 4];
        courses.extend(vec![course(BodyPart::Arm); 3]);
        courses.extend(vec![course(BodyPart::Bulbar); 2]);
        courses.push(course(BodyPart::Respiratory));
        let table = human_rows("body", &courses);
        let line = |what: &str| {
            table
                .lines()
                .find(|l| l.contains(what))
                .unwrap()
                .to_string()
        };
        assert!(
            line("site of onset: limb").contains("7/10 (70%")
                && line("site of onset: limb").contains("| yes |")
        );
        assert!(line("site of onset: bulbar").contains("| yes |"));
        assert!(
            line("site of onset: trunk").contains("1/10 (10%")
                && line("site of onset: trunk").contains("| no |")
        );
    }
}
