//! Parameters of the disease mechanisms, one file per mechanism, mirroring
//! `alsim-core/src/mechanisms/`. A mechanism set to `None` in a scenario is not run at all.

mod ageing;
mod aggregation;
mod astrocytes;
mod cell_death;
mod microglia;
mod mitochondria;
mod motor_units;
mod neuron_damage;
mod transport;

pub use ageing::AgeingParams;
pub use aggregation::AggregationParams;
pub use astrocytes::AstrocyteParams;
pub use cell_death::CellDeathParams;
pub use microglia::MicrogliaParams;
pub use mitochondria::MitochondriaParams;
pub use motor_units::MotorUnitParams;
pub use neuron_damage::NeuronDamageParams;
pub use transport::TransportParams;

use crate::check::Checker;
use crate::params::ParamSpec;
use serde::{Deserialize, Serialize};

/// Every mechanism's parameters. Omitted mechanisms run with their defaults; `None` switches
/// one off (`microglia: None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanisms {
    /// Misfolded protein in motor neurons: nucleation, templated growth, proteostatic clearance,
    /// seed release and uptake (prion-like spread).
    #[serde(default = "on")]
    pub aggregation: Option<AggregationParams>,
    /// Mitochondrial function, reactive oxygen species and oxidative damage.
    #[serde(default = "on")]
    pub mitochondria: Option<MitochondriaParams>,
    /// Axonal transport and the neuromuscular terminal it supplies (dying back).
    #[serde(default = "on")]
    pub transport: Option<TransportParams>,
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
    /// Clinical readout: motor units, collateral reinnervation and a muscle-force proxy.
    #[serde(default = "on")]
    pub motor_units: Option<MotorUnitParams>,
    /// Ageing: proteostatic clearance declining with the tissue's age.
    #[serde(default = "on")]
    pub ageing: Option<AgeingParams>,
}

impl Mechanisms {
    /// Each mechanism's dotted path and its parameters' declarations, for the reference.
    pub const PARAMETER_TABLES: &'static [(&'static str, &'static [ParamSpec])] = &[
        ("mechanisms.aggregation", AggregationParams::PARAMS),
        ("mechanisms.mitochondria", MitochondriaParams::PARAMS),
        ("mechanisms.transport", TransportParams::PARAMS),
        ("mechanisms.microglia", MicrogliaParams::PARAMS),
        ("mechanisms.astrocytes", AstrocyteParams::PARAMS),
        ("mechanisms.neuron_damage", NeuronDamageParams::PARAMS),
        ("mechanisms.cell_death", CellDeathParams::PARAMS),
        ("mechanisms.motor_units", MotorUnitParams::PARAMS),
        ("mechanisms.ageing", AgeingParams::PARAMS),
    ];
}

fn on<T: Default>() -> Option<T> {
    Some(T::default())
}

impl Default for Mechanisms {
    fn default() -> Self {
        Self {
            aggregation: on(),
            mitochondria: on(),
            transport: on(),
            motor_units: on(),
            microglia: on(),
            astrocytes: on(),
            neuron_damage: on(),
            cell_death: on(),
            ageing: on(),
        }
    }
}

impl Mechanisms {
    pub(crate) fn check(&self, c: &mut Checker) {
        if let Some(p) = &self.aggregation {
            c.scope("aggregation", |c| p.check(c));
        }
        if let Some(p) = &self.mitochondria {
            c.scope("mitochondria", |c| p.check(c));
        }
        if let Some(p) = &self.transport {
            c.scope("transport", |c| p.check(c));
        }
        if let Some(p) = &self.motor_units {
            c.scope("motor_units", |c| p.check(c));
        }
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
        if let Some(p) = &self.ageing {
            c.scope("ageing", |c| p.check(c));
        }
    }
}
