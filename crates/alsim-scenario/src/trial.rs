//! Trials: a randomised virtual trial on a cohort scenario's people (`alsim trial`).
//!
//! A `trial` section names the arms (the first is the comparator), who is enrolled, how long
//! they are followed and the design sizes of the power curve. The people are the cohort's; each
//! is screened once, at a time after their clinical onset drawn per person inside the
//! enrolment window, and enrolled if alive, before end stage and above the score and vital
//! capacity the criteria ask. Every enrolled person is then run in every arm from the same state
//! (common random numbers): their twins differ only in the arm's therapies, which start on the
//! randomisation day.
//!
//! ```text
//! Scenario with cohort + trial --person(i)--> Person --screening_months(i)--> screening day
//!     --> (alsim-run) one state at randomisation, forked into each arm --> endpoints
//! ```

use crate::check::Checker;
use crate::interventions::{Intervention, Start, Therapy};
use crate::neuraxis::mix;
use rand::RngExt;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// Most arms in a trial.
pub const MAX_ARMS: usize = 16;
/// Average days in a month, for windows given in months (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// A randomised virtual trial on the scenario's cohort.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trial {
    /// The arms, the first being the comparator the others are tested against (a placebo arm
    /// has no therapies). From 2 to 16, names unique; none by default, so it must be given.
    #[serde(default)]
    pub arms: Vec<Arm>,
    /// Who is randomised. Default: screened within 24 months of onset, no score or vital
    /// capacity threshold.
    #[serde(default)]
    pub enrolment: Enrolment,
    /// Follow-up from randomisation, days: the endpoints are read at the first visit (output
    /// row) on or after it. Range [1, 3650]. Default 168 (24 weeks, the edaravone trial's).
    #[serde(default = "default_duration_days")]
    pub duration_days: f64,
    /// Trial sizes of the power curve, and its resampling.
    #[serde(default)]
    pub power: PowerCurve,
}

fn default_duration_days() -> f64 {
    168.0
}

/// One arm of a trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// Name, in the report and tables. 1–40 characters, unique in the trial. Required.
    pub name: String,
    /// Share of the enrolled given this arm, as a whole-number weight (2 and 1: two treated
    /// for each on placebo). Range [1, 100]. Default 1.
    #[serde(default = "one")]
    pub allocation: u32,
    /// Therapies given from the randomisation day to the end of follow-up, each on its own
    /// regimen (`interventions[].therapy`). Default none (placebo).
    #[serde(default)]
    pub therapies: Vec<Therapy>,
}

fn one() -> u32 {
    1
}

/// Enrolment criteria.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    /// Months after clinical onset within which a person is screened, (earliest, latest):
    /// each is screened once, at a time drawn uniformly inside, as patients come to a trial at
    /// different points of their disease. Range [0, 600], earliest ≤ latest. Default (0, 24).
    #[serde(default = "default_window")]
    pub months_since_onset: (f64, f64),
    /// Lowest ALSFRS-R total (of 48) at screening. Range [0, 48]. Default 0 (none).
    #[serde(default)]
    pub alsfrs_r_min: f64,
    /// Lowest forced vital capacity (% predicted) at screening. Range [0, 100]. Default 0
    /// (none).
    #[serde(default)]
    pub fvc_percent_min: f64,
}

fn default_window() -> (f64, f64) {
    (0.0, 24.0)
}

impl Default for Enrolment {
    fn default() -> Self {
        Self {
            months_since_onset: default_window(),
            alsfrs_r_min: 0.0,
            fvc_percent_min: 0.0,
        }
    }
}

/// The power curve: each design size's power, by resampling the simulated people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerCurve {
    /// Enrolled people per simulated trial, all arms together. Each from 4 to 100,000.
    /// Default [50, 100, 200, 400, 800].
    #[serde(default = "default_sizes")]
    pub people: Vec<u64>,
    /// Simulated trials per size. Range [10, 100,000]. Default 1,000.
    #[serde(default = "default_resamples")]
    pub resamples: u64,
    /// Two-sided significance level. Range (0, 0.5]. Default 0.05.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
}

fn default_sizes() -> Vec<u64> {
    vec![50, 100, 200, 400, 800]
}

fn default_resamples() -> u64 {
    1000
}

fn default_alpha() -> f64 {
    0.05
}

impl Default for PowerCurve {
    fn default() -> Self {
        Self {
            people: default_sizes(),
            resamples: default_resamples(),
            alpha: default_alpha(),
        }
    }
}

/// Stream key of the screening times.
const SCREENING_STREAM: u64 = 0x7E1A_0000_0000_0001;
/// Stream key of the randomisation.
const ALLOCATION_STREAM: u64 = 0x7E1A_0000_0000_0002;

impl Trial {
    /// Months after onset at which person `index` of a trial of seed `seed` is screened: a
    /// uniform draw inside the window from a stream keyed by the pair, so it does not depend
    /// on which other people are run.
    pub fn screening_months(&self, seed: u64, index: u64) -> f64 {
        let mut rng = Pcg64Mcg::seed_from_u64(mix(seed ^ SCREENING_STREAM ^ mix(index + 1)));
        let (low, high) = self.enrolment.months_since_onset;
        low + rng.random::<f64>() * (high - low)
    }

    /// The seed of the randomisation of a trial of seed `seed`.
    pub fn allocation_seed(seed: u64) -> u64 {
        mix(seed ^ ALLOCATION_STREAM)
    }

    /// Arm `arm`'s therapies as the interventions of a twin randomised on `day`.
    pub fn interventions(&self, arm: usize, day: f64) -> Vec<Intervention> {
        self.arms[arm]
            .therapies
            .iter()
            .map(|therapy| Intervention {
                therapy: therapy.clone(),
                start: Start::Day(day),
                duration_days: None,
            })
            .collect()
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        if !(2..=MAX_ARMS).contains(&self.arms.len()) {
            c.problem(
                "arms",
                format!(
                    "must list from 2 to {MAX_ARMS} arms (the first is the comparator), got {}",
                    self.arms.len()
                ),
            );
        }
        for (i, arm) in self.arms.iter().enumerate() {
            c.scope(&format!("arms[{i}]"), |c| {
                if arm.name.is_empty() || arm.name.chars().count() > 40 {
                    c.problem("name", "must be 1 to 40 characters");
                }
                if self.arms[..i].iter().any(|a| a.name == arm.name) {
                    c.problem("name", format!("'{}' names two arms", arm.name));
                }
                if !(1..=100).contains(&arm.allocation) {
                    c.problem(
                        "allocation",
                        format!("must be from 1 to 100, got {}", arm.allocation),
                    );
                }
                for (k, therapy) in arm.therapies.iter().enumerate() {
                    c.scope(&format!("therapies[{k}]"), |c| therapy.check(c));
                }
            });
        }
        c.scope("enrolment", |c| {
            let e = &self.enrolment;
            let (low, high) = e.months_since_onset;
            c.range("months_since_onset.0", low, 0.0, 600.0);
            c.range("months_since_onset.1", high, 0.0, 600.0);
            if high < low {
                c.problem(
                    "months_since_onset",
                    format!(
                        "must be (earliest, latest) with earliest <= latest, got ({low}, {high})"
                    ),
                );
            }
            c.range("alsfrs_r_min", e.alsfrs_r_min, 0.0, 48.0);
            c.range("fvc_percent_min", e.fvc_percent_min, 0.0, 100.0);
        });
        c.range("duration_days", self.duration_days, 1.0, 3650.0);
        c.scope("power", |c| {
            let p = &self.power;
            if p.people.is_empty() {
                c.problem("people", "must list at least one trial size");
            }
            for (i, &n) in p.people.iter().enumerate() {
                if !(4..=100_000).contains(&n) {
                    c.problem(
                        &format!("people[{i}]"),
                        format!("must be from 4 to 100000, got {n}"),
                    );
                }
            }
            if !(10..=100_000).contains(&p.resamples) {
                c.problem(
                    "resamples",
                    format!("must be from 10 to 100000, got {}", p.resamples),
                );
            }
            c.positive("alpha", p.alpha, 0.5);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial() -> Trial {
        Trial {
            arms: vec![
                Arm {
                    name: "placebo".into(),
                    allocation: 1,
                    therapies: Vec::new(),
                },
                Arm {
                    name: "drug".into(),
                    allocation: 2,
                    therapies: vec![Therapy::AntiInflammatory(0.5)],
                },
            ],
            enrolment: Enrolment {
                months_since_onset: (6.0, 18.0),
                ..Enrolment::default()
            },
            duration_days: 168.0,
            power: PowerCurve::default(),
        }
    }

    #[test]
    fn screening_times_fill_the_window_and_are_keyed_by_person() {
        let t = trial();
        let months: Vec<f64> = (0..2000).map(|i| t.screening_months(7, i)).collect();
        assert!(months.iter().all(|m| (6.0..=18.0).contains(m)));
        let mean = months.iter().sum::<f64>() / months.len() as f64;
        assert!((mean - 12.0).abs() < 0.3, "uniform mean 12, got {mean}");
        assert_eq!(t.screening_months(7, 5), months[5]);
        assert_ne!(t.screening_months(8, 5), months[5], "the seed matters");
    }

    #[test]
    fn arms_start_their_therapies_on_the_randomisation_day() {
        let courses = trial().interventions(1, 412.0);
        assert_eq!(courses.len(), 1);
        assert_eq!(courses[0].start, Start::Day(412.0));
        assert!(trial().interventions(0, 412.0).is_empty());
    }
}
