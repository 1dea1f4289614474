//! Misfolded protein in motor neurons: production, templated growth, proteostatic clearance,
//! seed release and seed uptake (prion-like spread).

use crate::params::{closed, params, positive};

params! {
    /// Aggregate load `A` of a motor neuron, in aggregate units (a.u.; 1 a.u. is the load at
    /// which proteostatic clearance is half saturated), follows
    /// `dA/dt = P + u + k_t·A·(1 − A/A_max) − C·A/(A + K) − r·A` per day: production of
    /// misfolded protein `P`, uptake of extracellular seeds `u`, templated growth `k_t` limited
    /// by crowding at `A_max`, saturable clearance by proteostasis `C`, `K`, and release of
    /// seeds `r`.
    ///
    /// With the defaults the load has a low steady state (~0.009 a.u.) and a threshold: a neuron
    /// pushed above ~1.2 a.u. (by seeds, say) grows on to ~88 a.u.; production above ~0.022
    /// a.u. per day leaves no low steady state at all, which is what a familial genotype does
    /// (`misfolding_per_day` ≈ 0.03 gives a SOD1-like course).
    pub struct AggregationParams {
        /// Production of misfolded protein `P` (nucleation of new aggregate) of a neuron of
        /// vulnerability 1; each neuron's is this times its vulnerability. The default is
        /// sporadic-like: a load that stays near 0.009 a.u. for life. Mutant SOD1, TDP-43 or
        /// FUS raise it (a familial genotype multiplies it); an `Antisense` therapy lowering
        /// SOD1 production (tofersen) scales it.
        misfolding_per_day: f64 = 0.001, "a.u./day", closed(0.0, 100.0),
            "model choice; an antisense oligonucleotide lowering SOD1 production (tofersen; Miller et al. 2022)";
        /// Rise of misfolding with the neuron's oxidative damage `O` (from `mitochondria`):
        /// production is `P·(1 + m_ox·O)`. A healthy neuron's `O` of ~0.12 raises production
        /// by a quarter. Through it an oxidative load such as a toxin raises misfolding, and a
        /// neuron it pushes past the runaway threshold stays there after the exposure ends.
        oxidative_misfolding: f64 = 2.0, "per unit of oxidative damage", closed(0.0, 1e3),
            "model choice; oxidised wild-type SOD1 takes on the misfolded, toxic conformation of the mutant (Bosco et al. 2010)";
        /// Templated (autocatalytic) growth `k_t`: existing aggregate recruits native protein
        /// at this rate per unit load.
        templating_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0),
            "model choice; misfolded SOD1 and TDP-43 template their own misfolding (Münch et al. 2011; Nonaka et al. 2013)";
        /// Largest clearance rate `C` of proteostasis (proteasome and autophagy): small loads
        /// are cleared at `C/K` = 0.2 per day, a half-life of ~3.5 days. A `C9orf72` genotype
        /// (autophagy deficit) lowers it.
        clearance_capacity_per_day: f64 = 0.2, "a.u./day", closed(0.0, 1e3), "model choice";
        /// Load `K` at which clearance is half its capacity. It defines the aggregate unit:
        /// change it only to rescale every load. Above it each unit of load is cleared more
        /// slowly, which is how aggregates impair proteostasis here.
        clearance_half_load: f64 = 1.0, "a.u.", positive(1e3),
            "model choice; aggregates impair proteostasis (Bence et al. 2001)";
        /// Load `A_max` at which crowding stops templated growth (the most aggregate a motor
        /// neuron holds): far above every toxic effect, which saturate near 1 a.u.
        max_load: f64 = 100.0, "a.u.", positive(1e6), "model choice";
        /// Fraction `r` of the load released into `fields.seeds` per day (exosomes, secretion,
        /// neurite damage).
        seed_release_per_day: f64 = 0.01, "1/day", closed(0.0, 100.0), "model choice";
        /// Volume of its voxel a motor neuron clears of seeds per hour (macropinocytosis and
        /// receptor binding): about the soma's own volume per hour. Never takes more than the
        /// voxel holds.
        seed_uptake_um3_per_hour: f64 = 10_000.0, "µm³/h per neuron", closed(0.0, 1e7),
            "model choice; uptake by macropinocytosis and receptor binding (Münch et al. 2011)";
    }
}
