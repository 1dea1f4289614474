//! The clock: cell time step, field sub-step, duration and output interval.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Time stepping. Cells act once per `dt_hours`; fields are advanced in sub-steps of
/// `field_dt_minutes` inside each cell step, because cytokines diffuse and decay over minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeSpec {
    /// Cell time step, hours. Default 1. Range (0, 24].
    pub dt_hours: f64,
    /// Field sub-step, minutes. Default 6. Range (0, 60·dt_hours]; must divide the cell step
    /// into a whole number of sub-steps. The implicit solver is stable at any sub-step; smaller
    /// sub-steps resolve fast transients better.
    pub field_dt_minutes: f64,
    /// Simulated time, days. Default 60. Range (0, 36500].
    pub duration_days: f64,
    /// Interval between rows of `timeseries.csv`, days. Default 1. Must be a whole number of cell
    /// steps.
    pub output_every_days: f64,
    /// Age of the tissue (of the person or animal) at the start of the run, years. Default 0.
    /// Range [0, 120]. Ageing reads it, and the summary reports ages at its milestones.
    pub start_age_years: f64,
    /// Interval between VTK snapshots of the fields and cells (`vtk/` in the run folder), days.
    /// Default `None`: no snapshots. Range (0, 36500], and a whole number of cell steps. Left
    /// out of a resolved scenario when `None`, so run folders written before it existed still
    /// hold the scenario a batch would run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_every_days: Option<f64>,
    /// Adaptive stepping: longer cell steps (whole multiples of `dt_hours`) while every state
    /// changes slowly. Default `None`: every step is `dt_hours`. Left out of a resolved
    /// scenario when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<AdaptiveStepping>,
}

/// How far adaptive stepping may stretch a cell step. Each step is as long as every mechanism
/// allows from the state it starts in (each bounds the change of its own state over the step
/// by `tolerance`), at most `max_step_days`, and never past an output row, a snapshot, an
/// event or the end of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptiveStepping {
    /// Longest cell step, days. Default 8. Range [dt_hours/24, 365]; a whole number of cell
    /// steps. Field sub-steps stretch with the step, each field's only as far as it decays by
    /// at most e^-50 in one: a field that fast is at its quasi-steady state within a sub-step.
    pub max_step_days: f64,
    /// Largest change a mechanism's state may undergo in one step, as a fraction of that
    /// state's scale (death probability; damage relative to the damage at which a neuron is
    /// stressed; aggregate load relative to its clearance half-load). Dimensionless. Default
    /// 0.05. Range (0, 1].
    pub tolerance: f64,
}

impl Default for AdaptiveStepping {
    fn default() -> Self {
        Self {
            max_step_days: 8.0,
            tolerance: 0.05,
        }
    }
}

impl Default for TimeSpec {
    fn default() -> Self {
        Self {
            dt_hours: 1.0,
            field_dt_minutes: 6.0,
            duration_days: 60.0,
            output_every_days: 1.0,
            start_age_years: 0.0,
            snapshot_every_days: None,
            adaptive: None,
        }
    }
}

/// `a / b` when it is a whole number (to 1e-9 relative), else `None`.
fn whole_ratio(a: f64, b: f64) -> Option<u64> {
    let ratio = a / b;
    let rounded = ratio.round();
    ((ratio - rounded).abs() <= 1e-9 * rounded.max(1.0) && rounded >= 1.0).then_some(rounded as u64)
}

impl TimeSpec {
    /// Number of cell steps in the run (duration rounded up to whole steps).
    pub fn ticks(&self) -> u64 {
        (self.duration_days * 24.0 / self.dt_hours - 1e-9)
            .ceil()
            .max(0.0) as u64
    }

    /// Ends the run after at most `years` (at least one tick): a person's death of other
    /// causes ends their run.
    pub fn end_before(&mut self, years: f64) {
        let days = (years * 365.25).max(self.dt_hours / 24.0);
        self.duration_days = self.duration_days.min(days);
    }

    /// The day the last tick starts: the latest day an event can happen on.
    pub fn last_tick_day(&self) -> f64 {
        self.ticks().saturating_sub(1) as f64 * self.dt_hours / 24.0
    }

    /// Field sub-steps per cell step.
    pub fn field_substeps(&self) -> u64 {
        whole_ratio(self.dt_hours * 60.0, self.field_dt_minutes).unwrap_or(1)
    }

    /// Cell steps between two output rows.
    pub fn output_every_ticks(&self) -> u64 {
        whole_ratio(self.output_every_days * 24.0, self.dt_hours).unwrap_or(1)
    }

    /// Cell steps between two VTK snapshots; `None` when the scenario asks for none.
    pub fn snapshot_every_ticks(&self) -> Option<u64> {
        self.snapshot_every_days
            .map(|days| whole_ratio(days * 24.0, self.dt_hours).unwrap_or(1))
    }

    /// Most cell steps (of `dt_hours`) one step may span: 1 without adaptive stepping.
    pub fn max_span(&self) -> u64 {
        self.adaptive.as_ref().map_or(1, |a| {
            whole_ratio(a.max_step_days * 24.0, self.dt_hours).unwrap_or(1)
        })
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        c.positive("dt_hours", self.dt_hours, 24.0);
        c.positive("field_dt_minutes", self.field_dt_minutes, 24.0 * 60.0);
        c.positive("duration_days", self.duration_days, 36_500.0);
        c.positive("output_every_days", self.output_every_days, 36_500.0);
        c.range("start_age_years", self.start_age_years, 0.0, 120.0);
        if let Some(days) = self.snapshot_every_days {
            c.positive("snapshot_every_days", days, 36_500.0);
        }
        if let Some(a) = &self.adaptive {
            c.scope("adaptive", |c| {
                c.range(
                    "max_step_days",
                    a.max_step_days,
                    self.dt_hours / 24.0,
                    365.0,
                );
                c.range("tolerance", a.tolerance, f64::MIN_POSITIVE, 1.0);
                if c.is_clean() && whole_ratio(a.max_step_days * 24.0, self.dt_hours).is_none() {
                    c.problem(
                        "max_step_days",
                        format!(
                            "must be a whole number of cell steps of {} h, got {} days",
                            self.dt_hours, a.max_step_days
                        ),
                    );
                }
            });
        }
        if !c.is_clean() {
            return;
        }
        if whole_ratio(self.dt_hours * 60.0, self.field_dt_minutes).is_none() {
            c.problem(
                "field_dt_minutes",
                format!(
                    "must divide dt_hours ({} h = {} min) into a whole number of sub-steps, got {}",
                    self.dt_hours,
                    self.dt_hours * 60.0,
                    self.field_dt_minutes
                ),
            );
        }
        if whole_ratio(self.output_every_days * 24.0, self.dt_hours).is_none() {
            c.problem(
                "output_every_days",
                format!(
                    "must be a whole number of cell steps of {} h, got {} days",
                    self.dt_hours, self.output_every_days
                ),
            );
        }
        if let Some(days) = self.snapshot_every_days
            && whole_ratio(days * 24.0, self.dt_hours).is_none()
        {
            c.problem(
                "snapshot_every_days",
                format!(
                    "must be a whole number of cell steps of {} h, got {days} days",
                    self.dt_hours
                ),
            );
        }
        let substeps = self.ticks() as f64 * (self.dt_hours * 60.0 / self.field_dt_minutes);
        if substeps > 1e9 {
            c.problem(
                "field_dt_minutes",
                format!("gives {substeps:.3e} field steps in the run (limit 1e9); raise it or shorten duration_days"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_step_counts_follow_the_units() {
        let t = TimeSpec {
            dt_hours: 2.0,
            field_dt_minutes: 10.0,
            duration_days: 3.0,
            output_every_days: 0.5,
            ..TimeSpec::default()
        };
        assert_eq!(t.ticks(), 36);
        assert_eq!(t.field_substeps(), 12);
        assert_eq!(t.output_every_ticks(), 6);
        assert_eq!(t.snapshot_every_ticks(), None);
        let t = TimeSpec {
            snapshot_every_days: Some(1.5),
            ..t
        };
        assert_eq!(t.snapshot_every_ticks(), Some(18));
    }

    #[test]
    fn snapshot_interval_off_the_cell_step_or_not_positive_is_refused() {
        for (days, expected) in [
            (
                0.05,
                "snapshot_every_days must be a whole number of cell steps of 1 h",
            ),
            (-2.0, "snapshot_every_days must be > 0, got -2"),
        ] {
            let t = TimeSpec {
                snapshot_every_days: Some(days),
                ..TimeSpec::default()
            };
            let mut c = Checker::default();
            t.check(&mut c);
            let err = c.finish("t.ron").unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn sub_step_that_does_not_divide_the_cell_step_is_refused() {
        let t = TimeSpec {
            field_dt_minutes: 7.0,
            ..TimeSpec::default()
        };
        let mut c = Checker::default();
        t.check(&mut c);
        let err = c.finish("t.ron").unwrap_err().to_string();
        assert!(err.contains("field_dt_minutes must divide"), "{err}");
    }
}
