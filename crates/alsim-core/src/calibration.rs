//! Calibration: the observables of `../shared/calibration.md` that a run can show, measured on a
//! run's observation rows, and the targets they are compared with. `alsim calibrate` runs the
//! calibration scenarios over many seeds and writes the table into `docs/model.md`;
//! `tests/calibration.rs` checks what CI has time for.

use crate::{Observation, Summary};

/// The SOD1-G93A mouse time course of one run, in days; `None` when not reached in the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MouseCourse {
    /// Mean axonal transport efficiency first below 90% of its value at the start.
    pub transport_deficit: Option<f64>,
    /// Denervated endplates first at least 40%.
    pub denervation_40pct: Option<f64>,
    /// Motor neurons lost first at least 20%.
    pub loss_20pct: Option<f64>,
    /// Motor neurons lost first at least 50%.
    pub loss_50pct: Option<f64>,
    /// Clinical onset (force proxy below the scenario's threshold).
    pub onset: Option<f64>,
    /// End stage: force proxy first below [`END_STAGE_FORCE`].
    pub end_stage: Option<f64>,
}

/// Force proxy taken as end stage (a mouse that cannot right itself has lost most hindlimb
/// force; model choice).
pub const END_STAGE_FORCE: f64 = 0.2;

fn first_day(rows: &[Observation], reached: impl Fn(&Observation) -> bool) -> Option<f64> {
    rows.iter().find(|o| reached(o)).map(|o| o.time_days)
}

impl MouseCourse {
    /// Measures the course on a run's rows (in time order) and summary.
    pub fn measure(rows: &[Observation], summary: &Summary) -> Self {
        let Some(start) = rows.first() else {
            return Self::default();
        };
        let transport0 = start.neuron_means[3];
        let lost = |o: &Observation, share: f64| {
            o.motor_neurons_dead as f64 >= share * summary.motor_neurons_initial as f64
        };
        Self {
            transport_deficit: first_day(rows, |o| {
                o.motor_neurons_alive > 0 && o.neuron_means[3] < 0.9 * transport0
            }),
            denervation_40pct: first_day(rows, |o| o.endplates_denervated_fraction >= 0.4),
            loss_20pct: first_day(rows, |o| lost(o, 0.2)),
            loss_50pct: first_day(rows, |o| lost(o, 0.5)),
            onset: summary.days_to_clinical_onset,
            end_stage: first_day(rows, |o| o.force_proxy < END_STAGE_FORCE),
        }
    }

    /// The observables in [`MOUSE_TARGETS`] order.
    pub fn values(&self) -> [Option<f64>; 6] {
        [
            self.transport_deficit,
            self.denervation_40pct,
            self.loss_20pct,
            self.loss_50pct,
            self.onset,
            self.end_stage,
        ]
    }
}

/// A measured target: observable, range in days, source.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// What is measured.
    pub observable: &'static str,
    /// Lower end of the target range, days.
    pub low: f64,
    /// Upper end of the target range, days.
    pub high: f64,
    /// Where the target comes from.
    pub source: &'static str,
}

/// SOD1-G93A mouse targets (calibration.md, section A), in [`MouseCourse::values`] order.
pub const MOUSE_TARGETS: [Target; 6] = [
    Target {
        observable: "retrograde transport deficit (mean efficiency < 90% of start)",
        low: 30.0,
        high: 40.0,
        source: "Bilsland et al. 2010",
    },
    Target {
        observable: "40% of endplates denervated",
        low: 30.0,
        high: 50.0,
        source: "Fischer et al. 2004; Vinsant et al. 2013",
    },
    Target {
        observable: "20% of motor neurons lost",
        low: 50.0,
        high: 70.0,
        source: "Vinsant et al. 2013; Chiu et al. 1995",
    },
    Target {
        observable: "50% of motor neurons lost",
        low: 90.0,
        high: 110.0,
        source: "Hall et al. 1998",
    },
    Target {
        observable: "clinical onset",
        low: 80.0,
        high: 115.0,
        source: "Gurney 1994; Hall et al. 1998",
    },
    Target {
        observable: "end stage (force proxy < 0.2)",
        low: 115.0,
        high: 145.0,
        source: "Scott et al. 2008",
    },
];

/// Mean, standard deviation and count of the runs that reached an observable, and how many
/// runs there were.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Mean over the runs that reached it.
    pub mean: f64,
    /// Sample standard deviation (0 for one run).
    pub sd: f64,
    /// Runs that reached it.
    pub reached: usize,
    /// Runs in all.
    pub runs: usize,
}

impl Spread {
    /// Summarises per-run values; `None` entries are runs that did not reach the observable.
    pub fn of(values: &[Option<f64>]) -> Option<Self> {
        let got: Vec<f64> = values.iter().flatten().copied().collect();
        if got.is_empty() {
            return None;
        }
        let n = got.len() as f64;
        let mean = got.iter().sum::<f64>() / n;
        let var = if got.len() > 1 {
            got.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        Some(Self {
            mean,
            sd: var.sqrt(),
            reached: got.len(),
            runs: values.len(),
        })
    }
}

/// The markdown table comparing per-run courses with the targets.
pub fn mouse_table(courses: &[MouseCourse]) -> String {
    let mut out = String::from(
        "| observable | target (days) | model: mean ± sd (runs reaching it) | inside? | source |\n|---|---|---|---|---|\n",
    );
    for (i, target) in MOUSE_TARGETS.iter().enumerate() {
        let values: Vec<Option<f64>> = courses.iter().map(|c| c.values()[i]).collect();
        let (model, inside) = match Spread::of(&values) {
            Some(s) => (
                format!("{:.1} ± {:.1} ({}/{})", s.mean, s.sd, s.reached, s.runs),
                if s.reached == s.runs && (target.low..=target.high).contains(&s.mean) {
                    "yes"
                } else {
                    "no"
                },
            ),
            None => (format!("not reached (0/{})", values.len()), "no"),
        };
        out.push_str(&format!(
            "| {} | {}–{} | {} | {} | {} |\n",
            target.observable, target.low, target.high, model, inside, target.source
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_the_sample_mean_and_sd_of_reached_runs() {
        let s = Spread::of(&[Some(2.0), None, Some(4.0), Some(6.0)]).unwrap();
        assert_eq!((s.mean, s.reached, s.runs), (4.0, 3, 4));
        assert!((s.sd - 2.0).abs() < 1e-12);
        assert_eq!(Spread::of(&[None, None]), None);
    }

    #[test]
    fn table_marks_a_target_inside_only_when_every_run_reached_it_within_range() {
        let course = |onset| MouseCourse {
            onset,
            ..MouseCourse::default()
        };
        let table = mouse_table(&[course(Some(90.0)), course(Some(100.0))]);
        let onset_row = table
            .lines()
            .find(|l| l.starts_with("| clinical onset"))
            .unwrap();
        assert!(onset_row.contains("95.0 ± 7.1 (2/2) | yes"), "{onset_row}");
        let table = mouse_table(&[course(Some(90.0)), course(None)]);
        let onset_row = table
            .lines()
            .find(|l| l.starts_with("| clinical onset"))
            .unwrap();
        assert!(onset_row.contains("(1/2) | no"), "{onset_row}");
    }
}
