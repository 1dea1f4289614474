//! The one error type of this crate: every variant names the file and where in it.

use crate::Problem;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read scenario file")]
    Read {
        /// The file.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The text is not valid RON for a scenario (syntax, unknown field, wrong type).
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// ron's description, with a hint where we have one.
        message: String,
    },
    /// An `extends` chain cannot be followed: a base is missing, unreadable or a cycle.
    #[error("{path}: {chain} {message}")]
    Extends {
        /// The file whose chain failed.
        path: String,
        /// The files in order, `a.ron extends b.ron extends ...`.
        chain: String,
        /// What is wrong, and the fix.
        message: String,
    },
    /// A `--set path=value` override names no parameter or gives a value it cannot take.
    #[error("{path}: --set {setting}: {message}")]
    Override {
        /// The scenario file the override applies to.
        path: String,
        /// The override as given.
        setting: String,
        /// What is wrong, and the fix.
        message: String,
    },
    /// A person of a cohort could not be drawn: a drawn value the parameter cannot take.
    #[error("{path}: cohort person {person}: {message}")]
    Person {
        /// The cohort's scenario file.
        path: String,
        /// The person's index.
        person: u64,
        /// What is wrong, and the fix.
        message: String,
    },
    /// The file parsed but some values are out of range or inconsistent.
    #[error("{path}: invalid scenario:\n{}", list(problems))]
    Invalid {
        /// The file.
        path: String,
        /// Every problem found, each with its field path.
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ScenarioError {
    pub(crate) fn parse(path: &str, err: &ron::error::SpannedError) -> Self {
        let mut message = err.code.to_string();
        let hint = |found: &str, expected: &[&str]| match crate::path::nearest(found, expected)[..]
        {
            [] => String::new(),
            ref names => format!("did you mean `{}`? ", names.join("` or `")),
        };
        match &err.code {
            ron::Error::NoSuchStructField {
                found, expected, ..
            } => message.push_str(&format!(
                " ({}check the spelling; docs/scenarios.md lists every field)",
                hint(found, expected)
            )),
            ron::Error::NoSuchEnumVariant {
                found, expected, ..
            } => {
                let hint = hint(found, expected);
                if !hint.is_empty() {
                    message.push_str(&format!(" ({})", hint.trim_end()));
                }
            }
            ron::Error::IntegerOutOfBounds | ron::Error::ExpectedInteger => message.push_str(
                " (seed, Count(..) and fibres_per_unit take whole numbers from 0 to 18446744073709551615)",
            ),
            _ => {}
        }
        Self::Parse {
            path: path.to_string(),
            line: err.span.start.line,
            column: err.span.start.col,
            message,
        }
    }
}
