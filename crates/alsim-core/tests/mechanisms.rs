//! The first mechanism loop, tested in whole worlds: each mechanism does its job in the tissue,
//! and switching one off removes exactly its effect.

mod support;

use alsim_core::mechanisms::astrocytes::Reactivity;
use alsim_core::mechanisms::microglia::{MicrogliaState, Phenotype};
use alsim_core::mechanisms::neuron_damage::Damage;
use alsim_core::{Astrocyte, FieldGrid, FieldId, LifeState, Microglia, MotorNeuron, Simulation};
use alsim_scenario::{Amount, Scenario};
use bevy_ecs::prelude::*;
use support::set_every_microglia;

/// A small tissue with every mechanism at its defaults and a short clock.
fn small(days: f64) -> Scenario {
    let mut s = Scenario::default();
    s.time.duration_days = days;
    s
}

/// Switches off the motor neurons' cell-autonomous mechanisms, so a test sees one loop alone.
fn without_neuron_internals(s: &mut Scenario) {
    let m = &mut s.mechanisms;
    m.aggregation = None;
    m.mitochondria = None;
    m.transport = None;
    m.motor_units = None;
}

fn run(sim: &mut Simulation) {
    while !sim.is_finished() {
        sim.step();
    }
}

fn count<M: Component, C: Component>(sim: &mut Simulation, pick: impl Fn(&C) -> bool) -> usize {
    let world = sim.world_mut();
    let mut q = world.query_filtered::<&C, With<M>>();
    q.iter(world).filter(|c| pick(c)).count()
}

#[test]
fn debris_activates_microglia_which_clear_it() {
    let mut s = small(3.0);
    s.mechanisms.astrocytes = None;
    s.mechanisms.neuron_damage = None;
    s.mechanisms.cell_death = None;
    s.fields.debris.initial = 2000.0; // neuron-equivalents per mm³, twice the half-max
    let mut with = Simulation::new(&s).unwrap();
    for _ in 0..24 {
        with.step();
    }
    let activated = count::<Microglia, MicrogliaState>(&mut with, |m| {
        m.phenotype == Phenotype::AntiInflammatory
    });
    let total = count::<Microglia, MicrogliaState>(&mut with, |_| true);
    assert!(
        activated * 10 > total * 8,
        "{activated} of {total} anti-inflammatory after a day"
    );
    run(&mut with);

    s.mechanisms.microglia = None;
    let mut without = Simulation::new(&s).unwrap();
    run(&mut without);
    let left_with = with.observe().fields[FieldId::Debris as usize].total;
    let left_without = without.observe().fields[FieldId::Debris as usize].total;
    // Without microglia only the slow first-order decay acts: e^{-0.01·72} ≈ 0.487 of the start.
    let start = 2000.0 * s.tissue.volume_mm3();
    assert!(
        (left_without / start - (-0.72f64).exp()).abs() < 1e-3,
        "{left_without} of {start}"
    );
    assert!(
        left_with < 0.8 * left_without,
        "microglia clear debris: {left_with} vs {left_without}"
    );
}

#[test]
fn secreted_cytokine_is_accounted_exactly() {
    // Pro-inflammatory microglia that never change state, TNF that never decays: the total in
    // the tissue must equal cells × rate × time.
    let mut s = small(2.0);
    s.mechanisms.astrocytes = None;
    s.mechanisms.neuron_damage = None;
    s.mechanisms.cell_death = None;
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.resting_per_hour = 0.0;
    m.repolarisation_per_hour = 0.0;
    m.tnf_secretion_fg_per_hour = 2.5;
    // A fixed population: no division, no death.
    m.proliferation_per_day = 0.0;
    m.turnover_death_per_day = 0.0;
    m.ros_death_per_day = 0.0;
    s.fields.tnf.decay_per_hour = 0.0;
    let mut sim = Simulation::new(&s).unwrap();
    set_every_microglia(&mut sim, Phenotype::ProInflammatory);
    run(&mut sim);
    let cells = count::<Microglia, MicrogliaState>(&mut sim, |_| true) as f64;
    let expected = cells * 2.5 * 48.0;
    let total = sim.observe().fields[FieldId::Tnf as usize].total;
    assert!(
        ((total - expected) / expected).abs() < 1e-4,
        "{total} fg vs {expected} fg"
    );
}

#[test]
fn astrocytes_turn_reactive_under_cytokine_and_harm_neurons() {
    let mut s = small(4.0);
    without_neuron_internals(&mut s);
    s.mechanisms.microglia = None;
    s.mechanisms.cell_death = None;
    s.fields.tnf.decay_per_hour = 0.0;
    s.fields.tnf.initial = 10.0; // ten times the astrocytes' half-max
    let nd = s.mechanisms.neuron_damage.as_mut().unwrap();
    nd.intrinsic_damage_per_day = 0.0;
    nd.tnf_damage_per_day = 0.0;
    let mut sim = Simulation::new(&s).unwrap();
    run(&mut sim);
    let reactive = count::<Astrocyte, Reactivity>(&mut sim, |r| r.reactive);
    let total = count::<Astrocyte, Reactivity>(&mut sim, |_| true);
    // Rate 0.05·(1/1.1) per hour against recovery 0.01·(0.1/1.1): ~95% reactive at balance.
    assert!(reactive * 10 > total * 8, "{reactive} of {total} reactive");
    let damaged = count::<MotorNeuron, Damage>(&mut sim, |d| d.0 > 0.0);
    let neurons = count::<MotorNeuron, Damage>(&mut sim, |_| true);
    assert!(
        damaged * 10 > neurons * 9,
        "reactive astrocytes damage neurons: {damaged}/{neurons}"
    );

    s.mechanisms.astrocytes = None;
    let mut no_astro = Simulation::new(&s).unwrap();
    run(&mut no_astro);
    assert_eq!(
        count::<MotorNeuron, Damage>(&mut no_astro, |d| d.0 > 0.0),
        0
    );
}

#[test]
fn dying_neuron_leaves_its_debris_in_its_voxel_after_apoptosis() {
    let mut s = small(3.0);
    s.mechanisms.microglia = None;
    s.mechanisms.astrocytes = None;
    s.populations.microglia.amount = Amount::Count(0);
    s.populations.astrocytes.amount = Amount::Count(0);
    s.fields.debris.decay_per_hour = 0.0;
    let death = s.mechanisms.cell_death.as_mut().unwrap();
    death.baseline_hazard_per_day = 10.0; // commit within hours
    death.apoptosis_hours = 24.0;
    let mut sim = Simulation::new(&s).unwrap();
    let neurons = sim.observe().motor_neurons_alive;
    sim.step();
    assert_eq!(sim.observe().motor_neurons_dead, 0, "apoptosis takes a day");
    run(&mut sim);
    let o = sim.observe();
    assert_eq!(o.motor_neurons_dead, neurons);
    let debris = o.fields[FieldId::Debris as usize].total;
    assert!(
        (debris - neurons as f64).abs() < 1e-3,
        "{debris} neuron-equivalents"
    );
    let dead = count::<MotorNeuron, LifeState>(&mut sim, |l| *l == LifeState::Dead);
    assert_eq!(dead as u64, neurons);
}

#[test]
fn with_every_mechanism_off_nothing_happens() {
    let mut s = small(5.0);
    without_neuron_internals(&mut s);
    s.mechanisms.microglia = None;
    s.mechanisms.astrocytes = None;
    s.mechanisms.neuron_damage = None;
    s.mechanisms.cell_death = None;
    let mut sim = Simulation::new(&s).unwrap();
    let start = sim.observe();
    run(&mut sim);
    let end = sim.observe();
    assert_eq!(end.motor_neurons_alive, start.motor_neurons_alive);
    for phenotype in [
        "microglia_surveying",
        "microglia_proinflammatory",
        "microglia_antiinflammatory",
    ] {
        assert_eq!(end[phenotype], start[phenotype], "{phenotype}");
    }
    assert_eq!(end.fields, start.fields);
    assert!(
        sim.world()
            .resource::<FieldGrid>()
            .values(FieldId::Tnf)
            .iter()
            .all(|&v| v == 0.0)
    );
}
