//! Astrocytes: supportive at rest, reactive and neurotoxic under microglial cytokine
//! (Liddelow et al. 2017). A supportive astrocyte turns reactive at `k_react·T` per hour and a
//! reactive one recovers at `k_recover·(1−T)`, with `T` the saturating TNF stimulus.
//!
//! Each astrocyte also has a support capacity `s` in [0, 1] (trophic support and glutamate
//! clearance through EAAT2/GLT-1). It relaxes toward a target at `k_s` per day, exactly over a
//! step: `s ← s* + (s − s*)·e^{−k_s Δt}`, with `s* = baseline_support` while supportive and
//! `s* = min(reactive_support, baseline_support)` while reactive (Rothstein et al. 1995: EAAT2
//! down by up to ~70% in ALS), so reactivity never raises support.
//!
//! Before each step (`Mechanism::prepare`) the astrocytes are mapped per voxel: how many are
//! reactive, how many there are and the sum of their support (a sparse map: only voxels that
//! hold astrocytes). A motor neuron then asks for the reactive astrocytes within the toxic
//! factor's reach, weighted by `toxicity_scale`, and for the mean support of the astrocytes
//! within the same reach.

use super::genetics::GeneFactors;
use super::{DENSE, column, give, modulate, saturating, switch_probability};
use crate::RestoreError;
use crate::guard::{self, Fault, amount};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, variable};
use crate::rng::{Purpose, stream};
use crate::solver::GridShape;
use crate::{Astrocyte, CellId, Clock, FieldGrid, FieldId, RunSeed, SimSet, Voxel};
use alsim_scenario::mechanisms::AstrocyteParams;
use bevy_ecs::prelude::*;
use bevy_ecs::system::RunSystemOnce;
use rand::RngExt;
use rayon::prelude::*;

/// Reactivity of one astrocyte.
#[derive(
    Component, Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize,
)]
pub struct Reactivity {
    /// Neurotoxic reactive state.
    pub reactive: bool,
}

/// Support capacity of one astrocyte: trophic support and glutamate clearance (EAAT2/GLT-1),
/// 1 = full, 0 = none.
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Support(pub f32);

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct AstrocyteConfig(pub AstrocyteParams);

impl AstrocyteConfig {
    /// The parameters in force this tick: the genotype's folds on support and toxicity.
    pub fn in_force(&self, genes: Option<&GeneFactors>) -> AstrocyteParams {
        modulate(genes, &self.0, |g: &GeneFactors, p| {
            p.baseline_support *= g.astrocyte_support;
            p.toxicity_scale *= g.astrocyte_toxicity;
        })
    }
}

/// The voxels whose centres lie within a radius of a voxel's centre, clipped to the box, as
/// runs along x (a sphere's cross-section with a grid row is one run). The runs are computed
/// once; `for_each_run` visits the in-box ones in a fixed order.
#[derive(Clone, Debug)]
pub(crate) struct Neighbourhood {
    shape: GridShape,
    /// `(dy, dz, w)`: the voxels `dx` in `-w..=w` of row `(dy, dz)` are within reach.
    rows: Vec<[i32; 3]>,
}

impl Neighbourhood {
    /// The rows of voxels whose centres lie within `reach_um` (the voxel itself always).
    pub(crate) fn new(shape: GridShape, reach_um: f64) -> Self {
        let r = (reach_um / shape.voxel_um).floor() as i32;
        let within = |dx: i32, dy: i32, dz: i32| {
            (dx * dx + dy * dy + dz * dz) as f64 * shape.voxel_um.powi(2) <= reach_um * reach_um
        };
        let mut rows = Vec::new();
        for dz in -r..=r {
            for dy in -r..=r {
                if within(0, dy, dz) {
                    let w = (0..=r)
                        .take_while(|&dx| within(dx, dy, dz))
                        .last()
                        .unwrap_or(0);
                    rows.push([dy, dz, w]);
                }
            }
        }
        Self { shape, rows }
    }

    /// Calls `f(row, first, last)` with the grid row (`y + ny·z`) and the first and last voxel
    /// index of every run of voxels within reach of `voxel` that lies in the box.
    pub(crate) fn for_each_run(&self, voxel: u32, mut f: impl FnMut(usize, u32, u32)) {
        let s = self.shape;
        let (x, y, z) = s.coords(voxel as usize);
        let (x, y, z) = (x as i32, y as i32, z as i32);
        for &[dy, dz, w] in &self.rows {
            let (j, k) = (y + dy, z + dz);
            if (0..s.ny as i32).contains(&j) && (0..s.nz as i32).contains(&k) {
                let lo = (x - w).max(0) as usize;
                let hi = (x + w).min(s.nx as i32 - 1) as usize;
                let (j, k) = (j as usize, k as usize);
                f(
                    j + s.ny * k,
                    s.index(lo, j, k) as u32,
                    s.index(hi, j, k) as u32,
                );
            }
        }
    }
}

/// Support is summed per voxel in fixed point (this many units per 1.0), so the sums are
/// integers and do not depend on the order astrocytes are visited.
const SUPPORT_ONE: f64 = 65536.0;

/// An astrocyte as one sortable number: `voxel << 32 | reactive << 31 | support` (support in
/// fixed point, at most 2^16).
fn key(voxel: u32, reactive: bool, support: f32) -> u64 {
    let fixed = (f64::from(support.clamp(0.0, 1.0)) * SUPPORT_ONE).round() as u64;
    u64::from(voxel) << 32 | u64::from(reactive) << 31 | fixed
}

/// Astrocytes per voxel at the start of the tick (reactive ones, all, and the sum of their
/// support), kept only for the voxels that hold astrocytes (sorted), so that its memory grows
/// with the astrocytes and not with the grid; and the voxels within the toxic factor's reach.
#[derive(Resource, Debug)]
pub struct ReactiveAstrocyteMap {
    reach: Neighbourhood,
    /// The voxels holding astrocytes, ascending.
    voxels: Vec<VoxelAstrocytes>,
    /// Where each grid row's entries start in `voxels` (one more than there are rows): a run
    /// of the reach finds its entries without a search over the whole map.
    row_starts: Vec<u32>,
    /// The astrocytes of the tick as [`key`]s: a buffer kept from tick to tick.
    keys: Vec<u64>,
    toxicity_scale: f32,
}

impl ReactiveAstrocyteMap {
    /// An empty map for `shape`, with the runs of voxels whose centres lie within `reach_um`,
    /// and a toxicity scale of 1.
    pub fn new(shape: GridShape, reach_um: f64) -> Self {
        Self {
            reach: Neighbourhood::new(shape, reach_um),
            voxels: Vec::new(),
            row_starts: vec![0; shape.ny * shape.nz + 1],
            keys: Vec::new(),
            toxicity_scale: 1.0,
        }
    }

    /// The same map with each reactive astrocyte's toxicity weighted by `scale`.
    pub fn with_toxicity_scale(mut self, scale: f32) -> Self {
        self.toxicity_scale = scale;
        self
    }

    /// Sums over the voxels within reach of `voxel`: reactive astrocytes, astrocytes, and
    /// their support (fixed point).
    fn sums_in_reach(&self, voxel: u32) -> (u32, u64, u64) {
        let (mut reactive, mut n, mut support) = (0, 0, 0);
        self.reach.for_each_run(voxel, |row, lo, hi| {
            let entries = self.row_starts[row] as usize..self.row_starts[row + 1] as usize;
            let row = &self.voxels[entries];
            let first = row.partition_point(|e| e.voxel < lo);
            for e in row[first..].iter().take_while(|e| e.voxel <= hi) {
                reactive += e.reactive;
                n += u64::from(e.astrocytes);
                support += e.support;
            }
        });
        (reactive, n, support)
    }

    /// Reactive astrocytes in voxels whose centres lie within reach of `voxel`'s centre (a
    /// plain count, not weighted).
    pub fn within_reach(&self, voxel: u32) -> u32 {
        self.sums_in_reach(voxel).0
    }

    /// Toxicity within reach of `voxel` in reactive-astrocyte equivalents: the count of
    /// [`Self::within_reach`] times the toxicity scale (equal to the count at the default 1).
    pub fn toxicity_within_reach(&self, voxel: u32) -> f32 {
        self.toxicity_and_support(voxel).0
    }

    /// Mean support capacity of the astrocytes in voxels within reach of `voxel`, in [0, 1].
    /// Where no astrocyte is within reach it is 1: the excitotoxic term stands for lost
    /// function of the astrocytes that serve a neuron, so a neuron with none around (a
    /// scenario without astrocytes, or a sparse corner) gets no extra stress from it.
    pub fn support_within_reach(&self, voxel: u32) -> f32 {
        self.toxicity_and_support(voxel).1
    }

    /// [`Self::toxicity_within_reach`] and [`Self::support_within_reach`] in one pass over the
    /// reach.
    pub fn toxicity_and_support(&self, voxel: u32) -> (f32, f32) {
        let (reactive, n, sum) = self.sums_in_reach(voxel);
        let support = if n == 0 {
            1.0
        } else {
            (sum as f64 / (n as f64 * SUPPORT_ONE)) as f32
        };
        (self.toxicity_scale * reactive as f32, support)
    }

    /// Rebuilds the map from `keys` (the astrocytes of the tick, in any order).
    fn index_keys(&mut self) {
        self.keys.par_sort_unstable();
        // Each voxel's keys are one group of the sorted keys; the groups are summed in parallel
        // and collected in order.
        let groups = self.keys.par_chunk_by(|a, b| a >> 32 == b >> 32);
        let voxels = groups.map(|group| VoxelAstrocytes {
            voxel: (group[0] >> 32) as u32,
            reactive: group.iter().map(|k| ((k >> 31) & 1) as u32).sum(),
            astrocytes: group.len() as u32,
            support: group.iter().map(|k| k & 0x7fff_ffff).sum(),
        });
        self.voxels.clear();
        self.voxels.par_extend(voxels);
        let (nx, voxels) = (self.reach.shape.nx, &self.voxels);
        (0..self.row_starts.len())
            .into_par_iter()
            .map(|row| voxels.partition_point(|e| (e.voxel as usize) < row * nx) as u32)
            .collect_into_vec(&mut self.row_starts);
    }
}

/// The astrocytes of one voxel: how many are reactive, how many there are and the sum of
/// their support (fixed point).
#[derive(Clone, Copy, Debug)]
struct VoxelAstrocytes {
    voxel: u32,
    reactive: u32,
    astrocytes: u32,
    support: u64,
}

/// The mechanism.
pub struct Astroglial;

impl Mechanism for Astroglial {
    fn name(&self) -> &'static str {
        "astrocytes"
    }

    /// every astrocyte starts supportive with `baseline_support`.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let config = AstrocyteConfig(setup.scenario.mechanisms.astrocytes.clone().expect("on"));
        let params = &config.in_force(world.get_resource::<GeneFactors>());
        let shape = world.resource::<FieldGrid>().shape();
        world.insert_resource(
            ReactiveAstrocyteMap::new(shape, params.toxicity_reach_um)
                .with_toxicity_scale(params.toxicity_scale as f32),
        );
        give::<Astrocyte, _>(world, Reactivity::default());
        give::<Astrocyte, _>(world, Support(params.baseline_support as f32));
        world.insert_resource(config);
        schedule.add_systems(update_astrocytes.in_set(SimSet::Glia));
    }

    /// Maps the astrocytes: the neurons' damage and its step limit look the map up.
    fn prepare(&self, world: &mut World) {
        world
            .run_system_once(map_reactive_astrocytes)
            .expect("the mechanism's resources are in the world");
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.astrocytes.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<Reactivity>("reactivity")?;
        state.component::<Support>("support")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "Support", |s: &Support| [amount("", s.0, SUSPECTS)])
    }

    fn columns(&self) -> &'static [Column] {
        &[
            Column {
                name: "astrocytes_reactive",
                section: Section::Cells,
            },
            Column {
                name: "astrocytes_total",
                section: Section::Cells,
            },
        ]
    }

    /// Off, no astrocyte is reactive.
    fn observe(&self, world: &mut World, _: &LivingNeurons, out: &mut Vec<f64>) {
        let mut q = world.query_filtered::<Option<&Reactivity>, With<Astrocyte>>();
        let (mut reactive, mut total) = (0u64, 0u64);
        for r in q.iter(world) {
            total += 1;
            reactive += u64::from(r.is_some_and(|r| r.reactive));
        }
        out.extend([reactive as f64, total as f64]);
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["support"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |s: &Support| s.0));
    }
}

/// The parameters most likely at fault when the state leaves its range.
const SUSPECTS: &str =
    "mechanisms.astrocytes (baseline_support, reactive_support, support_change_per_day)";

/// Probability that an astrocyte is in the other state after `dt_hours` at TNF stimulus `tnf`
/// (switching back within the step included, so the reactive share does not depend on the step).
pub(crate) fn switch_chance(p: &AstrocyteParams, reactive: bool, tnf: f32, dt_hours: f32) -> f32 {
    let react = p.reactivation_per_hour * f64::from(tnf);
    let recover = p.recovery_per_hour * (1.0 - f64::from(tnf));
    let (away, back) = if reactive {
        (recover, react)
    } else {
        (react, recover)
    };
    switch_probability(away, back, dt_hours.into()) as f32
}

/// The support an astrocyte drifts toward in its state.
pub(crate) fn support_target(p: &AstrocyteParams, reactive: bool) -> f32 {
    if reactive {
        p.reactive_support.min(p.baseline_support) as f32
    } else {
        p.baseline_support as f32
    }
}

/// Support after `dt_days` relaxing from `support` toward `target` at `rate_per_day`; exact for
/// a constant target, so any step lands between the two.
pub(crate) fn relax_support(support: f32, target: f32, rate_per_day: f32, dt_days: f32) -> f32 {
    target + (support - target) * (-rate_per_day * dt_days).exp()
}

/// Maps the astrocytes at the start of the step, weighting their toxicity by the genotype's fold
/// as it stood after the last tick (an excision reaches astrocytes' toxicity one tick late).
fn map_reactive_astrocytes(
    mut map: ResMut<ReactiveAstrocyteMap>,
    config: Res<AstrocyteConfig>,
    genes: Option<Res<GeneFactors>>,
    cells: Query<(&Voxel, &Reactivity, &Support), With<Astrocyte>>,
) {
    // Integer counts and fixed-point sums: the result does not depend on visiting order.
    let map = &mut *map;
    map.toxicity_scale = config.in_force(genes.as_deref()).toxicity_scale as f32;
    map.keys.clear();
    for (voxels, reactivity, support) in cells.contiguous_iter().expect(DENSE) {
        let cells = voxels.par_iter().zip(reactivity).zip(support);
        map.keys
            .par_extend(cells.map(|((v, r), s)| key(v.0, r.reactive, s.0)));
    }
    map.index_keys();
}

fn update_astrocytes(
    config: Res<AstrocyteConfig>,
    genes: Option<Res<GeneFactors>>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, &Voxel, &mut Reactivity, &mut Support), With<Astrocyte>>,
) {
    let p = &config.in_force(genes.as_deref());
    let dt = clock.step_hours() as f32;
    let rate = p.support_change_per_day as f32;
    for (ids, voxels, reactivity, support) in cells.contiguous_iter_mut().expect(DENSE) {
        let cells = ids.par_iter().zip(voxels).zip(column(reactivity));
        cells
            .zip(column(support))
            .for_each(|(((id, voxel), r), support)| {
                let tnf = saturating(
                    grid.at(FieldId::Tnf, voxel.0),
                    p.tnf_half_max_ng_per_ml as f32,
                );
                let draw: f32 = stream(seed.0, *id, clock.tick, Purpose::AstrocyteState).random();
                if draw < switch_chance(p, r.reactive, tnf, dt) {
                    r.reactive = !r.reactive;
                }
                let target = support_target(p, r.reactive);
                if support.0 != target {
                    support.0 = relax_support(support.0, target, rate, dt / 24.0);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> GridShape {
        GridShape::cube(10, 20.0)
    }

    #[test]
    fn astrocytes_turn_reactive_only_under_cytokine() {
        let p = AstrocyteParams::default();
        assert_eq!(switch_chance(&p, false, 0.0, 1.0), 0.0);
        // Reactivation at 0.025/h and recovery at 0.005/h under half-saturating TNF: the
        // two-state chain's P(supportive → reactive) = a/(a+b)·(1 − e^{−(a+b)t}).
        let (a, b) = (p.reactivation_per_hour * 0.5, p.recovery_per_hour * 0.5);
        let under_tnf = switch_chance(&p, false, 0.5, 1.0);
        let expected = a / (a + b) * (1.0 - (-(a + b)).exp());
        assert!((f64::from(under_tnf) - expected).abs() < 1e-6);
        // However long the step, the reactive share never passes its stationary a/(a+b).
        assert!((f64::from(switch_chance(&p, false, 0.5, 1e4)) - a / (a + b)).abs() < 1e-6);
        // Recovery is fastest with no cytokine and stops at saturation.
        assert!(switch_chance(&p, true, 0.0, 1.0) > switch_chance(&p, true, 0.5, 1.0));
        assert_eq!(switch_chance(&p, true, 1.0, 1.0), 0.0);
    }

    /// The map of these astrocytes: (voxel, reactive, support).
    fn mapped(mut map: ReactiveAstrocyteMap, cells: &[(usize, bool, f32)]) -> ReactiveAstrocyteMap {
        map.keys = cells.iter().map(|&(v, r, s)| key(v as u32, r, s)).collect();
        map.index_keys();
        map
    }

    #[test]
    fn reach_counts_neighbours_inside_the_sphere_and_the_box() {
        let shape = shape();
        let map = ReactiveAstrocyteMap::new(shape, 25.0);
        // 25 µm reach at 20 µm voxels: the voxel and its 6 face neighbours.
        let mut reached = 0;
        map.reach
            .for_each_run(shape.index(5, 5, 5) as u32, |_, lo, hi| {
                reached += hi - lo + 1
            });
        assert_eq!(reached, 7);
        let reactive = |at: (usize, usize, usize), n: usize| {
            vec![(shape.index(at.0, at.1, at.2), true, 1.0); n]
        };
        let cells = [
            reactive((5, 5, 5), 2),
            reactive((6, 5, 5), 1),
            reactive((6, 6, 5), 4), // diagonal: 28 µm away, out of reach
            reactive((0, 0, 0), 5),
        ]
        .concat();
        let map = mapped(map, &cells);
        assert_eq!(map.within_reach(shape.index(5, 5, 5) as u32), 3);
        // At a corner the voxels outside the box are skipped.
        assert_eq!(map.within_reach(shape.index(0, 0, 0) as u32), 5);
    }

    #[test]
    fn toxicity_scale_weights_the_reactive_count() {
        let shape = shape();
        let v = shape.index(5, 5, 5);
        let cells = [(v, true, 0.3), (v, true, 0.3), (v, false, 1.0)];
        let plain = mapped(ReactiveAstrocyteMap::new(shape, 25.0), &cells);
        assert_eq!(plain.within_reach(v as u32), 2);
        assert_eq!(plain.toxicity_within_reach(v as u32), 2.0);
        let mutant = ReactiveAstrocyteMap::new(shape, 25.0).with_toxicity_scale(2.5);
        let mutant = mapped(mutant, &cells[..2]);
        // The count stays a count; the toxicity is weighted.
        assert_eq!(mutant.within_reach(v as u32), 2);
        assert_eq!(mutant.toxicity_within_reach(v as u32), 5.0);
    }

    #[test]
    fn support_within_reach_is_the_mean_of_astrocytes_in_reach_and_one_where_none() {
        let shape = shape();
        let centre = shape.index(5, 5, 5);
        let empty = ReactiveAstrocyteMap::new(shape, 25.0);
        assert_eq!(
            empty.support_within_reach(centre as u32),
            1.0,
            "no astrocyte in reach"
        );
        let cells = [
            (centre, false, 1.0),
            (shape.index(6, 5, 5), true, 0.3),
            (shape.index(5, 4, 5), true, 0.2),
            // Out of reach (diagonal): must not count.
            (shape.index(6, 6, 5), true, 0.0),
        ];
        let map = mapped(ReactiveAstrocyteMap::new(shape, 25.0), &cells);
        let mean = map.support_within_reach(centre as u32);
        assert!((mean - 0.5).abs() < 1e-4, "{mean}");
        // Visiting order does not matter: the same astrocytes listed backwards give the same
        // bits.
        let mut backwards = cells;
        backwards.reverse();
        let backwards = mapped(ReactiveAstrocyteMap::new(shape, 25.0), &backwards);
        assert_eq!(
            backwards.support_within_reach(centre as u32).to_bits(),
            mean.to_bits()
        );
        // Rebuilt from no astrocytes, the map forgets them.
        assert_eq!(mapped(map, &[]).support_within_reach(centre as u32), 1.0);
    }

    #[test]
    fn sparse_map_holds_only_occupied_voxels_and_matches_a_dense_count() {
        // Astrocytes scattered with repeats over a 10³ grid; the map has one entry per occupied
        // voxel, and every voxel's reach count equals a brute-force count over the cells.
        let shape = shape();
        let cells: Vec<(usize, bool, f32)> = (0..300)
            .map(|i: usize| ((i * 7919) % 997 % shape.voxels(), i.is_multiple_of(3), 0.5))
            .collect();
        let map = mapped(ReactiveAstrocyteMap::new(shape, 45.0), &cells);
        let mut occupied: Vec<usize> = cells.iter().map(|c| c.0).collect();
        occupied.sort_unstable();
        occupied.dedup();
        assert_eq!(map.voxels.len(), occupied.len());
        let centre_of = |v: usize| {
            let (x, y, z) = (v % 10, v / 10 % 10, v / 100);
            [x, y, z].map(|i| i as f64 * 20.0)
        };
        for v in (0..shape.voxels()).step_by(37) {
            let expected = cells
                .iter()
                .filter(|c| c.1)
                .filter(|c| {
                    let (a, b) = (centre_of(v), centre_of(c.0));
                    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>() <= 45.0 * 45.0
                })
                .count();
            assert_eq!(map.within_reach(v as u32) as usize, expected, "voxel {v}");
        }
    }

    #[test]
    fn reactive_astrocytes_lose_support_and_recover_it_exactly() {
        let p = AstrocyteParams::default();
        assert_eq!(support_target(&p, false), 1.0);
        assert!((support_target(&p, true) - 0.3).abs() < 1e-6);
        // Exact relaxation: 10 steps of a day equal one step of 10 days.
        let mut s = 1.0;
        for _ in 0..10 {
            s = relax_support(s, 0.3, 0.5, 1.0);
        }
        let exact = 0.3 + 0.7 * (-5.0f32).exp();
        assert!((s - exact).abs() < 1e-5, "{s} vs {exact}");
        assert!((relax_support(1.0, 0.3, 0.5, 10.0) - exact).abs() < 1e-5);
        // A huge step lands on the target, never beyond it.
        assert_eq!(relax_support(1.0, 0.3, 0.5, 1e6), 0.3);
        // Recovery after the cytokine is gone returns to baseline.
        assert!(relax_support(0.3, support_target(&p, false), 0.5, 2.0) > 0.6);
    }

    #[test]
    fn reactivity_never_raises_the_support_of_weak_astrocytes() {
        let p = AstrocyteParams {
            baseline_support: 0.2,
            ..AstrocyteParams::default()
        };
        assert_eq!(support_target(&p, true), support_target(&p, false));
    }
}
