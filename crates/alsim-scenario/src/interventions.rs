//! Interventions: therapies that change mechanism parameters from a given time.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// When a therapy starts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Start {
    /// On this day.
    Day(f64),
    /// On the day of clinical onset (force proxy below threshold; needs `motor_units`), plus a
    /// delay in days (diagnostic delay; 0 for "at onset").
    AfterOnset(f64),
}

/// A therapy: the mechanism it acts on, not the outcome. Each scales one parameter while it is
/// active (`docs/calibration-targets.md`, section E).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Therapy {
    /// A free-radical scavenger (edaravone; Writing Group 2017): multiplies the neurons'
    /// antioxidant capacity by this factor (≥ 1).
    Antioxidant(f64),
    /// An antisense oligonucleotide lowering SOD1 production (tofersen; Miller et al. 2022):
    /// multiplies misfolded-protein production by this fraction (0–1).
    Antisense(f64),
    /// Lowered glutamate release (riluzole; Bensimon et al. 1994): multiplies the excitotoxic
    /// damage by this fraction (0–1).
    AntiGlutamate(f64),
    /// An anti-inflammatory damping microglial activation: multiplies the microglial
    /// activation rate by this fraction (0–1).
    AntiInflammatory(f64),
}

/// One therapy over a time window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// What it does.
    pub therapy: Therapy,
    /// When it starts.
    pub start: Start,
    /// How long it lasts, days; `None` (default) to the end of the run. Range (0, 36500].
    #[serde(default)]
    pub duration_days: Option<f64>,
}

impl Intervention {
    pub(crate) fn check(&self, c: &mut Checker, duration_days: f64) {
        match self.therapy {
            Therapy::Antioxidant(f) => c.range("therapy.Antioxidant", f, 1.0, 1e3),
            Therapy::Antisense(f) => c.range("therapy.Antisense", f, 0.0, 1.0),
            Therapy::AntiGlutamate(f) => c.range("therapy.AntiGlutamate", f, 0.0, 1.0),
            Therapy::AntiInflammatory(f) => c.range("therapy.AntiInflammatory", f, 0.0, 1.0),
        }
        match self.start {
            Start::Day(d) => c.range("start.Day", d, 0.0, duration_days),
            Start::AfterOnset(d) => c.range("start.AfterOnset", d, 0.0, duration_days),
        }
        if let Some(d) = self.duration_days {
            c.positive("duration_days", d, 36_500.0);
        }
    }
}
