//! Genotype: familial ALS genes, or sporadic disease.

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
