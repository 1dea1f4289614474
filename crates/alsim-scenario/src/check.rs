//! Range checks that collect every problem with its field path, so a user fixes a file in one go.

use crate::ScenarioError;
use std::fmt;

/// One invalid parameter: where it is and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Dotted path of the field, e.g. `fields.tnf.diffusion_um2_per_s`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

/// Walks the scenario keeping the current field path.
#[derive(Default)]
pub(crate) struct Checker {
    path: Vec<String>,
    problems: Vec<Problem>,
}

impl Checker {
    pub(crate) fn scope(&mut self, name: &str, body: impl FnOnce(&mut Self)) {
        self.path.push(name.to_string());
        body(self);
        self.path.pop();
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn problem(&mut self, field: &str, message: impl Into<String>) {
        let mut path = self.path.join(".");
        if !field.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field);
        }
        self.problems.push(Problem {
            field: path,
            message: message.into(),
        });
    }

    /// `value` must be finite and inside `[min, max]`.
    pub(crate) fn range(&mut self, field: &str, value: f64, min: f64, max: f64) {
        if !value.is_finite() {
            self.problem(field, format!("must be a finite number, got {value}"));
        } else if value < min {
            self.problem(
                field,
                format!("must be >= {}, got {}", show(min), show(value)),
            );
        } else if value > max {
            self.problem(
                field,
                format!("must be <= {}, got {}", show(max), show(value)),
            );
        }
    }

    /// `value` must be finite, strictly positive and at most `max`.
    pub(crate) fn positive(&mut self, field: &str, value: f64, max: f64) {
        if !value.is_finite() {
            self.problem(field, format!("must be a finite number, got {value}"));
        } else if value <= 0.0 {
            self.problem(field, format!("must be > 0, got {}", show(value)));
        } else if value > max {
            self.problem(
                field,
                format!("must be <= {}, got {}", show(max), show(value)),
            );
        }
    }

    pub(crate) fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    pub(crate) fn finish(self, origin: &str) -> Result<(), ScenarioError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid {
                path: origin.to_string(),
                problems: self.problems,
            })
        }
    }
}

/// A number as messages print it: huge and tiny magnitudes in exponent notation (`1e308`,
/// not 309 digits).
pub(crate) fn show(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_carry_the_dotted_path_of_their_scope() {
        let mut c = Checker::default();
        c.scope("fields", |c| {
            c.scope("tnf", |c| c.positive("diffusion_um2_per_s", -3.0, 1e3))
        });
        let err = c.finish("a.ron").unwrap_err().to_string();
        assert!(
            err.contains("fields.tnf.diffusion_um2_per_s must be > 0, got -3"),
            "{err}"
        );
        assert!(err.starts_with("a.ron"), "{err}");
    }

    #[test]
    fn huge_and_tiny_numbers_are_printed_short() {
        let mut c = Checker::default();
        c.range("a", 1e308, 0.0, 100.0);
        c.positive("b", 1e300, f64::MAX);
        c.range("c", -1e-300, 0.0, 1.0);
        let err = c.finish("x.ron").unwrap_err().to_string();
        assert!(err.contains("a must be <= 100, got 1e308"), "{err}");
        assert!(!err.contains("b must"), "{err}");
        assert!(err.contains("c must be >= 0, got -1e-300"), "{err}");
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn range_rejects_nan_and_both_ends() {
        let mut c = Checker::default();
        c.range("a", f64::NAN, 0.0, 1.0);
        c.range("b", -0.1, 0.0, 1.0);
        c.range("c", 1.1, 0.0, 1.0);
        c.range("d", 0.5, 0.0, 1.0);
        assert_eq!(c.problems.len(), 3);
    }
}
