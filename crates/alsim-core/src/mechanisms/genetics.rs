//! Genetics: each familial genotype is a set of multipliers on mechanism parameters, grounded in
//! the mechanism the literature assigns the gene. They are applied once, to the scenario's
//! parameters, before the mechanisms are registered; a mechanism that is off ignores its
//! modifiers. `Sporadic` changes nothing: sporadic risk comes from `events` and the neurons'
//! spread of vulnerability.
//!
//! | genotype | modifiers | grounds |
//! |---|---|---|
//! | SOD1 (all) | misfolding ×M, mitochondrial aggregate toxicity ×2, astrocyte support ×0.97 and toxicity ×2, microglial activation ×1.5 | misfolded SOD1 aggregates and damages mitochondria; mutant SOD1 in astrocytes (Nagai 2007, Di Giorgio 2007) and microglia (Boillée 2006) drives progression |
//! | SOD1 G93A | M = 30 | the G93A mouse overexpresses the mutant protein many-fold from a high-copy transgene |
//! | SOD1 typical | M = 2.4 | one mutant allele at the native level: onset ~50 years (Bali et al. 2017) |
//! | SOD1 A4V | M = 1.6, templating ×1.08 | A4V is among the least stable variants and aggregates fastest: the fastest human course (Cudkowicz et al. 1997) |
//! | C9orf72 | proteostatic clearance ×0.97, misfolding ×1.2, microglial activation ×2 and TNF secretion ×2 | C9orf72 loss impairs autophagy; dipeptide repeats and TDP-43 pathology; C9orf72-deficient microglia are hyper-inflammatory (O'Rourke et al. 2016) |
//! | TARDBP | misfolding ×1.4, RNA processing (transport) ×0.97 | TDP-43 mislocalises and aggregates; its nuclear loss impairs RNA processing and axonal mRNA transport (Alami et al. 2014) |
//! | FUS | misfolding ×2.5, templating ×1.12, RNA processing ×0.95 | FUS aggregates aggressively, with the earliest onsets (Vance et al. 2009) |
//!
//! With ageing on, a neuron's load runs away once clearance capacity falls below what its
//! misfolding needs, so small multipliers move the age at onset by years (see `ageing`).
//! The multipliers' sizes are model choices set against the calibration targets in
//! `docs/model.md`; what they act on is the literature's.

use alsim_scenario::mechanisms::Mechanisms;
use alsim_scenario::{Genotype, Sod1Variant};

/// Applies `genotype`'s modifiers to `mechanisms`.
pub fn modify(genotype: Genotype, mechanisms: &mut Mechanisms) {
    let m = mechanisms;
    let mut misfolding = |factor: f64| {
        if let Some(a) = m.aggregation.as_mut() {
            a.misfolding_per_day *= factor;
        }
    };
    match genotype {
        Genotype::Sporadic => {}
        Genotype::Sod1(variant) => {
            let (misfolds, templates) = match variant {
                Sod1Variant::G93A => (30.0, 1.0),
                Sod1Variant::Typical => (2.4, 1.0),
                Sod1Variant::A4V => (1.6, 1.08),
            };
            misfolding(misfolds);
            if let Some(a) = m.aggregation.as_mut() {
                a.templating_per_day *= templates;
            }
            if let Some(mito) = m.mitochondria.as_mut() {
                mito.aggregate_toxicity_per_day *= 2.0;
            }
            if let Some(astro) = m.astrocytes.as_mut() {
                astro.baseline_support *= 0.97;
                astro.toxicity_scale *= 2.0;
            }
            if let Some(micro) = m.microglia.as_mut() {
                micro.activation_per_hour *= 1.5;
            }
        }
        Genotype::C9orf72 => {
            misfolding(1.2);
            if let Some(a) = m.aggregation.as_mut() {
                a.clearance_capacity_per_day *= 0.97;
            }
            if let Some(micro) = m.microglia.as_mut() {
                micro.activation_per_hour *= 2.0;
                micro.tnf_secretion_fg_per_hour *= 2.0;
            }
        }
        Genotype::Tardbp => {
            misfolding(1.4);
            if let Some(t) = m.transport.as_mut() {
                t.rna_processing *= 0.97;
            }
        }
        Genotype::Fus => {
            misfolding(2.5);
            if let Some(a) = m.aggregation.as_mut() {
                a.templating_per_day *= 1.12;
            }
            if let Some(t) = m.transport.as_mut() {
                t.rna_processing *= 0.95;
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
        modify(Genotype::Sporadic, &mut m);
        assert_eq!(m, Mechanisms::default());
    }

    #[test]
    fn each_familial_genotype_acts_on_its_mechanisms() {
        let base = Mechanisms::default();
        let of = |g| {
            let mut m = Mechanisms::default();
            modify(g, &mut m);
            m
        };
        let misfolding = |m: &Mechanisms| m.aggregation.as_ref().unwrap().misfolding_per_day;
        let sod1 = of(Genotype::Sod1(Sod1Variant::G93A));
        assert_eq!(misfolding(&sod1), 30.0 * misfolding(&base));
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
    fn modifiers_skip_mechanisms_that_are_off() {
        let mut m = Mechanisms {
            aggregation: None,
            microglia: None,
            ..Mechanisms::default()
        };
        modify(Genotype::C9orf72, &mut m);
        assert!(m.aggregation.is_none() && m.microglia.is_none());
    }
}
