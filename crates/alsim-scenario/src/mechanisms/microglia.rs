//! Microglia: surveying, pro-inflammatory and anti-inflammatory states; what they secrete and
//! engulf; how they divide, move and die.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Microglial activation and its outputs, proliferation, migration and turnover. Stimuli are
/// read as saturating fractions `c / (c + half_max)` of the local field values; debris and seeds
/// together make one danger signal `D = D_debris + D_seeds − D_debris·D_seeds` (either calls the
/// microglia, through separate receptors).
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
    /// one, for debris and seeds alike. Default 0.5. Range [0, 1].
    pub proinflammatory_phagocytosis_fraction: f64,
    /// Reactive oxygen species a pro-inflammatory microglia releases through NADPH oxidase
    /// (NOX2), fmol per hour. Default 2: about 4% of the maximal respiratory burst of cultured
    /// rat microglia under PMA (814 pmol superoxide/min per million cells ≈ 49 fmol/h per cell,
    /// Bal-Price et al. 2002 J Neurochem 80:73), since disease activation is far below PMA
    /// (level is a model choice). Range [0, 1e6].
    pub ros_secretion_fmol_per_hour: f64,
    /// Extracellular misfolded-protein seeds at which their stimulus (as a danger signal and as
    /// a substrate for engulfment) is half-maximal, aggregate units per mm³. Default 1000, as
    /// debris (model choice; misfolded SOD1 activates microglia through TLR2/4 and CD14, Zhao
    /// et al. 2010 Glia 58:231). Range (0, 1e9].
    pub seeds_half_max_au_per_mm3: f64,
    /// Seeds one anti-inflammatory microglia can engulf and degrade at saturation, aggregate
    /// units per day (protective clearance; pro-inflammatory ones take
    /// `proinflammatory_phagocytosis_fraction` of it). Default 0.2, as debris (model choice).
    /// Range [0, 100].
    pub seed_uptake_au_per_day: f64,
    /// Division rate of an activated microglia in an empty crowding block, per day; it falls
    /// linearly with the microglial density of the cell's block, `k·max(0, 1 − ρ/ρ_max)`.
    /// Default 0.2 (model choice; in SOD1-G93A mice microgliosis grows mainly by
    /// proliferation, Gowing et al. 2008 J Neurosci 28:10234). 0 switches proliferation off.
    /// Range [0, 100].
    pub proliferation_per_day: f64,
    /// Microglial density at which proliferation stops, cells per mm³: no daughter is born into
    /// a crowding block that has reached it and no microglia moves into one, so a block ends
    /// within one cell of it. Default 25500: three times the resting density of 8500 (Lawson
    /// et al. 1990); model choice for the extent of microgliosis. Range (0, 1e7].
    pub max_density_per_mm3: f64,
    /// Edge of the cubic blocks of tissue in which microglia are counted to sense crowding, µm,
    /// rounded to whole voxels (at least one). Blocks tile the box without overlap, so neither
    /// divisions nor movement push a block past `max_density_per_mm3` by more than one cell.
    /// Default 100 (a few microglial territories, the scale of a cluster around a motor neuron;
    /// model choice). Range (0, 1e4].
    pub crowding_block_um: f64,
    /// Distance from the parent at which a daughter is placed, in a random direction, µm.
    /// Default 10 (about a soma diameter; model choice). Range [0, 100].
    pub daughter_distance_um: f64,
    /// Largest chemotactic speed up the gradient of the danger signal (debris and seeds), µm per
    /// hour, approached when the signal differs across the cell's neighbouring voxels by much
    /// more than `chemotaxis_half_max_difference`.
    /// Default 5 (model choice: perilesional microglia move ~5 µm/min but mostly at random,
    /// Carbonell et al. 2005 J Neurosci 25:7040, so the net directed drift is far slower).
    /// 0 switches chemotaxis off. Range [0, 1000].
    pub chemotaxis_um_per_hour: f64,
    /// Difference of the danger signal (a saturating fraction in [0, 1]) between the voxels on
    /// either side of the cell at which it moves at half the chemotactic speed. Default 0.02
    /// (model choice: chemotactic cells read receptor-occupancy differences of ~1–2% across
    /// their length, Zigmond 1977 J Cell Biol 75:606). Range (0, 1].
    pub chemotaxis_half_max_difference: f64,
    /// Random motility of microglial somata as a diffusion coefficient, µm² per hour. Default
    /// 0.5 (~4 µm root-mean-square per axis per day: somata of surveying microglia stay nearly
    /// in place for weeks, Füger et al. 2017 Nat Neurosci 20:1371; level is a model choice).
    /// 0 switches it off. Range [0, 1e6].
    pub random_motility_um2_per_hour: f64,
    /// Death hazard of a microglia without oxidative stress (turnover), per day. Default 0.0015:
    /// a median lifetime of ~15 months (ln 2 / 456 days; Füger et al. 2017: neocortical
    /// microglia live a median of well over 15 months). Range [0, 100].
    pub turnover_death_per_day: f64,
    /// Largest extra death hazard from extracellular ROS in the cell's voxel, per day, reached
    /// at saturating ROS. Default 0.1 (model choice). Range [0, 100].
    pub ros_death_per_day: f64,
    /// ROS at which that extra hazard is half its maximum, µM. Default 20 (model choice:
    /// H2O2 in the tens of µM and above kills glia in culture). Range (0, 1e6].
    pub ros_death_half_max_micromolar: f64,
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
            ros_secretion_fmol_per_hour: 2.0,
            seeds_half_max_au_per_mm3: 1000.0,
            seed_uptake_au_per_day: 0.2,
            proliferation_per_day: 0.2,
            max_density_per_mm3: 25500.0,
            crowding_block_um: 100.0,
            daughter_distance_um: 10.0,
            chemotaxis_um_per_hour: 5.0,
            chemotaxis_half_max_difference: 0.02,
            random_motility_um2_per_hour: 0.5,
            turnover_death_per_day: 0.0015,
            ros_death_per_day: 0.1,
            ros_death_half_max_micromolar: 20.0,
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
        c.range(
            "ros_secretion_fmol_per_hour",
            self.ros_secretion_fmol_per_hour,
            0.0,
            1e6,
        );
        c.positive(
            "seeds_half_max_au_per_mm3",
            self.seeds_half_max_au_per_mm3,
            1e9,
        );
        c.range(
            "seed_uptake_au_per_day",
            self.seed_uptake_au_per_day,
            0.0,
            100.0,
        );
        c.range(
            "proliferation_per_day",
            self.proliferation_per_day,
            0.0,
            100.0,
        );
        c.positive("max_density_per_mm3", self.max_density_per_mm3, 1e7);
        c.positive("crowding_block_um", self.crowding_block_um, 1e4);
        c.range(
            "daughter_distance_um",
            self.daughter_distance_um,
            0.0,
            100.0,
        );
        c.range(
            "chemotaxis_um_per_hour",
            self.chemotaxis_um_per_hour,
            0.0,
            1000.0,
        );
        c.positive(
            "chemotaxis_half_max_difference",
            self.chemotaxis_half_max_difference,
            1.0,
        );
        c.range(
            "random_motility_um2_per_hour",
            self.random_motility_um2_per_hour,
            0.0,
            1e6,
        );
        c.range(
            "turnover_death_per_day",
            self.turnover_death_per_day,
            0.0,
            100.0,
        );
        c.range("ros_death_per_day", self.ros_death_per_day, 0.0, 100.0);
        c.positive(
            "ros_death_half_max_micromolar",
            self.ros_death_half_max_micromolar,
            1e6,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_new_values_are_named() {
        let mut c = Checker::default();
        MicrogliaParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = MicrogliaParams {
            ros_secretion_fmol_per_hour: -1.0,
            seeds_half_max_au_per_mm3: 0.0,
            seed_uptake_au_per_day: f64::NAN,
            proliferation_per_day: -0.1,
            max_density_per_mm3: 0.0,
            crowding_block_um: 0.0,
            daughter_distance_um: -1.0,
            chemotaxis_um_per_hour: 1e4,
            chemotaxis_half_max_difference: 2.0,
            random_motility_um2_per_hour: -1.0,
            turnover_death_per_day: f64::INFINITY,
            ros_death_per_day: -1.0,
            ros_death_half_max_micromolar: 0.0,
            ..MicrogliaParams::default()
        };
        let mut c = Checker::default();
        c.scope("microglia", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "ros_secretion_fmol_per_hour",
            "seeds_half_max_au_per_mm3",
            "seed_uptake_au_per_day",
            "proliferation_per_day",
            "max_density_per_mm3",
            "crowding_block_um",
            "daughter_distance_um",
            "chemotaxis_um_per_hour",
            "chemotaxis_half_max_difference",
            "random_motility_um2_per_hour",
            "turnover_death_per_day",
            "ros_death_per_day",
            "ros_death_half_max_micromolar",
        ] {
            assert!(
                err.contains(&format!("microglia.{field}")),
                "{field} missing from {err}"
            );
        }
    }
}
