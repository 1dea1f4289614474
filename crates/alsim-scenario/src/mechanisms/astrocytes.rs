//! Astrocytes: supportive or reactive (neurotoxic), and the support they give motor neurons.

use crate::params::{closed, params, positive};

params! {
    /// Astrocyte reactivity and support. Microglial cytokines (IL-1α, TNF, C1q) turn astrocytes
    /// into a neurotoxic reactive state (Liddelow et al. 2017); they recover when the cytokine is
    /// gone. Each astrocyte's support capacity (trophic support and glutamate clearance through
    /// EAAT2/GLT-1) relaxes toward `baseline_support` while supportive and toward
    /// `reactive_support` while reactive.
    pub struct AstrocyteParams {
        /// TNF at which the reactivity stimulus is half-maximal; the single tissue signal here
        /// stands for the mix of cytokines that induces the reactive state.
        tnf_half_max_ng_per_ml: f64 = 1.0, "ng/mL", positive(1e3),
            "Liddelow et al. 2017: in culture the reactive state is induced with TNF 30 ng/mL together with IL-1α 3 ng/mL and C1q 400 ng/mL";
        /// Largest rate of turning reactive under saturating TNF: reactive within a day of
        /// sustained exposure.
        reactivation_per_hour: f64 = 0.05, "1/h", closed(0.0, 100.0),
            "model choice; cultured astrocytes turn neurotoxic within a day of IL-1α, TNF and C1q (Liddelow et al. 2017)";
        /// Rate of returning to the supportive state when TNF is absent.
        recovery_per_hour: f64 = 0.01, "1/h", closed(0.0, 100.0), "model choice";
        /// Reach of the toxic factor a reactive astrocyte releases: motor neurons within it are
        /// harmed. Also the reach over which a motor neuron averages the support of astrocytes.
        toxicity_reach_um: f64 = 50.0, "µm", closed(0.0, 500.0), "model choice";
        /// Multiplier of the toxicity of each reactive astrocyte: motor neuron damage reads the
        /// reactive astrocytes within reach times this. A SOD1 genotype raises it.
        toxicity_scale: f64 = 1.0, "multiplier", closed(0.0, 100.0),
            "model choice; astrocytes carrying mutant SOD1 kill motor neurons (Nagai et al. 2007 Nat Neurosci 10:615; Di Giorgio et al. 2007 Nat Neurosci 10:608)";
        /// Support capacity (trophic support and glutamate clearance, 1 = full) that a
        /// supportive astrocyte holds, and that every astrocyte starts with. A SOD1 genotype
        /// lowers it for mutant astrocytes.
        baseline_support: f64 = 1.0, "fraction", closed(0.0, 1.0), "model choice";
        /// Support capacity a reactive astrocyte drifts toward (never above
        /// `baseline_support`).
        reactive_support: f64 = 0.3, "fraction", closed(0.0, 1.0),
            "Rothstein et al. 1995 Ann Neurol 38:73: astroglial EAAT2 (GLT-1) protein is reduced by up to ~70% in ALS motor cortex and spinal cord";
        /// Rate at which support relaxes toward its target after a change of state (half-time
        /// ~1.4 days): cytokines lower astrocytic glutamate transporters over days.
        support_change_per_day: f64 = 0.5, "1/day", closed(0.0, 1000.0), "model choice";
    }
}
