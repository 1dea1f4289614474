//! Parameters of the disease mechanisms, one file per mechanism, mirroring
//! `alsim-core/src/mechanisms/`. A mechanism set to `None` in a scenario is not run at all.

mod astrocytes;
mod cell_death;
mod microglia;
mod neuron_damage;

pub use astrocytes::AstrocyteParams;
pub use cell_death::CellDeathParams;
pub use microglia::MicrogliaParams;
pub use neuron_damage::NeuronDamageParams;

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Every mechanism's parameters. Omitted mechanisms run with their defaults; `None` switches
/// one off (`microglia: None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanisms {
    /// Microglial sensing, polarisation, cytokine secretion and debris clearance.
    #[serde(default = "on")]
    pub microglia: Option<MicrogliaParams>,
    /// Astrocyte reactivity induced by pro-inflammatory cytokine, and its neurotoxicity.
    #[serde(default = "on")]
    pub astrocytes: Option<AstrocyteParams>,
    /// Motor neuron damage from intrinsic stress, cytokine and reactive astrocytes.
    #[serde(default = "on")]
    pub neuron_damage: Option<NeuronDamageParams>,
    /// Stochastic death of damaged motor neurons, apoptosis and debris release.
    #[serde(default = "on")]
    pub cell_death: Option<CellDeathParams>,
}

fn on<T: Default>() -> Option<T> {
    Some(T::default())
}

impl Default for Mechanisms {
    fn default() -> Self {
        Self {
            microglia: on(),
            astrocytes: on(),
            neuron_damage: on(),
            cell_death: on(),
        }
    }
}

impl Mechanisms {
    pub(crate) fn check(&self, c: &mut Checker) {
        if let Some(p) = &self.microglia {
            c.scope("microglia", |c| p.check(c));
        }
        if let Some(p) = &self.astrocytes {
            c.scope("astrocytes", |c| p.check(c));
        }
        if let Some(p) = &self.neuron_damage {
            c.scope("neuron_damage", |c| p.check(c));
        }
        if let Some(p) = &self.cell_death {
            c.scope("cell_death", |c| p.check(c));
        }
    }
}
