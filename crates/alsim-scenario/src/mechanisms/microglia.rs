//! Microglia: surveying, pro-inflammatory and anti-inflammatory states; what they secrete and
//! engulf; how they divide, move and die.

use crate::params::{closed, params, positive};

params! {
    /// Microglial activation and its outputs, proliferation, migration and turnover. Stimuli are
    /// read as saturating fractions `c / (c + half_max)` of the local field values; debris and
    /// seeds together make one danger signal `D = D_debris + D_seeds − D_debris·D_seeds` (either
    /// calls the microglia, through separate receptors).
    pub struct MicrogliaParams {
        /// TNF at which its stimulus is half-maximal. For microglia TNF is a weaker activator
        /// than the danger signals of debris, so a few activated cells' own TNF does not hold
        /// the whole tissue activated.
        tnf_half_max_ng_per_ml: f64 = 0.5, "ng/mL", positive(1e3), "model choice";
        /// IL-10 at which its stimulus is half-maximal.
        il10_half_max_ng_per_ml: f64 = 0.05, "ng/mL", positive(1e3), "model choice";
        /// Debris at which its stimulus is half-maximal: one neuron's debris spread over
        /// ~0.001 mm³.
        debris_half_max_per_mm3: f64 = 1000.0, "neuron-equivalents/mm³", positive(1e9),
            "model choice";
        /// Largest rate of leaving the surveying state under a saturating stimulus: activation
        /// within hours of injury. SOD1 and C9orf72 genotypes raise it; an `AntiInflammatory`
        /// therapy scales it.
        activation_per_hour: f64 = 0.5, "1/h", closed(0.0, 100.0),
            "model choice; microglia respond to injury within minutes to hours (Davalos et al. 2005; Nimmerjahn et al. 2005)";
        /// Days of continuous activation after which a protective microglia starts turning
        /// pro-inflammatory.
        chronic_after_days: f64 = 7.0, "days", closed(0.0, 3650.0),
            "model choice; protective early, harmful later (Liao et al. 2012)";
        /// Rate of that chronic anti- to pro-inflammatory conversion.
        chronic_conversion_per_day: f64 = 0.2, "1/day", closed(0.0, 100.0), "model choice";
        /// Largest rate of IL-10-driven repolarisation from pro- to anti-inflammatory.
        repolarisation_per_hour: f64 = 0.05, "1/h", closed(0.0, 100.0), "model choice";
        /// Rate of returning to surveying once the danger signal is gone.
        resting_per_hour: f64 = 0.02, "1/h", closed(0.0, 100.0), "model choice";
        /// TNF secreted by a pro-inflammatory microglia (activated microglia in culture release
        /// ~0.2–1 fg/cell/h). A C9orf72 genotype raises it.
        tnf_secretion_fg_per_hour: f64 = 1.0, "fg/h per cell", closed(0.0, 1e6), "model choice";
        /// IL-10 secreted by an anti-inflammatory microglia.
        il10_secretion_fg_per_hour: f64 = 1.0, "fg/h per cell", closed(0.0, 1e6),
            "model choice (as TNF)";
        /// Debris one anti-inflammatory microglia can engulf at saturation.
        phagocytosis_neurons_per_day: f64 = 0.2, "neuron-equivalents/day per cell",
            closed(0.0, 100.0), "model choice";
        /// Phagocytic capacity of a pro-inflammatory microglia relative to an anti-inflammatory
        /// one, for debris and seeds alike.
        proinflammatory_phagocytosis_fraction: f64 = 0.5, "fraction", closed(0.0, 1.0),
            "model choice";
        /// ROS a pro-inflammatory microglia releases through NADPH oxidase (NOX2) into
        /// `fields.ros`: about 4% of the maximal respiratory burst of cultured rat microglia
        /// under PMA, since disease activation is far below PMA.
        ros_secretion_fmol_per_hour: f64 = 2.0, "fmol/h per cell", closed(0.0, 1e6),
            "model choice; the maximal respiratory burst of cultured rat microglia under PMA is 814 pmol superoxide/min per million cells ≈ 49 fmol/h per cell (Bal-Price et al. 2002 J Neurochem 80:73)";
        /// Extracellular misfolded-protein seeds at which their stimulus (as a danger signal and
        /// as a substrate for engulfment) is half-maximal, as for debris.
        seeds_half_max_au_per_mm3: f64 = 1000.0, "a.u./mm³", positive(1e9),
            "model choice; misfolded SOD1 activates microglia through TLR2/4 and CD14 (Zhao et al. 2010 Glia 58:231)";
        /// Seeds one anti-inflammatory microglia can engulf and degrade at saturation
        /// (protective clearance; pro-inflammatory ones take
        /// `proinflammatory_phagocytosis_fraction` of it), as for debris.
        seed_uptake_au_per_day: f64 = 0.2, "a.u./day per cell", closed(0.0, 100.0),
            "model choice";
        /// Division rate of an activated microglia in an empty crowding block; it falls
        /// linearly with the microglial density `ρ` of the cell's block,
        /// `k·max(0, 1 − ρ/ρ_max)`. 0 switches proliferation off.
        proliferation_per_day: f64 = 0.2, "1/day", closed(0.0, 100.0),
            "model choice; in SOD1-G93A mice microgliosis grows mainly by proliferation (Gowing et al. 2008 J Neurosci 28:10234)";
        /// Microglial density `ρ_max` at which proliferation stops: no daughter is born into a
        /// crowding block that has reached it and no microglia moves into one, so a block ends
        /// within one cell of it. Three times the resting density of microglia.
        max_density_per_mm3: f64 = 25500.0, "cells/mm³", positive(1e7),
            "model choice for the extent of microgliosis; resting density of 8,500 per mm³ (Lawson et al. 1990)";
        /// Edge of the cubic blocks of tissue in which microglia are counted to sense crowding,
        /// rounded to whole voxels (at least one). Blocks tile the box without overlap, so
        /// neither divisions nor movement push a block past `max_density_per_mm3` by more than
        /// one cell. A few microglial territories, the scale of a cluster around a motor neuron.
        crowding_block_um: f64 = 100.0, "µm", positive(1e4), "model choice";
        /// Distance from the parent at which a daughter is placed, in a random direction:
        /// about a soma diameter.
        daughter_distance_um: f64 = 10.0, "µm", closed(0.0, 100.0), "model choice";
        /// Largest chemotactic speed up the gradient of the danger signal (debris and seeds),
        /// approached when the signal differs across the cell's neighbouring voxels by much more
        /// than `chemotaxis_half_max_difference`. Perilesional microglia move fast but mostly at
        /// random, so the net directed drift is far slower. 0 switches chemotaxis off.
        chemotaxis_um_per_hour: f64 = 5.0, "µm/h", closed(0.0, 1000.0),
            "model choice; perilesional microglia move ~5 µm/min but mostly at random (Carbonell et al. 2005 J Neurosci 25:7040)";
        /// Difference of the danger signal (a saturating fraction in [0, 1]) between the voxels
        /// on either side of the cell at which it moves at half the chemotactic speed.
        chemotaxis_half_max_difference: f64 = 0.02, "fraction", positive(1.0),
            "model choice; chemotactic cells read receptor-occupancy differences of ~1–2% across their length (Zigmond 1977 J Cell Biol 75:606)";
        /// Random motility of microglial somata as a diffusion coefficient: ~4 µm
        /// root-mean-square per axis per day. 0 switches it off.
        random_motility_um2_per_hour: f64 = 0.5, "µm²/h", closed(0.0, 1e6),
            "model choice; somata of surveying microglia stay nearly in place for weeks (Füger et al. 2017 Nat Neurosci 20:1371)";
        /// Death hazard of a microglia without oxidative stress (turnover): a median lifetime of
        /// ~15 months (ln 2 / 456 days).
        turnover_death_per_day: f64 = 0.0015, "1/day", closed(0.0, 100.0),
            "Füger et al. 2017: neocortical microglia live a median of well over 15 months";
        /// Largest extra death hazard from extracellular ROS in the cell's voxel, reached at
        /// saturating ROS.
        ros_death_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0), "model choice";
        /// ROS at which that extra hazard is half its maximum: H2O2 in the tens of µM and above
        /// kills glia in culture.
        ros_death_half_max_micromolar: f64 = 20.0, "µM", positive(1e6), "model choice";
    }
}
