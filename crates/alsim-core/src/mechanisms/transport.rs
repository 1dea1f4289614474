//! Placeholder being written: the transport mechanism.

use alsim_scenario::mechanisms::TransportParams;
use bevy_ecs::prelude::*;

/// Registers the mechanism.
pub fn register(_world: &mut World, _schedule: &mut Schedule, _params: &TransportParams) {}

/// Axonal transport of a motor neuron and the state of its neuromuscular terminal.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Transport {
    /// Transport efficiency, 1 normal, 0 stopped.
    pub efficiency: f32,
    /// Integrity of the neuromuscular terminal, 1 intact, 0 retracted.
    pub terminal: f32,
}
