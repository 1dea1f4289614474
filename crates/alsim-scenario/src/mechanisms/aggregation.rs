//! Misfolded protein in motor neurons: production, templated growth, proteostatic clearance,
//! seed release and seed uptake (prion-like spread).

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Aggregate load `A` of a motor neuron, in aggregate units (a.u.; 1 a.u. is the load at which
/// proteostatic clearance is half saturated), follows
/// `dA/dt = P + u + k_t·A·(1 − A/A_max) − C·A/(A + K) − r·A` per day: production of misfolded
/// protein `P`, uptake of extracellular seeds `u`, templated growth `k_t` limited by crowding at
/// `A_max`, saturable clearance by proteostasis `C`, `K`, and release of seeds `r`.
///
/// With the defaults the load has a low steady state (~0.009 a.u.) and a threshold: a neuron
/// pushed above ~1.2 a.u. (by seeds, say) grows on to ~88 a.u.; production above ~0.022 a.u.
/// per day leaves no low steady state at all, which is what a familial genotype does
/// (`misfolding_per_day` ≈ 0.03 gives a SOD1-like course).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AggregationParams {
    /// Production of misfolded protein `P` (nucleation of new aggregate), a.u. per day. Default
    /// 0.001: sporadic-like, a load that stays near 0.009 a.u. for life (model choice). Mutant
    /// SOD1, TDP-43 or FUS raise it (a genotype scales it); an antisense oligonucleotide lowering
    /// SOD1 production (tofersen; Miller et al. 2022) lowers it. Range [0, 100].
    pub misfolding_per_day: f64,
    /// Rise of misfolding with oxidative damage `O` (from `mitochondria`): production is
    /// `P·(1 + m_ox·O)`, per unit of oxidative damage. Default 2 (model choice: oxidised
    /// wild-type SOD1 takes on the misfolded, toxic conformation of the mutant, Bosco et al.
    /// 2010; a healthy neuron's `O` of ~0.12 raises production by a quarter). Through it an
    /// oxidative load such as a toxin raises misfolding, and a neuron it pushes past the
    /// runaway threshold stays there after the exposure ends. Range [0, 1e3].
    pub oxidative_misfolding: f64,
    /// Templated (autocatalytic) growth `k_t`: existing aggregate recruits native protein at
    /// this rate per unit load, per day. Default 0.1 (model choice; misfolded SOD1 and TDP-43
    /// template their own misfolding, Münch et al. 2011, Nonaka et al. 2013). Range [0, 100].
    pub templating_per_day: f64,
    /// Largest clearance rate of proteostasis (proteasome and autophagy) `C`, a.u. per day.
    /// Default 0.2: small loads are cleared at `C/K` = 0.2 per day, a half-life of ~3.5 days
    /// (model choice). The C9orf72 autophagy deficit lowers it. Range [0, 1e3].
    pub clearance_capacity_per_day: f64,
    /// Load `K` at which clearance is half its capacity, a.u. Default 1: this defines the
    /// aggregate unit; change it only to rescale every load. Above it each unit of load is
    /// cleared more slowly, which is how aggregates impair proteostasis here (Bence et al.
    /// 2001). Range (0, 1e3].
    pub clearance_half_load: f64,
    /// Load `A_max` at which crowding stops templated growth (the most aggregate a motor neuron
    /// holds), a.u. Default 100 (model choice: far above every toxic effect, which saturate
    /// near 1 a.u.). Range (0, 1e6].
    pub max_load: f64,
    /// Fraction of the load released into the extracellular `seeds` field `r`, per day (exosomes,
    /// secretion, neurite damage). Default 0.01 (model choice). Range [0, 100].
    pub seed_release_per_day: f64,
    /// Volume of extracellular space a motor neuron clears of seeds per hour (uptake by
    /// macropinocytosis and receptor binding, Münch et al. 2011), µm³ per hour. Default 10,000,
    /// about the soma's own volume per hour (model choice). Range [0, 1e7].
    pub seed_uptake_um3_per_hour: f64,
}

impl Default for AggregationParams {
    fn default() -> Self {
        Self {
            misfolding_per_day: 0.001,
            oxidative_misfolding: 2.0,
            templating_per_day: 0.1,
            clearance_capacity_per_day: 0.2,
            clearance_half_load: 1.0,
            max_load: 100.0,
            seed_release_per_day: 0.01,
            seed_uptake_um3_per_hour: 10_000.0,
        }
    }
}

impl AggregationParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.range("misfolding_per_day", self.misfolding_per_day, 0.0, 100.0);
        c.range("oxidative_misfolding", self.oxidative_misfolding, 0.0, 1e3);
        c.range("templating_per_day", self.templating_per_day, 0.0, 100.0);
        c.range(
            "clearance_capacity_per_day",
            self.clearance_capacity_per_day,
            0.0,
            1e3,
        );
        c.positive("clearance_half_load", self.clearance_half_load, 1e3);
        c.positive("max_load", self.max_load, 1e6);
        c.range(
            "seed_release_per_day",
            self.seed_release_per_day,
            0.0,
            100.0,
        );
        c.range(
            "seed_uptake_um3_per_hour",
            self.seed_uptake_um3_per_hour,
            0.0,
            1e7,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_every_bad_value_is_named() {
        let mut c = Checker::default();
        AggregationParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = AggregationParams {
            misfolding_per_day: -1.0,
            oxidative_misfolding: -2.0,
            templating_per_day: f64::NAN,
            clearance_capacity_per_day: 1e4,
            clearance_half_load: 0.0,
            max_load: 0.0,
            seed_release_per_day: -0.1,
            seed_uptake_um3_per_hour: 1e8,
        };
        let mut c = Checker::default();
        c.scope("aggregation", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "misfolding_per_day",
            "oxidative_misfolding",
            "templating_per_day",
            "clearance_capacity_per_day",
            "clearance_half_load",
            "max_load",
            "seed_release_per_day",
            "seed_uptake_um3_per_hour",
        ] {
            assert!(
                err.contains(&format!("aggregation.{field} must")),
                "{field} missing from {err}"
            );
        }
    }
}
