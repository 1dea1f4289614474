//! Every bundled scenario's results, pinned: the SHA-256 of the `timeseries.csv` and
//! `summary.json` that `alsim run` writes for it must equal the digests recorded in
//! `tests/golden/results.sha256` (see the README beside it). A refactoring passes unchanged; a
//! change meant to change results updates the file on purpose.

mod support;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use support::{alsim, stderr};

const RECORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/results.sha256");

/// Scenarios cheap enough for every `cargo test` (a few seconds each); the rest run with
/// `--ignored`.
const QUICK: [&str; 3] = ["default", "sod1-g93a-mouse", "sod1-g93a-mouse-antisense"];

/// The recorded digests: scenario name → (timeseries, summary).
fn recorded() -> BTreeMap<String, (String, String)> {
    std::fs::read_to_string(RECORD)
        .expect("tests/golden/results.sha256 is readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "malformed line in results.sha256: {line}");
            (parts[0].to_string(), (parts[1].into(), parts[2].into()))
        })
        .collect()
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs a bundled scenario and returns its digests.
fn digests(name: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let scenario = format!("scenarios/{name}.ron");
    let run = alsim(&[
        "run",
        &scenario,
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    assert!(run.status.success(), "{name}: {}", stderr(&run));
    (
        sha256(&out.join("timeseries.csv")),
        sha256(&out.join("summary.json")),
    )
}

fn bundled_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension().is_some_and(|x| x == "ron"))
                .then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

fn check(names: &[&str]) {
    let record = recorded();
    let mismatched: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let expected = record
                .get(*name)
                .unwrap_or_else(|| panic!("{name} has no line in results.sha256"));
            let got = digests(name);
            (got != *expected).then(|| {
                format!(
                    "{name}: timeseries {} (recorded {}), summary {} (recorded {})",
                    got.0, expected.0, got.1, expected.1
                )
            })
        })
        .collect();
    assert!(
        mismatched.is_empty(),
        "results changed:\n{}",
        mismatched.join("\n")
    );
}

#[test]
fn every_bundled_scenario_has_a_record() {
    let record = recorded();
    for name in bundled_names() {
        assert!(record.contains_key(&name), "{name} is not recorded");
    }
    assert_eq!(
        record.len(),
        bundled_names().len(),
        "a recorded scenario was removed"
    );
}

#[test]
fn quick_bundled_scenarios_give_their_recorded_results() {
    check(&QUICK);
}

/// All of them, about five minutes on two cores. With `ALSIM_GOLDEN_WRITE=1` it rewrites the
/// record instead of checking it.
#[test]
#[ignore]
fn every_bundled_scenario_gives_its_recorded_results() {
    let names = bundled_names();
    if std::env::var_os("ALSIM_GOLDEN_WRITE").is_some() {
        let lines: String = names
            .iter()
            .map(|name| {
                let (ts, summary) = digests(name);
                format!("{name} {ts} {summary}\n")
            })
            .collect();
        std::fs::write(RECORD, lines).unwrap();
        return;
    }
    check(&names.iter().map(String::as_str).collect::<Vec<_>>());
}
