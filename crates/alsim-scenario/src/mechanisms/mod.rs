//! Parameters of the disease mechanisms, one file per mechanism, mirroring
//! `alsim-core/src/mechanisms/`. A mechanism set to `None` in a scenario is not run at all.

mod ageing;
mod aggregation;
mod astrocytes;
mod cell_death;
mod microglia;
mod mitochondria;
mod motor_units;
mod neurofilament;
mod neuron_damage;
mod transport;

pub use ageing::AgeingParams;
pub use aggregation::AggregationParams;
pub use astrocytes::AstrocyteParams;
pub use cell_death::CellDeathParams;
pub use microglia::MicrogliaParams;
pub use mitochondria::MitochondriaParams;
pub use motor_units::MotorUnitParams;
pub use neurofilament::NeurofilamentParams;
pub use neuron_damage::NeuronDamageParams;
pub use transport::TransportParams;

use crate::check::Checker;
use crate::params::ParamSpec;
use serde::{Deserialize, Serialize};

/// Declares `Mechanisms` from one list: each mechanism's key, doc and parameter struct gives
/// the field (`Option`, on with defaults when omitted), `Default`, the range checks of the ones
/// that are on, and `PARAMETER_TABLES`.
macro_rules! mechanisms {
    ($($(#[doc = $doc:literal])* $name:ident: $params:ty,)*) => {
        /// Every mechanism's parameters. Omitted mechanisms run with their defaults; `None`
        /// switches one off (`microglia: None`).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Mechanisms {
            $(
                $(#[doc = $doc])*
                #[serde(default = "on")]
                pub $name: Option<$params>,
            )*
        }

        impl Default for Mechanisms {
            fn default() -> Self {
                Self { $($name: on(),)* }
            }
        }

        impl Mechanisms {
            /// Each mechanism's dotted path and its parameters' declarations, for the
            /// reference.
            pub const PARAMETER_TABLES: &'static [(&'static str, &'static [ParamSpec])] =
                &[$((concat!("mechanisms.", stringify!($name)), <$params>::PARAMS),)*];

            pub(crate) fn check(&self, c: &mut Checker) {
                $(
                    if let Some(p) = &self.$name {
                        c.scope(stringify!($name), |c| p.check(c));
                    }
                )*
            }
        }
    };
}

mechanisms! {
    /// Misfolded protein in motor neurons: nucleation, templated growth, proteostatic clearance,
    /// seed release and uptake (prion-like spread).
    aggregation: AggregationParams,
    /// Mitochondrial function, reactive oxygen species and oxidative damage.
    mitochondria: MitochondriaParams,
    /// Axonal transport and the neuromuscular terminal it supplies (dying back).
    transport: TransportParams,
    /// Microglial sensing, polarisation, cytokine secretion and debris clearance.
    microglia: MicrogliaParams,
    /// Astrocyte reactivity induced by pro-inflammatory cytokine, and its neurotoxicity.
    astrocytes: AstrocyteParams,
    /// Motor neuron damage from intrinsic stress, cytokine and reactive astrocytes.
    neuron_damage: NeuronDamageParams,
    /// Stochastic death of damaged motor neurons, apoptosis and debris release.
    cell_death: CellDeathParams,
    /// Clinical readout: motor units, collateral reinnervation and a muscle-force proxy.
    motor_units: MotorUnitParams,
    /// Ageing: proteostatic clearance declining with the tissue's age.
    ageing: AgeingParams,
    /// Neurofilament light released by degenerating axons into the CSF and blood (biomarker).
    neurofilament: NeurofilamentParams,
}

fn on<T: Default>() -> Option<T> {
    Some(T::default())
}

#[cfg(test)]
mod tests {
    use crate::Scenario;
    use crate::params::Bounds;

    /// Every declared parameter, set just outside its range at either end through the scenario's
    /// serde tree, is refused under its own dotted path; the defaults pass.
    #[test]
    fn every_parameter_outside_its_range_is_named_and_defaults_pass() {
        assert!(Scenario::default().validate("x.ron").is_ok());
        let mut checked = 0;
        for (prefix, params) in Scenario::parameter_tables() {
            for p in params {
                let (below, above) = match p.bounds {
                    Bounds::Closed(min, max) => (min - 1.0, max * 2.0 + 1.0),
                    Bounds::Positive(max) => (0.0, max * 2.0 + 1.0),
                };
                let path = format!("{prefix}.{}", p.name);
                for bad in [below, above] {
                    let mut tree = serde_json::to_value(Scenario::default()).unwrap();
                    let leaf = crate::path::locate(&mut tree, &path).unwrap();
                    *leaf = if leaf.is_u64() && bad >= 0.0 {
                        serde_json::json!(bad as u64)
                    } else {
                        serde_json::json!(bad)
                    };
                    let Ok(s) = serde_json::from_value::<Scenario>(tree) else {
                        // An unsigned field cannot even hold a negative number.
                        assert!(bad < 0.0, "{path} = {bad} did not parse");
                        continue;
                    };
                    let err = s.validate("x.ron").unwrap_err().to_string();
                    assert!(
                        err.contains(&format!("{path} must")),
                        "{path} = {bad} not named: {err}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "only {checked} bad values tried");
    }
}
