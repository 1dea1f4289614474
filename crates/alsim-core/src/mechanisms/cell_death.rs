//! Death of motor neurons. A viable neuron with damage `d` commits to apoptosis at the hazard
//! `h(d) = h_base + h_max·dⁿ/(dⁿ + d½ⁿ)` per day: near zero while damage is low, rising
//! steeply around `d½` and saturating, so a neuron can live long with moderate damage but not
//! with severe damage. Apoptosis takes a fixed time; then the neuron is dead and its debris is
//! released into its voxel, with its aggregate load as extracellular seeds. Deaths are applied
//! in cell-id order.

use super::aggregation::Aggregates;
use super::chance;
use super::neuron_damage::Damage;
use crate::mechanism::{Mechanism, Setup, StepLimit};
use crate::rng::{Purpose, stream};
use crate::{
    CellId, Census, Clock, Exchange, FieldGrid, FieldId, LifeState, MotorNeuron, RunSeed, SimSet,
    Voxel,
};
use alsim_scenario::mechanisms::CellDeathParams;
use bevy_ecs::prelude::*;
use rand::RngExt;
use rayon::prelude::*;

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct CellDeathConfig(pub CellDeathParams);

/// The mechanism.
pub struct CellDeath;

impl Mechanism for CellDeath {
    fn name(&self) -> &'static str {
        "cell_death"
    }

    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.cell_death.as_ref().expect("on");
        world.insert_resource(CellDeathConfig(params.clone()));
        schedule.add_systems(
            (commit_to_apoptosis, complete_apoptosis)
                .chain()
                .in_set(SimSet::Die),
        );
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.cell_death.is_some()
    }

    /// Apoptosis under way ends on its tick; while the debris of a death lingers, microglia
    /// clear it and move up its gradient, which only short steps follow; otherwise a viable
    /// neuron may commit with probability at most `tolerance` per step.
    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        let p = world.resource::<CellDeathConfig>().0.clone();
        let debris_floor = DEBRIS_AT_REST * p.debris_per_neuron;
        if world.resource::<FieldGrid>().stats(FieldId::Debris).total > debris_floor {
            return 1;
        }
        let apoptosis_ticks = (p.apoptosis_hours / limit.dt_hours).round() as u64;
        let mut q = world.query_filtered::<(&LifeState, Option<&Damage>), With<MotorNeuron>>();
        let mut ticks = u64::MAX;
        for (life, damage) in q.iter(world) {
            ticks = ticks.min(match *life {
                LifeState::Dying { since_tick } => (since_tick + apoptosis_ticks)
                    .saturating_sub(limit.tick)
                    .max(1),
                LifeState::Dead => u64::MAX,
                _ => {
                    limit.ticks_for_rate(f64::from(hazard_per_day(&p, damage.map_or(0.0, |d| d.0))))
                }
            });
        }
        ticks
    }
}

/// Debris left in the tissue, as a share of one neuron's, below which a death is over for
/// adaptive stepping.
const DEBRIS_AT_REST: f64 = 0.01;

/// Hazard of death per day at damage `d`.
pub(crate) fn hazard_per_day(p: &CellDeathParams, d: f32) -> f32 {
    let n = p.hazard_hill_exponent as f32;
    let dn = d.max(0.0).powf(n);
    let half = (p.half_hazard_damage as f32).powf(n);
    p.baseline_hazard_per_day as f32 + p.max_hazard_per_day as f32 * dn / (dn + half)
}

fn commit_to_apoptosis(
    config: Res<CellDeathConfig>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, Option<&Damage>, &mut LifeState), With<MotorNeuron>>,
) {
    let p = &config.0;
    let dt_days = clock.step_hours() as f32 / 24.0;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.par_iter_mut().for_each(|(id, damage, life)| {
        if !life.is_viable() {
            return;
        }
        let h = hazard_per_day(p, damage.map_or(0.0, |d| d.0));
        let draw: f32 = stream(seed.0, **id, clock.tick, Purpose::Death).random();
        if draw < chance(h, dt_days) {
            **life = LifeState::Dying {
                since_tick: clock.tick,
            };
        }
    });
}

/// A motor neuron's state as apoptosis completes.
type Dying<'a> = (
    &'a CellId,
    &'a Voxel,
    &'a mut LifeState,
    &'a mut Exchange,
    Option<&'a mut Aggregates>,
);

fn complete_apoptosis(
    config: Res<CellDeathConfig>,
    clock: Res<Clock>,
    mut grid: ResMut<FieldGrid>,
    mut census: ResMut<Census>,
    mut cells: Query<Dying, With<MotorNeuron>>,
) {
    let p = &config.0;
    let apoptosis_ticks = (p.apoptosis_hours / clock.dt_hours).round() as u64;
    let mut done: Vec<_> = cells
        .iter_mut()
        .filter(|(_, _, life, _, _)| {
            matches!(**life, LifeState::Dying { since_tick } if clock.tick >= since_tick + apoptosis_ticks)
        })
        .collect();
    done.sort_unstable_by_key(|(id, ..)| **id);
    for (_, voxel, life, exchange, aggregates) in &mut done {
        **life = LifeState::Dead;
        **exchange = Exchange::default();
        grid.deposit(FieldId::Debris, voxel.0, p.debris_per_neuron as f32);
        // The burst at death: the whole aggregate load becomes extracellular seeds.
        if let Some(aggregates) = aggregates {
            grid.deposit(FieldId::Seeds, voxel.0, aggregates.load);
            aggregates.load = 0.0;
        }
        census.motor_neurons_dead += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_rises_with_damage_to_half_at_the_half_point() {
        let p = CellDeathParams::default();
        assert_eq!(hazard_per_day(&p, 0.0), 0.0);
        assert!((hazard_per_day(&p, 1.0) - 0.1).abs() < 1e-6);
        assert!(hazard_per_day(&p, 0.5) < hazard_per_day(&p, 1.0));
        assert!(hazard_per_day(&p, 100.0) < 0.2 + 1e-6);
        // n = 4: halving the damage below d½ cuts the excess hazard ~16-fold.
        let ratio = hazard_per_day(&p, 0.2) / hazard_per_day(&p, 0.1);
        assert!((ratio - 16.0).abs() < 0.1, "{ratio}");
    }
}
