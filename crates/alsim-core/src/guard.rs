//! Numerical guards: a cheap check, after a step, that the fields and every cell's state are
//! finite and within physical bounds. A failure names the quantity, the voxel or cell, the tick
//! and the parameters most likely at fault, so a bad parameter stops the run instead of
//! silently filling the tissue with NaN.
//!
//! The solver keeps concentrations non-negative exactly (its eliminations only add non-negative
//! terms, sinks scale by factors in [0, 1], uptake takes at most what is there), so any value
//! below −[`NEGATIVE_TOLERANCE`] is a fault, not round-off. Fractions may exceed 1 by
//! [`FRACTION_TOLERANCE`] (closed-form steady states computed in f32).

use crate::{CellId, Exchange, FIELD_COUNT, FieldGrid, FieldId, Position, Simulation};
use bevy_ecs::prelude::*;
use rayon::prelude::*;

/// How far below zero a concentration or amount may lie before it counts as a fault.
pub const NEGATIVE_TOLERANCE: f64 = 1e-6;
/// How far above 1 a fraction may lie before it counts as a fault.
pub const FRACTION_TOLERANCE: f64 = 1e-4;

/// A value that is not finite or lies outside its physical range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "numerical guard: {quantity} is {value} at {place} after tick {tick} (day {day}), {expected}; most likely at fault: {suspects}, or a time step too long for them (time.dt_hours, time.field_dt_minutes)"
)]
pub struct NumericalError {
    /// The field or component and its member, e.g. `field tnf`, `Mitochondria.function`.
    pub quantity: String,
    /// The offending value.
    pub value: f64,
    /// Where: `voxel (x, y, z)` or `cell 17`.
    pub place: String,
    /// Ticks completed.
    pub tick: u64,
    /// Simulated days.
    pub day: f64,
    /// What was expected instead, e.g. `expected a finite number >= 0`.
    pub expected: String,
    /// The scenario parameters most likely at fault, by field path.
    pub suspects: &'static str,
}

/// Voxels per chunk of the parallel field scan.
const CHUNK: usize = 4096;
/// Fields of up to this many voxels are scanned in one serial pass.
const PARALLEL_FROM: usize = 1 << 16;

/// Whether every value is finite and not below −[`NEGATIVE_TOLERANCE`]: one branch-free pass
/// (NaN fails both comparisons, infinity the second).
fn amounts_ok(values: &[f32]) -> bool {
    let min = -NEGATIVE_TOLERANCE as f32;
    values
        .iter()
        .fold(true, |ok, &v| ok & (v >= min) & (v <= f32::MAX))
}

/// One checked quantity: its name, value, range and suspects.
pub(crate) struct Quantity {
    name: &'static str,
    value: f64,
    min: f64,
    max: f64,
    suspects: &'static str,
}

impl Quantity {
    fn ok(&self) -> bool {
        self.value.is_finite() && self.value >= self.min && self.value <= self.max
    }

    fn expected(&self) -> String {
        match (self.min.is_finite(), self.max.is_finite()) {
            (true, true) => format!("expected a number in [{}, {}]", self.min, self.max),
            (true, false) => format!("expected a finite number >= {}", self.min),
            _ => "expected a finite number".to_string(),
        }
    }
}

pub(crate) fn amount(
    name: &'static str,
    value: impl Into<f64>,
    suspects: &'static str,
) -> Quantity {
    Quantity {
        name,
        value: value.into(),
        min: -NEGATIVE_TOLERANCE,
        max: f64::INFINITY,
        suspects,
    }
}

pub(crate) fn fraction(name: &'static str, value: f64, suspects: &'static str) -> Quantity {
    Quantity {
        name,
        value,
        min: -NEGATIVE_TOLERANCE,
        max: 1.0 + FRACTION_TOLERANCE,
        suspects,
    }
}

/// The parameters that feed a field, by field path.
fn field_suspects(field: FieldId) -> &'static str {
    match field {
        FieldId::Tnf => {
            "mechanisms.microglia.tnf_secretion_fg_per_hour, fields.tnf (decay_per_hour, diffusion_um2_per_s, initial, boundary), a Trauma event's tnf_fg"
        }
        FieldId::Il10 => {
            "mechanisms.microglia (anti-inflammatory secretion), fields.il10 (decay_per_hour, diffusion_um2_per_s, initial, boundary)"
        }
        FieldId::Debris => {
            "mechanisms.cell_death.debris_per_neuron, mechanisms.microglia.phagocytosis_neurons_per_day, fields.debris, a Trauma event's debris"
        }
        FieldId::Ros => {
            "mechanisms.mitochondria.ros_leak_per_hour, mechanisms.microglia.ros_secretion_fmol_per_hour, fields.ros, a Toxin event's ros_fmol_per_hour_per_mm3"
        }
        FieldId::Seeds => {
            "mechanisms.aggregation.seed_release_per_day, mechanisms.microglia.seed_uptake_au_per_day, fields.seeds"
        }
    }
}

/// The mechanisms that move cells, for a position outside the tissue.
const MOVERS: &str =
    "mechanisms.microglia (chemotaxis_um_per_hour, daughter_distance_um, proliferation_per_day)";
const EXCHANGE: &str = "the secretion and uptake rates of mechanisms.microglia, mechanisms.mitochondria and mechanisms.aggregation";

/// Where a value failed.
pub(crate) enum Place {
    /// A cell's component.
    Cell(CellId),
    /// A resource, named as the report shows it (e.g. `the muscle`).
    Other(&'static str),
}

/// A value of a mechanism's state that failed its bounds (see [`crate::Mechanism::check`]).
pub struct Fault {
    place: Place,
    /// Component or resource and member, e.g. `Mitochondria.function`.
    quantity: String,
    q: Quantity,
}

impl Fault {
    fn new(place: Place, component: &str, q: Quantity) -> Self {
        let quantity = if q.name.is_empty() {
            component.to_string()
        } else {
            format!("{component}.{}", q.name)
        };
        Self { place, quantity, q }
    }
}

/// The failing quantity of component `C` in the cell of lowest id, if any (the first failing
/// quantity of that cell, in the order `quantities` lists them).
pub(crate) fn cells<C: Component, const N: usize>(
    world: &mut World,
    component: &'static str,
    quantities: impl Fn(&C) -> [Quantity; N],
) -> Option<Fault> {
    let mut q = world.query::<(&CellId, &C)>();
    scan(q.iter(world), component, quantities)
}

fn scan<'a, C: Component, const N: usize>(
    cells: impl IntoIterator<Item = (&'a CellId, &'a C)>,
    component: &'static str,
    quantities: impl Fn(&C) -> [Quantity; N],
) -> Option<Fault> {
    let mut worst: Option<(CellId, Quantity)> = None;
    for (id, c) in cells {
        if worst.as_ref().is_some_and(|(w, _)| w <= id) {
            continue;
        }
        if let Some(bad) = quantities(c).into_iter().find(|q| !q.ok()) {
            worst = Some((*id, bad));
        }
    }
    worst.map(|(id, q)| Fault::new(Place::Cell(id), component, q))
}

/// The first failing quantity of a resource, reported at `place`.
pub(crate) fn resource<const N: usize>(
    place: &'static str,
    resource: &'static str,
    quantities: [Quantity; N],
) -> Option<Fault> {
    quantities
        .into_iter()
        .find(|q| !q.ok())
        .map(|q| Fault::new(Place::Other(place), resource, q))
}

/// The core's own components: positions inside the tissue, finite non-negative exchanges.
fn check_core_cells(world: &mut World) -> [Option<Fault>; 2] {
    let s = world.resource::<FieldGrid>().shape();
    let edges = [s.nx, s.ny, s.nz].map(|n| n as f64 * s.voxel_um);
    let positions = cells(world, "Position", |p: &Position| {
        [0, 1, 2].map(|i| Quantity {
            name: ["x", "y", "z"][i],
            value: p.0[i].into(),
            min: 0.0,
            max: edges[i],
            suspects: MOVERS,
        })
    });
    // The twenty exchange slots are itemised only for a cell whose slots fail the one
    // branch-free pass: nearly all the cells, nearly all the time.
    let exchange_ok = |e: &Exchange| {
        [
            e.secretion_per_hour,
            e.uptake,
            e.clearance_um3_per_hour,
            e.absorbed,
        ]
        .iter()
        .all(|a| amounts_ok(a))
    };
    let mut q = world.query::<(&CellId, &Exchange)>();
    let failing = q.iter(world).filter(|(_, e)| !exchange_ok(e));
    let exchanges = scan(failing, "Exchange", |e| {
        let slots = [
            ("secretion_per_hour", e.secretion_per_hour),
            ("uptake", e.uptake),
            ("clearance_um3_per_hour", e.clearance_um3_per_hour),
            ("absorbed", e.absorbed),
        ];
        std::array::from_fn::<_, { 4 * FIELD_COUNT }, _>(|i| {
            let (name, values) = slots[i / FIELD_COUNT];
            amount(name, values[i % FIELD_COUNT], EXCHANGE)
        })
    });
    [positions, exchanges]
}

impl Simulation {
    /// Checks that every field value and every cell's state is finite and within its physical
    /// range. Where several values fail, the first voxel (in field order) or the lowest cell id
    /// is named, so the report does not depend on the thread count.
    pub fn check_state(&mut self) -> Result<(), NumericalError> {
        self.in_pool(Self::check_here)
    }

    fn check_here(&mut self) -> Result<(), NumericalError> {
        let tick = self.tick();
        let day = self.time_days();
        let fail = |q: &Quantity, quantity: String, place: String| NumericalError {
            quantity,
            value: q.value,
            place,
            tick,
            day,
            expected: q.expected(),
            suspects: q.suspects,
        };
        let grid = self.world.resource::<FieldGrid>();
        for field in FieldId::ALL {
            let values = grid.values(field);
            let bad_in = |chunk: &[f32]| {
                (!amounts_ok(chunk)).then(|| {
                    chunk
                        .iter()
                        .position(|&v| !amounts_ok(&[v]))
                        .expect("a chunk that fails has a failing value")
                })
            };
            // Small grids in one pass: a parallel call costs more than it saves there.
            let bad = if values.len() <= PARALLEL_FROM {
                bad_in(values)
            } else {
                values
                    .par_chunks(CHUNK)
                    .enumerate()
                    .find_map_first(|(c, chunk)| bad_in(chunk).map(|i| c * CHUNK + i))
            };
            if let Some(i) = bad {
                let q = amount("", values[i], field_suspects(field));
                let s = grid.shape();
                let (x, y, z) = s.coords(i);
                return Err(fail(
                    &q,
                    format!("field {}", field.name()),
                    format!("voxel ({x}, {y}, {z})"),
                ));
            }
        }
        let mut faults: Vec<Fault> = check_core_cells(&mut self.world)
            .into_iter()
            .flatten()
            .collect();
        for m in &self.mechanisms {
            faults.extend(m.check(&mut self.world));
        }
        // A resource's fault first; else the lowest cell id (the first reported on a tie).
        let first = faults
            .iter()
            .position(|f| matches!(f.place, Place::Other(_)))
            .or_else(|| {
                faults
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| match f.place {
                        Place::Cell(id) => Some((id, i)),
                        Place::Other(_) => None,
                    })
                    .min()
                    .map(|(_, i)| i)
            });
        match first.map(|i| faults.swap_remove(i)) {
            Some(f) => Err(fail(
                &f.q,
                f.quantity,
                match f.place {
                    Place::Cell(id) => format!("cell {}", id.0),
                    Place::Other(place) => place.to_string(),
                },
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mechanisms::mitochondria::Mitochondria;
    use alsim_scenario::Scenario;

    fn stepped() -> Simulation {
        let mut s = Scenario::default();
        s.time.duration_days = 1.0;
        let mut sim = Simulation::new(&s).unwrap();
        for _ in 0..3 {
            sim.step();
        }
        sim
    }

    #[test]
    fn a_healthy_run_passes_every_tick() {
        let mut s = Scenario::default();
        s.time.duration_days = 3.0;
        let mut sim = Simulation::new(&s).unwrap();
        while !sim.is_finished() {
            sim.step();
            sim.check_state().unwrap();
        }
    }

    #[test]
    fn a_non_finite_field_value_names_field_voxel_tick_and_suspects() {
        let mut sim = stepped();
        let shape = sim.world().resource::<FieldGrid>().shape();
        let voxel = shape.index(3, 4, 5);
        sim.world_mut()
            .resource_mut::<FieldGrid>()
            .values_mut(FieldId::Tnf)[voxel] = f32::NAN;
        let err = sim.check_state().unwrap_err();
        assert_eq!(err.quantity, "field tnf");
        assert_eq!(err.place, "voxel (3, 4, 5)");
        assert_eq!(err.tick, 3);
        assert!(err.suspects.contains("tnf_secretion_fg_per_hour"));
        let text = err.to_string();
        assert!(
            text.contains("field tnf is NaN at voxel (3, 4, 5) after tick 3"),
            "{text}"
        );
    }

    #[test]
    fn a_negative_concentration_beyond_round_off_fails_and_round_off_passes() {
        let mut sim = stepped();
        let mut grid = sim.world_mut().resource_mut::<FieldGrid>();
        grid.values_mut(FieldId::Debris)[7] = -(NEGATIVE_TOLERANCE as f32) / 2.0;
        sim.check_state().unwrap();
        sim.world_mut()
            .resource_mut::<FieldGrid>()
            .values_mut(FieldId::Debris)[7] = -1e-3;
        let err = sim.check_state().unwrap_err();
        assert_eq!(
            (err.quantity.as_str(), err.value),
            ("field debris", -1e-3f32 as f64)
        );
        assert!(err.expected.contains(">= -0.000001"), "{}", err.expected);
    }

    #[test]
    fn a_bad_cell_state_names_component_and_lowest_cell_id() {
        let mut sim = stepped();
        let world = sim.world_mut();
        let mut q = world.query::<(&CellId, &mut Mitochondria)>();
        let mut ids: Vec<CellId> = q.iter(world).map(|(id, _)| *id).collect();
        ids.sort();
        for (id, mut m) in q.iter_mut(world) {
            if *id == ids[2] {
                m.function = 1.5;
            }
            if *id == ids[5] {
                m.ros = f32::INFINITY;
            }
        }
        let err = sim.check_state().unwrap_err();
        assert_eq!(err.quantity, "Mitochondria.function");
        assert_eq!(err.place, format!("cell {}", ids[2].0));
        assert!(err.suspects.starts_with("mechanisms.mitochondria"));
        assert!(
            err.expected.contains("in [-0.000001, 1.0001]"),
            "{}",
            err.expected
        );
    }
}
