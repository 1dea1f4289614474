//! Interventions: therapies that scale one mechanism parameter while they are active. A therapy
//! acts on a mechanism, not on the outcome: the effect size is for the model to produce. This
//! mechanism keeps the courses and, each tick in `Sense`, the product of the active courses'
//! factors per kind of therapy ([`TherapyFactors`]); the mechanism each kind acts on multiplies
//! its own parameter by that factor when it reads it (antioxidant: mitochondria's antioxidant
//! capacity; antisense: aggregation's misfolding; anti-glutamate: neuron damage's excitotoxic
//! rate; anti-inflammatory: microglial activation). Overlapping courses compose, a course's end
//! restores exactly the untreated value, and a therapy whose mechanism is off does nothing.

use super::motor_units::Clinical;
use crate::mechanism::{Mechanism, Persist, Setup, StepLimit};
use crate::{Clock, RestoreError, SimSet};
use alsim_scenario::{Intervention, Start, Therapy};
use bevy_ecs::prelude::*;

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
                })
                .collect(),
        });
        world.insert_resource(TherapyFactors::default());
        schedule.add_systems(administer.in_set(SimSet::Sense));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        !setup.scenario.interventions.is_empty()
    }

    /// A step ends where the next course starts or stops.
    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        let ticks = |days: f64| (days * 24.0 / limit.dt_hours).round() as u64;
        let onset = world.get_resource::<Clinical>().and_then(|c| c.onset_tick);
        let therapies = world.resource::<Therapies>();
        let due = therapies.courses.iter().filter_map(|course| {
            let i = &course.intervention;
            match course.started_tick {
                None => match i.start {
                    Start::Day(d) => Some(ticks(d)),
                    Start::AfterOnset(delay) => onset.map(|o| o + ticks(delay)),
                },
                Some(start) if !course.finished => i.duration_days.map(|d| start + ticks(d)),
                Some(_) => None,
            }
        });
        due.map(|tick| limit.ticks_until(tick))
            .fold(u64::MAX, u64::min)
    }

    /// The courses; the factors follow from them at the next `Sense`.
    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.resource::<Therapies>("courses")
    }
}

/// One scheduled therapy and where it stands.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Course {
    intervention: Intervention,
    started_tick: Option<u64>,
    finished: bool,
}

impl Course {
    fn active(&self) -> bool {
        self.started_tick.is_some() && !self.finished
    }
}

/// The scenario's therapies.
#[derive(Resource, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Therapies {
    courses: Vec<Course>,
}

/// Per kind of therapy, the product of the active courses' factors (1 when none is active).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct TherapyFactors {
    /// On mitochondria's `antioxidant_capacity_per_hour` (edaravone-like radical scavenging).
    pub antioxidant: f64,
    /// On aggregation's `misfolding_per_day` (an antisense oligonucleotide such as tofersen).
    pub antisense: f64,
    /// On neuron damage's `excitotoxic_damage_per_day` (riluzole-like).
    pub anti_glutamate: f64,
    /// On microglia's `activation_per_hour`.
    pub anti_inflammatory: f64,
}

impl Default for TherapyFactors {
    fn default() -> Self {
        Self {
            antioxidant: 1.0,
            antisense: 1.0,
            anti_glutamate: 1.0,
            anti_inflammatory: 1.0,
        }
    }
}

impl TherapyFactors {
    /// `params` with the parameter `slot` picks scaled by the factor `kind` picks; unchanged
    /// without therapies. The targeted mechanism calls it when it reads its parameters.
    pub fn apply<P: Clone>(
        therapies: Option<&Self>,
        params: &P,
        slot: fn(&mut P) -> &mut f64,
        kind: fn(&Self) -> f64,
    ) -> P {
        let mut p = params.clone();
        if let Some(t) = therapies {
            *slot(&mut p) *= kind(t);
        }
        p
    }

    fn of(courses: &[Course]) -> Self {
        let mut f = Self::default();
        for course in courses.iter().filter(|c| c.active()) {
            let (slot, factor) = match course.intervention.therapy {
                Therapy::Antioxidant(x) => (&mut f.antioxidant, x),
                Therapy::Antisense(x) => (&mut f.antisense, x),
                Therapy::AntiGlutamate(x) => (&mut f.anti_glutamate, x),
                Therapy::AntiInflammatory(x) => (&mut f.anti_inflammatory, x),
            };
            *slot *= factor;
        }
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
    let ticks = |days: f64| (days * 24.0 / clock.dt_hours).round() as u64;
    let onset = clinical.and_then(|c| c.onset_tick);
    for course in &mut therapies.courses {
        let i = &course.intervention;
        match course.started_tick {
            None => {
                let due = match i.start {
                    Start::Day(d) => tick >= ticks(d),
                    Start::AfterOnset(delay) => onset.is_some_and(|o| tick >= o + ticks(delay)),
                };
                if due {
                    course.started_tick = Some(tick);
                }
            }
            Some(start) if !course.finished => {
                if i.duration_days.is_some_and(|d| tick >= start + ticks(d)) {
                    course.finished = true;
                }
            }
            Some(_) => {}
        }
    }
    *factors = TherapyFactors::of(&therapies.courses);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;
    use crate::mechanisms::microglia::MicrogliaConfig;
    use crate::mechanisms::mitochondria::MitochondriaConfig;
    use alsim_scenario::Scenario;

    fn antioxidant(sim: &Simulation) -> f64 {
        let world = sim.world();
        let base = world.resource::<MitochondriaConfig>();
        assert_eq!(
            base.0,
            Scenario::default().mechanisms.mitochondria.unwrap(),
            "a therapy never rewrites the parameters"
        );
        base.in_force(world.get_resource::<TherapyFactors>())
            .antioxidant_capacity_per_hour
    }

    fn steps(sim: &mut Simulation, n: usize) {
        for _ in 0..n {
            sim.step();
        }
    }

    #[test]
    fn a_course_scales_its_parameter_only_while_active_and_courses_compose() {
        let mut s = Scenario::default();
        s.time.duration_days = 5.0;
        s.interventions = vec![
            Intervention {
                therapy: Therapy::Antioxidant(2.0),
                start: Start::Day(1.0),
                duration_days: Some(2.0),
            },
            Intervention {
                therapy: Therapy::Antioxidant(3.0),
                start: Start::Day(2.0),
                duration_days: None,
            },
        ];
        let mut sim = Simulation::new(&s).unwrap();
        let base = antioxidant(&sim);
        steps(&mut sim, 12);
        assert_eq!(antioxidant(&sim), base, "before the first course");
        steps(&mut sim, 24);
        assert_eq!(antioxidant(&sim), 2.0 * base, "first course alone");
        steps(&mut sim, 24);
        assert_eq!(antioxidant(&sim), 6.0 * base, "both courses");
        steps(&mut sim, 24);
        assert_eq!(
            antioxidant(&sim),
            3.0 * base,
            "first course over: exactly the second's factor"
        );
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
