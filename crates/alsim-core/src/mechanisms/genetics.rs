//! Genetics: each familial genotype multiplies the parameters of the mechanisms the literature
//! assigns its gene, by the effect sizes in the scenario's `genotype_effects` (declared with
//! their grounds in `alsim_scenario::genetics`, listed in `docs/scenarios.md`). They are
//! applied once, to the scenario's parameters, before the mechanisms are built; a mechanism
//! that is off ignores its multipliers. `Sporadic` changes nothing: sporadic risk comes from
//! `events` and the neurons' spread of vulnerability.
//!
//! | genotype | acts on |
//! |---|---|
//! | SOD1 (all) | misfolding (by variant), mitochondrial aggregate toxicity, astrocyte support and toxicity, microglial activation |
//! | SOD1 A4V | templating too |
//! | C9orf72 | misfolding, proteostatic clearance, microglial activation and TNF secretion |
//! | TARDBP | misfolding, RNA processing (transport) |
//! | FUS | misfolding, templating, RNA processing |
//!
//! With ageing on, a neuron's load runs away once clearance capacity falls below what its
//! misfolding needs, so small multipliers move the age at onset by years (see `ageing`).

use alsim_scenario::mechanisms::Mechanisms;
use alsim_scenario::{Genotype, GenotypeEffects, Sod1Variant};

/// Applies `genotype`'s modifiers, of the sizes in `effects`, to `mechanisms`.
pub fn modify(genotype: Genotype, effects: &GenotypeEffects, mechanisms: &mut Mechanisms) {
    let m = mechanisms;
    let mut misfolding = |factor: f64| {
        if let Some(a) = m.aggregation.as_mut() {
            a.misfolding_per_day *= factor;
        }
    };
    match genotype {
        Genotype::Sporadic => {}
        Genotype::Sod1(variant) => {
            let e = &effects.sod1;
            let (misfolds, templates) = match variant {
                Sod1Variant::G93A => (e.g93a_misfolding, 1.0),
                Sod1Variant::Typical => (e.typical_misfolding, 1.0),
                Sod1Variant::A4V => (e.a4v_misfolding, e.a4v_templating),
            };
            misfolding(misfolds);
            if let Some(a) = m.aggregation.as_mut() {
                a.templating_per_day *= templates;
            }
            if let Some(mito) = m.mitochondria.as_mut() {
                mito.aggregate_toxicity_per_day *= e.mitochondrial_toxicity;
            }
            if let Some(astro) = m.astrocytes.as_mut() {
                astro.baseline_support *= e.astrocyte_support;
                astro.toxicity_scale *= e.astrocyte_toxicity;
            }
            if let Some(micro) = m.microglia.as_mut() {
                micro.activation_per_hour *= e.microglial_activation;
            }
        }
        Genotype::C9orf72 => {
            let e = &effects.c9orf72;
            misfolding(e.misfolding);
            if let Some(a) = m.aggregation.as_mut() {
                a.clearance_capacity_per_day *= e.clearance;
            }
            if let Some(micro) = m.microglia.as_mut() {
                micro.activation_per_hour *= e.microglial_activation;
                micro.tnf_secretion_fg_per_hour *= e.tnf_secretion;
            }
        }
        Genotype::Tardbp => {
            let e = &effects.tardbp;
            misfolding(e.misfolding);
            if let Some(t) = m.transport.as_mut() {
                t.rna_processing *= e.rna_processing;
            }
        }
        Genotype::Fus => {
            let e = &effects.fus;
            misfolding(e.misfolding);
            if let Some(a) = m.aggregation.as_mut() {
                a.templating_per_day *= e.templating;
            }
            if let Some(t) = m.transport.as_mut() {
                t.rna_processing *= e.rna_processing;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sporadic_changes_nothing() {
        let mut m = Mechanisms::default();
        modify(Genotype::Sporadic, &GenotypeEffects::default(), &mut m);
        assert_eq!(m, Mechanisms::default());
    }

    #[test]
    fn each_familial_genotype_acts_on_its_mechanisms() {
        let base = Mechanisms::default();
        let of = |g| {
            let mut m = Mechanisms::default();
            modify(g, &GenotypeEffects::default(), &mut m);
            m
        };
        let misfolding = |m: &Mechanisms| m.aggregation.as_ref().unwrap().misfolding_per_day;
        let sod1 = of(Genotype::Sod1(Sod1Variant::G93A));
        assert_eq!(
            misfolding(&sod1),
            GenotypeEffects::default().sod1.g93a_misfolding * misfolding(&base)
        );
        assert!(sod1.astrocytes.as_ref().unwrap().toxicity_scale > 1.0);
        let c9 = of(Genotype::C9orf72);
        assert!(
            c9.aggregation.as_ref().unwrap().clearance_capacity_per_day
                < base
                    .aggregation
                    .as_ref()
                    .unwrap()
                    .clearance_capacity_per_day
        );
        assert!(
            c9.microglia.as_ref().unwrap().activation_per_hour
                > base.microglia.as_ref().unwrap().activation_per_hour
        );
        for g in [Genotype::Tardbp, Genotype::Fus] {
            assert!(of(g).transport.as_ref().unwrap().rna_processing < 1.0);
        }
        // FUS aggregates hardest of the non-SOD1 genes.
        assert!(misfolding(&of(Genotype::Fus)) > misfolding(&of(Genotype::Tardbp)));
    }

    #[test]
    fn effect_sizes_come_from_the_scenario() {
        let mut effects = GenotypeEffects::default();
        effects.sod1.g93a_misfolding = 7.0;
        effects.fus.rna_processing = 0.5;
        let base = Mechanisms::default();
        let mut sod1 = Mechanisms::default();
        modify(Genotype::Sod1(Sod1Variant::G93A), &effects, &mut sod1);
        let misfolding = |m: &Mechanisms| m.aggregation.as_ref().unwrap().misfolding_per_day;
        assert_eq!(misfolding(&sod1), 7.0 * misfolding(&base));
        let mut fus = Mechanisms::default();
        modify(Genotype::Fus, &effects, &mut fus);
        assert_eq!(fus.transport.as_ref().unwrap().rna_processing, 0.5);
    }

    #[test]
    fn modifiers_skip_mechanisms_that_are_off() {
        let mut m = Mechanisms {
            aggregation: None,
            microglia: None,
            ..Mechanisms::default()
        };
        modify(Genotype::C9orf72, &GenotypeEffects::default(), &mut m);
        assert!(m.aggregation.is_none() && m.microglia.is_none());
    }
}
