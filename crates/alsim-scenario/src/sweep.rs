//! Parameter sweeps: a scenario may name parameters and the values each takes; the grid of their
//! combinations becomes one scenario per point, each checked as if it were a file of its own.
//!
//! A parameter is named by the same dotted path validation errors print
//! (`mechanisms.microglia.activation_per_hour`, `tissue.size_um.x`,
//! `populations.microglia.amount.DensityPerMm3`, `events[0].Toxin.end_day`), and is set through
//! the scenario's serde form, so every numeric field can be swept without a list of them to keep
//! in step with the schema.

use crate::Scenario;
use crate::check::{Checker, Problem};
use crate::path::{assign, locate, not_a_number};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Largest number of points a sweep's grid may have.
pub const MAX_SWEEP_POINTS: u64 = 100_000;

/// One axis of a sweep: a parameter and the values it takes. Give `values` or `range`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepAxis {
    /// Dotted path of a numeric parameter, as validation errors print it. Required.
    pub parameter: String,
    /// The values, in order. Default empty (then `range` is required).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    /// Evenly spaced values instead of a list. Default `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<SweepRange>,
}

/// `count` evenly spaced values from `from` to `to`, both included, each rounded to 12
/// significant digits so run names stay short (`0.3`, not `0.30000000000000004`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRange {
    /// First value. Required.
    pub from: f64,
    /// Last value. Required.
    pub to: f64,
    /// How many values, at least 1 (1 gives `from` alone). Required.
    pub count: u64,
}

/// One point of a sweep's grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// Each axis's parameter path and its value here, in axis order.
    pub values: Vec<(String, f64)>,
    /// `name=value` per axis joined by `-`, with each name the shortest tail of its path that
    /// tells the axes apart (`activation_per_hour=0.5`); empty for a scenario without a sweep.
    pub label: String,
    /// The scenario with these values set and no sweep, validated.
    pub scenario: Scenario,
}

impl SweepAxis {
    /// The axis's values, in order.
    pub fn points(&self) -> Vec<f64> {
        match &self.range {
            Some(r) if self.values.is_empty() => (0..r.count)
                .map(|i| {
                    let t = if r.count > 1 {
                        i as f64 / (r.count - 1) as f64
                    } else {
                        0.0
                    };
                    round_12(r.from + (r.to - r.from) * t)
                })
                .collect(),
            _ => self.values.clone(),
        }
    }

    fn check(&self, c: &mut Checker) {
        if self.parameter.trim().is_empty() {
            c.problem(
                "parameter",
                "must name a parameter, e.g. \"mechanisms.microglia.activation_per_hour\"",
            );
        }
        match (&self.range, self.values.is_empty()) {
            (None, true) => c.problem(
                "values",
                "is empty: a sweep needs at least one value; give values: [..] or range: (from: .., to: .., count: ..)",
            ),
            (Some(_), false) => c.problem("range", "cannot be given with values; keep one of them"),
            (Some(r), true) => {
                for (field, v) in [("range.from", r.from), ("range.to", r.to)] {
                    c.range(field, v, f64::MIN, f64::MAX);
                }
                c.range("range.count", r.count as f64, 1.0, MAX_SWEEP_POINTS as f64);
            }
            (None, false) => {
                for (i, v) in self.values.iter().enumerate() {
                    c.range(&format!("values[{i}]"), *v, f64::MIN, f64::MAX);
                }
            }
        }
        if c.is_clean() {
            let mut seen = BTreeSet::new();
            for v in self.points() {
                if !seen.insert(v.to_bits()) {
                    c.problem(
                        "values",
                        format!("has {v} twice; each value must be distinct"),
                    );
                }
            }
        }
    }
}

fn round_12(x: f64) -> f64 {
    format!("{x:.11e}")
        .parse()
        .expect("a formatted float parses")
}

/// Checks the axes' own values and the grid's size (at the top level: paths `sweep[i]...`).
pub(crate) fn check_axes(axes: &[SweepAxis], c: &mut Checker) {
    for (i, axis) in axes.iter().enumerate() {
        c.scope(&format!("sweep[{i}]"), |c| axis.check(c));
        if let Some(j) = axes[..i].iter().position(|a| a.parameter == axis.parameter) {
            c.problem(
                &format!("sweep[{i}].parameter"),
                format!(
                    "{} is already swept by sweep[{j}]; give each parameter once",
                    axis.parameter
                ),
            );
        }
    }
    let points = axes
        .iter()
        .map(|a| a.points().len() as u64)
        .fold(1u64, u64::saturating_mul);
    if points > MAX_SWEEP_POINTS {
        c.problem(
            "sweep",
            format!(
                "has {points} points, more than the limit of {MAX_SWEEP_POINTS}; use fewer values"
            ),
        );
    }
}

/// The points of `scenario`'s sweep grid (first axis slowest), each validated; problems go to
/// `c` at the top level, each once, with the point where it was first seen.
pub(crate) fn expand(scenario: &Scenario, c: &mut Checker) -> Vec<SweepPoint> {
    let axes = &scenario.sweep;
    let mut base = scenario.clone();
    base.sweep.clear();
    if axes.is_empty() {
        return vec![SweepPoint {
            values: Vec::new(),
            label: String::new(),
            scenario: base,
        }];
    }
    let tree = serde_json::to_value(&base).expect("a Scenario serialises to JSON");
    // A path that does not lead to a number is wrong at every point: say so once, per axis.
    for (i, axis) in axes.iter().enumerate() {
        let mut probe = tree.clone();
        if let Err(message) = locate(&mut probe, &axis.parameter).and_then(|leaf| {
            leaf.is_number()
                .then_some(())
                .ok_or_else(|| not_a_number(&axis.parameter, leaf))
        }) {
            c.problem(&format!("sweep[{i}].parameter"), message);
        }
    }
    if !c.is_clean() {
        return Vec::new();
    }
    let names = short_names(axes.iter().map(|a| a.parameter.as_str()));
    let values: Vec<Vec<f64>> = axes.iter().map(SweepAxis::points).collect();
    let mut reported = BTreeSet::new();
    let mut points = Vec::new();
    for combination in grid(&values) {
        let label = names
            .iter()
            .zip(&combination)
            .map(|(name, v)| format!("{name}={v}"))
            .collect::<Vec<_>>()
            .join("-");
        let mut point = tree.clone();
        let mut problems = Vec::new();
        for (axis, &v) in axes.iter().zip(&combination) {
            let leaf = locate(&mut point, &axis.parameter).expect("the probe found every path");
            if let Err(message) = assign(leaf, v) {
                problems.push(Problem {
                    field: axis.parameter.clone(),
                    message,
                });
            }
        }
        let parsed = if problems.is_empty() {
            match serde_json::from_value::<Scenario>(point) {
                Ok(s) => Some(s),
                Err(e) => {
                    problems.push(Problem {
                        field: "sweep".into(),
                        message: format!("gives a scenario that cannot be read: {e}"),
                    });
                    None
                }
            }
        } else {
            None
        };
        if let Some(s) = &parsed {
            let mut inner = Checker::default();
            s.check(&mut inner);
            problems.extend(inner.into_problems());
        }
        if problems.is_empty() {
            points.push(SweepPoint {
                values: axes
                    .iter()
                    .map(|a| a.parameter.clone())
                    .zip(combination)
                    .collect(),
                label,
                scenario: parsed.expect("no problems means it parsed"),
            });
        } else {
            for p in problems {
                if reported.insert((p.field.clone(), p.message.clone())) {
                    c.problem(&p.field, format!("{} (at sweep point {label})", p.message));
                }
            }
        }
    }
    points
}

/// Every combination of one value per axis, the last axis varying fastest.
fn grid(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    values.iter().fold(vec![Vec::new()], |acc, axis| {
        acc.iter()
            .flat_map(|prefix| {
                axis.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(*v);
                    p
                })
            })
            .collect()
    })
}

/// For each path, its shortest tail of dotted segments that no other path ends with.
fn short_names<'a>(paths: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let tail = |p: &str, k: usize| {
        let segments: Vec<&str> = p.split('.').collect();
        segments[segments.len().saturating_sub(k)..].join(".")
    };
    paths
        .clone()
        .map(|p| {
            let depth = p.split('.').count();
            (1..=depth)
                .map(|k| tail(p, k))
                .find(|t| {
                    paths.clone().filter(|q| *q != p).all(|q| {
                        let qt = tail(q, t.split('.').count());
                        qt != *t
                    })
                })
                .unwrap_or_else(|| p.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(parameter: &str, values: &[f64]) -> SweepAxis {
        SweepAxis {
            parameter: parameter.into(),
            values: values.to_vec(),
            range: None,
        }
    }

    fn with_sweep(axes: Vec<SweepAxis>) -> Scenario {
        Scenario {
            sweep: axes,
            ..Scenario::default()
        }
    }

    #[test]
    fn grid_takes_every_combination_with_the_last_axis_fastest() {
        let s = with_sweep(vec![
            axis("mechanisms.microglia.activation_per_hour", &[0.5, 2.0]),
            axis("seed", &[7.0, 8.0, 9.0]),
        ]);
        let points = s.sweep_points("s.ron").unwrap();
        let seen: Vec<(f64, u64)> = points
            .iter()
            .map(|p| {
                let m = p.scenario.mechanisms.microglia.as_ref().unwrap();
                (m.activation_per_hour, p.scenario.seed)
            })
            .collect();
        assert_eq!(
            seen,
            [(0.5, 7), (0.5, 8), (0.5, 9), (2.0, 7), (2.0, 8), (2.0, 9)]
        );
        assert_eq!(points[1].label, "activation_per_hour=0.5-seed=8");
        assert!(points.iter().all(|p| p.scenario.sweep.is_empty()));
    }

    #[test]
    fn tuple_axes_enum_contents_and_list_items_are_reached_by_their_error_paths() {
        let s = Scenario {
            events: vec![crate::Event::Toxin {
                start_day: 1.0,
                end_day: 5.0,
                region: crate::Region::Whole,
                ros_fmol_per_hour_per_mm3: 10.0,
            }],
            sweep: vec![
                axis("tissue.size_um.y", &[200.0]),
                axis("populations.microglia.amount.DensityPerMm3", &[1000.0]),
                axis("events[0].Toxin.end_day", &[9.0]),
            ],
            ..Scenario::default()
        };
        let p = &s.sweep_points("s.ron").unwrap()[0].scenario;
        assert_eq!(p.tissue.size_um.1, 200.0);
        assert_eq!(
            p.populations.microglia.amount,
            crate::Amount::DensityPerMm3(1000.0)
        );
        assert!(matches!(
            p.events[0],
            crate::Event::Toxin { end_day: 9.0, .. }
        ));
    }

    #[test]
    fn names_are_the_shortest_tails_that_tell_axes_apart() {
        let names = short_names(
            [
                "fields.tnf.decay_per_hour",
                "fields.il10.decay_per_hour",
                "seed",
            ]
            .into_iter(),
        );
        assert_eq!(names, ["tnf.decay_per_hour", "il10.decay_per_hour", "seed"]);
    }

    #[test]
    fn a_range_includes_both_ends_without_float_noise() {
        let a = SweepAxis {
            parameter: "seed".into(),
            values: Vec::new(),
            range: Some(SweepRange {
                from: 0.1,
                to: 0.7,
                count: 4,
            }),
        };
        assert_eq!(a.points(), [0.1, 0.3, 0.5, 0.7]);
    }

    fn problems(s: &Scenario) -> String {
        s.sweep_points("s.ron").unwrap_err().to_string()
    }

    #[test]
    fn unknown_parameter_is_named_with_the_fields_that_exist() {
        let err = problems(&with_sweep(vec![axis(
            "mechanisms.microglia.activaton_per_hour",
            &[1.0],
        )]));
        assert!(
            err.contains("sweep[0].parameter no parameter mechanisms.microglia.activaton_per_hour"),
            "{err}"
        );
        assert!(
            err.contains("activation_per_hour"),
            "lists the real fields: {err}"
        );
    }

    #[test]
    fn values_out_of_range_are_refused_with_the_parameter_path() {
        let err = problems(&with_sweep(vec![axis(
            "fields.tnf.diffusion_um2_per_s",
            &[10.0, -3.0],
        )]));
        assert!(
            err.contains("fields.tnf.diffusion_um2_per_s must be > 0, got -3 (at sweep point diffusion_um2_per_s=-3)"),
            "{err}"
        );
    }

    #[test]
    fn empty_duplicate_and_non_numeric_sweeps_are_refused() {
        let err = problems(&with_sweep(vec![axis("seed", &[])]));
        assert!(err.contains("sweep[0].values is empty"), "{err}");
        let err = problems(&with_sweep(vec![axis("seed", &[1.0, 1.0])]));
        assert!(err.contains("sweep[0].values has 1 twice"), "{err}");
        let err = problems(&with_sweep(vec![axis("seed", &[1.5])]));
        assert!(err.contains("takes whole numbers"), "{err}");
        let err = problems(&with_sweep(vec![axis("name", &[1.0])]));
        assert!(err.contains("name is not a number"), "{err}");
        let err = problems(&with_sweep(vec![
            axis("seed", &[1.0]),
            axis("seed", &[2.0]),
        ]));
        assert!(
            err.contains("sweep[1].parameter seed is already swept"),
            "{err}"
        );
    }

    #[test]
    fn a_switched_off_mechanism_cannot_be_swept_inside() {
        let mut s = with_sweep(vec![axis(
            "mechanisms.microglia.activation_per_hour",
            &[1.0],
        )]);
        s.mechanisms.microglia = None;
        let err = problems(&s);
        assert!(err.contains("mechanisms.microglia is None"), "{err}");
    }

    #[test]
    fn every_bundled_scenario_survives_the_serde_tree_unchanged() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                let s = crate::load(&path).unwrap();
                let back: Scenario =
                    serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
                assert_eq!(back, s, "{}", path.display());
            }
        }
    }
}
