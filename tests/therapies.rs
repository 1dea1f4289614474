//! Therapies act on mechanisms, and the model decides the effect: an antisense therapy started
//! presymptomatically (P30) in the SOD1-G93A mouse must keep more motor neurons and more force
//! than no therapy, on average over the same seeds.

use alsim::core::Simulation;
use alsim::scenario::{Scenario, load};
use std::path::Path;

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Mean (motor neurons alive, force proxy) at the end over three seeds.
fn outcome(base: &Scenario) -> (f64, f64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let seeds = [93u64, 94, 95];
    let (mut alive, mut force) = (0.0, 0.0);
    for seed in seeds {
        let mut s = base.clone();
        s.seed = seed;
        let o = pool.install(|| {
            let mut sim = Simulation::new(&s).unwrap();
            while !sim.is_finished() {
                sim.step();
            }
            sim.observe()
        });
        alive += o.motor_neurons_alive as f64;
        force += o.force_proxy;
    }
    (alive / seeds.len() as f64, force / seeds.len() as f64)
}

#[test]
fn presymptomatic_antisense_keeps_more_motor_neurons_and_force() {
    let untreated = scenario("sod1-g93a-mouse");
    let treated = scenario("sod1-g93a-mouse-antisense");
    // The two differ only in the therapy.
    let mut same = treated.clone();
    same.interventions.clear();
    same.name = untreated.name.clone();
    same.description = untreated.description.clone();
    assert_eq!(same, untreated);
    let (alive_u, force_u) = outcome(&untreated);
    let (alive_t, force_t) = outcome(&treated);
    assert!(
        alive_t > alive_u,
        "alive: treated {alive_t} vs untreated {alive_u}"
    );
    assert!(
        force_t > force_u,
        "force: treated {force_t} vs untreated {force_u}"
    );
}
