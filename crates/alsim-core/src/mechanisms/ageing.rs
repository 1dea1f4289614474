//! Ageing: the proteostatic clearance capacity of motor neurons falls with the tissue's age,
//! `C(age) = C_young·2^(−age/T½)`, with `age = time.start_age_years` plus the simulated time.
//! `C_young` is aggregation's `clearance_capacity_per_day` as the scenario and genotype set it;
//! before each step ([`Mechanism::prepare`]) ageing sets the factor `2^(−age/T½)`
//! ([`AgeingFactor`]) at the age at the start of that step, and aggregation applies it to its
//! capacity. It acts only through aggregation, so it is not registered when aggregation is off.
//!
//! Why it matters: with templated growth, a neuron's aggregate load has a low steady state only
//! while clearance outpaces templating plus misfolding (see `aggregation`). As capacity falls
//! with age, each neuron crosses that threshold at an age set by its misfolding: familial
//! genotypes, which misfold more, cross it younger. This is how the model turns a lifetime into
//! an age at onset.

use crate::mechanism::{Mechanism, Setup};
use crate::{Clock, DAYS_PER_YEAR};
use alsim_scenario::mechanisms::AgeingParams;
use bevy_ecs::prelude::*;

/// The mechanism.
pub struct Ageing;

impl Mechanism for Ageing {
    fn name(&self) -> &'static str {
        "ageing"
    }

    fn build(&self, setup: &Setup, world: &mut World, _: &mut Schedule) {
        let params = setup.scenario.mechanisms.ageing.as_ref().expect("on");
        register(world, params, setup.scenario.time.start_age_years);
    }

    /// Aggregation's step limit reads the factor too.
    fn prepare(&self, world: &mut World) {
        let clearance = {
            let (clock, age) = (world.resource::<Clock>(), world.resource::<TissueAge>());
            age.capacity_factor(age.age_years(clock.days_after(clock.tick)))
        };
        world.resource_mut::<AgeingFactor>().clearance = clearance;
    }

    /// It acts only through aggregation.
    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.ageing.is_some()
            && setup.scenario.mechanisms.aggregation.is_some()
    }
}

/// The tissue's age.
#[derive(Resource, Clone, Debug)]
pub struct TissueAge {
    params: AgeingParams,
    start_age_years: f64,
}

impl TissueAge {
    /// Age in years after `days` of simulated time.
    pub fn age_years(&self, days: f64) -> f64 {
        self.start_age_years + days / DAYS_PER_YEAR
    }

    /// Clearance capacity at `age_years` relative to the young tissue's, `2^(−age/T½)`.
    pub fn capacity_factor(&self, age_years: f64) -> f64 {
        (-age_years / self.params.proteostasis_half_life_years).exp2()
    }
}

/// What ageing does to aggregation this step: the factor on its clearance capacity, set before
/// the step from the age at its start (a function of the clock alone, so a
/// checkpoint need not keep it).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct AgeingFactor {
    /// Clearance capacity relative to the young tissue's.
    pub clearance: f64,
}

fn register(world: &mut World, params: &AgeingParams, start_age_years: f64) {
    let age = TissueAge {
        params: params.clone(),
        start_age_years,
    };
    world.insert_resource(AgeingFactor {
        clearance: age.capacity_factor(start_age_years),
    });
    world.insert_resource(age);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world_at(start_age_years: f64, half_life: f64) -> World {
        let mut world = World::new();
        world.insert_resource(Clock::new(24.0));
        let params = AgeingParams {
            proteostasis_half_life_years: half_life,
        };
        register(&mut world, &params, start_age_years);
        world
    }

    fn factor(world: &World) -> f64 {
        world.resource::<AgeingFactor>().clearance
    }

    #[test]
    fn capacity_halves_every_half_life_of_age() {
        let mut world = world_at(40.0, 40.0);
        // Already halved at the start: the tissue is one half-life old.
        assert!((factor(&world) - 0.5).abs() < 1e-12);
        // Twenty years of daily ticks later it is 2^(−60/40).
        let ticks = (20.0 * DAYS_PER_YEAR) as u64;
        world.resource_mut::<Clock>().tick = ticks;
        Ageing.prepare(&mut world);
        let expected = (-(40.0 + ticks as f64 / DAYS_PER_YEAR) / 40.0f64).exp2();
        assert!((factor(&world) - expected).abs() < 1e-12);
        assert!(factor(&world) < 0.5 * 0.71);
    }

    #[test]
    fn capacity_only_falls_as_the_tissue_ages() {
        let mut world = world_at(0.0, 80.0);
        let mut last = factor(&world);
        assert_eq!(last, 1.0);
        for tick in (0..30_000).step_by(1_000) {
            world.resource_mut::<Clock>().tick = tick;
            Ageing.prepare(&mut world);
            assert!(factor(&world) <= last);
            last = factor(&world);
        }
        assert!(last < 1.0);
    }

    #[test]
    fn nothing_ages_without_aggregation() {
        let mut s = alsim_scenario::Scenario::default();
        s.mechanisms.aggregation = None;
        let sim = crate::Simulation::new(&s).unwrap();
        assert!(sim.world().get_resource::<AgeingFactor>().is_none());
    }
}
