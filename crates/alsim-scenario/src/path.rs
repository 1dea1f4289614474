//! The parameter path language shared by sweeps, `--set` and validation errors: dotted field
//! names, `[i]` for list items, `x`/`y`/`z` for the axes of a tuple and enum variant names
//! where a variant wraps its contents (`mechanisms.microglia.activation_per_hour`,
//! `tissue.size_um.x`, `populations.microglia.amount.DensityPerMm3`,
//! `events[0].Toxin.end_day`). Paths are walked in a scenario's serde tree, so every field of
//! the schema is reachable without a list of them to keep in step with it.

use serde_json::{Number, Value};

/// One step of a parameter path.
pub(crate) enum Step<'a> {
    Field(&'a str),
    Index(usize),
}

pub(crate) fn parse_path(path: &str) -> Result<Vec<Step<'_>>, String> {
    let mut steps = Vec::new();
    for segment in path.split('.') {
        let (name, mut rest) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        if name.is_empty() {
            return Err(format!(
                "\"{path}\" is not a parameter path; write it as validation errors print it, e.g. \"events[0].Toxin.end_day\""
            ));
        }
        steps.push(Step::Field(name));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner
                .find(']')
                .ok_or_else(|| format!("\"{path}\": unclosed ["))?;
            let index = inner[..close]
                .parse()
                .map_err(|_| format!("\"{path}\": [{}] is not an index", &inner[..close]))?;
            steps.push(Step::Index(index));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("\"{path}\": unexpected \"{rest}\""));
        }
    }
    Ok(steps)
}

/// The value at `path` in a scenario's serde tree; the error says what is wrong with the path.
pub(crate) fn locate<'t>(tree: &'t mut Value, path: &str) -> Result<&'t mut Value, String> {
    let mut here = tree;
    let mut walked = String::new();
    for step in parse_path(path)? {
        // Tuples such as `tissue.size_um` are named by axis, as their errors are.
        let step = match step {
            Step::Field(axis @ ("x" | "y" | "z"))
                if here.as_array().is_some_and(|items| items.len() == 3) =>
            {
                Step::Index(usize::from(axis.as_bytes()[0] - b'x'))
            }
            step => step,
        };
        here = match (here, step) {
            (Value::Object(map), Step::Field(name)) => {
                if !map.contains_key(name) {
                    let known: Vec<&str> = map.keys().map(String::as_str).collect();
                    let place = if walked.is_empty() {
                        "a scenario".to_string()
                    } else {
                        walked.clone()
                    };
                    let nearest = nearest(name, &known);
                    let hint = if nearest.is_empty() {
                        String::new()
                    } else {
                        format!("did you mean {}? ", nearest.join(" or "))
                    };
                    return Err(format!(
                        "no parameter {path}: {place} has no field {name}; {hint}it has {} (docs/scenarios.md lists every field)",
                        known.join(", ")
                    ));
                }
                walked = join(&walked, name);
                &mut map[name]
            }
            (Value::Array(items), Step::Index(i)) => {
                let len = items.len();
                walked = format!("{walked}[{i}]");
                items.get_mut(i).ok_or_else(|| {
                    format!("no parameter {path}: the list before [{i}] has {len} items")
                })?
            }
            (Value::Null, _) => {
                return Err(format!(
                    "no parameter {path}: {walked} is None (switched off); switch it on to sweep inside it"
                ));
            }
            (_, Step::Field(name)) => {
                return Err(format!("no parameter {path}: {walked} has no field {name}"));
            }
            (_, Step::Index(i)) => {
                return Err(format!(
                    "no parameter {path}: {walked} is not a list, so [{i}] names nothing"
                ));
            }
        };
    }
    Ok(here)
}

pub(crate) fn not_a_number(path: &str, leaf: &Value) -> String {
    if leaf.is_null() {
        format!("{path} is None; write a value for it in the file to sweep it")
    } else {
        format!("{path} is not a number; a sweep sets numbers only")
    }
}

/// Writes `value` into a numeric leaf, keeping whole-number fields whole.
pub(crate) fn assign(leaf: &mut Value, value: f64) -> Result<(), String> {
    *leaf = match leaf {
        Value::Number(n) if n.is_f64() => Value::Number(
            Number::from_f64(value).ok_or_else(|| format!("must be finite, got {value}"))?,
        ),
        _ => {
            // Whole-number fields (seed, Count, fibres_per_unit) are u64; 2^53 keeps f64 exact.
            if value.fract() != 0.0 || !(0.0..=9.007_199_254_740_992e15).contains(&value) {
                return Err(format!("takes whole numbers from 0, got {value}"));
            }
            Value::from(value as u64)
        }
    };
    Ok(())
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The names in `known` closest to the misspelt `name`, best first: at most three, each close
/// enough to be a likely typo.
pub(crate) fn nearest<'k>(name: &str, known: &[&'k str]) -> Vec<&'k str> {
    let mut scored: Vec<(f64, &str)> = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}
