//! Genotype: familial ALS genes, or sporadic disease.

use crate::check::Checker;
use crate::params::{ParamSpec, closed, params, positive};
use serde::{Deserialize, Serialize};

/// The genotype of the person or animal. Each familial genotype is a documented set of effects
/// of its gene's products on mechanism parameters, each in the cell type where the mechanism
/// runs (see `docs/model.md`, "Genetics"); where and how strongly the gene is expressed is
/// [`Expression`]. `Sporadic` changes nothing and takes its risk from `events`.
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

/// The cell types a gene can be expressed in, or cut out of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellType {
    /// Motor neurons: misfolding, aggregate toxicity to mitochondria, transport.
    MotorNeurons,
    /// Microglia: activation and cytokine secretion.
    Microglia,
    /// Astrocytes: support and toxicity to motor neurons.
    Astrocytes,
}

impl CellType {
    /// Every cell type, in the order of [`Expression`]'s fields.
    pub const ALL: [CellType; 3] = [
        CellType::MotorNeurons,
        CellType::Microglia,
        CellType::Astrocytes,
    ];
}

/// A transcript an antisense oligonucleotide can be designed against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transcript {
    /// SOD1 mRNA, mutant and wild-type alike (tofersen is not allele-selective).
    Sod1,
    /// The sense-strand C9orf72 transcripts that carry the expanded repeat (the source of the
    /// sense dipeptide repeats and sense RNA foci); antisense-strand transcripts are untouched.
    C9orf72Sense,
}

params! {
    /// Where the genotype's mutant gene is expressed and how strongly: a dose for the whole
    /// animal (transgene copies) and a share per cell type, so that a cell-type-specific
    /// knock-out or a floxed transgene with a cell-type Cre (Boillée et al. 2006; Yamanaka et
    /// al. 2008) can be set up. Changes nothing in a `Sporadic` scenario.
    pub struct Expression {
        /// Gene dose relative to the genotype's reference: for `Sod1(G93A)`, the transgene copy
        /// number divided by the high-copy G1H line's (about 25 copies); 1 for a human
        /// heterozygous carrier. Every gain-of-function effect scales with it.
        dose: f64 = 1.0, "fold", closed(0.0, 10.0),
            "G1H copy number and its loss prolonging survival: Alexander et al. 2004";
        /// Share of the mutant gene's expression kept in motor neurons (0: knocked out there).
        motor_neurons: f64 = 1.0, "fraction", closed(0.0, 1.0), "experimental design";
        /// Share kept in microglia.
        microglia: f64 = 1.0, "fraction", closed(0.0, 1.0), "experimental design";
        /// Share kept in astrocytes.
        astrocytes: f64 = 1.0, "fraction", closed(0.0, 1.0), "experimental design";
    }
}

impl Expression {
    /// The share kept in `cells`.
    pub fn in_cells(&self, cells: CellType) -> f64 {
        match cells {
            CellType::MotorNeurons => self.motor_neurons,
            CellType::Microglia => self.microglia,
            CellType::Astrocytes => self.astrocytes,
        }
    }
}

/// A Cre-lox excision of the mutant gene from one cell type at a time (a floxed transgene and a
/// cell-type Cre, or a tamoxifen-induced CreERT2): from `day`, that cell type keeps
/// `1 − efficiency` of its expression; the mutant protein already made decays with the gene's
/// protein half-life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excision {
    /// Day the gene is cut out. Range [0, the run's last step].
    pub day: f64,
    /// The cell type it is cut out of.
    pub cells: CellType,
    /// Share of the cells (or of the expression) excised. Range [0, 1]. Default 1.
    #[serde(default = "full")]
    pub efficiency: f64,
}

fn full() -> f64 {
    1.0
}

impl Excision {
    pub(crate) fn check(&self, c: &mut Checker, last_day: f64) {
        crate::events::starts_in_the_run(c, "day", self.day, last_day);
        c.range("efficiency", self.efficiency, 0.0, 1.0);
    }
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

/// The effect sizes of each familial genotype: multipliers (fold) on mechanism parameters, each
/// in force in proportion to its cause's level in the cell type where the mechanism runs (the
/// mutant protein for a gain of function, the missing allele for a loss; `docs/model.md`,
/// "Genetics"), and only for the scenario's genotype. What each acts on is the
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
        /// Multiplier of `mechanisms.microglia.ros_secretion_fmol_per_hour`, every variant:
        /// activated microglia carrying mutant SOD1 release more superoxide and nitric oxide
        /// and kill more co-cultured motor neurons than wild-type microglia.
        microglial_ros_secretion: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; Xiao et al. 2007 (J Neurochem 102:2008); Beers et al. 2006";
        /// Half-life of SOD1 protein: how slowly the mutant protein falls once its gene is cut
        /// out or its transcript knocked down.
        protein_half_life_days: f64 = 25.0, "day", positive(3650.0),
            "human CSF, stable-isotope labelling: Crisp et al. 2015";
    }
}

params! {
    /// The C9orf72 repeat expansion: three mechanisms. Dipeptide repeats (DPRs), translated
    /// from the repeat RNA of both strands without a start codon, aggregate (poly-GA) and
    /// poison mitochondria (the arginine-rich poly-GR and poly-PR); the repeat RNA forms
    /// nuclear foci that sequester RNA-binding proteins; and the expansion silences one allele,
    /// so C9orf72 protein is halved: autophagy is impaired in neurons, and C9orf72-deficient
    /// microglia are hyper-inflammatory. Repeat length is not a parameter: no relation of
    /// expansion size to the ALS phenotype has been established (sizes differ between tissues
    /// of one person; Cooper-Knock et al. 2014, Acta Neuropathol 127:333).
    pub struct C9orf72Effects {
        /// Multiplier of `mechanisms.aggregation.misfolding_per_day`: poly-GA aggregates,
        /// which also seed TDP-43 pathology.
        misfolding: f64 = 1.2, "fold", closed(0.0, 1e3),
            "model choice; Mori et al. 2013 (poly-GA the most abundant DPR inclusions)";
        /// Multiplier of `mechanisms.mitochondria.aggregate_toxicity_per_day`: poly-GR binds
        /// the ATP synthase subunit ATP5A1 and impairs mitochondria; arginine-rich DPRs raise
        /// oxidative stress in patients' motor neurons.
        mitochondrial_toxicity: f64 = 1.5, "fold", closed(0.0, 100.0),
            "model choice; Choi et al. 2019 (Nat Neurosci 22:851); Lopez-Gonzalez et al. 2016 (Neuron 92:383)";
        /// Multiplier of `mechanisms.transport.rna_processing`: sense and antisense RNA foci
        /// sequester RNA-binding proteins (hnRNP H, ADARB2). At most 1.
        rna_processing: f64 = 0.97, "fold", closed(0.0, 1.0),
            "model choice; Donnelly et al. 2013 (Neuron 80:415); Lee et al. 2013 (Cell Rep 5:1178)";
        /// Multiplier of `mechanisms.aggregation.clearance_capacity_per_day`: impaired
        /// autophagy. At most 1.
        clearance: f64 = 0.97, "fold", closed(0.0, 1.0), "model choice; Webster et al. 2016";
        /// Multiplier of `mechanisms.microglia.activation_per_hour`.
        microglial_activation: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; O'Rourke et al. 2016";
        /// Multiplier of `mechanisms.microglia.tnf_secretion_fg_per_hour`.
        tnf_secretion: f64 = 2.0, "fold", closed(0.0, 100.0),
            "model choice; O'Rourke et al. 2016";
        /// Share of the repeat's gains of function (its DPRs and foci) made from sense-strand
        /// transcripts: poly-GA, the most abundant DPR, and poly-GP and poly-GR come from the
        /// sense strand, poly-PA and poly-PR from the antisense; one share for every gain.
        sense_share: f64 = 0.7, "fraction", closed(0.0, 1.0),
            "model choice; poly-GA most abundant: Mori et al. 2013";
        /// Half-life of the repeat's products (DPRs; the foci are taken to follow them): how
        /// slowly they fall once their transcript is knocked down.
        product_half_life_days: f64 = 10.0, "day", positive(3650.0), "model choice";
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
        /// Half-life of TDP-43 protein.
        protein_half_life_days: f64 = 1.4, "day", positive(3650.0),
            "model choice; TDP-43 turnover about 34 h in cells (Ling et al. 2010)";
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
        /// Half-life of FUS protein.
        protein_half_life_days: f64 = 1.0, "day", positive(3650.0), "model choice";
    }
}
