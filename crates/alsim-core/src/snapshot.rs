//! What a snapshot shows of each cell: its kind, its state and its internal variables, for
//! writers of spatial output (VTK files, pictures). The fields are read from the
//! [`FieldGrid`](crate::FieldGrid) as they are.

use crate::mechanisms::ALL;
use crate::{CellId, CellKind};

/// State of a cell. One numbering for every kind, so that one array colours all cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CellState {
    /// Motor neuron, damage below the stress threshold.
    Healthy = 0,
    /// Motor neuron, damage above the stress threshold.
    Stressed = 1,
    /// Motor neuron in apoptosis.
    Dying = 2,
    /// Dead motor neuron.
    Dead = 3,
    /// Surveying microglia (also every microglia when the mechanism is off).
    Surveying = 4,
    /// Pro-inflammatory microglia.
    ProInflammatory = 5,
    /// Anti-inflammatory microglia.
    AntiInflammatory = 6,
    /// Astrocyte that is not reactive (also every astrocyte when the mechanism is off).
    Quiescent = 7,
    /// Reactive (neurotoxic) astrocyte.
    Reactive = 8,
}

impl CellState {
    /// Every state, in code order.
    pub const ALL: [CellState; 9] = [
        CellState::Healthy,
        CellState::Stressed,
        CellState::Dying,
        CellState::Dead,
        CellState::Surveying,
        CellState::ProInflammatory,
        CellState::AntiInflammatory,
        CellState::Quiescent,
        CellState::Reactive,
    ];

    /// The number files store, 0–8 in [`CellState::ALL`] order.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The state with this code, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// Name in files and legends.
    pub fn name(self) -> &'static str {
        match self {
            CellState::Healthy => "healthy",
            CellState::Stressed => "stressed",
            CellState::Dying => "dying",
            CellState::Dead => "dead",
            CellState::Surveying => "surveying",
            CellState::ProInflammatory => "pro-inflammatory",
            CellState::AntiInflammatory => "anti-inflammatory",
            CellState::Quiescent => "quiescent",
            CellState::Reactive => "reactive",
        }
    }

    /// The kind of cell this state belongs to.
    pub fn kind(self) -> CellKind {
        match self {
            CellState::Healthy | CellState::Stressed | CellState::Dying | CellState::Dead => {
                CellKind::MotorNeuron
            }
            CellState::Surveying | CellState::ProInflammatory | CellState::AntiInflammatory => {
                CellKind::Microglia
            }
            CellState::Quiescent | CellState::Reactive => CellKind::Astrocyte,
        }
    }
}

/// One cell as a snapshot shows it: the core's view (kind, state, position) and every
/// mechanism's per-cell variables ([`CellRecord::variables`]), NaN where a cell has no such
/// variable (a microglia's damage) or its mechanism is off, so that a viewer shows it as
/// missing rather than as a value.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRecord {
    /// Stable id.
    pub id: CellId,
    /// Kind.
    pub kind: CellKind,
    /// State.
    pub state: CellState,
    /// Soma centre, µm from the tissue origin.
    pub position_um: [f32; 3],
    /// The values of [`CellRecord::variable_names`], in that order.
    pub values: Vec<f32>,
}

impl CellRecord {
    /// The names of the mechanisms' per-cell variables, in [`crate::mechanisms::ALL`] order
    /// (e.g. `aggregate_load`, `mitochondrial_function`, `support`).
    pub fn variable_names() -> Vec<&'static str> {
        ALL.iter()
            .flat_map(|m| m.cell_variables().iter().copied())
            .collect()
    }

    /// The value of the variable `name`, `None` for an unknown name.
    pub fn variable(&self, name: &str) -> Option<f32> {
        let i = Self::variable_names().iter().position(|n| *n == name)?;
        self.values.get(i).copied()
    }
}
