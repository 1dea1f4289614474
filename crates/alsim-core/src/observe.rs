//! What a run reports: per-interval observations (the time series) and milestone summaries.

use crate::fields::{FIELD_COUNT, FieldId, FieldStats};
use bevy_ecs::prelude::*;
use serde::Serialize;

/// Running counts kept by the systems that change them.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct Census {
    /// Motor neurons at the start.
    pub motor_neurons_initial: u64,
    /// Motor neurons that have died so far.
    pub motor_neurons_dead: u64,
}

/// One row of the time series.
#[derive(Clone, Debug, PartialEq)]
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
}

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
        v
    }
}

/// Milestones of a run, filled in as they are reached.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Motor neurons at the start.
    pub motor_neurons_initial: u64,
    /// Motor neurons alive at the end.
    pub motor_neurons_final_alive: u64,
    /// First day on which at least 10% of motor neurons were dead; `None` if never.
    pub days_to_10pct_mn_loss: Option<f64>,
    /// First day on which at least 50% of motor neurons were dead; `None` if never.
    pub days_to_50pct_mn_loss: Option<f64>,
    /// Simulated days.
    pub simulated_days: f64,
    /// Ticks run.
    pub ticks: u64,
}
