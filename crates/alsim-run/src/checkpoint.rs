//! The checkpoint envelope: what `checkpoint.bin` holds besides the model's state, so that a
//! run can be resumed from its folder alone.

use crate::RunError;
use crate::run::{Every, VERSION};
use alsim_core::{BodyState, SavedState};
use alsim_io::{checkpoint, names};
use alsim_scenario::{PersonRecord, Scenario};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// What a checkpoint holds: the run (its resolved scenario and what its manifest records), the
/// time series so far, and the simulation's state. Fields are in file order: reordering them
/// changes the format.
#[derive(Serialize, Deserialize)]
pub(crate) struct RunState<'a> {
    /// The resolved scenario, as `scenario.ron` would hold it.
    pub(crate) scenario: Cow<'a, str>,
    pub(crate) scenario_file: Cow<'a, str>,
    pub(crate) replicate: Option<u64>,
    pub(crate) sweep: Cow<'a, BTreeMap<String, f64>>,
    /// The `--set path=value` overrides the scenario was loaded with, for the manifest.
    pub(crate) overrides: Cow<'a, [String]>,
    /// The person of a cohort the run is, for the manifest.
    pub(crate) person: Option<Cow<'a, PersonRecord>>,
    pub(crate) checkpoint_every: Option<Every>,
    /// Wall time spent before this checkpoint, over all sessions.
    pub(crate) wall_time_seconds: f64,
    pub(crate) rows: Cow<'a, [Vec<f64>]>,
    pub(crate) model: ModelState<'a>,
}

/// The model's state: one block's, or a body's with the rows of its `regions.csv` so far (in
/// the order written: each output time's regions in the scenario's order).
#[derive(Serialize, Deserialize)]
pub(crate) enum ModelState<'a> {
    Block(SavedState<'a>),
    Body {
        body: BodyState<'a>,
        region_rows: Cow<'a, [Vec<f64>]>,
    },
}

impl RunState<'static> {
    /// Reads the checkpoint of the unfinished run in `dir`.
    pub(crate) fn read(dir: &Path) -> Result<Self, RunError> {
        Ok(checkpoint::read(&dir.join(names::CHECKPOINT), VERSION)?)
    }

    /// Ticks completed at the checkpoint.
    pub(crate) fn tick(&self) -> u64 {
        match &self.model {
            ModelState::Block(state) => state.tick,
            ModelState::Body { body, .. } => body.tick,
        }
    }

    /// The scenario it continues, parsed and validated.
    pub(crate) fn scenario(&self, dir: &Path) -> Result<Scenario, RunError> {
        let origin = format!("{} (its scenario)", dir.join(names::CHECKPOINT).display());
        let scenario = Scenario::from_ron_str(&self.scenario, &origin)?;
        scenario.validate(&origin)?;
        Ok(scenario)
    }
}
