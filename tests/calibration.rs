//! Calibration checks that fit in CI time: the order of events in the SOD1-G93A mouse and the
//! familial-before-sporadic ordering. The full table over ten seeds comes from
//! `alsim calibrate --write docs/model.md` (see docs/model.md, "Calibration status").

use alsim::core::calibration::MouseCourse;
use alsim::core::{Observation, Simulation, Summary};
use alsim::scenario::{Scenario, load};
use std::path::Path;

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario) -> (Vec<Observation>, Summary) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        let mut sim = Simulation::new(s).unwrap();
        let mut rows = vec![sim.observe()];
        while !sim.is_finished() {
            sim.step();
            if sim.is_output_tick() {
                rows.push(sim.observe());
            }
        }
        (rows, sim.summary().clone())
    })
}

#[test]
fn sod1_mouse_transport_fails_before_onset_and_onset_before_end_stage() {
    // calibration.md, section A: transport deficit is presymptomatic; weakness follows loss.
    for seed in [93, 94] {
        let mut s = scenario("sod1-g93a-mouse");
        s.seed = seed;
        let (rows, summary) = run(&s);
        let c = MouseCourse::measure(&rows, &summary);
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
fn familial_tissue_loses_half_its_motor_neurons_before_sporadic_tissue() {
    let half = |name: &str| {
        let mut s = scenario(name);
        s.time.duration_days = 200.0;
        run(&s).1.days_to_50pct_mn_loss.unwrap_or(f64::INFINITY)
    };
    let sporadic = half("sporadic");
    for familial in ["sod1", "fus"] {
        let day = half(familial);
        assert!(
            day < sporadic,
            "{familial}: day {day} vs sporadic {sporadic}"
        );
    }
}
