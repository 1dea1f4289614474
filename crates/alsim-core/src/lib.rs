//! alsim-core: the model. It turns a validated [`Scenario`](alsim_scenario::Scenario) into a
//! bevy_ecs world of motor neurons, microglia and astrocytes on a grid of diffusing fields, and
//! advances it tick by tick:
//!
//! ```text
//! Scenario --Simulation::builder(..).build--> World (cells, FieldGrid, each Mechanism of
//!            mechanisms::ALL that is on: components, resources, systems) + Schedule
//!          --Simulation::step--> Sense → Proteostasis → Energetics → Transport → Glia → Damage
//!                                → Exchange → Die → Spawn → Readout → Diffuse  (one tick)
//!          --Simulation::observe--> Observation rows, Summary milestones
//!          --Simulation::cells / fields--> CellRecords and field values for snapshots
//!          --Simulation::save_state / restore--> SavedState, the whole state for checkpoints
//! Scenario with a neuraxis --Body::new--> one Simulation per region (Scenario::region_scenario)
//!          --Body::step--> every region's tick side by side, then seeds and upper motor neuron
//!                          drive along the connections in declaration order
//!          --Body::observe / whole_body / function / body_summary--> rows, readouts, milestones
//! ```
//!
//! Each disease mechanism is one [`Mechanism`] in a file of its own under [`mechanisms`], with
//! its components, systems, checkpoint record, guard bounds and time-series columns;
//! [`mechanisms::ALL`] lists them once, and one the scenario switches off is never built. This
//! crate opens no file and prints nothing; every random draw comes from a stream keyed by
//! (seed, cell id, tick, purpose), and whatever order could change a result is the
//! [`CellId`] order, so a run is bit-identical at any thread count.
//!
//! Embedding it takes a scenario and a loop:
//!
//! ```
//! use alsim_core::prelude::*;
//!
//! let mut scenario = Scenario::default();
//! scenario.time.duration_days = 2.0;
//! let mut sim = Simulation::builder(&scenario).threads(2).build()?;
//! while !sim.is_finished() {
//!     sim.step();
//! }
//! let row = sim.observe();
//! assert_eq!(row.motor_neurons_alive, sim.summary().motor_neurons_final_alive);
//! println!("day {}: force {}", row.time_days, row["force_proxy"]);
//! # Ok::<(), BuildError>(())
//! ```

#![warn(missing_docs)]
// `unsafe` only in the field solver's kernels (`solver/kernels.rs`: SIMD intrinsics, disjoint
// column blocks), which alone are allowed it, each block with a SAFETY comment saying why it is
// sound.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod body;
mod cells;
mod fields;
pub mod guard;
mod mechanism;
pub mod mechanisms;
mod observe;
pub mod rng;
mod saved_state;
mod simulation;
mod snapshot;
pub mod solver;
mod world;

pub use body::{Body, BodyRegion, BodyState, BodySummary, RegionSummary};
pub use cells::{
    Astrocyte, CellId, CellKind, Exchange, LifeState, Microglia, MotorNeuron, NextCellId, Position,
    Voxel,
};
pub use fields::{FIELD_COUNT, FieldGrid, FieldId, FieldStats};
pub use mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, StepLimit};
pub use mechanisms::motor_units::Clinical;
pub use observe::{Census, Observation, Summary};
pub use saved_state::{RestoreError, SavedState};
pub use simulation::{BuildError, Simulation, SimulationBuilder};
pub use snapshot::{CellRecord, CellState};

use bevy_ecs::prelude::*;

/// What an embedding needs: the scenario, the simulation and what it reports.
pub mod prelude {
    pub use crate::{
        BuildError, CellRecord, FieldId, Mechanism, Observation, RestoreError, SavedState,
        Simulation, SimulationBuilder, Summary,
    };
    pub use alsim_scenario::Scenario;
}

/// The seed of every random stream in the run.
#[derive(Resource, Clone, Copy, Debug)]
pub struct RunSeed(pub u64);

/// Days in a year, for ages: the mean Julian year.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// The simulation clock: the tick being computed and the cell time step.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Clock {
    /// Ticks completed before the current one (0 during the first tick).
    pub tick: u64,
    /// Cell time step, hours: the unit ticks count in.
    pub dt_hours: f64,
    /// Ticks the current step spans: 1, or more under adaptive stepping.
    pub span: u64,
    /// Ticks the step before the current one spanned (what last step's uptake was taken over).
    pub last_span: u64,
}

impl Clock {
    /// A clock at tick 0 with steps of `dt_hours`.
    pub fn new(dt_hours: f64) -> Self {
        Self {
            tick: 0,
            dt_hours,
            span: 1,
            last_span: 1,
        }
    }

    /// Length of the current step, hours.
    pub fn step_hours(&self) -> f64 {
        self.dt_hours * self.span as f64
    }

    /// Simulated days at the end of `tick` ticks.
    pub fn days_after(&self, ticks: u64) -> f64 {
        ticks as f64 * self.dt_hours / 24.0
    }
}

/// The phases of a tick, run in this order. Mechanisms put their systems into them. The cell
/// phases follow the causal chain inside a motor neuron (proteins → mitochondria → transport),
/// then the glia, then the damage those add up to; each reads what earlier phases wrote this
/// tick, and the fields as they stood at the end of the previous one.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimSet {
    /// Read the tissue as it stands: scheduled events and therapies, spatial summaries other
    /// systems look up.
    Sense,
    /// Gene expression: each cell type's mutant products after excisions and antisense
    /// knockdown, and the folds they put on other mechanisms' parameters.
    Express,
    /// Misfolded protein: production, aggregation, clearance, seed release and uptake.
    Proteostasis,
    /// Mitochondrial function, reactive oxygen species and oxidative damage.
    Energetics,
    /// Axonal transport and the terminal it supplies.
    Transport,
    /// Microglia and astrocytes update their state; microglia move.
    Glia,
    /// Motor neuron damage from everything above.
    Damage,
    /// Cells' secretion and uptake are applied to the fields, in cell-id order.
    Exchange,
    /// Cells commit to death and finish dying; debris and seeds are released, in cell-id order.
    Die,
    /// New cells (proliferation), in parent cell-id order.
    Spawn,
    /// Clinical readout: motor units, reinnervation, force.
    Readout,
    /// Biomarkers: what degenerating cells release into the CSF and blood.
    Biomarkers,
    /// Fields advance: sources, decay and diffusion over the tick's sub-steps.
    Diffuse,
}

impl SimSet {
    /// Every phase, in run order.
    pub const ORDER: [SimSet; 13] = [
        SimSet::Sense,
        SimSet::Express,
        SimSet::Proteostasis,
        SimSet::Energetics,
        SimSet::Transport,
        SimSet::Glia,
        SimSet::Damage,
        SimSet::Exchange,
        SimSet::Die,
        SimSet::Spawn,
        SimSet::Readout,
        SimSet::Biomarkers,
        SimSet::Diffuse,
    ];
}
