//! The text of report.md.

use crate::TimeAxis;
use crate::analysis::{Analysis, EventComparison};
use alsim_stats::{BootstrapCi, LogRank, StatsError, Summary};
use std::fmt::Write;

pub(crate) fn report(analysis: &Analysis) -> String {
    let [a, b] = analysis.groups.map(|g| escape(&g.name));
    let [na, nb] = analysis.groups.map(|g| g.runs.len());
    let axis = analysis.time_axis;
    let clock = match axis {
        TimeAxis::Days => "Times are days of simulated time.",
        TimeAxis::AgeYears => {
            "Times are ages in years (the age at the run's start plus the simulated time), so \
             groups that start at different ages are compared age for age."
        }
    };
    let mut md = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        md,
        "# {a} vs {b}\n\n\
         Group A is **{a}** ({na} runs), group B is **{b}** ({nb} runs); differences are B − A. \
         {clock} A run that ended before an event is censored at its \
         end: it counts in the Kaplan–Meier curves and the log-rank test, but not in the \
         medians and means of event times, which are over the runs that reached the event.\n\n"
    );

    md.push_str("## Motor neuron survival\n\n");
    md.push_str(&figure("survival", "Motor neuron survival over time"));
    let _ = writeln!(md, "| at the last sample | {a} | {b} |\n|---|---|---|");
    let last = analysis.series.each_ref().map(|s| s.time.last().copied());
    let when = match axis {
        TimeAxis::Days => "day",
        TimeAxis::AgeYears => "age (years)",
    };
    let _ = writeln!(
        md,
        "| {when} | {} | {} |",
        fmt_opt(last[0], 1),
        fmt_opt(last[1], 1)
    );
    for (i, (label, decimals)) in [
        ("motor neurons alive (fraction of initial), mean ± sd", 3),
        ("activated microglia (cells), mean ± sd", 1),
        ("reactive astrocytes (cells), mean ± sd", 1),
    ]
    .into_iter()
    .enumerate()
    {
        let cells = analysis
            .series
            .each_ref()
            .map(|s| mean_sd(&s.last[i], decimals));
        let _ = writeln!(md, "| {label} | {} | {} |", cells[0], cells[1]);
    }
    md.push('\n');

    for comparison in &analysis.events {
        event_section(&mut md, analysis, comparison, [&a, &b]);
    }

    md.push_str("## Inflammation\n\n");
    md.push_str(&figure(
        "inflammation",
        "Activated microglia and reactive astrocytes over time",
    ));
    md
}

fn event_section(
    md: &mut String,
    analysis: &Analysis,
    comparison: &EventComparison,
    [a, b]: [&str; 2],
) {
    let event = comparison.event;
    let axis = analysis.time_axis;
    let (unit, _) = axis.unit();
    let [ga, gb] = &comparison.groups;
    let _ = writeln!(md, "## {}\n", event.heading());
    let _ = writeln!(md, "{}\n", sentence(comparison, [a, b], axis));
    let _ = writeln!(md, "| | {a} | {b} |\n|---|---|---|");
    let _ = writeln!(
        md,
        "| runs that reached it | {} of {} | {} of {} |",
        ga.reached.len(),
        ga.runs,
        gb.reached.len(),
        gb.runs
    );
    let summary_row = |label: &str, cell: fn(&Summary) -> String| {
        let cells = [ga, gb].map(|g| g.summary.as_ref().map_or("–".to_string(), cell));
        format!("| {label} | {} | {} |\n", cells[0], cells[1])
    };
    md.push_str(&summary_row(&format!("median ({unit})"), |s| {
        fmt(s.median, 1)
    }));
    md.push_str(&summary_row(&format!("mean ± sd ({unit})"), |s| {
        mean_sd(s, 1)
    }));
    md.push_str(&summary_row(&format!("range ({unit})"), |s| {
        format!("{}–{}", fmt(s.min, 1), fmt(s.max, 1))
    }));
    let km = [ga, gb].map(|g| g.km.median.map_or("not reached".to_string(), |m| fmt(m, 1)));
    let _ = writeln!(
        md,
        "| Kaplan–Meier median ({unit}) | {} | {} |\n",
        km[0], km[1]
    );

    match &comparison.log_rank {
        Ok(test) => {
            let _ = writeln!(
                md,
                "Log-rank test: χ² = {:.2} (1 df), p {}; events observed/expected: \
                 {a} {}/{:.1}, {b} {}/{:.1}.\n",
                test.chi_square,
                fmt_p(test.p_value),
                test.observed[0],
                test.expected[0],
                test.observed[1],
                test.expected[1]
            );
        }
        Err(e) => {
            let _ = writeln!(md, "Log-rank test: not computable ({e}).\n");
        }
    }
    match &comparison.difference {
        Ok(ci) => {
            let _ = writeln!(
                md,
                "Difference of medians (B − A): {} {unit}, 95% bootstrap CI {} to {} \
                 (percentile, {} resamples, seed {}).\n",
                fmt(ci.estimate, 1),
                fmt(ci.lower, 1),
                fmt(ci.upper, 1),
                analysis.resamples,
                analysis.seed
            );
        }
        Err(e) => {
            let _ = writeln!(md, "Difference of medians: not computable ({e}).\n");
        }
    }
    md.push_str(&figure(
        event.plot_name(),
        &format!("Kaplan–Meier curves: {}", event.heading().to_lowercase()),
    ));
}

/// The plain-language finding, e.g. "B loses 50% of motor neurons a median 38 days earlier
/// than A (95% CI 30–45; log-rank p = 0.0004)."
fn sentence(comparison: &EventComparison, [a, b]: [&str; 2], axis: TimeAxis) -> String {
    let p = match &comparison.log_rank {
        Ok(LogRank { p_value, .. }) => format!("log-rank p {}", fmt_p(*p_value)),
        Err(_) => "log-rank test not computable".to_string(),
    };
    let phrase = comparison.event.verb_phrase();
    match &comparison.difference {
        Ok(ci) => {
            let d = ci.estimate;
            let when = if d < 0.0 {
                format!("a median {} earlier than", span(-d, axis))
            } else if d > 0.0 {
                format!("a median {} later than", span(d, axis))
            } else {
                "at the same median time as".to_string()
            };
            format!(
                "{b} {phrase} {when} {a} (95% CI {}; {p}).",
                interval(ci, axis)
            )
        }
        Err(StatsError::TooFewEvents { group, n }) => {
            let name = if *group == "A" { a } else { b };
            format!(
                "Too few runs {} to compare medians: {n} in {name}, at least 2 per group are \
                 needed ({p}).",
                phrase_reached(phrase)
            )
        }
        Err(e) => format!("Medians cannot be compared: {e} ({p})."),
    }
}

/// "loses 50% of motor neurons" -> "lost 50% of motor neurons"; "reaches" -> "reached".
fn phrase_reached(phrase: &str) -> String {
    phrase
        .replacen("loses", "lost", 1)
        .replacen("reaches", "reached", 1)
}

/// The CI in the sentence's own terms: "30–45" days earlier/later when it stays on one side,
/// otherwise "from 10 days earlier to 5 days later".
fn interval(ci: &BootstrapCi, axis: TimeAxis) -> String {
    if ci.estimate < 0.0 && ci.upper < 0.0 {
        format!("{}–{}", fmt(-ci.upper, 1), fmt(-ci.lower, 1))
    } else if ci.estimate > 0.0 && ci.lower > 0.0 {
        format!("{}–{}", fmt(ci.lower, 1), fmt(ci.upper, 1))
    } else {
        let end = |x: f64| {
            if x < 0.0 {
                format!("{} earlier", span(-x, axis))
            } else if x > 0.0 {
                format!("{} later", span(x, axis))
            } else {
                "no difference".to_string()
            }
        };
        format!("from {} to {}", end(ci.lower), end(ci.upper))
    }
}

/// "1 day", "2.5 days", "1 year", ...
fn span(x: f64, axis: TimeAxis) -> String {
    let n = fmt(x, 1);
    let (plural, one) = axis.unit();
    if n == "1" {
        format!("1 {one}")
    } else {
        format!("{n} {plural}")
    }
}

/// `x` rounded to `decimals`, without a trailing ".0…".
fn fmt(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

fn fmt_opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or("–".into(), |x| fmt(x, decimals))
}

fn mean_sd(s: &Summary, decimals: usize) -> String {
    match s.sd {
        Some(sd) => format!("{} ± {}", fmt(s.mean, decimals), fmt(sd, decimals)),
        None => format!("{} (one run)", fmt(s.mean, decimals)),
    }
}

/// "= 0.0044" with two significant digits, or "< 0.0001".
fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".into()
    } else {
        let decimals = (1 - p.log10().floor() as i32).max(1) as usize;
        format!("= {p:.decimals$}")
    }
}

fn figure(stem: &str, alt: &str) -> String {
    format!("![{alt}]({stem}.png)\n\n[{stem}.svg]({stem}.svg) (vector)\n\n")
}

/// Keeps a group name from breaking a table or adding emphasis.
fn escape(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            let escaped = matches!(c, '|' | '*' | '_' | '[' | ']' | '`' | '\\');
            escaped.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(estimate: f64, lower: f64, upper: f64) -> BootstrapCi {
        BootstrapCi {
            estimate,
            lower,
            upper,
            resamples: 100,
        }
    }

    #[test]
    fn interval_is_told_in_the_direction_of_the_difference() {
        let days = TimeAxis::Days;
        assert_eq!(interval(&ci(-38.0, -45.0, -30.0), days), "30–45");
        assert_eq!(interval(&ci(12.5, 3.0, 20.0), days), "3–20");
        assert_eq!(
            interval(&ci(-3.0, -10.0, 5.0), days),
            "from 10 days earlier to 5 days later"
        );
        assert_eq!(
            interval(&ci(0.0, -1.0, 0.0), days),
            "from 1 day earlier to no difference"
        );
        assert_eq!(
            interval(&ci(-0.5, -1.0, 2.5), TimeAxis::AgeYears),
            "from 1 year earlier to 2.5 years later"
        );
    }

    #[test]
    fn p_values_keep_two_significant_digits_down_to_one_in_ten_thousand() {
        assert_eq!(fmt_p(0.41), "= 0.41");
        assert_eq!(fmt_p(0.0321), "= 0.032");
        assert_eq!(fmt_p(0.00044), "= 0.00044");
        assert_eq!(fmt_p(4.2e-5), "< 0.0001");
        assert_eq!(fmt_p(1.0), "= 1.0");
    }

    #[test]
    fn numbers_drop_trailing_zeros_and_negative_zero() {
        assert_eq!(fmt(38.0, 1), "38");
        assert_eq!(fmt(37.25, 1), "37.2");
        assert_eq!(fmt(0.5, 3), "0.5");
        assert_eq!(fmt(-0.01, 1), "0");
    }

    #[test]
    fn group_names_cannot_break_tables_or_add_emphasis() {
        assert_eq!(escape("sod1|fast_*"), r"sod1\|fast\_\*");
    }
}
