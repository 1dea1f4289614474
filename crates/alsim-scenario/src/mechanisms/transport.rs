//! Axonal transport in motor neurons and the neuromuscular terminal it supplies.

use crate::params::{closed, params, positive};

params! {
    /// Transport efficiency `E` (1 normal, 0 stopped) relaxes towards a target set by RNA
    /// processing, mitochondrial function `F` and the aggregate load `A`; the terminal's
    /// integrity `H` (1 intact, 0 retracted) regrows while transport supplies it and retracts
    /// while it does not (dying back, terminal first):
    ///
    /// ```text
    /// E* = ρ·F/(1 + A/K_A)
    /// dE/dt = k_E·(E* − E)                          per day
    /// dH/dt = k_g·E·(1 − H) − k_r·(1 − E)·H         per day
    /// ```
    ///
    /// At steady state `H = k_g·E/(k_g·E + k_r·(1 − E))`, which falls below one half (denervated)
    /// once `E < k_r/(k_g + k_r)`: 2/3 with the defaults, a transport deficit of a third.
    pub struct TransportParams {
        /// Aggregate load `K_A` that halves the transport target: the load at which
        /// proteostasis is half saturated. Misfolded SOD1 inhibits kinesin-based transport and
        /// aggregates obstruct axons.
        aggregate_half_load: f64 = 1.0, "a.u.", positive(1e3), "model choice";
        /// RNA-processing factor `ρ` of the transport target, 1 normal. `Tardbp` and `Fus`
        /// genotypes lower it (loss of nuclear function and impaired transport of mRNA
        /// granules).
        rna_processing: f64 = 1.0, "fraction", closed(0.0, 1.0),
            "model choice (1 is normal); loss of nuclear function and impaired transport of mRNA granules (Alami et al. 2014)";
        /// Rate `k_E` at which efficiency follows its target: cargo supply and motor activity
        /// adapt within a day or so.
        relaxation_per_day: f64 = 1.0, "1/day", closed(0.0, 100.0), "model choice";
        /// Regrowth `k_g` of the terminal at full transport: reinnervation over weeks.
        regrowth_per_day: f64 = 0.05, "1/day", closed(0.0, 100.0), "model choice";
        /// Retraction `k_r` of the terminal with transport stopped: faster than regrowth, so
        /// denervation comes at a moderate deficit and ahead of soma loss.
        retraction_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0),
            "model choice; denervation comes ahead of soma loss (Fischer et al. 2004)";
    }
}
