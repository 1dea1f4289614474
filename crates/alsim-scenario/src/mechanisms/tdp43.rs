//! TDP-43 nuclear loss of function: nuclear TDP-43 drawn into cytoplasmic aggregates, and the
//! cryptic exons its loss lets into STMN2 and UNC13A.

use crate::params::{closed, params, positive};

params! {
    /// Nuclear TDP-43 `N` of a motor neuron (1 healthy) is drawn into cytoplasmic inclusions in
    /// proportion to its TDP-43 aggregate load `A` and restored by import and synthesis:
    ///
    /// ```text
    /// dN/dt = k_r·(1 − N) − k_s·N·A/(A + K)
    /// ```
    ///
    /// `A` is the neuron's aggregate load where the genotype's inclusions are TDP-43 (sporadic,
    /// C9orf72, TARDBP: about 97% of ALS) and 0 where they are not (SOD1 and FUS ALS). Without
    /// nuclear TDP-43, cryptic exons enter the STMN2 and UNC13A transcripts and their proteins
    /// fall, taken here as `N` each: the neuron's collateral sprouting (its room to adopt
    /// orphaned fibres) is scaled by `1 − d_s·(1 − N)`, its synaptic transmission (its fibres'
    /// share of force) by `1 − d_u·(1 − N)`. Off by default; every bundled human scenario
    /// switches it on (`scenarios/base/human-lifetime.ron`), the mouse ones leave it off.
    pub struct Tdp43Params {
        /// Rate `k_s` at which saturating TDP-43 aggregate draws nuclear TDP-43 out.
        sequestration_per_day: f64 = 0.05, "1/day", closed(0.0, 100.0), "model choice";
        /// Aggregate load `K` at half the maximal sequestration.
        half_load: f64 = 1.0, "a.u.", positive(1e6),
            "model choice, the aggregate half-loads of transport and mitochondria";
        /// Rate `k_r` at which nuclear TDP-43 is restored.
        restoration_per_day: f64 = 0.02, "1/day", closed(0.0, 100.0),
            "model choice; TDP-43 turns over in about 34 h (Ling et al. 2010), restoration is slower while it is sequestered";
        /// Share `d_s` of collateral sprouting that needs STMN2: STMN2 loss impairs axon
        /// outgrowth and regeneration after injury, restored by STMN2 re-expression.
        sprouting_dependence: f64 = 0.8, "fraction", closed(0.0, 1.0),
            "model choice; Klim et al. 2019; Melamed et al. 2019 (Nat Neurosci)";
        /// Share `d_u` of synaptic transmission that needs UNC13A: its cryptic exon lowers
        /// UNC13A protein, a priming factor of synaptic vesicle release.
        transmission_dependence: f64 = 0.3, "fraction", closed(0.0, 1.0),
            "model choice; Ma et al. 2022; Brown et al. 2022 (Nature)";
    }
}
