//! Motor neuron damage: what harms a motor neuron and how it repairs.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Accumulated damage `d` (dimensionless; 1 is the damage at which the death hazard is half its
/// maximum) adds up every stress a motor neuron is under:
/// `dd/dt = v·k_intrinsic + k_agg·A/(A+A½) + k_ox·(O−O_tol)⁺ + k_starve·(E_tol−E)⁺/E_tol
///          + k_exc·(1−S) + k_tnf·T/(T+K) + k_astro·n_reactive − r·d`,
/// with `v` a per-neuron vulnerability drawn once from a log-normal of median 1, `A` the
/// aggregate load, `O` oxidative damage, `E` axonal transport efficiency, `S` the glutamate
/// clearing and trophic support of astrocytes in reach. A term whose mechanism is off is zero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeuronDamageParams {
    /// Cell-autonomous stress not modelled explicitly yet (ageing, genotype), damage per day.
    /// Default 0.01. Range [0, 100].
    pub intrinsic_damage_per_day: f64,
    /// Log-scale standard deviation of the per-neuron vulnerability multiplier (larger,
    /// fast-fatigable motor units are the more vulnerable). Default 0.5. Range [0, 3].
    pub vulnerability_log_sd: f64,
    /// Damage rate under a saturating aggregate load (proteotoxic stress, impaired RNA
    /// processing), per day. Default 0.05. Range [0, 100].
    pub aggregate_damage_per_day: f64,
    /// Aggregate load at which its damage is half-maximal, a.u. Default 1. Range (0, 1e6].
    pub aggregate_half_load: f64,
    /// Damage per day per unit of oxidative damage (DNA, lipids, proteins) above what a neuron
    /// tolerates. Default 0.05. Range [0, 100].
    pub oxidative_damage_per_day: f64,
    /// Oxidative damage a neuron carries without harm (a healthy neuron's steady state is
    /// ~0.12 with the default mitochondria). Default 0.2. Range [0, 1e3].
    pub oxidative_damage_tolerated: f64,
    /// Damage rate when axonal transport has stopped (trophic starvation of axon and soma),
    /// per day, scaled by the shortfall below `transport_tolerated`. Default 0.03.
    /// Range [0, 100].
    pub starvation_damage_per_day: f64,
    /// Transport efficiency above which a neuron is not starved (a healthy neuron runs at
    /// ~0.98). Default 0.9. Range [0, 1].
    pub transport_tolerated: f64,
    /// Damage rate while the neuromuscular terminal has fully retracted, per day, scaled by how
    /// far the terminal integrity `H` of the transport mechanism has fallen below the
    /// denervation threshold 1/2, as a fraction of it: the soma loses the trophic support its
    /// muscle sends back, so a denervated neuron dies back from its terminal (Dupuis &
    /// Loeffler 2009). Default 0 (off: the human scenarios are calibrated
    /// without it; the mouse scenario sets it). Range [0, 100].
    pub denervation_damage_per_day: f64,
    /// Damage rate with no astrocytic glutamate clearance or trophic support (excitotoxicity),
    /// per day. Default 0.05 (Rothstein et al. 1995: EAAT2 down by up to ~70% in ALS). An
    /// anti-glutamate therapy (riluzole) scales it. Range [0, 100].
    pub excitotoxic_damage_per_day: f64,
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
            aggregate_damage_per_day: 0.05,
            aggregate_half_load: 1.0,
            oxidative_damage_per_day: 0.05,
            oxidative_damage_tolerated: 0.2,
            starvation_damage_per_day: 0.03,
            transport_tolerated: 0.9,
            denervation_damage_per_day: 0.0,
            excitotoxic_damage_per_day: 0.05,
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
            "oxidative_damage_tolerated",
            self.oxidative_damage_tolerated,
            0.0,
            1e3,
        );
        c.range("transport_tolerated", self.transport_tolerated, 0.0, 1.0);
        c.range(
            "denervation_damage_per_day",
            self.denervation_damage_per_day,
            0.0,
            100.0,
        );
        c.range(
            "intrinsic_damage_per_day",
            self.intrinsic_damage_per_day,
            0.0,
            100.0,
        );
        c.range("vulnerability_log_sd", self.vulnerability_log_sd, 0.0, 3.0);
        c.range(
            "aggregate_damage_per_day",
            self.aggregate_damage_per_day,
            0.0,
            100.0,
        );
        c.positive("aggregate_half_load", self.aggregate_half_load, 1e6);
        c.range(
            "oxidative_damage_per_day",
            self.oxidative_damage_per_day,
            0.0,
            100.0,
        );
        c.range(
            "starvation_damage_per_day",
            self.starvation_damage_per_day,
            0.0,
            100.0,
        );
        c.range(
            "excitotoxic_damage_per_day",
            self.excitotoxic_damage_per_day,
            0.0,
            100.0,
        );
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
