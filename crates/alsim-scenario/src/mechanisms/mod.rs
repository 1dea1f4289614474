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
mod tdp43;
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
pub use tdp43::Tdp43Params;
pub use transport::TransportParams;

use crate::check::Checker;
use crate::params::ParamSpec;
use serde::{Deserialize, Serialize};

/// Declares `Mechanisms` from one list: each mechanism's key, doc, parameter struct and
/// whether it runs when omitted (`on`, with defaults, or `off`) gives the field, `Default`,
/// the range checks of the ones that are on, and `PARAMETER_TABLES`.
macro_rules! mechanisms {
    ($($(#[doc = $doc:literal])* $name:ident: $params:ty = $default:ident,)*) => {
        /// Every mechanism's parameters. Omitted mechanisms run with their defaults, except
        /// those off by default; `None` switches one off (`microglia: None`), `()` on with
        /// defaults (`tdp43: ()`).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Mechanisms {
            $(
                $(#[doc = $doc])*
                pub $name: Option<$params>,
            )*
        }

        impl Default for Mechanisms {
            fn default() -> Self {
                Self { $($name: $default(),)* }
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
    aggregation: AggregationParams = on,
    /// Mitochondrial function, reactive oxygen species and oxidative damage.
    mitochondria: MitochondriaParams = on,
    /// Axonal transport and the neuromuscular terminal it supplies (dying back).
    transport: TransportParams = on,
    /// Microglial sensing, polarisation, cytokine secretion and debris clearance.
    microglia: MicrogliaParams = on,
    /// Astrocyte reactivity induced by pro-inflammatory cytokine, and its neurotoxicity.
    astrocytes: AstrocyteParams = on,
    /// Motor neuron damage from intrinsic stress, cytokine and reactive astrocytes.
    neuron_damage: NeuronDamageParams = on,
    /// Stochastic death of damaged motor neurons, apoptosis and debris release.
    cell_death: CellDeathParams = on,
    /// Clinical readout: motor units, collateral reinnervation and a muscle-force proxy.
    motor_units: MotorUnitParams = on,
    /// Ageing: proteostatic clearance declining with the tissue's age.
    ageing: AgeingParams = on,
    /// Neurofilament light released by degenerating axons into the CSF and blood (biomarker).
    neurofilament: NeurofilamentParams = on,
    /// TDP-43 nuclear loss of function: STMN2 and UNC13A cryptic exons impair sprouting and
    /// synaptic transmission. Off by default.
    tdp43: Tdp43Params = off,
}

fn on<T: Default>() -> Option<T> {
    Some(T::default())
}

fn off<T>() -> Option<T> {
    None
}

#[cfg(test)]
mod tests {
    use crate::Scenario;
    use crate::params::Bounds;

    #[test]
    fn omitted_mechanisms_take_their_default_and_unit_switches_one_on() {
        let on = Scenario::from_ron_str("(mechanisms: (tdp43: (), microglia: None))", "x").unwrap();
        assert_eq!(on.mechanisms.tdp43, Some(super::Tdp43Params::default()));
        assert!(on.mechanisms.microglia.is_none());
        assert!(on.mechanisms.aggregation.is_some());
        let omitted = Scenario::from_ron_str("()", "x").unwrap();
        assert!(omitted.mechanisms.tdp43.is_none(), "off unless asked for");
    }

    /// Every declared parameter, set just outside its range at either end through the scenario's
    /// serde tree, is refused under its own dotted path; the defaults pass.
    #[test]
    fn every_parameter_outside_its_range_is_named_and_defaults_pass() {
        // Every mechanism on, and one course of each drug, so that every table has a place in
        // the tree.
        let mut base = Scenario::default();
        base.mechanisms.tdp43 = Some(super::Tdp43Params::default());
        base.interventions = crate::Intervention::PARAMETER_TABLES
            .iter()
            .map(|(path, _)| {
                let variant = path
                    .split('.')
                    .nth(2)
                    .expect("interventions[].therapy.Variant");
                let args = if variant == "Antisense" {
                    "target: Sod1"
                } else {
                    ""
                };
                ron::from_str(&format!("(therapy: {variant}({args}), start: Day(0.0))")).unwrap()
            })
            .collect();
        assert!(base.validate("x.ron").is_ok());
        let mut checked = 0;
        for (prefix, params) in Scenario::parameter_tables() {
            let prefix = match crate::Intervention::PARAMETER_TABLES
                .iter()
                .position(|(p, _)| *p == prefix)
            {
                Some(i) => prefix.replace("[]", &format!("[{i}]")),
                None => prefix.to_string(),
            };
            for p in params {
                let (below, above) = match p.bounds {
                    Bounds::Closed(min, max) => (min - 1.0, max * 2.0 + 1.0),
                    Bounds::Positive(max) => (0.0, max * 2.0 + 1.0),
                };
                let path = format!("{prefix}.{}", p.name);
                for bad in [below, above] {
                    let mut tree = serde_json::to_value(&base).unwrap();
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
