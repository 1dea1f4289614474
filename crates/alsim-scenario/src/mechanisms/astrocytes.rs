//! Astrocytes: supportive or reactive (neurotoxic).

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Astrocyte reactivity. Microglial cytokines (IL-1α, TNF, C1q) turn astrocytes into a
/// neurotoxic reactive state (Liddelow et al. 2017); they recover when the cytokine is gone.
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
    /// harmed. Default 50. Range [0, 500].
    pub toxicity_reach_um: f64,
}

impl Default for AstrocyteParams {
    fn default() -> Self {
        Self {
            tnf_half_max_ng_per_ml: 1.0,
            reactivation_per_hour: 0.05,
            recovery_per_hour: 0.01,
            toxicity_reach_um: 50.0,
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
    }
}
