//! Virtual trials (`alsim trial`): a twin forked at randomisation is, bit for bit, the run of its
//! arm's scenario from the start; a trial's results do not depend on the thread count or on
//! being stopped and run again; a bad trial section is refused by name.

mod support;

use alsim::run::trial::{Status, run_person};
use alsim::run::{CancelToken, InMemoryRun, NoProgress};
use alsim::scenario::Scenario;
use std::path::{Path, PathBuf};
use support::{alsim, alsim_in, assert_clean_failure};

const TRIAL: &str = "tests/scenarios/mouse-trial.ron";

fn trial_scenario() -> Scenario {
    alsim::scenario::load(Path::new(TRIAL)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_twin_forked_at_randomisation_follows_the_run_of_its_arms_scenario() {
    let scenario = trial_scenario();
    let (person, _) = run_person(&scenario, TRIAL, 0, &NoProgress, &CancelToken::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(person.status, Status::Enrolled);
    let day = person.screening_day.expect("screened");
    assert!(day > person.onset_day.expect("onset"));

    // The treated arm's scenario from the start: the person, the drug from the same day.
    let trial = scenario.trial.as_ref().expect("a trial");
    let mut arm = scenario.person(0, TRIAL).expect("person 0").scenario;
    arm.interventions.extend(trial.interventions(1, day));
    let mut run = InMemoryRun::start(&arm).unwrap_or_else(|e| panic!("{e}"));
    while !run.advance(1000).unwrap_or_else(|e| panic!("{e}")) {}
    let tables = run.finish().expect("finished");
    let column = |name: &str| {
        tables
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (time, alsfrs, fvc, nfl) = (
        column("time_days"),
        column("alsfrs_r_total"),
        column("fvc_percent_predicted"),
        column("nfl_blood_pg_per_ml"),
    );
    let twin = &person.arms[1];
    assert!(twin.visits.len() > 10, "{} visits", twin.visits.len());
    let row_on = |day: f64| {
        tables
            .rows
            .iter()
            .find(|r| r[time] == day)
            .unwrap_or_else(|| panic!("no row on day {day}"))
    };
    // Bit for bit, at randomisation and at every visit after it.
    for visit in &twin.visits {
        let row = row_on(day + visit.day);
        let on = format!("day {}", visit.day);
        assert_eq!(visit.alsfrs_r.to_bits(), row[alsfrs].to_bits(), "{on}");
        assert_eq!(visit.fvc_percent.to_bits(), row[fvc].to_bits(), "{on}");
        let level = visit.nfl_pg_per_ml.expect("NfL is on");
        assert_eq!(level.to_bits(), row[nfl].to_bits(), "{on}");
    }
    // The drug changed something, and the untreated twin is the same person until then.
    let untreated = &person.arms[0];
    assert_eq!(untreated.visits[0], twin.visits[0]);
    assert_ne!(untreated.visits, twin.visits);
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn a_trial_is_the_same_at_any_thread_count_and_when_run_again() {
    let root = tempfile::tempdir().expect("temporary folder");
    let trial = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(TRIAL);
    let run = |dir: &str, threads: &str| {
        let out = alsim_in(
            root.path(),
            &[
                "trial",
                trial.to_str().expect("UTF-8 path"),
                "--out",
                dir,
                "--threads",
                threads,
            ],
        );
        assert!(out.status.success(), "{}", support::stderr(&out));
        root.path().join(dir)
    };
    let one = run("one", "1");
    let two = run("two", "2");
    for file in ["people.csv", "report/trial.md"] {
        assert_eq!(read(&one, file), read(&two, file), "{file}");
    }
    let table = String::from_utf8(read(&one, "people.csv")).expect("UTF-8");
    assert_eq!(
        table.lines().count(),
        3,
        "a header and two people:\n{table}"
    );
    let report = String::from_utf8(read(&one, "report/trial.md")).expect("UTF-8");
    for needle in [
        "ALSFRS-R change",
        "survival from randomisation",
        "blood NfL ratio",
        "## Power",
    ] {
        assert!(report.contains(needle), "{needle} missing:\n{report}");
    }

    // A person's record lost (as if stopped while running them) is run again, to the same
    // result; the one kept is not.
    std::fs::remove_file(two.join("people/person-000001.json")).expect("remove");
    let kept = std::fs::metadata(two.join("people/person-000000.json"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = alsim_in(
        root.path(),
        &["trial", trial.to_str().expect("UTF-8 path"), "--out", "two"],
    );
    assert!(again.status.success(), "{}", support::stderr(&again));
    assert!(support::stderr(&again).contains("1 people ran, 1 already finished"));
    assert_eq!(read(&one, "people.csv"), read(&two, "people.csv"));
    let still = std::fs::metadata(two.join("people/person-000000.json"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(kept, still);

    // Another trial into the same folder is refused, and the folder kept.
    let other = alsim_in(
        root.path(),
        &[
            "trial",
            trial.to_str().expect("UTF-8 path"),
            "--out",
            "two",
            "--set",
            "trial.duration_days=10",
        ],
    );
    assert_clean_failure(&other, "holds another trial");
    assert_eq!(read(&one, "people.csv"), read(&two, "people.csv"));
}

#[test]
fn bad_trial_sections_are_refused_by_field() {
    for (set, needle) in [
        ("trial.duration_days=0", "trial.duration_days"),
        (
            "trial.enrolment.months_since_onset=(12.0, 6.0)",
            "trial.enrolment.months_since_onset",
        ),
        (
            "trial.enrolment.alsfrs_r_min=60",
            "trial.enrolment.alsfrs_r_min",
        ),
        ("trial.arms[1].allocation=0", "trial.arms[1].allocation"),
        (
            "trial.arms=[(name: \"a\"), (name: \"a\")]",
            "names two arms",
        ),
        ("trial.arms=[]", "must list from 2 to 16 arms"),
        ("trial.power.people=[2]", "trial.power.people[0]"),
        ("cohort=None", "needs a cohort"),
    ] {
        let out = alsim(&["validate", TRIAL, "--set", set]);
        assert_clean_failure(&out, needle);
    }
    // A trial needs a trial section.
    let out = alsim(&[
        "trial",
        "scenarios/cohorts/sporadic-body.ron",
        "--people",
        "1",
    ]);
    assert_clean_failure(&out, "has no trial and cohort sections");
}
