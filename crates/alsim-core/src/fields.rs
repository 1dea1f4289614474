//! The tissue's diffusing fields: one contiguous f32 array per field, its solver, and the
//! secretion sources gathered from cells for the current tick.

use crate::solver::{Boundaries, FaceBoundary, FieldSolver, GridShape};
use alsim_scenario::{Boundary, FieldSpec, Scenario};
use bevy_ecs::prelude::*;
use rayon::prelude::*;

/// Number of fields.
pub const FIELD_COUNT: usize = 5;

/// The fields, in storage and column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldId {
    /// Pro-inflammatory cytokine, ng/mL.
    Tnf = 0,
    /// Anti-inflammatory cytokine, ng/mL.
    Il10 = 1,
    /// Dead-cell debris, neuron-equivalents per mm³.
    Debris = 2,
    /// Extracellular reactive oxygen species, µM.
    Ros = 3,
    /// Extracellular misfolded-protein seeds, aggregate units per mm³.
    Seeds = 4,
}

impl FieldId {
    /// All fields in order.
    pub const ALL: [FieldId; FIELD_COUNT] = [
        FieldId::Tnf,
        FieldId::Il10,
        FieldId::Debris,
        FieldId::Ros,
        FieldId::Seeds,
    ];

    /// Column prefix and scenario key.
    pub fn name(self) -> &'static str {
        alsim_scenario::FIELD_NAMES[self as usize]
    }

    /// Unit of the field's concentration.
    pub fn unit(self) -> &'static str {
        match self {
            FieldId::Tnf | FieldId::Il10 => "ng/mL",
            FieldId::Debris => "neuron-equivalents/mm³",
            FieldId::Ros => "µM",
            FieldId::Seeds => "a.u./mm³",
        }
    }

    /// Unit of the field's amount (what cells secrete and take up, and the time series'
    /// `<field>_total`).
    pub fn amount_unit(self) -> &'static str {
        match self {
            FieldId::Tnf | FieldId::Il10 => "fg",
            FieldId::Debris => "neuron-equivalents",
            FieldId::Ros => "fmol",
            FieldId::Seeds => "a.u.",
        }
    }

    /// The field named `name` (its scenario key), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Concentration added to a voxel of `voxel_um3` by one amount unit: a cytokine's amount is
    /// in fg and its concentration in ng/mL (1 fg/µm³ = 1e6 ng/mL); ROS' amount is in fmol and
    /// its concentration in µM (1 fmol/µm³ = 1 M = 1e6 µM); debris' amount (neuron-equivalents)
    /// and seeds' (aggregate units) are per mm³ (1 µm³ = 1e-9 mm³).
    pub fn concentration_per_amount(self, voxel_um3: f64) -> f64 {
        match self {
            FieldId::Tnf | FieldId::Il10 | FieldId::Ros => 1e6 / voxel_um3,
            FieldId::Debris | FieldId::Seeds => 1e9 / voxel_um3,
        }
    }
}

/// Concentrations below this (in any field's unit) are set to zero once per tick. Decaying
/// fields otherwise sink into f32 subnormals, which some CPUs process a hundred times slower and
/// which the decay factor can leave stuck at one value for months.
pub const NEGLIGIBLE_CONCENTRATION: f32 = 1e-30;

fn flush_negligible(values: &mut [f32]) {
    values.par_chunks_mut(4096).for_each(|chunk| {
        for v in chunk {
            if *v < NEGLIGIBLE_CONCENTRATION {
                *v = 0.0;
            }
        }
    });
}

/// Per-field sums for the time series.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FieldStats {
    /// Total amount in the tissue (fg for cytokines, fmol for ROS, neuron-equivalents for
    /// debris, a.u. for seeds).
    pub total: f64,
    /// Largest voxel concentration.
    pub max: f64,
}

/// The grid and every field on it.
#[derive(Resource)]
pub struct FieldGrid {
    shape: GridShape,
    values: [Vec<f32>; FIELD_COUNT],
    /// Each field's solver for sub-steps of the current step: `span` base sub-steps long.
    solvers: [FieldSolver; FIELD_COUNT],
    /// Each field's solver for base sub-steps: a field with sinks keeps them, in `span` times
    /// as many sub-steps, since a stretched sub-step would hand a cell its own secretion back
    /// before it diffused away (the sink acts on the voxel the source just filled).
    base_solvers: [FieldSolver; FIELD_COUNT],
    /// What the solvers are built from: diffusion (µm²/h), decay (/h) and face conditions.
    recipes: [(f64, f64, Boundaries); FIELD_COUNT],
    /// Ticks the current step spans (adaptive stepping stretches the sub-steps with it).
    span: u64,
    substeps: u64,
    /// Secretion this tick: (voxel, concentration per hour), in cell-id order.
    sources: [Vec<(u32, f32)>; FIELD_COUNT],
    /// Sources that are not cells (toxin exposure): (voxel, concentration per hour), held
    /// until replaced.
    background: [Vec<(u32, f32)>; FIELD_COUNT],
    /// Continuous uptake this tick, in the order recorded.
    sinks: [Vec<Sink>; FIELD_COUNT],
    /// Each field's loss to outside the block (a body's connections), held until changed.
    outflows: [Outflow; FIELD_COUNT],
    /// Each field's sources (cells' then background) grouped by z plane for the advance.
    by_plane: [PlaneSources; FIELD_COUNT],
}

/// A field's sources grouped by z plane, each plane's in the order recorded: (index in the
/// plane, concentration per hour). Buffers reused from tick to tick.
#[derive(Debug, Default)]
struct PlaneSources {
    list: Vec<(u32, f32)>,
    /// Where plane `k`'s sources start in `list` (`nz + 1` entries).
    starts: Vec<usize>,
}

impl PlaneSources {
    /// Fills the buffers with `sources` on a grid of `nz` planes of `nxy` voxels: a counting
    /// sort by plane that keeps the recorded order within a plane.
    fn fill<'a>(
        &mut self,
        sources: impl Iterator<Item = &'a (u32, f32)> + Clone,
        nxy: usize,
        nz: usize,
    ) {
        let starts = &mut self.starts;
        starts.clear();
        starts.resize(nz + 1, 0);
        for &(voxel, _) in sources.clone() {
            starts[voxel as usize / nxy + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        // Fill each plane from its start, moving the start along; then shift the starts back.
        self.list.clear();
        self.list.resize(starts[nz], (0, 0.0));
        for &(voxel, rate) in sources {
            let (k, i) = (voxel as usize / nxy, voxel as usize % nxy);
            self.list[starts[k]] = (i as u32, rate);
            starts[k] += 1;
        }
        starts.copy_within(0..nz, 1);
        starts[0] = 0;
    }

    /// Adds plane `k`'s sources times `increment` to its values.
    fn add(&self, k: usize, plane: &mut [f32], increment: f32) {
        for &(i, rate) in &self.list[self.starts[k]..self.starts[k + 1]] {
            plane[i as usize] += rate * increment;
        }
    }
}

/// A first-order sink on one voxel for the coming field advance, and what it took.
#[derive(Clone, Copy, Debug)]
struct Sink {
    voxel: u32,
    /// Fraction of the voxel's content kept per sub-step, `e^{−(V_up/V)·Δt_sub}`.
    kept_per_substep: f32,
    /// Amount taken so far, in amount units.
    taken: f64,
}

/// A first-order loss of a whole field out of the block at rate `k`, and what it carried away
/// since [`FieldGrid::take_outflow`] last emptied it. The field's solver decays at `λ + k`, so
/// its content is exact; of what leaves a sub-step `Δt` starting from total content `U₀` under
/// total source `S`, the outflow's part is exactly `a·U₀ + b·S`, with `Λ = λ + k`,
/// `a = (k/Λ)(1 − e^{−ΛΔt})` and `b = (k/Λ)(Δt − (1 − e^{−ΛΔt})/Λ)`.
#[derive(Clone, Copy, Debug, Default)]
struct Outflow {
    rate_per_hour: f64,
    /// `a` above.
    of_content: f64,
    /// `b` above, hours.
    of_source: f64,
    /// Amount carried away so far, in amount units.
    taken: f64,
}

/// Largest decay exponent `λ·Δt` of a stretched sub-step: the solver's source factor
/// `(e^{λΔt} − 1)/λ` must stay far from `f32` overflow, and after `e^-50` nothing of a
/// field's earlier content is left: it is at its quasi-steady state, which a longer sub-step
/// would not change.
const MAX_STRETCHED_DECAY: f64 = 50.0;

/// One solver per field, for sub-steps `span` times `substep_hours` long: each field's
/// stretched only as far as [`MAX_STRETCHED_DECAY`] allows (never below one base sub-step).
fn solvers_for(
    shape: GridShape,
    recipes: &[(f64, f64, Boundaries); FIELD_COUNT],
    substep_hours: f64,
    span: u64,
) -> [FieldSolver; FIELD_COUNT] {
    recipes.each_ref().map(|&(diffusion, decay, boundaries)| {
        let most = (MAX_STRETCHED_DECAY / (decay * substep_hours))
            .floor()
            .max(1.0);
        let dt_hours = substep_hours * (span as f64).min(most);
        FieldSolver::new(shape, diffusion, decay, dt_hours, boundaries)
    })
}

fn face(b: Boundary) -> FaceBoundary {
    match b {
        Boundary::ZeroFlux => FaceBoundary::ZeroFlux,
        Boundary::Fixed(v) => FaceBoundary::Fixed(v as f32),
    }
}

impl FieldGrid {
    /// Allocates the fields of a validated scenario at their initial values.
    pub fn new(scenario: &Scenario) -> Self {
        let [nx, ny, nz] = scenario.tissue.grid().map(|n| n as usize);
        let shape = GridShape {
            nx,
            ny,
            nz,
            voxel_um: scenario.tissue.voxel_um,
        };
        let substeps = scenario.time.field_substeps();
        let dt_hours = scenario.time.dt_hours / substeps as f64;
        let specs = scenario.fields.in_order();
        let recipe = |spec: &FieldSpec| {
            let b = spec.boundary.per_axis();
            (
                spec.diffusion_um2_per_s * 3600.0,
                spec.decay_per_hour,
                [
                    (face(b[0].0), face(b[0].1)),
                    (face(b[1].0), face(b[1].1)),
                    (face(b[2].0), face(b[2].1)),
                ],
            )
        };
        let recipes = specs.map(recipe);
        Self {
            shape,
            values: specs.map(|s| vec![s.initial as f32; shape.voxels()]),
            solvers: solvers_for(shape, &recipes, dt_hours, 1),
            base_solvers: solvers_for(shape, &recipes, dt_hours, 1),
            recipes,
            span: 1,
            substeps,
            sources: Default::default(),
            background: Default::default(),
            sinks: Default::default(),
            outflows: Default::default(),
            by_plane: Default::default(),
        }
    }

    /// Stretches the coming advance's sub-steps to `span` base sub-steps each: the field
    /// part of a step `span` ticks long. The implicit scheme is stable at any sub-step.
    pub(crate) fn set_span(&mut self, span: u64) {
        if span != self.span {
            self.span = span;
            // Every field's base solver has the base sub-step.
            let base_substep_hours = self.base_solvers[0].dt_hours();
            self.solvers = solvers_for(self.shape, &self.recipes, base_substep_hours, span);
        }
    }

    /// Grid shape.
    pub fn shape(&self) -> GridShape {
        self.shape
    }

    /// Voxel volume in µm³.
    pub fn voxel_um3(&self) -> f64 {
        self.shape.voxel_um.powi(3)
    }

    /// Voxel index of a point in µm (clamped into the box).
    pub fn voxel_of(&self, p: [f32; 3]) -> u32 {
        let h = self.shape.voxel_um as f32;
        let cell = |v: f32, n: usize| ((v / h).floor().max(0.0) as usize).min(n - 1);
        let (x, y, z) = (
            cell(p[0], self.shape.nx),
            cell(p[1], self.shape.ny),
            cell(p[2], self.shape.nz),
        );
        self.shape.index(x, y, z) as u32
    }

    /// Concentration of a field at a voxel.
    pub fn at(&self, field: FieldId, voxel: u32) -> f32 {
        self.values[field as usize][voxel as usize]
    }

    /// All values of a field (x fastest).
    pub fn values(&self, field: FieldId) -> &[f32] {
        &self.values[field as usize]
    }

    /// Mutable values of a field, for set-ups and tests.
    pub fn values_mut(&mut self, field: FieldId) -> &mut [f32] {
        &mut self.values[field as usize]
    }

    /// Adds an amount to a voxel at once (a burst, e.g. debris at death).
    pub fn deposit(&mut self, field: FieldId, voxel: u32, amount: f32) {
        let c = amount as f64 * field.concentration_per_amount(self.voxel_um3());
        self.values[field as usize][voxel as usize] += c as f32;
    }

    /// Multiplies every value of `field` by `factor` (what stays when a share is carried away).
    pub fn scale(&mut self, field: FieldId, factor: f32) {
        self.values[field as usize]
            .par_iter_mut()
            .for_each(|v| *v *= factor);
    }

    /// Removes up to `amount` from a voxel at once; returns what was removed.
    pub fn take(&mut self, field: FieldId, voxel: u32, amount: f32) -> f32 {
        let per_amount = field.concentration_per_amount(self.voxel_um3());
        let slot = &mut self.values[field as usize][voxel as usize];
        let c = ((amount as f64 * per_amount) as f32).min(*slot);
        *slot -= c;
        (c as f64 / per_amount) as f32
    }

    /// Records a secretion rate (amount per hour) held over the coming tick. Call in cell-id
    /// order: sources are applied in the order recorded.
    pub fn add_source(&mut self, field: FieldId, voxel: u32, amount_per_hour: f32) {
        let rate = amount_per_hour as f64 * field.concentration_per_amount(self.voxel_um3());
        self.sources[field as usize].push((voxel, rate as f32));
    }

    /// Replaces the non-cell sources of a field: (voxel, amount per hour) pairs.
    pub fn set_background(
        &mut self,
        field: FieldId,
        sources: impl IntoIterator<Item = (u32, f32)>,
    ) {
        let per_amount = field.concentration_per_amount(self.voxel_um3());
        let list = &mut self.background[field as usize];
        list.clear();
        list.extend(
            sources
                .into_iter()
                .map(|(v, a)| (v, (a as f64 * per_amount) as f32)),
        );
    }

    /// The non-cell sources of every field, as stored: (voxel, concentration per hour).
    pub(crate) fn background(&self) -> &[Vec<(u32, f32)>; FIELD_COUNT] {
        &self.background
    }

    /// Replaces every field's non-cell sources with stored ones (from a snapshot).
    pub(crate) fn set_background_raw(&mut self, background: Vec<Vec<(u32, f32)>>) {
        for (list, saved) in self.background.iter_mut().zip(background) {
            *list = saved;
        }
    }

    /// Voxels whose centres lie inside the axis-aligned box `[lo, hi)` (µm), in index order.
    pub fn voxels_in_box(&self, lo: [f64; 3], hi: [f64; 3]) -> Vec<u32> {
        self.voxels_where(|c| (0..3).all(|i| c[i] >= lo[i] && c[i] < hi[i]))
    }

    /// Voxels whose centres lie within `radius` µm of `centre`, in index order; at least the
    /// voxel holding the centre.
    pub fn voxels_in_sphere(&self, centre: [f64; 3], radius: f64) -> Vec<u32> {
        let mut found = self.voxels_where(|c| {
            (0..3).map(|i| (c[i] - centre[i]).powi(2)).sum::<f64>() <= radius * radius
        });
        if found.is_empty() {
            found.push(self.voxel_of(centre.map(|v| v as f32)));
        }
        found
    }

    fn voxels_where(&self, inside: impl Fn([f64; 3]) -> bool) -> Vec<u32> {
        let s = self.shape;
        let h = s.voxel_um;
        let mut out = Vec::new();
        for z in 0..s.nz {
            for y in 0..s.ny {
                for x in 0..s.nx {
                    let centre = [x, y, z].map(|i| (i as f64 + 0.5) * h);
                    if inside(centre) {
                        out.push(s.index(x, y, z) as u32);
                    }
                }
            }
        }
        out
    }

    /// Records a continuous uptake for the coming advance: the cell clears `volume_um3_per_hour`
    /// of its voxel per hour, applied after each sub-step's sources as the exact first-order
    /// loss `c ← c·e^{−(V_up/V)·Δt_sub}`. Returns the sink's index, by which
    /// [`FieldGrid::sink_taken`] reports what it took. Call in cell-id order: where several
    /// cells share a voxel, the sinks act in the order recorded.
    pub fn add_sink(&mut self, field: FieldId, voxel: u32, volume_um3_per_hour: f32) -> usize {
        let substep_hours = self.base_solvers[field as usize].dt_hours();
        let rate_per_hour = volume_um3_per_hour as f64 / self.voxel_um3();
        let sinks = &mut self.sinks[field as usize];
        sinks.push(Sink {
            voxel,
            kept_per_substep: (-rate_per_hour * substep_hours).exp() as f32,
            taken: 0.0,
        });
        sinks.len() - 1
    }

    /// Amount sink `index` of `field` took during the last advance, in amount units.
    pub fn sink_taken(&self, field: FieldId, index: usize) -> f32 {
        self.sinks[field as usize][index].taken as f32
    }

    /// Sets `field`'s loss out of the block to `rate_per_hour`, a first-order loss of every
    /// voxel alongside the field's decay: the field flows out while it is made, so a long step
    /// carries what its ticks would.
    pub fn set_outflow(&mut self, field: FieldId, rate_per_hour: f64) {
        let f = field as usize;
        let outflow = &mut self.outflows[f];
        self.recipes[f].1 += rate_per_hour - outflow.rate_per_hour;
        let substep_hours = self.base_solvers[f].dt_hours();
        let loss = self.recipes[f].1;
        let left = (-loss * substep_hours).exp();
        *outflow = Outflow {
            rate_per_hour,
            of_content: rate_per_hour / loss * (1.0 - left),
            of_source: rate_per_hour / loss * (substep_hours - (1.0 - left) / loss),
            taken: outflow.taken,
        };
        self.base_solvers = solvers_for(self.shape, &self.recipes, substep_hours, 1);
        self.solvers = solvers_for(self.shape, &self.recipes, substep_hours, self.span);
    }

    /// The amount of `field` that flowed out since the last call, in amount units.
    pub fn take_outflow(&mut self, field: FieldId) -> f64 {
        std::mem::take(&mut self.outflows[field as usize].taken)
    }

    /// Forgets the recorded sources and sinks (done at the start of every exchange).
    pub fn clear_sources(&mut self) {
        self.sources.iter_mut().for_each(Vec::clear);
        self.sinks.iter_mut().for_each(Vec::clear);
    }

    /// Advances every field by one cell step: sub-steps of source, decay and diffusion, then
    /// negligible values flushed to zero.
    ///
    /// Each sub-step adds the sources (in the order recorded), then applies the sinks, then
    /// steps the solver. A field without sinks or outflow (all but seeds, which motor neurons
    /// take up and a body's connections carry away) has
    /// its sources added inside the solver's step, plane by plane in parallel; per voxel the
    /// additions and their order are the same, so are the results.
    ///
    /// The fields are independent, so they advance concurrently, each also parallel inside:
    /// one field's synchronisation points between sweeps are filled with another's work.
    pub fn advance(&mut self) {
        let voxel_um3 = self.voxel_um3();
        let (nxy, nz) = (self.shape.nx * self.shape.ny, self.shape.nz);
        let substeps = self.substeps;
        let span = self.span;
        let state = self.values.par_iter_mut().zip(&mut self.sinks);
        let state = state.zip(&mut self.outflows).zip(&mut self.by_plane);
        let solvers = self.solvers.par_iter().zip(&self.base_solvers);
        let inputs = solvers.zip(&self.sources);
        let inputs = inputs.zip(&self.background).zip(&FieldId::ALL);
        state.zip(inputs).for_each(
            |(
                (((values, sinks), outflow), by_plane),
                ((((solver, base), sources), background), field),
            )| {
                let all_sources = sources.iter().chain(background);
                if sinks.is_empty() && outflow.rate_per_hour == 0.0 {
                    let increment = solver.source_increment_factor() as f32;
                    by_plane.fill(all_sources, nxy, nz);
                    let add = |k: usize, plane: &mut [f32]| by_plane.add(k, plane, increment);
                    for _ in 0..substeps {
                        solver.step_with(values, add);
                    }
                } else {
                    let (solver, increment) = (base, base.source_increment_factor() as f32);
                    let per_amount = field.concentration_per_amount(voxel_um3);
                    let source_total: f64 = all_sources.clone().map(|&(_, r)| f64::from(r)).sum();
                    for _ in 0..substeps * span {
                        if outflow.rate_per_hour > 0.0 {
                            let content: f64 = values.iter().map(|&c| f64::from(c)).sum();
                            outflow.taken += (outflow.of_content * content
                                + outflow.of_source * source_total)
                                / per_amount;
                        }
                        for &(voxel, rate) in all_sources.clone() {
                            values[voxel as usize] += rate * increment;
                        }
                        for sink in sinks.iter_mut() {
                            let c = &mut values[sink.voxel as usize];
                            let before = *c;
                            *c *= sink.kept_per_substep;
                            sink.taken += f64::from(before - *c) / per_amount;
                        }
                        solver.step(values);
                    }
                }
                flush_negligible(values);
            },
        );
    }

    /// Total amount and maximum concentration of a field. The sum runs in fixed-size chunks
    /// added in order, so it is the same for every thread count.
    pub fn stats(&self, field: FieldId) -> FieldStats {
        let values = &self.values[field as usize];
        let (sums, maxes): (Vec<f64>, Vec<f32>) = values
            .par_chunks(4096)
            .map(|chunk| {
                let sum = chunk.iter().map(|&v| v as f64).sum::<f64>();
                let max = chunk.iter().copied().fold(f32::MIN, f32::max);
                (sum, max)
            })
            .unzip();
        let total_conc: f64 = sums.iter().sum();
        FieldStats {
            total: total_conc * self.voxel_um3() / field.concentration_per_amount(1.0),
            max: maxes.into_iter().fold(0.0f32, f32::max) as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(edit: impl FnOnce(&mut Scenario)) -> FieldGrid {
        let mut s = Scenario::default();
        edit(&mut s);
        FieldGrid::new(&s)
    }

    #[test]
    fn deposits_and_uptake_convert_amounts_exactly() {
        let mut g = grid(|_| {});
        g.deposit(FieldId::Debris, 7, 1.0);
        // One neuron-equivalent in an 8000 µm³ voxel is 125,000 per mm³.
        assert!((g.at(FieldId::Debris, 7) - 125_000.0).abs() < 0.1);
        assert!((g.stats(FieldId::Debris).total - 1.0).abs() < 1e-6);
        // Taking more than is there takes what is there.
        let taken = g.take(FieldId::Debris, 7, 3.0);
        assert!((taken - 1.0).abs() < 1e-6, "{taken}");
        assert_eq!(g.at(FieldId::Debris, 7), 0.0);
        // 1 fg of cytokine in 8000 µm³ is 125 ng/mL.
        g.deposit(FieldId::Tnf, 0, 1.0);
        assert!((g.at(FieldId::Tnf, 0) - 125.0).abs() < 1e-4);
    }

    #[test]
    fn a_sink_takes_exactly_the_first_order_loss_and_conserves_the_amount() {
        // Seeds without decay and with almost no diffusion: one voxel holding 2 a.u., cleared
        // at 10,000 µm³/h out of 8000 µm³, loses 2·(1 − e^{−1.25·t}) over t hours.
        let mut g = grid(|s| {
            s.fields.seeds.decay_per_hour = 0.0;
            s.fields.seeds.diffusion_um2_per_s = 1e-9;
        });
        g.deposit(FieldId::Seeds, 7, 2.0);
        let sink = g.add_sink(FieldId::Seeds, 7, 10_000.0);
        g.advance();
        let taken = f64::from(g.sink_taken(FieldId::Seeds, sink));
        let expected = 2.0 * (1.0 - (-1.25f64).exp());
        assert!((taken - expected).abs() < 1e-5, "{taken} vs {expected}");
        // Nothing is created or lost: what the voxel lost, the sink holds.
        let left = g.stats(FieldId::Seeds).total;
        assert!((left + taken - 2.0).abs() < 1e-5, "{left} + {taken}");
    }

    #[test]
    fn a_sink_keeps_taking_what_flows_in_during_a_long_tick() {
        // A steady source beside the sink's voxel: over one day the sink takes several times
        // what its voxel holds at the end (all a take-once-per-tick rule could get), and the
        // same whether the day is one tick or 24.
        let day_taken = |dt_hours: f64| {
            let mut g = grid(|s| {
                s.time.dt_hours = dt_hours;
                s.time.field_dt_minutes = 30.0;
                s.fields.seeds.decay_per_hour = 0.0;
            });
            let mut taken = 0.0;
            for _ in 0..(24.0 / dt_hours) as usize {
                g.clear_sources();
                g.add_source(FieldId::Seeds, 8, 1.0);
                let sink = g.add_sink(FieldId::Seeds, 7, 10_000.0);
                g.advance();
                taken += f64::from(g.sink_taken(FieldId::Seeds, sink));
            }
            let held = f64::from(g.at(FieldId::Seeds, 7))
                / FieldId::Seeds.concentration_per_amount(8000.0);
            (taken, g.stats(FieldId::Seeds).total, held)
        };
        let (hourly, left_hourly, _) = day_taken(1.0);
        let (daily, left_daily, held) = day_taken(24.0);
        assert!(daily > 3.0 * held, "{daily} vs {held}");
        assert!(
            (hourly - daily).abs() < 1e-4 * hourly,
            "{hourly} vs {daily}"
        );
        // 24 a.u. went in: taken plus what is left.
        assert!(
            (daily + left_daily - 24.0).abs() < 1e-3,
            "{daily} + {left_daily}"
        );
        assert!((left_hourly - left_daily).abs() < 1e-3);
    }

    #[test]
    fn an_outflow_carries_the_exact_first_order_loss_and_conserves_the_amount() {
        // Seeds without decay or sinks, 2 a.u. in one voxel, an outflow of 0.05/h: over a
        // 10-hour tick the block loses 2·(1 − e^{−0.5}), and what it lost is what flowed out.
        let mut g = grid(|s| {
            s.time.dt_hours = 10.0;
            s.fields.seeds.decay_per_hour = 0.0;
        });
        g.deposit(FieldId::Seeds, 7, 2.0);
        g.set_outflow(FieldId::Seeds, 0.05);
        g.advance();
        let carried = g.take_outflow(FieldId::Seeds);
        let expected = 2.0 * -(-0.5f64).exp_m1();
        assert!((carried - expected).abs() < 1e-5, "{carried} vs {expected}");
        let left = g.stats(FieldId::Seeds).total;
        assert!((left + carried - 2.0).abs() < 1e-5, "{left} + {carried}");
        // Taking empties it.
        assert_eq!(g.take_outflow(FieldId::Seeds), 0.0);
    }

    #[test]
    fn an_outflow_carries_the_same_over_one_long_step_as_over_daily_ones() {
        // A steady source S with decay λ and outflow k: eight daily steps and one step of
        // eight days carry out the same, k·∫u = k·S/(λ+k)·(T − (1 − e^{−(λ+k)T})/(λ+k)),
        // nearly 2 times what stands at the end (a take-at-the-end rule carries at most 1).
        let run = |spans: &[u64]| {
            let mut g = grid(|s| {
                s.time.dt_hours = 24.0;
                s.time.field_dt_minutes = 120.0;
                s.fields.seeds.decay_per_hour = 0.05;
            });
            g.set_outflow(FieldId::Seeds, 0.01);
            let mut carried = 0.0;
            for &span in spans {
                g.set_span(span);
                g.clear_sources();
                g.add_source(FieldId::Seeds, 8, 1.0);
                g.advance();
                carried += g.take_outflow(FieldId::Seeds);
            }
            (carried, g.stats(FieldId::Seeds).total)
        };
        let (daily, left_daily) = run(&[1; 8]);
        let (once, left_once) = run(&[8]);
        assert!((daily - once).abs() < 1e-4 * daily, "{daily} vs {once}");
        assert!((left_daily - left_once).abs() < 1e-4 * left_daily);
        // S is 1 a.u./h.
        let (loss, hours) = (0.06f64, 192.0);
        let exact = 0.01 / loss * (hours + (-loss * hours).exp_m1() / loss);
        assert!((once - exact).abs() < 1e-4 * exact, "{once} vs {exact}");
        assert!(once > 1.5 * left_once, "{once} vs {left_once}");
    }

    #[test]
    fn a_stretched_step_follows_the_exact_solution_of_source_and_decay() {
        // A uniform source everywhere: du/dt = S − λu with zero-flux faces has no spatial part,
        // so u(t) = (S/λ)(1 − e^{−λt}) exactly, whatever the sub-step. Steps spanning 1, 3 and
        // 8 ticks (the debris field decays slowly enough to be stretched the whole way).
        let (rate, decay) = (2.0f32, 0.01);
        let mut g = grid(|s| {
            s.time.dt_hours = 24.0;
            s.time.field_dt_minutes = 120.0;
            s.fields.debris.decay_per_hour = decay;
        });
        let voxels = g.shape().voxels() as u32;
        let mut hours = 0.0;
        for span in [1, 3, 8] {
            g.set_span(span);
            g.clear_sources();
            for v in 0..voxels {
                g.add_source(FieldId::Debris, v, rate);
            }
            g.advance();
            hours += 24.0 * span as f64;
            let per_amount = FieldId::Debris.concentration_per_amount(g.voxel_um3());
            let exact = f64::from(rate) * per_amount / decay * -(-decay * hours).exp_m1();
            let got = f64::from(g.at(FieldId::Debris, voxels / 2));
            assert!(
                (got - exact).abs() < 1e-5 * exact,
                "{span}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn a_fast_field_is_stretched_only_to_its_quasi_steady_state() {
        // ROS at 20/h with 2-hour sub-steps decays by e^-40 in one: never stretched (a longer
        // sub-step would overflow the source factor). TNF at 1.386/h stretches to 18 of them.
        let mut g = grid(|s| {
            s.time.dt_hours = 24.0;
            s.time.field_dt_minutes = 120.0;
            s.fields.ros.decay_per_hour = 20.0;
            s.fields.tnf.decay_per_hour = 1.386;
        });
        g.set_span(30);
        let substep = |f: FieldId| g.solvers[f as usize].dt_hours();
        assert_eq!(substep(FieldId::Ros), 2.0);
        assert_eq!(substep(FieldId::Tnf), 36.0);
        assert_eq!(substep(FieldId::Debris), 60.0);
        // Seeds have sinks: their sub-steps stay at the base length, 30 times as many.
        assert_eq!(g.base_solvers[FieldId::Seeds as usize].dt_hours(), 2.0);
    }

    #[test]
    fn a_sink_takes_the_same_over_one_long_step_as_over_many_short_ones() {
        // The seeds' sink keeps base sub-steps under a stretched step: eight daily steps and
        // one step of eight days take the same from a steady source beside it.
        let run = |spans: &[u64]| {
            let mut g = grid(|s| {
                s.time.dt_hours = 24.0;
                s.time.field_dt_minutes = 120.0;
                s.fields.seeds.decay_per_hour = 0.0;
            });
            let mut taken = 0.0;
            for &span in spans {
                g.set_span(span);
                g.clear_sources();
                g.add_source(FieldId::Seeds, 8, 1.0);
                let sink = g.add_sink(FieldId::Seeds, 7, 10_000.0);
                g.advance();
                taken += f64::from(g.sink_taken(FieldId::Seeds, sink));
            }
            (taken, g.stats(FieldId::Seeds).total)
        };
        let (daily, left_daily) = run(&[1; 8]);
        let (once, left_once) = run(&[8]);
        assert!((daily - once).abs() < 1e-4 * daily, "{daily} vs {once}");
        assert!(
            (left_daily - left_once).abs() < 1e-3,
            "{left_daily} vs {left_once}"
        );
        assert!(
            (once + left_once - 192.0).abs() < 1e-2,
            "{once} + {left_once}"
        );
    }

    #[test]
    fn decayed_fields_reach_exact_zero_not_subnormals() {
        let mut g = grid(|s| s.fields.tnf.initial = 1e-28);
        // A day at t½ = 30 min takes 1e-28 through the subnormal range (below 1.2e-38).
        for _ in 0..24 {
            g.advance();
            assert!(
                g.values(FieldId::Tnf)
                    .iter()
                    .all(|v| *v == 0.0 || v.is_normal())
            );
        }
        assert!(g.values(FieldId::Tnf).iter().all(|v| *v == 0.0));
    }
}
