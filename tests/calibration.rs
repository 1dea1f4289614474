//! Calibration checks that fit in CI time: the SOD1-G93A mouse course against the targets of
//! `docs/calibration-targets.md` over five seeds, the order of events in it, the order of
//! ages at onset across genotypes, familial tissue free of a start-up loss, and the population
//! table over a few people of each bundled cohort. The full tables come from `alsim calibrate
//! --write docs/model.md` and `alsim calibrate --cohorts --write docs/model.md` (see
//! docs/model.md, "Calibration status").

#[path = "../crates/alsim-core/tests/support/mod.rs"]
mod model;

use alsim::run::calibration::{MOUSE_TARGETS, MouseCourse, Spread};
use model::{bundled, run_in_pool};
use std::sync::OnceLock;

/// The mouse course for five of the ten seeds the table in docs/model.md uses (93–97), run
/// once for the tests that read it.
fn mouse_courses() -> &'static [(u64, MouseCourse)] {
    static COURSES: OnceLock<Vec<(u64, MouseCourse)>> = OnceLock::new();
    COURSES.get_or_init(|| {
        (93..98)
            .map(|seed| {
                let mut s = bundled("sod1-g93a-mouse");
                s.seed = seed;
                let (rows, summary) = run_in_pool(&s);
                (seed, MouseCourse::measure(&rows, &summary))
            })
            .collect()
    })
}

#[test]
fn sod1_mouse_course_lies_inside_the_calibration_targets() {
    // A five-seed mean wanders from the ten-seed one by about sd/√5 (2–5 days here), so each
    // range is widened by 5 days.
    let courses: Vec<MouseCourse> = mouse_courses().iter().map(|(_, c)| *c).collect();
    for (i, target) in MOUSE_TARGETS.iter().enumerate() {
        let values: Vec<_> = courses.iter().map(|c| c.values()[i]).collect();
        let spread = Spread::of(&values).unwrap_or_else(|| panic!("{}: never", target.observable));
        assert!(
            spread.all_reached(),
            "{}: reached in {spread:?}",
            target.observable
        );
        assert!(
            (target.low - 5.0..=target.high + 5.0).contains(&spread.mean),
            "{}: mean day {:.1}, target {}–{}",
            target.observable,
            spread.mean,
            target.low,
            target.high
        );
    }
}

#[test]
fn sod1_mouse_transport_fails_before_onset_and_onset_before_end_stage() {
    // docs/calibration-targets.md, section A: transport deficit is presymptomatic; weakness
    // follows loss.
    for &(seed, c) in mouse_courses() {
        let (Some(transport), Some(onset), Some(loss50)) =
            (c.transport_deficit, c.onset, c.loss_50pct)
        else {
            panic!("seed {seed}: course incomplete: {c:?}");
        };
        assert!(transport < onset, "seed {seed}: {c:?}");
        assert!(
            c.loss_20pct.is_some_and(|l| l <= loss50),
            "seed {seed}: {c:?}"
        );
        if let Some(end) = c.end_stage {
            assert!(onset <= end, "seed {seed}: {c:?}");
        }
    }
}

#[test]
fn familial_lifetimes_reach_clinical_onset_younger_than_sporadic() {
    // docs/calibration-targets.md, section B: familial onset comes years before sporadic; FUS
    // earliest.
    let onset_age = |name: &str| {
        let (_, summary) = run_in_pool(&bundled(name));
        summary
            .age_at_clinical_onset_years
            .unwrap_or_else(|| panic!("{name}: no clinical onset in its lifetime"))
    };
    let sporadic = onset_age("sporadic");
    assert!(
        (50.0..75.0).contains(&sporadic),
        "sporadic onset at {sporadic}"
    );
    let sod1 = onset_age("sod1");
    let fus = onset_age("fus");
    assert!(sod1 < sporadic - 3.0, "sod1 {sod1} vs sporadic {sporadic}");
    assert!(fus < sod1, "fus {fus} vs sod1 {sod1}");
}

#[test]
fn familial_tissue_starts_in_the_state_its_age_implies_without_a_start_up_loss() {
    // Motor unit numbers in presymptomatic carriers fall only within a year or two of onset
    // (Aggarwal & Nicholson 2002): a familial lifetime, decades before its onset, must not lose
    // neurons in its first five years. The earlier calibration lost a fifth of sod1.ron's in
    // its first year.
    for name in ["sod1", "sod1-a4v", "fus"] {
        for seed in 0..10 {
            let mut s = bundled(name);
            s.seed = seed;
            s.time.duration_days = 5.0 * 365.25;
            let (_, summary) = run_in_pool(&s);
            let lost = summary.motor_neurons_initial - summary.motor_neurons_final_alive;
            assert!(
                lost <= 1,
                "{name} seed {seed}: {lost} of {} neurons lost in the first five years",
                summary.motor_neurons_initial
            );
        }
    }
}

#[test]
fn the_population_table_has_a_row_for_every_target_of_every_bundled_cohort() {
    use alsim::run::calibration::{POPULATION_TARGETS, TEN_YEAR_TAIL, calibrate_population};
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let table = calibrate_population(&scenarios, 2, 2, &alsim::run::NoProgress)
        .unwrap_or_else(|e| panic!("{e}"));
    for t in POPULATION_TARGETS.iter().chain([&TEN_YEAR_TAIL]) {
        let range = format!("| {}–{} |", t.low, t.high);
        let rows = table
            .lines()
            .filter(|l| l.starts_with(&format!("| `cohorts/{}.ron` |", t.cohort)))
            .filter(|l| l.contains(&range) && l.ends_with(&format!("| {} |", t.source)))
            .count();
        assert_eq!(
            rows, 1,
            "{} {:?}: {rows} rows in\n{table}",
            t.cohort, t.observable
        );
    }
    // Two people each: every cohort says how many reached onset, out of two.
    let reached = table
        .lines()
        .filter(|l| l.contains("people reaching onset"))
        .count();
    assert_eq!(reached, 6, "{table}");
    assert!(
        table
            .lines()
            .filter(|l| l.contains("people reaching onset"))
            .all(|l| l.contains("/2 ("))
    );
}
