//! Calibration checks that fit in CI time: the order of events in the SOD1-G93A mouse and the
//! familial-before-sporadic ordering. The full table over ten seeds comes from
//! `alsim calibrate --write docs/model.md` (see docs/model.md, "Calibration status").

mod support;

use alsim::core::calibration::MouseCourse;
use support::{bundled, run_in_pool};

#[test]
fn sod1_mouse_transport_fails_before_onset_and_onset_before_end_stage() {
    // calibration.md, section A: transport deficit is presymptomatic; weakness follows loss.
    for seed in [93, 94] {
        let mut s = bundled("sod1-g93a-mouse");
        s.seed = seed;
        let (rows, summary) = run_in_pool(&s);
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
        let mut s = bundled(name);
        s.time.duration_days = 200.0;
        run_in_pool(&s)
            .1
            .days_to_50pct_mn_loss
            .unwrap_or(f64::INFINITY)
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
