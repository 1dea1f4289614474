//! Placeholder being written: the motor_units mechanism.

use alsim_scenario::mechanisms::MotorUnitParams;
use bevy_ecs::prelude::*;

/// Registers the mechanism.
pub fn register(_world: &mut World, _schedule: &mut Schedule, _params: &MotorUnitParams) {}
