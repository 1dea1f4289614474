//! Motor neuron damage: what harms a motor neuron and how it repairs.

use crate::params::{closed, params, positive};

params! {
    /// Accumulated damage `d` (dimensionless; 1 is the damage at which the death hazard is half
    /// its maximum) adds up every stress a motor neuron is under:
    /// `dd/dt = v·k_intrinsic + k_agg·A/(A+A½) + k_ox·(O−O_tol)⁺ + k_starve·(E_tol−E)⁺/E_tol
    ///          + k_exc·(1−S) + k_tnf·T/(T+K) + k_astro·n_reactive − r·d`,
    /// with `v` a per-neuron vulnerability drawn once from a log-normal of median 1, `A` the
    /// aggregate load, `O` oxidative damage, `E` axonal transport efficiency, `S` the glutamate
    /// clearing and trophic support of astrocytes in reach. A term whose mechanism is off is
    /// zero.
    pub struct NeuronDamageParams {
        /// Cell-autonomous stress not modelled explicitly (ageing, predisposition),
        /// times the vulnerability. `scenarios/default.ron` raises it to 0.03;
        /// `scenarios/sod1-g93a-mouse.ron` and the lifetime scenarios set it to 0 (their
        /// stress comes from the mechanisms).
        intrinsic_damage_per_day: f64 = 0.01, "damage/day", closed(0.0, 100.0), "model choice";
        /// Spread of the per-neuron vulnerability multiplier (larger, fast-fatigable motor
        /// units are the more vulnerable). It multiplies both the intrinsic damage and the
        /// neuron's misfolded-protein production (`mechanisms.aggregation.misfolding_per_day`).
        /// 0 makes all neurons equally vulnerable.
        vulnerability_log_sd: f64 = 0.5, "log-scale SD", closed(0.0, 3.0), "model choice";
        /// Median of the per-neuron vulnerability multiplier: 1 in a tissue of typical
        /// neurons. A neuraxis focus multiplies it in its region
        /// (`neuraxis.focus.vulnerability_factor`), a lasting local predisposition.
        vulnerability_median: f64 = 1.0, "multiplier", positive(100.0), "model choice";
        /// Damage rate under a saturating aggregate load (proteotoxic stress, impaired RNA
        /// processing).
        aggregate_damage_per_day: f64 = 0.05, "damage/day", closed(0.0, 100.0), "model choice";
        /// Aggregate load at which its damage is half-maximal.
        aggregate_half_load: f64 = 1.0, "a.u.", positive(1e6), "model choice";
        /// Damage per day per unit of oxidative damage (DNA, lipids, proteins) above what the
        /// neuron tolerates.
        oxidative_damage_per_day: f64 = 0.05, "damage/day per unit of oxidative damage",
            closed(0.0, 100.0), "model choice";
        /// Oxidative damage a neuron carries without harm (a healthy neuron's steady state is
        /// ~0.12 with the default mitochondria).
        oxidative_damage_tolerated: f64 = 0.2, "oxidative damage", closed(0.0, 1e3),
            "model choice";
        /// Damage rate with axonal transport stopped (trophic starvation of axon and soma),
        /// scaled by the shortfall below `transport_tolerated` as a fraction of it.
        starvation_damage_per_day: f64 = 0.03, "damage/day", closed(0.0, 100.0), "model choice";
        /// Transport efficiency above which a neuron is not starved (a healthy neuron runs at
        /// ~0.98).
        transport_tolerated: f64 = 0.9, "fraction", closed(0.0, 1.0), "model choice";
        /// Damage rate while the neuromuscular terminal has fully retracted, scaled by how far
        /// the terminal integrity `H` of the transport mechanism has fallen below the
        /// denervation threshold 1/2, as a fraction of it: the soma loses the trophic support
        /// its muscle sends back, so a denervated neuron dies back from its terminal. 0 is off:
        /// the human scenarios are calibrated without it; the mouse scenario sets it.
        denervation_damage_per_day: f64 = 0.0, "damage/day", closed(0.0, 100.0),
            "model choice (off); a denervated neuron dies back from its terminal (Dupuis & Loeffler 2009)";
        /// Damage rate with no astrocytic glutamate clearance or trophic support
        /// (excitotoxicity), times `1 − S`. An `AntiGlutamate` therapy (riluzole) scales it.
        excitotoxic_damage_per_day: f64 = 0.05, "damage/day", closed(0.0, 100.0),
            "model choice; EAAT2 down by up to ~70% in ALS (Rothstein et al. 1995)";
        /// Damage rate under saturating TNF.
        tnf_damage_per_day: f64 = 0.05, "damage/day", closed(0.0, 100.0), "model choice";
        /// TNF at which its damage is half-maximal.
        tnf_half_max_ng_per_ml: f64 = 1.0, "ng/mL", positive(1e3), "model choice";
        /// Damage per day from each reactive astrocyte within its toxicity reach, weighted by
        /// `mechanisms.astrocytes.toxicity_scale`: about 13 astrocytes lie within 50 µm at
        /// 20,000/mm³, so a fully reactive neighbourhood adds ~0.013 per day at scale 1,
        /// comparable to the intrinsic stress.
        astrocyte_damage_per_day: f64 = 0.001, "damage/day per reactive astrocyte",
            closed(0.0, 100.0), "model choice";
        /// First-order repair of damage.
        repair_per_day: f64 = 0.02, "1/day", closed(0.0, 100.0), "model choice";
        /// Damage above which a living neuron counts as stressed.
        stressed_at_damage: f64 = 0.5, "damage", closed(0.0, 1e3), "model choice";
    }
}
