//! The simulation: builds the world and schedule from a scenario and runs it tick by tick.

use crate::fields::{FIELD_COUNT, FieldGrid, FieldId};
use crate::mechanisms::aggregation::Aggregates;
use crate::mechanisms::mitochondria::Mitochondria;
use crate::mechanisms::neuron_damage::Damage;
use crate::mechanisms::transport::Transport;
use crate::mechanisms::{
    ageing, aggregation, astrocytes, cell_death, environment, genetics, interventions, microglia,
    mitochondria, motor_units, neuron_damage, transport,
};
use crate::observe::{Census, Observation, Summary};
use crate::snapshot::{CellRecord, CellState};
use crate::world::{Kind, place, spawn, take_ids};
use crate::{
    Astrocyte, CellId, Clock, DAYS_PER_YEAR, Exchange, LifeState, Microglia, MotorNeuron,
    NextCellId, Position, RunSeed, SimSet, Voxel,
};
use alsim_scenario::{Scenario, ScenarioError};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};
use rayon::prelude::*;

/// Why a world could not be built from a scenario.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The scenario failed validation.
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
    /// Random placement found no room for a cell.
    #[error(
        "populations.{population}: placed only {placed} of {wanted} cells with the requested min_spacing_um; lower the count or the spacing, or enlarge the region"
    )]
    Placement {
        /// Population name.
        population: &'static str,
        /// Cells placed before giving up.
        placed: usize,
        /// Cells asked for.
        wanted: usize,
    },
    /// The schedule's systems conflict (a bug in a mechanism's registration).
    #[error("schedule could not be built: {0}")]
    Schedule(String),
}

/// The cell phases of a tick (`Sense` to `Readout`).
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
struct CellTick;

/// The field phase of a tick (`Diffuse`): a schedule of its own so that benchmarks can time the
/// cell step alone ([`Simulation::step_cells_only`]).
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
struct FieldTick;

/// A running tissue simulation.
///
/// Its systems parallelise with rayon. Step it inside a pool (`pool.install(|| ...)`, as the CLI
/// does): called from outside, every parallel section pays a hand-off to the global pool's
/// threads, which costs more than the work on small grids. Results are the same either way.
pub struct Simulation {
    pub(crate) world: World,
    schedule: Schedule,
    fields_schedule: Schedule,
    pub(crate) total_ticks: u64,
    output_every_ticks: u64,
    pub(crate) summary: Summary,
}

impl Simulation {
    /// Builds the world (fields, cells, mechanism resources) and the schedule.
    pub fn new(scenario: &Scenario) -> Result<Self, BuildError> {
        scenario.validate(&format!("scenario '{}'", scenario.name))?;
        let mut world = World::new();
        world.insert_resource(RunSeed(scenario.seed));
        world.insert_resource(Clock {
            tick: 0,
            dt_hours: scenario.time.dt_hours,
        });
        world.insert_resource(FieldGrid::new(scenario));
        world.insert_resource(NextCellId::default());
        world.insert_resource(SinkOwners::default());

        let populations = &scenario.populations;
        let mut placed = Vec::with_capacity(3);
        for (kind, spec) in [
            (Kind::MotorNeuron, &populations.motor_neurons),
            (Kind::Microglia, &populations.microglia),
            (Kind::Astrocyte, &populations.astrocytes),
        ] {
            let ids = take_ids(&mut world, spec.initial_count(&scenario.tissue));
            let positions =
                place(spec, scenario, &ids).map_err(|placed| BuildError::Placement {
                    population: kind.name(),
                    placed,
                    wanted: ids.len(),
                })?;
            placed.push((kind, ids, positions));
        }
        // Motor neurons now, for the mechanisms that set up each neuron as they register; glia
        // after the mechanisms, which make their per-cell state a required component of the
        // glia's marker, so that a glial cell is spawned whole rather than moved from table to
        // table (each move would leave the old table's memory allocated).
        let mut glia = placed.split_off(1);
        for (kind, ids, positions) in placed {
            spawn(&mut world, kind, &ids, &positions);
        }
        let motor_neurons = populations.motor_neurons.initial_count(&scenario.tissue);
        world.insert_resource(Census {
            motor_neurons_initial: motor_neurons,
            motor_neurons_dead: 0,
        });

        let new_schedule = |label| {
            let mut schedule = Schedule::new(label);
            schedule.set_executor(SingleThreadedExecutor::new());
            schedule.set_build_settings(ScheduleBuildSettings {
                ambiguity_detection: LogLevel::Error,
                ..Default::default()
            });
            schedule
        };
        let mut schedule = new_schedule(CellTick.intern());
        // Every phase but the last, `Diffuse`, which runs in `fields_schedule` after them.
        for pair in SimSet::ORDER[..SimSet::ORDER.len() - 1].windows(2) {
            schedule.configure_sets(pair[0].before(pair[1]));
        }
        schedule.add_systems(apply_exchange.in_set(SimSet::Exchange));
        let mut fields_schedule = new_schedule(FieldTick.intern());
        fields_schedule.add_systems(advance_fields.in_set(SimSet::Diffuse));
        let mut mechanisms = scenario.mechanisms.clone();
        genetics::modify(scenario.genotype, &mut mechanisms);
        let m = &mechanisms;
        if let Some(p) = &m.aggregation {
            aggregation::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.ageing {
            ageing::register(&mut world, &mut schedule, p, scenario.time.start_age_years);
        }
        if let Some(p) = &m.mitochondria {
            mitochondria::register(&mut world, &mut schedule, p);
        }
        // Before transport, which starts each terminal at its motor unit's steady state.
        if let Some(p) = &m.motor_units {
            motor_units::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.transport {
            transport::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.microglia {
            microglia::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.astrocytes {
            astrocytes::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.neuron_damage {
            neuron_damage::register(&mut world, &mut schedule, p);
        }
        if let Some(p) = &m.cell_death {
            cell_death::register(&mut world, &mut schedule, p);
        }
        if !scenario.events.is_empty() {
            environment::register(&mut world, &mut schedule, scenario);
        }
        if !scenario.interventions.is_empty() {
            interventions::register(&mut world, &mut schedule, &scenario.interventions);
        }
        for (kind, ids, positions) in glia.drain(..) {
            spawn(&mut world, kind, &ids, &positions);
        }
        for s in [&mut schedule, &mut fields_schedule] {
            s.initialize(&mut world)
                .map_err(|e| BuildError::Schedule(format!("{e:?}")))?;
        }

        Ok(Self {
            world,
            schedule,
            fields_schedule,
            total_ticks: scenario.time.ticks(),
            output_every_ticks: scenario.time.output_every_ticks(),
            summary: Summary {
                motor_neurons_initial: motor_neurons,
                motor_neurons_final_alive: motor_neurons,
                start_age_years: scenario.time.start_age_years,
                ..Summary::default()
            },
        })
    }

    /// Ticks completed.
    pub fn tick(&self) -> u64 {
        self.world.resource::<Clock>().tick
    }

    /// Ticks the scenario asks for.
    pub fn total_ticks(&self) -> u64 {
        self.total_ticks
    }

    /// Whether all ticks have run.
    pub fn is_finished(&self) -> bool {
        self.tick() >= self.total_ticks
    }

    /// Whether the current tick count falls on an output interval (the start included).
    pub fn is_output_tick(&self) -> bool {
        self.tick().is_multiple_of(self.output_every_ticks) || self.is_finished()
    }

    /// Simulated days so far.
    pub fn time_days(&self) -> f64 {
        let clock = self.world.resource::<Clock>();
        clock.days_after(clock.tick)
    }

    /// Runs one tick and updates the milestones.
    pub fn step(&mut self) {
        self.schedule.run(&mut self.world);
        self.fields_schedule.run(&mut self.world);
        self.end_tick();
    }

    /// Runs the cell phases of one tick (every phase but `Diffuse`: the fields stand still) and
    /// updates the clock and milestones: the cell step alone, for benchmarks. A run made of such
    /// ticks is not a model run.
    pub fn step_cells_only(&mut self) {
        self.schedule.run(&mut self.world);
        self.end_tick();
    }

    fn end_tick(&mut self) {
        self.world.resource_mut::<Clock>().tick += 1;
        let census = *self.world.resource::<Census>();
        let days = self.time_days();
        let ticks = self.tick();
        let onset_tick = self
            .world
            .get_resource::<motor_units::Clinical>()
            .and_then(|c| c.onset_tick);
        let onset_days = onset_tick.map(|t| self.world.resource::<Clock>().days_after(t));
        let s = &mut self.summary;
        if s.days_to_clinical_onset.is_none() {
            s.days_to_clinical_onset = onset_days;
            s.age_at_clinical_onset_years =
                onset_days.map(|d| s.start_age_years + d / DAYS_PER_YEAR);
        }
        let (dead, initial) = (census.motor_neurons_dead, census.motor_neurons_initial);
        if initial > 0 {
            if s.days_to_10pct_mn_loss.is_none() && dead * 10 >= initial {
                s.days_to_10pct_mn_loss = Some(days);
            }
            if s.days_to_50pct_mn_loss.is_none() && dead * 2 >= initial {
                s.days_to_50pct_mn_loss = Some(days);
            }
        }
        s.motor_neurons_final_alive = initial - dead;
        s.simulated_days = days;
        s.ticks = ticks;
    }

    /// Runs the remaining ticks and returns the observations at the current tick and at every
    /// output tick after it (the rows `timeseries.csv` would hold).
    pub fn run_to_end(&mut self) -> Vec<Observation> {
        let mut rows = vec![self.observe()];
        while !self.is_finished() {
            self.step();
            if self.is_output_tick() {
                rows.push(self.observe());
            }
        }
        rows
    }

    /// Milestones so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Counts cells by state and summarises the fields, now.
    pub fn observe(&mut self) -> Observation {
        let mut neurons = self.world.query_filtered::<&LifeState, With<MotorNeuron>>();
        let (mut alive, mut stressed, mut dying, mut dead) = (0, 0, 0, 0);
        for life in neurons.iter(&self.world) {
            match life {
                LifeState::Healthy => alive += 1,
                LifeState::Stressed => {
                    alive += 1;
                    stressed += 1
                }
                LifeState::Dying { .. } => {
                    alive += 1;
                    dying += 1
                }
                LifeState::Dead => dead += 1,
            }
        }
        let mut microglia_q = self
            .world
            .query_filtered::<Option<&microglia::MicrogliaState>, With<Microglia>>();
        let mut microglia = [0u64; 3];
        for state in microglia_q.iter(&self.world) {
            microglia[state.map_or(0, |s| s.phenotype as usize)] += 1;
        }
        let mut astro_q = self
            .world
            .query_filtered::<Option<&astrocytes::Reactivity>, With<Astrocyte>>();
        let (mut reactive, mut astrocytes_total) = (0, 0);
        for r in astro_q.iter(&self.world) {
            astrocytes_total += 1;
            reactive += u64::from(r.is_some_and(|r| r.reactive));
        }
        let grid = self.world.resource::<FieldGrid>();
        let fields: [_; FIELD_COUNT] = FieldId::ALL.map(|f| grid.stats(f));
        // With the motor_units mechanism off the readout is not modelled: full force, nothing
        // denervated, units at their own size.
        let neuron_means = self.neuron_means();
        let clinical = self.world.get_resource::<motor_units::Clinical>();
        Observation {
            time_days: self.time_days(),
            motor_neurons_alive: alive,
            motor_neurons_stressed: stressed,
            motor_neurons_dying: dying,
            motor_neurons_dead: dead,
            microglia,
            astrocytes_reactive: reactive,
            astrocytes_total,
            fields,
            force_proxy: clinical.map_or(1.0, |c| c.force),
            motor_units_denervated: clinical.map_or(0, |c| c.denervated_units),
            endplates_denervated_fraction: clinical
                .map_or(0.0, motor_units::Clinical::endplates_denervated_fraction),
            motor_unit_enlargement: clinical.map_or(1.0, |c| c.enlargement),
            neuron_means,
        }
    }

    /// Means of living motor neurons' internal state, summed in cell-id order so the result
    /// does not depend on how the ECS stores them.
    fn neuron_means(&mut self) -> [f64; 5] {
        let mut q = self.world.query_filtered::<(
            &CellId,
            &LifeState,
            Option<&Aggregates>,
            Option<&Mitochondria>,
            Option<&Transport>,
            Option<&Damage>,
        ), With<MotorNeuron>>();
        let mut living: Vec<(CellId, [f64; 5])> = q
            .iter(&self.world)
            .filter(|(_, life, ..)| **life != LifeState::Dead)
            .map(|(id, _, a, m, t, d)| {
                let state = [
                    a.map_or(0.0, |a| a.load),
                    m.map_or(0.0, |m| m.function),
                    m.map_or(0.0, |m| m.oxidative_damage),
                    t.map_or(0.0, |t| t.efficiency),
                    d.map_or(0.0, |d| d.0),
                ];
                (*id, state.map(f64::from))
            })
            .collect();
        living.sort_unstable_by_key(|(id, _)| *id);
        let mut sums = [0.0; 5];
        for (_, state) in &living {
            for (sum, v) in sums.iter_mut().zip(state) {
                *sum += v;
            }
        }
        sums.map(|s| {
            if living.is_empty() {
                0.0
            } else {
                s / living.len() as f64
            }
        })
    }

    /// Every cell as a snapshot shows it, in [`CellId`] order (dead motor neurons included).
    pub fn cells(&mut self) -> Vec<CellRecord> {
        let mut q = self.world.query::<(
            &CellId,
            &Position,
            Option<&LifeState>,
            Option<&microglia::MicrogliaState>,
            Option<&astrocytes::Reactivity>,
            Option<&astrocytes::Support>,
            Option<&Aggregates>,
            Option<&Mitochondria>,
            Option<&Transport>,
            Option<&Damage>,
            (Has<MotorNeuron>, Has<Microglia>),
        )>();
        let mut cells: Vec<CellRecord> = q
            .iter(&self.world)
            .map(
                |(id, pos, life, glia, reactivity, support, agg, mito, transport, damage, kind)| {
                    let state = match (kind, life) {
                        ((true, _), Some(LifeState::Stressed)) => CellState::Stressed,
                        ((true, _), Some(LifeState::Dying { .. })) => CellState::Dying,
                        ((true, _), Some(LifeState::Dead)) => CellState::Dead,
                        ((true, _), _) => CellState::Healthy,
                        ((false, true), _) => match glia.map(|g| g.phenotype) {
                            Some(microglia::Phenotype::ProInflammatory) => {
                                CellState::ProInflammatory
                            }
                            Some(microglia::Phenotype::AntiInflammatory) => {
                                CellState::AntiInflammatory
                            }
                            _ => CellState::Surveying,
                        },
                        _ if reactivity.is_some_and(|r| r.reactive) => CellState::Reactive,
                        _ => CellState::Quiescent,
                    };
                    let or_nan = |v: Option<f32>| v.unwrap_or(f32::NAN);
                    CellRecord {
                        id: *id,
                        kind: state.kind(),
                        state,
                        position_um: pos.0,
                        aggregate_load: or_nan(agg.map(|a| a.load)),
                        damage: or_nan(damage.map(|d| d.0)),
                        mitochondrial_function: or_nan(mito.map(|m| m.function)),
                        oxidative_damage: or_nan(mito.map(|m| m.oxidative_damage)),
                        transport_efficiency: or_nan(transport.map(|t| t.efficiency)),
                        support: or_nan(support.map(|s| s.0)),
                    }
                },
            )
            .collect();
        cells.sort_unstable_by_key(|c| c.id);
        cells
    }

    /// The fields as they stand.
    pub fn fields(&self) -> &FieldGrid {
        self.world.resource::<FieldGrid>()
    }

    /// The ECS world, for inspection in tests and tools.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The ECS world, mutable, for set-ups in tests.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
}

/// The cells whose continuous uptake the coming field advance applies: (cell, field, sink
/// index), recorded in cell-id order by the exchange step.
#[derive(Resource, Default)]
struct SinkOwners(Vec<(Entity, FieldId, usize)>);

/// Applies every cell's secretion and uptake to the fields in cell-id order, and records its
/// continuous uptake as sinks for the coming advance.
fn apply_exchange(
    mut grid: ResMut<FieldGrid>,
    mut owners: ResMut<SinkOwners>,
    cells: Query<(Entity, &CellId, &Voxel, &Exchange)>,
) {
    let mut active: Vec<_> = cells
        .iter()
        .filter(|(_, _, _, ex)| {
            ex.secretion_per_hour.iter().any(|&r| r > 0.0)
                || ex.uptake.iter().any(|&u| u > 0.0)
                || ex.clearance_um3_per_hour.iter().any(|&v| v > 0.0)
        })
        .collect();
    // In parallel: glia are stored in voxel order, so the ids come in random order.
    active.par_sort_unstable_by_key(|(_, id, _, _)| **id);
    grid.clear_sources();
    owners.0.clear();
    for (entity, _, voxel, ex) in active {
        for f in FieldId::ALL {
            let i = f as usize;
            if ex.secretion_per_hour[i] > 0.0 {
                grid.add_source(f, voxel.0, ex.secretion_per_hour[i]);
            }
            if ex.uptake[i] > 0.0 {
                grid.take(f, voxel.0, ex.uptake[i]);
            }
            if ex.clearance_um3_per_hour[i] > 0.0 {
                let sink = grid.add_sink(f, voxel.0, ex.clearance_um3_per_hour[i]);
                owners.0.push((entity, f, sink));
            }
        }
    }
}

/// Advances the fields, then credits each cell with what its continuous uptake took.
fn advance_fields(
    mut grid: ResMut<FieldGrid>,
    owners: Res<SinkOwners>,
    mut exchanges: Query<&mut Exchange>,
) {
    grid.advance();
    for mut ex in &mut exchanges {
        if ex.absorbed != [0.0; FIELD_COUNT] {
            ex.absorbed = [0.0; FIELD_COUNT];
        }
    }
    for &(entity, field, sink) in &owners.0 {
        if let Ok(mut ex) = exchanges.get_mut(entity) {
            ex.absorbed[field as usize] += grid.sink_taken(field, sink);
        }
    }
}
