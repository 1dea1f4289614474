//! Interventions: therapies that scale one mechanism parameter while they are active. A therapy
//! acts on a mechanism, not on the outcome (calibration.md, section E): the effect size is for
//! the model to produce. While courses are active, each targeted parameter equals its value
//! before any therapy times the product of the active courses' factors, so overlapping courses
//! compose and a course's end restores exactly what was there. A therapy whose mechanism is off
//! does nothing.

use super::aggregation::AggregationConfig;
use super::microglia::MicrogliaConfig;
use super::mitochondria::MitochondriaConfig;
use super::motor_units::Clinical;
use super::neuron_damage::NeuronDamageConfig;
use crate::{Clock, SimSet};
use alsim_scenario::{Intervention, Start, Therapy};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// The parameters therapies act on, one per kind of therapy.
const KINDS: usize = 4;

fn kind(therapy: Therapy) -> (usize, f64) {
    match therapy {
        Therapy::Antioxidant(f) => (0, f),
        Therapy::Antisense(f) => (1, f),
        Therapy::AntiGlutamate(f) => (2, f),
        Therapy::AntiInflammatory(f) => (3, f),
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
    /// Each targeted parameter's value before any therapy touched it.
    untreated: [Option<f64>; KINDS],
}

/// Registers the therapies.
pub fn register(world: &mut World, schedule: &mut Schedule, interventions: &[Intervention]) {
    world.insert_resource(Therapies {
        courses: interventions
            .iter()
            .map(|i| Course {
                intervention: i.clone(),
                started_tick: None,
                finished: false,
            })
            .collect(),
        untreated: [None; KINDS],
    });
    schedule.add_systems(administer.in_set(SimSet::Sense));
}

/// The mechanism parameters therapies act on; each `None` when its mechanism is off.
#[derive(SystemParam)]
pub(crate) struct Targets<'w> {
    mitochondria: Option<ResMut<'w, MitochondriaConfig>>,
    aggregation: Option<ResMut<'w, AggregationConfig>>,
    damage: Option<ResMut<'w, NeuronDamageConfig>>,
    microglia: Option<ResMut<'w, MicrogliaConfig>>,
}

impl Targets<'_> {
    fn slot(&mut self, kind: usize) -> Option<&mut f64> {
        match kind {
            0 => self
                .mitochondria
                .as_mut()
                .map(|m| &mut m.0.antioxidant_capacity_per_hour),
            1 => self
                .aggregation
                .as_mut()
                .map(|a| &mut a.0.misfolding_per_day),
            2 => self
                .damage
                .as_mut()
                .map(|d| &mut d.0.excitotoxic_damage_per_day),
            _ => self
                .microglia
                .as_mut()
                .map(|m| &mut m.0.activation_per_hour),
        }
    }
}

pub(crate) fn administer(
    mut therapies: ResMut<Therapies>,
    clock: Res<Clock>,
    clinical: Option<Res<Clinical>>,
    mut targets: Targets,
) {
    let tick = clock.tick;
    let ticks = |days: f64| (days * 24.0 / clock.dt_hours).round() as u64;
    let onset = clinical.and_then(|c| c.onset_tick);
    let mut changed = false;
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
                    changed = true;
                }
            }
            Some(start) if !course.finished => {
                if i.duration_days.is_some_and(|d| tick >= start + ticks(d)) {
                    course.finished = true;
                    changed = true;
                }
            }
            Some(_) => {}
        }
    }
    if !changed {
        return;
    }
    let therapies = &mut *therapies;
    for k in 0..KINDS {
        let Some(value) = targets.slot(k) else {
            continue;
        };
        let untreated = *therapies.untreated[k].get_or_insert(*value);
        let factor: f64 = therapies
            .courses
            .iter()
            .filter(|c| c.active())
            .map(|c| kind(c.intervention.therapy))
            .filter(|(kc, _)| *kc == k)
            .map(|(_, f)| f)
            .product();
        *value = untreated * factor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;
    use alsim_scenario::Scenario;

    fn antioxidant(sim: &Simulation) -> f64 {
        sim.world()
            .resource::<MitochondriaConfig>()
            .0
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
            sim.world()
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
