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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Checker;

    #[test]
    fn half_life_outside_its_range_is_named() {
        let mut c = Checker::default();
        AgeingParams::default().check(&mut c);
        assert!(c.is_clean());
        for bad in [0.5, f64::NAN, 2e4] {
            let p = AgeingParams {
                proteostasis_half_life_years: bad,
            };
            let mut c = Checker::default();
            c.scope("ageing", |c| p.check(c));
            let err = c.finish("x.ron").unwrap_err().to_string();
            assert!(err.contains("ageing.proteostasis_half_life_years"), "{err}");
        }
    }
}
