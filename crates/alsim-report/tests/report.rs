//! write_report on small synthetic groups whose statistics can be worked out by hand.

use alsim_report::{
    DAYS_PER_YEAR, Group, REPORT, ReportError, ReportFiles, ReportOptions, RunSeries, TimeAxis,
    write_report,
};
use alsim_stats::bootstrap_median_difference;
use std::fs;
use std::path::Path;

const TIMES: [f64; 11] = [
    0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0,
];

/// A 100-day run that loses `loss_per_day` of its 100 motor neurons a day.
fn run(
    seed: u64,
    loss_per_day: f64,
    loss10: f64,
    loss50: Option<f64>,
    onset: Option<f64>,
) -> RunSeries {
    RunSeries {
        seed,
        time_days: TIMES.to_vec(),
        motor_neurons_alive: TIMES.iter().map(|t| 100.0 - loss_per_day * t).collect(),
        motor_neurons_initial: 100.0,
        microglia_activated: TIMES.iter().map(|t| 5.0 + loss_per_day * t).collect(),
        astrocytes_reactive: TIMES.iter().map(|t| 2.0 + 0.5 * loss_per_day * t).collect(),
        duration_days: 100.0,
        days_to_10pct_loss: Some(loss10),
        days_to_50pct_loss: loss50,
        days_to_clinical_onset: onset,
    }
}

fn group_a() -> Group {
    Group {
        name: "A".into(),
        runs: vec![
            run(1, 0.3, 10.0, Some(60.0), None),
            run(2, 0.4, 10.0, Some(70.0), None),
            run(3, 0.5, 10.0, Some(80.0), None),
            run(4, 0.6, 10.0, None, None),
        ],
    }
}

fn group_b() -> Group {
    Group {
        name: "B".into(),
        runs: vec![
            run(11, 0.6, 6.0, Some(30.0), Some(90.0)),
            run(12, 0.7, 6.0, Some(40.0), Some(95.0)),
            run(13, 0.8, 6.0, Some(50.0), None),
            run(14, 0.9, 6.0, Some(60.0), None),
        ],
    }
}

fn options() -> ReportOptions {
    ReportOptions {
        bootstrap_resamples: 500,
        bootstrap_seed: 9,
        plot_size: (800, 500),
        time_axis: TimeAxis::Days,
    }
}

/// Writes the report of groups A and B into a fresh folder; returns the folder (kept alive
/// while in scope), what was written and the text of report.md.
fn written() -> (tempfile::TempDir, ReportFiles, String) {
    let dir = tempfile::tempdir().unwrap();
    let files = write_report(&group_a(), &group_b(), dir.path(), &options()).unwrap();
    let report = fs::read_to_string(&files.report).unwrap();
    (dir, files, report)
}

/// The report's section under `heading`, up to the next heading.
fn section<'a>(report: &'a str, heading: &str) -> &'a str {
    let start = report
        .find(&format!("## {heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading}"));
    let rest = &report[start + 3..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn report_states_hand_computed_event_statistics() {
    let (_dir, _files, report) = written();

    // 10% loss at 10 days in every A run and 6 in every B run: every resample has the same
    // medians, so the difference and its interval are exactly 6 − 10 = −4. Log-rank: at t=6
    // n = 4 + 4, d = 4: E_A = 4·4/8 = 2, V = 4·4·4·4/(8²·7) = 0.5714; at t=10 only A is at
    // risk: E_A += 4, V += 0. χ² = (4 − 6)²/0.5714 = 7.00, p = P(χ²₁ > 7) = 0.0082.
    let loss10 = section(&report, "Time to 10% motor neuron loss");
    assert!(loss10.contains(
        "B loses 10% of motor neurons a median 4 days earlier than A (95% CI 4–4; log-rank p = 0.0082)."
    ));
    assert!(loss10.contains("χ² = 7.00 (1 df)"));

    // 50% loss: A at 60, 70, 80 and one run censored at 100; B at 30, 40, 50, 60.
    let loss50 = section(&report, "Time to 50% motor neuron loss");
    assert!(loss50.contains("| runs that reached it | 3 of 4 | 4 of 4 |"));
    // Medians over reached runs: A 70, B (40 + 50)/2 = 45. Means: 70 ± 10 and 45 ± sqrt(500/3).
    assert!(loss50.contains("| median (days) | 70 | 45 |"));
    assert!(loss50.contains("| mean ± sd (days) | 70 ± 10 | 45 ± 12.9 |"));
    // KM: A S(60) = 3/4, S(70) = 3/4 · 2/3 = 1/2 -> 70; B S(40) = 2/4 -> 40.
    assert!(loss50.contains("| Kaplan–Meier median (days) | 70 | 40 |"));
    // Log-rank, (t: n_A, n_B, d_A, d_B) -> E_A, V:
    // 30: 4,4,0,1 -> 0.5, 0.25; 40: 4,3,0,1 -> 0.5714, 0.2449; 50: 4,2,0,1 -> 0.6667, 0.2222;
    // 60: 4,1,1,1 -> 1.6, 0.24; 70 and 80: only A at risk -> 1 each, V 0.
    // O_A = 3, E_A = 5.3381, V = 0.9571, χ² = 2.3381²/0.9571 = 5.71, p = 0.017.
    assert!(
        loss50.contains("χ² = 5.71 (1 df), p = 0.017; events observed/expected: A 3/5.3, B 4/1.7.")
    );
    let ci = bootstrap_median_difference(&[60.0, 70.0, 80.0], &[30.0, 40.0, 50.0, 60.0], 500, 9)
        .unwrap();
    assert_eq!(ci.estimate, -25.0);
    assert!(
        loss50.contains("B loses 50% of motor neurons a median 25 days earlier than A (95% CI ")
    );
    let reported = format!(
        "Difference of medians (B − A): -25 days, 95% bootstrap CI {} to {} (percentile, 500 resamples, seed 9).",
        trimmed(ci.lower),
        trimmed(ci.upper)
    );
    assert!(loss50.contains(&reported), "{loss50}");

    // Onset: no A run reached it, two B runs did (S_B(95) = 2/4, the KM median).
    let onset = section(&report, "Time to clinical onset");
    assert!(onset.contains("| Kaplan–Meier median (days) | not reached | 95 |"));
    assert!(onset.contains("Too few runs reached clinical onset to compare medians: 0 in A"));
    assert!(onset.contains("| median (days) | – | 92.5 |"));
}

/// One decimal without a trailing ".0", as the report prints days.
fn trimmed(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// `group` with every time moved to the tissue's age in days, for runs that start at `years`.
fn aged(group: Group, years: f64) -> Group {
    let runs = group
        .runs
        .into_iter()
        .map(|r| r.shifted(years * DAYS_PER_YEAR))
        .collect();
    Group { runs, ..group }
}

#[test]
fn groups_starting_at_different_ages_are_compared_age_for_age_in_years() {
    let dir = tempfile::tempdir().unwrap();
    let options = ReportOptions {
        time_axis: TimeAxis::AgeYears,
        ..options()
    };
    // A starts at 40 and loses 10% at day 10; B starts at 30 and loses 10% at day 6: B is
    // (30 + 6/365.25) − (40 + 10/365.25) = −10.01 years earlier, the same in every run.
    let files = write_report(
        &aged(group_a(), 40.0),
        &aged(group_b(), 30.0),
        dir.path(),
        &options,
    )
    .unwrap();
    let report = fs::read_to_string(&files.report).unwrap();
    assert!(report.contains("Times are ages in years"), "{report}");
    let loss10 = section(&report, "Time to 10% motor neuron loss");
    // Every B event precedes every A event, as in days: the same log-rank test.
    assert!(
        loss10.contains(
            "B loses 10% of motor neurons a median 10 years earlier than A (95% CI 10–10; log-rank p = 0.0082)."
        ),
        "{loss10}"
    );
    // 40 + 10/365.25 = 40.03 and 30 + 6/365.25 = 30.02 years.
    assert!(loss10.contains("| median (years) | 40 | 30 |"), "{loss10}");
    let survival = section(&report, "Motor neuron survival");
    // The last sample is day 100: ages 40.27 and 30.27.
    assert!(
        survival.contains("| age (years) | 40.3 | 30.3 |"),
        "{survival}"
    );
    for plot in &files.plots {
        let svg = fs::read_to_string(&plot.svg).unwrap();
        assert!(svg.contains("Age (years)"), "{}", plot.name);
        assert!(!svg.contains("Time (days)"), "{}", plot.name);
    }
}

#[test]
fn last_sample_table_gives_mean_and_sd_across_runs() {
    let (_dir, _files, report) = written();
    // Surviving fractions at day 100: A 0.7, 0.6, 0.5, 0.4 (mean 0.55, sd sqrt(0.05/3) =
    // 0.129); B 0.4, 0.3, 0.2, 0.1. Microglia 5 + 100·loss: A 35–65 (mean 50, sd 12.9).
    let survival = section(&report, "Motor neuron survival");
    assert!(survival.contains("| day | 100 | 100 |"));
    assert!(survival.contains("| 0.55 ± 0.129 | 0.25 ± 0.129 |"));
    assert!(
        survival.contains("| activated microglia (cells), mean ± sd | 50 ± 12.9 | 80 ± 12.9 |")
    );
}

#[test]
fn every_plot_is_a_png_of_the_requested_size_with_drawn_title_and_an_svg_with_its_labels() {
    let (dir, files, _report) = written();
    let names: Vec<_> = files.plots.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "survival",
            "km_10pct",
            "km_50pct",
            "km_onset",
            "inflammation"
        ]
    );
    for plot in &files.plots {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(fs::File::open(&plot.png).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (800, 500), "{}", plot.name);
        let rgb: Vec<&[u8]> = pixels.chunks(3).collect();
        assert!(
            rgb.iter().any(|p| *p != rgb[0]),
            "{} is one flat colour",
            plot.name
        );
        // The title strip holds nothing but the title's dark glyphs.
        let title_strip = &rgb[..800 * 30];
        let dark = title_strip
            .iter()
            .filter(|p| p.iter().all(|&c| c < 100))
            .count();
        assert!(
            dark > 100,
            "{}: no title text drawn ({dark} dark pixels)",
            plot.name
        );

        let svg = fs::read_to_string(&plot.svg).unwrap();
        assert!(svg.contains("Time (days)"), "{}", plot.name);
        // Legend entries start with the group's name: "A (4 runs)" or "A: 3 of 4 runs reached it".
        for group in ["A", "B"] {
            let entry = |l: &str| {
                l.starts_with(&format!("{group} (")) || l.starts_with(&format!("{group}: "))
            };
            assert!(
                svg.lines().any(entry),
                "{}: no legend entry for {group}",
                plot.name
            );
        }
    }
    let svg = |name| fs::read_to_string(dir.path().join(name)).unwrap();
    let survival = svg("survival.svg");
    assert!(survival.contains("Motor neuron survival"));
    assert!(survival.contains("Motor neurons alive (fraction of initial)"));
    let km = svg("km_50pct.svg");
    assert!(km.contains("Time to 50% motor neuron loss"));
    assert!(km.contains("Runs without 50% loss (fraction)"));
    assert!(survival.contains("Dashed: 2.5–97.5% of runs"));
    let inflammation = svg("inflammation.svg");
    assert!(inflammation.contains("Activated microglia (cells)"));
    assert!(inflammation.contains("Reactive astrocytes (cells)"));
    // Bursty counts: means and their intervals only, and the key says so.
    assert!(inflammation.contains("Shaded: 95% CI of the mean."));
    assert!(!inflammation.contains("Dashed"));
}

/// The RGB pixels of a PNG.
fn pixels(path: &Path) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut bytes = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut bytes).unwrap();
    bytes.chunks(3).map(|p| [p[0], p[1], p[2]]).collect()
}

#[test]
fn spiky_series_are_drawn_inside_their_chart() {
    // Activated microglia jumping between 0 and 300 at every sample, with a 95% interval of
    // the mean reaching below zero: neither the limits nor the joins of the thick mean line may
    // reach the axis labels below the chart.
    // 600 samples, so consecutive segments are nearly vertical and meet at sharp angles.
    let spiky = |seed: u64, high: f64| {
        let times: Vec<f64> = (0..600).map(f64::from).collect();
        RunSeries {
            seed,
            motor_neurons_alive: vec![100.0; 600],
            microglia_activated: (0..600)
                .map(|i| if i % 2 == 0 { 0.0 } else { high })
                .collect(),
            astrocytes_reactive: vec![1.0; 600],
            motor_neurons_initial: 100.0,
            duration_days: 599.0,
            days_to_10pct_loss: None,
            days_to_50pct_loss: None,
            days_to_clinical_onset: None,
            time_days: times,
        }
    };
    let a = Group {
        name: "A".into(),
        runs: vec![spiky(1, 300.0), spiky(2, 10.0), spiky(3, 150.0)],
    };
    let b = Group {
        name: "B".into(),
        runs: vec![spiky(4, 200.0), spiky(5, 20.0)],
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_report(&a, &b, dir.path(), &options()).unwrap();
    let inflammation = files
        .plots
        .iter()
        .find(|p| p.name == "inflammation")
        .unwrap();
    let rgb = pixels(&inflammation.png);
    // The bottom 12 rows hold the margin under the axis title: text is grey, groups are
    // coloured (Okabe–Ito blue and vermillion), so any coloured pixel there is a stray line.
    let coloured = |p: &[u8; 3]| p.iter().max().unwrap() - p.iter().min().unwrap() > 40;
    let stray = rgb[800 * (500 - 12)..]
        .iter()
        .filter(|p| coloured(p))
        .count();
    assert_eq!(stray, 0, "coloured pixels below the chart");
    assert!(rgb.iter().any(coloured), "the series are drawn at all");
}

#[test]
fn report_links_only_written_plots_and_leaves_no_partial_files() {
    let (dir, files, report) = written();
    assert_eq!(files.report, dir.path().join(REPORT));
    let links: Vec<&str> = report
        .split("](")
        .skip(1)
        .map(|rest| &rest[..rest.find(')').unwrap()])
        .collect();
    assert_eq!(links.len(), 10, "a PNG and an SVG link per plot");
    for link in links {
        assert!(dir.path().join(link).is_file(), "{link} missing");
    }
    for entry in fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(!name.to_string_lossy().ends_with(".partial"), "{name:?}");
    }
}

#[test]
fn single_runs_give_a_report_without_spread() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = group_a();
    let mut b = group_b();
    a.runs.truncate(1);
    b.runs.truncate(1);
    let files = write_report(&a, &b, dir.path(), &options()).unwrap();
    let report = fs::read_to_string(&files.report).unwrap();
    assert!(report.contains("| 0.7 (one run) | 0.4 (one run) |"));
    assert!(report.contains("Too few runs lost 50% of motor neurons to compare medians: 1 in A"));
}

#[test]
fn runs_without_events_spread_or_inflammation_still_give_a_full_report() {
    let still = |seed| RunSeries {
        seed,
        time_days: vec![0.0],
        motor_neurons_alive: vec![50.0],
        motor_neurons_initial: 50.0,
        microglia_activated: vec![0.0],
        astrocytes_reactive: vec![0.0],
        duration_days: 0.0,
        days_to_10pct_loss: None,
        days_to_50pct_loss: None,
        days_to_clinical_onset: None,
    };
    let a = Group {
        name: "A".into(),
        runs: vec![still(1), still(2)],
    };
    let b = Group {
        name: "B".into(),
        runs: vec![still(3)],
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_report(&a, &b, dir.path(), &options()).unwrap();
    let report = fs::read_to_string(&files.report).unwrap();
    let loss50 = section(&report, "Time to 50% motor neuron loss");
    assert!(loss50.contains("Log-rank test: not computable"));
    assert!(loss50.contains("| Kaplan–Meier median (days) | not reached | not reached |"));
    assert_eq!(files.plots.len(), 5);
}

fn assert_nothing_written(dir: &Path) {
    assert!(!dir.exists() || fs::read_dir(dir).unwrap().next().is_none());
}

#[test]
fn runs_sampled_at_other_times_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut b = group_b();
    b.runs[2].time_days[3] = 31.0;
    let err = write_report(&group_a(), &b, &out, &options()).unwrap_err();
    assert!(
        matches!(err, ReportError::SampleTimes { ref group, seed: 13, first_seed: 11 } if group == "B"),
        "{err}"
    );
    assert_nothing_written(&out);
}

#[test]
fn empty_groups_bad_values_and_bad_options_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let empty = Group {
        name: "none".into(),
        runs: vec![],
    };
    assert!(matches!(
        write_report(&group_a(), &empty, &out, &options()),
        Err(ReportError::EmptyGroup { .. })
    ));

    let mut nan = group_a();
    nan.runs[1].days_to_50pct_loss = Some(f64::NAN);
    let err = write_report(&nan, &group_b(), &out, &options()).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::InvalidValue {
                seed: 2,
                field: "days_to_50pct_loss",
                ..
            }
        ),
        "{err}"
    );

    let mut short = group_a();
    short.runs[0].astrocytes_reactive.pop();
    assert!(matches!(
        write_report(&short, &group_b(), &out, &options()),
        Err(ReportError::SeriesLength {
            field: "astrocytes_reactive",
            len: 10,
            expected: 11,
            ..
        })
    ));

    let mut no_neurons = group_a();
    no_neurons.runs[0].motor_neurons_initial = 0.0;
    assert!(matches!(
        write_report(&no_neurons, &group_b(), &out, &options()),
        Err(ReportError::InvalidValue {
            field: "motor_neurons_initial",
            ..
        })
    ));

    let tiny = ReportOptions {
        plot_size: (0, 500),
        ..options()
    };
    assert!(matches!(
        write_report(&group_a(), &group_b(), &out, &tiny),
        Err(ReportError::InvalidOptions(_))
    ));
    assert_nothing_written(&out);
}
