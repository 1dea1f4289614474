//! Axonal transport in motor neurons and the neuromuscular terminal it supplies.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Transport efficiency `E` (1 normal, 0 stopped) relaxes towards a target set by RNA
/// processing, mitochondrial function `F` and the aggregate load `A`; the terminal's integrity
/// `H` (1 intact, 0 retracted) regrows while transport supplies it and retracts while it does
/// not (dying back, terminal first):
///
/// ```text
/// E* = ρ·F/(1 + A/K_A)
/// dE/dt = k_E·(E* − E)                          per day
/// dH/dt = k_g·E·(1 − H) − k_r·(1 − E)·H         per day
/// ```
///
/// At steady state `H = k_g·E/(k_g·E + k_r·(1 − E))`, which falls below one half (denervated)
/// once `E < k_r/(k_g + k_r)`: 2/3 with the defaults, a transport deficit of a third.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransportParams {
    /// Aggregate load `K_A` that halves the transport target, a.u. Default 1, the load at which
    /// proteostasis is half saturated (model choice; misfolded SOD1 inhibits kinesin-based
    /// transport and aggregates obstruct axons). Range (0, 1e3].
    pub aggregate_half_load: f64,
    /// RNA-processing factor `ρ` of the transport target, 1 normal. Default 1. TDP-43 and FUS
    /// genotypes lower it (loss of nuclear function and impaired transport of mRNA granules,
    /// Alami et al. 2014). Range [0, 1].
    pub rna_processing: f64,
    /// Rate `k_E` at which efficiency follows its target, per day. Default 1 (model choice:
    /// cargo supply and motor activity adapt within a day or so). Range [0, 100].
    pub relaxation_per_day: f64,
    /// Regrowth `k_g` of the terminal at full transport, per day. Default 0.05 (model choice:
    /// reinnervation over weeks). Range [0, 100].
    pub regrowth_per_day: f64,
    /// Retraction `k_r` of the terminal with transport stopped, per day. Default 0.1 (model
    /// choice: faster than regrowth, so denervation comes at a moderate deficit and ahead of
    /// soma loss, Fischer et al. 2004). Range [0, 100].
    pub retraction_per_day: f64,
}

impl Default for TransportParams {
    fn default() -> Self {
        Self {
            aggregate_half_load: 1.0,
            rna_processing: 1.0,
            relaxation_per_day: 1.0,
            regrowth_per_day: 0.05,
            retraction_per_day: 0.1,
        }
    }
}

impl TransportParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.positive("aggregate_half_load", self.aggregate_half_load, 1e3);
        c.range("rna_processing", self.rna_processing, 0.0, 1.0);
        c.range("relaxation_per_day", self.relaxation_per_day, 0.0, 100.0);
        c.range("regrowth_per_day", self.regrowth_per_day, 0.0, 100.0);
        c.range("retraction_per_day", self.retraction_per_day, 0.0, 100.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_every_bad_value_is_named() {
        let mut c = Checker::default();
        TransportParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = TransportParams {
            aggregate_half_load: -1.0,
            rna_processing: 1.5,
            relaxation_per_day: f64::NAN,
            regrowth_per_day: -0.05,
            retraction_per_day: 1e3,
        };
        let mut c = Checker::default();
        c.scope("transport", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "aggregate_half_load",
            "rna_processing",
            "relaxation_per_day",
            "regrowth_per_day",
            "retraction_per_day",
        ] {
            assert!(
                err.contains(&format!("transport.{field} must")),
                "{field} missing from {err}"
            );
        }
    }
}
