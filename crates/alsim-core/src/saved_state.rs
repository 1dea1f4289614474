//! Saved state: the whole changing state of a simulation as plain data, and a simulation rebuilt
//! from one, for checkpoints.
//!
//! A saved state holds what a tick changes and nothing the scenario determines: the clock, the next
//! cell id, every cell with every component, the field values and their non-cell sources, the
//! mechanism resources that evolve (parameters rescaled by therapies or ageing, the clinical
//! readout, therapy courses, events) and the summary's milestones. Random streams need no state:
//! they are keyed by (seed, cell id, tick, purpose). Restoring builds the world from the scenario
//! as [`Simulation::new`] does, then replaces that state, so a restored run continues bit for
//! bit as the original would have (`tests/checkpoint.rs`). Resources rebuilt every tick before
//! they are read (microglial crowding, the astrocyte map, the exchange's sinks) are not saved.
//!
//! Field values are borrowed when saving (`Cow`), so a checkpoint of a large grid does not copy
//! it in memory before it is written.

use crate::mechanisms::aggregation::{Aggregates, AggregationConfig};
use crate::mechanisms::astrocytes::{AstrocyteConfig, Reactivity, Support};
use crate::mechanisms::cell_death::CellDeathConfig;
use crate::mechanisms::environment::Environment;
use crate::mechanisms::interventions::Therapies;
use crate::mechanisms::microglia::{MicrogliaConfig, MicrogliaState};
use crate::mechanisms::mitochondria::{Mitochondria, MitochondriaConfig};
use crate::mechanisms::motor_units::{Clinical, MotorUnit, MotorUnitConfig};
use crate::mechanisms::neuron_damage::{Damage, NeuronDamageConfig, Vulnerability};
use crate::mechanisms::transport::{Transport, TransportConfig};
use crate::observe::{Census, Summary};
use crate::{
    Astrocyte, CellId, Clock, Exchange, FIELD_COUNT, FieldGrid, LifeState, Microglia, MotorNeuron,
    NextCellId, Position, Simulation, Voxel,
};
use alsim_scenario::Scenario;
use alsim_scenario::mechanisms::{
    AggregationParams, AstrocyteParams, CellDeathParams, MicrogliaParams, MitochondriaParams,
    MotorUnitParams, NeuronDamageParams, TransportParams,
};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The changing state of a simulation after some ticks. Serialise it with any serde format;
/// [`Simulation::restore`] turns it back into a simulation of the same scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedState<'a> {
    /// Ticks completed.
    pub tick: u64,
    next_cell_id: u64,
    census: Census,
    summary: Summary,
    /// Field values in [`crate::FieldId`] order, x fastest.
    fields: Vec<Cow<'a, [f32]>>,
    /// Non-cell sources (toxins) per field: (voxel, concentration per hour).
    background: Vec<Vec<(u32, f32)>>,
    /// Every cell, in [`CellId`] order.
    cells: Vec<CellRecord>,
    resources: Resources,
}

/// Which population a cell belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum CellKind {
    MotorNeuron,
    Microglia,
    Astrocyte,
}

/// One cell with every component it may carry; `None` for a component it does not have.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct CellRecord {
    id: u64,
    kind: CellKind,
    position: [f32; 3],
    voxel: u32,
    /// What it exchanges with the fields (astrocytes exchange nothing).
    exchange: Option<Exchange>,
    life: Option<LifeState>,
    aggregates: Option<Aggregates>,
    mitochondria: Option<Mitochondria>,
    transport: Option<Transport>,
    damage: Option<Damage>,
    vulnerability: Option<Vulnerability>,
    motor_unit: Option<MotorUnit>,
    microglia: Option<MicrogliaState>,
    reactivity: Option<Reactivity>,
    support: Option<Support>,
}

/// Mechanism resources that change during a run; `None` where the mechanism is off.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Resources {
    aggregation: Option<AggregationParams>,
    mitochondria: Option<MitochondriaParams>,
    transport: Option<TransportParams>,
    microglia: Option<MicrogliaParams>,
    astrocytes: Option<AstrocyteParams>,
    neuron_damage: Option<NeuronDamageParams>,
    cell_death: Option<CellDeathParams>,
    motor_units: Option<MotorUnitParams>,
    clinical: Option<Clinical>,
    therapies: Option<Therapies>,
    environment: Option<Environment>,
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

/// Puts a saved resource back in place of the one the scenario built; both must exist or
/// neither (a mechanism on in one and off in the other means another scenario).
fn put<R: Resource>(world: &mut World, saved: Option<R>, name: &str) -> Result<(), RestoreError> {
    match (saved, world.contains_resource::<R>()) {
        (Some(r), true) => {
            world.insert_resource(r);
            Ok(())
        }
        (None, false) => Ok(()),
        (saved, _) => Err(RestoreError::Mismatch(format!(
            "{name} is {} in the checkpoint but {} in the scenario",
            if saved.is_some() { "on" } else { "off" },
            if saved.is_some() { "off" } else { "on" },
        ))),
    }
}

impl Simulation {
    /// The simulation's changing state, borrowing the field values.
    pub fn save_state(&mut self) -> SavedState<'_> {
        let mut q = self.world.query::<(
            &CellId,
            &Position,
            &Voxel,
            Option<&Exchange>,
            (
                Has<MotorNeuron>,
                Has<Microglia>,
                Option<&LifeState>,
                Option<&Aggregates>,
                Option<&Mitochondria>,
                Option<&Transport>,
                Option<&Damage>,
                Option<&Vulnerability>,
                Option<&MotorUnit>,
                Option<&MicrogliaState>,
                Option<&Reactivity>,
                Option<&Support>,
            ),
        )>();
        let mut cells: Vec<CellRecord> = q
            .iter(&self.world)
            .map(|(id, position, voxel, exchange, rest)| {
                let (mn, mg, life, agg, mito, tr, dmg, vul, mu, mgs, re, sup) = rest;
                CellRecord {
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
                    aggregates: agg.copied(),
                    mitochondria: mito.copied(),
                    transport: tr.copied(),
                    damage: dmg.copied(),
                    vulnerability: vul.copied(),
                    motor_unit: mu.copied(),
                    microglia: mgs.copied(),
                    reactivity: re.copied(),
                    support: sup.copied(),
                }
            })
            .collect();
        cells.sort_unstable_by_key(|c| c.id);
        let w = &self.world;
        let resources = Resources {
            aggregation: w.get_resource::<AggregationConfig>().map(|c| c.0.clone()),
            mitochondria: w.get_resource::<MitochondriaConfig>().map(|c| c.0.clone()),
            transport: w.get_resource::<TransportConfig>().map(|c| c.0.clone()),
            microglia: w.get_resource::<MicrogliaConfig>().map(|c| c.0.clone()),
            astrocytes: w.get_resource::<AstrocyteConfig>().map(|c| c.0.clone()),
            neuron_damage: w.get_resource::<NeuronDamageConfig>().map(|c| c.0.clone()),
            cell_death: w.get_resource::<CellDeathConfig>().map(|c| c.0.clone()),
            motor_units: w.get_resource::<MotorUnitConfig>().map(|c| c.0.clone()),
            clinical: w.get_resource::<Clinical>().cloned(),
            therapies: w.get_resource::<Therapies>().cloned(),
            environment: w.get_resource::<Environment>().cloned(),
        };
        let grid = w.resource::<FieldGrid>();
        SavedState {
            tick: w.resource::<Clock>().tick,
            next_cell_id: w.resource::<NextCellId>().0,
            census: *w.resource::<Census>(),
            summary: self.summary.clone(),
            fields: crate::FieldId::ALL
                .map(|f| Cow::Borrowed(grid.values(f)))
                .to_vec(),
            background: grid.background().to_vec(),
            cells,
            resources,
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

        let world = &mut sim.world;
        let old: Vec<Entity> = world
            .query_filtered::<Entity, With<CellId>>()
            .iter(world)
            .collect();
        for entity in old {
            world.despawn(entity);
        }
        // Spawned in voxel order, as `Simulation::new` stores glia, so the tables keep the
        // cache-friendly layout the cell systems were measured with.
        let mut cells = state.cells;
        cells.sort_unstable_by_key(|c| (c.voxel, c.id));
        for c in cells {
            let mut e = world.spawn((CellId(c.id), Position(c.position), Voxel(c.voxel)));
            insert(&mut e, c.exchange);
            match c.kind {
                CellKind::MotorNeuron => e.insert(MotorNeuron),
                CellKind::Microglia => e.insert(Microglia),
                CellKind::Astrocyte => e.insert(Astrocyte),
            };
            insert(&mut e, c.life);
            insert(&mut e, c.aggregates);
            insert(&mut e, c.mitochondria);
            insert(&mut e, c.transport);
            insert(&mut e, c.damage);
            insert(&mut e, c.vulnerability);
            insert(&mut e, c.motor_unit);
            insert(&mut e, c.microglia);
            insert(&mut e, c.reactivity);
            insert(&mut e, c.support);
        }
        let r = state.resources;
        put(world, r.aggregation.map(AggregationConfig), "aggregation")?;
        put(
            world,
            r.mitochondria.map(MitochondriaConfig),
            "mitochondria",
        )?;
        put(world, r.transport.map(TransportConfig), "transport")?;
        put(world, r.microglia.map(MicrogliaConfig), "microglia")?;
        put(world, r.astrocytes.map(AstrocyteConfig), "astrocytes")?;
        put(
            world,
            r.neuron_damage.map(NeuronDamageConfig),
            "neuron_damage",
        )?;
        put(world, r.cell_death.map(CellDeathConfig), "cell_death")?;
        put(world, r.motor_units.map(MotorUnitConfig), "motor_units")?;
        put(world, r.clinical, "the clinical readout")?;
        put(world, r.therapies, "interventions")?;
        put(world, r.environment, "events")?;
        world.resource_mut::<Clock>().tick = state.tick;
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

    /// Every mechanism on, a toxin window, a trauma and a therapy course that starts and ends,
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
                interventions: [(therapy: Antisense(0.4), start: Day(1.5), duration_days: 1.0)],
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
        let world = sim.world_mut();
        let saved: Vec<ComponentId> = [
            world.register_component::<CellId>(),
            world.register_component::<Position>(),
            world.register_component::<Voxel>(),
            world.register_component::<Exchange>(),
            world.register_component::<MotorNeuron>(),
            world.register_component::<Microglia>(),
            world.register_component::<Astrocyte>(),
            world.register_component::<LifeState>(),
            world.register_component::<Aggregates>(),
            world.register_component::<Mitochondria>(),
            world.register_component::<Transport>(),
            world.register_component::<Damage>(),
            world.register_component::<Vulnerability>(),
            world.register_component::<MotorUnit>(),
            world.register_component::<MicrogliaState>(),
            world.register_component::<Reactivity>(),
            world.register_component::<Support>(),
        ]
        .to_vec();
        let cell_id = saved[0];
        let mut archetypes = 0;
        for archetype in world.archetypes().iter().filter(|a| !a.is_empty()) {
            if archetype.components().contains(&cell_id) {
                archetypes += 1;
                for c in archetype.components() {
                    assert!(
                        saved.contains(c),
                        "a cell carries component {:?} that state.rs does not save",
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
