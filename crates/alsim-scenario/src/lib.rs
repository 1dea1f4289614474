//! alsim-scenario: the RON scenario file format.
//!
//! A scenario is everything a run needs: the tissue box and its voxels, the cell populations and
//! where they sit, the diffusing fields, the parameters of every disease mechanism, the clock and
//! the seed. Data flows one way through this crate:
//!
//! ```text
//! RON text --parse (ron, spanned errors)--> Scenario --validate (field paths)--> Scenario (checked)
//! ```
//!
//! [`load`] does both steps and is what the CLI calls; [`Scenario::validate`] alone serves
//! scenarios built in code (tests, benches). Every parameter carries its unit in its name
//! (`_um`, `_hours`, `_per_day`, ...), has a default, and is range-checked in `validate`. The crate
//! knows nothing of the model that runs a scenario: it is the file format and nothing more.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod check;
pub mod cohort;
mod comparison;
mod compose;
mod error;
mod events;
mod fields;
mod genetics;
mod interventions;
pub mod neuraxis;
pub use fields::FIELD_NAMES;
pub mod mechanisms;
pub mod params;
mod path;
mod populations;
mod sweep;
mod time;
mod tissue;
pub mod trial;

pub use check::Problem;
pub use cohort::{Cohort, Person, PersonRecord, Sex};
pub use comparison::{Comparison, MAX_REPLICATES, load_comparison};
pub use compose::{MAX_EXTENDS_DEPTH, Override};
pub use error::ScenarioError;
pub use events::Event;
pub use fields::{Boundaries, Boundary, FieldSpec, Fields};
pub use genetics::{
    C9orf72Effects, CellType, Excision, Expression, FusEffects, Genotype, GenotypeEffects,
    Sod1Effects, Sod1Variant, TardbpEffects, Transcript,
};
pub use interventions::{
    AntiGlutamateDosing, AntioxidantDosing, AntisenseDosing, Dosing, Intervention, Start, Therapy,
};
pub use mechanisms::Mechanisms;
pub use neuraxis::Neuraxis;
pub use populations::{Amount, PopulationSpec, Populations, Region};
pub use sweep::{MAX_SWEEP_POINTS, SweepAxis, SweepPoint, SweepRange};
pub use time::{AdaptiveStepping, TimeSpec};
pub use tissue::TissueSpec;
pub use trial::Trial;

use check::Checker;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest grid accepted, in voxels (2^30: 4 GiB per f32 field). Larger boxes need a coarser
/// voxel size or a smaller box.
pub const MAX_VOXELS: u64 = 1 << 30;
/// Largest number of cells accepted in one run.
pub const MAX_CELLS: u64 = 100_000_000;
/// Longest scenario name accepted, in characters: it names the output folder.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// The memory model of [`Scenario::footprint`]: peak resident bytes of an `alsim run`, as a
/// fixed part and a part per voxel (all fields, the solver and the per-voxel maps of the
/// mechanisms) and per cell of each kind, each measured as the difference of the peaks of two
/// runs that differ only in that amount and rounded up (`docs/performance.md`, "Memory model").
pub mod memory {
    /// The process beside the model: code, thread stacks, allocator, I/O buffers (measured
    /// 7.7 MiB).
    pub const BASE_BYTES: u64 = 8 << 20;
    /// Per voxel: the fields and everything else the grid size sets (measured 20.0).
    pub const BYTES_PER_VOXEL: u64 = 22;
    /// Per voxel more with VTK snapshots on: the field arrays and their encoding while a
    /// snapshot is written (measured 37).
    pub const BYTES_PER_VOXEL_SNAPSHOT: u64 = 40;
    /// Per motor neuron: every mechanism's state, its motor unit, the tick's transient buffers
    /// (measured 2,141).
    pub const BYTES_PER_MOTOR_NEURON: u64 = 2240;
    /// Per microglia (measured 243).
    pub const BYTES_PER_MICROGLIA: u64 = 256;
    /// Per astrocyte (measured 149).
    pub const BYTES_PER_ASTROCYTE: u64 = 160;
    /// Per region of a neuraxis, besides its voxels and cells: its world, schedule and
    /// per-tick buffers (measured 0.27 MiB on the 17-region human body, 0.29 on the 12-region
    /// mouse body, from the peaks of two-day runs less the estimate without it).
    pub const BYTES_PER_REGION: u64 = 320 << 10;
}

/// One simulation: tissue, cells, fields, mechanisms, clock and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A base scenario file this one starts from, relative to this file: what this file writes
    /// replaces the base's values, field by field into nested structs. Resolved by [`load`];
    /// absent from a resolved scenario. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Short name, used for the default output folder. Default: `"scenario"`.
    #[serde(default = "default_name")]
    pub name: String,
    /// What the scenario represents, in a sentence or two. Default: empty.
    #[serde(default)]
    pub description: String,
    /// Seed of every random stream in the run. Default: 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Time step, field sub-step, duration and output interval.
    #[serde(default)]
    pub time: TimeSpec,
    /// Size of the tissue box and of its voxels.
    #[serde(default)]
    pub tissue: TissueSpec,
    /// Motor neurons, microglia and astrocytes: how many and where.
    #[serde(default)]
    pub populations: Populations,
    /// Diffusing fields: coefficients, decay and boundary conditions.
    #[serde(default)]
    pub fields: Fields,
    /// Parameters of each disease mechanism; `None` switches a mechanism off.
    #[serde(default)]
    pub mechanisms: Mechanisms,
    /// Genotype of the tissue. Default `Sporadic`.
    #[serde(default)]
    pub genotype: Genotype,
    /// Effect sizes of the familial genotypes, on the mechanisms they act on. Default: the
    /// calibrated values (`docs/scenarios.md`, "genotype_effects").
    #[serde(default)]
    pub genotype_effects: GenotypeEffects,
    /// Where and how strongly the genotype's mutant gene is expressed: its dose (transgene
    /// copies) and its share in each cell type. Default: everywhere, at the genotype's
    /// reference dose.
    #[serde(default)]
    pub expression: Expression,
    /// Cre-lox excisions of the mutant gene from a cell type at a given day. Default none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excisions: Vec<Excision>,
    /// Toxin exposures and injuries over the run. Default none.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Therapies over the run. Default none.
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    /// A body of regions, each a tissue block of this scenario's kind, joined by connections.
    /// Default none: the scenario is one block (`docs/scenarios.md`, "neuraxis").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neuraxis: Option<Neuraxis>,
    /// A population of people, each drawn from this scenario (`docs/scenarios.md`, "cohort"):
    /// what `alsim cohort` runs. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<Cohort>,
    /// A randomised virtual trial on the cohort's people (`docs/scenarios.md`, "trial"): what
    /// `alsim trial` runs. Needs a cohort and a neuraxis. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial: Option<Trial>,
    /// Parameter sweep: axes whose grid of values `alsim batch` runs, one run per point.
    /// Default none (left out of a resolved scenario).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep: Vec<SweepAxis>,
}

fn default_name() -> String {
    "scenario".to_string()
}

fn default_seed() -> u64 {
    1
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            extends: None,
            name: default_name(),
            description: String::new(),
            seed: default_seed(),
            time: TimeSpec::default(),
            tissue: TissueSpec::default(),
            populations: Populations::default(),
            fields: Fields::default(),
            mechanisms: Mechanisms::default(),
            genotype: Genotype::default(),
            genotype_effects: GenotypeEffects::default(),
            expression: Expression::default(),
            excisions: Vec::new(),
            events: Vec::new(),
            interventions: Vec::new(),
            neuraxis: None,
            cohort: None,
            trial: None,
            sweep: Vec::new(),
        }
    }
}

/// What a scenario will cost before it runs: grid, cells and memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// Voxels along x, y and z.
    pub grid: [u64; 3],
    /// Total voxels.
    pub voxels: u64,
    /// Motor neurons, microglia, astrocytes at the start.
    pub cells: [u64; 3],
    /// Most microglia there can be: with proliferation on, each crowding block of
    /// `mechanisms.microglia` fills to within one cell of `max_density_per_mm3` at most;
    /// otherwise the starting count.
    pub max_microglia: u64,
    /// Cell ticks in the run.
    pub ticks: u64,
    /// Estimated peak resident memory in bytes with the starting cells ([`memory`]).
    pub memory_bytes: u64,
    /// The same with microglia divided up to [`Footprint::max_microglia`]: the most the run
    /// can hold.
    pub memory_bytes_at_most: u64,
}

impl Scenario {
    /// Parses RON text. `origin` names the source (a file path) in error messages.
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Self, ScenarioError> {
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        options
            .from_str(text)
            .map_err(|err| ScenarioError::parse(origin, &err))
    }

    /// Serialises to pretty RON that [`Scenario::from_ron_str`] reads back to an equal value.
    pub fn to_ron_string(&self) -> String {
        let pretty = ron::ser::PrettyConfig::default().struct_names(false);
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .to_string_pretty(self, pretty)
            .expect("a Scenario holds only serialisable plain data")
    }

    /// Every declared parameter table with its dotted path, for the reference in
    /// `docs/scenarios.md`.
    pub fn parameter_tables() -> Vec<(&'static str, &'static [params::ParamSpec])> {
        [
            Mechanisms::PARAMETER_TABLES,
            GenotypeEffects::PARAMETER_TABLES,
            &[("expression", Expression::PARAMS)],
            Intervention::PARAMETER_TABLES,
        ]
        .concat()
    }

    /// Checks every parameter's range and the consistency between them. `origin` names the
    /// source in the error. All problems are reported at once, each with its field path.
    pub fn validate(&self, origin: &str) -> Result<(), ScenarioError> {
        let mut check = Checker::default();
        self.check(&mut check);
        check.finish(origin)
    }

    /// The scenarios of this scenario's sweep grid, first axis slowest, each with its values set,
    /// no sweep, and validated; a scenario without a sweep gives one point, itself. `origin`
    /// names the file in the error, which lists every problem with its parameter path.
    pub fn sweep_points(&self, origin: &str) -> Result<Vec<SweepPoint>, ScenarioError> {
        let mut c = Checker::default();
        let points = self.checked_points(&mut c);
        c.finish(origin).map(|()| points)
    }

    fn check(&self, c: &mut Checker) {
        self.checked_points(c);
    }

    /// Checks everything, the sweep last: its points only once the scenario itself is valid.
    fn checked_points(&self, c: &mut Checker) -> Vec<SweepPoint> {
        self.check_fields(c);
        sweep::check_axes(&self.sweep, c);
        if c.is_clean() {
            sweep::expand(self, c)
        } else {
            Vec::new()
        }
    }

    fn check_fields(&self, c: &mut Checker) {
        if let Some(base) = &self.extends {
            c.problem(
                "extends",
                format!(
                    "names {base:?}, but only alsim_scenario::load resolves a base; load the file instead of building it in code"
                ),
            );
        }
        check_name(&self.name, c);
        let chars = self.description.chars().count();
        if chars > MAX_DESCRIPTION_CHARS {
            c.problem(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters, got {chars}"),
            );
        }
        c.scope("time", |c| self.time.check(c));
        c.scope("tissue", |c| self.tissue.check(c));
        c.scope("populations", |c| self.populations.check(c, &self.tissue));
        c.scope("fields", |c| self.fields.check(c));
        c.scope("mechanisms", |c| self.mechanisms.check(c));
        c.scope("genotype_effects", |c| self.genotype_effects.check(c));
        c.scope("expression", |c| self.expression.check(c));
        if let Some(axis) = &self.neuraxis {
            if !self.events.is_empty() {
                c.problem(
                    "events",
                    "are not used by a neuraxis scenario: an event's coordinates lie in one block, so move each into the `events` of the region it happens in (neuraxis.regions[i].events)",
                );
            }
            let onset_force = self
                .mechanisms
                .motor_units
                .as_ref()
                .map(|m| m.onset_force_threshold);
            c.scope("neuraxis", |c| axis.check(c, onset_force));
            // Each region as the scenario it runs as: its tissue, scaled populations, events
            // and, in the focus, the focus's changes.
            if c.is_clean() {
                for i in 0..axis.regions.len() {
                    let region = self.region_scenario(i);
                    c.scope(&format!("neuraxis.regions[{i}]"), |c| {
                        region.check_fields(c)
                    });
                }
            }
        }
        if let Some(cohort) = &self.cohort {
            let names: Vec<&str> = self
                .neuraxis
                .iter()
                .flat_map(|a| a.regions.iter().map(|r| r.name.as_str()))
                .collect();
            c.scope("cohort", |c| {
                cohort.check(c, self.neuraxis.is_some(), &names)
            });
            // A draw into a path that leads nowhere, or a value of the wrong kind, is wrong
            // for everyone: find it now, on the first person, not mid-cohort.
            if c.is_clean()
                && let Err(e) = self.person(0, "the scenario")
            {
                let message = match e {
                    ScenarioError::Person { message, .. } => message,
                    other => other.to_string(),
                };
                c.problem("cohort", format!("cannot draw its first person: {message}"));
            }
            if !self.sweep.is_empty() {
                c.problem(
                    "sweep",
                    "cannot be combined with a cohort; sweep a cohort's parameter with --set over several `alsim cohort` runs",
                );
            }
        }
        if let Some(trial) = &self.trial {
            c.scope("trial", |c| trial.check(c));
            if self.cohort.is_none() || self.neuraxis.is_none() {
                c.problem(
                    "trial",
                    "needs a cohort (the people screened) and a neuraxis (ALSFRS-R and vital capacity are a body's readouts): extend a cohort of bodies, e.g. `extends: \"../cohorts/sporadic-body.ron\"`",
                );
            }
        }
        if c.is_clean() {
            for (i, event) in self.events.iter().enumerate() {
                c.scope(&format!("events[{i}]"), |c| {
                    event.check(c, &self.tissue, self.time.last_tick_day())
                });
            }
            for (i, excision) in self.excisions.iter().enumerate() {
                c.scope(&format!("excisions[{i}]"), |c| {
                    excision.check(c, self.time.last_tick_day())
                });
            }
            for (i, intervention) in self.interventions.iter().enumerate() {
                c.scope(&format!("interventions[{i}]"), |c| {
                    intervention.check(c, self.time.duration_days)
                });
            }
        }
        if c.is_clean() {
            // The solver integrates a source exactly over a sub-step with the factor
            // (e^{λΔt} − 1)/λ, which overflows f32 near λΔt = 88; past λΔt = 50 the field is
            // gone within one sub-step anyway, so ask for a shorter one.
            let field_dt_hours = self.time.field_dt_minutes / 60.0;
            for (name, spec) in FIELD_NAMES.iter().zip(self.fields.in_order()) {
                let decay_per_substep = spec.decay_per_hour * field_dt_hours;
                if decay_per_substep > 50.0 {
                    c.problem(
                        &format!("fields.{name}.decay_per_hour"),
                        format!(
                            "decays by e^-{decay_per_substep:.0} in one field sub-step of {} min (limit e^-50); lower time.field_dt_minutes to at most {:.3}",
                            self.time.field_dt_minutes,
                            50.0 / spec.decay_per_hour * 60.0
                        ),
                    );
                }
            }
            let fp = self.footprint();
            let cells = fp.cells.iter().fold(0u64, |a, &b| a.saturating_add(b));
            if cells > MAX_CELLS {
                c.problem(
                    "populations",
                    format!(
                        "ask for {cells} cells, more than the limit of {MAX_CELLS}; lower the counts or densities, or shrink the regions"
                    ),
                );
            }
        }
    }

    /// Grid size, cell counts and memory estimate. Meaningful once [`Scenario::validate`] passed.
    /// The estimate is the run's peak resident memory with the cells it starts with; dividing
    /// microglia can add up to [`Footprint::max_microglia`] of theirs, which the run's memory
    /// guard watches.
    pub fn footprint(&self) -> Footprint {
        let Some(axis) = &self.neuraxis else {
            return self.block_footprint();
        };
        // Every region's own, with the process's fixed part once and each region's own added.
        let parts: Vec<Footprint> = (0..axis.regions.len())
            .map(|i| self.region_scenario(i).block_footprint())
            .collect();
        let sum =
            |f: &dyn Fn(&Footprint) -> u64| parts.iter().fold(0u64, |a, p| a.saturating_add(f(p)));
        let n = parts.len() as u64;
        let repeated_base = memory::BASE_BYTES.saturating_mul(n.saturating_sub(1));
        let regions = memory::BYTES_PER_REGION.saturating_mul(n);
        let total = |f: &dyn Fn(&Footprint) -> u64| {
            sum(f).saturating_sub(repeated_base).saturating_add(regions)
        };
        Footprint {
            grid: parts.first().map_or([0; 3], |p| p.grid),
            voxels: sum(&|p| p.voxels),
            cells: [0, 1, 2].map(|k| sum(&|p| p.cells[k])),
            max_microglia: sum(&|p| p.max_microglia),
            ticks: self.time.ticks(),
            memory_bytes: total(&|p| p.memory_bytes),
            memory_bytes_at_most: total(&|p| p.memory_bytes_at_most),
        }
    }

    /// The scenario region `i` of the neuraxis runs as: this scenario with the region's tissue,
    /// its populations scaled, its events, its own seed, no motor units for upper motor
    /// neurons, and in the focus region the focus's seeds (an injection at day 0 over the
    /// whole block), damage factor and vulnerability factor. Panics without a neuraxis or with `i` out of range.
    pub fn region_scenario(&self, i: usize) -> Scenario {
        let axis = self.neuraxis.as_ref().expect("a neuraxis scenario");
        let r = &axis.regions[i];
        let mut s = self.clone();
        s.neuraxis = None;
        s.sweep = Vec::new();
        s.cohort = None;
        s.trial = None;
        s.seed = neuraxis::mix(self.seed ^ neuraxis::mix(i as u64 + 1));
        if let Some(tissue) = &r.tissue {
            s.tissue = tissue.clone();
        }
        for pop in [
            &mut s.populations.motor_neurons,
            &mut s.populations.microglia,
            &mut s.populations.astrocytes,
        ] {
            pop.amount = match pop.amount {
                Amount::Count(n) => Amount::Count((n as f64 * r.scale).round() as u64),
                Amount::DensityPerMm3(d) => Amount::DensityPerMm3(d * r.scale),
            };
        }
        s.events = r.events.clone();
        if r.neurons == neuraxis::Neurons::Upper {
            s.mechanisms.motor_units = None;
        }
        if let Some(focus) = axis
            .focus
            .as_ref()
            .filter(|_| axis.focus_index(self.seed) == Some(i))
        {
            if focus.seeds_au > 0.0 {
                let [x, y, z] = s.tissue.size();
                s.events.push(Event::SeedInjection {
                    day: 0.0,
                    centre_um: (x / 2.0, y / 2.0, z / 2.0),
                    radius_um: (x * x + y * y + z * z).sqrt() / 2.0,
                    seeds_au: focus.seeds_au,
                });
            }
            if let Some(damage) = s.mechanisms.neuron_damage.as_mut() {
                damage.intrinsic_damage_per_day *= focus.damage_factor;
                damage.vulnerability_median *= focus.vulnerability_factor;
            }
        }
        s
    }

    fn block_footprint(&self) -> Footprint {
        use memory::*;
        let grid = self.tissue.grid();
        let voxels = grid.iter().product();
        let cells = [
            self.populations.motor_neurons.initial_count(&self.tissue),
            self.populations.microglia.initial_count(&self.tissue),
            self.populations.astrocytes.initial_count(&self.tissue),
        ];
        let max_microglia = self.max_microglia(grid, cells[1]);
        // Saturating: a hostile file may ask for 2^64 cells, which validation then refuses.
        let per_voxel = BYTES_PER_VOXEL
            + if self.time.snapshot_every_days.is_some() {
                BYTES_PER_VOXEL_SNAPSHOT
            } else {
                0
            };
        let memory_bytes = [
            (voxels, per_voxel),
            (cells[0], BYTES_PER_MOTOR_NEURON),
            (cells[1], BYTES_PER_MICROGLIA),
            (cells[2], BYTES_PER_ASTROCYTE),
        ]
        .iter()
        .fold(BASE_BYTES, |sum, &(n, each)| {
            sum.saturating_add(n.saturating_mul(each))
        });
        let growth = max_microglia.saturating_sub(cells[1]);
        Footprint {
            grid,
            voxels,
            cells,
            max_microglia,
            ticks: self.time.ticks(),
            memory_bytes,
            memory_bytes_at_most: memory_bytes
                .saturating_add(growth.saturating_mul(BYTES_PER_MICROGLIA)),
        }
    }

    /// The most microglia the run can hold: each crowding block (cubes of whole voxels tiling
    /// the box) takes dividing cells only while below `max_density_per_mm3`, so it ends within
    /// one cell of it; blocks that start above it do not grow.
    fn max_microglia(&self, grid: [u64; 3], initial: u64) -> u64 {
        let Some(m) = self
            .mechanisms
            .microglia
            .as_ref()
            .filter(|m| m.proliferation_per_day > 0.0)
        else {
            return initial;
        };
        let edge = ((m.crowding_block_um / self.tissue.voxel_um).round() as u64).max(1);
        let blocks: u64 = grid.iter().map(|n| n.div_ceil(edge)).product();
        let block_mm3 = (edge as f64 * self.tissue.voxel_um * 1e-3).powi(3);
        let per_block = (m.max_density_per_mm3 * block_mm3).floor() as u64 + 1;
        let cap = blocks.saturating_mul(per_block);
        let over_cap = self
            .populations
            .microglia
            .initial_density_per_mm3(&self.tissue)
            > m.max_density_per_mm3;
        if over_cap {
            cap.saturating_add(initial)
        } else {
            cap.max(initial)
        }
    }
}

/// The name becomes the folder `runs/<name>-seed<seed>`: it must stay one plain folder name,
/// so a scenario from elsewhere cannot write outside the output folder.
fn check_name(name: &str, c: &mut Checker) {
    let chars = name.chars().count();
    let plain = |ch: char| ch.is_alphanumeric() || "-_.+".contains(ch);
    if name.trim().is_empty() {
        c.problem("name", "must not be empty; give the scenario a short name");
    } else if chars > MAX_NAME_CHARS {
        c.problem(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters, got {chars}"),
        );
    } else if !name.chars().all(plain) || name.starts_with('.') {
        c.problem(
            "name",
            format!(
                "names the output folder, so it may hold only letters, digits, '-', '_', '.' and '+', and not start with '.'; got {name:?}"
            ),
        );
    }
}

/// Largest scenario file read, in bytes: far above any real scenario, far below what would
/// exhaust memory (`alsim validate /dev/zero` must not grow without bound).
pub const MAX_SCENARIO_BYTES: u64 = 4 << 20;

/// The text of `path` (a regular file of at most [`MAX_SCENARIO_BYTES`], a leading UTF-8 byte
/// order mark dropped), and the path as error messages name it.
pub(crate) fn read_text(path: &Path) -> Result<(String, String), ScenarioError> {
    use std::io::{Error, ErrorKind, Read};
    let origin = path.display().to_string();
    let refuse = |source| ScenarioError::Read {
        path: origin.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(refuse)?;
    let meta = file.metadata().map_err(refuse)?;
    if !meta.is_file() {
        return Err(refuse(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file; give the path of a .ron scenario file",
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(refuse)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(refuse(Error::new(
            ErrorKind::InvalidData,
            format!(
                "larger than {} MiB; a scenario file is a few kilobytes of RON",
                MAX_SCENARIO_BYTES >> 20
            ),
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        refuse(Error::new(
            ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        ))
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok((text, origin))
}

/// Reads, parses and validates a scenario file, with its `extends` chain resolved.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &[])
}

/// Reads a scenario file as [`load`] does, applies `overrides` in order (`--set path=value`)
/// and validates the result.
pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let scenario = compose::resolve(path, overrides)?;
    scenario.validate(&path.display().to_string())?;
    Ok(scenario)
}
