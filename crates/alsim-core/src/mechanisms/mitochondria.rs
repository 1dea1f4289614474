//! Placeholder being written: the mitochondria mechanism.

use alsim_scenario::mechanisms::MitochondriaParams;
use bevy_ecs::prelude::*;

/// Registers the mechanism.
pub fn register(_world: &mut World, _schedule: &mut Schedule, _params: &MitochondriaParams) {}

/// Mitochondrial and oxidative state of a motor neuron.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Mitochondria {
    /// Mitochondrial function, 1 healthy, 0 failed.
    pub function: f32,
    /// Intracellular ROS, µM.
    pub ros: f32,
    /// Accumulated oxidative damage to DNA, lipids and proteins (dimensionless).
    pub oxidative_damage: f32,
}
