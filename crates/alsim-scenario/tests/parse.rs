//! Parsing and validating scenario files: good files load, bad ones name the place and the fix.

use alsim_scenario::{Genotype, Scenario, ScenarioError, load, load_comparison};
use std::path::Path;

fn scenarios_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"))
}

#[test]
fn every_bundled_scenario_loads_and_validates() {
    let mut seen = 0;
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            load(&path).unwrap_or_else(|e| panic!("{e}"));
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "expected default.ron and sporadic.ron, saw {seen} files"
    );
}

#[test]
fn every_bundled_comparison_sets_sporadic_against_a_familial_genotype() {
    let mut familial = Vec::new();
    for entry in std::fs::read_dir(scenarios_dir().join("compare")).unwrap() {
        let path = entry.unwrap().path();
        let c = load_comparison(&path).unwrap_or_else(|e| panic!("{e}"));
        let [a, b] = [&c.a, &c.b].map(|p| load(p).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(a.genotype, Genotype::Sporadic, "{}", path.display());
        assert!(
            a.sweep.is_empty() && b.sweep.is_empty(),
            "{}",
            path.display()
        );
        assert!(
            c.replicates >= 2,
            "{}: a spread needs replicates",
            path.display()
        );
        // Blocks against blocks, cohorts against cohorts.
        assert_eq!(a.cohort.is_some(), b.cohort.is_some(), "{}", path.display());
        let kind = if a.cohort.is_some() { "cohort " } else { "" };
        familial.push(format!("{kind}{:?}", b.genotype));
    }
    familial.sort();
    assert_eq!(
        familial,
        [
            "C9orf72",
            "Fus",
            "Sod1(A4V)",
            "Sod1(Typical)",
            "Tardbp",
            "cohort C9orf72",
            "cohort Fus",
            "cohort Sod1(A4V)",
            "cohort Sod1(Typical)",
            "cohort Tardbp"
        ],
        "one comparison of blocks and one of cohorts per familial human genotype"
    );
}

#[test]
fn default_ron_spells_out_values_that_differ_only_where_it_says() {
    let s = load(&scenarios_dir().join("default.ron")).unwrap();
    assert_eq!(s.seed, 42);
    assert_eq!(s.footprint().grid, [20, 20, 10]);
    // Omitted mechanisms run with their defaults.
    assert_eq!(s.mechanisms.microglia, Some(Default::default()));
}

#[test]
fn unknown_field_is_reported_with_line_and_column() {
    let text = "(\n  name: \"x\",\n  tissue: (voxle_um: 20.0),\n)";
    let err = Scenario::from_ron_str(text, "bad.ron").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ScenarioError::Parse { line: 3, .. }), "{msg}");
    assert!(msg.starts_with("bad.ron:3:"), "{msg}");
    assert!(msg.contains("voxle_um"), "{msg}");
    assert!(
        msg.contains("voxel_um"),
        "the message lists the expected fields: {msg}"
    );
}

#[test]
fn malformed_ron_is_reported_with_line_and_column() {
    let text = "(\n  name: \"x\",\n  seed: 12,,\n)";
    let err = Scenario::from_ron_str(text, "broken.ron").unwrap_err();
    assert!(matches!(err, ScenarioError::Parse { line: 3, .. }), "{err}");
}

#[test]
fn negative_diffusion_names_the_field_path() {
    let text = "(fields: (tnf: (diffusion_um2_per_s: -3.0, decay_per_hour: 1.0)))";
    let s = Scenario::from_ron_str(text, "neg.ron").unwrap();
    let msg = s.validate("neg.ron").unwrap_err().to_string();
    assert!(
        msg.contains("fields.tnf.diffusion_um2_per_s must be > 0, got -3"),
        "{msg}"
    );
}

#[test]
fn impossible_grid_is_refused_before_any_allocation() {
    let text = "(tissue: (size_um: (1000000.0, 1000000.0, 1000.0), voxel_um: 1.0))";
    let s = Scenario::from_ron_str(text, "huge.ron").unwrap();
    let msg = s.validate("huge.ron").unwrap_err().to_string();
    assert!(msg.contains("1.000e15 voxels"), "{msg}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = Scenario::default();
    s.time.dt_hours = -1.0;
    s.fields.il10.decay_per_hour = f64::NAN;
    let Err(ScenarioError::Invalid { problems, .. }) = s.validate("code") else {
        panic!("expected Invalid");
    };
    let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"time.dt_hours"), "{fields:?}");
    assert!(fields.contains(&"fields.il10.decay_per_hour"), "{fields:?}");
}

#[test]
fn mechanism_can_be_switched_off_with_none() {
    let s = Scenario::from_ron_str("(mechanisms: (astrocytes: None))", "off.ron").unwrap();
    assert_eq!(s.mechanisms.astrocytes, None);
    assert!(s.mechanisms.microglia.is_some());
}

#[test]
fn resolved_scenario_round_trips_through_ron() {
    let s = load(&scenarios_dir().join("default.ron")).unwrap();
    let text = s.to_ron_string();
    let back = Scenario::from_ron_str(&text, "roundtrip").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back, s);
}

#[test]
fn default_scenario_in_code_is_valid() {
    Scenario::default().validate("defaults").unwrap();
}

#[test]
fn overcrowded_motor_neurons_are_refused() {
    let text = "(populations: (motor_neurons: (amount: Count(5000), min_spacing_um: 60.0)))";
    let s = Scenario::from_ron_str(text, "crowd.ron").unwrap();
    let msg = s.validate("crowd.ron").unwrap_err().to_string();
    assert!(
        msg.contains("populations.motor_neurons.min_spacing_um"),
        "{msg}"
    );
}

#[test]
fn decay_too_fast_for_the_field_sub_step_is_refused_with_the_fix() {
    let text = "(time: (field_dt_minutes: 60.0), fields: (tnf: (diffusion_um2_per_s: 40.0, decay_per_hour: 100.0)))";
    let s = Scenario::from_ron_str(text, "fast.ron").unwrap();
    let msg = s.validate("fast.ron").unwrap_err().to_string();
    assert!(msg.contains("fields.tnf.decay_per_hour"), "{msg}");
    assert!(
        msg.contains("lower time.field_dt_minutes to at most 30"),
        "{msg}"
    );
}

#[test]
fn genotype_events_and_interventions_parse_and_validate() {
    let text = r#"(
        genotype: Sod1(G93A),
        events: [
            Toxin(start_day: 5.0, end_day: 20.0, region: Whole, ros_fmol_per_hour_per_mm3: 50.0),
            Trauma(day: 10.0, centre_um: (200.0, 100.0, 100.0), radius_um: 60.0,
                   damage: 0.5, debris: 2.0, tnf_fg: 500.0),
        ],
        expression: (dose: 0.72, microglia: 0.0),
        excisions: [(day: 40.0, cells: MotorNeurons, efficiency: 0.8)],
        interventions: [
            (therapy: Antioxidant(), start: Day(30.0)),
            (therapy: AntiGlutamate(dosing: (dose_mg: 100.0)), start: AfterOnset(0.0), duration_days: 30.0),
            (therapy: Antisense(target: Sod1), start: Day(1.0)),
        ],
    )"#;
    let s = Scenario::from_ron_str(text, "g.ron").unwrap_or_else(|e| panic!("{e}"));
    s.validate("g.ron").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.genotype,
        alsim_scenario::Genotype::Sod1(alsim_scenario::Sod1Variant::G93A)
    );
    assert_eq!(s.events.len(), 2);
    assert_eq!(s.interventions[1].duration_days, Some(30.0));
    let riluzole = s.interventions[1].dosing().unwrap();
    assert_eq!(riluzole.dose_mg, 100.0);
    assert_eq!(
        riluzole.half_life_days,
        alsim_scenario::AntiGlutamateDosing::default().half_life_days,
        "unset fields keep the drug's defaults"
    );
    assert_eq!(s.expression.dose, 0.72);
    assert_eq!(s.expression.motor_neurons, 1.0);
    assert_eq!(s.excisions[0].cells, alsim_scenario::CellType::MotorNeurons);
}

#[test]
fn bad_events_and_therapies_name_their_index_and_field() {
    let text = r#"(
        events: [
            Toxin(start_day: 20.0, end_day: 5.0, region: Whole, ros_fmol_per_hour_per_mm3: 50.0),
        ],
        excisions: [(day: 1e6, cells: Microglia)],
        interventions: [
            (therapy: Antisense(target: Sod1, dosing: (max_effect: 1.5)), start: Day(1.0)),
            (therapy: Antioxidant(dosing: (days_on: 40.0)), start: Day(1.0)),
        ],
    )"#;
    let s = Scenario::from_ron_str(text, "b.ron").unwrap();
    let msg = s.validate("b.ron").unwrap_err().to_string();
    assert!(
        msg.contains("events[0].Toxin.end_day must be after start_day"),
        "{msg}"
    );
    for expected in [
        "interventions[0].therapy.Antisense.dosing.max_effect must be <= 1",
        "interventions[1].therapy gives doses on 40 of every 28 days",
        "excisions[0].day is day 1000000, after the run's last step",
    ] {
        assert!(msg.contains(expected), "{expected:?} not in {msg}");
    }
    let s = Scenario::from_ron_str("(expression: (astrocytes: 1.5))", "e.ron").unwrap();
    let msg = s.validate("e.ron").unwrap_err().to_string();
    assert!(
        msg.contains("expression.astrocytes must be <= 1, got 1.5"),
        "{msg}"
    );
}

#[test]
fn every_bundled_cohort_draws_valid_people_who_differ() {
    let mut seen = 0;
    for entry in std::fs::read_dir(scenarios_dir().join("cohorts")).unwrap() {
        let path = entry.unwrap().path();
        let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
        let cohort = s.cohort.as_ref().expect("a cohort file has a cohort");
        assert!(cohort.people >= 100, "{}", path.display());
        let people: Vec<_> = (0..20)
            .map(|i| s.person(i, "t").unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let distinct: std::collections::BTreeSet<_> = people
            .iter()
            .map(|p| format!("{:?}", p.record.draws))
            .collect();
        assert_eq!(distinct.len(), 20, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 1);
}
