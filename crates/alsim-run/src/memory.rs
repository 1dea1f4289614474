//! A run kept in memory: the rows `alsim run` would write to `timeseries.csv` (and a body's
//! `regions.csv`) and its `summary.json`, with no folder. For front ends that hand results
//! over directly (the Python package), stepped a slice at a time so the caller can look for
//! an interrupt between slices.
//!
//! ```text
//! Scenario --InMemoryRun::start--> advance(ticks)... --finish--> Tables { columns, rows,
//!                                                        region_columns, region_rows, summary }
//! ```
//!
//! The rows are the same numbers a run folder holds (the same model calls in the same order,
//! the same numerical guard), so they equal `timeseries.csv` read back, bit for bit.

use crate::RunError;
use alsim_core::{Body, Observation, Simulation};
use alsim_scenario::Scenario;

enum Model {
    Block(Box<Simulation>),
    Body {
        body: Box<Body>,
        /// Each region's name, side, neurons and body part: the labels of its rows.
        labels: Vec<[String; 4]>,
    },
}

/// A run in progress, in memory.
pub struct InMemoryRun {
    model: Model,
    tables: Tables,
}

/// What a finished in-memory run holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Tables {
    /// Columns of the time series (the whole body's, for a body).
    pub columns: Vec<String>,
    /// One row per output time, as `timeseries.csv`.
    pub rows: Vec<Vec<f64>>,
    /// Columns of a body's regions table after its four labels (region, side, neurons,
    /// serves); empty for a block.
    pub region_columns: Vec<String>,
    /// One row per region and output time, as `regions.csv`: the labels, then the values.
    pub region_rows: Vec<([String; 4], Vec<f64>)>,
    /// The run's summary as `summary.json` holds it.
    pub summary: serde_json::Value,
}

fn finite(columns: &[String], row: Vec<f64>) -> Result<Vec<f64>, RunError> {
    match row.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(RunError::BlowUp {
            column: columns[i].clone(),
            value: row[i],
            day: row[0],
        }),
        None => Ok(row),
    }
}

impl InMemoryRun {
    /// The run of `scenario` at its start, its first row taken.
    pub fn start(scenario: &Scenario) -> Result<Self, RunError> {
        let mut run = if scenario.neuraxis.is_some() {
            let body = Body::new(scenario)?;
            let labels = crate::drive::region_labels(&body);
            Self {
                model: Model::Body {
                    body: Box::new(body),
                    labels,
                },
                tables: Tables {
                    columns: Body::columns(),
                    rows: Vec::new(),
                    region_columns: Observation::columns(),
                    region_rows: Vec::new(),
                    summary: serde_json::Value::Null,
                },
            }
        } else {
            Self {
                model: Model::Block(Box::new(Simulation::new(scenario)?)),
                tables: Tables {
                    columns: Observation::columns(),
                    rows: Vec::new(),
                    region_columns: Vec::new(),
                    region_rows: Vec::new(),
                    summary: serde_json::Value::Null,
                },
            }
        };
        run.output()?;
        Ok(run)
    }

    fn output(&mut self) -> Result<(), RunError> {
        let t = &mut self.tables;
        match &mut self.model {
            Model::Block(sim) => t.rows.push(finite(&t.columns, sim.observe().values())?),
            Model::Body { body, labels } => {
                let observed = body.observe();
                t.rows.push(finite(&t.columns, body.whole_body(&observed))?);
                for (o, label) in observed.iter().zip(labels.iter()) {
                    let row = finite(&t.region_columns, o.values())?;
                    t.region_rows.push((label.clone(), row));
                }
            }
        }
        Ok(())
    }

    /// Whether the run has reached its end.
    pub fn is_finished(&self) -> bool {
        match &self.model {
            Model::Block(sim) => sim.is_finished(),
            Model::Body { body, .. } => body.is_finished(),
        }
    }

    /// Ticks run so far and in all.
    pub fn ticks(&self) -> (u64, u64) {
        match &self.model {
            Model::Block(sim) => (sim.tick(), sim.total_ticks()),
            Model::Body { body, .. } => (body.tick(), body.total_ticks()),
        }
    }

    /// Runs up to `steps` more steps (fewer at the end); whether the run is finished. A state
    /// that fails the numerical guard stops it with the guard's error.
    pub fn advance(&mut self, steps: u64) -> Result<bool, RunError> {
        for _ in 0..steps {
            if self.is_finished() {
                break;
            }
            let output = match &mut self.model {
                Model::Block(sim) => {
                    sim.step();
                    sim.check_state()?;
                    sim.is_output_tick()
                }
                Model::Body { body, .. } => {
                    body.step();
                    body.check_state()?;
                    body.is_output_tick()
                }
            };
            if output {
                self.output()?;
            }
        }
        Ok(self.is_finished())
    }

    /// The tables and summary of the run as it stands (at its end once finished).
    pub fn finish(mut self) -> Result<Tables, RunError> {
        let summary = match &self.model {
            Model::Block(sim) => serde_json::to_value(sim.summary()),
            Model::Body { body, .. } => serde_json::to_value(body.body_summary()),
        };
        self.tables.summary = summary.map_err(|e| RunError::Invalid(format!("summary: {e}")))?;
        Ok(self.tables)
    }
}
