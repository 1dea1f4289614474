//! Scenario composition: `extends: "base.ron"` and `--set path=value`.
//!
//! A file that extends a base is read as a scenario of its own (so its syntax and types are
//! checked with line and column), and what its text writes replaces the base's value, field by
//! field into nested structs; anything else it writes (a number, a list, an enum, a switched-off
//! mechanism) replaces the base's value whole. Bases are resolved relative to the file that
//! names them, may extend further, and a cycle or a missing file is refused with the chain.
//! Merging happens in the serde tree of the typed scenarios, never of the RON text, so enum
//! variants keep their names.
//!
//! An override `path=value` names a parameter by the path sweeps and validation errors use; a
//! number is written into a numeric leaf as a sweep would, and any other value is read as RON
//! text for the field it names, as if a file extending the scenario wrote just that field.

use crate::check::Problem;
use crate::path::{Step, assign, locate, parse_path};
use crate::{Scenario, ScenarioError, read_text};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Longest chain of `extends` followed.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// One `--set path=value` override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// Dotted parameter path.
    pub path: String,
    /// The value as written: a number, or RON text for the field.
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;

    /// Parses `path=value`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, value) = s.split_once('=').ok_or_else(|| {
            format!(
                "\"{s}\" is not path=value; write e.g. mechanisms.ageing.proteostasis_half_life_years=70"
            )
        })?;
        let (path, value) = (path.trim(), value.trim());
        if path.is_empty() || value.is_empty() {
            return Err(format!(
                "\"{s}\" needs both a parameter path and a value, as in mechanisms.ageing.proteostasis_half_life_years=70"
            ));
        }
        Ok(Self {
            path: path.to_string(),
            value: value.to_string(),
        })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

/// Reads a scenario file, follows its `extends` chain and applies `overrides` in order; the
/// result has no `extends` and is not yet validated.
pub(crate) fn resolve(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let (text, origin) = read_text(path)?;
    let scenario = Scenario::from_ron_str(&text, &origin)?;
    if scenario.extends.is_none() && overrides.is_empty() {
        // Nothing to merge: keep the typed values as read (NaN included, for validation to
        // name), without the round trip through the serde tree.
        return Ok(scenario);
    }
    let mut tree = resolve_tree(path, &text, &origin, &scenario, &mut Vec::new())?;
    for o in overrides {
        apply(&mut tree, o).map_err(|message| ScenarioError::Override {
            path: origin.clone(),
            setting: o.to_string(),
            message,
        })?;
    }
    from_tree(tree, &origin)
}

/// `scenario` with `settings` applied in order, as `--set` applies them; an error names the
/// setting and says what is wrong.
pub(crate) fn with_settings(
    scenario: &Scenario,
    settings: &[Override],
    origin: &str,
) -> Result<Scenario, String> {
    if settings.is_empty() {
        return Ok(scenario.clone());
    }
    let mut tree = to_tree(scenario);
    for o in settings {
        apply(&mut tree, o).map_err(|m| format!("{o}: {m}"))?;
    }
    from_tree(tree, origin).map_err(|e| e.to_string())
}

/// The serde tree of `scenario`, read from `text` in `path`, with its bases merged in.
fn resolve_tree(
    path: &Path,
    text: &str,
    origin: &str,
    scenario: &Scenario,
    chain: &mut Vec<PathBuf>,
) -> Result<Value, ScenarioError> {
    let written: ron::Value = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| ScenarioError::parse(origin, &e))?;
    let mut problems = Vec::new();
    let Some(base) = &scenario.extends else {
        // JSON has no NaN or infinity: name them now, before the tree turns them into null.
        non_finite_paths(&written, "", &mut problems);
        return if problems.is_empty() {
            Ok(to_tree(scenario))
        } else {
            Err(ScenarioError::Invalid {
                path: origin.to_string(),
                problems,
            })
        };
    };
    let here = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    chain.push(here);
    let base_path = path.parent().unwrap_or(Path::new("")).join(base);
    let refuse = |chain: &[PathBuf], why: String| ScenarioError::Extends {
        path: origin.to_string(),
        chain: chain
            .iter()
            .map(|p| p.display().to_string())
            .chain([base_path.display().to_string()])
            .collect::<Vec<_>>()
            .join(" extends "),
        message: why,
    };
    let canonical_base = base_path
        .canonicalize()
        .map_err(|e| refuse(chain, format!("cannot read {}: {e}", base_path.display())))?;
    if chain.contains(&canonical_base) {
        return Err(refuse(
            chain,
            "is a cycle; a scenario cannot extend itself, directly or through its bases".into(),
        ));
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(refuse(
            chain,
            format!("is longer than {MAX_EXTENDS_DEPTH} files; flatten some bases"),
        ));
    }
    let (base_text, base_origin) = read_text(&base_path)?;
    let base_scenario = Scenario::from_ron_str(&base_text, &base_origin)?;
    let mut tree = resolve_tree(&base_path, &base_text, &base_origin, &base_scenario, chain)?;
    overlay(&mut tree, &to_tree(scenario), &written, "", &mut problems);
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid {
            path: origin.to_string(),
            problems,
        });
    }
    Ok(tree)
}

fn to_tree(scenario: &Scenario) -> Value {
    serde_json::to_value(scenario).expect("a Scenario serialises to JSON")
}

fn from_tree(tree: Value, origin: &str) -> Result<Scenario, ScenarioError> {
    let mut scenario: Scenario =
        serde_json::from_value(tree).map_err(|e| ScenarioError::Extends {
            path: origin.to_string(),
            chain: origin.to_string(),
            message: format!("gives a scenario that cannot be read: {e}"),
        })?;
    scenario.extends = None;
    Ok(scenario)
}

/// Writes into `base` what `written` (a file's own RON text, as a value) sets, taking each
/// value from `typed` (the same file read as a scenario, defaults filled in).
fn overlay(
    base: &mut Value,
    typed: &Value,
    written: &ron::Value,
    at: &str,
    problems: &mut Vec<Problem>,
) {
    if let ron::Value::Option(Some(inner)) = written {
        return overlay(base, typed, inner, at, problems);
    }
    if let (ron::Value::Map(fields), Value::Object(typed_fields), Value::Object(base_fields)) =
        (written, typed, &mut *base)
    {
        // An optional field set to `None` that the typed tree leaves out (`time.adaptive`,
        // `time.snapshot_every_days`) is still a field of the struct.
        let names: Option<Vec<&str>> = fields
            .iter()
            .map(|(k, v)| match k {
                ron::Value::String(name)
                    if typed_fields.contains_key(name) || *v == ron::Value::Option(None) =>
                {
                    Some(name.as_str())
                }
                _ => None,
            })
            .collect();
        // A struct (not an enum variant, whose serde form is keyed by the variant's name):
        // merge field by field.
        if let Some(names) = names {
            for (name, written_field) in names.into_iter().zip(fields.values()) {
                if at.is_empty() && name == "extends" {
                    continue;
                }
                let field_path = if at.is_empty() {
                    name.to_string()
                } else {
                    format!("{at}.{name}")
                };
                match (base_fields.get_mut(name), typed_fields.get(name)) {
                    (_, None) => {
                        base_fields.remove(name);
                    }
                    (Some(b), Some(typed_field)) => {
                        overlay(b, typed_field, written_field, &field_path, problems)
                    }
                    (None, Some(typed_field)) => {
                        base_fields.insert(name.to_string(), typed_field.clone());
                    }
                }
            }
            return;
        }
    }
    non_finite_paths(written, at, problems);
    *base = typed.clone();
}

/// Names every NaN or infinity in `written` (JSON has neither: the typed tree holds null
/// there), with its path below `at` (list items and tuple components by index).
fn non_finite_paths(written: &ron::Value, at: &str, problems: &mut Vec<Problem>) {
    match written {
        ron::Value::Number(n) if !n.into_f64().is_finite() => problems.push(Problem {
            field: at.to_string(),
            message: format!("must be a finite number, got {}", n.into_f64()),
        }),
        ron::Value::Option(Some(inner)) => non_finite_paths(inner, at, problems),
        ron::Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                non_finite_paths(item, &format!("{at}[{i}]"), problems);
            }
        }
        ron::Value::Map(map) => {
            for (key, value) in map.iter() {
                let name = match key {
                    ron::Value::String(name) => name.clone(),
                    other => format!("{other:?}"),
                };
                let path = if at.is_empty() {
                    name
                } else {
                    format!("{at}.{name}")
                };
                non_finite_paths(value, &path, problems);
            }
        }
        _ => {}
    }
}

/// Applies one override to a resolved scenario's serde tree.
fn apply(tree: &mut Value, o: &Override) -> Result<(), String> {
    // The path may lead nowhere in the tree only because an optional field left out of it is
    // unset (`time.snapshot_every_days`); the typed reading below settles that.
    let (leaf_is_text, unlocated) = match locate(tree, &o.path) {
        Ok(leaf) => {
            // A number into a numeric field as a sweep puts it; anything else (`None` for an
            // optional number, a typo) goes the typed way, which says what the field takes.
            if leaf.is_number()
                && let Ok(value) = o.value.parse::<f64>()
            {
                return assign(leaf, value).map_err(|m| format!("{} {m}", o.path));
            }
            (leaf.is_string(), None)
        }
        Err(e) => (false, Some(e)),
    };
    // Any other value is RON text for the field: read it as a file that writes just this field
    // would be read, and merge it the same way.
    let steps = parse_path(&o.path)?;
    if steps.iter().any(|s| matches!(s, Step::Index(_))) {
        return Err(unlocated.unwrap_or_else(|| format!(
            "{} is inside a list, where only numbers can be set; set the whole list, or write the value in a file that extends this one",
            o.path
        )));
    }
    let nest = |value: &str| {
        steps
            .iter()
            .rev()
            .fold(value.to_string(), |inner, step| match step {
                Step::Field(name) => format!("({name}: {inner})"),
                Step::Index(_) => unreachable!("lists were refused above"),
            })
    };
    let origin = format!("--set {o}");
    let read = |value: &str| {
        let text = nest(value);
        let typed = Scenario::from_ron_str(&text, &origin)?;
        let written: ron::Value = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(&text)
            .map_err(|e| ScenarioError::parse(&origin, &e))?;
        Ok::<_, ScenarioError>((typed, written))
    };
    // A text field may be given unquoted (`name=sporadic2`).
    let read = read(&o.value).or_else(|e| {
        if leaf_is_text {
            read(&format!("{:?}", o.value)).map_err(|_| e)
        } else {
            Err(e)
        }
    });
    let (typed, written) = match (read, unlocated) {
        (Ok(read), _) => read,
        // No such field after all: the tree's message names the nearest ones.
        (Err(_), Some(e)) => return Err(e),
        (Err(ScenarioError::Parse { message, .. }), None) => {
            return Err(format!(
                "\"{}\" is not a value {} takes: {message}",
                o.value, o.path
            ));
        }
        (Err(other), None) => return Err(other.to_string()),
    };
    let mut problems = Vec::new();
    overlay(tree, &to_tree(&typed), &written, "", &mut problems);
    match problems.first() {
        None => Ok(()),
        Some(p) => Err(p.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Genotype;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn set(s: &str) -> Override {
        s.parse().unwrap()
    }

    const BASE: &str = r#"(
        name: "base",
        seed: 7,
        time: (duration_days: 30.0, dt_hours: 6.0),
        mechanisms: (
            microglia: (activation_per_hour: 0.5),
            ageing: None,
        ),
        events: [Trauma(day: 3.0, centre_um: (200.0, 200.0, 100.0), radius_um: 50.0,
            damage: 0.5, debris: 1.0, tnf_fg: 100.0)],
    )"#;

    #[test]
    fn a_child_overrides_only_what_it_writes_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "base.ron", BASE);
        let child = write(
            dir.path(),
            "child.ron",
            r#"(extends: "base.ron", name: "child", time: (dt_hours: 12.0),
                mechanisms: (microglia: (resting_per_hour: 0.2)), genotype: Sod1(A4V))"#,
        );
        let s = resolve(&child, &[]).unwrap();
        let base = resolve(&dir.path().join("base.ron"), &[]).unwrap();
        assert_eq!(s.name, "child");
        assert_eq!(s.seed, 7);
        assert_eq!(s.time.duration_days, 30.0);
        assert_eq!(s.time.dt_hours, 12.0);
        let micro = s.mechanisms.microglia.as_ref().unwrap();
        assert_eq!(micro.activation_per_hour, 0.5);
        assert_eq!(micro.resting_per_hour, 0.2);
        assert!(s.mechanisms.ageing.is_none());
        assert_eq!(s.events, base.events);
        assert_eq!(s.genotype, Genotype::Sod1(crate::Sod1Variant::A4V));
        assert_eq!(s.extends, None);
    }

    #[test]
    fn a_child_writing_nothing_but_extends_is_its_base() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "base.ron", BASE);
        let child = write(dir.path(), "child.ron", r#"(extends: "base.ron")"#);
        assert_eq!(
            resolve(&child, &[]).unwrap(),
            resolve(&dir.path().join("base.ron"), &[]).unwrap()
        );
    }

    #[test]
    fn chains_resolve_relative_to_each_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        write(dir.path(), "base.ron", BASE);
        write(
            dir.path(),
            "sub/middle.ron",
            r#"(extends: "../base.ron", seed: 8, mechanisms: (ageing: (proteostasis_half_life_years: 50.0)))"#,
        );
        let top = write(
            dir.path(),
            "top.ron",
            r#"(extends: "sub/middle.ron", seed: 9)"#,
        );
        let s = resolve(&top, &[]).unwrap();
        assert_eq!(s.seed, 9);
        assert_eq!(s.name, "base");
        assert_eq!(
            s.mechanisms.ageing.unwrap().proteostasis_half_life_years,
            50.0
        );
    }

    #[test]
    fn cycles_and_missing_bases_are_refused_with_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.ron", r#"(extends: "b.ron")"#);
        write(dir.path(), "b.ron", r#"(extends: "a.ron")"#);
        let err = resolve(&a, &[]).unwrap_err().to_string();
        assert!(
            err.contains("a.ron extends") && err.contains("b.ron extends"),
            "{err}"
        );
        assert!(err.contains("cycle"), "{err}");
        let lost = write(dir.path(), "lost.ron", r#"(extends: "nowhere.ron")"#);
        let err = resolve(&lost, &[]).unwrap_err().to_string();
        assert!(
            err.contains("lost.ron extends") && err.contains("nowhere.ron"),
            "{err}"
        );
        assert!(err.contains("cannot read"), "{err}");
    }

    #[test]
    fn errors_in_a_child_or_base_carry_their_own_file_and_position() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "base.ron", "(\n  sed: 1,\n)");
        let child = write(dir.path(), "child.ron", r#"(extends: "base.ron")"#);
        let err = resolve(&child, &[]).unwrap_err().to_string();
        assert!(err.contains("base.ron:2:"), "{err}");
        write(dir.path(), "base.ron", BASE);
        let child = write(
            dir.path(),
            "child.ron",
            "(extends: \"base.ron\",\n seed: -1)",
        );
        let err = resolve(&child, &[]).unwrap_err().to_string();
        assert!(err.contains("child.ron:2:"), "{err}");
        let child = write(
            dir.path(),
            "child.ron",
            r#"(extends: "base.ron", time: (dt_hours: NaN))"#,
        );
        let err = resolve(&child, &[]).unwrap_err().to_string();
        assert!(
            err.contains("time.dt_hours must be a finite number"),
            "{err}"
        );
    }

    #[test]
    fn overrides_set_numbers_enums_and_switches_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let base = write(dir.path(), "base.ron", BASE);
        let s = resolve(
            &base,
            &[
                set("mechanisms.microglia.activation_per_hour=0.25"),
                set("seed=11"),
                set("tissue.size_um.x=300"),
                set("genotype=Sod1(G93A)"),
                set("mechanisms.microglia=None"),
                set("mechanisms.ageing=(proteostasis_half_life_years: 60.0)"),
                set("events[0].Trauma.day=4"),
                set("name=renamed"),
                set("time.snapshot_every_days=None"),
                set("description=\"a, b\""),
            ],
        )
        .unwrap();
        assert_eq!(s.seed, 11);
        assert_eq!(s.tissue.size_um.0, 300.0);
        assert_eq!(s.genotype, Genotype::Sod1(crate::Sod1Variant::G93A));
        assert!(s.mechanisms.microglia.is_none());
        assert_eq!(
            s.mechanisms.ageing.unwrap().proteostasis_half_life_years,
            60.0
        );
        assert_eq!(s.name, "renamed");
        assert_eq!(s.time.snapshot_every_days, None);
        // Unsetting one optional field leaves the rest of its struct as the file has it.
        assert_eq!((s.time.duration_days, s.time.dt_hours), (30.0, 6.0));
        assert_eq!(s.description, "a, b");
        let adaptive = "time.adaptive=(max_step_days: 2.0)";
        let on = resolve(&base, &[set(adaptive)]).unwrap();
        assert_eq!(on.time.adaptive.unwrap().max_step_days, 2.0);
        let off = resolve(&base, &[set(adaptive), set("time.adaptive=None")]).unwrap();
        assert_eq!(off.time.adaptive, None);
        assert_eq!((off.time.duration_days, off.time.dt_hours), (30.0, 6.0));
        // An optional field the tree leaves out while unset is still settable.
        let snap = resolve(&base, &[set("time.snapshot_every_days=2.5")]).unwrap();
        assert_eq!(snap.time.snapshot_every_days, Some(2.5));
        let later = resolve(
            &base,
            &[set("mechanisms.microglia.activation_per_hour=0.25")],
        )
        .unwrap();
        assert_eq!(
            later.mechanisms.microglia.unwrap().activation_per_hour,
            0.25
        );
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let base = write(dir.path(), "base.ron", BASE);
        let err = |o: &str| resolve(&base, &[set(o)]).unwrap_err().to_string();
        let e = err("mechanisms.microglia.activation_per_hr=1");
        assert!(e.contains("did you mean activation_per_hour"), "{e}");
        assert!(
            e.contains("--set mechanisms.microglia.activation_per_hr=1"),
            "{e}"
        );
        let e = err("mechanisms.microglia.activation_per_hour=fast");
        assert!(
            e.contains("\"fast\" is not a value mechanisms.microglia.activation_per_hour takes"),
            "{e}"
        );
        let e = err("seed=1.5");
        assert!(e.contains("whole numbers"), "{e}");
        let e = err("genotype=Sod2");
        assert!(e.contains("is not a value genotype takes"), "{e}");
        assert!("seed".parse::<Override>().is_err());
        assert!("=3".parse::<Override>().is_err());
    }
}
