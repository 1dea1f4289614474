//! Genetics: a familial genotype acts through its gene's products, in the cell types that
//! express it. Each effect is a fold on one mechanism parameter, declared with its grounds in
//! `alsim_scenario::genetics` (listed in `docs/scenarios.md`), in force in proportion to its
//! cause's level in the cell type where that mechanism runs:
//!
//! - a **gain of function** follows the mutant product, which relaxes (the protein's
//!   half-life) toward what the gene makes: `dose × share kept in the cell type × (1 −
//!   antisense knockdown of its transcript)`;
//! - a **loss of function** follows the share of the cell type carrying the mutation, which
//!   neither dose nor antisense changes.
//!
//! At level `L` a fold `f` is `f·L + (1 − L)`: the full fold at the genotype's reference, none
//! without the gene. A Cre-lox excision (`excisions`) lowers a cell type's share from its day.
//! The folds are recomputed each tick in `Express` ([`GeneFactors`]); the mechanisms read them
//! with their parameters, so no parameter is rewritten and a checkpoint keeps only the levels.
//!
//! | genotype | motor neurons | microglia | astrocytes |
//! |---|---|---|---|
//! | SOD1 (gain) | misfolding (by variant; A4V templating too), mitochondrial aggregate toxicity | activation, ROS secretion | support, toxicity |
//! | C9orf72 | dipeptide repeats: misfolding and mitochondrial toxicity; RNA foci: RNA processing (gains, their sense-strand share knocked down by a sense ASO); proteostatic clearance (loss) | activation, TNF secretion (loss) | — |
//! | TARDBP (gain) | misfolding, RNA processing (transport) | — | — |
//! | FUS (gain) | misfolding, templating, RNA processing | — | — |
//!
//! `Sporadic` has no gene and builds nothing: sporadic risk comes from `events` and the
//! neurons' spread of vulnerability. With ageing on, a neuron's load runs away once clearance
//! capacity falls below what its misfolding needs, so small folds move the age at onset by
//! years (see `ageing`).

use super::interventions::TherapyFactors;
use super::tick_of;
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, StepLimit};
use crate::{Clock, RestoreError, SimSet};
use alsim_scenario::{
    CellType, Excision, Genotype, GenotypeEffects, Scenario, Sod1Variant, Transcript,
};
use bevy_ecs::prelude::*;

/// The time-series columns.
const COLUMNS: [Column; 3] = [
    Column::new("mutant_product_motor_neurons_level", Section::Readout),
    Column::new("mutant_product_microglia_level", Section::Readout),
    Column::new("mutant_product_astrocytes_level", Section::Readout),
];

/// The mechanism.
pub struct Genetics;

impl Mechanism for Genetics {
    fn name(&self) -> &'static str {
        "genetics"
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.genotype != Genotype::Sporadic
    }

    /// Built first, so the other mechanisms start from the folds in force at day 0.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let (gene, levels) = Gene::new(setup.scenario);
        world.insert_resource(gene.factors(&levels));
        world.insert_resource(gene);
        world.insert_resource(levels);
        schedule.add_systems(express.in_set(SimSet::Express));
    }

    /// A step ends where the next excision falls.
    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        let (gene, levels) = (world.resource::<Gene>(), world.resource::<GeneLevels>());
        gene.excisions
            .iter()
            .zip(&levels.excised)
            .filter(|(_, done)| !**done)
            .map(|(x, _)| limit.ticks_until(tick_of(x.day, limit.dt_hours)))
            .fold(u64::MAX, u64::min)
    }

    /// The levels; the folds follow from them (astrocytes read the last tick's at the start of
    /// the next).
    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.resource::<GeneLevels>("levels")?;
        let world = state.world();
        let factors = world
            .resource::<Gene>()
            .factors(world.resource::<GeneLevels>());
        world.insert_resource(factors);
        Ok(())
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    /// The gain-of-function product in each cell type, 1 at the genotype's reference; 0 off.
    fn observe(&self, world: &mut World, _: &LivingNeurons, out: &mut Vec<f64>) {
        match (
            world.get_resource::<Gene>(),
            world.get_resource::<GeneLevels>(),
        ) {
            (Some(gene), Some(levels)) => {
                out.extend(CellType::ALL.map(|c| gene.gain_level(levels, c)))
            }
            _ => out.extend([0.0; 3]),
        }
    }
}

/// The genotype as the scenario gives it: its effects, dose and excisions (never saved: they
/// are the scenario's).
#[derive(Resource, Clone, Debug)]
pub struct Gene {
    genotype: Genotype,
    effects: GenotypeEffects,
    dose: f64,
    excisions: Vec<Excision>,
}

/// Where the gene is carried and its products' levels, per cell type in [`CellType::ALL`]
/// order, and which excisions have happened: the state a checkpoint keeps.
#[derive(Resource, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GeneLevels {
    /// Share of each cell type carrying the mutant gene (its share kept, less excisions).
    carrying: [f64; 3],
    /// The mutant product made from the transcript an antisense drug can target, and from the
    /// rest, relative to the reference (1 each at rest, untreated).
    targetable: [f64; 3],
    untargetable: [f64; 3],
    /// Whether each of the gene's excisions has happened.
    excised: Vec<bool>,
}

impl Gene {
    /// The gene and its levels at day 0: excisions on day 0 (a Cre active from development)
    /// have already happened, with no mutant product left behind.
    fn new(scenario: &Scenario) -> (Self, GeneLevels) {
        let e = &scenario.expression;
        let mut carrying = CellType::ALL.map(|c| e.in_cells(c));
        for x in scenario.excisions.iter().filter(|x| x.day == 0.0) {
            carrying[x.cells as usize] *= 1.0 - x.efficiency;
        }
        let made = carrying.map(|share| e.dose * share);
        let gene = Self {
            genotype: scenario.genotype,
            effects: scenario.genotype_effects.clone(),
            dose: e.dose,
            excisions: scenario.excisions.clone(),
        };
        let levels = GeneLevels {
            carrying,
            targetable: made,
            untargetable: made,
            excised: scenario.excisions.iter().map(|x| x.day == 0.0).collect(),
        };
        (gene, levels)
    }

    /// The transcript an antisense drug can knock down, and the share of the gain of function
    /// made from it.
    fn target(&self) -> Option<(Transcript, f64)> {
        match self.genotype {
            Genotype::Sod1(_) => Some((Transcript::Sod1, 1.0)),
            Genotype::C9orf72 => Some((Transcript::C9orf72Sense, self.effects.c9orf72.sense_share)),
            Genotype::Sporadic | Genotype::Tardbp | Genotype::Fus => None,
        }
    }

    /// Half-life of the gene's gain-of-function product, days.
    fn product_half_life_days(&self) -> f64 {
        let e = &self.effects;
        match self.genotype {
            Genotype::Sod1(_) => e.sod1.protein_half_life_days,
            Genotype::C9orf72 => e.c9orf72.product_half_life_days,
            Genotype::Tardbp => e.tardbp.protein_half_life_days,
            Genotype::Fus => e.fus.protein_half_life_days,
            Genotype::Sporadic => f64::INFINITY,
        }
    }

    /// The gain-of-function product in `cells` (1 at the reference, untreated).
    pub fn gain_level(&self, levels: &GeneLevels, cells: CellType) -> f64 {
        let i = cells as usize;
        let share = self.target().map_or(0.0, |(_, share)| share);
        let (t, u) = (levels.targetable[i], levels.untargetable[i]);
        // Written so that equal parts give exactly that level.
        u + share * (t - u)
    }

    /// The folds in force at `levels`.
    pub fn factors(&self, levels: &GeneLevels) -> GeneFactors {
        let mut f = GeneFactors::default();
        let e = &self.effects;
        let gain = |c| self.gain_level(levels, c);
        // A loss of function: the share of the cell type lacking a working allele.
        let loss = |c: CellType| levels.carrying[c as usize];
        let (mn, mg, astro) = (
            CellType::MotorNeurons,
            CellType::Microglia,
            CellType::Astrocytes,
        );
        match self.genotype {
            Genotype::Sporadic => {}
            Genotype::Sod1(variant) => {
                let (misfolds, templates) = match variant {
                    Sod1Variant::G93A => (e.sod1.g93a_misfolding, 1.0),
                    Sod1Variant::Typical => (e.sod1.typical_misfolding, 1.0),
                    Sod1Variant::A4V => (e.sod1.a4v_misfolding, e.sod1.a4v_templating),
                };
                f.misfolding = fold(misfolds, gain(mn));
                f.templating = fold(templates, gain(mn));
                f.mitochondrial_toxicity = fold(e.sod1.mitochondrial_toxicity, gain(mn));
                f.astrocyte_support = fold(e.sod1.astrocyte_support, gain(astro));
                f.astrocyte_toxicity = fold(e.sod1.astrocyte_toxicity, gain(astro));
                f.microglial_activation = fold(e.sod1.microglial_activation, gain(mg));
                f.microglial_ros = fold(e.sod1.microglial_ros_secretion, gain(mg));
            }
            Genotype::C9orf72 => {
                let c9 = &e.c9orf72;
                f.misfolding = fold(c9.misfolding, gain(mn));
                f.mitochondrial_toxicity = fold(c9.mitochondrial_toxicity, gain(mn));
                f.rna_processing = fold(c9.rna_processing, gain(mn));
                f.clearance = fold(c9.clearance, loss(mn));
                f.microglial_activation = fold(c9.microglial_activation, loss(mg));
                f.tnf_secretion = fold(c9.tnf_secretion, loss(mg));
            }
            Genotype::Tardbp => {
                f.misfolding = fold(e.tardbp.misfolding, gain(mn));
                f.rna_processing = fold(e.tardbp.rna_processing, gain(mn));
            }
            Genotype::Fus => {
                f.misfolding = fold(e.fus.misfolding, gain(mn));
                f.templating = fold(e.fus.templating, gain(mn));
                f.rna_processing = fold(e.fus.rna_processing, gain(mn));
            }
        }
        f
    }

    /// Applies the excisions due by `tick`, then moves each product over `dt_days` toward what
    /// the gene makes under `knockdown` of the targetable transcript.
    fn advance(
        &self,
        levels: &mut GeneLevels,
        tick: u64,
        dt_hours: f64,
        step_hours: f64,
        knockdown: f64,
    ) {
        for (x, done) in self.excisions.iter().zip(&mut levels.excised) {
            if !*done && tick >= tick_of(x.day, dt_hours) {
                levels.carrying[x.cells as usize] *= 1.0 - x.efficiency;
                *done = true;
            }
        }
        let decay =
            (-std::f64::consts::LN_2 * step_hours / 24.0 / self.product_half_life_days()).exp();
        for i in 0..3 {
            let made = self.dose * levels.carrying[i];
            relax_toward(&mut levels.untargetable[i], made, decay);
            relax_toward(&mut levels.targetable[i], made * (1.0 - knockdown), decay);
        }
    }
}

/// `x` after a step toward a constant `target` that keeps `decay` of the gap; untouched at
/// the target, so a gene at rest stays exactly at its level.
fn relax_toward(x: &mut f64, target: f64, decay: f64) {
    if *x != target {
        *x = target + (*x - target) * decay;
    }
}

/// A fold `f` at level `level` of its cause: `f` at 1, none at 0, exactly. A fraction-type
/// fold (`f < 1`) at a level above 1 stops at 0.
fn fold(f: f64, level: f64) -> f64 {
    (f * level + (1.0 - level)).max(0.0)
}

/// The genotype's folds in force this tick, one per parameter it acts on (1: no effect).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct GeneFactors {
    /// On aggregation's `misfolding_per_day` (motor neurons).
    pub misfolding: f64,
    /// On aggregation's `templating_per_day`.
    pub templating: f64,
    /// On aggregation's `clearance_capacity_per_day`.
    pub clearance: f64,
    /// On mitochondria's `aggregate_toxicity_per_day`.
    pub mitochondrial_toxicity: f64,
    /// On transport's `rna_processing`.
    pub rna_processing: f64,
    /// On microglia's `activation_per_hour`.
    pub microglial_activation: f64,
    /// On microglia's `tnf_secretion_fg_per_hour`.
    pub tnf_secretion: f64,
    /// On microglia's `ros_secretion_fmol_per_hour` (pro-inflammatory microglia).
    pub microglial_ros: f64,
    /// On astrocytes' `baseline_support`.
    pub astrocyte_support: f64,
    /// On astrocytes' `toxicity_scale`.
    pub astrocyte_toxicity: f64,
}

impl Default for GeneFactors {
    fn default() -> Self {
        Self {
            misfolding: 1.0,
            templating: 1.0,
            clearance: 1.0,
            mitochondrial_toxicity: 1.0,
            rna_processing: 1.0,
            microglial_activation: 1.0,
            tnf_secretion: 1.0,
            microglial_ros: 1.0,
            astrocyte_support: 1.0,
            astrocyte_toxicity: 1.0,
        }
    }
}

fn express(
    gene: Res<Gene>,
    mut levels: ResMut<GeneLevels>,
    mut factors: ResMut<GeneFactors>,
    clock: Res<Clock>,
    therapies: Option<Res<TherapyFactors>>,
) {
    let knockdown = match (gene.target(), therapies) {
        (Some((transcript, _)), Some(t)) => t.knockdown(transcript),
        _ => 0.0,
    };
    gene.advance(
        &mut levels,
        clock.tick,
        clock.dt_hours,
        clock.step_hours(),
        knockdown,
    );
    *factors = gene.factors(&levels);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gene and its levels, advanced and read together.
    struct Genome(Gene, GeneLevels);

    impl Genome {
        fn new(scenario: &Scenario) -> Self {
            let (gene, levels) = Gene::new(scenario);
            Self(gene, levels)
        }
        fn factors(&self) -> GeneFactors {
            self.0.factors(&self.1)
        }
        fn gain_level(&self, cells: CellType) -> f64 {
            self.0.gain_level(&self.1, cells)
        }
        fn advance(&mut self, tick: u64, dt_hours: f64, step_hours: f64, knockdown: f64) {
            self.0
                .advance(&mut self.1, tick, dt_hours, step_hours, knockdown)
        }
    }

    fn genome(genotype: Genotype) -> Genome {
        Genome::new(&Scenario {
            genotype,
            ..Scenario::default()
        })
    }

    #[test]
    fn at_the_reference_each_fold_is_the_declared_one_exactly() {
        let e = GenotypeEffects::default();
        let sod1 = genome(Genotype::Sod1(Sod1Variant::G93A)).factors();
        assert_eq!(sod1.misfolding, e.sod1.g93a_misfolding);
        assert_eq!(sod1.astrocyte_support, e.sod1.astrocyte_support);
        assert_eq!(sod1.microglial_activation, e.sod1.microglial_activation);
        assert_eq!(sod1.microglial_ros, e.sod1.microglial_ros_secretion);
        assert_eq!(sod1.templating, 1.0);
        let c9 = genome(Genotype::C9orf72).factors();
        assert_eq!(c9.misfolding, e.c9orf72.misfolding);
        assert_eq!(c9.mitochondrial_toxicity, e.c9orf72.mitochondrial_toxicity);
        assert_eq!(c9.rna_processing, e.c9orf72.rna_processing);
        assert_eq!(c9.microglial_ros, 1.0);
        assert_eq!(c9.clearance, e.c9orf72.clearance);
        assert_eq!(c9.tnf_secretion, e.c9orf72.tnf_secretion);
        let fus = genome(Genotype::Fus).factors();
        assert_eq!(fus.rna_processing, e.fus.rna_processing);
        assert_eq!(
            genome(Genotype::Tardbp).factors().microglial_activation,
            1.0
        );
    }

    #[test]
    fn a_cell_type_without_the_gene_loses_only_its_own_effects() {
        let mut s = Scenario {
            genotype: Genotype::Sod1(Sod1Variant::G93A),
            ..Scenario::default()
        };
        s.expression.microglia = 0.0;
        let f = Genome::new(&s).factors();
        let reference = genome(s.genotype).factors();
        assert_eq!(f.microglial_activation, 1.0);
        assert_eq!(f.microglial_ros, 1.0);
        assert_eq!(
            GeneFactors {
                microglial_activation: reference.microglial_activation,
                microglial_ros: reference.microglial_ros,
                ..f
            },
            reference
        );
    }

    #[test]
    fn half_the_dose_gives_half_the_gain() {
        let mut s = Scenario {
            genotype: Genotype::Sod1(Sod1Variant::G93A),
            ..Scenario::default()
        };
        s.expression.dose = 0.5;
        let f = Genome::new(&s).factors();
        let e = GenotypeEffects::default().sod1;
        assert!((f.misfolding - (1.0 + 0.5 * (e.g93a_misfolding - 1.0))).abs() < 1e-12);
    }

    #[test]
    fn an_excised_product_decays_with_its_half_life_and_the_loss_stays() {
        let mut s = Scenario {
            genotype: Genotype::C9orf72,
            ..Scenario::default()
        };
        s.excisions = vec![Excision {
            day: 1.0,
            cells: CellType::MotorNeurons,
            efficiency: 1.0,
        }];
        let mut g = Genome::new(&s);
        let half_life = g.0.product_half_life_days();
        g.advance(0, 1.0, 24.0, 0.0);
        assert_eq!(
            g.gain_level(CellType::MotorNeurons),
            1.0,
            "before the excision"
        );
        // From tick 24 (day 1), one half-life in one step and one in many.
        g.advance(24, 1.0, half_life * 24.0, 0.0);
        assert!((g.gain_level(CellType::MotorNeurons) - 0.5).abs() < 1e-12);
        let hours = half_life * 24.0 / 10.0;
        for k in 0..10 {
            g.advance(48 + k, 1.0, hours, 0.0);
        }
        assert!((g.gain_level(CellType::MotorNeurons) - 0.25).abs() < 1e-12);
        assert_eq!(
            g.gain_level(CellType::Microglia),
            1.0,
            "other cells keep it"
        );
        // Excision removes the carrier: the loss of function goes with it.
        assert_eq!(g.factors().clearance, 1.0);
    }

    #[test]
    fn antisense_lowers_only_its_transcripts_share() {
        let mut g = genome(Genotype::C9orf72);
        let sense = g.0.effects.c9orf72.sense_share;
        // A complete knockdown held for many half-lives.
        g.advance(0, 1.0, 24.0 * g.0.product_half_life_days() * 60.0, 1.0);
        let level = g.gain_level(CellType::MotorNeurons);
        assert!((level - (1.0 - sense)).abs() < 1e-12, "level {level}");
        // Every gain (dipeptide repeats and foci) falls to the antisense strand's share of its
        // fold; haploinsufficiency, in neurons and microglia, is untouched by an antisense drug.
        let reference = GenotypeEffects::default().c9orf72;
        let f = g.factors();
        let left = |fold: f64| fold * (1.0 - sense) + sense;
        assert!((f.misfolding - left(reference.misfolding)).abs() < 1e-12);
        assert!((f.mitochondrial_toxicity - left(reference.mitochondrial_toxicity)).abs() < 1e-12);
        assert!((f.rna_processing - left(reference.rna_processing)).abs() < 1e-12);
        assert_eq!(f.clearance, reference.clearance);
        assert_eq!(
            g.factors().microglial_activation,
            reference.microglial_activation
        );
    }
}
