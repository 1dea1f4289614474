//! Microglia: surveying, pro-inflammatory and anti-inflammatory states.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Microglial activation and its outputs. Stimuli are read as saturating fractions
/// `c / (c + half_max)` of the local field values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MicrogliaParams {
    /// TNF at which its stimulus is half-maximal, ng/mL. Default 0.5: for microglia TNF is a
    /// weaker activator than the danger signals of debris, so a few activated cells' own TNF
    /// does not hold the whole tissue activated. Range (0, 1e3].
    pub tnf_half_max_ng_per_ml: f64,
    /// IL-10 at which its stimulus is half-maximal, ng/mL. Default 0.05. Range (0, 1e3].
    pub il10_half_max_ng_per_ml: f64,
    /// Debris at which its stimulus is half-maximal, neuron-equivalents/mm³. Default 1000
    /// (one neuron's debris spread over ~0.001 mm³). Range (0, 1e9].
    pub debris_half_max_per_mm3: f64,
    /// Largest rate of leaving the surveying state under a saturating stimulus, per hour.
    /// Default 0.5 (activation within hours of injury). Range [0, 100].
    pub activation_per_hour: f64,
    /// Days of continuous activation after which a protective microglia starts turning
    /// pro-inflammatory. Default 7 (Liao et al. 2012: protective early, harmful later).
    /// Range [0, 3650].
    pub chronic_after_days: f64,
    /// Rate of that chronic anti- to pro-inflammatory conversion, per day. Default 0.2.
    /// Range [0, 100].
    pub chronic_conversion_per_day: f64,
    /// Largest rate of IL-10-driven repolarisation from pro- to anti-inflammatory, per hour.
    /// Default 0.05. Range [0, 100].
    pub repolarisation_per_hour: f64,
    /// Rate of returning to surveying once stimuli are gone, per hour. Default 0.02.
    /// Range [0, 100].
    pub resting_per_hour: f64,
    /// TNF secreted by a pro-inflammatory microglia, fg per hour. Default 1 (activated
    /// microglia in culture release ~0.2–1 fg/cell/h). Range [0, 1e6].
    pub tnf_secretion_fg_per_hour: f64,
    /// IL-10 secreted by an anti-inflammatory microglia, fg per hour. Default 1. Range [0, 1e6].
    pub il10_secretion_fg_per_hour: f64,
    /// Debris one anti-inflammatory microglia can engulf at saturation, neuron-equivalents per
    /// day. Default 0.2. Range [0, 100].
    pub phagocytosis_neurons_per_day: f64,
    /// Phagocytic capacity of a pro-inflammatory microglia relative to an anti-inflammatory
    /// one. Default 0.5. Range [0, 1].
    pub proinflammatory_phagocytosis_fraction: f64,
}

impl Default for MicrogliaParams {
    fn default() -> Self {
        Self {
            tnf_half_max_ng_per_ml: 0.5,
            il10_half_max_ng_per_ml: 0.05,
            debris_half_max_per_mm3: 1000.0,
            activation_per_hour: 0.5,
            chronic_after_days: 7.0,
            chronic_conversion_per_day: 0.2,
            repolarisation_per_hour: 0.05,
            resting_per_hour: 0.02,
            tnf_secretion_fg_per_hour: 1.0,
            il10_secretion_fg_per_hour: 1.0,
            phagocytosis_neurons_per_day: 0.2,
            proinflammatory_phagocytosis_fraction: 0.5,
        }
    }
}

impl MicrogliaParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.positive("tnf_half_max_ng_per_ml", self.tnf_half_max_ng_per_ml, 1e3);
        c.positive("il10_half_max_ng_per_ml", self.il10_half_max_ng_per_ml, 1e3);
        c.positive("debris_half_max_per_mm3", self.debris_half_max_per_mm3, 1e9);
        c.range("activation_per_hour", self.activation_per_hour, 0.0, 100.0);
        c.range("chronic_after_days", self.chronic_after_days, 0.0, 3650.0);
        c.range(
            "chronic_conversion_per_day",
            self.chronic_conversion_per_day,
            0.0,
            100.0,
        );
        c.range(
            "repolarisation_per_hour",
            self.repolarisation_per_hour,
            0.0,
            100.0,
        );
        c.range("resting_per_hour", self.resting_per_hour, 0.0, 100.0);
        c.range(
            "tnf_secretion_fg_per_hour",
            self.tnf_secretion_fg_per_hour,
            0.0,
            1e6,
        );
        c.range(
            "il10_secretion_fg_per_hour",
            self.il10_secretion_fg_per_hour,
            0.0,
            1e6,
        );
        c.range(
            "phagocytosis_neurons_per_day",
            self.phagocytosis_neurons_per_day,
            0.0,
            100.0,
        );
        c.range(
            "proinflammatory_phagocytosis_fraction",
            self.proinflammatory_phagocytosis_fraction,
            0.0,
            1.0,
        );
    }
}
