//! The memory model against the truth: each run records its process's peak resident memory
//! (`manifest.json`, `peak_resident_bytes`) beside the estimate it was admitted with; the two
//! must agree within 1.5x on every bundled scenario, and the most a growing run can hold must
//! agree with what it held. A run that outgrows its limit stops with a checkpoint.

mod support;

use std::path::Path;
use support::{alsim, assert_clean_failure, stderr};

const GROWTH: &str = "tests/scenarios/memory-growth.ron";

/// Runs `scenario` with `extra` arguments into `out` and returns (peak, estimate) in bytes.
fn measured(scenario: &str, out: &Path, extra: &[&str]) -> (f64, f64) {
    let mut args = vec![
        "run",
        scenario,
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let res = alsim(&args);
    assert!(res.status.success(), "{scenario}: {}", stderr(&res));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let number = |key: &str| {
        manifest[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{scenario}: no {key} in manifest.json"))
    };
    (
        number("peak_resident_bytes"),
        number("estimated_memory_bytes"),
    )
}

#[test]
fn the_estimate_is_within_one_and_a_half_times_the_peak_on_every_bundled_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut scenarios: Vec<String> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| p.display().to_string())
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 10, "{scenarios:?}");
    let mut off = Vec::new();
    for scenario in &scenarios {
        let out = dir.path().join(Path::new(scenario).file_stem().unwrap());
        // Two days: what the cells start with sets the peak (none of these grows much); events
        // and therapies go, as a shorter run cannot hold them.
        let (peak, estimate) = measured(
            scenario,
            &out,
            &[
                "--set",
                "time.duration_days=2",
                "--set",
                "events=[]",
                "--set",
                "interventions=[]",
            ],
        );
        let ratio = estimate / peak;
        if !(1.0 / 1.5..=1.5).contains(&ratio) {
            off.push(format!(
                "{scenario}: estimate {:.1} MiB, peak {:.1} MiB",
                estimate / 1048576.0,
                peak / 1048576.0
            ));
        }
    }
    assert!(off.is_empty(), "outside 1.5x:\n{}", off.join("\n"));
}

#[test]
fn a_growing_run_holds_about_what_validate_says_it_can_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let validate = alsim(&["validate", GROWTH]);
    assert!(validate.status.success(), "{}", stderr(&validate));
    let printed = String::from_utf8_lossy(&validate.stdout).into_owned();
    let at_most_mib: f64 = printed
        .split("up to ")
        .nth(1)
        .and_then(|rest| rest.split(" MiB").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'up to N MiB' in:\n{printed}"));
    let (peak, estimate) = measured(GROWTH, &dir.path().join("grow"), &[]);
    let peak_mib = peak / 1048576.0;
    assert!(
        peak > 3.0 * estimate,
        "the scenario must really grow: peak {peak_mib:.1} MiB, start estimate {:.1} MiB",
        estimate / 1048576.0
    );
    let ratio = at_most_mib / peak_mib;
    assert!(
        (1.0 / 1.5..=1.5).contains(&ratio),
        "at most {at_most_mib} MiB against a peak of {peak_mib:.1} MiB"
    );
}

#[test]
fn a_run_that_outgrows_its_memory_stops_with_a_checkpoint_and_resumes_with_more() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grow");
    let args = [
        "run",
        GROWTH,
        "--threads",
        "2",
        "--max-memory",
        "40MiB",
        "--out",
        out.to_str().unwrap(),
    ];
    let res = alsim(&args);
    let err = assert_clean_failure(&res, "more than its limit of 40.0 MiB");
    assert!(err.contains("microglia now"), "{err}");
    for file in [
        "checkpoint.bin",
        "incomplete.json",
        "timeseries.csv.partial",
    ] {
        assert!(out.join(file).is_file(), "{file} missing:\n{err}");
    }
    assert!(!out.join("summary.json").exists());
    let resumed = alsim(&[
        "run",
        "--resume",
        out.to_str().unwrap(),
        "--max-memory",
        "4GiB",
    ]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(out.join("summary.json").is_file());
}
