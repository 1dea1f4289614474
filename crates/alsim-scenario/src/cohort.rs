//! Cohorts: a scenario that describes a population of people rather than one person.
//!
//! A `cohort` section lists person-level parameters (traits), each drawn per person from a
//! distribution and written into the person's scenario by the dotted path that `--set` and
//! sweeps use; a share of men; exposures (events an exposed person's tissue receives, with a
//! prevalence and a drawn dose); and death of other causes (Gompertz mortality by sex). A
//! person's run ends at their death: of other causes, or in a body of regions at respiratory
//! failure.
//!
//! ```text
//! Scenario with cohort --person(i)--> Person { seed, sex, draws, exposures, death age,
//!                                              scenario without cohort, validated }
//! ```
//!
//! A person depends only on (scenario, seed, person index): their draws come from a stream keyed
//! by the pair, so person 17 is the same person in a cohort of 20 or of 20,000, in any shard and
//! alone (`alsim run COHORT.ron --person 17`). Traits are drawn through a Gaussian copula:
//! one standard normal per trait, correlated where `correlations` asks (by the Cholesky factor
//! of their correlation matrix), each turned into its distribution by the inverse CDF, so a
//! correlation never changes a trait's own distribution.

use crate::Scenario;
use crate::check::Checker;
use crate::compose::{Override, with_settings};
use crate::events::Event;
use crate::neuraxis::mix;
use alsim_stats::Gompertz;
use rand::RngExt;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, Gamma, LogNormal, Normal};

/// Largest cohort accepted.
pub const MAX_PEOPLE: u64 = 1_000_000;

/// The people of a cohort scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// People in the cohort; `alsim cohort --people` replaces it. Range [1, 1e6]. Default 100.
    #[serde(default = "default_people")]
    pub people: u64,
    /// Person-level parameters, each drawn per person. Default none.
    #[serde(default)]
    pub traits: Vec<Trait>,
    /// Correlations between traits' draws (Gaussian copula). Default none.
    #[serde(default)]
    pub correlations: Vec<Correlation>,
    /// Share of men. Range [0, 1]. Default 0.5.
    #[serde(default = "half")]
    pub male_share: f64,
    /// Exposures, each with its prevalence. Default none.
    #[serde(default)]
    pub exposures: Vec<Exposure>,
    /// Death of other causes: the age each person would die at without ALS, drawn given they
    /// are alive at the scenario's `time.start_age_years`; their run ends there. Default none
    /// (only the run's end censors).
    #[serde(default)]
    pub other_mortality: Option<Mortality>,
}

fn default_people() -> u64 {
    100
}

fn half() -> f64 {
    0.5
}

/// One person-level parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trait {
    /// Dotted path of the parameter, as `--set` names it. Required.
    pub parameter: String,
    /// Its distribution over people. Required.
    pub draw: Draw,
    /// Values kept inside `(low, high)`: the distribution truncated there (drawn inside by
    /// the inverse CDF, not clipped). Default none.
    #[serde(default)]
    pub within: Option<(f64, f64)>,
    /// Drawn for this sex only (the other keeps the scenario's value). Default both.
    #[serde(default)]
    pub sex: Option<Sex>,
}

/// A distribution of a trait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Draw {
    /// Normal with this mean and standard deviation (> 0).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Log-normal with this median (> 0) and standard deviation of the logarithm (> 0).
    LogNormal {
        /// Median, > 0.
        median: f64,
        /// Standard deviation of ln(value), > 0.
        log_sd: f64,
    },
    /// Beta on (0, 1) with shape parameters α, β > 0.
    Beta {
        /// α, > 0.
        alpha: f64,
        /// β, > 0.
        beta: f64,
    },
    /// Gamma with this shape and scale (both > 0; mean shape·scale).
    Gamma {
        /// Shape, > 0.
        shape: f64,
        /// Scale, > 0.
        scale: f64,
    },
    /// Uniform on [low, high).
    Uniform {
        /// Lowest value.
        low: f64,
        /// Highest value (excluded), > low.
        high: f64,
    },
    /// 1 with probability `p`, else 0.
    Bernoulli {
        /// Probability of 1, in [0, 1].
        p: f64,
    },
    /// One of these values (each written as `--set` takes it: a number or RON text such as
    /// `Sod1(A4V)`), with these weights (≥ 0, not all 0; they need not sum to one).
    Choice(Vec<(String, f64)>),
}

/// A correlation between the draws of two traits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// One trait's parameter path.
    pub a: String,
    /// The other's.
    pub b: String,
    /// Correlation of their underlying standard normals, in (−1, 1).
    pub rho: f64,
}

/// Sex of a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// `"male"` or `"female"`.
    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Something a share of people is exposed to: events added to their tissue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    /// Name, for the people table. Required.
    pub name: String,
    /// Share of people exposed. Range [0, 1]. Required.
    pub prevalence: f64,
    /// What an exposed person's tissue receives (in a neuraxis scenario: the region named by
    /// `region`). Required, at least one.
    pub events: Vec<Event>,
    /// The region of a neuraxis that receives the events. Required in a neuraxis scenario.
    #[serde(default)]
    pub region: Option<String>,
    /// Dose: a factor drawn per exposed person multiplying each event's strength (a toxin's
    /// ROS rate; an injury's damage, debris and TNF; an injection's seeds). Default 1.
    #[serde(default)]
    pub dose: Option<Draw>,
}

/// Mortality from causes other than ALS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Mortality {
    /// Gompertz hazard `a·e^{b·age}` per year, for men and for women.
    Gompertz {
        /// Men's `(a per year, b per year)`.
        male: (f64, f64),
        /// Women's `(a per year, b per year)`.
        female: (f64, f64),
    },
}

impl Mortality {
    /// Age at death given alive at `age`, from a uniform `u` in (0, 1): the inverse of the
    /// conditional survival.
    pub fn death_age(&self, sex: Sex, age: f64, u: f64) -> f64 {
        let Mortality::Gompertz { male, female } = self;
        let (a, b) = if sex == Sex::Male { *male } else { *female };
        Gompertz::new(a, b)
            .expect("checked: a and b positive")
            .age_at_survival(age, u)
    }

    fn check(&self, c: &mut Checker) {
        let Mortality::Gompertz { male, female } = self;
        for (name, (a, b)) in [("Gompertz.male", male), ("Gompertz.female", female)] {
            c.positive(&format!("{name}.0"), *a, 100.0);
            c.positive(&format!("{name}.1"), *b, 1.0);
        }
    }
}

/// Who a person of a cohort is: what was drawn for them. Recorded in their run's manifest and
/// in the cohort's plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Index in the cohort, from 0.
    pub index: u64,
    /// The seed of the person's run.
    pub seed: u64,
    /// Sex.
    pub sex: Sex,
    /// Each drawn trait's parameter path and value as set, in the order of `traits`.
    pub draws: Vec<(String, String)>,
    /// Each exposure's name and its dose (0 when not exposed), in declaration order.
    pub exposures: Vec<(String, f64)>,
    /// Age at death of other causes, if the cohort has other mortality.
    pub death_age_years: Option<f64>,
}

/// One person of a cohort, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// What was drawn.
    pub record: PersonRecord,
    /// The person's scenario: no cohort, draws set, events added, run ending at their death
    /// of other causes; validated.
    pub scenario: Scenario,
}

/// Stream key of the cohort's draws.
const COHORT_STREAM: u64 = 0xC0C0_0000_0000_0001;

/// The seed of person `index` of a cohort of seed `seed`: the (index + 1)-th output of
/// SplitMix64 from `seed`, as the replicates of a batch are seeded.
pub fn person_seed(seed: u64, index: u64) -> u64 {
    let z = seed.wrapping_add((index + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    mix(z.wrapping_sub(0x9E37_79B9_7F4A_7C15))
}

impl Draw {
    /// The value at quantile `u` in (0, 1), with the truncation `within`.
    fn quantile(&self, u: f64, within: Option<(f64, f64)>) -> Result<String, String> {
        let continuous: Box<dyn ContinuousCDF<f64, f64>> = match *self {
            Draw::Normal { mean, sd } => Box::new(Normal::new(mean, sd).map_err(show)?),
            Draw::LogNormal { median, log_sd } => {
                Box::new(LogNormal::new(median.ln(), log_sd).map_err(show)?)
            }
            Draw::Beta { alpha, beta } => Box::new(Beta::new(alpha, beta).map_err(show)?),
            Draw::Gamma { shape, scale } => Box::new(Gamma::new(shape, 1.0 / scale).map_err(show)?),
            Draw::Uniform { low, high } => return Ok(number(low + u * (high - low))),
            Draw::Bernoulli { p } => return Ok(number(if u < p { 1.0 } else { 0.0 })),
            Draw::Choice(ref options) => {
                let total: f64 = options.iter().map(|(_, w)| w).sum();
                let mut left = u * total;
                for (value, w) in options {
                    if left < *w {
                        return Ok(value.clone());
                    }
                    left -= w;
                }
                let last = options.iter().rev().find(|(_, w)| *w > 0.0);
                return Ok(last.expect("checked: a weight > 0").0.clone());
            }
        };
        let u = match within {
            Some((lo, hi)) => {
                let (flo, fhi) = (continuous.cdf(lo), continuous.cdf(hi));
                flo + u * (fhi - flo)
            }
            None => u,
        };
        Ok(number(continuous.inverse_cdf(u)))
    }

    fn is_numeric(&self) -> bool {
        !matches!(self, Draw::Choice(_))
    }

    fn check(&self, c: &mut Checker) {
        match self {
            Draw::Normal { mean, sd } => {
                c.range("Normal.mean", *mean, -1e12, 1e12);
                c.positive("Normal.sd", *sd, 1e12);
            }
            Draw::LogNormal { median, log_sd } => {
                c.positive("LogNormal.median", *median, 1e12);
                c.positive("LogNormal.log_sd", *log_sd, 10.0);
            }
            Draw::Beta { alpha, beta } => {
                c.positive("Beta.alpha", *alpha, 1e6);
                c.positive("Beta.beta", *beta, 1e6);
            }
            Draw::Gamma { shape, scale } => {
                c.positive("Gamma.shape", *shape, 1e6);
                c.positive("Gamma.scale", *scale, 1e12);
            }
            Draw::Uniform { low, high } => {
                c.range("Uniform.low", *low, -1e12, 1e12);
                c.range("Uniform.high", *high, -1e12, 1e12);
                if high <= low {
                    c.problem(
                        "Uniform.high",
                        format!("must be above low ({low}), got {high}"),
                    );
                }
            }
            Draw::Bernoulli { p } => c.range("Bernoulli.p", *p, 0.0, 1.0),
            Draw::Choice(options) => {
                for (i, (_, w)) in options.iter().enumerate() {
                    c.range(&format!("Choice[{i}].1"), *w, 0.0, 1e12);
                }
                if options.iter().all(|(_, w)| *w <= 0.0) {
                    c.problem("Choice", "needs at least one option with a weight above 0");
                }
            }
        }
    }
}

fn show(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A number as `--set` writes it: the shortest text that reads back to the same f64.
fn number(x: f64) -> String {
    format!("{x:?}")
}

impl Cohort {
    pub(crate) fn check(&self, c: &mut Checker, is_body: bool, region_names: &[&str]) {
        c.range("people", self.people as f64, 1.0, MAX_PEOPLE as f64);
        c.range("male_share", self.male_share, 0.0, 1.0);
        for (i, t) in self.traits.iter().enumerate() {
            c.scope(&format!("traits[{i}]"), |c| {
                c.scope("draw", |c| t.draw.check(c));
                if let Some((lo, hi)) = t.within {
                    if !t.draw.is_numeric() {
                        c.problem(
                            "within",
                            "applies to numeric draws only; leave it out for a Choice",
                        );
                    } else if lo.is_nan() || hi.is_nan() || lo >= hi {
                        c.problem(
                            "within",
                            format!("must be (low, high) with low < high, got ({lo}, {hi})"),
                        );
                    }
                }
            });
            if let Some(j) = self.traits[..i].iter().position(|o| {
                o.parameter == t.parameter && (o.sex.is_none() || t.sex.is_none() || o.sex == t.sex)
            }) {
                c.problem(
                    &format!("traits[{i}].parameter"),
                    format!("{} is already drawn by traits[{j}] for the same people; give each parameter once (or once per sex)", t.parameter),
                );
            }
        }
        for (i, r) in self.correlations.iter().enumerate() {
            c.scope(&format!("correlations[{i}]"), |c| {
                for (field, path) in [("a", &r.a), ("b", &r.b)] {
                    match self.traits.iter().find(|t| &t.parameter == path) {
                        None => c.problem(
                            field,
                            format!("names {path:?}, which is not a parameter of cohort.traits"),
                        ),
                        Some(t) if !t.draw.is_numeric() => c.problem(
                            field,
                            format!("names {path:?}, a Choice: only numeric traits correlate"),
                        ),
                        Some(_) => {}
                    }
                }
                if r.a == r.b {
                    c.problem("b", "is the same trait as a");
                }
                if r.rho.is_nan() || r.rho <= -1.0 || r.rho >= 1.0 {
                    c.problem("rho", format!("must be inside (-1, 1), got {}", r.rho));
                }
            });
        }
        if c.is_clean() && cholesky(&self.correlation_matrix()).is_none() {
            c.problem(
                "correlations",
                "together are not a valid correlation matrix (not positive definite); lower some of them",
            );
        }
        for (i, e) in self.exposures.iter().enumerate() {
            c.scope(&format!("exposures[{i}]"), |c| {
                c.range("prevalence", e.prevalence, 0.0, 1.0);
                if e.events.is_empty() {
                    c.problem("events", "is empty; an exposure adds at least one event");
                }
                if let Some(d) = &e.dose {
                    c.scope("dose", |c| d.check(c));
                    if !d.is_numeric() {
                        c.problem("dose", "must be a numeric distribution, not a Choice");
                    }
                }
                match (&e.region, is_body) {
                    (None, true) => c.problem("region", "is required in a neuraxis scenario: name the region whose tissue receives the events"),
                    (Some(_), false) => c.problem("region", "is for neuraxis scenarios; leave it out for a single block"),
                    (Some(r), true) if !region_names.contains(&r.as_str()) => {
                        c.problem("region", format!("names {r:?}, which is not a region of neuraxis.regions"))
                    }
                    _ => {}
                }
            });
        }
        if let Some(m) = &self.other_mortality {
            c.scope("other_mortality", |c| m.check(c));
        }
    }

    /// The correlation matrix of the traits' standard normals, in trait order.
    fn correlation_matrix(&self) -> Vec<Vec<f64>> {
        let n = self.traits.len();
        let mut m = vec![vec![0.0; n]; n];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let index = |p: &str| self.traits.iter().position(|t| t.parameter == p);
        for r in &self.correlations {
            if let (Some(i), Some(j)) = (index(&r.a), index(&r.b)) {
                m[i][j] = r.rho;
                m[j][i] = r.rho;
            }
        }
        m
    }
}

/// The lower Cholesky factor of a symmetric matrix, or `None` if it is not positive definite.
fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - s;
                if d <= 1e-12 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// A uniform in (0, 1), never exactly 0 (for logarithms and inverse CDFs).
fn open_unit(rng: &mut Pcg64Mcg) -> f64 {
    ((rng.random::<u64>() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

impl Scenario {
    /// Person `index` of this cohort scenario (see the module documentation): draws made,
    /// written in and the result validated. `origin` names the file in errors, which name the
    /// person and the draw at fault.
    pub fn person(&self, index: u64, origin: &str) -> Result<Person, crate::ScenarioError> {
        let cohort = self
            .cohort
            .as_ref()
            .ok_or_else(|| crate::ScenarioError::Invalid {
                path: origin.to_string(),
                problems: vec![crate::Problem {
                    field: "cohort".into(),
                    message: "is missing: --person needs a scenario with a cohort section".into(),
                }],
            })?;
        let at_fault = |message: String| crate::ScenarioError::Person {
            path: origin.to_string(),
            person: index,
            message,
        };
        let stream = mix(mix(self.seed ^ COHORT_STREAM) ^ index);
        let mut rng = Pcg64Mcg::new((u128::from(mix(stream)) << 64) | u128::from(stream));
        // Fixed order of draws: sex, the traits' normals, exposures, death.
        let sex = if open_unit(&mut rng) < cohort.male_share {
            Sex::Male
        } else {
            Sex::Female
        };
        let normals: Vec<f64> = (0..cohort.traits.len())
            .map(|_| rng.sample(StandardNormal))
            .collect();
        let l = cholesky(&cohort.correlation_matrix()).expect("checked: positive definite");
        let standard = Normal::standard();
        let mut settings = Vec::new();
        let mut draws = Vec::new();
        for (i, t) in cohort.traits.iter().enumerate() {
            let z: f64 = (0..=i).map(|k| l[i][k] * normals[k]).sum();
            if t.sex.is_some_and(|s| s != sex) {
                continue;
            }
            let u = standard.cdf(z).clamp(1e-300, 1.0 - 1e-16);
            let value = t
                .draw
                .quantile(u, t.within)
                .map_err(|m| at_fault(format!("cohort.traits[{i}].draw: {m}")))?;
            settings.push(Override {
                path: t.parameter.clone(),
                value: value.clone(),
            });
            draws.push((t.parameter.clone(), value));
        }
        let mut base = self.clone();
        base.cohort = None;
        base.trial = None;
        let mut exposures = Vec::new();
        for (i, e) in cohort.exposures.iter().enumerate() {
            let (exposed, u_dose) = (open_unit(&mut rng) < e.prevalence, open_unit(&mut rng));
            if !exposed {
                exposures.push((e.name.clone(), 0.0));
                continue;
            }
            let dose = match &e.dose {
                Some(d) => d
                    .quantile(u_dose, None)
                    .map_err(|m| at_fault(format!("cohort.exposures[{i}].dose: {m}")))?
                    .parse::<f64>()
                    .expect("a numeric draw"),
                None => 1.0,
            };
            exposures.push((e.name.clone(), dose));
            let events = e.events.iter().map(|ev| ev.scaled(dose));
            match (&e.region, base.neuraxis.as_mut()) {
                (Some(name), Some(axis)) => {
                    let r = axis.index_of(name).expect("checked: a region");
                    axis.regions[r].events.extend(events);
                }
                _ => base.events.extend(events),
            }
        }
        let u_death = open_unit(&mut rng);
        let mut scenario = with_settings(&base, &settings, origin).map_err(at_fault)?;
        scenario.seed = person_seed(self.seed, index);
        // Alive at the start of their run, at the start age drawn if it is a trait.
        let start_age = scenario.time.start_age_years;
        let death_age_years = cohort
            .other_mortality
            .as_ref()
            .map(|m| m.death_age(sex, start_age, u_death));
        if let Some(age) = death_age_years {
            // Whatever would happen after their death does not.
            scenario.time.end_before(age - start_age);
            let last = scenario.time.last_tick_day();
            scenario.events.retain(|e| e.start_day() <= last);
            for region in scenario
                .neuraxis
                .iter_mut()
                .flat_map(|a| a.regions.iter_mut())
            {
                region.events.retain(|e| e.start_day() <= last);
            }
            let end = scenario.time.duration_days;
            scenario.interventions.retain(|i| match i.start {
                crate::Start::Day(d) | crate::Start::AfterOnset(d) => d <= end,
            });
        }
        // A person's follow-up ends at their death, of ALS too.
        if let Some(axis) = scenario.neuraxis.as_mut() {
            axis.end_at_respiratory_failure = true;
        }
        scenario.validate(&format!("{origin} (person {index})"))?;
        Ok(Person {
            record: PersonRecord {
                index,
                seed: scenario.seed,
                sex,
                draws,
                exposures,
                death_age_years,
            },
            scenario,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Genotype, Region};

    fn trait_of(parameter: &str, draw: Draw) -> Trait {
        Trait {
            parameter: parameter.into(),
            draw,
            within: None,
            sex: None,
        }
    }

    const VULNERABILITY: &str = "mechanisms.neuron_damage.vulnerability_median";
    const HALF_LOAD: &str = "mechanisms.aggregation.clearance_half_load";

    fn cohort_scenario(cohort: Cohort) -> Scenario {
        let s = Scenario {
            cohort: Some(cohort),
            ..Scenario::default()
        };
        s.validate("test").unwrap();
        s
    }

    fn cohort(traits: Vec<Trait>) -> Cohort {
        Cohort {
            people: 10,
            traits,
            correlations: Vec::new(),
            male_share: 0.5,
            exposures: Vec::new(),
            other_mortality: None,
        }
    }

    fn value(p: &Person, path: &str) -> f64 {
        p.record
            .draws
            .iter()
            .find(|(k, _)| k == path)
            .unwrap()
            .1
            .parse()
            .unwrap()
    }

    fn mean_sd(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
        )
    }

    #[test]
    fn a_person_is_the_same_whatever_the_cohort_size() {
        let mut c = cohort(vec![trait_of(
            VULNERABILITY,
            Draw::LogNormal {
                median: 0.3,
                log_sd: 0.5,
            },
        )]);
        let small = cohort_scenario(c.clone()).person(17, "t").unwrap();
        c.people = 100_000;
        let large = cohort_scenario(c).person(17, "t").unwrap();
        assert_eq!(small, large);
        let other = cohort_scenario(cohort(vec![trait_of(
            VULNERABILITY,
            Draw::LogNormal {
                median: 0.3,
                log_sd: 0.5,
            },
        )]))
        .person(18, "t")
        .unwrap();
        assert_ne!(small.record.draws, other.record.draws);
        assert_ne!(small.record.seed, other.record.seed);
        // The value is written into the person's scenario, which has no cohort.
        let p = &small.scenario;
        assert!(p.cohort.is_none());
        let v = p
            .mechanisms
            .neuron_damage
            .as_ref()
            .unwrap()
            .vulnerability_median;
        assert_eq!(v, value(&small, VULNERABILITY));
    }

    #[test]
    fn draws_follow_their_distributions_and_correlations() {
        let mut c = cohort(vec![
            trait_of(
                VULNERABILITY,
                Draw::LogNormal {
                    median: 0.3,
                    log_sd: 0.5,
                },
            ),
            Trait {
                within: Some((5.0, 15.0)),
                ..trait_of(
                    HALF_LOAD,
                    Draw::Normal {
                        mean: 10.0,
                        sd: 4.0,
                    },
                )
            },
            trait_of(
                "genotype",
                Draw::Choice(vec![("Sporadic".into(), 3.0), ("C9orf72".into(), 1.0)]),
            ),
        ]);
        c.correlations = vec![Correlation {
            a: VULNERABILITY.into(),
            b: HALF_LOAD.into(),
            rho: 0.6,
        }];
        c.male_share = 0.3;
        let s = cohort_scenario(c);
        let people: Vec<Person> = (0..4000).map(|i| s.person(i, "t").unwrap()).collect();
        let logs: Vec<f64> = people
            .iter()
            .map(|p| value(p, VULNERABILITY).ln())
            .collect();
        let (m, sd) = mean_sd(&logs);
        assert!(
            (m - 0.3f64.ln()).abs() < 0.03 && (sd - 0.5).abs() < 0.03,
            "{m} {sd}"
        );
        let half: Vec<f64> = people.iter().map(|p| value(p, HALF_LOAD)).collect();
        assert!(half.iter().all(|&h| (5.0..=15.0).contains(&h)));
        // A normal truncated symmetrically keeps its mean.
        assert!((mean_sd(&half).0 - 10.0).abs() < 0.15);
        let c9 = people
            .iter()
            .filter(|p| p.scenario.genotype == Genotype::C9orf72)
            .count();
        assert!((c9 as f64 / 4000.0 - 0.25).abs() < 0.025, "{c9}");
        let men = people.iter().filter(|p| p.record.sex == Sex::Male).count();
        assert!((men as f64 / 4000.0 - 0.3).abs() < 0.025, "{men}");
        // The correlation of the underlying normals is rho; rank order is kept by the copula,
        // so the Pearson correlation of the log-vulnerability and the normal scores of the
        // truncated trait is near 0.6 (truncation lowers it a little).
        let z: Vec<f64> = half.iter().map(|h| (h - 10.0) / 4.0).collect();
        let (mz, sz) = mean_sd(&z);
        let r = logs
            .iter()
            .zip(&z)
            .map(|(a, b)| (a - m) * (b - mz))
            .sum::<f64>()
            / (3999.0 * sd * sz);
        assert!((0.5..0.65).contains(&r), "{r}");
    }

    #[test]
    fn exposures_add_scaled_events_to_the_exposed_share() {
        let mut c = cohort(Vec::new());
        c.exposures = vec![Exposure {
            name: "pesticide".into(),
            prevalence: 0.2,
            events: vec![Event::Toxin {
                start_day: 1.0,
                end_day: 2.0,
                region: Region::Whole,
                ros_fmol_per_hour_per_mm3: 10.0,
            }],
            region: None,
            dose: Some(Draw::Uniform {
                low: 1.0,
                high: 3.0,
            }),
        }];
        let s = cohort_scenario(c);
        let people: Vec<Person> = (0..2000).map(|i| s.person(i, "t").unwrap()).collect();
        let exposed: Vec<&Person> = people
            .iter()
            .filter(|p| p.record.exposures[0].1 > 0.0)
            .collect();
        assert!(
            (exposed.len() as f64 / 2000.0 - 0.2).abs() < 0.03,
            "{}",
            exposed.len()
        );
        for p in &people {
            let dose = p.record.exposures[0].1;
            match p.scenario.events.as_slice() {
                [] => assert_eq!(dose, 0.0),
                [
                    Event::Toxin {
                        ros_fmol_per_hour_per_mm3,
                        ..
                    },
                ] => {
                    assert!((1.0..3.0).contains(&dose));
                    assert!((ros_fmol_per_hour_per_mm3 - 10.0 * dose).abs() < 1e-9);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn death_of_other_causes_ends_the_run_and_drops_what_would_come_after() {
        let mut c = cohort(Vec::new());
        // A hazard so high that most die within the 60 days of the default run.
        c.other_mortality = Some(Mortality::Gompertz {
            male: (20.0, 0.01),
            female: (20.0, 0.01),
        });
        c.exposures = vec![Exposure {
            name: "injury".into(),
            prevalence: 1.0,
            events: vec![Event::Trauma {
                day: 30.0,
                centre_um: (100.0, 100.0, 50.0),
                radius_um: 50.0,
                damage: 1.0,
                debris: 0.0,
                tnf_fg: 0.0,
            }],
            region: None,
            dose: None,
        }];
        let s = cohort_scenario(c);
        let mut early = 0;
        for i in 0..200 {
            let p = s.person(i, "t").unwrap();
            let years = p.record.death_age_years.unwrap();
            let days = p.scenario.time.duration_days;
            assert!(
                days <= 60.0 && (days - (years * 365.25).min(60.0)).abs() < 1e-9
                    || days == 1.0 / 24.0
            );
            assert_eq!(p.scenario.events.len(), usize::from(days > 30.0), "{days}");
            early += usize::from(days < 30.0);
        }
        assert!(early > 100, "{early}");
    }

    #[test]
    fn a_draw_a_parameter_cannot_take_is_refused_when_the_file_is_checked() {
        let s = Scenario {
            cohort: Some(cohort(vec![trait_of(
                "mechanisms.neuron_damage.no_such",
                Draw::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
            )])),
            ..Scenario::default()
        };
        let err = s.validate("c.ron").unwrap_err().to_string();
        assert!(err.contains("c.ron") && err.contains("no_such"), "{err}");
        // A value out of the parameter's range names the person and the parameter.
        let s = Scenario {
            cohort: Some(cohort(vec![trait_of(
                VULNERABILITY,
                Draw::Normal { mean: 0.0, sd: 1.0 },
            )])),
            ..Scenario::default()
        };
        let err = (0..50)
            .find_map(|i| s.person(i, "c.ron").err())
            .unwrap()
            .to_string();
        assert!(
            err.contains("person") && err.contains("vulnerability_median"),
            "{err}"
        );
    }

    #[test]
    fn cholesky_factors_a_correlation_matrix_and_refuses_an_impossible_one() {
        let m = vec![vec![1.0, 0.5], vec![0.5, 1.0]];
        let l = cholesky(&m).unwrap();
        assert!((l[1][0] - 0.5).abs() < 1e-12 && (l[1][1] - 0.75f64.sqrt()).abs() < 1e-12);
        // Three variables pairwise correlated −0.9 cannot exist.
        let bad = vec![
            vec![1.0, -0.9, -0.9],
            vec![-0.9, 1.0, -0.9],
            vec![-0.9, -0.9, 1.0],
        ];
        assert!(cholesky(&bad).is_none());
    }

    #[test]
    fn gompertz_death_ages_follow_the_conditional_survival() {
        let m = Mortality::Gompertz {
            male: (5e-5, 0.09),
            female: (3e-5, 0.09),
        };
        // The median of the conditional law: S(t)/S(40) = 1/2.
        let t = m.death_age(Sex::Male, 40.0, 0.5);
        let cum = |x: f64| 5e-5 / 0.09 * (0.09 * x).exp();
        assert!(((cum(t) - cum(40.0)) - 2f64.ln()).abs() < 1e-9, "{t}");
        // Women live longer at every quantile; nobody dies before the start.
        for u in [0.01, 0.3, 0.9, 0.999] {
            let (male, female) = (
                m.death_age(Sex::Male, 40.0, u),
                m.death_age(Sex::Female, 40.0, u),
            );
            assert!(male < female && male >= 40.0, "{u}: {male} {female}");
        }
    }
}
