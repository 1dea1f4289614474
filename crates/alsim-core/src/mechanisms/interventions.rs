//! Interventions: drugs on their regimens, carried by their pharmacokinetics to their
//! molecular targets. A drug acts on a mechanism, never on the outcome: the effect on the
//! disease is for the model to produce.
//!
//! Each course is one compartment with first-order elimination: a dose adds
//! `bioavailability × dose_mg` to the amount `A`, which decays at `k = ln 2 / half_life`
//! between doses, exactly (`A·e^{−k·dt}`). Over a step the drug acts at the step's mean
//! concentration `C = A·φ(k·dt)/volume` (`φ(z) = (1 − e^{−z})/z`) through
//! `E = max_effect · C / (C + half_max)`. Each tick in `Sense` the courses' effects are
//! combined per target into [`TherapyFactors`]: the share of each transcript knocked down
//! (read by `genetics`, which lowers the mutant product where that transcript is made, and
//! nowhere else), the share of glutamate release left (neuron damage's excitotoxic rate), the
//! antioxidant capacity added (mitochondria), and the steady anti-inflammatory factor
//! (microglial activation). Overlapping courses compose; a course's last dose leaves its drug
//! to wash out at its own pace; a therapy whose target is absent does nothing.

use super::motor_units::Clinical;
use super::{relax, tick_of};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, StepLimit};
use crate::{Clock, RestoreError, SimSet};
use alsim_scenario::{Dosing, Intervention, Start, Therapy, Transcript};
use bevy_ecs::prelude::*;

/// The time-series columns.
const COLUMNS: [Column; 4] = [
    Column::new("sod1_knockdown_fraction", Section::Readout),
    Column::new("c9orf72_sense_knockdown_fraction", Section::Readout),
    Column::new("glutamate_release_blocked_fraction", Section::Readout),
    Column::new("antioxidant_added_fraction", Section::Readout),
];

/// The mechanism.
pub struct Interventions;

impl Mechanism for Interventions {
    fn name(&self) -> &'static str {
        "interventions"
    }
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(Therapies {
            courses: setup
                .scenario
                .interventions
                .iter()
                .map(|i| Course {
                    intervention: i.clone(),
                    started_tick: None,
                    finished: false,
                    doses_given: 0,
                    amount_mg: 0.0,
                    mean_amount_mg: 0.0,
                })
                .collect(),
        });
        world.insert_resource(TherapyFactors::default());
        schedule.add_systems(administer.in_set(SimSet::Sense));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        !setup.scenario.interventions.is_empty()
    }

    /// A step ends where a course starts or stops or a dose is due, and while a drug is in the
    /// body no step is longer than it takes its effect to change by the tolerance.
    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        let ticks = |days: f64| tick_of(days, limit.dt_hours);
        let onset = world.get_resource::<Clinical>().and_then(|c| c.onset_tick);
        let therapies = world.resource::<Therapies>();
        let mut next = u64::MAX;
        for course in &therapies.courses {
            let i = &course.intervention;
            let due = match course.started_tick {
                None => match i.start {
                    Start::Day(d) => Some(ticks(d)),
                    Start::AfterOnset(delay) => onset.map(|o| o + ticks(delay)),
                },
                Some(start) if !course.finished => {
                    let end = i.duration_days.map(|d| start + ticks(d));
                    let dose = course.next_dose_day().map(|d| start + ticks(d));
                    [end, dose].into_iter().flatten().min()
                }
                Some(_) => None,
            };
            if let Some(tick) = due {
                next = next.min(limit.ticks_until(tick));
            }
            if let Some(d) = i.dosing()
                && course.amount_mg > 0.0
            {
                next = next.min(limit.ticks_for_rate(effect_change_per_day(&d, course.amount_mg)));
            }
        }
        next
    }

    /// Courses that all start at or after `tick` have not begun by then.
    fn is_untouched_until(&self, world: &World, tick: u64) -> bool {
        let dt_hours = world.resource::<Clock>().dt_hours;
        world
            .resource::<Therapies>()
            .courses
            .iter()
            .all(|c| c.is_untouched_until(tick, dt_hours))
    }

    /// The courses: where each stands and its drug's amount; the factors follow at the next
    /// `Sense`. Restored, the saved courses must open the scenario's list; courses the
    /// scenario adds after them must start at or after the saved tick (a trial's arm).
    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        let scheduled = state.world().resource::<Therapies>().courses.clone();
        state.resource::<Therapies>("courses")?;
        let world = state.world();
        let (tick, dt_hours) = {
            let clock = world.resource::<Clock>();
            (clock.tick, clock.dt_hours)
        };
        let mut therapies = world.resource_mut::<Therapies>();
        let held = therapies.courses.len();
        let mismatch = |what: String| Err(RestoreError::Mismatch(format!("its therapies {what}")));
        if held > scheduled.len()
            || (therapies.courses.iter().zip(&scheduled))
                .any(|(s, c)| s.intervention != c.intervention)
        {
            return mismatch("are not the scenario's".into());
        }
        if let Some(k) =
            (held..scheduled.len()).find(|&k| !scheduled[k].is_untouched_until(tick, dt_hours))
        {
            return mismatch(format!(
                "lack the scenario's course {k}, which starts before the checkpoint's day"
            ));
        }
        therapies.courses.extend_from_slice(&scheduled[held..]);
        Ok(())
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    /// The drugs' effects over the last step; 0 without therapies.
    fn observe(&self, world: &mut World, _: &LivingNeurons, out: &mut Vec<f64>) {
        let f = world
            .get_resource::<TherapyFactors>()
            .copied()
            .unwrap_or_default();
        out.extend([
            f.knockdown(Transcript::Sod1),
            f.knockdown(Transcript::C9orf72Sense),
            1.0 - f.glutamate_release,
            f.antioxidant - 1.0,
        ]);
    }
}

/// How fast the effect `E = E_max·C/(C + C₅₀)` changes as `amount_mg` is eliminated, per day:
/// `E_max·C₅₀·C/(C + C₅₀)²·k`. Small once the drug is well below or above its half-maximal
/// concentration, so a long-lived drug washing out does not hold the steps short.
fn effect_change_per_day(d: &Dosing, amount_mg: f64) -> f64 {
    let c = amount_mg / d.volume_l;
    let k50 = d.half_max_mg_per_l;
    d.max_effect * k50 * c / ((c + k50) * (c + k50)) * elimination_per_day(d)
}

/// Elimination rate constant, per day.
fn elimination_per_day(d: &Dosing) -> f64 {
    std::f64::consts::LN_2 / d.half_life_days
}

/// Day of dose `k` (from 0) after a course's start: the loading doses, then the maintenance
/// doses every interval, on the first `days_on` days of each cycle if there are cycles.
fn dose_day(d: &Dosing, k: u32) -> f64 {
    if k < d.loading_doses {
        return f64::from(k) * d.loading_interval_days;
    }
    let first = match d.loading_doses {
        0 => 0.0,
        n => f64::from(n - 1) * d.loading_interval_days + d.interval_days,
    };
    let m = f64::from(k - d.loading_doses);
    if d.cycle_days > 0.0 {
        let per_cycle = (d.days_on / d.interval_days).ceil().max(1.0);
        let cycle = (m / per_cycle).floor();
        first + cycle * d.cycle_days + (m - cycle * per_cycle) * d.interval_days
    } else {
        first + m * d.interval_days
    }
}

/// One scheduled therapy, where it stands and its drug in the body.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Course {
    intervention: Intervention,
    started_tick: Option<u64>,
    /// Dosing has ended (the drug may remain).
    finished: bool,
    doses_given: u32,
    /// Drug in the compartment at the start of the next step, mg.
    amount_mg: f64,
    /// Mean amount over the last step, mg.
    mean_amount_mg: f64,
}

impl Course {
    /// Whether a course that has not started starts on a day, at or after `tick`.
    fn is_untouched_until(&self, tick: u64, dt_hours: f64) -> bool {
        self.started_tick.is_none()
            && matches!(self.intervention.start, Start::Day(d) if tick_of(d, dt_hours) >= tick)
    }

    /// Day after the start of the next dose, if dosing goes on.
    fn next_dose_day(&self) -> Option<f64> {
        let d = self.intervention.dosing()?;
        let day = dose_day(&d, self.doses_given);
        let within = self.intervention.duration_days.is_none_or(|end| day < end);
        (!self.finished && within).then_some(day)
    }

    /// The drug's effect over the last step (the steady agent's factor while it runs).
    fn effect(&self) -> f64 {
        match self.intervention.dosing() {
            Some(d) => {
                let c = self.mean_amount_mg / d.volume_l;
                d.max_effect * c / (c + d.half_max_mg_per_l)
            }
            None => match self.intervention.therapy {
                Therapy::AntiInflammatory(f) if self.started_tick.is_some() && !self.finished => f,
                _ => 1.0,
            },
        }
    }
}

/// The scenario's therapies.
#[derive(Resource, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Therapies {
    courses: Vec<Course>,
}

/// The drugs' combined effects this tick, per target (no effect when none is given).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct TherapyFactors {
    /// Share of SOD1 mRNA knocked down (tofersen-like antisense), 0–1.
    pub knockdown_sod1: f64,
    /// Share of the sense-strand C9orf72 repeat transcripts knocked down, 0–1.
    pub knockdown_c9orf72_sense: f64,
    /// Share of glutamate release left (riluzole-like), on neuron damage's
    /// `excitotoxic_damage_per_day`, 0–1.
    pub glutamate_release: f64,
    /// Fold on mitochondria's `antioxidant_capacity_per_hour` (edaravone-like scavenging), ≥ 1.
    pub antioxidant: f64,
    /// Fold on microglia's `activation_per_hour`, 0–1.
    pub anti_inflammatory: f64,
}

impl Default for TherapyFactors {
    fn default() -> Self {
        Self {
            knockdown_sod1: 0.0,
            knockdown_c9orf72_sense: 0.0,
            glutamate_release: 1.0,
            antioxidant: 1.0,
            anti_inflammatory: 1.0,
        }
    }
}

impl TherapyFactors {
    /// Share of `transcript` knocked down.
    pub fn knockdown(&self, transcript: Transcript) -> f64 {
        match transcript {
            Transcript::Sod1 => self.knockdown_sod1,
            Transcript::C9orf72Sense => self.knockdown_c9orf72_sense,
        }
    }

    /// Independent actions on one target compose: knockdowns and blocks multiply what is left,
    /// scavengers add capacity.
    fn of(courses: &[Course]) -> Self {
        let mut f = Self::default();
        let mut left_sod1 = 1.0;
        let mut left_c9 = 1.0;
        for course in courses {
            let e = course.effect();
            match &course.intervention.therapy {
                Therapy::Antisense { target, .. } => match target {
                    Transcript::Sod1 => left_sod1 *= 1.0 - e,
                    Transcript::C9orf72Sense => left_c9 *= 1.0 - e,
                },
                Therapy::AntiGlutamate { .. } => f.glutamate_release *= 1.0 - e,
                Therapy::Antioxidant { .. } => f.antioxidant += e,
                Therapy::AntiInflammatory(_) => f.anti_inflammatory *= e,
            }
        }
        f.knockdown_sod1 = 1.0 - left_sod1;
        f.knockdown_c9orf72_sense = 1.0 - left_c9;
        f
    }
}

fn administer(
    mut therapies: ResMut<Therapies>,
    mut factors: ResMut<TherapyFactors>,
    clock: Res<Clock>,
    clinical: Option<Res<Clinical>>,
) {
    let tick = clock.tick;
    let ticks = |days: f64| tick_of(days, clock.dt_hours);
    let onset = clinical.and_then(|c| c.onset_tick);
    for course in &mut therapies.courses {
        let i = &course.intervention;
        if course.started_tick.is_none() {
            let due = match i.start {
                Start::Day(d) => tick >= ticks(d),
                Start::AfterOnset(delay) => onset.is_some_and(|o| tick >= o + ticks(delay)),
            };
            if due {
                course.started_tick = Some(tick);
            }
        }
        let Some(start) = course.started_tick else {
            continue;
        };
        if !course.finished && i.duration_days.is_some_and(|d| tick >= start + ticks(d)) {
            course.finished = true;
        }
        while let Some(day) = course.next_dose_day()
            && tick >= start + ticks(day)
        {
            let d = course.intervention.dosing().expect("only drugs have doses");
            course.amount_mg += d.bioavailability * d.dose_mg;
            course.doses_given += 1;
        }
        if let Some(d) = course.intervention.dosing() {
            let k = elimination_per_day(&d);
            let over = relax(course.amount_mg, 0.0, k, clock.step_hours() / 24.0);
            course.amount_mg = over.end;
            course.mean_amount_mg = over.mean;
        }
    }
    *factors = TherapyFactors::of(&therapies.courses);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;
    use crate::mechanisms::microglia::MicrogliaConfig;
    use alsim_scenario::{AntioxidantDosing, AntisenseDosing, Scenario};

    fn steps(sim: &mut Simulation, n: usize) {
        for _ in 0..n {
            sim.step();
        }
    }

    fn days(d: &Dosing, n: u32) -> Vec<f64> {
        (0..n).map(|k| dose_day(d, k)).collect()
    }

    #[test]
    fn regimens_give_their_labels_dose_days() {
        let tofersen = AntisenseDosing::default().dosing();
        assert_eq!(days(&tofersen, 6), [0.0, 14.0, 28.0, 56.0, 84.0, 112.0]);
        let edaravone = AntioxidantDosing::default().dosing();
        let d = days(&edaravone, 12);
        assert_eq!(&d[..10], (0..10).map(f64::from).collect::<Vec<_>>());
        assert_eq!(&d[10..], [28.0, 29.0], "14+4 days off, then the next cycle");
        let riluzole = alsim_scenario::AntiGlutamateDosing::default().dosing();
        assert_eq!(days(&riluzole, 3), [0.0, 0.5, 1.0]);
    }

    fn tofersen_course(start: f64, duration: Option<f64>) -> Scenario {
        let mut s = Scenario::default();
        s.time.duration_days = 60.0;
        s.interventions = vec![Intervention {
            therapy: Therapy::Antisense {
                target: Transcript::Sod1,
                dosing: AntisenseDosing::default(),
            },
            start: Start::Day(start),
            duration_days: duration,
        }];
        s
    }

    fn course(sim: &Simulation) -> Course {
        sim.world().resource::<Therapies>().courses[0].clone()
    }

    #[test]
    fn a_checkpoint_continues_a_scenario_that_adds_later_courses_only() {
        // Saved on day 2 without therapies (the mechanism off), and with one course.
        let plain = {
            let mut s = tofersen_course(1.0, None);
            s.interventions.clear();
            s
        };
        let one = tofersen_course(1.0, None);
        let save = |s: &Scenario| {
            let mut sim = Simulation::new(s).unwrap();
            steps(&mut sim, 2 * 24);
            let state = sim.save_state();
            serde_json::to_string(&state).unwrap()
        };
        let (without, with_one) = (save(&plain), save(&one));
        let restore = |saved: &str, s: &Scenario| {
            Simulation::restore(s, serde_json::from_str(saved).unwrap()).map(|_| ())
        };
        let later = |s: &Scenario, day: f64| {
            let mut s = s.clone();
            let mut course = tofersen_course(day, None).interventions[0].clone();
            course.start = Start::Day(day);
            s.interventions.push(course);
            s
        };
        // Courses from day 2 (the saved tick) on may be added; one that would have started
        // already may not, nor may the courses held differ from the scenario's.
        assert!(restore(&without, &later(&plain, 2.0)).is_ok());
        assert!(restore(&with_one, &later(&one, 3.0)).is_ok());
        let early = restore(&without, &later(&plain, 1.5))
            .unwrap_err()
            .to_string();
        assert!(
            early.contains("interventions is off in the checkpoint"),
            "{early}"
        );
        let started = restore(&with_one, &later(&one, 1.5))
            .unwrap_err()
            .to_string();
        assert!(
            started.contains("starts before the checkpoint's day"),
            "{started}"
        );
        let other = restore(&with_one, &later(&plain, 3.0))
            .unwrap_err()
            .to_string();
        assert!(other.contains("are not the scenario's"), "{other}");
        assert!(
            restore(&with_one, &plain).is_err(),
            "a course the scenario lacks"
        );
    }

    #[test]
    fn the_amount_is_the_sum_of_decaying_doses_and_the_effect_its_curve() {
        // Doses on days 2 and 16 (the second loading dose), read on day 20.
        let mut sim = Simulation::new(&tofersen_course(2.0, None)).unwrap();
        steps(&mut sim, 20 * 24);
        let d = AntisenseDosing::default().dosing();
        let k = elimination_per_day(&d);
        // After the step that started at hour 20·24 − 1.
        let t = 20.0;
        let expected: f64 = [2.0, 16.0]
            .iter()
            .map(|dose| d.dose_mg * (-k * (t - dose)).exp())
            .sum();
        let c = course(&sim);
        assert_eq!(c.doses_given, 2);
        assert!(
            (c.amount_mg - expected).abs() < 1e-9 * expected,
            "{} vs {expected}",
            c.amount_mg
        );
        let conc = c.mean_amount_mg / d.volume_l;
        let knockdown = sim.world().resource::<TherapyFactors>().knockdown_sod1;
        assert_eq!(
            knockdown,
            d.max_effect * conc / (conc + d.half_max_mg_per_l)
        );
        assert!(knockdown > 0.0 && knockdown < 1.0);
    }

    #[test]
    fn after_its_last_dose_a_drug_washes_out_at_its_half_life() {
        // One loading dose only (stopped on day 10), then a half-life without doses.
        let mut s = tofersen_course(0.0, Some(10.0));
        let d = AntisenseDosing::default().dosing();
        s.time.duration_days = 10.0 + d.half_life_days + 1.0;
        let mut sim = Simulation::new(&s).unwrap();
        steps(&mut sim, 10 * 24);
        let at_stop = course(&sim).amount_mg;
        steps(&mut sim, (d.half_life_days * 24.0) as usize);
        let c = course(&sim);
        assert_eq!(c.doses_given, 1);
        assert!(c.finished);
        assert!((c.amount_mg / at_stop - 0.5).abs() < 1e-9);
    }

    #[test]
    fn scavengers_add_capacity_and_courses_compose() {
        let mut s = Scenario::default();
        s.time.duration_days = 3.0;
        let edaravone = Intervention {
            therapy: Therapy::Antioxidant {
                dosing: AntioxidantDosing::default(),
            },
            start: Start::Day(1.0),
            duration_days: None,
        };
        s.interventions = vec![edaravone.clone()];
        let mut one = Simulation::new(&s).unwrap();
        s.interventions = vec![edaravone.clone(), edaravone];
        let mut two = Simulation::new(&s).unwrap();
        steps(&mut one, 12);
        assert_eq!(
            one.world().resource::<TherapyFactors>().antioxidant,
            1.0,
            "not yet"
        );
        steps(&mut one, 14);
        steps(&mut two, 26);
        let added = |sim: &Simulation| sim.world().resource::<TherapyFactors>().antioxidant - 1.0;
        assert!(added(&one) > 0.0);
        assert!((added(&two) - 2.0 * added(&one)).abs() < 1e-12);
    }

    #[test]
    fn a_course_after_onset_waits_for_clinical_onset() {
        let mut s = Scenario::default();
        s.time.duration_days = 4.0;
        s.interventions = vec![Intervention {
            therapy: Therapy::AntiInflammatory(0.5),
            start: Start::AfterOnset(1.0),
            duration_days: None,
        }];
        let mut sim = Simulation::new(&s).unwrap();
        let activation = |sim: &Simulation| {
            sim.world().resource::<TherapyFactors>().anti_inflammatory
                * sim
                    .world()
                    .resource::<MicrogliaConfig>()
                    .0
                    .activation_per_hour
        };
        let base = activation(&sim);
        steps(&mut sim, 24);
        assert_eq!(activation(&sim), base, "no onset, no therapy");
        sim.world_mut().resource_mut::<Clinical>().onset_tick = Some(30);
        // Due at tick 30 + 24: the step that runs tick 54 is the 31st from here.
        steps(&mut sim, 30);
        assert_eq!(
            activation(&sim),
            base,
            "not yet: a day after onset is tick 54"
        );
        steps(&mut sim, 1);
        assert_eq!(activation(&sim), 0.5 * base, "started a day after onset");
    }
}
