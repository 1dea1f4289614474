//! Motor units and the clinical readout: collateral reinnervation and a muscle-force proxy.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Each motor neuron owns a motor unit of `fibres_per_unit` muscle fibres. A unit whose neuron
/// is dead, dying or denervated (terminal retracted) leaves its fibres orphaned; surviving units
/// adopt orphans by collateral sprouting, each up to `max_enlargement_fold` times its own size.
/// With `O` the orphaned fibres and `S` the survivors' spare capacity (room left below their
/// limits), adoption runs at `reinnervation_per_day · min(O, S)`, shared among the survivors in
/// proportion to their spare capacity; orphans left alone atrophy at `orphan_loss_per_day`. The
/// force proxy is the innervated fibres over the fibres at the start; clinical onset is the
/// first time it falls below `onset_force_threshold`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MotorUnitParams {
    /// Muscle fibres each motor unit innervates at the start, fibres. Default 100 (mouse
    /// hindlimb motor units hold ~100–200 fibres). The force proxy is a ratio, so it does not
    /// depend on it; only fast-fatigable units (below) differ in size. Range [1, 100000].
    pub fibres_per_unit: u32,
    /// Largest size a unit can reach by adopting orphaned fibres, as a multiple of its own
    /// starting size (fold). Default 4 (surviving units enlarge several-fold: MUNE studies,
    /// de Carvalho & Swash; after partial denervation units grow up to ~5-fold and keep force
    /// normal until roughly three quarters of them are lost, Rafuse et al. 1992). 1 switches
    /// reinnervation off. Range [1, 100].
    pub max_enlargement_fold: f64,
    /// Rate of collateral reinnervation, per day: the fraction of the orphaned fibres adopted
    /// per day while the survivors have room for all of them, or of the survivors' spare
    /// capacity filled per day when they do not. Default 0.1 (sprouting reinnervates most
    /// orphaned fibres within weeks; model choice). Range [0, 100].
    pub reinnervation_per_day: f64,
    /// Rate at which orphaned fibres atrophy beyond reinnervation and stop counting, per day.
    /// Default 0 (off; chronically denervated muscle accepts reinnervation less and less over
    /// months, Fu & Gordon 1995, but the rate in ALS muscle is not known). Range [0, 100].
    pub orphan_loss_per_day: f64,
    /// Force proxy (innervated fibres over fibres at the start) below which the run records
    /// clinical onset, as a fraction of the starting force. Default 0.8 (model choice standing
    /// for clinically detectable weakness). Range (0, 1].
    pub onset_force_threshold: f64,
    /// Share of the motor units that are fast-fatigable (FF), fraction: the largest units, whose
    /// terminals are the first to retract in SOD1 mice while slow and fatigue-resistant units
    /// hold on and adopt their fibres (Frey et al. 2000; Pun et al. 2006). Exactly this share
    /// of the units (rounded) is FF, chosen at random. Default 0 (every unit alike: the human
    /// scenarios are calibrated without unit types). Range [0, 1].
    pub fast_fatigable_share: f64,
    /// How much faster an FF terminal retracts than another at the same transport shortfall,
    /// fold (it multiplies the transport mechanism's `retraction_per_day`). Default 2: with the
    /// default transport an FF terminal then retracts once efficiency falls below 0.8 rather
    /// than 2/3 (model choice: FF terminals fail at the first slowing of transport, Pun et
    /// al. 2006). Range [1, 1000].
    pub fast_fatigable_retraction_fold: f64,
    /// Fibres of an FF unit as a multiple of `fibres_per_unit`, fold: FF units are the largest,
    /// so they hold a larger share of the muscle than of the units. Default 2 (innervation
    /// ratios of fast units are about two to three times those of slow ones in cat and rodent
    /// hindlimb muscles, Burke et al. 1973; Kanda & Hashizume 1992). Range [0.1, 100].
    pub fast_fatigable_fibres_fold: f64,
}

impl Default for MotorUnitParams {
    fn default() -> Self {
        Self {
            fibres_per_unit: 100,
            max_enlargement_fold: 4.0,
            reinnervation_per_day: 0.1,
            orphan_loss_per_day: 0.0,
            onset_force_threshold: 0.8,
            fast_fatigable_share: 0.0,
            fast_fatigable_retraction_fold: 2.0,
            fast_fatigable_fibres_fold: 2.0,
        }
    }
}

impl MotorUnitParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.range(
            "fibres_per_unit",
            f64::from(self.fibres_per_unit),
            1.0,
            100_000.0,
        );
        c.range(
            "max_enlargement_fold",
            self.max_enlargement_fold,
            1.0,
            100.0,
        );
        c.range(
            "reinnervation_per_day",
            self.reinnervation_per_day,
            0.0,
            100.0,
        );
        c.range("orphan_loss_per_day", self.orphan_loss_per_day, 0.0, 100.0);
        c.positive("onset_force_threshold", self.onset_force_threshold, 1.0);
        c.range("fast_fatigable_share", self.fast_fatigable_share, 0.0, 1.0);
        c.range(
            "fast_fatigable_retraction_fold",
            self.fast_fatigable_retraction_fold,
            1.0,
            1000.0,
        );
        c.range(
            "fast_fatigable_fibres_fold",
            self.fast_fatigable_fibres_fold,
            0.1,
            100.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_are_named() {
        let mut c = Checker::default();
        MotorUnitParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = MotorUnitParams {
            fibres_per_unit: 0,
            max_enlargement_fold: 0.5,
            reinnervation_per_day: -1.0,
            orphan_loss_per_day: f64::NAN,
            onset_force_threshold: 0.0,
            fast_fatigable_share: 1.5,
            fast_fatigable_retraction_fold: 0.5,
            fast_fatigable_fibres_fold: 0.0,
        };
        let mut c = Checker::default();
        c.scope("motor_units", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "motor_units.fibres_per_unit",
            "motor_units.max_enlargement_fold",
            "motor_units.reinnervation_per_day",
            "motor_units.orphan_loss_per_day",
            "motor_units.fast_fatigable_share",
            "motor_units.fast_fatigable_retraction_fold",
            "motor_units.fast_fatigable_fibres_fold",
            "motor_units.onset_force_threshold",
        ] {
            assert!(err.contains(field), "{field} missing from {err}");
        }
    }
}
