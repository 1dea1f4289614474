//! Ageing: the proteostatic clearance capacity of motor neurons falls with the tissue's age,
//! `C(age) = C_young·2^(−age/T½)`, with `age = time.start_age_years` plus the simulated time.
//! `C_young` is aggregation's `clearance_capacity_per_day` as the scenario and genotype set it;
//! each tick, in `Sense`, the capacity aggregation uses is set to its value at the age at the
//! start of that tick. It acts only through aggregation, so it is not registered when
//! aggregation is off.
//!
//! Why it matters: with templated growth, a neuron's aggregate load has a low steady state only
//! while clearance outpaces templating plus misfolding (see `aggregation`). As capacity falls
//! with age, each neuron crosses that threshold at an age set by its misfolding: familial
//! genotypes, which misfold more, cross it younger. This is how the model turns a lifetime into
//! an age at onset.

use super::aggregation::AggregationConfig;
use crate::{Clock, DAYS_PER_YEAR, SimSet};
use alsim_scenario::mechanisms::AgeingParams;
use bevy_ecs::prelude::*;

/// The tissue's age and the capacity it started from.
#[derive(Resource, Clone, Debug)]
pub struct Ageing {
    params: AgeingParams,
    start_age_years: f64,
    young_capacity_per_day: f64,
}

impl Ageing {
    /// Age in years after `days` of simulated time.
    pub fn age_years(&self, days: f64) -> f64 {
        self.start_age_years + days / DAYS_PER_YEAR
    }

    /// Clearance capacity, per day, at `age_years`.
    pub fn capacity_at(&self, age_years: f64) -> f64 {
        self.young_capacity_per_day * (-age_years / self.params.proteostasis_half_life_years).exp2()
    }
}

/// Registers the mechanism; call after aggregation's registration.
pub fn register(
    world: &mut World,
    schedule: &mut Schedule,
    params: &AgeingParams,
    start_age_years: f64,
) {
    let Some(aggregation) = world.get_resource::<AggregationConfig>() else {
        return;
    };
    let ageing = Ageing {
        params: params.clone(),
        start_age_years,
        young_capacity_per_day: aggregation.0.clearance_capacity_per_day,
    };
    let start = ageing.capacity_at(start_age_years);
    world
        .resource_mut::<AggregationConfig>()
        .0
        .clearance_capacity_per_day = start;
    world.insert_resource(ageing);
    // Therapies rescale other aggregation parameters in the same phase; order the two writers.
    schedule.add_systems(
        age_proteostasis
            .in_set(SimSet::Sense)
            .before(super::interventions::administer),
    );
}

fn age_proteostasis(ageing: Res<Ageing>, clock: Res<Clock>, mut config: ResMut<AggregationConfig>) {
    let age = ageing.age_years(clock.days_after(clock.tick));
    config.0.clearance_capacity_per_day = ageing.capacity_at(age);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alsim_scenario::mechanisms::AggregationParams;

    fn world_at(start_age_years: f64, half_life: f64) -> (World, Schedule) {
        let mut world = World::new();
        world.insert_resource(AggregationConfig(AggregationParams {
            clearance_capacity_per_day: 0.2,
            ..AggregationParams::default()
        }));
        world.insert_resource(Clock {
            tick: 0,
            dt_hours: 24.0,
        });
        let mut schedule = Schedule::default();
        let params = AgeingParams {
            proteostasis_half_life_years: half_life,
        };
        register(&mut world, &mut schedule, &params, start_age_years);
        (world, schedule)
    }

    fn capacity(world: &World) -> f64 {
        world
            .resource::<AggregationConfig>()
            .0
            .clearance_capacity_per_day
    }

    #[test]
    fn capacity_halves_every_half_life_of_age() {
        let (mut world, mut schedule) = world_at(40.0, 40.0);
        // Already halved at the start: the tissue is one half-life old.
        assert!((capacity(&world) - 0.1).abs() < 1e-12);
        // Twenty years of daily ticks later it is 0.2·2^(−60/40).
        let ticks = (20.0 * DAYS_PER_YEAR) as u64;
        world.resource_mut::<Clock>().tick = ticks;
        schedule.run(&mut world);
        let expected = 0.2 * (-(40.0 + ticks as f64 / DAYS_PER_YEAR) / 40.0f64).exp2();
        assert!((capacity(&world) - expected).abs() < 1e-12);
        assert!(capacity(&world) < 0.1 * 0.71);
    }

    #[test]
    fn capacity_only_falls_as_the_tissue_ages() {
        let (mut world, mut schedule) = world_at(0.0, 80.0);
        let mut last = capacity(&world);
        assert_eq!(last, 0.2);
        for tick in (0..30_000).step_by(1_000) {
            world.resource_mut::<Clock>().tick = tick;
            schedule.run(&mut world);
            assert!(capacity(&world) <= last);
            last = capacity(&world);
        }
        assert!(last < 0.2);
    }

    #[test]
    fn nothing_ages_without_aggregation() {
        let mut world = World::new();
        let mut schedule = Schedule::default();
        register(&mut world, &mut schedule, &AgeingParams::default(), 60.0);
        assert!(world.get_resource::<Ageing>().is_none());
    }
}
