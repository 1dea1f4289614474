//! Motor units and the clinical readout in whole worlds: reinnervation keeps the force proxy near
//! normal until much of the motor neuron pool is gone, denervation of living neurons counts like
//! loss, and clinical onset lands in the summary.

mod support;
use support::{count, neurons_alone};

use alsim_core::mechanisms::motor_units::{Clinical, MotorUnit, UnitKind};
use alsim_core::mechanisms::transport::Transport;
use alsim_core::{CellId, MotorNeuron, Observation, Simulation};
use alsim_scenario::Scenario;
use bevy_ecs::prelude::*;

/// Motor neurons alone, dying only at `hazard` per day (no damage, glia or other mechanisms),
/// with 6-hour ticks.
fn dying_pool(days: f64, hazard: f64) -> Scenario {
    let mut s = neurons_alone(days);
    s.time.dt_hours = 6.0;
    s.time.field_dt_minutes = 60.0;
    s.mechanisms
        .cell_death
        .as_mut()
        .unwrap()
        .baseline_hazard_per_day = hazard;
    s
}

/// Runs to the end inside a small rayon pool (as the CLI does; stepping from outside pays a
/// hand-off per parallel section), observing after every tick.
fn run_observing(sim: &mut Simulation) -> Vec<Observation> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        let mut rows = vec![sim.observe()];
        while !sim.is_finished() {
            sim.step();
            rows.push(sim.observe());
        }
        rows
    })
}

fn lost_share(o: &Observation) -> f64 {
    let initial = (o.motor_neurons_alive + o.motor_neurons_dead) as f64;
    1.0 - (o.motor_neurons_alive - count(o, "motor_units_denervated")) as f64 / initial
}

#[test]
fn force_stays_near_normal_until_half_the_pool_is_gone_then_falls() {
    // 0.5% of neurons per day: half gone by ~day 140, 80% by ~day 320.
    let s = dying_pool(500.0, 0.005);
    let mut sim = Simulation::new(&s).unwrap();
    let rows = run_observing(&mut sim);
    let mut checked = 0;
    for o in &rows {
        if lost_share(o) < 0.5 {
            checked += 1;
            assert!(
                o["force_proxy"] > 0.85,
                "day {}: force {} with {:.0}% of units lost",
                o.time_days,
                o["force_proxy"],
                100.0 * lost_share(o)
            );
        }
    }
    assert!(
        checked > 100,
        "only {checked} rows before half the pool was lost"
    );
    let end = rows.last().unwrap();
    assert!(
        lost_share(end) > 0.85,
        "{} alive at the end",
        end.motor_neurons_alive
    );
    assert!(
        end["force_proxy"] < 0.6,
        "force {} at the end",
        end["force_proxy"]
    );
    // Surviving units have grown toward their limit.
    assert!(
        end["motor_unit_enlargement"] > 3.0,
        "{}",
        end["motor_unit_enlargement"]
    );

    let summary = sim.summary();
    let ten = summary.days_to_10pct_mn_loss.expect("10% lost");
    let half = summary.days_to_50pct_mn_loss.expect("half lost");
    let onset = summary.days_to_clinical_onset.expect("onset reached");
    assert!(
        onset > ten && onset > half,
        "onset day {onset}, 10% lost day {ten}, 50% lost day {half}"
    );
    // The summary's day is the first row below the threshold.
    let first_weak = rows.iter().find(|o| o["force_proxy"] < 0.8).unwrap();
    assert_eq!(first_weak.time_days, onset);
    let clinical = sim.world().resource::<Clinical>();
    assert_eq!(
        clinical.onset_tick.map(|t| t as f64 * 6.0 / 24.0),
        Some(onset)
    );
}

#[test]
fn without_reinnervation_onset_comes_with_the_first_fifth_lost() {
    // Units that cannot grow: the force proxy is the surviving share, so onset comes as soon
    // as a fifth of the units is gone, long before it does with reinnervation.
    let mut s = dying_pool(500.0, 0.005);
    s.mechanisms
        .motor_units
        .as_mut()
        .unwrap()
        .max_enlargement_fold = 1.0;
    let mut rigid = Simulation::new(&s).unwrap();
    let rows = run_observing(&mut rigid);
    for o in &rows {
        let surviving = 1.0 - lost_share(o);
        assert!(
            (o["force_proxy"] - surviving).abs() < 1e-12,
            "day {}: force {} vs surviving share {surviving}",
            o.time_days,
            o["force_proxy"]
        );
    }
    let rigid_onset = rigid.summary().days_to_clinical_onset.unwrap();

    s.mechanisms
        .motor_units
        .as_mut()
        .unwrap()
        .max_enlargement_fold = 4.0;
    let mut plastic = Simulation::new(&s).unwrap();
    run_observing(&mut plastic);
    let plastic_onset = plastic.summary().days_to_clinical_onset.unwrap();
    assert!(
        plastic_onset > rigid_onset + 100.0,
        "onset day {plastic_onset} with reinnervation, {rigid_onset} without"
    );
}

#[test]
fn living_denervated_units_count_as_lost_and_their_fibres_are_adopted() {
    // No death: half the neurons have their terminals retracted (set by hand; the transport
    // mechanism is off, so nothing resets them).
    let s = dying_pool(60.0, 0.0);
    let mut sim = Simulation::new(&s).unwrap();
    let world = sim.world_mut();
    let mut q = world.query_filtered::<(Entity, &CellId), With<MotorNeuron>>();
    let neurons: Vec<(Entity, CellId)> = q.iter(world).map(|(e, id)| (e, *id)).collect();
    let mut retracted = 0;
    for (entity, id) in &neurons {
        let terminal = if id.0 % 2 == 0 { 0.0 } else { 1.0 };
        retracted += usize::from(terminal == 0.0);
        world.entity_mut(*entity).insert(Transport {
            efficiency: 1.0,
            terminal,
        });
    }
    let n = neurons.len();
    assert!(retracted > 0 && retracted < n);

    sim.step();
    let o = sim.observe();
    assert_eq!(o.motor_neurons_alive, n as u64);
    assert_eq!(count(&o, "motor_units_denervated"), retracted as u64);
    let intact = (n - retracted) as f64 / n as f64;
    // The retracted units' fibres are orphaned, and a quarter-day's share (1 − e^{−0.1/4}) of
    // them adopted already.
    let first = intact + (1.0 - intact) * -(-0.025f64).exp_m1();
    assert!(
        (o["force_proxy"] - first).abs() < 1e-9,
        "force {} vs {first}",
        o["force_proxy"]
    );
    // Onset on the first tick, with no neuron dead: weakness from dying back alone.
    assert_eq!(sim.summary().days_to_clinical_onset, Some(0.25));
    assert_eq!(sim.summary().days_to_10pct_mn_loss, None);

    while !sim.is_finished() {
        sim.step();
    }
    let o = sim.observe();
    // Orphans decay at 0.1/day while the survivors have room: e^{-0.1·60} of them are left.
    let orphans = (1.0 - intact) * (-6.0f64).exp();
    assert!(
        (o["force_proxy"] - (1.0 - orphans)).abs() < 1e-9,
        "force {} vs {}",
        o["force_proxy"],
        1.0 - orphans
    );
    assert!(
        o["endplates_denervated_fraction"] < 0.01,
        "{}",
        o["endplates_denervated_fraction"]
    );
    let world = sim.world_mut();
    let mut units = world.query::<(&Transport, &MotorUnit)>();
    for (t, u) in units.iter(world) {
        if t.terminal == 0.0 {
            assert_eq!(u.fibres, 0.0);
        } else {
            assert!(u.fibres > 100.0 && u.fibres <= 400.0, "{}", u.fibres);
        }
    }
}

#[test]
fn switched_off_the_readout_is_neutral_and_onset_never_comes() {
    let mut s = dying_pool(100.0, 0.05);
    s.mechanisms.motor_units = None;
    let mut sim = Simulation::new(&s).unwrap();
    let rows = run_observing(&mut sim);
    assert!(sim.world().get_resource::<Clinical>().is_none());
    let end = rows.last().unwrap();
    assert!(end.motor_neurons_dead > 0);
    assert_eq!(end["force_proxy"], 1.0);
    assert_eq!(count(end, "motor_units_denervated"), 0);
    assert_eq!(end["endplates_denervated_fraction"], 0.0);
    assert_eq!(end["motor_unit_enlargement"], 1.0);
    assert_eq!(sim.summary().days_to_clinical_onset, None);
}

#[test]
fn new_columns_follow_the_existing_ones() {
    let cols = Observation::columns();
    let mut sim = Simulation::new(&dying_pool(1.0, 0.0)).unwrap();
    assert_eq!(cols.len(), sim.observe().values().len());
    assert_eq!(cols[0], "time_days");
    // After every column that existed before them (the fields' ones end with seeds_max).
    let at = cols.iter().position(|c| c == "force_proxy").unwrap();
    assert!(at > cols.iter().position(|c| c == "seeds_max").unwrap());
    assert_eq!(
        cols[at..at + 4],
        [
            "force_proxy",
            "motor_units_denervated",
            "endplates_denervated_fraction",
            "motor_unit_enlargement"
        ]
    );
    let summary = serde_json::to_value(sim.summary()).unwrap();
    assert!(summary.get("days_to_clinical_onset").is_some(), "{summary}");
}

#[test]
fn fast_fatigable_units_are_an_exact_share_and_denervate_first() {
    let scenario = support::bundled("sod1-g93a-mouse");
    let share = scenario
        .mechanisms
        .motor_units
        .as_ref()
        .unwrap()
        .fast_fatigable_share;
    assert!(share > 0.0, "the mouse scenario has fast-fatigable units");
    let mut sim = Simulation::new(&scenario).unwrap();
    let kinds = |sim: &mut Simulation| -> Vec<(CellId, UnitKind)> {
        let world = sim.world_mut();
        let mut q = world.query::<(&CellId, &MotorUnit)>();
        let mut v: Vec<_> = q.iter(world).map(|(id, u)| (*id, u.kind)).collect();
        v.sort_unstable_by_key(|(id, _)| *id);
        v
    };
    let start = kinds(&mut sim);
    let fast = start
        .iter()
        .filter(|(_, k)| *k == UnitKind::FastFatigable)
        .count();
    assert_eq!(fast, (share * start.len() as f64).round() as usize);
    // The same seed picks the same units.
    assert_eq!(kinds(&mut Simulation::new(&scenario).unwrap()), start);

    // Day of first denervation (terminal retracted while the neuron lives) of each unit.
    let mut first: Vec<Option<f64>> = vec![None; start.len()];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        while !sim.is_finished() {
            sim.step();
            let day = sim.observe().time_days;
            let world = sim.world_mut();
            let mut q = world.query::<(&CellId, &Transport)>();
            let mut states: Vec<_> = q.iter(world).map(|(id, t)| (*id, *t)).collect();
            states.sort_unstable_by_key(|(id, _)| *id);
            for ((_, t), when) in states.iter().zip(first.iter_mut()) {
                if when.is_none() && t.is_denervated() {
                    *when = Some(day);
                }
            }
        }
    });
    let mean_day = |kind: UnitKind| {
        let days: Vec<f64> = start
            .iter()
            .zip(&first)
            .filter(|((_, k), _)| *k == kind)
            .map(|(_, d)| d.unwrap_or(scenario.time.duration_days))
            .collect();
        days.iter().sum::<f64>() / days.len() as f64
    };
    let (ff, resistant) = (
        mean_day(UnitKind::FastFatigable),
        mean_day(UnitKind::Resistant),
    );
    assert!(
        ff + 20.0 < resistant,
        "fast-fatigable units denervate on day {ff:.0} on average, resistant ones on day {resistant:.0}"
    );
}
