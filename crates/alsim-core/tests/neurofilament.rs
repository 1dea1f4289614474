//! Neurofilament light in whole worlds: the pools follow the closed-form solution of their
//! linear chain after every axon degenerates at once, the books balance in the SOD1 mouse over
//! seeds (what axons release is what remains plus what is cleared), blood NfL rises with the loss of motor neurons and stays at the healthy level without
//! it, and switching the mechanism off changes nothing else.

mod support;
use support::{bundled, neurons_alone};

use alsim_core::mechanisms::neurofilament::NflPools;
use alsim_core::{LifeState, MotorNeuron, Observation, Simulation};
use alsim_scenario::Scenario;
use alsim_scenario::mechanisms::NeurofilamentParams;
use bevy_ecs::prelude::*;

/// Motor neurons alone, and nothing kills them unless a test does.
fn bare_neurons(days: f64) -> Scenario {
    let mut s = neurons_alone(days);
    s.mechanisms.cell_death = None;
    s
}

/// Blood NfL (axon-equivalents) at `t` days after `d0` axon-equivalents start degenerating,
/// from CSF `c0` and blood `b0` and no further input: the chain D → C → B → cleared with rates
/// `a = 1/τ_W`, `c = k_C`, `b = ln 2/t½`, solved in closed form.
fn blood_after_degeneration(p: &NeurofilamentParams, d0: f64, c0: f64, b0: f64, t: f64) -> f64 {
    let (a, c, b) = (
        1.0 / p.wallerian_days,
        p.csf_clearance_per_day,
        std::f64::consts::LN_2 / p.blood_half_life_days,
    );
    let e = |k: f64| (-k * t).exp();
    b0 * e(b)
        + c * c0 * (e(b) - e(c)) / (c - b)
        + c * a * d0 / (c - a) * ((e(a) - e(b)) / (b - a) - (e(c) - e(b)) / (b - c))
}

#[test]
fn after_every_axon_degenerates_the_blood_follows_the_closed_form_chain() {
    let s = bare_neurons(60.0);
    let p = s.mechanisms.neurofilament.clone().unwrap();
    let mut sim = Simulation::new(&s).unwrap();
    let start = sim.world().resource::<NflPools>().clone();
    let neurons = {
        let world = sim.world_mut();
        let mut q = world.query_filtered::<&mut LifeState, With<MotorNeuron>>();
        let mut n = 0.0;
        for mut life in q.iter_mut(world) {
            *life = LifeState::Dead;
            n += 1.0;
        }
        n
    };
    // The healthy steady state: leak into the CSF balances its drainage, and the blood's
    // clearance what drains into it.
    let leak = p.leak_per_day * neurons;
    assert!((start.csf * p.csf_clearance_per_day - leak).abs() < 1e-12 * leak);
    let peak_expected = (0..=60)
        .map(|day| blood_after_degeneration(&p, neurons, start.csf, start.blood, day as f64))
        .fold(0.0, f64::max);
    let rows = sim.run_to_end();
    for row in rows.iter().skip(1) {
        let t = row.time_days;
        // The first step moves the axons into degeneration before the fluid advances, so the
        // model runs that step's worth of time ahead at most; hourly steps split the chain
        // into first-order pieces: both well under 1% of the peak.
        let expected = blood_after_degeneration(&p, neurons, start.csf, start.blood, t);
        let model = sim_blood(row, &p, &start);
        assert!(
            (model - expected).abs() < 0.01 * peak_expected,
            "day {t}: blood {model} against {expected} (peak {peak_expected})"
        );
    }
}

/// The blood pool (axon-equivalents) read back from the concentration column.
fn sim_blood(row: &Observation, p: &NeurofilamentParams, start: &NflPools) -> f64 {
    let level = row["nfl_blood_pg_per_ml"] / p.healthy_blood_pg_per_ml;
    (level - 1.0 + p.motor_share) / p.motor_share * start.healthy_blood
}

#[test]
fn without_degeneration_nfl_stays_at_the_healthy_level() {
    let s = bare_neurons(30.0);
    let p = s.mechanisms.neurofilament.clone().unwrap();
    let mut sim = Simulation::new(&s).unwrap();
    for row in sim.run_to_end() {
        let blood = row["nfl_blood_pg_per_ml"];
        let csf = row["nfl_csf_pg_per_ml"];
        assert!(
            (blood - p.healthy_blood_pg_per_ml).abs() < 1e-9 * blood,
            "{blood}"
        );
        assert!((csf - p.healthy_csf_pg_per_ml).abs() < 1e-9 * csf, "{csf}");
        assert_eq!(row["nfl_degenerating"], 0.0);
    }
}

#[test]
fn in_the_sod1_mouse_the_books_balance_and_blood_nfl_rises_with_loss_over_ten_seeds() {
    for seed in 0..10 {
        let mut s = bundled("sod1-g93a-mouse");
        s.seed = seed;
        s.time.duration_days = 110.0;
        let mut sim = Simulation::new(&s).unwrap();
        let rows = sim.run_to_end();
        let initial = rows[0]["nfl_in_fluid"];
        for row in &rows {
            // What axons released is degenerating, in the fluid or cleared.
            let books = initial + row["nfl_released"];
            let held = row["nfl_degenerating"] + row["nfl_in_fluid"] + row["nfl_cleared"];
            assert!(
                (books - held).abs() < 1e-9 * books,
                "seed {seed}, day {}: {books} released against {held} remaining or cleared",
                row.time_days
            );
        }
        let last = rows.last().unwrap();
        let summary = sim.summary();
        assert_eq!(
            summary.nfl_blood_pg_per_ml_final,
            Some(last["nfl_blood_pg_per_ml"])
        );
        if let Some(onset) = summary.days_to_clinical_onset {
            // Recorded on the onset tick, between the daily rows around it.
            let at_onset = summary.nfl_blood_pg_per_ml_at_onset.expect("onset reached");
            let blood = |r: &Observation| r["nfl_blood_pg_per_ml"];
            let before = rows.iter().rev().find(|r| r.time_days <= onset).unwrap();
            let after = rows.iter().find(|r| r.time_days >= onset).unwrap();
            let (low, high) = (
                blood(before).min(blood(after)),
                blood(before).max(blood(after)),
            );
            assert!(
                low <= at_onset && at_onset <= high,
                "seed {seed}: {at_onset} at onset, outside [{low}, {high}]"
            );
        }
        let lost = last.motor_neurons_dead as f64 / summary.motor_neurons_initial as f64;
        assert!(lost >= 0.2, "seed {seed}: only {lost} lost by day 110");
        // Degenerating axons release far more than the healthy leak.
        assert!(
            last["nfl_blood_pg_per_ml"] > 3.0 * rows[0]["nfl_blood_pg_per_ml"],
            "seed {seed}: blood NfL {} at day 110",
            last["nfl_blood_pg_per_ml"]
        );
    }
}

#[test]
fn switched_off_it_changes_no_other_column() {
    let mut on = bundled("sod1-g93a-mouse");
    on.time.duration_days = 40.0;
    let mut off = on.clone();
    off.mechanisms.neurofilament = None;
    let columns = Observation::columns();
    let rows_on = Simulation::new(&on).unwrap().run_to_end();
    let rows_off = Simulation::new(&off).unwrap().run_to_end();
    assert_eq!(rows_on.len(), rows_off.len());
    for (a, b) in rows_on.iter().zip(&rows_off) {
        for ((name, x), y) in columns.iter().zip(a.values()).zip(b.values()) {
            if name.starts_with("nfl_") {
                assert_eq!(y, 0.0, "{name} off");
            } else {
                assert_eq!(x.to_bits(), y.to_bits(), "{name} at day {}", a.time_days);
            }
        }
    }
    assert!(rows_on.last().unwrap()["nfl_blood_pg_per_ml"] > 0.0);
}
