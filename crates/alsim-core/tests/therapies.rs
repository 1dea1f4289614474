//! Therapies act on mechanisms, and the model decides the effect: an antisense therapy started
//! presymptomatically (P30) in the SOD1-G93A mouse must keep more motor neurons and more force
//! than no therapy, on average over the same seeds.

mod support;

use alsim_scenario::Scenario;
use support::{bundled, run_in_pool};

/// Mean (motor neurons alive, force proxy) at the end over three seeds.
fn outcome(base: &Scenario) -> (f64, f64) {
    let seeds = [93u64, 94, 95];
    let (mut alive, mut force) = (0.0, 0.0);
    for seed in seeds {
        let mut s = base.clone();
        s.seed = seed;
        let (rows, _) = run_in_pool(&s);
        let end = rows.last().unwrap();
        alive += end.motor_neurons_alive as f64;
        force += end["force_proxy"];
    }
    (alive / seeds.len() as f64, force / seeds.len() as f64)
}

#[test]
fn presymptomatic_antisense_keeps_more_motor_neurons_and_force() {
    let untreated = bundled("sod1-g93a-mouse");
    let treated = bundled("sod1-g93a-mouse-antisense");
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
