//! Glia in whole worlds: microglia divide under sustained danger up to a density cap, move up
//! the gradient of debris, die of turnover and oxidative stress, engulf seeds and release ROS;
//! astrocytes lose support when reactive. Switching one behaviour off (a parameter of 0)
//! removes exactly its effect. Every other mechanism is off, so each test sees glia alone.

mod support;

use alsim_core::mechanisms::astrocytes::{ReactiveAstrocyteMap, Support};
use alsim_core::mechanisms::microglia::{MicrogliaState, Phenotype};
use alsim_core::{
    Astrocyte, CellId, FieldGrid, FieldId, Microglia, MotorNeuron, NextCellId, Position,
    Simulation, Voxel,
};
use alsim_scenario::Scenario;
use bevy_ecs::prelude::*;
use support::{count, microglia_total, set_every_microglia};

/// The default tissue (400 × 400 × 200 µm, 20 µm voxels) with only microglia and astrocytes.
fn glia_only(days: f64) -> Scenario {
    let mut s = Scenario::default();
    s.time.duration_days = days;
    let m = &mut s.mechanisms;
    m.aggregation = None;
    m.mitochondria = None;
    m.transport = None;
    m.motor_units = None;
    m.neuron_damage = None;
    m.cell_death = None;
    s
}

/// Runs `ticks` ticks inside a one-thread pool (as the CLI steps a simulation inside its
/// pool): stepping from outside a pool pays a hand-off at every parallel section.
fn steps(sim: &mut Simulation, ticks: u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        for _ in 0..ticks {
            sim.step();
        }
    });
}

fn run(sim: &mut Simulation) {
    let left = sim.total_ticks() - sim.tick();
    steps(sim, left);
}

fn microglia(sim: &mut Simulation) -> u64 {
    microglia_total(&sim.observe())
}

fn microglia_positions(sim: &mut Simulation) -> Vec<[f32; 3]> {
    let world = sim.world_mut();
    let mut q = world.query_filtered::<&Position, With<Microglia>>();
    q.iter(world).map(|p| p.0).collect()
}

fn mean_distance(points: &[[f32; 3]], to: [f32; 3]) -> f64 {
    let sum: f64 = points
        .iter()
        .map(|p| {
            (0..3)
                .map(|i| f64::from(p[i] - to[i]).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .sum();
    sum / points.len() as f64
}

/// Uniform debris a hundred times the microglia's half-max that never decays, so every
/// microglia turns and stays activated.
fn sustained_debris(s: &mut Scenario) {
    s.fields.debris.initial = 100_000.0;
    s.fields.debris.decay_per_hour = 0.0;
}

fn no_death(s: &mut Scenario) {
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.turnover_death_per_day = 0.0;
    m.ros_death_per_day = 0.0;
}

/// Microglia alone (no astrocytes) that neither divide nor die: their number stays fixed.
fn fixed_microglia(days: f64) -> Scenario {
    let mut s = glia_only(days);
    s.mechanisms.astrocytes = None;
    no_death(&mut s);
    s.mechanisms
        .microglia
        .as_mut()
        .unwrap()
        .proliferation_per_day = 0.0;
    s
}

#[test]
fn proliferation_under_sustained_debris_fills_up_to_the_density_cap_and_stops() {
    let mut s = glia_only(12.0);
    s.mechanisms.astrocytes = None;
    sustained_debris(&mut s);
    no_death(&mut s);
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.proliferation_per_day = 2.0;
    m.max_density_per_mm3 = 17_000.0; // twice the starting density
    let cap = 17_000.0 * s.tissue.volume_mm3();
    let mut sim = Simulation::new(&s).unwrap();
    let start = microglia(&mut sim);
    let first_new_id = sim.world().resource::<NextCellId>().0;
    steps(&mut sim, 24 * 6);
    let day6 = microglia(&mut sim);
    run(&mut sim);
    let day12 = microglia(&mut sim);
    assert!(
        day6 as f64 > 1.6 * start as f64,
        "microglia multiply: {start} → {day6}"
    );
    // Crowding blocks tile the box, and neither divisions nor moves push one past the cap:
    // the tissue fills up to it and stops.
    assert!(day12 as f64 <= cap, "{day12} above cap {cap}");
    assert!(day12 as f64 > 0.95 * cap, "{day12} far below cap {cap}");
    // Daughters have fresh ids past every starting cell, one each, and every microglia sits in
    // the voxel of its position.
    let grid_check: Vec<(u64, u32, [f32; 3])> = {
        let world = sim.world_mut();
        let mut q = world.query_filtered::<(&CellId, &Voxel, &Position), With<Microglia>>();
        q.iter(world).map(|(id, v, p)| (id.0, v.0, p.0)).collect()
    };
    let grid = sim.world().resource::<FieldGrid>();
    let mut ids: Vec<u64> = grid_check.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), grid_check.len(), "ids are unique");
    let daughters = ids.iter().filter(|&&id| id >= first_new_id).count() as u64;
    assert_eq!(daughters, day12 - start);
    for (_, voxel, p) in &grid_check {
        assert_eq!(*voxel, grid.voxel_of(*p));
    }
}

#[test]
fn without_proliferation_or_death_microglia_numbers_do_not_change() {
    let mut s = fixed_microglia(6.0);
    sustained_debris(&mut s);
    let mut sim = Simulation::new(&s).unwrap();
    let start = microglia(&mut sim);
    run(&mut sim);
    let o = sim.observe();
    assert_eq!(microglia_total(&o), start);
    assert_eq!(
        count(&o, "microglia_surveying"),
        0,
        "all activated, yet none divided"
    );
}

/// A Gaussian hill of debris (peak 3000 per mm³, σ 120 µm) at the centre of the box, held.
fn debris_hill(sim: &mut Simulation) -> [f32; 3] {
    let world = sim.world_mut();
    let mut grid = world.resource_mut::<FieldGrid>();
    let shape = grid.shape();
    let h = shape.voxel_um as f32;
    let centre = [shape.nx, shape.ny, shape.nz].map(|n| n as f32 * h / 2.0);
    let debris = grid.values_mut(FieldId::Debris);
    for z in 0..shape.nz {
        for y in 0..shape.ny {
            for x in 0..shape.nx {
                let p = [x, y, z].map(|i| (i as f32 + 0.5) * h);
                let r2: f32 = (0..3).map(|i| (p[i] - centre[i]).powi(2)).sum();
                debris[shape.index(x, y, z)] = 3000.0 * (-r2 / (2.0 * 120.0f32.powi(2))).exp();
            }
        }
    }
    centre
}

fn migration_scenario() -> Scenario {
    let mut s = fixed_microglia(5.0);
    s.fields.debris.decay_per_hour = 0.0;
    s.fields.debris.diffusion_um2_per_s = 1e-4;
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.phagocytosis_neurons_per_day = 0.0; // the source stays as it is
    s
}

#[test]
fn microglia_migrate_up_the_debris_gradient_and_stay_in_the_box() {
    let s = migration_scenario();
    let mut sim = Simulation::new(&s).unwrap();
    let centre = debris_hill(&mut sim);
    let before = mean_distance(&microglia_positions(&mut sim), centre);
    run(&mut sim);
    let after_points = microglia_positions(&mut sim);
    let after = mean_distance(&after_points, centre);
    assert!(
        after < 0.8 * before,
        "mean distance to the debris falls: {before:.1} → {after:.1} µm"
    );
    let size = s.tissue.size();
    for p in &after_points {
        for i in 0..3 {
            assert!(
                p[i] >= 0.0 && f64::from(p[i]) < size[i],
                "{p:?} left the box"
            );
        }
    }

    // Chemotaxis off: random motility alone leaves the mean distance where it was.
    let mut off = s.clone();
    off.mechanisms
        .microglia
        .as_mut()
        .unwrap()
        .chemotaxis_um_per_hour = 0.0;
    let mut sim = Simulation::new(&off).unwrap();
    debris_hill(&mut sim);
    run(&mut sim);
    let random_only = mean_distance(&microglia_positions(&mut sim), centre);
    assert!(
        (random_only / before - 1.0).abs() < 0.03,
        "no drift without chemotaxis: {before:.1} → {random_only:.1} µm"
    );

    // Both off: nobody moves at all.
    off.mechanisms
        .microglia
        .as_mut()
        .unwrap()
        .random_motility_um2_per_hour = 0.0;
    let mut sim = Simulation::new(&off).unwrap();
    let start = microglia_positions(&mut sim);
    debris_hill(&mut sim);
    run(&mut sim);
    assert_eq!(microglia_positions(&mut sim), start);
}

#[test]
fn microglia_die_of_turnover_without_stimulus_and_faster_under_ros() {
    // 400 days in daily steps: turnover alone at 0.0015/day leaves e^{-0.6} ≈ 55%.
    let mut s = glia_only(400.0);
    s.mechanisms.astrocytes = None;
    s.time.dt_hours = 24.0;
    s.time.field_dt_minutes = 60.0;
    s.time.output_every_days = 10.0;
    let mut sim = Simulation::new(&s).unwrap();
    let start = microglia(&mut sim) as f64;
    run(&mut sim);
    let o = sim.observe();
    let end = microglia_total(&o) as f64;
    assert!(
        (end / start - (-0.6f64).exp()).abs() < 0.1,
        "{end} of {start} left"
    );
    assert_eq!(
        count(&o, "microglia_proinflammatory") + count(&o, "microglia_antiinflammatory"),
        0,
        "no stimulus, none activated"
    );

    // Turnover off: all survive.
    no_death(&mut s);
    let mut sim = Simulation::new(&s).unwrap();
    run(&mut sim);
    assert_eq!(microglia(&mut sim) as f64, start);

    // ROS held at the half-maximum (20 µM) for 20 days: hazard 0.0515/day, e^{-1.03} ≈ 36%.
    let mut ros = glia_only(20.0);
    ros.mechanisms.astrocytes = None;
    ros.fields.ros.initial = 20.0;
    ros.fields.ros.decay_per_hour = 0.0;
    let mut sim = Simulation::new(&ros).unwrap();
    run(&mut sim);
    let left = microglia(&mut sim) as f64 / start;
    assert!(
        (left - (-1.03f64).exp()).abs() < 0.1,
        "{left} left under ROS"
    );
}

#[test]
fn pro_inflammatory_microglia_release_ros_exactly() {
    // Pro-inflammatory microglia held in that state, ROS that never decays: the total must be
    // cells × 2 fmol/h × 48 h.
    let mut s = fixed_microglia(2.0);
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.resting_per_hour = 0.0;
    m.repolarisation_per_hour = 0.0;
    s.fields.ros.decay_per_hour = 0.0;
    let mut sim = Simulation::new(&s).unwrap();
    set_every_microglia(&mut sim, Phenotype::ProInflammatory);
    run(&mut sim);
    let o = sim.observe();
    assert_eq!(count(&o, "microglia_proinflammatory"), microglia_total(&o));
    let expected = count(&o, "microglia_proinflammatory") as f64 * 2.0 * 48.0;
    let total = o.fields[FieldId::Ros as usize].total;
    assert!(
        ((total - expected) / expected).abs() < 1e-4,
        "{total} fmol vs {expected} fmol"
    );
}

#[test]
fn seeds_activate_microglia_which_clear_them() {
    let mut s = fixed_microglia(3.0);
    s.fields.seeds.initial = 2000.0; // a.u. per mm³, twice the half-max
    s.fields.seeds.decay_per_hour = 0.0;
    let mut with = Simulation::new(&s).unwrap();
    steps(&mut with, 24);
    let o = with.observe();
    let total: u64 = microglia_total(&o);
    assert!(
        count(&o, "microglia_antiinflammatory") * 10 > total * 8,
        "{o:?}: seeds call the protective phenotype"
    );
    run(&mut with);
    let start = 2000.0 * s.tissue.volume_mm3();
    let left = with.observe().fields[FieldId::Seeds as usize].total;
    // Each anti-inflammatory microglia takes up to 0.2·S a.u./day (S = 2/3 at the start): ~270
    // cells could take ~100 a.u. in 3 days against the 64 there are, slowing as S falls.
    assert!(left < 0.5 * start, "{left} of {start} a.u. left");

    s.mechanisms.microglia = None;
    let mut without = Simulation::new(&s).unwrap();
    run(&mut without);
    let kept = without.observe().fields[FieldId::Seeds as usize].total;
    assert!((kept / start - 1.0).abs() < 1e-4, "{kept} of {start}");
}

fn mean_support(sim: &mut Simulation) -> f64 {
    let world = sim.world_mut();
    let mut q = world.query_filtered::<&Support, With<Astrocyte>>();
    let v: Vec<f64> = q.iter(world).map(|s| f64::from(s.0)).collect();
    v.iter().sum::<f64>() / v.len() as f64
}

fn neuron_voxels(sim: &mut Simulation) -> Vec<u32> {
    let world = sim.world_mut();
    let mut q = world.query_filtered::<&Voxel, With<MotorNeuron>>();
    q.iter(world).map(|v| v.0).collect()
}

#[test]
fn astrocytes_lose_support_when_reactive() {
    let mut s = glia_only(6.0);
    s.mechanisms.microglia = None;
    s.fields.tnf.initial = 10.0; // ten times the astrocytes' half-max
    s.fields.tnf.decay_per_hour = 0.0;
    let mut sim = Simulation::new(&s).unwrap();
    assert_eq!(mean_support(&mut sim), 1.0);
    run(&mut sim);
    let o = sim.observe();
    assert!(count(&o, "astrocytes_reactive") * 10 > count(&o, "astrocytes_total") * 8);
    let mean = mean_support(&mut sim);
    // Most turn reactive within a day or two, then relax toward 0.3 at 0.5/day.
    assert!(mean < 0.55, "mean support {mean}");
    let voxels = neuron_voxels(&mut sim);
    let map = sim.world().resource::<ReactiveAstrocyteMap>();
    for &v in &voxels {
        assert!(
            map.support_within_reach(v) < 0.7,
            "{}",
            map.support_within_reach(v)
        );
        assert_eq!(map.toxicity_within_reach(v), map.within_reach(v) as f32);
    }

    // Without cytokine they stay fully supportive, and neurons see full support.
    s.fields.tnf.initial = 0.0;
    let mut calm = Simulation::new(&s).unwrap();
    run(&mut calm);
    assert_eq!(mean_support(&mut calm), 1.0);
    let voxels = neuron_voxels(&mut calm);
    let map = calm.world().resource::<ReactiveAstrocyteMap>();
    assert!(voxels.iter().all(|&v| map.support_within_reach(v) == 1.0));
}

#[test]
fn genotype_parameters_set_baseline_support_and_toxicity() {
    let mut s = glia_only(1.0);
    s.mechanisms.microglia = None;
    s.fields.tnf.initial = 10.0;
    s.fields.tnf.decay_per_hour = 0.0;
    let a = s.mechanisms.astrocytes.as_mut().unwrap();
    a.baseline_support = 0.6;
    a.toxicity_scale = 3.0;
    let mut sim = Simulation::new(&s).unwrap();
    assert!((mean_support(&mut sim) - 0.6).abs() < 1e-6);
    run(&mut sim);
    let voxels = neuron_voxels(&mut sim);
    let map = sim.world().resource::<ReactiveAstrocyteMap>();
    assert!(voxels.iter().any(|&v| map.within_reach(v) > 0));
    for &v in &voxels {
        assert_eq!(
            map.toxicity_within_reach(v),
            3.0 * map.within_reach(v) as f32
        );
        assert!(map.support_within_reach(v) <= 0.6 + 1e-4);
    }
}

/// Every microglia's id, position and state bits, in id order, and every field's bits.
fn glia_fingerprint(sim: &mut Simulation) -> Vec<u64> {
    let world = sim.world_mut();
    let mut q = world.query::<(&CellId, &Position, &Voxel, &MicrogliaState)>();
    let mut cells: Vec<Vec<u64>> = q
        .iter(world)
        .map(|(id, p, v, m)| {
            let mut c = vec![id.0, u64::from(v.0)];
            c.extend(p.0.map(|x| u64::from(x.to_bits())));
            c.push(m.phenotype as u64);
            c.push(u64::from(m.activated_hours.to_bits()));
            c
        })
        .collect();
    cells.sort();
    let mut out = cells.concat();
    let grid = sim.world().resource::<FieldGrid>();
    for f in FieldId::ALL {
        out.extend(grid.values(f).iter().map(|v| u64::from(v.to_bits())));
    }
    out
}

#[test]
fn dividing_moving_and_dying_microglia_are_bit_identical_on_one_and_two_threads() {
    let mut s = migration_scenario();
    s.time.duration_days = 6.0;
    let m = s.mechanisms.microglia.as_mut().unwrap();
    m.proliferation_per_day = 1.0;
    m.turnover_death_per_day = 0.05;
    m.ros_death_per_day = 1.0;
    m.ros_death_half_max_micromolar = 1.0;
    m.chronic_after_days = 1.0;
    m.chronic_conversion_per_day = 2.0;
    let run_in = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut sim = Simulation::new(&s).unwrap();
            debris_hill(&mut sim);
            let (cells, ids) = (microglia(&mut sim), sim.world().resource::<NextCellId>().0);
            run(&mut sim);
            let born = sim.world().resource::<NextCellId>().0 - ids;
            (
                cells + born - microglia(&mut sim),
                born,
                glia_fingerprint(&mut sim),
            )
        })
    };
    let (died, born, one) = run_in(1);
    let (_, _, two) = run_in(2);
    assert!(one == two, "glia differ between 1 and 2 threads");
    // The comparison covered births and deaths.
    assert!(born > 20 && died > 20, "{born} born, {died} died");
}
