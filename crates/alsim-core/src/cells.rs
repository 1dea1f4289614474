//! Components every cell has, whatever mechanisms run: identity, kind, place.

use bevy_ecs::prelude::*;

/// Stable identity of a cell: assigned at spawn from a counter, never reused. Everything whose
/// order can change a result is sorted by it (the ECS `Entity` is not stable across threads).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(pub u64);

/// The next [`CellId`] to hand out.
#[derive(Resource, Debug, Default)]
pub struct NextCellId(pub u64);

impl NextCellId {
    /// Takes the next id.
    pub fn take(&mut self) -> CellId {
        let id = CellId(self.0);
        self.0 += 1;
        id
    }
}

/// Soma centre in µm from the tissue origin.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub [f32; 3]);

/// Index of the voxel holding the soma centre (x fastest).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Voxel(pub u32);

/// Marks a motor neuron.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct MotorNeuron;

/// Marks a microglia.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Microglia;

/// Marks an astrocyte.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Astrocyte;

/// Kind of cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CellKind {
    /// Motor neuron.
    MotorNeuron = 0,
    /// Microglia.
    Microglia = 1,
    /// Astrocyte.
    Astrocyte = 2,
}

impl CellKind {
    /// Every kind, in code order.
    pub const ALL: [CellKind; 3] = [
        CellKind::MotorNeuron,
        CellKind::Microglia,
        CellKind::Astrocyte,
    ];

    /// The number files store: 0 motor neuron, 1 microglia, 2 astrocyte.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Its population's key in a scenario (`populations.motor_neurons`).
    pub fn population(self) -> &'static str {
        match self {
            CellKind::MotorNeuron => "motor_neurons",
            CellKind::Microglia => "microglia",
            CellKind::Astrocyte => "astrocytes",
        }
    }

    /// Name in files and legends.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::MotorNeuron => "motor neuron",
            CellKind::Microglia => "microglia",
            CellKind::Astrocyte => "astrocyte",
        }
    }
}

/// Life state of a motor neuron.
#[derive(
    Component, Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize,
)]
pub enum LifeState {
    /// Alive, damage below the stress threshold.
    #[default]
    Healthy,
    /// Alive, damage above the stress threshold.
    Stressed,
    /// Committed to apoptosis at the given tick; still counted alive until it completes.
    Dying {
        /// Tick of commitment.
        since_tick: u64,
    },
    /// Dead; its debris has been released.
    Dead,
}

impl LifeState {
    /// Alive and not yet committed to death.
    pub fn is_viable(self) -> bool {
        matches!(self, LifeState::Healthy | LifeState::Stressed)
    }
}

/// What a cell puts into or takes out of the fields during the current tick, in amount units
/// (fg for cytokines, fmol for ROS, neuron-equivalents for debris, a.u. for seeds), indexed by
/// [`crate::FieldId`]. Mechanisms
/// write it; the exchange step applies all cells' exchanges in [`CellId`] order.
#[derive(
    Component, Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize,
)]
pub struct Exchange {
    /// Secretion rate, amount per hour, held over the whole tick.
    pub secretion_per_hour: [f32; crate::FIELD_COUNT],
    /// Amount taken up from the cell's voxel this tick (limited to what is there).
    pub uptake: [f32; crate::FIELD_COUNT],
    /// Volume of its voxel the cell clears per hour, µm³/h, continuously through the coming
    /// field sub-steps (a first-order sink `V_up/V` per hour on the voxel). Unlike `uptake`, it
    /// keeps taking what diffuses in during a long tick, so the amount taken does not depend
    /// on the time step.
    pub clearance_um3_per_hour: [f32; crate::FIELD_COUNT],
    /// Amount the clearance took during the last field advance, credited after it (so a
    /// mechanism reads last tick's take at the start of the next).
    pub absorbed: [f32; crate::FIELD_COUNT],
}
