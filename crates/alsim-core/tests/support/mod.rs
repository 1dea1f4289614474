//! Helpers shared by the model's integration tests (and by the top-level tests that need a
//! bundled scenario or a run, which include this file by path).

// Each test crate compiles this module and uses only some of it.
#![allow(dead_code)]

use alsim_core::mechanisms::microglia::{MicrogliaState, Phenotype};
use alsim_core::{Observation, Simulation, Summary};
use alsim_scenario::{Amount, Scenario, load};
use std::path::Path;

/// A bundled scenario from the repository's `scenarios/`, loaded and validated.
pub fn bundled(name: &str) -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("scenarios").is_dir())
        .expect("the repository holds scenarios/");
    load(&root.join(format!("scenarios/{name}.ron"))).unwrap_or_else(|e| panic!("{e}"))
}

/// The default scenario's motor neurons alone for `days`: no glia and no disease mechanism
/// (cell death, motor units and the readouts stay on), so nothing harms them.
pub fn neurons_alone(days: f64) -> Scenario {
    let mut s = Scenario::default();
    s.time.duration_days = days;
    s.populations.microglia.amount = Amount::Count(0);
    s.populations.astrocytes.amount = Amount::Count(0);
    let m = &mut s.mechanisms;
    m.aggregation = None;
    m.mitochondria = None;
    m.transport = None;
    m.microglia = None;
    m.astrocytes = None;
    m.neuron_damage = None;
    s
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

/// Runs `scenario` to its end in a two-thread pool of its own, as `alsim run` steps it.
pub fn run_in_pool(scenario: &Scenario) -> (Vec<Observation>, Summary) {
    let mut sim = Simulation::builder(scenario)
        .threads(2)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = sim.run_to_end();
    (rows, sim.summary().clone())
}

/// Puts every microglia of `sim` into `phenotype` (the switches then go on from there).
pub fn set_every_microglia(sim: &mut Simulation, phenotype: Phenotype) {
    let world = sim.world_mut();
    let mut q = world.query::<&mut MicrogliaState>();
    for mut m in q.iter_mut(world) {
        m.phenotype = phenotype;
    }
}
