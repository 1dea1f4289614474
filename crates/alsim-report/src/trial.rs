//! A virtual trial's analysis and report (`alsim trial`): each enrolled person's endpoints in
//! every arm (their twins), the arm they were randomised to, and from these the trial as run
//! (each person seen in their own arm only, as a real trial sees them), the effect on the same
//! people (their twins, which no real trial sees) and the power of smaller or larger trials.
//!
//! ```text
//! TrialPerson per enrolled person --analyse_trial--> per treated arm and endpoint:
//!     as randomised: Welch difference (ALSFRS-R change, log NfL ratio), log-rank and Cox
//!                    hazard ratio (survival from randomisation)
//!     twins:         paired difference; hazard ratio of every person in each arm
//!     power curve:   alsim_stats::power over the twins at each design size
//! --write_trial_report--> trial.md + Kaplan–Meier figure (PNG, SVG)
//! ```

use crate::ReportError;
use crate::cohort::write_folder;
use crate::plots::{Figure, KmCurve};
use alsim_stats::{
    KaplanMeier, MeanDifference, Observation, Power, Twin, hazard_ratio, kaplan_meier, log_rank,
    mean_difference, paired_difference, power,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of a trial's report.
pub const TRIAL_REPORT: &str = "trial.md";

/// One enrolled person's endpoints in one arm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmEndpoints {
    /// ALSFRS-R at the last visit of follow-up minus at randomisation (the last score before
    /// end stage for a person who reached it).
    pub alsfrs_r_change: f64,
    /// ln(blood NfL at the last visit / at randomisation); `None` without the mechanism.
    pub log_nfl_ratio: Option<f64>,
    /// Days from randomisation to end stage (`end_stage`) or to the end of follow-up.
    pub survival_days: f64,
    /// Whether end stage (respiratory failure) came during follow-up.
    pub end_stage: bool,
}

impl ArmEndpoints {
    fn survival(&self) -> Observation {
        if self.end_stage {
            Observation::event(self.survival_days)
        } else {
            Observation::censored(self.survival_days)
        }
    }
}

/// One enrolled person of a trial.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialPerson {
    /// The arm they were randomised to (an index into the arms).
    pub assigned: usize,
    /// Their endpoints in every arm, in the arms' order.
    pub arms: Vec<ArmEndpoints>,
    /// In the arm they were given: (days since randomisation, ALSFRS-R change since then) at
    /// each visit.
    pub visits: Vec<(f64, f64)>,
}

/// The design a trial is analysed under.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialDesign {
    /// The trial's name.
    pub name: String,
    /// Arm names, the comparator first.
    pub arms: Vec<String>,
    /// Whole-number allocation weights of the arms.
    pub allocation: Vec<u32>,
    /// Follow-up from randomisation, days.
    pub duration_days: f64,
    /// Trial sizes of the power curve (people in the two arms compared).
    pub power_sizes: Vec<u64>,
    /// Simulated trials per size.
    pub resamples: u64,
    /// Two-sided level.
    pub alpha: f64,
    /// Seed of the power curve's resampling.
    pub seed: u64,
}

/// The three endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// ALSFRS-R change from randomisation, points (higher is better).
    AlsfrsR,
    /// Survival from randomisation to end stage.
    Survival,
    /// Log ratio of blood NfL, end of follow-up over randomisation (lower is better).
    Nfl,
}

impl Endpoint {
    /// All, in the report's order.
    pub const ALL: [Endpoint; 3] = [Endpoint::AlsfrsR, Endpoint::Survival, Endpoint::Nfl];

    /// The name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::AlsfrsR => "ALSFRS-R change",
            Endpoint::Survival => "survival from randomisation",
            Endpoint::Nfl => "blood NfL ratio",
        }
    }
}

/// An effect estimate: the estimate, its 95% interval and p-value (`None` where not defined).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    /// Treated minus comparator (ALSFRS-R points), hazard ratio (survival) or ratio of
    /// geometric means (NfL).
    pub estimate: f64,
    /// Lower end of the 95% interval.
    pub ci_lower: f64,
    /// Upper end of the 95% interval.
    pub ci_upper: f64,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
}

/// One treated arm's result on one endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointResult {
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// The treated arm's index.
    pub arm: usize,
    /// The trial as randomised, or why it could not be estimated.
    pub randomised: Result<Effect, String>,
    /// On the same people (every enrolled person's twins), or why not.
    pub twins: Result<Effect, String>,
    /// Power at each design size, or why not.
    pub power: Vec<Result<Power, String>>,
}

/// A trial analysed.
#[derive(Clone, Debug)]
pub struct TrialAnalysis {
    /// Enrolled people per arm as randomised.
    pub enrolled: Vec<usize>,
    /// One result per treated arm and endpoint, arm by arm.
    pub results: Vec<EndpointResult>,
    /// Kaplan–Meier of survival from randomisation per arm as randomised (`None` for an arm
    /// with nobody).
    pub km: Vec<Option<KaplanMeier>>,
}

fn from_difference(d: MeanDifference) -> Effect {
    Effect {
        estimate: d.difference,
        ci_lower: d.ci_lower,
        ci_upper: d.ci_upper,
        p_value: Some(d.p_value),
    }
}

fn ratio(e: Effect) -> Effect {
    Effect {
        estimate: e.estimate.exp(),
        ci_lower: e.ci_lower.exp(),
        ci_upper: e.ci_upper.exp(),
        p_value: e.p_value,
    }
}

/// The value of a continuous endpoint, if it has one.
fn value(endpoint: Endpoint, e: &ArmEndpoints) -> Option<f64> {
    match endpoint {
        Endpoint::AlsfrsR => Some(e.alsfrs_r_change),
        Endpoint::Nfl => e.log_nfl_ratio,
        Endpoint::Survival => None,
    }
}

/// Each person's survival from randomisation in `arm`.
fn survival_of(arm: &[ArmEndpoints]) -> Vec<Observation> {
    arm.iter().map(ArmEndpoints::survival).collect()
}

/// Each person's value of the continuous `endpoint` in `arm`, where they have one.
fn values_of(endpoint: Endpoint, arm: &[ArmEndpoints]) -> Vec<f64> {
    arm.iter().filter_map(|e| value(endpoint, e)).collect()
}

/// A difference of continuous values on the endpoint's own scale: NfL's log difference as a
/// ratio, ALSFRS-R's as points.
fn on_scale(endpoint: Endpoint, d: MeanDifference) -> Effect {
    let effect = from_difference(d);
    if endpoint == Endpoint::Nfl {
        ratio(effect)
    } else {
        effect
    }
}

/// The p-value a trial of arms `a` (comparator) and `b` gets on `endpoint`.
fn p_value(endpoint: Endpoint, a: &[ArmEndpoints], b: &[ArmEndpoints]) -> Option<f64> {
    match endpoint {
        Endpoint::Survival => log_rank(&survival_of(a), &survival_of(b))
            .ok()
            .map(|t| t.p_value),
        _ => mean_difference(&values_of(endpoint, a), &values_of(endpoint, b))
            .ok()
            .map(|d| d.p_value),
    }
}

fn randomised(
    endpoint: Endpoint,
    a: &[ArmEndpoints],
    b: &[ArmEndpoints],
) -> Result<Effect, String> {
    match endpoint {
        Endpoint::Survival => {
            let (oa, ob) = (survival_of(a), survival_of(b));
            let fit = hazard_ratio(&oa, &ob).map_err(|e| e.to_string())?;
            let c = fit.coefficients[0];
            Ok(Effect {
                estimate: c.hazard_ratio,
                ci_lower: c.ci_lower,
                ci_upper: c.ci_upper,
                p_value: log_rank(&oa, &ob).ok().map(|t| t.p_value),
            })
        }
        _ => mean_difference(&values_of(endpoint, a), &values_of(endpoint, b))
            .map(|d| on_scale(endpoint, d))
            .map_err(|e| e.to_string()),
    }
}

fn twins(endpoint: Endpoint, people: &[TrialPerson], arm: usize) -> Result<Effect, String> {
    match endpoint {
        Endpoint::Survival => {
            let obs = |k: usize| {
                people
                    .iter()
                    .map(|p| p.arms[k].survival())
                    .collect::<Vec<_>>()
            };
            let fit = hazard_ratio(&obs(0), &obs(arm)).map_err(|e| e.to_string())?;
            let c = fit.coefficients[0];
            // The twins are the same people, not independent groups: no test.
            Ok(Effect {
                estimate: c.hazard_ratio,
                ci_lower: c.ci_lower,
                ci_upper: c.ci_upper,
                p_value: None,
            })
        }
        _ => {
            let pairs: Vec<(f64, f64)> = people
                .iter()
                .filter_map(|p| {
                    Some((value(endpoint, &p.arms[0])?, value(endpoint, &p.arms[arm])?))
                })
                .collect();
            let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            paired_difference(&a, &b)
                .map(|d| on_scale(endpoint, d))
                .map_err(|e| e.to_string())
        }
    }
}

/// Analyses a trial of `people` under `design`.
pub fn analyse_trial(design: &TrialDesign, people: &[TrialPerson]) -> TrialAnalysis {
    let arms = design.arms.len();
    let in_arm = |k: usize| -> Vec<ArmEndpoints> {
        people
            .iter()
            .filter(|p| p.assigned == k)
            .map(|p| p.arms[k])
            .collect()
    };
    let mut results = Vec::new();
    for arm in 1..arms {
        let (a, b) = (in_arm(0), in_arm(arm));
        let pairs: Vec<Twin<ArmEndpoints>> = people
            .iter()
            .map(|p| Twin {
                control: p.arms[0],
                treated: p.arms[arm],
            })
            .collect();
        let share = f64::from(design.allocation[arm])
            / f64::from(design.allocation[0] + design.allocation[arm]);
        for endpoint in Endpoint::ALL {
            let power = design
                .power_sizes
                .iter()
                .map(|&n| {
                    power(
                        &pairs,
                        n as usize,
                        share,
                        design.alpha,
                        design.resamples as usize,
                        design.seed ^ (arm as u64) << 8 ^ endpoint as u64,
                        |a, b| p_value(endpoint, a, b),
                    )
                    .map_err(|e| e.to_string())
                })
                .collect();
            results.push(EndpointResult {
                endpoint,
                arm,
                randomised: randomised(endpoint, &a, &b),
                twins: twins(endpoint, people, arm),
                power,
            });
        }
    }
    let km = (0..arms)
        .map(|k| {
            let obs: Vec<Observation> = in_arm(k).iter().map(ArmEndpoints::survival).collect();
            kaplan_meier(&obs).ok()
        })
        .collect();
    TrialAnalysis {
        enrolled: (0..arms)
            .map(|k| people.iter().filter(|p| p.assigned == k).count())
            .collect(),
        results,
        km,
    }
}

/// What the report says of the people screened, beside the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Screening {
    /// People of the cohort run.
    pub people: usize,
    /// Why people were not enrolled, with how many.
    pub not_enrolled: Vec<(String, usize)>,
    /// Means at randomisation of the enrolled: ALSFRS-R, FVC (% predicted), months since
    /// onset, blood NfL (pg/mL).
    pub baseline: [Option<f64>; 4],
}

/// Writes `trial.md` and its Kaplan–Meier figure (PNG and SVG) into `out_dir`; returns the
/// report's path.
pub fn write_trial_report(
    out_dir: &Path,
    design: &TrialDesign,
    screening: &Screening,
    people: &[TrialPerson],
) -> Result<PathBuf, ReportError> {
    let a = analyse_trial(design, people);
    let curves: Vec<KmCurve> =
        a.km.iter()
            .zip(&design.arms)
            .zip(&a.enrolled)
            .filter_map(|((km, name), n)| {
                km.as_ref().map(|km| KmCurve {
                    label: format!("{name} (n = {n})"),
                    km,
                })
            })
            .collect();
    let mut figures = Vec::new();
    if !curves.is_empty() {
        figures.push((
            "survival",
            Figure::KaplanMeier {
                title: "Survival from randomisation",
                x_label: "Days since randomisation",
                y_label: "Without end stage (fraction)".into(),
                curves,
                x_min: 0.0,
                x_max: design.duration_days,
            },
        ));
    }
    write_folder(out_dir, TRIAL_REPORT, &figures, |drawn| {
        markdown(design, screening, &a, people, drawn)
    })
}

fn effect_text(endpoint: Endpoint, e: &Result<Effect, String>) -> String {
    match e {
        Ok(e) => {
            let p = e.p_value.map_or("–".into(), |p| format!("{p:.3}"));
            match endpoint {
                Endpoint::AlsfrsR => format!(
                    "{:+.2} points ({:+.2} to {:+.2}) | {p}",
                    e.estimate, e.ci_lower, e.ci_upper
                ),
                _ => format!(
                    "{:.2} ({:.2}–{:.2}) | {p}",
                    e.estimate, e.ci_lower, e.ci_upper
                ),
            }
        }
        Err(why) => format!("not estimable: {why} | –"),
    }
}

fn markdown(
    design: &TrialDesign,
    screening: &Screening,
    a: &TrialAnalysis,
    people: &[TrialPerson],
    figures: &[&str],
) -> String {
    let enrolled = people.len();
    let mut md = String::new();
    let _ = writeln!(md, "# Trial {}\n", design.name);
    let arms: Vec<String> = design
        .arms
        .iter()
        .zip(&design.allocation)
        .zip(&a.enrolled)
        .map(|((name, w), n)| format!("{name} ({w}: {n} people)"))
        .collect();
    let _ = writeln!(
        md,
        "{} people screened, {enrolled} enrolled and randomised in permuted blocks to {}; followed {:.0} days from randomisation.\n",
        screening.people,
        arms.join(", "),
        design.duration_days
    );
    if !screening.not_enrolled.is_empty() {
        let reasons: Vec<String> = screening
            .not_enrolled
            .iter()
            .map(|(why, n)| format!("{why}: {n}"))
            .collect();
        let _ = writeln!(md, "Not enrolled: {}.\n", reasons.join("; "));
    }
    let show = |x: Option<f64>, digits: usize| x.map_or("–".into(), |x| format!("{x:.digits$}"));
    let [alsfrs, fvc, months, nfl] = screening.baseline;
    let _ = writeln!(
        md,
        "At randomisation (means of the enrolled): ALSFRS-R {}, FVC {}% predicted, {} months since onset, blood NfL {} pg/mL.\n",
        show(alsfrs, 1),
        show(fvc, 0),
        show(months, 1),
        show(nfl, 1)
    );
    let _ = writeln!(
        md,
        "## Effects\n\n*As randomised*: each person in the arm they were given, as a real trial sees them (ALSFRS-R and NfL: Welch's t; survival: Cox hazard ratio with the log-rank p-value). *Twins*: every enrolled person in both arms from the same state at randomisation (common random numbers; paired t for ALSFRS-R and NfL, no test for the hazard ratio of the same people): the effect a trial estimates, without its sampling.\n\nALSFRS-R change: treated minus {} (positive is slower decline). Survival: hazard ratio of end stage (below 1 is benefit). NfL: ratio of geometric mean change (below 1 is less axonal damage).\n",
        design.arms[0]
    );
    let _ = writeln!(
        md,
        "| arm | endpoint | as randomised (95% CI) | p | twins (95% CI) | p |\n|---|---|---|---|---|---|"
    );
    for r in &a.results {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            design.arms[r.arm],
            r.endpoint.name(),
            effect_text(r.endpoint, &r.randomised),
            effect_text(r.endpoint, &r.twins)
        );
    }
    if figures.contains(&"survival") {
        md.push_str("\n![Survival from randomisation](survival.png)\n");
    }
    md.push_str(&visit_table(design, people));
    let _ = writeln!(
        md,
        "\n## Power\n\nShare of {} simulated trials significant at {} (two-sided), each drawing its people with replacement from the enrolled and randomising them between the comparator and the arm at the allocation ratio (Wilson 95% interval). Trial size: people in the two arms.\n",
        design.resamples, design.alpha
    );
    let mut header = "| arm | endpoint |".to_string();
    let mut rule = "|---|---|".to_string();
    for n in &design.power_sizes {
        let _ = write!(header, " {n} |");
        rule.push_str("---|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for r in &a.results {
        let cells: Vec<String> = r
            .power
            .iter()
            .map(|p| match p {
                Ok(p) => format!(
                    "{:.0}% ({:.0}–{:.0})",
                    100.0 * p.power,
                    100.0 * p.ci_lower,
                    100.0 * p.ci_upper
                ),
                Err(_) => "–".into(),
            })
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            design.arms[r.arm],
            r.endpoint.name(),
            cells.join(" | ")
        );
    }
    md
}

/// The mean ALSFRS-R change since randomisation at each visit, per arm as randomised, over the
/// people still followed then.
fn visit_table(design: &TrialDesign, people: &[TrialPerson]) -> String {
    // Visit days are whole days of the run's clock.
    let mut days: Vec<i64> = people
        .iter()
        .flat_map(|p| p.visits.iter().map(|(d, _)| d.round() as i64))
        .collect();
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "\n## ALSFRS-R by visit\n\nMean change since randomisation (people still followed), each person in the arm they were given.\n\n| day |",
    );
    let mut rule = String::from("|---|");
    for name in &design.arms {
        let _ = write!(md, " {name} |");
        rule.push_str("---|");
    }
    let _ = writeln!(md, "\n{rule}");
    for day in days {
        let _ = write!(md, "| {day} |");
        for arm in 0..design.arms.len() {
            let changes: Vec<f64> = people
                .iter()
                .filter(|p| p.assigned == arm)
                .filter_map(|p| p.visits.iter().find(|(d, _)| d.round() as i64 == day))
                .map(|(_, change)| *change)
                .collect();
            match changes.len() {
                0 => md.push_str(" – |"),
                n => {
                    let _ = write!(
                        md,
                        " {:+.2} (n = {n}) |",
                        changes.iter().sum::<f64>() / n as f64
                    );
                }
            }
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> TrialDesign {
        TrialDesign {
            name: "t".into(),
            arms: vec!["placebo".into(), "drug".into()],
            allocation: vec![1, 1],
            duration_days: 200.0,
            power_sizes: vec![20, 400],
            resamples: 400,
            alpha: 0.05,
            seed: 3,
        }
    }

    /// `n` people whose decline is spread; the drug slows it by `effect·(0.5 + x)` points for
    /// a person at `x` of the spread (0 to 1: on average about `effect`) and delays end stage
    /// by `delay` days.
    fn people(n: usize, effect: f64, delay: f64) -> Vec<TrialPerson> {
        (0..n)
            .map(|i| {
                let x = ((i * 37) % n) as f64 / n as f64;
                let arm = |slow: f64, later: f64| {
                    let slow = slow * (0.5 + x);
                    let day = 60.0 + 300.0 * x + later;
                    ArmEndpoints {
                        alsfrs_r_change: -2.0 - 6.0 * x + slow,
                        log_nfl_ratio: Some(0.1 * x - slow / 20.0),
                        survival_days: day.min(200.0),
                        end_stage: day < 200.0,
                    }
                };
                let arms = vec![arm(0.0, 0.0), arm(effect, delay)];
                TrialPerson {
                    assigned: i % 2,
                    visits: vec![(0.0, 0.0), (200.0, arms[i % 2].alsfrs_r_change)],
                    arms,
                }
            })
            .collect()
    }

    #[test]
    fn twins_recover_the_effect_given_and_randomised_arms_estimate_it() {
        let group = people(200, 1.5, 40.0);
        let given: f64 = group
            .iter()
            .map(|p| p.arms[1].alsfrs_r_change - p.arms[0].alsfrs_r_change)
            .sum::<f64>()
            / 200.0;
        assert!((given - 1.5).abs() < 0.01, "{given}");
        let a = analyse_trial(&design(), &group);
        let alsfrs = &a.results[0];
        let twins = alsfrs.twins.as_ref().unwrap();
        assert!((twins.estimate - given).abs() < 1e-9, "{twins:?}");
        assert!(twins.p_value.unwrap() < 1e-6);
        let randomised = alsfrs.randomised.as_ref().unwrap();
        assert!(
            randomised.ci_lower < given && given < randomised.ci_upper,
            "{randomised:?}"
        );
        let survival = &a.results[1];
        assert!(survival.twins.as_ref().unwrap().estimate < 1.0);
        let nfl = a.results[2].twins.as_ref().unwrap();
        assert!(
            (nfl.estimate - (-given / 20.0).exp()).abs() < 1e-9,
            "{nfl:?}"
        );
        // Power grows with the trial's size.
        let p = |r: &EndpointResult, k: usize| r.power[k].as_ref().unwrap().power;
        assert!(p(alsfrs, 0) < p(alsfrs, 1) && p(alsfrs, 1) > 0.9);
        assert_eq!(a.enrolled, vec![100, 100]);
    }

    #[test]
    fn the_visit_table_averages_each_arm_over_the_people_still_followed() {
        let mut group = people(4, 1.0, 0.0);
        group[0].visits = vec![(0.0, 0.0), (28.0, -2.0), (56.0, -4.0)];
        group[2].visits = vec![(0.0, 0.0), (28.0, -1.0)];
        group[1].visits = vec![(0.0, 0.0), (28.0, 0.5), (56.0, 0.25)];
        group[3].visits = vec![(0.0, 0.0), (28.0, 1.5), (56.0, 0.75)];
        let table = visit_table(&design(), &group);
        assert!(
            table.contains("| 28 | -1.50 (n = 2) | +1.00 (n = 2) |"),
            "{table}"
        );
        assert!(
            table.contains("| 56 | -4.00 (n = 1) | +0.50 (n = 2) |"),
            "{table}"
        );
    }

    #[test]
    fn without_an_effect_nothing_differs_between_twins() {
        let a = analyse_trial(&design(), &people(100, 0.0, 0.0));
        // Identical twins: no paired difference can be tested, and the hazard ratio is 1.
        assert!(a.results[0].twins.is_err());
        let hr = a.results[1].twins.as_ref().unwrap().estimate;
        assert!((hr - 1.0).abs() < 1e-6, "{hr}");
    }
}
