//! Helpers shared by the integration tests.

// Each test crate compiles this module and uses only some of it.
#![allow(dead_code)]

use alsim::core::mechanisms::microglia::{MicrogliaState, Phenotype};
use alsim::core::{Observation, Simulation, Summary};
use alsim::scenario::{Scenario, load};
use std::path::Path;
use std::process::{Command, Output};

/// A bundled scenario from `scenarios/`, loaded and validated.
pub fn bundled(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A count column of `row` (`microglia_surveying`, `astrocytes_reactive`, ...).
pub fn count(row: &Observation, column: &str) -> u64 {
    row[column] as u64
}

/// Microglia of every phenotype in `row`.
pub fn microglia_total(row: &Observation) -> u64 {
    [
        "microglia_surveying",
        "microglia_proinflammatory",
        "microglia_antiinflammatory",
    ]
    .iter()
    .map(|c| count(row, c))
    .sum()
}

/// Runs `scenario` to its end inside a two-thread pool, as `alsim run` steps it.
pub fn run_in_pool(scenario: &Scenario) -> (Vec<Observation>, Summary) {
    let mut sim = Simulation::builder(scenario)
        .threads(2)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = sim.run_to_end();
    (rows, sim.summary().clone())
}

/// Runs the `alsim` binary with `args` in the package folder (so bundled scenarios are
/// `scenarios/...`) and waits for it.
pub fn alsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
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

/// Puts every microglia of `sim` into `phenotype` (the switches then go on from there).
pub fn set_every_microglia(sim: &mut Simulation, phenotype: Phenotype) {
    let world = sim.world_mut();
    let mut q = world.query::<&mut MicrogliaState>();
    for mut m in q.iter_mut(world) {
        m.phenotype = phenotype;
    }
}
