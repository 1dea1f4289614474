//! Disease mechanisms, one file each: its components, its systems and the registration that puts
//! those systems into the schedule. A mechanism switched off in the scenario is simply not
//! registered; no other mechanism asks whether it is on.

pub mod aggregation;
pub mod astrocytes;
pub mod cell_death;
pub mod environment;
pub mod genetics;
pub mod interventions;
pub mod microglia;
pub mod mitochondria;
pub mod motor_units;
pub mod neuron_damage;
pub mod transport;

use bevy_ecs::prelude::*;

/// Gives every cell marked `M` the component `C` (a mechanism's per-cell state at the start).
pub(crate) fn give<M: Component, C: Component + Clone>(world: &mut World, initial: C) {
    let cells: Vec<Entity> = world
        .query_filtered::<Entity, With<M>>()
        .iter(world)
        .collect();
    for cell in cells {
        world.entity_mut(cell).insert(initial.clone());
    }
}

/// Saturating stimulus `c / (c + half_max)` in [0, 1).
pub(crate) fn saturating(c: f32, half_max: f32) -> f32 {
    let c = c.max(0.0);
    c / (c + half_max)
}

/// Probability that an event of constant `rate` happens within `dt` (same time unit).
pub(crate) fn chance(rate: f32, dt: f32) -> f32 {
    -(-rate * dt).exp_m1()
}
