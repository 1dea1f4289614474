//! Helpers shared by the integration tests that run the `alsim` binary.

// Each test crate compiles this module and uses only some of it.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the `alsim` binary with `args` in the package folder (so bundled scenarios are
/// `scenarios/...`) and waits for it.
pub fn alsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the alsim binary runs")
}

/// Runs the `alsim` binary with `args` in `dir`, so the relative scenario paths a plan records
/// are the same in every command of a test.
pub fn alsim_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the alsim binary runs")
}

/// The command's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fails unless the command exited with status 1 (an error, not a panic's 101) and said
/// `needle`; returns its stderr.
pub fn assert_clean_failure(out: &Output, needle: &str) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1, stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "must not panic:\n{err}");
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    err
}
