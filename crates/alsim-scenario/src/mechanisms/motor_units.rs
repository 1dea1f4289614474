//! Motor units and the clinical readout: collateral reinnervation and a muscle-force proxy.

use crate::params::{closed, params, positive};

params! {
    /// Each motor neuron owns a motor unit of `fibres_per_unit` muscle fibres. A unit whose neuron
    /// is dead, dying or denervated (terminal retracted) leaves its fibres orphaned; surviving
    /// units adopt orphans by collateral sprouting, each up to `max_enlargement_fold` times its
    /// own size. With `O` the orphaned fibres and `S` the survivors' spare capacity (room left
    /// below their limits), adoption runs at `reinnervation_per_day · min(O, S)`, shared among
    /// the survivors in proportion to their spare capacity; orphans left alone atrophy at
    /// `orphan_loss_per_day`. The force proxy is the innervated fibres over the fibres at the
    /// start; clinical onset is the first time it falls below `onset_force_threshold`.
    pub struct MotorUnitParams {
        /// Muscle fibres each motor unit innervates at the start (mouse hindlimb motor units
        /// hold ~100–200 fibres). The force proxy is a ratio, so it does not depend on it; only
        /// fast-fatigable units differ in size.
        fibres_per_unit: u32 = 100, "fibres (whole number)", closed(1.0, 1e5), "model choice";
        /// Largest size a unit can reach by adopting orphaned fibres, as a multiple of its own
        /// starting size. 1 switches reinnervation off.
        max_enlargement_fold: f64 = 4.0, "fold", closed(1.0, 100.0),
            "surviving units enlarge several-fold (MUNE studies, de Carvalho & Swash); after partial denervation units grow up to ~5-fold and keep force normal until roughly three quarters of them are lost (Rafuse et al. 1992)";
        /// Rate of collateral reinnervation: the fraction of the orphaned fibres adopted per
        /// day while the survivors have room for all of them, or of the survivors' spare
        /// capacity filled per day when they do not. Sprouting reinnervates most orphaned
        /// fibres within weeks.
        reinnervation_per_day: f64 = 0.1, "1/day", closed(0.0, 100.0), "model choice";
        /// Rate at which orphaned fibres atrophy beyond reinnervation and stop counting. 0 is
        /// off: the rate in ALS muscle is not known.
        orphan_loss_per_day: f64 = 0.0, "1/day", closed(0.0, 100.0),
            "model choice (off); chronically denervated muscle accepts reinnervation less and less over months (Fu & Gordon 1995)";
        /// Force proxy (innervated fibres over fibres at the start) below which the run records
        /// clinical onset, as a fraction of the starting force: it stands for clinically
        /// detectable weakness.
        onset_force_threshold: f64 = 0.8, "fraction of starting force", positive(1.0),
            "model choice";
        /// Share of the motor units that are fast-fatigable (FF): the largest units, whose
        /// terminals are the first to retract in SOD1 mice while slow and fatigue-resistant
        /// units hold on and adopt their fibres. Exactly this share of the units (rounded) is
        /// FF, chosen at random from the run's seed. 0 makes every unit alike (the human
        /// scenarios are calibrated without unit types).
        fast_fatigable_share: f64 = 0.0, "fraction", closed(0.0, 1.0),
            "model choice (off); FF units are lost first in SOD1 mice (Frey et al. 2000; Pun et al. 2006)";
        /// How much faster an FF terminal retracts than another at the same transport
        /// shortfall (it multiplies `mechanisms.transport.retraction_per_day`): with the default
        /// transport an FF terminal then retracts once efficiency falls below 0.8 rather than
        /// 2/3.
        fast_fatigable_retraction_fold: f64 = 2.0, "fold", closed(1.0, 1000.0),
            "model choice; FF terminals fail at the first slowing of transport (Pun et al. 2006)";
        /// Fibres of an FF unit as a multiple of `fibres_per_unit`: FF units are the largest,
        /// so they hold a larger share of the muscle than of the units.
        fast_fatigable_fibres_fold: f64 = 2.0, "fold", closed(0.1, 100.0),
            "Burke et al. 1973; Kanda & Hashizume 1992: innervation ratios of fast units are about two to three times those of slow ones in cat and rodent hindlimb muscles";
    }
}
