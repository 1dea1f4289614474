//! Death of motor neurons: hazard, apoptosis and debris.

use crate::params::{closed, params, positive};

params! {
    /// A living neuron with damage `d` starts apoptosis at the hazard
    /// `h(d) = h_base + h_max · dⁿ / (dⁿ + d½ⁿ)` per day; after `apoptosis_hours` it is dead and
    /// leaves `debris_per_neuron` in its voxel.
    pub struct CellDeathParams {
        /// Hazard of an undamaged neuron.
        baseline_hazard_per_day: f64 = 0.0, "1/day", closed(0.0, 10.0), "model choice";
        /// Hazard approached at very high damage (added to the baseline).
        max_hazard_per_day: f64 = 0.2, "1/day", closed(0.0, 100.0), "model choice";
        /// Damage at which the damage-driven hazard is half its maximum.
        half_hazard_damage: f64 = 1.0, "damage", positive(1e3), "model choice";
        /// Steepness n of the hazard's rise with damage: 4 gives a threshold-like rise.
        hazard_hill_exponent: f64 = 4.0, "dimensionless", closed(1.0, 20.0), "model choice";
        /// Time from commitment to death: apoptosis completes within about a day.
        apoptosis_hours: f64 = 24.0, "h", closed(0.0, 720.0), "model choice";
        /// Debris a dead neuron leaves.
        debris_per_neuron: f64 = 1.0, "neuron-equivalents", closed(0.0, 100.0), "model choice";
    }
}
