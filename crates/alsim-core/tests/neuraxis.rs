//! A body of regions: seeds travel along connections with their delays and are conserved, the
//! result is bit-identical at any thread count, and disease that starts in a focus reaches the
//! contiguous region before the distant one.

use alsim_core::{Body, FieldId, Observation};
use alsim_scenario::neuraxis::{
    BodyPart, Connection, ConnectionKind, Focus, FocusRegion, Neuraxis, Neurons, RegionSpec, Side,
};
use alsim_scenario::{Scenario, load};
use rayon::prelude::*;
use std::path::Path;

fn region(name: &str) -> RegionSpec {
    RegionSpec::new(name, Neurons::Lower, Side::Left, BodyPart::Leg)
}

fn three_segments() -> Scenario {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/three-segments.ron");
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn seeds(body: &Body, region: usize) -> f64 {
    body.regions()[region]
        .sim
        .fields()
        .stats(FieldId::Seeds)
        .total
}

#[test]
fn seeds_leave_at_their_rate_arrive_after_the_delay_and_are_conserved() {
    // Seeds placed in A at the start; nothing takes them up, decays or makes more of them, so
    // A loses the first-order share 1 − e^{−k·Δt} of what it holds every tick.
    let mut s = Scenario::default();
    s.time.duration_days = 3.0;
    s.fields.seeds.decay_per_hour = 0.0;
    s.mechanisms.aggregation = None;
    s.mechanisms.microglia = None;
    s.neuraxis = Some(Neuraxis {
        regions: vec![region("A"), region("B")],
        connections: vec![Connection {
            from: "A".into(),
            to: "B".into(),
            kind: ConnectionKind::Tract,
            seeds_per_day: 2.4,
            delay_days: 0.5,
            umn_damage_per_day: 0.0,
        }],
        end_stage_fvc_percent: 50.0,
        end_at_respiratory_failure: false,
        focus: Some(Focus {
            region: FocusRegion::Named("A".into()),
            seeds_au: 100.0,
            damage_factor: 1.0,
            vulnerability_factor: 1.0,
        }),
    });
    let mut body = Body::new(&s).unwrap();
    let share = -(-2.4f64 / 24.0).exp_m1();
    let delay = 12;
    let mut departed = Vec::new();
    while !body.is_finished() {
        let before = seeds(&body, 0);
        body.step();
        let tick = body.tick() as usize;
        // The injection lands in the first tick, before the first exchange.
        let source = if tick == 1 { 100.0 } else { before };
        departed.push(source * share);
        let a = seeds(&body, 0);
        let b = seeds(&body, 1);
        // To the precision of f32 fields, whose values are rescaled and added to every tick.
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-4 * y.abs().max(1.0);
        assert!(close(a, source * (1.0 - share)), "tick {tick}: A {a}");
        let arrived: f64 = departed.iter().take(tick.saturating_sub(delay)).sum();
        assert!(close(b, arrived), "tick {tick}: B {b} vs {arrived}");
        if tick <= delay {
            assert_eq!(b, 0.0, "nothing arrives before the delay");
        }
        let in_transit: f64 = departed.iter().skip(tick.saturating_sub(delay)).sum();
        let total = a + b + in_transit;
        assert!(close(total, 100.0), "tick {tick}: {total}");
    }
}

fn run(scenario: &Scenario, threads: usize) -> (Vec<Vec<u64>>, alsim_core::BodySummary) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut body = Body::new(scenario).unwrap();
        let mut rows = Vec::new();
        while !body.is_finished() {
            body.step();
            let observed = body.observe();
            let mut row: Vec<u64> = body
                .whole_body(&observed)
                .iter()
                .map(|v| v.to_bits())
                .collect();
            for o in &observed {
                row.extend(o.values().iter().map(|v| v.to_bits()));
            }
            rows.push(row);
        }
        (rows, body.body_summary())
    })
}

#[test]
fn a_body_is_bit_identical_at_any_thread_count() {
    let mut s = three_segments();
    s.time.duration_days = 20.0;
    let (one, summary_one) = run(&s, 1);
    let (two, summary_two) = run(&s, 2);
    assert_eq!(one.len(), 480);
    assert!(one == two, "the rows differ between 1 and 2 threads");
    assert_eq!(summary_one, summary_two);
    // And the seed decides: another gives other rows.
    s.seed += 1;
    assert!(run(&s, 2).0 != two);
}

#[test]
fn whole_body_rows_add_counts_and_take_the_largest_maximum() {
    let mut s = three_segments();
    s.time.duration_days = 2.0;
    let mut body = Body::new(&s).unwrap();
    body.step();
    let observed = body.observe();
    let whole = body.whole_body(&observed);
    let columns = Observation::columns();
    let at = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let alive: f64 = observed.iter().map(|o| o.motor_neurons_alive as f64).sum();
    assert_eq!(whole[at("motor_neurons_alive")], alive);
    assert_eq!(whole[at("motor_neurons_alive")], 120.0);
    let most = observed
        .iter()
        .map(|o| o.values()[at("seeds_max")])
        .fold(0.0, f64::max);
    assert_eq!(whole[at("seeds_max")], most);
    assert_eq!(whole[at("time_days")], observed[0].time_days);
}

#[test]
fn disease_starts_in_the_focus_and_reaches_the_contiguous_segment_before_the_distant_one() {
    // Ten seeds in parallel. L1 is the focus; L2 touches it; L3 touches only L2.
    let s = three_segments();
    let outcomes: Vec<(Option<String>, [u64; 3])> = (0..10u64)
        .into_par_iter()
        .map(|seed| {
            let mut s = s.clone();
            s.seed = seed;
            let mut body = Body::new(&s).unwrap();
            while !body.is_finished() {
                body.step();
            }
            let summary = body.body_summary();
            let dead = [0, 1, 2].map(|i| {
                let r = &summary.regions[i].summary;
                r.motor_neurons_initial - r.motor_neurons_final_alive
            });
            (summary.site_of_onset, dead)
        })
        .collect();
    for (seed, (site, dead)) in outcomes.iter().enumerate() {
        assert_eq!(
            site.as_deref(),
            Some("L1"),
            "seed {seed}: onset in {site:?}"
        );
        assert!(dead[0] > dead[1], "seed {seed}: {dead:?}");
    }
    // L2 loses more than L3 in at least 9 of 10 runs (a sign test: p < 0.011 if the two were
    // alike), and far more on average.
    let wins = outcomes.iter().filter(|(_, d)| d[1] > d[2]).count();
    assert!(wins >= 9, "{outcomes:?}");
    let mean = |i: usize| outcomes.iter().map(|(_, d)| d[i] as f64).sum::<f64>() / 10.0;
    assert!(mean(1) > 3.0 * mean(2).max(1.0), "{outcomes:?}");
}

#[test]
fn degenerating_upper_motor_neurons_hasten_the_loss_of_the_lower_ones_they_drive() {
    // A cortical area whose neurons degenerate (the focus, twenty times the stress) and the
    // lumbar pool its tract drives; with and without the drive, the same seeds.
    let base = three_segments();
    let lumbar_dead = |umn_damage_per_day: f64, seed: u64| {
        let mut s = base.clone();
        s.seed = seed;
        s.time.duration_days = 60.0;
        let mut cortex = region("cortex");
        cortex.neurons = Neurons::Upper;
        cortex.side = Side::Right;
        s.neuraxis = Some(Neuraxis {
            regions: vec![cortex, region("lumbar")],
            connections: vec![Connection {
                from: "cortex".into(),
                to: "lumbar".into(),
                kind: ConnectionKind::Tract,
                seeds_per_day: 0.0,
                delay_days: 0.0,
                umn_damage_per_day,
            }],
            end_stage_fvc_percent: 50.0,
            end_at_respiratory_failure: false,
            focus: Some(Focus {
                region: FocusRegion::Named("cortex".into()),
                seeds_au: 0.0,
                damage_factor: 20.0,
                vulnerability_factor: 1.0,
            }),
        });
        let mut body = Body::new(&s).unwrap();
        while !body.is_finished() {
            body.step();
        }
        let r = &body.body_summary().regions[1].summary;
        r.motor_neurons_initial - r.motor_neurons_final_alive
    };
    let pairs: Vec<(u64, u64)> = (0..6u64)
        .into_par_iter()
        .map(|seed| (lumbar_dead(0.0, seed), lumbar_dead(0.05, seed)))
        .collect();
    // Every seed loses at least as many with the drive, and far more in all.
    assert!(
        pairs.iter().all(|(without, with)| with >= without),
        "{pairs:?}"
    );
    let [without, with] = [0, 1].map(|k| {
        pairs
            .iter()
            .map(|p| if k == 0 { p.0 } else { p.1 })
            .sum::<u64>()
    });
    assert!(with >= without + 30, "{pairs:?}");
}

#[test]
fn a_failing_respiratory_pool_ends_the_course_and_the_scores_follow_regional_force() {
    // The focus serves breathing; the others the legs.
    let mut s = three_segments();
    s.time.duration_days = 40.0;
    s.neuraxis.as_mut().unwrap().regions[0].serves = BodyPart::Respiratory;
    let mut body = Body::new(&s).unwrap();
    assert_eq!(body.function(), [12.0, 12.0, 12.0, 12.0, 48.0, 100.0]);
    while !body.is_finished() {
        body.step();
    }
    let force = |i: usize| {
        body.regions()[i]
            .sim
            .world()
            .resource::<alsim_core::Clinical>()
            .force
    };
    let [bulbar, fine, gross, respiratory, total, fvc] = body.function();
    assert_eq!((bulbar, fine), (12.0, 12.0), "no region serves them");
    assert!((fvc - 100.0 * force(0)).abs() < 1e-9);
    assert!((respiratory - 12.0 * (force(0) / 0.8).min(1.0)).abs() < 1e-9);
    // Walking is limited by the weaker leg; without a trunk region it rests on the legs too.
    let weaker_leg = force(1).min(force(2));
    assert!((gross - 12.0 * (weaker_leg / 0.8).min(1.0)).abs() < 1e-9);
    assert!((total - (bulbar + fine + gross + respiratory)).abs() < 1e-9);
    let summary = body.body_summary();
    let end = summary
        .days_to_respiratory_failure
        .expect("the focus fails");
    let onset = summary
        .body
        .days_to_clinical_onset
        .expect("onset comes first");
    assert!(end > onset, "onset {onset}, end {end}");
    assert_eq!(summary.survival_from_onset_days, Some(end - onset));
    assert!(fvc < 50.0);
    // The summary's ALSFRS-R is the score at the end, its slope the fall from 48 per month
    // since onset.
    assert_eq!(summary.alsfrs_r_total_final, total);
    let months = (summary.body.simulated_days - onset) / (365.25 / 12.0);
    let slope = summary.alsfrs_r_slope_per_month.expect("after onset");
    assert!((slope - (48.0 - total) / months).abs() < 1e-9 && slope > 0.0);
    // Blood NfL: the regions' levels weighted by their neurons, as the whole-body row has it.
    let observed = body.observe();
    let row = body.whole_body(&observed);
    let column = alsim_core::Body::columns()
        .iter()
        .position(|c| c == "nfl_blood_pg_per_ml")
        .unwrap();
    let nfl = summary.body.nfl_blood_pg_per_ml_final.expect("on");
    assert!(
        (nfl - row[column]).abs() < 1e-9 * nfl,
        "{nfl} against {}",
        row[column]
    );
    assert!(
        summary
            .body
            .nfl_blood_pg_per_ml_at_onset
            .expect("onset reached")
            < nfl
    );
}

#[test]
fn a_body_that_ends_at_respiratory_failure_stops_on_that_day_with_the_same_course() {
    let mut s = three_segments();
    s.time.duration_days = 40.0;
    s.neuraxis.as_mut().unwrap().regions[0].serves = BodyPart::Respiratory;
    let (full, full_summary) = run(&s, 2);
    let end = full_summary
        .days_to_respiratory_failure
        .expect("the focus fails");
    assert!(
        end < 39.0,
        "fails early enough to leave days after it: {end}"
    );
    s.neuraxis.as_mut().unwrap().end_at_respiratory_failure = true;
    let (short, summary) = run(&s, 2);
    assert_eq!(summary.days_to_respiratory_failure, Some(end));
    assert_eq!(summary.body.simulated_days, end);
    assert!(short.len() < full.len());
    assert!(
        short[..] == full[..short.len()],
        "the course up to failure differs"
    );
}

#[test]
fn walking_is_limited_by_the_weakest_leg_not_the_mean_of_the_legs() {
    // All three segments serve the legs; the focus weakens and the others barely do.
    let mut s = three_segments();
    s.time.duration_days = 40.0;
    let mut body = Body::new(&s).unwrap();
    while !body.is_finished() {
        body.step();
    }
    let forces: Vec<f64> = body
        .regions()
        .iter()
        .map(|r| r.sim.world().resource::<alsim_core::Clinical>().force)
        .collect();
    let weakest = forces.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = forces.iter().sum::<f64>() / forces.len() as f64;
    assert!(weakest < 0.8 && mean > weakest + 0.05, "{forces:?}");
    let [.., gross, _, total, _] = body.function();
    assert!(
        (gross - 12.0 * weakest / 0.8).abs() < 1e-9,
        "{gross} {forces:?}"
    );
    assert!((total - (36.0 + gross)).abs() < 1e-9);
}
