//! Ageing of the tissue: proteostasis declines with age.

use crate::params::{closed, params};

params! {
    /// The proteostatic clearance capacity of motor neurons halves every
    /// `proteostasis_half_life_years` of age: `C(age) = C·2^(−age/T½)`, with
    /// `age = time.start_age_years + t`. Age is the strongest risk factor for sporadic ALS, and
    /// proteasome and autophagy activity fall with age in the nervous system (Keller et al. 2002
    /// Ageing Res Rev 1:279; Labbadia & Morimoto 2015 Annu Rev Biochem 84:435). With
    /// aggregation's templated growth this gives a threshold age: once the capacity falls below
    /// what a neuron's misfolding needs, its load runs away.
    pub struct AgeingParams {
        /// Age over which the proteostatic clearance capacity of motor neurons halves. The
        /// default is set against the ages at onset in `docs/model.md` (measured declines are
        /// of this order over adult life); the human lifetime scenarios use 78.
        proteostasis_half_life_years: f64 = 80.0, "years", closed(1.0, 1e4),
            "model choice; proteasome and autophagy activity fall with age in the nervous system (Keller et al. 2002; Labbadia & Morimoto 2015)";
    }
}
