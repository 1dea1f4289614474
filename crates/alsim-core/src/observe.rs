//! What a run reports: per-interval observations (the time series) and milestone summaries.

use crate::fields::{FIELD_COUNT, FieldId, FieldStats};
use crate::mechanism::{Column, Section};
use crate::mechanisms::ALL;
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

/// One row of the time series: the core's counts and field summaries, and every mechanism's
/// columns ([`crate::Mechanism::columns`]), whether the mechanism is on or off.
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
    /// Per field, in [`FieldId`] order.
    pub fields: [FieldStats; FIELD_COUNT],
    /// The mechanisms' columns, in [`Layout::mechanism_columns`] order.
    pub(crate) mechanisms: Vec<f64>,
}

/// Where each mechanism's columns sit: by section, then in [`crate::mechanisms::ALL`] order.
pub(crate) struct Layout {
    /// Per slot of [`Observation::mechanisms`]: (index in `ALL`, index among its columns).
    slots: Vec<(usize, usize)>,
}

impl Layout {
    pub(crate) fn get() -> &'static Layout {
        static LAYOUT: std::sync::OnceLock<Layout> = std::sync::OnceLock::new();
        LAYOUT.get_or_init(|| {
            let mut slots: Vec<(Section, usize, usize)> = ALL
                .iter()
                .enumerate()
                .flat_map(|(m, mechanism)| {
                    mechanism
                        .columns()
                        .iter()
                        .enumerate()
                        .map(move |(c, column)| (column.section, m, c))
                })
                .collect();
            slots.sort_by_key(|&(section, m, c)| (section as u8, m, c));
            Layout {
                slots: slots.into_iter().map(|(_, m, c)| (m, c)).collect(),
            }
        })
    }

    fn columns(&self) -> impl Iterator<Item = &'static Column> + '_ {
        self.slots.iter().map(|&(m, c)| &ALL[m].columns()[c])
    }

    /// The mechanisms' columns of one section.
    fn section(&self, section: Section) -> impl Iterator<Item = (usize, &'static Column)> + '_ {
        self.columns()
            .enumerate()
            .filter(move |(_, c)| c.section == section)
    }

    /// Puts each mechanism's observed values (in its own column order) into their slots.
    pub(crate) fn arrange(&self, per_mechanism: &[Vec<f64>]) -> Vec<f64> {
        self.slots
            .iter()
            .map(|&(m, c)| per_mechanism[m][c])
            .collect()
    }
}

impl Default for Observation {
    /// Everything zero.
    fn default() -> Self {
        Self {
            time_days: 0.0,
            motor_neurons_alive: 0,
            motor_neurons_stressed: 0,
            motor_neurons_dying: 0,
            motor_neurons_dead: 0,
            fields: [FieldStats::default(); FIELD_COUNT],
            mechanisms: vec![0.0; Layout::get().slots.len()],
        }
    }
}

impl Observation {
    /// Column names, in [`Observation::values`] order: time and motor neuron counts, the
    /// mechanisms' [`Section::Cells`] columns, each field's total and maximum, then the
    /// [`Section::Readout`] and [`Section::NeuronState`] columns. These names are an interface:
    /// scripts read them, so they change only with a documented reason.
    pub fn columns() -> Vec<String> {
        let layout = Layout::get();
        let names = |s| layout.section(s).map(|(_, c)| c.name.to_string());
        let mut cols: Vec<String> = [
            "time_days",
            "motor_neurons_alive",
            "motor_neurons_stressed",
            "motor_neurons_dying",
            "motor_neurons_dead",
        ]
        .map(String::from)
        .to_vec();
        cols.extend(names(Section::Cells));
        for f in FieldId::ALL {
            cols.push(format!("{}_total", f.name()));
            cols.push(format!("{}_max", f.name()));
        }
        cols.extend(names(Section::Readout));
        cols.extend(names(Section::NeuronState));
        cols
    }

    /// Values, in [`Observation::columns`] order.
    pub fn values(&self) -> Vec<f64> {
        let layout = Layout::get();
        let section = |s| layout.section(s).map(|(i, _)| self.mechanisms[i]);
        let mut v = vec![
            self.time_days,
            self.motor_neurons_alive as f64,
            self.motor_neurons_stressed as f64,
            self.motor_neurons_dying as f64,
            self.motor_neurons_dead as f64,
        ];
        v.extend(section(Section::Cells));
        for s in self.fields {
            v.push(s.total);
            v.push(s.max);
        }
        v.extend(section(Section::Readout));
        v.extend(section(Section::NeuronState));
        v
    }

    /// The row of [`Observation::values`] `values` (as `timeseries.csv` holds it) read back;
    /// `None` unless it has one value per column.
    pub fn from_values(values: &[f64]) -> Option<Self> {
        let layout = Layout::get();
        let cells = layout.section(Section::Cells).count();
        if values.len() != Self::columns().len() {
            return None;
        }
        let (counts, rest) = values.split_at(5);
        let (cell_values, rest) = rest.split_at(cells);
        let (field_values, state_values) = rest.split_at(2 * FIELD_COUNT);
        let mut row = Self {
            time_days: counts[0],
            // Counts are whole numbers written as f64.
            motor_neurons_alive: counts[1] as u64,
            motor_neurons_stressed: counts[2] as u64,
            motor_neurons_dying: counts[3] as u64,
            motor_neurons_dead: counts[4] as u64,
            ..Self::default()
        };
        for (stats, pair) in row.fields.iter_mut().zip(field_values.chunks_exact(2)) {
            *stats = FieldStats {
                total: pair[0],
                max: pair[1],
            };
        }
        let slots = layout
            .section(Section::Cells)
            .chain(layout.section(Section::Readout))
            .chain(layout.section(Section::NeuronState))
            .map(|(i, _)| i);
        for (slot, &value) in slots.zip(cell_values.iter().chain(state_values)) {
            row.mechanisms[slot] = value;
        }
        Some(row)
    }

    /// The value of any column by name, `None` for an unknown name.
    pub fn get(&self, column: &str) -> Option<f64> {
        let i = Self::columns().iter().position(|c| c == column)?;
        Some(self.values()[i])
    }

    /// Sets a mechanism's column (e.g. to build rows in tests); `false` for an unknown name.
    pub fn set(&mut self, column: &str, value: f64) -> bool {
        match Layout::get().columns().position(|c| c.name == column) {
            Some(i) => {
                self.mechanisms[i] = value;
                true
            }
            None => false,
        }
    }
}

/// A mechanism's column by name (`row["force_proxy"]`).
///
/// # Panics
/// If no mechanism has that column (the core's own columns are fields of the row).
impl std::ops::Index<&str> for Observation {
    type Output = f64;

    fn index(&self, column: &str) -> &f64 {
        let i = Layout::get()
            .columns()
            .position(|c| c.name == column)
            .unwrap_or_else(|| panic!("no mechanism column named {column}"));
        &self.mechanisms[i]
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
    /// Blood neurofilament light on the day of clinical onset, pg/mL; `None` before onset or
    /// with `mechanisms.neurofilament` off.
    pub nfl_blood_pg_per_ml_at_onset: Option<f64>,
    /// Blood neurofilament light at the end, pg/mL; `None` with `mechanisms.neurofilament` off.
    pub nfl_blood_pg_per_ml_final: Option<f64>,
    /// Simulated days.
    pub simulated_days: f64,
    /// Ticks run.
    pub ticks: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_read_back_gives_the_same_values_and_columns_by_name() {
        let n = Observation::columns().len();
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let row = Observation::from_values(&values).expect("one value per column");
        assert_eq!(row.values(), values);
        for (i, name) in Observation::columns().iter().enumerate() {
            assert_eq!(row.get(name), Some(i as f64), "{name}");
        }
        assert_eq!(Observation::from_values(&values[1..]), None);
    }
}
