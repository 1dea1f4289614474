//! Genes act through the cell types that express them, and drugs through their targets: checked
//! over ten paired seeds of the SOD1-G93A mouse (each condition against the untreated,
//! unexcised mouse of the same seed), and bit for bit where a drug's target is absent.

#[path = "../crates/alsim-core/tests/support/mod.rs"]
mod model;

use alsim::run::calibration::MouseCourse;
use alsim_core::{Observation, Simulation};
use alsim_scenario::{
    AntisenseDosing, CellType, Excision, Genotype, GenotypeEffects, Intervention, Scenario,
    Sod1Variant, Start, Therapy, Transcript,
};
use model::{bundled, neurons_alone};
use rayon::prelude::*;
use std::sync::OnceLock;

const SEEDS: std::ops::Range<u64> = 93..103;

/// Runs to the end, one thread each (the runs go side by side).
fn run(s: &Scenario) -> (Vec<Observation>, alsim_core::Summary) {
    let mut sim = Simulation::builder(s)
        .threads(1)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = sim.run_to_end();
    (rows, sim.summary().clone())
}

/// The bundled mouse over 240 days (long enough for end stage in every condition), changed
/// by `change`, one course per seed.
fn mouse_courses(change: impl Fn(&mut Scenario) + Sync) -> Vec<MouseCourse> {
    SEEDS
        .into_par_iter()
        .map(|seed| {
            let mut s = bundled("sod1-g93a-mouse");
            s.seed = seed;
            s.time.duration_days = 240.0;
            change(&mut s);
            let (rows, summary) = run(&s);
            MouseCourse::measure(&rows, &summary)
        })
        .collect()
}

fn untreated() -> &'static [MouseCourse] {
    static COURSES: OnceLock<Vec<MouseCourse>> = OnceLock::new();
    COURSES.get_or_init(|| mouse_courses(|_| {}))
}

fn excised(cells: CellType) -> impl Fn(&mut Scenario) + Sync {
    move |s: &mut Scenario| {
        s.excisions = vec![Excision {
            day: 0.0,
            cells,
            efficiency: 1.0,
        }]
    }
}

/// A day past the run's end for an event that never came.
fn day_or_after_end(day: Option<f64>) -> f64 {
    day.unwrap_or(241.0)
}

/// Per seed, the change of `measure` from the untreated mouse.
fn paired(courses: &[MouseCourse], measure: impl Fn(&MouseCourse) -> f64) -> Vec<f64> {
    courses
        .iter()
        .zip(untreated())
        .map(|(c, u)| measure(c) - measure(u))
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn mutant_sod1_in_motor_neurons_sets_onset() {
    // Boillée et al. 2006: excising mutant SOD1 from motor neurons delays onset.
    let later = paired(&mouse_courses(excised(CellType::MotorNeurons)), |c| {
        day_or_after_end(c.onset)
    });
    assert!(
        later.iter().all(|&d| d > 20.0),
        "onset later by {later:?} days"
    );
}

#[test]
fn mutant_sod1_in_astrocytes_drives_progression() {
    // Yamanaka et al. 2008: excising it from astrocytes slows progression after onset.
    let courses = mouse_courses(excised(CellType::Astrocytes));
    let phase = |c: &MouseCourse| day_or_after_end(c.end_stage) - c.onset.expect("onset");
    let longer = paired(&courses, phase);
    let slower = longer.iter().filter(|&&d| d > 0.0).count();
    assert!(
        mean(&longer) > 5.0 && slower >= 7,
        "symptomatic phase longer by {longer:?} days"
    );
}

#[test]
fn fewer_transgene_copies_delay_onset() {
    // The G1 line (about 18 copies) against the G1H line's 25 (Alexander et al. 2004).
    let courses = mouse_courses(|s| s.expression.dose = 18.0 / 25.0);
    let later = paired(&courses, |c| day_or_after_end(c.onset));
    assert!(
        later.iter().all(|&d| d > 0.0),
        "onset later by {later:?} days"
    );
}

fn tofersen(start_day: f64) -> Intervention {
    Intervention {
        therapy: Therapy::Antisense {
            target: Transcript::Sod1,
            dosing: AntisenseDosing::default(),
        },
        start: Start::Day(start_day),
        duration_days: None,
    }
}

#[test]
fn an_sod1_antisense_drug_slows_the_sod1_mouse() {
    // The bundled treated mouse: tofersen's regimen at a mouse's concentration from P30.
    let treated = bundled("sod1-g93a-mouse-antisense");
    let courses = mouse_courses(|s| s.interventions = treated.interventions.clone());
    let later = paired(&courses, |c| day_or_after_end(c.onset));
    let delayed = later.iter().filter(|&&d| d > 0.0).count();
    assert!(
        mean(&later) > 5.0 && delayed >= 8,
        "onset later by {later:?} days"
    );
}

#[test]
fn an_sod1_antisense_drug_does_nothing_without_mutant_sod1() {
    // Every column but the drug's own knockdown is the same bit for bit, seed for seed.
    let knockdown = Observation::columns()
        .iter()
        .position(|c| c == "sod1_knockdown_fraction")
        .expect("the column exists");
    for genotype in [Genotype::Sporadic, Genotype::C9orf72] {
        SEEDS.into_par_iter().for_each(|seed| {
            let mut s = Scenario {
                genotype,
                seed,
                ..Scenario::default()
            };
            s.time.duration_days = 10.0;
            let (plain, _) = run(&s);
            s.interventions = vec![tofersen(0.0)];
            let (treated, _) = run(&s);
            let without = |rows: &[Observation]| -> Vec<Vec<f64>> {
                rows.iter()
                    .map(|o| {
                        let mut v = o.values();
                        v.remove(knockdown);
                        v
                    })
                    .collect()
            };
            assert_eq!(
                without(&plain),
                without(&treated),
                "{genotype:?} seed {seed}"
            );
            assert!(treated.last().unwrap()["sod1_knockdown_fraction"] > 0.1);
        });
    }
}

/// The last row of a carrier's motor neurons (nothing harms them) on `drug` for `days`, in
/// daily ticks.
fn carrier_on_drug(genotype: Genotype, drug: Intervention, days: f64) -> Observation {
    let mut s = neurons_alone(days);
    s.genotype = genotype;
    s.time.dt_hours = 24.0;
    s.time.field_dt_minutes = 60.0;
    s.interventions = vec![drug];
    let (mut rows, _) = run(&s);
    rows.pop().expect("a run has rows")
}

/// The mutant product in motor neurons of an SOD1 carrier on tofersen's label regimen, by day.
fn sod1_level_on_tofersen(dose_mg: f64, days: f64) -> f64 {
    let mut drug = tofersen(0.0);
    if let Therapy::Antisense { dosing, .. } = &mut drug.therapy {
        dosing.dose_mg = dose_mg;
    }
    carrier_on_drug(Genotype::Sod1(Sod1Variant::Typical), drug, days)["mutant_product_motor_neurons_level"]
}

#[test]
fn tofersen_lowers_sod1_as_much_as_it_lowered_csf_sod1() {
    // Phase 1–2, 100 mg, day 85: −33 points against placebo (95% CI −47 to −16; Miller et
    // al. 2020). VALOR, week 28: −34% against placebo (95% CI −43 to −23; label).
    let day_85 = 1.0 - sod1_level_on_tofersen(100.0, 85.0);
    assert!((0.16..=0.47).contains(&day_85), "day 85: −{day_85}");
    let week_28 = 1.0 - sod1_level_on_tofersen(100.0, 196.0);
    assert!((0.23..=0.43).contains(&week_28), "week 28: −{week_28}");
    // A lower dose knocks down less.
    assert!(1.0 - sod1_level_on_tofersen(20.0, 85.0) < day_85);
}

#[test]
fn a_sense_strand_antisense_drug_spares_the_antisense_share_of_c9orf72() {
    let drug = Intervention {
        therapy: Therapy::Antisense {
            target: Transcript::C9orf72Sense,
            dosing: AntisenseDosing {
                dose_mg: 1e4,
                ..AntisenseDosing::default()
            },
        },
        start: Start::Day(0.0),
        duration_days: None,
    };
    let end = carrier_on_drug(Genotype::C9orf72, drug, 400.0);
    let sense = GenotypeEffects::default().c9orf72.sense_share;
    let level = end["mutant_product_motor_neurons_level"];
    // Near-complete knockdown: the product falls toward the antisense strand's share, no lower.
    assert!(end["c9orf72_sense_knockdown_fraction"] > 0.95);
    assert!(
        level >= 1.0 - sense && level < 1.0 - 0.9 * sense,
        "level {level}"
    );
}

/// The mouse's course, at a sporadic genotype (TDP-43 inclusions) with the G93A mouse's rate
/// of misfolding, over 120 days, with TDP-43 loss of function on or off.
fn tdp43_tissue(seed: u64, tdp43: bool) -> Vec<Observation> {
    let mut s = bundled("sod1-g93a-mouse");
    s.seed = seed;
    s.time.duration_days = 120.0;
    let g93a = GenotypeEffects::default().sod1.g93a_misfolding;
    let a = s.mechanisms.aggregation.as_mut().unwrap();
    a.misfolding_per_day *= g93a;
    s.genotype = Genotype::Sporadic;
    s.mechanisms.tdp43 = tdp43.then(Default::default);
    run(&s).0
}

#[test]
fn tdp43_loss_of_function_weakens_the_muscle_where_inclusions_are_tdp43() {
    SEEDS.into_par_iter().for_each(|seed| {
        let (without, with) = (tdp43_tissue(seed, false), tdp43_tissue(seed, true));
        // The same neurons die on the same days: TDP-43 loss acts on the muscle only.
        let dead = |rows: &[Observation]| {
            rows.iter()
                .map(|o| o.motor_neurons_dead)
                .collect::<Vec<_>>()
        };
        assert_eq!(dead(&without), dead(&with), "seed {seed}");
        for (a, b) in without.iter().zip(&with) {
            assert!(
                b["force_proxy"] <= a["force_proxy"],
                "seed {seed}, day {}",
                a.time_days
            );
        }
        let end = with.last().unwrap();
        assert!(
            end["mn_nuclear_tdp43_mean"] < 0.9,
            "seed {seed}: {}",
            end["mn_nuclear_tdp43_mean"]
        );
        assert!(
            end["force_proxy"] < without.last().unwrap()["force_proxy"],
            "seed {seed}"
        );
    });
}

#[test]
fn tdp43_loss_of_function_leaves_sod1_tissue_alone() {
    // SOD1 inclusions hold no TDP-43 (Mackenzie et al. 2007): switching it on changes nothing.
    SEEDS.into_par_iter().for_each(|seed| {
        let mut s = bundled("sod1-g93a-mouse");
        s.seed = seed;
        s.time.duration_days = 60.0;
        let (off, _) = run(&s);
        s.mechanisms.tdp43 = Some(Default::default());
        let (on, _) = run(&s);
        assert_eq!(off, on, "seed {seed}");
    });
}
