//! Placeholder being written: the aggregation mechanism.

use alsim_scenario::mechanisms::AggregationParams;
use bevy_ecs::prelude::*;

/// Registers the mechanism.
pub fn register(_world: &mut World, _schedule: &mut Schedule, _params: &AggregationParams) {}

/// Intracellular misfolded protein of a cell, in aggregate units (a.u.).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct Aggregates {
    /// Aggregate load, a.u.
    pub load: f32,
}
