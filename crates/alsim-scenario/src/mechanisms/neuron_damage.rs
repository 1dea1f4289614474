//! Motor neuron damage: what harms a motor neuron and how it repairs.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Accumulated damage `d` (dimensionless; 1 is the damage at which the death hazard is half its
/// maximum) follows `dd/dt = v·k_intrinsic + k_tnf·T/(T+K) + k_astro·n_reactive − r·d`, with `v` a
/// per-neuron vulnerability drawn once from a log-normal of median 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeuronDamageParams {
    /// Cell-autonomous stress not modelled explicitly yet (ageing, genotype), damage per day.
    /// Default 0.01. Range [0, 100].
    pub intrinsic_damage_per_day: f64,
    /// Log-scale standard deviation of the per-neuron vulnerability multiplier (larger,
    /// fast-fatigable motor units are the more vulnerable). Default 0.5. Range [0, 3].
    pub vulnerability_log_sd: f64,
    /// Damage rate under saturating TNF, per day. Default 0.05. Range [0, 100].
    pub tnf_damage_per_day: f64,
    /// TNF at which its damage is half-maximal, ng/mL. Default 1. Range (0, 1e3].
    pub tnf_half_max_ng_per_ml: f64,
    /// Damage per day from each reactive astrocyte within its toxicity reach. Default 0.001
    /// (about 13 astrocytes lie within 50 µm at 20,000/mm³, so a fully reactive neighbourhood
    /// adds ~0.013 per day, comparable to the intrinsic stress).
    /// Range [0, 100].
    pub astrocyte_damage_per_day: f64,
    /// First-order repair of damage, per day. Default 0.02. Range [0, 100].
    pub repair_per_day: f64,
    /// Damage above which a living neuron counts as stressed. Default 0.5. Range [0, 1e3].
    pub stressed_at_damage: f64,
}

impl Default for NeuronDamageParams {
    fn default() -> Self {
        Self {
            intrinsic_damage_per_day: 0.01,
            vulnerability_log_sd: 0.5,
            tnf_damage_per_day: 0.05,
            tnf_half_max_ng_per_ml: 1.0,
            astrocyte_damage_per_day: 0.001,
            repair_per_day: 0.02,
            stressed_at_damage: 0.5,
        }
    }
}

impl NeuronDamageParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.range(
            "intrinsic_damage_per_day",
            self.intrinsic_damage_per_day,
            0.0,
            100.0,
        );
        c.range("vulnerability_log_sd", self.vulnerability_log_sd, 0.0, 3.0);
        c.range("tnf_damage_per_day", self.tnf_damage_per_day, 0.0, 100.0);
        c.positive("tnf_half_max_ng_per_ml", self.tnf_half_max_ng_per_ml, 1e3);
        c.range(
            "astrocyte_damage_per_day",
            self.astrocyte_damage_per_day,
            0.0,
            100.0,
        );
        c.range("repair_per_day", self.repair_per_day, 0.0, 100.0);
        c.range("stressed_at_damage", self.stressed_at_damage, 0.0, 1e3);
    }
}
