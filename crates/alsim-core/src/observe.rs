//! What a run reports: per-interval observations (the time series) and milestone summaries.

use crate::fields::{FIELD_COUNT, FieldId, FieldStats};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Running counts kept by the systems that change them.
#[derive(Resource, Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Census {
    /// Motor neurons at the start.
    pub motor_neurons_initial: u64,
    /// Motor neurons that have died so far.
    pub motor_neurons_dead: u64,
}

/// One row of the time series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// Simulated time, days.
    pub time_days: f64,
    /// Motor neurons not yet dead (including those dying).
    pub motor_neurons_alive: u64,
    /// Living motor neurons above the stress threshold.
    pub motor_neurons_stressed: u64,
    /// Motor neurons in apoptosis.
    pub motor_neurons_dying: u64,
    /// Dead motor neurons.
    pub motor_neurons_dead: u64,
    /// Microglia per phenotype: surveying, pro-inflammatory, anti-inflammatory.
    pub microglia: [u64; 3],
    /// Reactive astrocytes.
    pub astrocytes_reactive: u64,
    /// All astrocytes.
    pub astrocytes_total: u64,
    /// Per field, in [`FieldId`] order.
    pub fields: [FieldStats; FIELD_COUNT],
    /// Muscle-force proxy: innervated muscle fibres over fibres at the start, in [0, 1]. 1 when
    /// the `motor_units` mechanism is off (the readout is not modelled, so nothing counts as
    /// lost).
    pub force_proxy: f64,
    /// Living motor neurons (dying included) whose motor unit is lost: terminal retracted or in
    /// apoptosis. `motor_neurons_alive − motor_units_denervated` is the number of functional
    /// motor units. 0 when `motor_units` is off.
    pub motor_units_denervated: u64,
    /// Share of the muscle's endplates (fibres not atrophied) that are denervated, in [0, 1]
    /// (Fischer et al. 2004 measure it). 0 when `motor_units` is off.
    pub endplates_denervated_fraction: f64,
    /// Mean size of the functional motor units relative to their starting size (1 unenlarged;
    /// 0 when none is functional). 1 when `motor_units` is off.
    pub motor_unit_enlargement: f64,
    /// Means over living motor neurons (dying included) of their internal state, in
    /// [`NEURON_MEANS`] order; 0 for a mechanism that is off or when none is alive.
    pub neuron_means: [f64; 5],
}

/// Column names of [`Observation::neuron_means`]: aggregate load (a.u.), mitochondrial
/// function (1 healthy), oxidative damage, axonal transport efficiency (1 normal), damage.
pub const NEURON_MEANS: [&str; 5] = [
    "mn_aggregate_load_mean",
    "mn_mitochondrial_function_mean",
    "mn_oxidative_damage_mean",
    "mn_transport_efficiency_mean",
    "mn_damage_mean",
];

impl Observation {
    /// Column names, in [`Observation::values`] order. These names are an interface: scripts
    /// read them, so they change only with a documented reason.
    pub fn columns() -> Vec<String> {
        let mut cols: Vec<String> = [
            "time_days",
            "motor_neurons_alive",
            "motor_neurons_stressed",
            "motor_neurons_dying",
            "motor_neurons_dead",
            "microglia_surveying",
            "microglia_proinflammatory",
            "microglia_antiinflammatory",
            "astrocytes_reactive",
            "astrocytes_total",
        ]
        .map(String::from)
        .to_vec();
        for f in FieldId::ALL {
            cols.push(format!("{}_total", f.name()));
            cols.push(format!("{}_max", f.name()));
        }
        cols.extend(
            [
                "force_proxy",
                "motor_units_denervated",
                "endplates_denervated_fraction",
                "motor_unit_enlargement",
            ]
            .map(String::from),
        );
        cols.extend(NEURON_MEANS.map(String::from));
        cols
    }

    /// Values, in [`Observation::columns`] order.
    pub fn values(&self) -> Vec<f64> {
        let mut v = vec![
            self.time_days,
            self.motor_neurons_alive as f64,
            self.motor_neurons_stressed as f64,
            self.motor_neurons_dying as f64,
            self.motor_neurons_dead as f64,
            self.microglia[0] as f64,
            self.microglia[1] as f64,
            self.microglia[2] as f64,
            self.astrocytes_reactive as f64,
            self.astrocytes_total as f64,
        ];
        for s in self.fields {
            v.push(s.total);
            v.push(s.max);
        }
        v.extend([
            self.force_proxy,
            self.motor_units_denervated as f64,
            self.endplates_denervated_fraction,
            self.motor_unit_enlargement,
        ]);
        v.extend(self.neuron_means);
        v
    }
}

/// Milestones of a run, filled in as they are reached.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Motor neurons at the start.
    pub motor_neurons_initial: u64,
    /// Motor neurons alive at the end.
    pub motor_neurons_final_alive: u64,
    /// First day on which at least 10% of motor neurons were dead; `None` if never.
    pub days_to_10pct_mn_loss: Option<f64>,
    /// First day on which at least 50% of motor neurons were dead; `None` if never.
    pub days_to_50pct_mn_loss: Option<f64>,
    /// Clinical onset: the first day on which the muscle-force proxy was below
    /// `mechanisms.motor_units.onset_force_threshold`; `None` if never, or if `motor_units` is
    /// off.
    pub days_to_clinical_onset: Option<f64>,
    /// Age at the start of the run (`time.start_age_years`), years.
    pub start_age_years: f64,
    /// Age at clinical onset, years: `start_age_years` plus the days to onset over 365.25.
    pub age_at_clinical_onset_years: Option<f64>,
    /// Simulated days.
    pub simulated_days: f64,
    /// Ticks run.
    pub ticks: u64,
}
