//! Astrocytes: supportive or reactive (neurotoxic), and the support they give motor neurons.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Astrocyte reactivity and support. Microglial cytokines (IL-1α, TNF, C1q) turn astrocytes
/// into a neurotoxic reactive state (Liddelow et al. 2017); they recover when the cytokine is
/// gone. Each astrocyte's support capacity (trophic support and glutamate clearance through
/// EAAT2/GLT-1) relaxes toward `baseline_support` while supportive and toward `reactive_support`
/// while reactive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AstrocyteParams {
    /// TNF at which the reactivity stimulus is half-maximal, ng/mL. Default 1 (in culture the
    /// reactive state is induced with TNF 30 ng/mL together with IL-1α 3 ng/mL and C1q 400 ng/mL,
    /// Liddelow et al. 2017; the single tissue signal here stands for the mix). Range (0, 1e3].
    pub tnf_half_max_ng_per_ml: f64,
    /// Largest rate of turning reactive under saturating TNF, per hour. Default 0.05 (reactive
    /// within a day of sustained exposure). Range [0, 100].
    pub reactivation_per_hour: f64,
    /// Rate of returning to the supportive state when TNF is absent, per hour. Default 0.01.
    /// Range [0, 100].
    pub recovery_per_hour: f64,
    /// Reach of the toxic factor a reactive astrocyte releases, µm: motor neurons within it are
    /// harmed. Also the reach over which a motor neuron averages the support of astrocytes.
    /// Default 50. Range [0, 500].
    pub toxicity_reach_um: f64,
    /// Multiplier of the toxicity of each reactive astrocyte: motor neuron damage reads the
    /// reactive astrocytes within reach times this. Default 1. A SOD1 genotype raises it
    /// (astrocytes carrying mutant SOD1 kill motor neurons, Nagai et al. 2007 Nat Neurosci
    /// 10:615; Di Giorgio et al. 2007 Nat Neurosci 10:608). Range [0, 100].
    pub toxicity_scale: f64,
    /// Support capacity (trophic support and glutamate clearance, 1 = full) that a supportive
    /// astrocyte holds. Default 1; a genotype lowers it for mutant astrocytes. Range [0, 1].
    pub baseline_support: f64,
    /// Support capacity a reactive astrocyte drifts toward (never above `baseline_support`).
    /// Default 0.3: astroglial EAAT2 (GLT-1) protein is reduced by up to ~70% in ALS motor cortex
    /// and spinal cord (Rothstein et al. 1995 Ann Neurol 38:73). Range [0, 1].
    pub reactive_support: f64,
    /// Rate at which support relaxes toward its target after a change of state, per day.
    /// Default 0.5 (half-time ~1.4 days; model choice: cytokines lower astrocytic glutamate
    /// transporters over days). Range [0, 1000].
    pub support_change_per_day: f64,
}

impl Default for AstrocyteParams {
    fn default() -> Self {
        Self {
            tnf_half_max_ng_per_ml: 1.0,
            reactivation_per_hour: 0.05,
            recovery_per_hour: 0.01,
            toxicity_reach_um: 50.0,
            toxicity_scale: 1.0,
            baseline_support: 1.0,
            reactive_support: 0.3,
            support_change_per_day: 0.5,
        }
    }
}

impl AstrocyteParams {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.positive("tnf_half_max_ng_per_ml", self.tnf_half_max_ng_per_ml, 1e3);
        c.range(
            "reactivation_per_hour",
            self.reactivation_per_hour,
            0.0,
            100.0,
        );
        c.range("recovery_per_hour", self.recovery_per_hour, 0.0, 100.0);
        c.range("toxicity_reach_um", self.toxicity_reach_um, 0.0, 500.0);
        c.range("toxicity_scale", self.toxicity_scale, 0.0, 100.0);
        c.range("baseline_support", self.baseline_support, 0.0, 1.0);
        c.range("reactive_support", self.reactive_support, 0.0, 1.0);
        c.range(
            "support_change_per_day",
            self.support_change_per_day,
            0.0,
            1000.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_support_values_are_named() {
        let mut c = Checker::default();
        AstrocyteParams::default().check(&mut c);
        assert!(c.is_clean());
        let bad = AstrocyteParams {
            toxicity_scale: -1.0,
            baseline_support: 1.5,
            reactive_support: -0.1,
            support_change_per_day: f64::NAN,
            ..AstrocyteParams::default()
        };
        let mut c = Checker::default();
        c.scope("astrocytes", |c| bad.check(c));
        let err = c.finish("x.ron").unwrap_err().to_string();
        for field in [
            "toxicity_scale",
            "baseline_support",
            "reactive_support",
            "support_change_per_day",
        ] {
            assert!(
                err.contains(&format!("astrocytes.{field}")),
                "{field} missing from {err}"
            );
        }
    }
}
