//! Comparison files: two scenarios and how many replicate runs of each to compare, the input of
//! `alsim compare FILE` (`scenarios/compare/*.ron`).

use crate::ScenarioError;
use crate::check::Checker;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Largest number of replicates a comparison may ask for.
pub const MAX_REPLICATES: u64 = 100_000;

/// Two scenarios compared over replicate runs: group A (the reference) and group B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// What the comparison asks, in a sentence. Default empty.
    #[serde(default)]
    pub description: String,
    /// Scenario file of group A, the reference; relative to the comparison file. Required.
    pub a: PathBuf,
    /// Scenario file of group B; relative to the comparison file. Required.
    pub b: PathBuf,
    /// Replicate runs of each scenario. Default 20. Range [1, 100000].
    #[serde(default = "default_replicates")]
    pub replicates: u64,
}

fn default_replicates() -> u64 {
    20
}

impl Comparison {
    fn check(&self, c: &mut Checker) {
        for (field, path) in [("a", &self.a), ("b", &self.b)] {
            if path.as_os_str().is_empty() {
                c.problem(field, "must name a scenario file, e.g. \"../sporadic.ron\"");
            }
        }
        if self.a == self.b {
            c.problem(
                "b",
                "is the same file as a; compare two different scenarios",
            );
        }
        c.range(
            "replicates",
            self.replicates as f64,
            1.0,
            MAX_REPLICATES as f64,
        );
    }
}

/// Reads, parses and checks a comparison file; `a` and `b` come back relative to the current
/// folder (joined to the file's folder).
pub fn load_comparison(path: &Path) -> Result<Comparison, ScenarioError> {
    let (text, origin) = crate::read_text(path)?;
    let mut comparison: Comparison = ron::Options::default()
        .from_str(&text)
        .map_err(|err| ScenarioError::parse(&origin, &err))?;
    let mut c = Checker::default();
    comparison.check(&mut c);
    c.finish(&origin)?;
    let folder = path.parent().unwrap_or(Path::new(""));
    comparison.a = folder.join(&comparison.a);
    comparison.b = folder.join(&comparison.b);
    Ok(comparison)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `text` written to `compare/c.ron` in a fresh folder; returns the folder too.
    fn load_text(text: &str) -> (tempfile::TempDir, Result<Comparison, ScenarioError>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compare/c.ron");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let loaded = load_comparison(&path);
        (dir, loaded)
    }

    #[test]
    fn scenario_paths_are_taken_relative_to_the_comparison_file() {
        let (dir, c) = load_text("(a: \"../sporadic.ron\", b: \"../sod1.ron\", replicates: 4)");
        let c = c.unwrap();
        assert_eq!(c.a, dir.path().join("compare/../sporadic.ron"));
        assert_eq!(c.replicates, 4);
    }

    #[test]
    fn bad_comparisons_name_the_field() {
        let err = load_text("(a: \"x.ron\", b: \"x.ron\", replicates: 0)")
            .1
            .unwrap_err()
            .to_string();
        assert!(err.contains("b is the same file as a"), "{err}");
        assert!(err.contains("replicates must be >= 1, got 0"), "{err}");
        let err = load_text("(a: \"x.ron\", bb: \"y.ron\")")
            .1
            .unwrap_err()
            .to_string();
        assert!(err.contains(":1:") && err.contains("bb"), "{err}");
    }
}
