//! Helpers shared by the integration tests.

// Each test crate compiles this module and uses only some of it.
#![allow(dead_code)]

use alsim::core::{Observation, Simulation, Summary};
use alsim::scenario::{Scenario, load};
use std::path::Path;

/// A bundled scenario from `scenarios/`, loaded and validated.
pub fn bundled(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `scenario` to its end inside a two-thread pool, as `alsim run` steps it.
pub fn run_in_pool(scenario: &Scenario) -> (Vec<Observation>, Summary) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        let mut sim = Simulation::new(scenario).unwrap_or_else(|e| panic!("{e}"));
        let rows = sim.run_to_end();
        (rows, sim.summary().clone())
    })
}
