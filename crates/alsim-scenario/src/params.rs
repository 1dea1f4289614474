//! Parameters declared once. A parameter struct is written with [`params!`]: each field's name,
//! type, default, unit, valid range, meaning and source sit in one declaration, from which the
//! struct (serde, every field defaulted), its `Default`, its range checks and its table of
//! [`ParamSpec`]s are generated. The reference in `docs/scenarios.md` is generated from those
//! tables ([`reference_table`]), and a test fails when it is stale.

use crate::check::Checker;
use std::fmt::Write;

/// One parameter as the reference documents it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Field name, the last segment of its dotted path.
    pub name: &'static str,
    /// Unit, as the reference prints it.
    pub unit: &'static str,
    /// Default value.
    pub default: f64,
    /// Valid values.
    pub bounds: Bounds,
    /// What the parameter means (the field's doc comment, one line per doc line).
    pub doc: &'static str,
    /// Where the default comes from: citations, or "model choice".
    pub source: &'static str,
}

/// Valid values of a parameter; NaN and infinities are never valid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bounds {
    /// `[min, max]`.
    Closed(f64, f64),
    /// `(0, max]`: strictly positive.
    Positive(f64),
}

/// `[min, max]`, for declarations.
pub const fn closed(min: f64, max: f64) -> Bounds {
    Bounds::Closed(min, max)
}

/// `(0, max]`, for declarations.
pub const fn positive(max: f64) -> Bounds {
    Bounds::Positive(max)
}

impl Bounds {
    pub(crate) fn check(self, c: &mut Checker, field: &str, value: f64) {
        match self {
            Bounds::Closed(min, max) => c.range(field, value, min, max),
            Bounds::Positive(max) => c.positive(field, value, max),
        }
    }
}

impl std::fmt::Display for Bounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Bounds::Closed(min, max) => write!(f, "[{}, {}]", number(min), number(max)),
            Bounds::Positive(max) => write!(f, "(0, {}]", number(max)),
        }
    }
}

/// Plain notation, or exponent notation for large numbers where it is shorter: `0.001`, `8500`,
/// `1e6`.
pub fn number(x: f64) -> String {
    let plain = format!("{x}");
    let exponent = format!("{x:e}");
    if x.abs() >= 1e4 && exponent.len() < plain.len() {
        exponent
    } else {
        plain
    }
}

/// A parameter value as the range checks see it.
pub(crate) trait ParamValue: Copy {
    fn as_f64(self) -> f64;
}

impl ParamValue for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

impl ParamValue for u32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

/// The markdown rows of the reference for `params` under the dotted `prefix`, with a header:
/// `| field | unit | default | valid range | meaning | source |`.
pub fn reference_table(prefix: &str, params: &[ParamSpec]) -> String {
    let mut out = String::from(
        "| field | unit | default | valid range | meaning | source |\n|---|---|---|---|---|---|\n",
    );
    for p in params {
        let doc = p
            .doc
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(
            out,
            "| `{prefix}.{}` | {} | {} | {} | {} | {} |",
            p.name,
            p.unit,
            number(p.default),
            p.bounds,
            doc,
            p.source
        )
        .expect("writing to a String cannot fail");
    }
    out
}

/// Declares a parameter struct. Each field is written as
///
/// ```text
/// /// What it means (the doc comment, also the reference's "meaning").
/// name: f64 = 0.1, "1/day", closed(0.0, 100.0), "Source et al. 2001";
/// ```
///
/// giving type, default, unit, valid range ([`closed`] or [`positive`]) and source. The struct
/// gets serde (unknown fields refused, omitted fields defaulted), `Default`, `PARAMS` (its
/// [`ParamSpec`] table) and `check`, its range checks.
macro_rules! params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty = $default:literal, $unit:literal, $bounds:expr, $source:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!(
                    "Unit: ", $unit, ". Default: ", stringify!($default),
                    ". Range: `", stringify!($bounds), "`. Source: ", $source, "."
                )]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        impl $name {
            /// Every parameter of this struct, in declaration order.
            pub const PARAMS: &'static [$crate::params::ParamSpec] = &[
                $(
                    $crate::params::ParamSpec {
                        name: stringify!($field),
                        unit: $unit,
                        default: $default as f64,
                        bounds: $bounds,
                        doc: concat!($($doc, "\n",)*),
                        source: $source,
                    },
                )*
            ];

            /// Range-checks every parameter, each under its own name in `c`'s scope.
            pub(crate) fn check(&self, c: &mut $crate::check::Checker) {
                use $crate::params::ParamValue;
                $(
                    $bounds.check(c, stringify!($field), self.$field.as_f64());
                )*
            }
        }
    };
}

pub(crate) use params;

#[cfg(test)]
mod tests {
    use super::*;

    params! {
        /// A test struct.
        pub struct Demo {
            /// A rate.
            /// On two lines.
            rate_per_day: f64 = 0.5, "1/day", closed(0.0, 1e4), "model choice";
            /// A size.
            fibres: u32 = 100, "fibres", positive(1e5), "Someone 2001";
        }
    }

    #[test]
    fn declaration_gives_defaults_specs_and_checks() {
        let d = Demo::default();
        assert_eq!((d.rate_per_day, d.fibres), (0.5, 100));
        assert_eq!(Demo::PARAMS.len(), 2);
        assert_eq!(Demo::PARAMS[1].default, 100.0);
        assert_eq!(Demo::PARAMS[0].doc, " A rate.\n On two lines.\n");
        let mut c = Checker::default();
        c.scope("demo", |c| {
            Demo {
                rate_per_day: -1.0,
                fibres: 0,
            }
            .check(c)
        });
        let err = c.finish("x.ron").unwrap_err().to_string();
        assert!(
            err.contains("demo.rate_per_day must be >= 0, got -1"),
            "{err}"
        );
        assert!(err.contains("demo.fibres must be > 0, got 0"), "{err}");
        let mut c = Checker::default();
        Demo::default().check(&mut c);
        assert!(c.is_clean());
    }

    #[test]
    fn unknown_and_omitted_fields_follow_the_scenario_rules() {
        let d: Demo = ron::from_str("(fibres: 3)").unwrap();
        assert_eq!((d.rate_per_day, d.fibres), (0.5, 3));
        assert!(ron::from_str::<Demo>("(fibers: 3)").is_err());
    }

    #[test]
    fn reference_rows_carry_unit_default_range_meaning_and_source() {
        let table = reference_table("mechanisms.demo", Demo::PARAMS);
        assert!(table.contains(
            "| `mechanisms.demo.rate_per_day` | 1/day | 0.5 | [0, 1e4] | A rate. On two lines. | model choice |"
        ), "{table}");
        assert!(table.contains("| `mechanisms.demo.fibres` | fibres | 100 | (0, 1e5] |"));
    }

    #[test]
    fn numbers_print_in_their_shorter_form() {
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(8500.0), "8500");
        assert_eq!(number(1e6), "1e6");
        assert_eq!(number(10_000.0), "1e4");
        assert_eq!(number(0.0), "0");
    }
}
