//! Keeps docs/scenarios.md true to the schema: every field of the scenario (and every enum
//! variant that serialises as a key) must be named in the reference, and every field must appear
//! there under its full dotted path, the same path validation errors print.

use alsim_scenario::{Boundary, Scenario, SweepAxis, SweepRange};
use serde_json::Value;
use std::collections::BTreeSet;

/// Path to the reference, relative to this crate.
const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scenarios.md");

/// Enum variants that wrap a value. They are names a user writes (`Count(40)`), so the doc must
/// name them, but they are not part of a field's dotted path.
const VARIANT_WRAPPERS: [&str; 6] = [
    "Count",
    "DensityPerMm3",
    "Box",
    "Whole",
    "ZeroFlux",
    "Fixed",
];

/// Every key found while walking a serialised scenario.
#[derive(Default)]
struct Keys {
    /// Bare key names: struct fields and wrapper variants.
    names: BTreeSet<String>,
    /// Dotted paths of struct fields, wrapper variants left out.
    paths: BTreeSet<String>,
}

impl Keys {
    fn walk(&mut self, value: &Value, path: &str) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    self.names.insert(key.clone());
                    if VARIANT_WRAPPERS.contains(&key.as_str()) {
                        // `amount: Count(40)` keeps the path `...amount`.
                        self.walk(child, path);
                    } else {
                        let child_path = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        self.paths.insert(child_path.clone());
                        self.walk(child, &child_path);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, path);
                }
            }
            // Unit variants such as `Whole` and `ZeroFlux` serialise as plain strings; numbers,
            // strings and null (a mechanism switched off) carry no keys.
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
        }
    }
}

fn keys_of(scenarios: &[Scenario]) -> Keys {
    let mut keys = Keys::default();
    for scenario in scenarios {
        let value = serde_json::to_value(scenario).expect("a Scenario serialises to JSON");
        keys.walk(&value, "");
    }
    keys
}

/// The default scenario, plus one that uses what the default leaves out: a `Fixed` boundary, so
/// its wrapper key is seen too, a snapshot interval, and a sweep with a list and a range of
/// values.
fn scenarios() -> Vec<Scenario> {
    let default = Scenario::default();
    let mut fixed = Scenario::default();
    fixed.time.snapshot_every_days = Some(5.0);
    fixed.fields.tnf.boundary.y_max = Boundary::Fixed(0.0);
    fixed.sweep = vec![
        SweepAxis {
            parameter: "seed".into(),
            values: vec![1.0, 2.0],
            range: None,
        },
        SweepAxis {
            parameter: "time.start_age_years".into(),
            values: Vec::new(),
            range: Some(SweepRange {
                from: 40.0,
                to: 60.0,
                count: 3,
            }),
        },
    ];
    vec![default, fixed]
}

fn read_doc() -> String {
    std::fs::read_to_string(DOC_PATH).unwrap_or_else(|e| panic!("cannot read {DOC_PATH}: {e}"))
}

/// `name` in backticks on its own, or as the last segment of a backticked dotted path.
fn names_in_backticks(doc: &str, name: &str) -> bool {
    let closed = format!("{name}`");
    doc.match_indices(&closed)
        .any(|(at, _)| at > 0 && matches!(doc.as_bytes()[at - 1], b'`' | b'.'))
}

#[test]
fn walk_sees_every_kind_of_key() {
    // Guards the walk itself, so an empty walk cannot pass the checks below vacuously.
    let keys = keys_of(&scenarios());
    for name in [
        "seed",
        "dt_hours",
        "Count",
        "DensityPerMm3",
        "Box",
        "Fixed",
        "x_min",
    ] {
        assert!(
            keys.names.contains(name),
            "walk missed {name}: {:?}",
            keys.names
        );
    }
    for path in [
        "time.dt_hours",
        "populations.motor_neurons.amount",
        "populations.motor_neurons.region.min_um",
        "populations.microglia.amount",
        "fields.tnf.boundary.x_min",
        "mechanisms.microglia.activation_per_hour",
        "sweep.parameter",
        "sweep.range.count",
    ] {
        assert!(
            keys.paths.contains(path),
            "walk missed {path}: {:?}",
            keys.paths
        );
    }
    assert!(
        keys.paths
            .iter()
            .all(|p| !p.split('.').any(|s| VARIANT_WRAPPERS.contains(&s))),
        "variant wrappers leaked into paths: {:?}",
        keys.paths
    );
}

#[test]
fn every_field_name_is_in_the_reference() {
    let doc = read_doc();
    let keys = keys_of(&scenarios());
    let missing: Vec<&String> = keys
        .names
        .iter()
        .filter(|name| !names_in_backticks(&doc, name))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scenarios.md does not name these {} scenario keys in backticks (as `name` or \
         `a.b.name`): {missing:?}",
        missing.len()
    );
}

#[test]
fn every_field_path_is_in_the_reference() {
    let doc = read_doc();
    let keys = keys_of(&scenarios());
    let missing: Vec<&String> = keys
        .paths
        .iter()
        .filter(|path| !doc.contains(&format!("`{path}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scenarios.md does not give these {} field paths in backticks: {missing:?}",
        missing.len()
    );
}

/// Numeric leaves of the default scenario by dotted path.
fn numeric_defaults(value: &Value, path: &str, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if VARIANT_WRAPPERS.contains(&key.as_str()) {
                    path.to_string()
                } else if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                numeric_defaults(child, &child_path, out);
            }
        }
        Value::Number(n) => out.push((path.to_string(), n.as_f64().unwrap())),
        _ => {}
    }
}

#[test]
fn defaults_in_the_reference_tables_match_the_code() {
    let doc = read_doc();
    // Table rows `| `path` | unit | default | range | meaning |`: the first number of the
    // default cell is the documented default.
    let documented: Vec<(String, String)> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            Some((
                cells.get(1)?.trim_matches('`').to_string(),
                cells.get(3)?.to_string(),
            ))
        })
        .collect();
    let mut defaults = Vec::new();
    numeric_defaults(
        &serde_json::to_value(Scenario::default()).unwrap(),
        "",
        &mut defaults,
    );
    let mut compared = 0;
    let mut wrong = Vec::new();
    for (path, value) in &defaults {
        let Some((_, cell)) = documented.iter().find(|(p, _)| p == path) else {
            continue;
        };
        let first = cell
            .split_whitespace()
            .next()
            .unwrap_or("")
            .replace(',', "");
        let Ok(doc_value) = first.parse::<f64>() else {
            continue;
        };
        compared += 1;
        // Three significant digits in the doc: up to 0.5% rounding.
        if (doc_value - value).abs() > 5e-3 * value.abs().max(1e-3) {
            wrong.push(format!("{path}: doc says {doc_value}, code has {value}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/scenarios.md defaults out of date:\n{}",
        wrong.join("\n")
    );
    assert!(
        compared >= 30,
        "only {compared} defaults compared; did the table format change?"
    );
}

/// The reference tables generated from the parameter declarations, as they stand in the doc
/// between `<!-- generated from ...: PREFIX -->` and `<!-- end generated -->`. With
/// `ALSIM_UPDATE_DOCS=1` the test rewrites them instead of failing.
#[test]
fn generated_parameter_tables_are_current() {
    let mut doc = read_doc();
    let mut stale = Vec::new();
    for (prefix, params) in Scenario::parameter_tables() {
        let table = alsim_scenario::params::reference_table(prefix, params);
        let marker = format!(": {prefix} -->\n");
        let open = doc
            .find(&marker)
            .map(|at| at + marker.len())
            .unwrap_or_else(|| {
                panic!("docs/scenarios.md has no generated table for {prefix}: add `<!-- generated from ...: {prefix} -->` and `<!-- end generated -->` where it belongs")
            });
        let close = open
            + doc[open..]
                .find("<!-- end generated -->")
                .unwrap_or_else(|| panic!("the generated table of {prefix} is not closed"));
        if doc[open..close] != table {
            stale.push(prefix);
            doc.replace_range(open..close, &table);
        }
    }
    if std::env::var_os("ALSIM_UPDATE_DOCS").is_some() {
        std::fs::write(DOC_PATH, doc).expect("docs/scenarios.md is writable");
    } else {
        assert!(
            stale.is_empty(),
            "docs/scenarios.md is stale for {stale:?}: run \
             `ALSIM_UPDATE_DOCS=1 cargo test -p alsim-scenario --test docs_sync` and commit the result"
        );
    }
}

/// Every RON example in the reference is current: a whole scenario parses and validates, a
/// fragment parses inside a scenario's parentheses, and the comparison file parses as one.
#[test]
fn every_ron_example_in_the_reference_parses() {
    let doc = read_doc();
    let mut checked = 0;
    for block in doc.split("```ron\n").skip(1) {
        let text = &block[..block.find("```").expect("a closed block")];
        let whole = text.trim_start().starts_with('(');
        if whole && text.contains("\n    a: ") {
            ron::from_str::<alsim_scenario::Comparison>(text)
                .unwrap_or_else(|e| panic!("comparison example: {e}\n{text}"));
        } else if whole {
            let s =
                Scenario::from_ron_str(text, "example").unwrap_or_else(|e| panic!("{e}\n{text}"));
            s.validate("example")
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
        } else {
            Scenario::from_ron_str(&format!("({text})"), "fragment")
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} examples found");
}
