//! The simulation: builds the world and schedule from a scenario and runs it tick by tick.

use crate::fields::{FIELD_COUNT, FieldGrid, FieldId};
use crate::mechanism::{LivingNeurons, Mechanism, Setup, StepLimit};
use crate::mechanisms::{ALL, DENSE, astrocytes, microglia, motor_units, neurofilament};
use crate::observe::{Census, Layout, Observation, Summary};
use crate::snapshot::{CellRecord, CellState};
use crate::world::{place, spawn, take_ids};
use crate::{
    CellId, CellKind, Clock, DAYS_PER_YEAR, Exchange, LifeState, Microglia, MotorNeuron,
    NextCellId, Position, RunSeed, SimSet, Voxel,
};
use crate::{RestoreError, SavedState};
use alsim_scenario::{Scenario, ScenarioError};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};
use rayon::prelude::*;
use std::sync::Arc;

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
    /// The simulation's own thread pool could not be started.
    #[error("could not start a pool of {threads} threads: {reason}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// What the system said.
        reason: String,
    },
}

/// Builds a [`Simulation`]: `Simulation::builder(&scenario).threads(2).build()`.
#[derive(Clone, Copy, Debug)]
pub struct SimulationBuilder<'a> {
    scenario: &'a Scenario,
    threads: Option<usize>,
}

impl SimulationBuilder<'_> {
    /// Steps in a rayon pool of its own with `n` threads (0: one per core). Without it the
    /// simulation runs on whatever pool the caller is in (the global one by default), and on
    /// small grids each parallel section pays a hand-off to that pool's threads, which costs
    /// more than the work. Results are the same either way.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Builds the world (fields, cells, mechanisms) and the schedule.
    pub fn build(self) -> Result<Simulation, BuildError> {
        let mut sim = Simulation::new(self.scenario)?;
        if let Some(threads) = self.threads {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| BuildError::ThreadPool {
                    threads,
                    reason: e.to_string(),
                })?;
            sim.pool = Some(Arc::new(pool));
        }
        Ok(sim)
    }

    /// Rebuilds the simulation as it stood when `state` was saved (see
    /// [`Simulation::restore`]), with this builder's pool.
    pub fn restore(self, state: SavedState<'_>) -> Result<Simulation, RestoreError> {
        let pool = self.build()?.pool;
        let mut sim = Simulation::restore(self.scenario, state)?;
        sim.pool = pool;
        Ok(sim)
    }
}

/// The cell phases of a tick (`Sense` to `Readout`).
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
struct CellTick;

/// The field phase of a tick (`Diffuse`): a schedule of its own so that benchmarks can time the
/// cell step alone ([`Simulation::step_cells_only`]).
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
struct FieldTick;

/// A running tissue simulation. Build one with [`Simulation::builder`] (or
/// [`Simulation::new`], which runs on the caller's rayon pool).
pub struct Simulation {
    /// Its own rayon pool, if the builder asked for one.
    pool: Option<Arc<rayon::ThreadPool>>,
    pub(crate) world: World,
    /// The mechanisms the scenario switches on, in [`ALL`] order.
    pub(crate) mechanisms: Vec<&'static dyn Mechanism>,
    schedule: Schedule,
    fields_schedule: Schedule,
    pub(crate) total_ticks: u64,
    output_every_ticks: u64,
    /// Ticks between snapshots, if the scenario asks for them: steps stop on them.
    snapshot_every_ticks: Option<u64>,
    /// Most ticks one step may span (1 without adaptive stepping).
    max_span: u64,
    /// Adaptive stepping's tolerance (unused when `max_span` is 1).
    tolerance: f64,
    /// Steps taken since the simulation was built or restored.
    steps: u64,
    pub(crate) summary: Summary,
}

impl Simulation {
    /// A builder of a simulation of `scenario`.
    pub fn builder(scenario: &Scenario) -> SimulationBuilder<'_> {
        SimulationBuilder {
            scenario,
            threads: None,
        }
    }

    /// Builds the world (fields, cells, mechanism resources) and the schedule; it steps on the
    /// caller's rayon pool.
    pub fn new(scenario: &Scenario) -> Result<Self, BuildError> {
        scenario.validate(&format!("scenario '{}'", scenario.name))?;
        let mut world = World::new();
        world.insert_resource(RunSeed(scenario.seed));
        world.insert_resource(Clock::new(scenario.time.dt_hours));
        world.insert_resource(FieldGrid::new(scenario));
        world.insert_resource(NextCellId::default());
        world.insert_resource(SinkOwners::default());

        let populations = &scenario.populations;
        let mut placed = Vec::with_capacity(3);
        for (kind, spec) in [
            (CellKind::MotorNeuron, &populations.motor_neurons),
            (CellKind::Microglia, &populations.microglia),
            (CellKind::Astrocyte, &populations.astrocytes),
        ] {
            let ids = take_ids(&mut world, spec.initial_count(&scenario.tissue));
            let positions =
                place(spec, scenario, &ids).map_err(|placed| BuildError::Placement {
                    population: kind.population(),
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
        let setup = Setup { scenario };
        let mechanisms: Vec<&'static dyn Mechanism> =
            ALL.iter().copied().filter(|m| m.is_on(&setup)).collect();
        for m in &mechanisms {
            m.build(&setup, &mut world, &mut schedule);
        }
        for (kind, ids, positions) in glia.drain(..) {
            spawn(&mut world, kind, &ids, &positions);
        }
        for s in [&mut schedule, &mut fields_schedule] {
            s.initialize(&mut world)
                .map_err(|e| BuildError::Schedule(format!("{e:?}")))?;
        }

        Ok(Self {
            pool: None,
            world,
            mechanisms,
            schedule,
            fields_schedule,
            total_ticks: scenario.time.ticks(),
            output_every_ticks: scenario.time.output_every_ticks(),
            snapshot_every_ticks: scenario.time.snapshot_every_ticks(),
            max_span: scenario.time.max_span(),
            tolerance: scenario.time.adaptive.as_ref().map_or(0.0, |a| a.tolerance),
            steps: 0,
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

    /// Runs `work` in the simulation's own pool, if it has one.
    pub(crate) fn in_pool<R: Send>(&mut self, work: impl FnOnce(&mut Self) -> R + Send) -> R {
        match self.pool.clone() {
            Some(pool) => pool.install(|| work(self)),
            None => work(self),
        }
    }

    /// The tick the next step must end on at the latest: the next output row, snapshot or the
    /// end of the run, and no more than the longest step allows.
    pub fn next_stop(&self) -> u64 {
        let tick = self.tick();
        let next = |every: u64| (tick / every + 1) * every;
        let mut stop = next(self.output_every_ticks)
            .min(self.total_ticks)
            .min(tick + self.max_span);
        if let Some(every) = self.snapshot_every_ticks {
            stop = stop.min(next(every));
        }
        stop.max(tick + 1)
    }

    /// Steps taken since the simulation was built or restored: its ticks, or fewer under
    /// adaptive stepping.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Whether steps may span several ticks (`time.adaptive`).
    pub fn is_adaptive(&self) -> bool {
        self.max_span > 1
    }

    /// Runs one step and updates the milestones: one tick, or under adaptive stepping as many
    /// as every mechanism allows, up to the next output row, snapshot or the end.
    pub fn step(&mut self) {
        self.step_until(self.next_stop());
    }

    /// Steps until `tick` ticks have run (under adaptive stepping in as few steps as the
    /// mechanisms allow); output rows and snapshots on the way are not stopped at.
    pub fn advance_to(&mut self, tick: u64) {
        while self.tick() < tick {
            self.step_until(tick);
        }
    }

    /// One step ending at `until` at the latest.
    fn step_until(&mut self, until: u64) {
        self.in_pool(|sim| {
            sim.prepare();
            let span = sim.span_before(until);
            sim.begin_step(span);
            sim.steps += 1;
            sim.schedule.run(&mut sim.world);
            sim.fields_schedule.run(&mut sim.world);
            sim.end_tick();
        });
    }

    /// Ticks the next step spans: the fewest any mechanism allows, at most `max_span` and not
    /// past `until`.
    fn span_before(&mut self, until: u64) -> u64 {
        let cap = until.saturating_sub(self.tick()).clamp(1, self.max_span);
        if cap == 1 {
            return 1;
        }
        let limit = StepLimit {
            tolerance: self.tolerance,
            dt_hours: self.world.resource::<Clock>().dt_hours,
            tick: self.tick(),
        };
        self.mechanisms
            .iter()
            .map(|m| m.step_limit(&mut self.world, &limit))
            .fold(cap, u64::min)
            .max(1)
    }

    fn prepare(&mut self) {
        for m in &self.mechanisms {
            m.prepare(&mut self.world);
        }
    }

    fn begin_step(&mut self, span: u64) {
        let mut clock = self.world.resource_mut::<Clock>();
        clock.last_span = clock.span;
        clock.span = span;
        self.world.resource_mut::<FieldGrid>().set_span(span);
    }

    /// Runs the cell phases of one tick (every phase but `Diffuse`: the fields stand still) and
    /// updates the clock and milestones: the cell step alone, for benchmarks. A run made of such
    /// ticks is not a model run.
    pub fn step_cells_only(&mut self) {
        self.in_pool(|sim| {
            sim.prepare();
            sim.begin_step(1);
            sim.schedule.run(&mut sim.world);
            sim.end_tick();
        });
    }

    fn end_tick(&mut self) {
        let mut clock = self.world.resource_mut::<Clock>();
        clock.tick += clock.span;
        let census = *self.world.resource::<Census>();
        let days = self.time_days();
        let ticks = self.tick();
        let onset_tick = self
            .world
            .get_resource::<motor_units::Clinical>()
            .and_then(|c| c.onset_tick);
        let onset_days = onset_tick.map(|t| self.world.resource::<Clock>().days_after(t));
        let nfl = neurofilament::blood_level(&self.world);
        let s = &mut self.summary;
        if s.days_to_clinical_onset.is_none() {
            s.days_to_clinical_onset = onset_days;
            s.age_at_clinical_onset_years =
                onset_days.map(|d| s.start_age_years + d / DAYS_PER_YEAR);
            s.nfl_blood_pg_per_ml_at_onset = onset_days.and(nfl);
        }
        s.nfl_blood_pg_per_ml_final = nfl;
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

    /// Counts cells by state, summarises the fields and observes every mechanism, now.
    pub fn observe(&mut self) -> Observation {
        self.in_pool(Self::observe_here)
    }

    fn observe_here(&mut self) -> Observation {
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
        let grid = self.world.resource::<FieldGrid>();
        let fields: [_; FIELD_COUNT] = FieldId::ALL.map(|f| grid.stats(f));
        let living = LivingNeurons::of(&mut self.world);
        let per_mechanism: Vec<Vec<f64>> = ALL
            .iter()
            .map(|m| {
                let mut values = Vec::with_capacity(m.columns().len());
                m.observe(&mut self.world, &living, &mut values);
                debug_assert_eq!(values.len(), m.columns().len(), "{}", m.name());
                values
            })
            .collect();
        Observation {
            time_days: self.time_days(),
            motor_neurons_alive: alive,
            motor_neurons_stressed: stressed,
            motor_neurons_dying: dying,
            motor_neurons_dead: dead,
            fields,
            mechanisms: Layout::get().arrange(&per_mechanism),
        }
    }

    /// Every cell as a snapshot shows it, in [`CellId`] order (dead motor neurons included).
    pub fn cells(&mut self) -> Vec<CellRecord> {
        let mut q = self.world.query::<(
            Entity,
            &CellId,
            &Position,
            Option<&LifeState>,
            Option<&microglia::MicrogliaState>,
            Option<&astrocytes::Reactivity>,
            (Has<MotorNeuron>, Has<Microglia>),
        )>();
        let mut cells: Vec<(Entity, CellRecord)> = q
            .iter(&self.world)
            .map(|(entity, id, pos, life, glia, reactivity, kind)| {
                let state = match (kind, life) {
                    ((true, _), Some(LifeState::Stressed)) => CellState::Stressed,
                    ((true, _), Some(LifeState::Dying { .. })) => CellState::Dying,
                    ((true, _), Some(LifeState::Dead)) => CellState::Dead,
                    ((true, _), _) => CellState::Healthy,
                    ((false, true), _) => match glia.map(|g| g.phenotype) {
                        Some(microglia::Phenotype::ProInflammatory) => CellState::ProInflammatory,
                        Some(microglia::Phenotype::AntiInflammatory) => CellState::AntiInflammatory,
                        _ => CellState::Surveying,
                    },
                    _ if reactivity.is_some_and(|r| r.reactive) => CellState::Reactive,
                    _ => CellState::Quiescent,
                };
                let record = CellRecord {
                    id: *id,
                    kind: state.kind(),
                    state,
                    position_um: pos.0,
                    values: Vec::new(),
                };
                (entity, record)
            })
            .collect();
        cells.sort_unstable_by_key(|(_, c)| c.id);
        let width = CellRecord::variable_names().len();
        for (entity, record) in &mut cells {
            record.values.reserve_exact(width);
            for m in ALL {
                m.snapshot(&self.world, *entity, &mut record.values);
            }
        }
        cells.into_iter().map(|(_, c)| c).collect()
    }

    /// The fields as they stand.
    pub fn fields(&self) -> &FieldGrid {
        self.world.resource::<FieldGrid>()
    }

    /// The ECS world, for inspection in tests and tools.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The ECS world, mutable, for states set up by hand in tests. Not part of the model's
    /// interface: always compiled so that test builds and release builds share one feature set
    /// (one build of the workspace, not two).
    #[doc(hidden)]
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
    let mut active = Vec::new();
    for (entities, ids, voxels, exchanges) in cells.contiguous_iter().expect(DENSE) {
        let rows = entities.par_iter().zip(ids).zip(voxels).zip(exchanges);
        active.par_extend(rows.filter_map(|(((entity, id), voxel), ex)| {
            let acts = ex.secretion_per_hour.iter().any(|&r| r > 0.0)
                || ex.uptake.iter().any(|&u| u > 0.0)
                || ex.clearance_um3_per_hour.iter().any(|&v| v > 0.0);
            acts.then_some((*entity, id, voxel, ex))
        }));
    }
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
