//! Mitochondria in motor neurons: function, reactive oxygen species and oxidative damage.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Mitochondrial function `F` (1 healthy, 0 failed), intracellular ROS `R` (µM, H2O2 standing
/// for all) and oxidative damage `O` (dimensionless) of a motor neuron, with `a = A/(A + K_A)`
/// the saturating aggregate load and `R_out` the extracellular ROS of its voxel:
///
/// ```text
/// dF/dt = k_b·(1 − F) − (k_A·a + k_O·O)·F                     per day
/// dR/dt = p_0 + p_F·(1 − F) + k_leak·R_out − (k_ao + k_leak)·R  µM per hour
/// dO/dt = k_ox·R − k_rep·O                                    per day
/// ```
///
/// With the defaults a healthy neuron sits at `F` ≈ 0.976, `R` ≈ 12 nM, `O` ≈ 0.12, and
/// saturating aggregates bring it to `F` ≈ 0.47, `R` ≈ 57 nM, `O` ≈ 0.57.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MitochondriaParams {
    /// Rate `k_b` at which function recovers towards 1 (biogenesis, fission–fusion repair,
    /// mitophagy), per day. Default 0.1: recovery over about ten days (model choice). Range
    /// [0, 100].
    pub biogenesis_per_day: f64,
    /// Loss of function `k_A` under saturating aggregates, per day. Default 0.1 (model choice;
    /// mitochondrial vacuolisation and damage are early in SOD1-G93A motor neurons, Bendotti et
    /// al. 2001). A genotype scales it (mutant SOD1 associates with mitochondria). Range
    /// [0, 100].
    pub aggregate_toxicity_per_day: f64,
    /// Aggregate load `K_A` at which that loss is half its maximum, a.u. Default 1, the load at
    /// which proteostasis is half saturated (model choice). Range (0, 1e3].
    pub aggregate_half_load: f64,
    /// Loss of function `k_O` per unit of oxidative damage, per day. Default 0.02 (model
    /// choice; weak enough that ROS alone cannot collapse a healthy neuron, the vicious cycle
    /// only amplifies other insults). Range [0, 100].
    pub oxidative_toxicity_per_day: f64,
    /// ROS production `p_0` of fully functional mitochondria, µM per hour. Default 0.1: with
    /// the default removal, ~10 nM of intracellular H2O2 (Sies 2014: about 10 nM in healthy
    /// cells). Range [0, 1e4].
    pub basal_ros_micromolar_per_hour: f64,
    /// Extra ROS production `p_F` of fully failed mitochondria, µM per hour. Default 0.9: a
    /// failed neuron reaches ~100 nM, where oxidative eustress turns into distress (Sies 2017).
    /// Range [0, 1e4].
    pub dysfunction_ros_micromolar_per_hour: f64,
    /// First-order removal of ROS by antioxidant enzymes and scavengers `k_ao` (peroxiredoxins,
    /// glutathione peroxidase, catalase), per hour. Default 9 (model choice: real removal takes
    /// seconds, but ROS reach their steady state within any tick either way, so only the ratio
    /// to production matters). A scavenger therapy (edaravone) multiplies it. Range [0, 1e6].
    pub antioxidant_capacity_per_hour: f64,
    /// Permeation of H2O2 across the membrane `k_leak`, per hour, the same both ways: a neuron
    /// leaks `k_leak·R` into the extracellular `ros` field and takes in `k_leak·R_out` from it.
    /// Default 1: a tenth of the ROS made leaves the cell (model choice). Range [0, 1e6].
    pub ros_leak_per_hour: f64,
    /// Volume of the cell exchanging ROS with its voxel, µm³. Default 10,000: a mouse motor
    /// neuron soma of ~27 µm diameter (`docs/calibration-targets.md`, D). Range (0, 1e7].
    pub soma_volume_um3: f64,
    /// Oxidative damage `k_ox` accumulated per µM of ROS, per day. Default 1: sustained 100 nM
    /// accumulates damage 1 at the default repair (model choice). Range [0, 1e3].
    pub oxidation_per_micromolar_per_day: f64,
    /// First-order repair of oxidative damage `k_rep`, per day. Default 0.1 (model choice;
    /// turnover of oxidised proteins and lipids, DNA repair). Range [0, 100].
    pub oxidative_repair_per_day: f64,
}

impl Default for MitochondriaParams {
    fn default() -> Self {
        Self {
            biogenesis_per_day: 0.1,
            aggregate_toxicity_per_day: 0.1,
            aggregate_half_load: 1.0,
            oxidative_toxicity_per_day: 0.02,
            basal_ros_micromolar_per_hour: 0.1,
            dysfunction_ros_micromolar_per_hour: 0.9,
            antioxidant_capacity_per_hour: 9.0,
            ros_leak_per_hour: 1.0,
            soma_volume_um3: 10_000.0,
            oxidation_per_micromolar_per_day: 1.0,
            oxidative_repair_per_day: 0.1,
        }
    }
}

impl MitochondriaParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.range("biogenesis_per_day", self.biogenesis_per_day, 0.0, 100.0);
        c.range(
            "aggregate_toxicity_per_day",
            self.aggregate_toxicity_per_day,
            0.0,
            100.0,
        );
        c.positive("aggregate_half_load", self.aggregate_half_load, 1e3);
        c.range(
            "oxidative_toxicity_per_day",
            self.oxidative_toxicity_per_day,
            0.0,
            100.0,
        );
        c.range(
            "basal_ros_micromolar_per_hour",
            self.basal_ros_micromolar_per_hour,
            0.0,
            1e4,
        );
        c.range(
            "dysfunction_ros_micromolar_per_hour",
            self.dysfunction_ros_micromolar_per_hour,
            0.0,
            1e4,
        );
        c.range(
            "antioxidant_capacity_per_hour",
            self.antioxidant_capacity_per_hour,
            0.0,
            1e6,
        );
        c.range("ros_leak_per_hour", self.ros_leak_per_hour, 0.0, 1e6);
        c.positive("soma_volume_um3", self.soma_volume_um3, 1e7);
        c.range(
            "oxidation_per_micromolar_per_day",
            self.oxidation_per_micromolar_per_day,
            0.0,
            1e3,
        );
        c.range(
            "oxidative_repair_per_day",
            self.oxidative_repair_per_day,
            0.0,
            100.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_every_bad_value_is_named() {
        let mut c = Checker::default();
        MitochondriaParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = MitochondriaParams {
            biogenesis_per_day: -1.0,
            aggregate_toxicity_per_day: 101.0,
            aggregate_half_load: 0.0,
            oxidative_toxicity_per_day: f64::NAN,
            basal_ros_micromolar_per_hour: -0.1,
            dysfunction_ros_micromolar_per_hour: 1e5,
            antioxidant_capacity_per_hour: -9.0,
            ros_leak_per_hour: f64::INFINITY,
            soma_volume_um3: 0.0,
            oxidation_per_micromolar_per_day: -1.0,
            oxidative_repair_per_day: 1e3,
        };
        let mut c = Checker::default();
        c.scope("mitochondria", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "biogenesis_per_day",
            "aggregate_toxicity_per_day",
            "aggregate_half_load",
            "oxidative_toxicity_per_day",
            "basal_ros_micromolar_per_hour",
            "dysfunction_ros_micromolar_per_hour",
            "antioxidant_capacity_per_hour",
            "ros_leak_per_hour",
            "soma_volume_um3",
            "oxidation_per_micromolar_per_day",
            "oxidative_repair_per_day",
        ] {
            assert!(
                err.contains(&format!("mitochondria.{field} must")),
                "{field} missing from {err}"
            );
        }
    }
}
