//! Saved state: the whole changing state of a simulation as plain data, and a simulation rebuilt
//! from one, for checkpoints.
//!
//! A saved state holds what a tick changes and nothing the scenario determines: the clock, the
//! next cell id, every cell with the core's components (kind, position, voxel, exchange, life
//! state), the field values and their non-cell sources, the summary's milestones, and one
//! record per mechanism that is on, which the mechanism writes and reads itself
//! ([`crate::Mechanism::persist`]: its per-cell components and evolving resources; parameters
//! are never saved, since no mechanism rewrites them). Random streams need no state: they are
//! keyed by (seed, cell id, tick, purpose). Restoring builds the world from the scenario as
//! [`Simulation::new`] does, then replaces that state, so a restored run continues bit for bit
//! as the original would have (`tests/checkpoint.rs`). Resources rebuilt every tick before they
//! are read (microglial crowding, the astrocyte map, the exchange's sinks, the therapy and
//! ageing factors) are not saved.
//!
//! A saved state may also continue a scenario that adds therapy courses starting at or after
//! its tick (a virtual trial's arms forking from the person at randomisation): the courses it
//! holds must open the scenario's list, and the rest start fresh, as they would have stood in a
//! run of that scenario from the beginning.
//!
//! Field values are borrowed when saving (`Cow`), so a checkpoint of a large grid does not copy
//! it in memory before it is written.

use crate::mechanism::{MechanismRecord, Persist};
use crate::observe::{Census, Summary};
use crate::{
    Astrocyte, CellId, CellKind, Clock, Exchange, FIELD_COUNT, FieldGrid, LifeState, Microglia,
    MotorNeuron, NextCellId, Position, Simulation, Voxel,
};
use alsim_scenario::Scenario;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The changing state of a simulation after some ticks. Serialise it with any serde format;
/// [`Simulation::restore`] turns it back into a simulation of the same scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedState<'a> {
    /// Ticks completed.
    pub tick: u64,
    /// Ticks the last step spanned: what the cells' last uptake was taken over.
    last_span: u64,
    next_cell_id: u64,
    census: Census,
    summary: Summary,
    /// Field values in [`crate::FieldId`] order, x fastest.
    fields: Vec<Cow<'a, [f32]>>,
    /// Non-cell sources (toxins) per field: (voxel, concentration per hour).
    background: Vec<Vec<(u32, f32)>>,
    /// Every cell, in [`CellId`] order.
    cells: Vec<SavedCell>,
    /// One record per mechanism that is on, in [`crate::mechanisms::ALL`] order.
    mechanisms: Vec<MechanismRecord>,
}

/// One cell's core components; the mechanisms' components are in their records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SavedCell {
    id: u64,
    kind: CellKind,
    position: [f32; 3],
    voxel: u32,
    /// What it exchanges with the fields (astrocytes exchange nothing).
    exchange: Option<Exchange>,
    life: Option<LifeState>,
}

/// Why a saved state cannot continue a scenario.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The scenario itself could not be built.
    #[error(transparent)]
    Build(#[from] crate::BuildError),
    /// The state was saved from another scenario (or is damaged beyond its checksum).
    #[error("the checkpoint does not belong to this scenario: {0}")]
    Mismatch(String),
}

impl Simulation {
    /// The simulation's changing state, borrowing the field values.
    pub fn save_state(&mut self) -> SavedState<'_> {
        let mut q = self.world.query::<(
            &CellId,
            &Position,
            &Voxel,
            Option<&Exchange>,
            Option<&LifeState>,
            Has<MotorNeuron>,
            Has<Microglia>,
        )>();
        let mut cells: Vec<SavedCell> = q
            .iter(&self.world)
            .map(|(id, position, voxel, exchange, life, mn, mg)| SavedCell {
                id: id.0,
                kind: match (mn, mg) {
                    (true, _) => CellKind::MotorNeuron,
                    (_, true) => CellKind::Microglia,
                    _ => CellKind::Astrocyte,
                },
                position: position.0,
                voxel: voxel.0,
                exchange: exchange.copied(),
                life: life.copied(),
            })
            .collect();
        cells.sort_unstable_by_key(|c| c.id);
        let mechanisms = self
            .mechanisms
            .iter()
            .map(|m| {
                let mut parts = Vec::new();
                m.persist(&mut Persist::saving(&mut self.world, m.name(), &mut parts))
                    .expect("saving cannot fail");
                MechanismRecord {
                    name: m.name().to_string(),
                    parts,
                }
            })
            .collect();
        let w = &self.world;
        let grid = w.resource::<FieldGrid>();
        SavedState {
            tick: w.resource::<Clock>().tick,
            last_span: w.resource::<Clock>().span,
            next_cell_id: w.resource::<NextCellId>().0,
            census: *w.resource::<Census>(),
            summary: self.summary.clone(),
            fields: crate::FieldId::ALL
                .map(|f| Cow::Borrowed(grid.values(f)))
                .to_vec(),
            background: grid.background().to_vec(),
            cells,
            mechanisms,
        }
    }

    /// Rebuilds the simulation of `scenario` as it stood when `state` was saved. Refuses a
    /// saved state that does not fit the scenario (grid size, mechanisms on, cell ids, voxels).
    pub fn restore(scenario: &Scenario, state: SavedState<'_>) -> Result<Self, RestoreError> {
        let mut sim = Simulation::new(scenario)?;
        let mismatch = |what: String| Err(RestoreError::Mismatch(what));
        let voxels = sim.world.resource::<FieldGrid>().shape().voxels();
        if state.fields.len() != FIELD_COUNT
            || state.background.len() != FIELD_COUNT
            || state.fields.iter().any(|f| f.len() != voxels)
        {
            return mismatch(format!(
                "its fields are not {FIELD_COUNT} grids of {voxels} voxels"
            ));
        }
        if state.tick > sim.total_ticks {
            return mismatch(format!(
                "it is at tick {} but the scenario runs {} ticks",
                state.tick, sim.total_ticks
            ));
        }
        let in_grid = |v: u32| (v as usize) < voxels;
        if let Some(c) = state.cells.iter().find(|c| !in_grid(c.voxel)) {
            return mismatch(format!("cell {} lies outside the grid", c.id));
        }
        if state.background.iter().flatten().any(|(v, _)| !in_grid(*v)) {
            return mismatch("a toxin source lies outside the grid".into());
        }
        if state.cells.windows(2).any(|w| w[0].id >= w[1].id)
            || state
                .cells
                .last()
                .is_some_and(|c| c.id >= state.next_cell_id)
        {
            return mismatch("its cell ids are not unique and below the next id".into());
        }
        let saved: Vec<&str> = state.mechanisms.iter().map(|r| r.name.as_str()).collect();
        // A mechanism the checkpoint lacks may come on if its fresh state is its state then.
        let on: Vec<&str> = sim
            .mechanisms
            .iter()
            .filter(|m| saved.contains(&m.name()) || !m.is_untouched_until(&sim.world, state.tick))
            .map(|m| m.name())
            .collect();
        if let Some(name) = crate::mechanisms::ALL
            .iter()
            .map(|m| m.name())
            .find(|n| on.contains(n) != saved.contains(n))
        {
            let (was, is) = if saved.contains(&name) {
                ("on", "off")
            } else {
                ("off", "on")
            };
            return mismatch(format!(
                "{name} is {was} in the checkpoint but {is} in the scenario"
            ));
        }
        if on != saved {
            return mismatch("its mechanisms are out of order".into());
        }

        let world = &mut sim.world;
        let old: Vec<Entity> = world
            .query_filtered::<Entity, With<CellId>>()
            .iter(world)
            .collect();
        for entity in old {
            world.despawn(entity);
        }
        // Spawned in voxel order, as `Simulation::new` stores glia, so the tables keep the
        // cache-friendly layout the cell systems were measured with. Glia are spawned whole
        // (their mechanisms' components are required components of their markers), so the
        // mechanisms' records overwrite them in place.
        let mut cells = state.cells;
        cells.sort_unstable_by_key(|c| (c.voxel, c.id));
        let mut spawned = Vec::with_capacity(cells.len());
        for c in cells {
            let mut e = world.spawn((CellId(c.id), Position(c.position), Voxel(c.voxel)));
            insert(&mut e, c.exchange);
            match c.kind {
                CellKind::MotorNeuron => e.insert(MotorNeuron),
                CellKind::Microglia => e.insert(Microglia),
                CellKind::Astrocyte => e.insert(Astrocyte),
            };
            insert(&mut e, c.life);
            spawned.push((CellId(c.id), e.id()));
        }
        let mut clock = world.resource_mut::<Clock>();
        clock.tick = state.tick;
        clock.span = state.last_span.max(1);
        let mut records = state.mechanisms.into_iter().peekable();
        for m in &sim.mechanisms {
            let Some(record) = records.next_if(|r| r.name == m.name()) else {
                continue;
            };
            let mut persist = Persist::restoring(world, m.name(), record, &spawned);
            m.persist(&mut persist)?;
            persist.finish()?;
        }
        world.resource_mut::<NextCellId>().0 = state.next_cell_id;
        *world.resource_mut::<Census>() = state.census;
        let mut grid = world.resource_mut::<FieldGrid>();
        for (f, values) in crate::FieldId::ALL.into_iter().zip(state.fields) {
            grid.values_mut(f).copy_from_slice(&values);
        }
        grid.set_background_raw(state.background);
        sim.summary = state.summary;
        Ok(sim)
    }
}

fn insert<C: Component>(entity: &mut EntityWorldMut, component: Option<C>) {
    if let Some(c) = component {
        entity.insert(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy_ecs::component::ComponentId;

    /// Every mechanism on, a toxin window, a trauma, an excision, a therapy course that starts and
    /// ends and one that runs on,
    /// and damage high enough that neurons die and microglia divide within the run.
    pub(crate) fn eventful() -> Scenario {
        let s = Scenario::from_ron_str(
            r#"(
                name: "eventful",
                time: (duration_days: 4.0),
                mechanisms: (neuron_damage: (intrinsic_damage_per_day: 0.6)),
                events: [
                    Toxin(start_day: 0.5, end_day: 2.0, region: Whole, ros_fmol_per_hour_per_mm3: 60000.0),
                    Trauma(day: 1.0, centre_um: (200.0, 100.0, 100.0), radius_um: 100.0, damage: 0.5, debris: 5.0, tnf_fg: 5000.0),
                ],
                genotype: Sod1(Typical),
                excisions: [(day: 2.0, cells: Microglia)],
                interventions: [
                    (therapy: Antisense(target: Sod1), start: Day(1.5), duration_days: 1.0),
                    (therapy: AntiGlutamate(), start: Day(0.5)),
                ],
            )"#,
            "eventful",
        )
        .unwrap();
        s.validate("eventful").unwrap();
        s
    }

    /// Whether two simulations are in the same state, bit for bit (`Debug` prints every float
    /// in its shortest exact form).
    fn same(a: &mut Simulation, b: &mut Simulation) -> bool {
        format!("{:?}", a.save_state()) == format!("{:?}", b.save_state())
    }

    fn steps(sim: &mut Simulation, n: u64) {
        for _ in 0..n {
            sim.step();
        }
    }

    #[test]
    fn a_restored_simulation_continues_bit_for_bit() {
        let scenario = eventful();
        for split in [0, 30, 40] {
            let mut original = Simulation::new(&scenario).unwrap();
            steps(&mut original, split);
            let mut restored = Simulation::restore(&scenario, original.save_state()).unwrap();
            assert!(
                same(&mut restored, &mut original),
                "restored state differs at tick {split}"
            );
            while !original.is_finished() {
                original.step();
                restored.step();
                assert_eq!(original.observe(), restored.observe());
            }
            assert!(restored.is_finished());
            assert_eq!(restored.summary(), original.summary());
            assert!(
                same(&mut restored, &mut original),
                "final state differs after resuming at tick {split}"
            );
        }
        let mut done = Simulation::new(&scenario).unwrap();
        steps(&mut done, 96);
        assert!(
            done.summary().days_to_10pct_mn_loss.is_some(),
            "the scenario exercises deaths: {:?}",
            done.summary()
        );
    }

    #[test]
    fn every_component_of_every_cell_is_saved() {
        let mut sim = Simulation::new(&eventful()).unwrap();
        steps(&mut sim, 60);
        let mechanisms = sim.mechanisms.clone();
        let world = sim.world_mut();
        let mut saved: Vec<ComponentId> = vec![
            world.register_component::<CellId>(),
            world.register_component::<Position>(),
            world.register_component::<Voxel>(),
            world.register_component::<Exchange>(),
            world.register_component::<MotorNeuron>(),
            world.register_component::<Microglia>(),
            world.register_component::<Astrocyte>(),
            world.register_component::<LifeState>(),
        ];
        for m in mechanisms {
            let mut parts = Vec::new();
            let mut persist = Persist::saving(world, m.name(), &mut parts);
            m.persist(&mut persist).unwrap();
            saved.extend_from_slice(persist.components());
        }
        let cell_id = saved[0];
        let mut archetypes = 0;
        for archetype in world.archetypes().iter().filter(|a| !a.is_empty()) {
            if archetype.components().contains(&cell_id) {
                archetypes += 1;
                for c in archetype.components() {
                    assert!(
                        saved.contains(c),
                        "a cell carries component {:?} that no checkpoint record saves",
                        world.components().get_info(*c).map(|i| i.name())
                    );
                }
            }
        }
        assert!(archetypes >= 3, "motor neurons, microglia and astrocytes");
    }

    #[test]
    fn a_saved_state_of_another_scenario_is_refused() {
        let scenario = eventful();
        let mut sim = Simulation::new(&scenario).unwrap();
        steps(&mut sim, 5);
        let mut bigger = scenario.clone();
        bigger.tissue.size_um.0 += bigger.tissue.voxel_um;
        let err = Simulation::restore(&bigger, sim.save_state())
            .err()
            .unwrap();
        assert!(err.to_string().contains("grids of"), "{err}");
        let mut fewer = scenario.clone();
        fewer.mechanisms.microglia = None;
        let err = Simulation::restore(&fewer, sim.save_state()).err().unwrap();
        assert!(
            err.to_string()
                .contains("microglia is on in the checkpoint"),
            "{err}"
        );
    }
}
