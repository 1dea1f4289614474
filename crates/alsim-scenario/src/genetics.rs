//! Genotype: familial ALS genes, or sporadic disease.

use crate::check::Checker;
use crate::params::{ParamSpec, closed, params};
use serde::{Deserialize, Serialize};

/// The genotype of every cell in the tissue. Each familial genotype is a documented set of
/// modifiers of mechanism parameters (see `docs/model.md`, "Genetics"); `Sporadic` changes
/// nothing and takes its risk from `events`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Genotype {
    /// No causative mutation (about 90–95% of cases).
    #[default]
    Sporadic,
    /// A mutation in superoxide dismutase 1.
    Sod1(Sod1Variant),
    /// The C9orf72 hexanucleotide repeat expansion.
    C9orf72,
    /// A mutation in TARDBP (TDP-43).
    Tardbp,
    /// A mutation in FUS.
    Fus,
}

/// SOD1 variants with distinct courses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sod1Variant {
    /// G93A, as in the high-copy transgenic mouse (G1H line): mutant protein overexpressed
    /// several-fold; the field's standard model.
    G93A,
    /// A4V: the commonest North American variant, very fast (median survival ~1–1.5 years
    /// from onset; Cudkowicz et al. 1997).
    A4V,
    /// A typical human SOD1 variant (mean onset ~50 years; Bali et al. 2017).
    Typical,
}

/// The effect sizes of each familial genotype: multipliers (fold) on mechanism parameters,
/// applied once at the start of a run to the tissue's genotype only. What each acts on is the
/// literature's; the sizes are model choices set against the ages at onset and survival in
/// `docs/model.md` (only the mechanism, never an outcome, is written here). Sweepable and
/// settable like any parameter: `genotype_effects.sod1.g93a_misfolding`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenotypeEffects {
    /// Mutant SOD1 (`Sod1(..)`).
    pub sod1: Sod1Effects,
    /// The C9orf72 repeat expansion.
    pub c9orf72: C9orf72Effects,
    /// Mutant TARDBP (TDP-43).
    pub tardbp: TardbpEffects,
    /// Mutant FUS.
    pub fus: FusEffects,
}

impl GenotypeEffects {
    /// Each genotype's dotted path and its parameters' declarations, for the reference.
    pub const PARAMETER_TABLES: &'static [(&'static str, &'static [ParamSpec])] = &[
        ("genotype_effects.sod1", Sod1Effects::PARAMS),
        ("genotype_effects.c9orf72", C9orf72Effects::PARAMS),
        ("genotype_effects.tardbp", TardbpEffects::PARAMS),
        ("genotype_effects.fus", FusEffects::PARAMS),
    ];

    pub(crate) fn check(&self, c: &mut Checker) {
        c.scope("sod1", |c| self.sod1.check(c));
        c.scope("c9orf72", |c| self.c9orf72.check(c));
        c.scope("tardbp", |c| self.tardbp.check(c));
        c.scope("fus", |c| self.fus.check(c));
    }
}

params! {
    /// Mutant SOD1: misfolded SOD1 aggregates and damages mitochondria; mutant SOD1 in
    /// astrocytes and microglia drives progression. The variants differ in how much mutant
    /// protein misfolds.
    pub struct Sod1Effects {
        /// Misfolding multiplier of `Sod1(G93A)`: the G93A mouse overexpresses the mutant
        /// protein many-fold from a high-copy transgene.
        g93a_misfolding: f64 = 30.0, "fold", closed(0.0, 1e3),
            "model choice; high-copy G1H transgene (Gurney 1994)";
        /// Misfolding multiplier of `Sod1(Typical)`: one mutant allele at the native level.
        typical_misfolding: f64 = 2.4, "fold", closed(0.0, 1e3),
            "model choice, set against mean onset ~50 years (Bali et al. 2017)";
        /// Misfolding multiplier of `Sod1(A4V)`: among the least stable variants.
        a4v_misfolding: f64 = 1.6, "fold", closed(0.0, 1e3),
            "model choice; A4V is the fastest human course (Cudkowicz et al. 1997)";
        /// Templated-growth multiplier of `Sod1(A4V)`: A4V aggregates fastest.
        a4v_templating: f64 = 1.08, "fold", closed(0.0, 100.0),
            "model choice; Cudkowicz et al. 1997";
        /// Multiplier of `mechanisms.mitochondria.aggregate_toxicity_per_day`, every variant:
        /// mutant SOD1 associates with mitochondria and damages them.
        mitochondrial_toxicity: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; Bendotti et al. 2001";
        /// Multiplier of `mechanisms.astrocytes.baseline_support`, every variant: mutant
        /// astrocytes support motor neurons less. At most 1, so support stays a fraction.
        astrocyte_support: f64 = 0.97, "fold", closed(0.0, 1.0),
            "model choice; Nagai et al. 2007; Di Giorgio et al. 2007";
        /// Multiplier of `mechanisms.astrocytes.toxicity_scale`, every variant: astrocytes
        /// carrying mutant SOD1 kill co-cultured motor neurons.
        astrocyte_toxicity: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; Nagai et al. 2007; Di Giorgio et al. 2007";
        /// Multiplier of `mechanisms.microglia.activation_per_hour`, every variant: mutant
        /// SOD1 in microglia drives progression.
        microglial_activation: f64 = 1.5, "fold", closed(0.0, 100.0),
            "model choice; Boillée et al. 2006";
    }
}

params! {
    /// The C9orf72 repeat expansion: C9orf72 loss impairs autophagy; dipeptide repeats and
    /// TDP-43 pathology add misfolding; C9orf72-deficient microglia are hyper-inflammatory.
    pub struct C9orf72Effects {
        /// Multiplier of `mechanisms.aggregation.misfolding_per_day`: dipeptide repeats and
        /// TDP-43 pathology.
        misfolding: f64 = 1.2, "fold", closed(0.0, 1e3), "model choice";
        /// Multiplier of `mechanisms.aggregation.clearance_capacity_per_day`: impaired
        /// autophagy. At most 1.
        clearance: f64 = 0.97, "fold", closed(0.0, 1.0), "model choice; Webster et al. 2016";
        /// Multiplier of `mechanisms.microglia.activation_per_hour`.
        microglial_activation: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; O'Rourke et al. 2016";
        /// Multiplier of `mechanisms.microglia.tnf_secretion_fg_per_hour`.
        tnf_secretion: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; O'Rourke et al. 2016";
    }
}

params! {
    /// Mutant TARDBP: TDP-43 mislocalises and aggregates; its nuclear loss impairs RNA
    /// processing and axonal mRNA transport.
    pub struct TardbpEffects {
        /// Multiplier of `mechanisms.aggregation.misfolding_per_day`.
        misfolding: f64 = 1.4, "fold", closed(0.0, 1e3), "model choice";
        /// Multiplier of `mechanisms.transport.rna_processing`. At most 1.
        rna_processing: f64 = 0.97, "fold", closed(0.0, 1.0),
            "model choice; Alami et al. 2014";
    }
}

params! {
    /// Mutant FUS: FUS aggregates aggressively, with the earliest onsets.
    pub struct FusEffects {
        /// Multiplier of `mechanisms.aggregation.misfolding_per_day`.
        misfolding: f64 = 2.5, "fold", closed(0.0, 1e3), "model choice; Vance et al. 2009";
        /// Multiplier of `mechanisms.aggregation.templating_per_day`.
        templating: f64 = 1.12, "fold", closed(0.0, 100.0), "model choice";
        /// Multiplier of `mechanisms.transport.rna_processing`. At most 1.
        rna_processing: f64 = 0.95, "fold", closed(0.0, 1.0), "model choice";
    }
}
