//! Death of motor neurons: hazard, apoptosis and debris.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// A living neuron with damage `d` starts apoptosis at the hazard
/// `h(d) = h_base + h_max · dⁿ / (dⁿ + d½ⁿ)` per day; after `apoptosis_hours` it is dead and
/// leaves `debris_per_neuron` in its voxel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CellDeathParams {
    /// Hazard of an undamaged neuron, per day. Default 0. Range [0, 10].
    pub baseline_hazard_per_day: f64,
    /// Hazard approached at very high damage, per day. Default 0.2. Range [0, 100].
    pub max_hazard_per_day: f64,
    /// Damage at which the damage-driven hazard is half its maximum. Default 1. Range (0, 1e3].
    pub half_hazard_damage: f64,
    /// Steepness n of the hazard's rise with damage. Default 4 (a threshold-like rise).
    /// Range [1, 20].
    pub hazard_hill_exponent: f64,
    /// Time from commitment to death, hours. Default 24 (apoptosis completes within about a
    /// day). Range [0, 720].
    pub apoptosis_hours: f64,
    /// Debris a dead neuron leaves, neuron-equivalents. Default 1. Range [0, 100].
    pub debris_per_neuron: f64,
}

impl Default for CellDeathParams {
    fn default() -> Self {
        Self {
            baseline_hazard_per_day: 0.0,
            max_hazard_per_day: 0.2,
            half_hazard_damage: 1.0,
            hazard_hill_exponent: 4.0,
            apoptosis_hours: 24.0,
            debris_per_neuron: 1.0,
        }
    }
}

impl CellDeathParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.range(
            "baseline_hazard_per_day",
            self.baseline_hazard_per_day,
            0.0,
            10.0,
        );
        c.range("max_hazard_per_day", self.max_hazard_per_day, 0.0, 100.0);
        c.positive("half_hazard_damage", self.half_hazard_damage, 1e3);
        c.range("hazard_hill_exponent", self.hazard_hill_exponent, 1.0, 20.0);
        c.range("apoptosis_hours", self.apoptosis_hours, 0.0, 720.0);
        c.range("debris_per_neuron", self.debris_per_neuron, 0.0, 100.0);
    }
}
