//! Malformed and hostile scenario files (`tests/bad_input/*.ron`): `alsim run` refuses each
//! with exit status 1, the message in its `.expected` file (every line must appear in stderr),
//! no panic, and nothing written; `alsim batch` given them all reports each and panics on none.

mod support;

use std::path::{Path, PathBuf};
use support::{alsim, stderr};

/// The bad inputs, as paths relative to the package (as the messages name them).
fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| Path::new("tests/bad_input").join(p.file_name().unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_input_is_refused_with_its_message_and_nothing_written() {
    let files = cases();
    assert!(files.len() >= 25, "only {} bad inputs", files.len());
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let expected_file =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(file.with_extension("expected"));
        let expected = std::fs::read_to_string(&expected_file)
            .unwrap_or_else(|_| panic!("{} has no .expected file", file.display()));
        let out = dir.path().join(file.file_stem().unwrap());
        // A fixed memory limit, so the refusal does not depend on the machine.
        let res = alsim(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--max-memory",
            "2GiB",
        ]);
        let err = stderr(&res);
        let missing: Vec<&str> = expected
            .lines()
            .filter(|l| !l.trim().is_empty() && !err.contains(l))
            .collect();
        if res.status.code() != Some(1) || err.contains("panicked") || !missing.is_empty() {
            failures.push(format!(
                "{}: exit {:?}, missing {missing:?}, stderr:\n{err}",
                file.display(),
                res.status.code()
            ));
        }
        if out.exists() {
            failures.push(format!("{}: wrote {}", file.display(), out.display()));
        }
        if expected.lines().all(|l| l.trim().is_empty()) {
            failures.push(format!("{}: empty .expected", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_batch_of_every_bad_input_reports_each_and_never_panics() {
    let files = cases();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let mut args = vec![
        "batch",
        "--out",
        out.to_str().unwrap(),
        "--max-memory",
        "2GiB",
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let res = alsim(&args);
    let err = stderr(&res);
    assert_eq!(res.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for file in &files {
        assert!(
            err.contains(file.to_str().unwrap()),
            "{} not reported:\n{err}",
            file.display()
        );
    }
    // The one readable file is refused for its memory, before a run folder holds any result.
    assert!(
        err.contains("20-above-memory-limit-r0: run 20-above-memory-limit-r0"),
        "{err}"
    );
    assert!(
        !out.join("runs/20-above-memory-limit-r0/timeseries.csv.partial")
            .exists()
    );
}

#[test]
fn validate_refuses_every_bad_input_it_can_judge_without_a_memory_limit() {
    // `validate` only reports the memory estimate, so the file over the limit is valid to it.
    for file in cases()
        .iter()
        .filter(|f| !f.to_string_lossy().contains("above-memory"))
    {
        let res = alsim(&["validate", file.to_str().unwrap()]);
        let err = stderr(&res);
        assert_eq!(res.status.code(), Some(1), "{}: {err}", file.display());
        assert!(!err.contains("panicked"), "{}: {err}", file.display());
    }
}
