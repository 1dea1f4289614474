//! Microglia: they sense debris, misfolded-protein seeds and cytokines in their voxel, switch
//! between surveying, anti-inflammatory (protective) and pro-inflammatory (harmful) states,
//! secrete the matching cytokine (and ROS when pro-inflammatory), engulf debris and seeds, move
//! up the gradient of danger signals, divide while activated and die. Activation that lasts
//! turns protective microglia harmful.
//!
//! Transitions are competing Poisson events per tick. With stimuli `D`, `T`, `I` (danger, TNF,
//! IL-10 as saturating fractions) and activation rate `a`:
//! surveying → anti at `a·D·(1−T)`, surveying → pro at `a·T·(1−I)·D`,
//! anti → pro at `a·T·(1−I)` plus `k_chronic` once activated longer than `chronic_after`,
//! pro → anti at `k_repol·I`, activated → surveying at `k_rest·(1−D)`. Rest depends on danger
//! alone: a microglia's own TNF must not hold it activated once the injury is cleared. The danger
//! signal combines debris and seeds as independent calls, `D = D_debris + D_seeds −
//! D_debris·D_seeds` (either one activates; with no seeds it is the debris stimulus exactly).
//!
//! Per tick, in schedule order:
//! - `Sense`: microglia are counted per crowding block ([`MicrogliaCrowding`]: cubes of
//!   `crowding_block_um` tiling the box), giving the density `ρ` of the block holding each cell.
//! - `Glia`: each cell moves, then updates its state and exchange at its new voxel.
//!   Movement: a chemotactic drift along `g`, the differences of `D` between the voxels on
//!   either side along each axis (a face of the box stands for the missing side), at speed
//!   `v_c·|g|/(|g| + g½)`, the step capped at one voxel; plus a Brownian step of variance
//!   `2·D_rand·Δt` per axis; reflected at the box faces. Moves within a block apply at once;
//!   moves into another block apply in cell-id order, and only into a block not yet at `ρ_max`
//!   (volume exclusion), so crowds never pile up past the cap. The death hazard
//!   `h = h_turnover + h_ros·R/(R + K_R)` per day (`R` the voxel's ROS, µM) is drawn here, where
//!   the cell reads its voxel.
//! - `Die`: microglia that drew death are despawned, in cell-id order.
//! - `Spawn`: an activated microglia divides with probability
//!   `1 − exp(−k·max(0, 1 − ρ/ρ_max)·Δt)`. Dividers are taken in cell-id order; each daughter
//!   is placed `daughter_distance_um` away in a random direction and is born only if its block,
//!   with the daughters placed so far, is not yet at `ρ_max`, so divisions never push a block
//!   more than one cell past the cap. A daughter copies its parent's state (phenotype and
//!   activation clock): the clone shares its parent's history and surroundings.

use super::genetics::GeneFactors;
use super::interventions::TherapyFactors;
use super::{DENSE, chance, column, give, modulate, pick_state, saturating, transition_row};
use crate::RestoreError;
use crate::guard::{self, Fault, amount};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup};
use crate::rng::{Purpose, stream};
use crate::solver::GridShape;
use crate::{
    Astrocyte, CellId, Clock, Exchange, FieldGrid, FieldId, Microglia, MotorNeuron, NextCellId,
    Position, RunSeed, SimSet, Voxel,
};
use alsim_scenario::mechanisms::MicrogliaParams;
use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Microglial phenotype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Phenotype {
    /// Resting, surveying its territory.
    #[default]
    Surveying,
    /// Pro-inflammatory: secretes TNF and ROS, engulfs less.
    ProInflammatory,
    /// Anti-inflammatory: secretes IL-10, engulfs debris and seeds.
    AntiInflammatory,
}

/// The phenotypes in the order of [`transition_rates`]' entries.
const PHENOTYPES: [Phenotype; 3] = [
    Phenotype::Surveying,
    Phenotype::ProInflammatory,
    Phenotype::AntiInflammatory,
];

/// State of one microglia.
#[derive(
    Component, Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize,
)]
pub struct MicrogliaState {
    /// Current phenotype.
    pub phenotype: Phenotype,
    /// Hours spent activated (either activated phenotype) since last surveying.
    pub activated_hours: f32,
    /// Drew death this tick; despawned in the `Die` phase.
    pub dying: bool,
}

impl MicrogliaState {
    /// Pro- or anti-inflammatory.
    pub fn is_activated(&self) -> bool {
        self.phenotype != Phenotype::Surveying
    }
}

/// The mechanism's parameters as the systems use them.
#[derive(Resource, Clone, Debug)]
pub struct MicrogliaConfig(pub MicrogliaParams);

impl MicrogliaConfig {
    /// The parameters in force this tick: the genotype's folds on activation and TNF secretion,
    /// an anti-inflammatory drug's on activation.
    pub fn in_force(
        &self,
        genes: Option<&GeneFactors>,
        therapies: Option<&TherapyFactors>,
    ) -> MicrogliaParams {
        let p = modulate(genes, &self.0, |g: &GeneFactors, p| {
            p.activation_per_hour *= g.microglial_activation;
            p.tnf_secretion_fg_per_hour *= g.tnf_secretion;
            p.ros_secretion_fmol_per_hour *= g.microglial_ros;
        });
        modulate(therapies, &p, |t: &TherapyFactors, p| {
            p.activation_per_hour *= t.anti_inflammatory;
        })
    }
}

/// Microglia per crowding block: counted in `Sense`, then kept current through the tick's moves
/// between blocks, deaths and births. Blocks are cubes of whole voxels tiling the box without
/// overlap (the last along an axis may be cut by the face); a block's density is its count over
/// its volume inside the box.
#[derive(Resource, Debug)]
pub struct MicrogliaCrowding {
    shape: GridShape,
    /// Block edge in voxels.
    edge: u32,
    /// Blocks along x, y, z.
    blocks: [usize; 3],
    counts: Vec<u32>,
    /// Volume of each block inside the box, mm³.
    volume_mm3: Vec<f32>,
}

impl MicrogliaCrowding {
    /// An empty map for `shape` with blocks of `block_um` (rounded to whole voxels, at least one).
    pub fn new(shape: GridShape, block_um: f64) -> Self {
        let edge = ((block_um / shape.voxel_um).round() as usize).max(1);
        let n = [shape.nx, shape.ny, shape.nz];
        let blocks = n.map(|n| n.div_ceil(edge));
        let voxel_mm3 = (shape.voxel_um * 1e-3).powi(3);
        let mut volume_mm3 = Vec::with_capacity(blocks.iter().product());
        for bz in 0..blocks[2] {
            for by in 0..blocks[1] {
                for bx in 0..blocks[0] {
                    let inside: usize = [bx, by, bz]
                        .iter()
                        .zip(n)
                        .map(|(&b, n)| (n - b * edge).min(edge))
                        .product();
                    volume_mm3.push((inside as f64 * voxel_mm3) as f32);
                }
            }
        }
        Self {
            shape,
            edge: edge as u32,
            blocks,
            counts: vec![0; volume_mm3.len()],
            volume_mm3,
        }
    }

    fn block_of(&self, voxel: u32) -> usize {
        let (x, y, z) = self.shape.coords(voxel as usize);
        // u32 division, as in `GridShape::coords`: this runs for every microglia every tick.
        let [bx, by, bz] = [x, y, z].map(|i| (i as u32 / self.edge) as usize);
        bx + self.blocks[0] * (by + self.blocks[1] * bz)
    }

    /// Microglia per mm³ in the block holding `voxel`.
    pub fn density_per_mm3(&self, voxel: u32) -> f32 {
        let b = self.block_of(voxel);
        self.counts[b] as f32 / self.volume_mm3[b]
    }

    /// Whether `voxel`'s block is full: its density has reached `max_per_mm3`. A block takes
    /// cells while it is not full, so it ends within one cell of the cap (and a block too small
    /// to hold one cell at the cap still takes one).
    pub fn is_full(&self, voxel: u32, max_per_mm3: f32) -> bool {
        self.density_per_mm3(voxel) >= max_per_mm3
    }

    /// Counts one more microglia in `voxel`'s block.
    pub fn add(&mut self, voxel: u32) {
        let b = self.block_of(voxel);
        self.counts[b] += 1;
    }

    /// Counts one microglia fewer in `voxel`'s block.
    pub fn remove(&mut self, voxel: u32) {
        let b = self.block_of(voxel);
        self.counts[b] = self.counts[b].saturating_sub(1);
    }
}

/// Microglia, and no cell of another kind: lets these systems write `Voxel`, `Position` and
/// `Exchange` beside other kinds' systems without a conflict.
type OnlyMicroglia = (With<Microglia>, Without<Astrocyte>, Without<MotorNeuron>);

/// Registers the mechanism.
/// The mechanism.
pub struct Microglial;

impl Mechanism for Microglial {
    fn name(&self) -> &'static str {
        "microglia"
    }

    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.microglia.as_ref().expect("on");
        give::<Microglia, _>(world, MicrogliaState::default());
        let shape = world.resource::<FieldGrid>().shape();
        world.insert_resource(MicrogliaCrowding::new(shape, params.crowding_block_um));
        world.insert_resource(MicrogliaConfig(params.clone()));
        schedule.add_systems((
            count_microglia.in_set(SimSet::Sense),
            (migrate_microglia, update_microglia)
                .chain()
                .in_set(SimSet::Glia),
            remove_dead_microglia.in_set(SimSet::Die),
            divide_microglia.in_set(SimSet::Spawn),
        ));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.microglia.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<MicrogliaState>("states")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "MicrogliaState", |m: &MicrogliaState| {
            [amount("activated_hours", m.activated_hours, SUSPECTS)]
        })
    }

    fn columns(&self) -> &'static [Column] {
        const COLUMNS: &[Column] = &[
            Column::new("microglia_surveying", Section::Cells),
            Column::new("microglia_proinflammatory", Section::Cells),
            Column::new("microglia_antiinflammatory", Section::Cells),
        ];
        COLUMNS
    }

    /// Off, every microglia counts as surveying.
    fn observe(&self, world: &mut World, _: &LivingNeurons, out: &mut Vec<f64>) {
        let mut counts = [0u64; 3];
        let mut q = world.query_filtered::<Option<&MicrogliaState>, With<Microglia>>();
        for state in q.iter(world) {
            counts[state.map_or(0, |s| s.phenotype as usize)] += 1;
        }
        out.extend(counts.map(|n| n as f64));
    }
}

/// The parameters most likely at fault when the state or a position leaves its range.
const SUSPECTS: &str =
    "mechanisms.microglia (chemotaxis_um_per_hour, daughter_distance_um, proliferation_per_day)";

/// The local stimuli a microglia reads, as saturating fractions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stimuli {
    /// Debris.
    pub debris: f32,
    /// Extracellular misfolded-protein seeds.
    pub seeds: f32,
    /// TNF.
    pub tnf: f32,
    /// IL-10.
    pub il10: f32,
}

impl Stimuli {
    /// The danger signal: debris and seeds as independent calls, `D + S − D·S`.
    pub fn danger(&self) -> f32 {
        danger(self.debris, self.seeds)
    }
}

/// Debris and seed stimuli combined as independent calls: `d + s − d·s` (exactly `d` when
/// `s = 0`).
pub fn danger(debris: f32, seeds: f32) -> f32 {
    debris + seeds - debris * seeds
}

/// Rates (per hour) of leaving `state` for each phenotype, in [`Phenotype`] order.
pub(crate) fn transition_rates(p: &MicrogliaParams, state: MicrogliaState, s: Stimuli) -> [f32; 3] {
    let a = p.activation_per_hour as f32;
    let d = s.danger();
    let rest = p.resting_per_hour as f32 * (1.0 - d);
    let to_pro = a * s.tnf * (1.0 - s.il10);
    let chronic = if state.activated_hours as f64 >= p.chronic_after_days * 24.0 {
        p.chronic_conversion_per_day as f32 / 24.0
    } else {
        0.0
    };
    match state.phenotype {
        Phenotype::Surveying => [0.0, to_pro * d, a * d * (1.0 - s.tnf)],
        Phenotype::AntiInflammatory => [rest, to_pro + chronic, 0.0],
        Phenotype::ProInflammatory => [rest, 0.0, p.repolarisation_per_hour as f32 * s.il10],
    }
}

/// Advances one microglia by `dt_hours` given a uniform draw; returns its new state. The end
/// phenotype is drawn from the exact transition probabilities over the step with the rates held
/// at the start of the tick, so the share in each phenotype does not depend on the step.
pub(crate) fn next_state(
    p: &MicrogliaParams,
    state: MicrogliaState,
    s: Stimuli,
    dt_hours: f32,
    draw: f32,
) -> MicrogliaState {
    let from = PHENOTYPES
        .iter()
        .position(|&ph| ph == state.phenotype)
        .expect("every phenotype is listed");
    // Every row, not only the cell's own: moves out and back within the step count too.
    let q = PHENOTYPES.map(|phenotype| {
        transition_rates(p, MicrogliaState { phenotype, ..state }, s).map(f64::from)
    });
    let row = transition_row(q, dt_hours.into(), from);
    let mut next = state;
    next.phenotype = PHENOTYPES[pick_state(row, draw.into())];
    next.activated_hours = match next.phenotype {
        Phenotype::Surveying => 0.0,
        _ => state.activated_hours + dt_hours,
    };
    next
}

/// Secretion and uptake of a microglia in `phenotype` under stimuli `s` over `dt_hours`:
/// pro-inflammatory ones secrete TNF and ROS, anti-inflammatory ones IL-10; both engulf debris
/// and seeds in proportion to their own stimulus (pro-inflammatory ones at a fraction).
pub fn exchange(p: &MicrogliaParams, phenotype: Phenotype, s: Stimuli, dt_hours: f32) -> Exchange {
    let mut ex = Exchange::default();
    let engulf = p.phagocytosis_neurons_per_day as f32 / 24.0 * dt_hours * s.debris;
    let engulf_seeds = p.seed_uptake_au_per_day as f32 / 24.0 * dt_hours * s.seeds;
    let pro_fraction = p.proinflammatory_phagocytosis_fraction as f32;
    match phenotype {
        Phenotype::Surveying => {}
        Phenotype::ProInflammatory => {
            ex.secretion_per_hour[FieldId::Tnf as usize] = p.tnf_secretion_fg_per_hour as f32;
            ex.secretion_per_hour[FieldId::Ros as usize] = p.ros_secretion_fmol_per_hour as f32;
            ex.uptake[FieldId::Debris as usize] = engulf * pro_fraction;
            ex.uptake[FieldId::Seeds as usize] = engulf_seeds * pro_fraction;
        }
        Phenotype::AntiInflammatory => {
            ex.secretion_per_hour[FieldId::Il10 as usize] = p.il10_secretion_fg_per_hour as f32;
            ex.uptake[FieldId::Debris as usize] = engulf;
            ex.uptake[FieldId::Seeds as usize] = engulf_seeds;
        }
    }
    ex
}

/// Death hazard per day at extracellular ROS `ros_micromolar`: turnover plus a saturating
/// oxidative term.
pub(crate) fn death_hazard_per_day(p: &MicrogliaParams, ros_micromolar: f32) -> f32 {
    p.turnover_death_per_day as f32
        + p.ros_death_per_day as f32
            * saturating(ros_micromolar, p.ros_death_half_max_micromolar as f32)
}

/// How much room is left for more microglia: `max(0, 1 − ρ/ρ_max)`.
pub fn room(p: &MicrogliaParams, density_per_mm3: f32) -> f32 {
    (1.0 - density_per_mm3 / p.max_density_per_mm3 as f32).max(0.0)
}

/// Division rate per day of a microglia in `state` at local density `density_per_mm3`: only
/// activated cells divide, at `k·max(0, 1 − ρ/ρ_max)`.
pub(crate) fn division_rate_per_day(
    p: &MicrogliaParams,
    state: MicrogliaState,
    density: f32,
) -> f32 {
    if state.is_activated() && !state.dying {
        p.proliferation_per_day as f32 * room(p, density)
    } else {
        0.0
    }
}

/// Differences of `signal` across `voxel`'s neighbours along x, y and z (`signal(v+1) −
/// signal(v−1)`); where a neighbour lies outside the box the voxel's own value stands in.
pub(crate) fn central_differences(
    shape: GridShape,
    voxel: u32,
    signal: impl Fn(usize) -> f32,
) -> [f32; 3] {
    let v = voxel as usize;
    let (x, y, z) = shape.coords(v);
    let pos = [x, y, z];
    let n = [shape.nx, shape.ny, shape.nz];
    let stride = [1, shape.nx, shape.nx * shape.ny];
    let here = signal(v);
    std::array::from_fn(|axis| {
        let up = if pos[axis] + 1 < n[axis] {
            signal(v + stride[axis])
        } else {
            here
        };
        let down = if pos[axis] > 0 {
            signal(v - stride[axis])
        } else {
            here
        };
        up - down
    })
}

/// Chemotactic velocity, µm/h: along the signal differences `g`, at speed
/// `speed·|g|/(|g| + half_max)`.
pub(crate) fn chemotactic_velocity(speed: f32, gradient: [f32; 3], half_max: f32) -> [f32; 3] {
    let len = gradient.iter().map(|g| g * g).sum::<f32>().sqrt();
    if len == 0.0 {
        return [0.0; 3];
    }
    let scale = speed / (len + half_max);
    gradient.map(|g| g * scale)
}

/// `x` reflected back into `[0, len)` at the faces of the box.
pub(crate) fn reflect_into(x: f32, len: f32) -> f32 {
    let x = if x < 0.0 { -x } else { x };
    let x = if x >= len { 2.0 * len - x } else { x };
    x.clamp(0.0, len.next_down())
}

/// Where a daughter goes: `distance` from the parent in the direction given by two uniform
/// draws (uniform on the sphere), reflected into the box.
pub(crate) fn daughter_position(
    parent: [f32; 3],
    distance: f32,
    box_um: [f32; 3],
    draws: [f32; 2],
) -> [f32; 3] {
    let cos_theta = 2.0 * draws[0] - 1.0;
    let sin_theta = (1.0 - cos_theta * cos_theta).max(0.0).sqrt();
    let phi = std::f32::consts::TAU * draws[1];
    let dir = [sin_theta * phi.cos(), sin_theta * phi.sin(), cos_theta];
    std::array::from_fn(|i| reflect_into(parent[i] + distance * dir[i], box_um[i]))
}

fn box_um(shape: GridShape) -> [f32; 3] {
    [shape.nx, shape.ny, shape.nz].map(|n| (n as f64 * shape.voxel_um) as f32)
}

fn stimuli_at(p: &MicrogliaParams, grid: &FieldGrid, voxel: u32) -> Stimuli {
    let at = |field, half_max: f64| saturating(grid.at(field, voxel), half_max as f32);
    Stimuli {
        debris: at(FieldId::Debris, p.debris_half_max_per_mm3),
        seeds: at(FieldId::Seeds, p.seeds_half_max_au_per_mm3),
        tnf: at(FieldId::Tnf, p.tnf_half_max_ng_per_ml),
        il10: at(FieldId::Il10, p.il10_half_max_ng_per_ml),
    }
}

fn count_microglia(mut crowding: ResMut<MicrogliaCrowding>, cells: Query<&Voxel, With<Microglia>>) {
    // Integer counts: the result does not depend on visiting order. Each chunk of cells counts
    // into its own histogram; the histograms are added.
    let crowding = &mut *crowding;
    let blocks = crowding.counts.len();
    let sensed: &MicrogliaCrowding = crowding;
    let mut totals = vec![0u32; blocks];
    for voxels in cells.contiguous_iter().expect(DENSE) {
        let chunk = voxels
            .len()
            .div_ceil(rayon::current_num_threads() * 2)
            .max(4096);
        let counted = voxels
            .par_chunks(chunk)
            .map(|chunk| {
                let mut counts = vec![0u32; blocks];
                for voxel in chunk {
                    counts[sensed.block_of(voxel.0)] += 1;
                }
                counts
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
                a
            });
        if let Some(counted) = counted {
            totals.iter_mut().zip(&counted).for_each(|(t, c)| *t += c);
        }
    }
    crowding.counts = totals;
}

/// A microglia's move into another crowding block: its id, its (table, row) in the query, where
/// it goes and that place's voxel.
type Crossing = (CellId, (usize, usize), [f32; 3], u32);

fn migrate_microglia(
    config: Res<MicrogliaConfig>,
    grid: Res<FieldGrid>,
    mut crowding: ResMut<MicrogliaCrowding>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, &mut Position, &mut Voxel), OnlyMicroglia>,
) {
    let p = &config.0;
    let speed = p.chemotaxis_um_per_hour as f32;
    let motility = p.random_motility_um2_per_hour as f32;
    if speed <= 0.0 && motility <= 0.0 {
        return;
    }
    let dt = clock.step_hours() as f32;
    let shape = grid.shape();
    let (h, size) = (shape.voxel_um as f32, box_um(shape));
    let sigma = (2.0 * motility * dt).sqrt();
    let (debris, seeds) = (grid.values(FieldId::Debris), grid.values(FieldId::Seeds));
    let (k_debris, k_seeds) = (
        p.debris_half_max_per_mm3 as f32,
        p.seeds_half_max_au_per_mm3 as f32,
    );
    let signal = |i: usize| {
        danger(
            saturating(debris[i], k_debris),
            saturating(seeds[i], k_seeds),
        )
    };
    let half_max = p.chemotaxis_half_max_difference as f32;
    let blocks: &MicrogliaCrowding = &crowding;
    let mut tables: Vec<_> = cells
        .contiguous_iter_mut()
        .expect(DENSE)
        .map(|(ids, positions, voxels)| (ids, column(positions), column(voxels)))
        .collect();
    // Moves inside a block are applied at once; moves into another block are collected, with
    // the cell's table and row.
    let mut crossings: Vec<Crossing> = Vec::new();
    for (t, (ids, positions, voxels)) in tables.iter_mut().enumerate() {
        let cells = ids.par_iter().zip(positions.par_iter_mut());
        let moves = cells.zip(voxels.par_iter_mut()).enumerate().filter_map(
            |(row, ((id, position), voxel))| {
                let mut step = [0.0f32; 3];
                if speed > 0.0 {
                    let g = central_differences(shape, voxel.0, signal);
                    let v = chemotactic_velocity(speed, g, half_max);
                    let len = v.iter().map(|x| x * x).sum::<f32>().sqrt() * dt;
                    // At most one voxel per tick, so the cell senses the gradient again on
                    // the way.
                    let cap = if len > h { h / len } else { 1.0 };
                    step = v.map(|x| x * dt * cap);
                }
                if sigma > 0.0 {
                    let mut rng = stream(seed.0, *id, clock.tick, Purpose::MicrogliaMotility);
                    for s in &mut step {
                        let z: f32 = StandardNormal.sample(&mut rng);
                        *s += sigma * z;
                    }
                }
                if step == [0.0; 3] {
                    return None;
                }
                let to: [f32; 3] =
                    std::array::from_fn(|i| reflect_into(position.0[i] + step[i], size[i]));
                let target = grid.voxel_of(to);
                if blocks.block_of(target) == blocks.block_of(voxel.0) {
                    position.0 = to;
                    voxel.0 = target;
                    None
                } else {
                    Some((*id, (t, row), to, target))
                }
            },
        );
        crossings.par_extend(moves);
    }
    // Into another block in cell-id order, and only where there is room: movement never
    // crowds a block past the cap.
    crossings.sort_unstable_by_key(|&(id, ..)| id);
    let max_density = p.max_density_per_mm3 as f32;
    for (_, (t, row), to, target) in crossings {
        let (_, positions, voxels) = &mut tables[t];
        let (position, voxel) = (&mut positions[row], &mut voxels[row]);
        if !crowding.is_full(target, max_density) {
            crowding.remove(voxel.0);
            crowding.add(target);
            position.0 = to;
            voxel.0 = target;
        }
    }
}

fn update_microglia(
    config: Res<MicrogliaConfig>,
    genes: Option<Res<GeneFactors>>,
    therapies: Option<Res<TherapyFactors>>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, &Voxel, &mut MicrogliaState, &mut Exchange), OnlyMicroglia>,
) {
    let p = &config.in_force(genes.as_deref(), therapies.as_deref());
    let dt = clock.step_hours() as f32;
    for (ids, voxels, states, exchanges) in cells.contiguous_iter_mut().expect(DENSE) {
        let cells = ids.par_iter().zip(voxels).zip(column(states));
        cells
            .zip(column(exchanges))
            .for_each(|(((id, voxel), state), ex)| {
                let stimuli = stimuli_at(p, &grid, voxel.0);
                let mut rng = stream(seed.0, *id, clock.tick, Purpose::MicrogliaState);
                let mut next = next_state(p, *state, stimuli, dt, rng.random());
                let hazard = death_hazard_per_day(p, grid.at(FieldId::Ros, voxel.0));
                next.dying = hazard > 0.0 && {
                    let draw: f32 =
                        stream(seed.0, *id, clock.tick, Purpose::MicrogliaDeath).random();
                    draw < chance(hazard, dt / 24.0)
                };
                *state = next;
                *ex = exchange(p, next.phenotype, stimuli, dt);
            });
    }
}

fn remove_dead_microglia(
    mut crowding: ResMut<MicrogliaCrowding>,
    cells: Query<(Entity, &CellId, &Voxel, &MicrogliaState), With<Microglia>>,
    mut commands: Commands,
) {
    let mut dead = Vec::new();
    for (entities, ids, voxels, states) in cells.contiguous_iter().expect(DENSE) {
        let cells = entities.par_iter().zip(ids).zip(voxels).zip(states);
        dead.par_extend(cells.filter_map(|(((entity, id), voxel), state)| {
            state.dying.then_some((*id, *entity, *voxel))
        }));
    }
    dead.sort_unstable_by_key(|(id, ..)| *id);
    for (_, entity, voxel) in dead {
        crowding.remove(voxel.0);
        commands.entity(entity).despawn();
    }
}

#[allow(clippy::too_many_arguments)]
fn divide_microglia(
    config: Res<MicrogliaConfig>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut crowding: ResMut<MicrogliaCrowding>,
    mut next_id: ResMut<NextCellId>,
    cells: Query<(&CellId, &Position, &Voxel, &MicrogliaState), With<Microglia>>,
    mut commands: Commands,
) {
    let p = &config.0;
    if p.proliferation_per_day <= 0.0 {
        return;
    }
    let dt_days = clock.step_hours() as f32 / 24.0;
    let sensed: &MicrogliaCrowding = &crowding;
    let divides = |id: CellId, voxel: Voxel, state: MicrogliaState| {
        if !state.is_activated() || state.dying {
            return false;
        }
        let rate = division_rate_per_day(p, state, sensed.density_per_mm3(voxel.0));
        rate > 0.0 && {
            let draw: f32 = stream(seed.0, id, clock.tick, Purpose::MicrogliaDivision).random();
            draw < chance(rate, dt_days)
        }
    };
    let mut parents = Vec::new();
    for (ids, positions, voxels, states) in cells.contiguous_iter().expect(DENSE) {
        let cells = ids.par_iter().zip(positions).zip(voxels).zip(states);
        parents.par_extend(cells.filter_map(|(((id, position), voxel), state)| {
            divides(*id, *voxel, *state).then_some((id, position, voxel, state))
        }));
    }
    parents.sort_unstable_by_key(|(id, ..)| **id);
    let size = box_um(grid.shape());
    let max_density = p.max_density_per_mm3 as f32;
    for (id, position, _, state) in parents {
        let mut rng = stream(seed.0, *id, clock.tick, Purpose::MicrogliaDaughter);
        let draws = [rng.random::<f32>(), rng.random::<f32>()];
        let at = daughter_position(position.0, p.daughter_distance_um as f32, size, draws);
        let daughter_voxel = grid.voxel_of(at);
        // With the daughters placed so far counted: no division fills a block past the cap.
        if crowding.is_full(daughter_voxel, max_density) {
            continue;
        }
        crowding.add(daughter_voxel);
        // The daughter is a copy of its parent's state: same phenotype and activation clock.
        commands.spawn((
            next_id.take(),
            Position(at),
            Voxel(daughter_voxel),
            Exchange::default(),
            Microglia,
            MicrogliaState {
                dying: false,
                ..*state
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stimuli(debris: f32, tnf: f32, il10: f32) -> Stimuli {
        Stimuli {
            debris,
            seeds: 0.0,
            tnf,
            il10,
        }
    }

    fn state(phenotype: Phenotype) -> MicrogliaState {
        MicrogliaState {
            phenotype,
            ..MicrogliaState::default()
        }
    }

    /// Fraction of 10,000 seeded microglia in each phenotype after `hours` of constant stimuli.
    fn occupancy(start: Phenotype, s: Stimuli, hours: u32, activated_hours: f32) -> [f32; 3] {
        occupancy_in_steps(start, s, hours, 1.0, activated_hours)
    }

    /// The same after `ticks` steps of `dt_hours` each.
    fn occupancy_in_steps(
        start: Phenotype,
        s: Stimuli,
        ticks: u32,
        dt_hours: f32,
        activated_hours: f32,
    ) -> [f32; 3] {
        let p = MicrogliaParams::default();
        let mut counts = [0u32; 3];
        for cell in 0..10_000u64 {
            let mut state = MicrogliaState {
                phenotype: start,
                activated_hours,
                dying: false,
            };
            for tick in 0..ticks {
                let mut rng = stream(9, CellId(cell), tick as u64, Purpose::MicrogliaState);
                state = next_state(&p, state, s, dt_hours, rng.random());
            }
            counts[state.phenotype as usize] += 1;
        }
        counts.map(|c| c as f32 / 10_000.0)
    }

    fn shape() -> GridShape {
        GridShape::cube(10, 20.0)
    }

    #[test]
    fn no_stimulus_leaves_surveying_microglia_at_rest() {
        assert_eq!(
            occupancy(Phenotype::Surveying, stimuli(0.0, 0.0, 0.0), 48, 0.0)[0],
            1.0
        );
    }

    #[test]
    fn debris_without_cytokine_makes_microglia_protective_first() {
        let occ = occupancy(Phenotype::Surveying, stimuli(0.8, 0.0, 0.0), 24, 0.0);
        // Rate 0.5·0.8 = 0.4/h: after 24 h nearly all left surveying, none became pro.
        assert!(occ[2] > 0.95, "{occ:?}");
        assert_eq!(occ[1], 0.0);
    }

    #[test]
    fn seeds_alone_activate_microglia_like_debris() {
        let seeds = Stimuli {
            seeds: 0.8,
            ..Stimuli::default()
        };
        let occ = occupancy(Phenotype::Surveying, seeds, 24, 0.0);
        assert!(occ[2] > 0.95, "{occ:?}");
        // Either signal calls the cell; together they add as independent calls.
        assert_eq!(danger(0.5, 0.0), 0.5);
        assert_eq!(danger(0.0, 0.5), 0.5);
        assert!((danger(0.5, 0.5) - 0.75).abs() < 1e-6);
        assert!(danger(1.0, 1.0) <= 1.0);
        // Seeds also hold activated microglia away from rest.
        let p = MicrogliaParams::default();
        let rest_without = transition_rates(
            &p,
            state(Phenotype::AntiInflammatory),
            stimuli(0.0, 0.0, 0.0),
        )[0];
        let rest_with = transition_rates(&p, state(Phenotype::AntiInflammatory), seeds)[0];
        assert!(rest_with < 0.25 * rest_without);
    }

    #[test]
    fn chronic_activation_turns_protective_microglia_harmful() {
        // Past chronic_after_days at 0.2/day for 5 days: 1 − e^{−1} ≈ 63% converted.
        // Saturating debris holds them activated (no return to surveying) during the test.
        let occ = occupancy(
            Phenotype::AntiInflammatory,
            stimuli(1.0, 0.0, 0.0),
            120,
            8.0 * 24.0,
        );
        assert!((occ[1] - 0.632).abs() < 0.03, "{occ:?}");
        // The same five days early in activation convert none.
        let early = occupancy(
            Phenotype::AntiInflammatory,
            stimuli(1.0, 0.0, 0.0),
            120,
            0.0,
        );
        assert_eq!(early[1], 0.0, "{early:?}");
    }

    /// Phenotype shares after `hours` from `start` by integrating the master equation
    /// `dπ/dt = πQ` in small Euler steps: an independent check of the sampled chain.
    fn master_equation(start: Phenotype, s: Stimuli, hours: f64) -> [f64; 3] {
        let p = MicrogliaParams::default();
        let mut pi = [0.0; 3];
        pi[start as usize] = 1.0;
        let h = 1e-3;
        for _ in 0..(hours / h) as usize {
            let mut next = pi;
            for (i, &phenotype) in PHENOTYPES.iter().enumerate() {
                let rates = transition_rates(&p, state(phenotype), s);
                for (j, &rate) in rates.iter().enumerate() {
                    let flow = h * pi[i] * f64::from(rate);
                    next[i] -= flow;
                    next[j] += flow;
                }
            }
            pi = next;
        }
        pi
    }

    #[test]
    fn il10_repolarises_pro_inflammatory_microglia() {
        // Pro → anti at 0.045/h against anti → pro at 0.025/h, both resting at 0.02/h: IL-10
        // turns about a quarter anti-inflammatory within two days and cuts the pro-inflammatory
        // share by half or more; without it none become anti-inflammatory (no debris calls that
        // phenotype).
        let with_il10 = occupancy(Phenotype::ProInflammatory, stimuli(0.0, 0.5, 0.9), 48, 0.0);
        let without = occupancy(Phenotype::ProInflammatory, stimuli(0.0, 0.5, 0.0), 48, 0.0);
        assert!(with_il10[2] > 0.2, "{with_il10:?}");
        assert!(with_il10[1] < 0.5 * without[1], "{with_il10:?} {without:?}");
        assert_eq!(without[2], 0.0, "{without:?}");
        // The sampled shares are the master equation's, within sampling error (sd ≤ 0.005).
        let exact = master_equation(Phenotype::ProInflammatory, stimuli(0.0, 0.5, 0.9), 48.0);
        for (sampled, exact) in with_il10.iter().zip(exact) {
            assert!(
                (f64::from(*sampled) - exact).abs() < 0.02,
                "{with_il10:?} vs {exact:?}"
            );
        }
    }

    #[test]
    fn phenotype_shares_do_not_depend_on_the_time_step() {
        // Two days in one-hour ticks or in two 24-hour ticks: the same distribution.
        let s = stimuli(0.3, 0.4, 0.2);
        let hourly = occupancy_in_steps(Phenotype::Surveying, s, 48, 1.0, 0.0);
        let daily = occupancy_in_steps(Phenotype::Surveying, s, 2, 24.0, 0.0);
        for (h, d) in hourly.iter().zip(daily) {
            assert!((h - d).abs() < 0.03, "{hourly:?} vs {daily:?}");
        }
    }

    #[test]
    fn phenotype_sets_which_cytokine_is_secreted() {
        let p = MicrogliaParams::default();
        let s = stimuli(0.5, 0.0, 0.0);
        let pro = exchange(&p, Phenotype::ProInflammatory, s, 1.0);
        let anti = exchange(&p, Phenotype::AntiInflammatory, s, 1.0);
        let rest = exchange(&p, Phenotype::Surveying, s, 1.0);
        assert!(pro.secretion_per_hour[FieldId::Tnf as usize] > 0.0);
        assert_eq!(pro.secretion_per_hour[FieldId::Il10 as usize], 0.0);
        assert!(anti.secretion_per_hour[FieldId::Il10 as usize] > 0.0);
        assert_eq!(anti.secretion_per_hour[FieldId::Tnf as usize], 0.0);
        assert!(anti.uptake[FieldId::Debris as usize] > pro.uptake[FieldId::Debris as usize]);
        assert_eq!(rest, Exchange::default());
    }

    #[test]
    fn only_pro_inflammatory_microglia_release_ros() {
        let p = MicrogliaParams::default();
        let s = stimuli(0.5, 0.5, 0.0);
        let pro = exchange(&p, Phenotype::ProInflammatory, s, 1.0);
        let anti = exchange(&p, Phenotype::AntiInflammatory, s, 1.0);
        assert_eq!(pro.secretion_per_hour[FieldId::Ros as usize], 2.0);
        assert_eq!(anti.secretion_per_hour[FieldId::Ros as usize], 0.0);
    }

    #[test]
    fn activated_microglia_engulf_seeds_in_proportion_to_their_stimulus() {
        let p = MicrogliaParams::default();
        let s = Stimuli {
            seeds: 0.5,
            ..Stimuli::default()
        };
        let anti = exchange(&p, Phenotype::AntiInflammatory, s, 2.0);
        // 0.2 a.u./day · 2 h / 24 · 0.5.
        let expected = 0.2 / 24.0 * 2.0 * 0.5;
        assert!((anti.uptake[FieldId::Seeds as usize] - expected).abs() < 1e-7);
        let pro = exchange(&p, Phenotype::ProInflammatory, s, 2.0);
        assert!((pro.uptake[FieldId::Seeds as usize] - 0.5 * expected).abs() < 1e-7);
        // No seeds, nothing taken; surveying microglia take none.
        let none = exchange(&p, Phenotype::AntiInflammatory, Stimuli::default(), 2.0);
        assert_eq!(none.uptake[FieldId::Seeds as usize], 0.0);
        assert_eq!(
            exchange(&p, Phenotype::Surveying, s, 2.0),
            Exchange::default()
        );
    }

    #[test]
    fn ros_raises_the_death_hazard_above_turnover() {
        let p = MicrogliaParams::default();
        assert!((death_hazard_per_day(&p, 0.0) - 0.0015).abs() < 1e-9);
        // At the half-maximum the extra hazard is half of 0.1/day.
        assert!((death_hazard_per_day(&p, 20.0) - 0.0515).abs() < 1e-6);
        assert!(death_hazard_per_day(&p, 1e6) < 0.1015 + 1e-6);
    }

    #[test]
    fn crowding_slows_division_to_zero_at_the_cap_and_only_activated_cells_divide() {
        let p = MicrogliaParams::default();
        let pro = state(Phenotype::ProInflammatory);
        assert_eq!(division_rate_per_day(&p, pro, 0.0), 0.2);
        assert!((division_rate_per_day(&p, pro, 12750.0) - 0.1).abs() < 1e-6);
        assert_eq!(division_rate_per_day(&p, pro, 25500.0), 0.0);
        assert_eq!(division_rate_per_day(&p, pro, 1e6), 0.0);
        assert_eq!(
            division_rate_per_day(&p, state(Phenotype::Surveying), 0.0),
            0.0
        );
        let dying = MicrogliaState { dying: true, ..pro };
        assert_eq!(division_rate_per_day(&p, dying, 0.0), 0.0);
        let off = MicrogliaParams {
            proliferation_per_day: 0.0,
            ..p
        };
        assert_eq!(division_rate_per_day(&off, pro, 0.0), 0.0);
    }

    #[test]
    fn density_counts_microglia_per_block_over_its_volume_in_the_box() {
        let shape = shape(); // 10 voxels of 20 µm per axis
        // 60 µm blocks: 3 voxels per edge, 4 blocks per axis, the last one voxel thick.
        let mut map = MicrogliaCrowding::new(shape, 60.0);
        assert_eq!(map.blocks, [4, 4, 4]);
        let a = shape.index(1, 1, 1) as u32;
        let same_block = shape.index(2, 0, 2) as u32;
        let next_block = shape.index(3, 1, 1) as u32;
        map.add(a);
        map.add(same_block);
        let full = 27.0 * 8e-6; // mm³
        assert!((map.density_per_mm3(a) * full - 2.0).abs() < 1e-4);
        assert_eq!(map.density_per_mm3(same_block), map.density_per_mm3(a));
        assert_eq!(map.density_per_mm3(next_block), 0.0);
        // The corner block at the far faces is one voxel: its volume is that voxel only.
        let corner = shape.index(9, 9, 9) as u32;
        map.add(corner);
        assert!((map.density_per_mm3(corner) * 8e-6 - 1.0).abs() < 1e-4);
        // 2 or 3 cells in 27 voxels (9259, 13889 per mm³) are under 15000; a fourth fills it.
        assert!(!map.is_full(a, 15_000.0));
        map.add(a);
        assert!(!map.is_full(a, 15_000.0));
        map.add(a);
        assert!(map.is_full(a, 15_000.0));
        map.remove(a);
        assert!(!map.is_full(a, 15_000.0));
        // Blocks smaller than a voxel are one voxel; such a block takes one cell, then is full.
        let mut tiny = MicrogliaCrowding::new(shape, 1.0);
        assert_eq!(tiny.blocks, [10, 10, 10]);
        assert!(!tiny.is_full(a, 25_500.0));
        tiny.add(a);
        assert!(tiny.is_full(a, 25_500.0));
    }

    #[test]
    fn chemotaxis_points_up_the_gradient_faster_the_steeper_it_is() {
        let shape = shape();
        // A signal rising along +x and falling along +z.
        let signal = |i: usize| {
            let (x, z) = (i % 10, i / 100);
            0.05 * x as f32 - 0.02 * z as f32
        };
        let g = central_differences(shape, shape.index(5, 5, 5) as u32, signal);
        assert!((g[0] - 0.1).abs() < 1e-6 && g[1] == 0.0 && (g[2] + 0.04).abs() < 1e-6);
        // At the faces the missing neighbour is the voxel itself.
        let g0 = central_differences(shape, shape.index(0, 5, 5) as u32, signal);
        assert!((g0[0] - 0.05).abs() < 1e-6);
        // |g| = 0.1077; with a half-max of 0.02 the speed is 5·0.1077/0.1277 ≈ 4.22 µm/h,
        // pointing along g.
        let v = chemotactic_velocity(5.0, g, 0.02);
        let len = |v: [f32; 3]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let glen = len(g);
        assert!((len(v) - 5.0 * glen / (glen + 0.02)).abs() < 1e-5, "{v:?}");
        assert!((v[0] / v[2] - g[0] / g[2]).abs() < 1e-5 && v[1] == 0.0);
        assert_eq!(chemotactic_velocity(0.0, g, 0.02), [0.0; 3]);
        // A steep difference approaches full speed and never exceeds it; a faint one (1e-30,
        // as a flushed field leaves) gives next to none.
        let steep = len(chemotactic_velocity(5.0, [1.0, 1.0, 1.0], 0.02));
        assert!(steep < 5.0 && steep > 4.9, "{steep}");
        assert!(len(chemotactic_velocity(5.0, [1e-30, 0.0, 0.0], 0.02)) < 1e-20);
        // A uniform signal gives no drift.
        assert_eq!(central_differences(shape, 555, |_| 0.7), [0.0; 3]);
    }

    #[test]
    fn positions_stay_in_the_box_and_daughters_sit_at_their_distance() {
        assert_eq!(reflect_into(-3.0, 100.0), 3.0);
        assert_eq!(reflect_into(103.0, 100.0), 97.0);
        assert_eq!(reflect_into(50.0, 100.0), 50.0);
        assert!(reflect_into(100.0, 100.0) < 100.0);
        assert!((0.0..100.0).contains(&reflect_into(-500.0, 100.0)));
        let size = [400.0, 400.0, 200.0];
        let parent = [200.0, 200.0, 100.0];
        for cell in 0..1000u64 {
            let mut rng = stream(3, CellId(cell), 0, Purpose::MicrogliaDaughter);
            let at = daughter_position(parent, 10.0, size, [rng.random(), rng.random()]);
            let d: f32 = (0..3)
                .map(|i| (at[i] - parent[i]).powi(2))
                .sum::<f32>()
                .sqrt();
            assert!((d - 10.0).abs() < 1e-3, "{d}");
        }
        // A parent at a corner keeps its daughter inside.
        let at = daughter_position([0.5, 0.5, 0.5], 10.0, size, [0.0, 0.6]);
        assert!(
            at.iter().zip(size).all(|(&x, s)| (0.0..s).contains(&x)),
            "{at:?}"
        );
    }
}
