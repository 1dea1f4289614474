//! Mitochondria in motor neurons: function, reactive oxygen species and oxidative damage.

use crate::params::{closed, params, positive};

params! {
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
    pub struct MitochondriaParams {
        /// Rate `k_b` at which function recovers towards 1 (biogenesis, fission–fusion repair,
        /// mitophagy): recovery over about ten days.
        biogenesis_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0), "model choice";
        /// Loss of function `k_A` under saturating aggregates. A SOD1 genotype raises it (mutant
        /// SOD1 associates with mitochondria).
        aggregate_toxicity_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0),
            "model choice; mitochondrial vacuolisation and damage are early in SOD1-G93A motor neurons (Bendotti et al. 2001)";
        /// Aggregate load `K_A` at which that loss is half its maximum: the load at which
        /// proteostasis is half saturated.
        aggregate_half_load: f64 = 1.0, "a.u.", positive(1e3), "model choice";
        /// Loss of function `k_O` per unit of oxidative damage: weak enough that ROS alone
        /// cannot collapse a healthy neuron; the vicious cycle only amplifies other insults.
        oxidative_toxicity_per_day: f64 = 0.02, "1/day", closed(0.0, 100.0), "model choice";
        /// ROS production `p_0` of fully functional mitochondria: with the default removal,
        /// ~10 nM of intracellular H2O2.
        basal_ros_micromolar_per_hour: f64 = 0.1, "µM/h", closed(0.0, 1e4),
            "Sies 2014: about 10 nM H2O2 in healthy cells";
        /// Extra ROS production `p_F` of fully failed mitochondria: a failed neuron reaches
        /// ~100 nM, where oxidative eustress turns into distress.
        dysfunction_ros_micromolar_per_hour: f64 = 0.9, "µM/h", closed(0.0, 1e4), "Sies 2017";
        /// First-order removal `k_ao` of ROS by antioxidant enzymes and scavengers
        /// (peroxiredoxins, glutathione peroxidase, catalase). Real removal takes seconds, but
        /// ROS reach their steady state within any tick either way, so only the ratio to
        /// production matters. An `Antioxidant` therapy (edaravone) multiplies it.
        antioxidant_capacity_per_hour: f64 = 9.0, "1/h", closed(0.0, 1e6), "model choice";
        /// Permeation `k_leak` of H2O2 across the membrane, the same both ways: a neuron leaks
        /// `k_leak·R` into `fields.ros` and takes in `k_leak·R_out` from it. By default a tenth
        /// of the ROS made leaves the cell.
        ros_leak_per_hour: f64 = 1.0, "1/h", closed(0.0, 1e6), "model choice";
        /// Volume of the cell exchanging ROS with its voxel: a mouse motor neuron soma of
        /// ~27 µm diameter (`docs/calibration-targets.md`, D).
        soma_volume_um3: f64 = 10_000.0, "µm³", positive(1e7), "standard anatomy texts";
        /// Oxidative damage `k_ox` accumulated per µM of ROS: sustained 100 nM accumulates
        /// damage 1 at the default repair.
        oxidation_per_micromolar_per_day: f64 = 1.0, "1/day per µM", closed(0.0, 1e3),
            "model choice";
        /// First-order repair `k_rep` of oxidative damage (turnover of oxidised proteins and
        /// lipids, DNA repair).
        oxidative_repair_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0), "model choice";
    }
}
