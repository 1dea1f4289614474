//! Switching each mechanism off changes the outcome of the SOD1-G93A mouse scenario in the
//! direction docs/model.md gives it. Outcomes are averaged over a few seeds so one lucky run
//! cannot decide a test.

mod support;

use alsim_scenario::Scenario;
use std::sync::OnceLock;
use support::{bundled, count, run_in_pool};

const SEEDS: [u64; 3] = [1, 2, 3];
const DAYS: f64 = 90.0;

/// What a run ends with: motor neurons dead, force proxy, living neurons denervated.
#[derive(Debug, Default, Clone, Copy)]
struct Outcome {
    dead: f64,
    force: f64,
    denervated: f64,
}

fn mouse() -> Scenario {
    let mut s = bundled("sod1-g93a-mouse");
    s.time.duration_days = DAYS;
    s
}

/// Mean outcome over `SEEDS`.
fn outcome(edit: impl Fn(&mut Scenario)) -> Outcome {
    let mut scenario = mouse();
    edit(&mut scenario);
    let runs: Vec<Outcome> = SEEDS
        .iter()
        .map(|&seed| {
            let mut s = scenario.clone();
            s.seed = seed;
            let (rows, _) = run_in_pool(&s);
            let o = rows.last().unwrap();
            Outcome {
                dead: o.motor_neurons_dead as f64,
                force: o["force_proxy"],
                denervated: count(o, "motor_units_denervated") as f64,
            }
        })
        .collect();
    let n = runs.len() as f64;
    Outcome {
        dead: runs.iter().map(|o| o.dead).sum::<f64>() / n,
        force: runs.iter().map(|o| o.force).sum::<f64>() / n,
        denervated: runs.iter().map(|o| o.denervated).sum::<f64>() / n,
    }
}

/// The scenario with every mechanism on, computed once for all tests.
fn base() -> Outcome {
    static BASE: OnceLock<Outcome> = OnceLock::new();
    let base = *BASE.get_or_init(|| outcome(|_| {}));
    assert!(
        base.dead >= 4.0,
        "the scenario must lose neurons for these tests to mean anything: {base:?}"
    );
    base
}

#[test]
fn without_aggregation_fewer_neurons_die() {
    // Misfolded SOD1 drives the disease in this scenario.
    let (o, base) = (outcome(|s| s.mechanisms.aggregation = None), base());
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}

#[test]
fn without_mitochondrial_failure_fewer_neurons_die() {
    // No oxidative damage, and transport holds up.
    let (o, base) = (outcome(|s| s.mechanisms.mitochondria = None), base());
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}

#[test]
fn without_transport_deficit_fewer_units_are_denervated() {
    let (o, base) = (outcome(|s| s.mechanisms.transport = None), base());
    assert!(
        o.denervated < base.denervated && o.force > base.force,
        "{o:?} vs {base:?}"
    );
}

#[test]
fn without_astrocytes_fewer_neurons_die() {
    // Mutant astrocytes kill motor neurons (Nagai 2007; Di Giorgio 2007).
    let (o, base) = (outcome(|s| s.mechanisms.astrocytes = None), base());
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}

#[test]
fn without_microglia_fewer_neurons_die() {
    // Mutant microglia drive progression (Boillée 2006).
    let (o, base) = (outcome(|s| s.mechanisms.microglia = None), base());
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}

#[test]
fn without_damage_or_death_no_neuron_dies() {
    assert!(base().dead > 0.0);
    assert_eq!(outcome(|s| s.mechanisms.neuron_damage = None).dead, 0.0);
    assert_eq!(outcome(|s| s.mechanisms.cell_death = None).dead, 0.0);
}

#[test]
fn without_the_readout_nothing_counts_as_weakness() {
    let (o, base) = (outcome(|s| s.mechanisms.motor_units = None), base());
    assert!(base.force < 1.0, "{base:?}");
    assert_eq!((o.force, o.denervated), (1.0, 0.0), "{o:?}");
}

#[test]
fn without_dying_back_fewer_neurons_die() {
    // Denervated neurons lose their muscle's trophic support (Dupuis & Loeffler 2009).
    let (o, base) = (
        outcome(|s| {
            s.mechanisms
                .neuron_damage
                .as_mut()
                .unwrap()
                .denervation_damage_per_day = 0.0
        }),
        base(),
    );
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}

#[test]
fn without_fast_fatigable_units_fewer_neurons_die() {
    // FF terminals retract first (Frey 2000; Pun 2006), and their neurons then die back.
    let (o, base) = (
        outcome(|s| {
            s.mechanisms
                .motor_units
                .as_mut()
                .unwrap()
                .fast_fatigable_share = 0.0
        }),
        base(),
    );
    assert!(o.dead < base.dead, "{o:?} vs {base:?}");
}
