//! Motor neuron damage: accumulated from cell-autonomous stress, pro-inflammatory cytokine and
//! reactive astrocytes nearby, and repaired at a first-order rate:
//! `dd/dt = v·k_intrinsic + k_tnf·T + k_astro·n − r·d`, integrated exactly over each tick (the
//! inputs held constant), so any time step is stable.

use super::astrocytes::ReactiveAstrocyteMap;
use super::saturating;
use crate::rng::{Purpose, stream};
use crate::{CellId, Clock, FieldGrid, FieldId, LifeState, MotorNeuron, RunSeed, SimSet, Voxel};
use alsim_scenario::mechanisms::NeuronDamageParams;
use bevy_ecs::prelude::*;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

/// Accumulated damage (dimensionless; see `cell_death` for how it kills).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct Damage(pub f32);

/// Fixed multiplier of a neuron's intrinsic stress, drawn once at the start.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vulnerability(pub f32);

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct NeuronDamageConfig(pub NeuronDamageParams);

/// Registers the mechanism: gives every motor neuron zero damage and its vulnerability.
pub fn register(world: &mut World, schedule: &mut Schedule, params: &NeuronDamageParams) {
    let seed = world.resource::<RunSeed>().0;
    let spread = LogNormal::new(0.0, params.vulnerability_log_sd).expect("validated sd in [0, 3]");
    let mut neurons = world.query_filtered::<(Entity, &CellId), With<MotorNeuron>>();
    let draws: Vec<_> = neurons
        .iter(world)
        .map(|(e, id)| {
            let mut rng = stream(seed, *id, 0, Purpose::Vulnerability);
            (e, Vulnerability(spread.sample(&mut rng) as f32))
        })
        .collect();
    for (entity, v) in draws {
        world.entity_mut(entity).insert((v, Damage::default()));
    }
    world.insert_resource(NeuronDamageConfig(params.clone()));
    schedule.add_systems(accumulate_damage.in_set(SimSet::Damage));
}

/// Damage after `dt_days` from `d` with constant `input` per day and repair rate `repair`.
pub fn integrate(d: f32, input: f32, repair: f32, dt_days: f32) -> f32 {
    if repair > 0.0 {
        let keep = (-repair * dt_days).exp();
        d * keep + input / repair * (1.0 - keep)
    } else {
        d + input * dt_days
    }
}

fn accumulate_damage(
    config: Res<NeuronDamageConfig>,
    grid: Res<FieldGrid>,
    astrocytes: Option<Res<ReactiveAstrocyteMap>>,
    clock: Res<Clock>,
    mut cells: Query<(&Voxel, &Vulnerability, &mut Damage, &mut LifeState), With<MotorNeuron>>,
) {
    let p = &config.0;
    let dt_days = clock.dt_hours as f32 / 24.0;
    let astrocytes = astrocytes.as_deref();
    let mut items: Vec<_> = cells.iter_mut().collect();
    items
        .par_iter_mut()
        .for_each(|(voxel, vulnerability, damage, life)| {
            if !life.is_viable() {
                return;
            }
            let tnf = saturating(
                grid.at(FieldId::Tnf, voxel.0),
                p.tnf_half_max_ng_per_ml as f32,
            );
            let reactive = astrocytes.map_or(0, |map| map.within_reach(voxel.0)) as f32;
            let input = vulnerability.0 * p.intrinsic_damage_per_day as f32
                + p.tnf_damage_per_day as f32 * tnf
                + p.astrocyte_damage_per_day as f32 * reactive;
            damage.0 = integrate(damage.0, input, p.repair_per_day as f32, dt_days);
            **life = if damage.0 as f64 > p.stressed_at_damage {
                LifeState::Stressed
            } else {
                LifeState::Healthy
            };
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_relaxes_to_input_over_repair_exactly() {
        // d(t) = (I/r)(1 − e^{−rt}) from 0; 100 steps of 1 day equal one step of 100 days.
        let (input, repair) = (0.03, 0.02);
        let mut d = 0.0;
        for _ in 0..100 {
            d = integrate(d, input, repair, 1.0);
        }
        let exact = input / repair * (1.0 - (-repair * 100.0f32).exp());
        assert!((d - exact).abs() < 1e-5, "{d} vs {exact}");
        assert!((integrate(0.0, input, repair, 100.0) - exact).abs() < 1e-5);
        // A huge step lands on the steady state instead of overshooting.
        assert!((integrate(5.0, input, repair, 1e6) - 1.5).abs() < 1e-5);
    }

    #[test]
    fn without_repair_damage_grows_linearly() {
        assert_eq!(integrate(0.5, 0.25, 0.0, 2.0), 1.0);
    }
}
