//! End-to-end tests of cohorts: `alsim cohort`, `alsim run --person`, the people table and the
//! refusals, on a 3-day scenario whose people differ in two drawn traits.

mod support;

use std::path::Path;
use std::process::Output;
use support::{alsim_in as alsim, assert_clean_failure, stderr};

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "expected success, stderr:\n{}",
        stderr(out)
    );
}

/// Three days of tissue whose people differ in microglial activation and genotype.
const COHORT: &str = r#"(
    name: "people", seed: 11, time: (duration_days: 3.0),
    cohort: (
        people: 4,
        male_share: 0.5,
        traits: [
            (parameter: "mechanisms.microglia.activation_per_hour",
             draw: LogNormal(median: 1.0, log_sd: 0.8)),
            (parameter: "genotype", draw: Choice([("Sporadic", 1.0), ("Sod1(A4V)", 1.0)])),
        ],
    ),
)"#;

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.ron"), COHORT).unwrap();
    dir
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest_person(run: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["person"].clone()
}

#[test]
fn a_person_is_the_same_in_any_cohort_size_shard_and_thread_count_and_alone() {
    let dir = folder();
    let d = dir.path();
    assert_ok(&alsim(
        d,
        &[
            "cohort", "c.ron", "--people", "3", "--out", "small", "--jobs", "1",
        ],
    ));
    assert_ok(&alsim(
        d,
        &[
            "cohort", "c.ron", "--people", "6", "--shard", "1/2", "--out", "half", "--jobs", "2",
        ],
    ));
    assert_ok(&alsim(
        d,
        &[
            "run",
            "c.ron",
            "--person",
            "1",
            "--out",
            "alone",
            "--threads",
            "1",
        ],
    ));
    let small = d.join("small/runs/person-001");
    let half = d.join("half/runs/person-001");
    let alone = d.join("alone");
    for file in ["timeseries.csv", "summary.json", "scenario.ron"] {
        let reference = read(&small.join(file));
        assert_eq!(
            reference,
            read(&half.join(file)),
            "{file}: shard of a larger cohort"
        );
        assert_eq!(reference, read(&alone.join(file)), "{file}: run alone");
    }
    let person = manifest_person(&small);
    assert_eq!(person["index"], 1);
    assert_eq!(person, manifest_person(&half));
    assert_eq!(person, manifest_person(&alone));
    // The shard ran people 1, 3 and 5 only.
    let ran: Vec<String> = std::fs::read_dir(d.join("half/runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ran.len(), 3, "{ran:?}");
    // The other half, merged with this one, is the whole cohort of six, table and all.
    assert_ok(&alsim(
        d,
        &[
            "cohort", "c.ron", "--people", "6", "--shard", "0/2", "--out", "other", "--jobs", "2",
        ],
    ));
    assert_ok(&alsim(d, &["merge", "half", "other", "--out", "merged"]));
    assert_ok(&alsim(
        d,
        &["cohort", "c.ron", "--people", "6", "--out", "whole"],
    ));
    assert_eq!(
        read(&d.join("merged/people.csv")),
        read(&d.join("whole/people.csv"))
    );
    // People differ: person 0's draws are not person 1's.
    assert_ne!(person, manifest_person(&d.join("small/runs/person-000")));
}

#[test]
fn the_people_table_holds_each_persons_draws_and_outcomes() {
    let dir = folder();
    let d = dir.path();
    assert_ok(&alsim(d, &["cohort", "c.ron", "--out", "out"]));
    let mut reader = csv::Reader::from_path(d.join("out/people.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "person",
        "sex",
        "mechanisms.microglia.activation_per_hour",
        "genotype",
        "onset_age_years",
        "survival_from_onset_years",
        "end",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let run = d.join(format!("out/runs/person-{i:03}"));
        let person = manifest_person(&run);
        let drawn = person["draws"][0][1].as_str().unwrap();
        assert_eq!(&row[col("mechanisms.microglia.activation_per_hour")], drawn);
        // The draw is what the person's run used.
        let scenario = std::fs::read_to_string(run.join("scenario.ron")).unwrap();
        assert!(
            scenario.contains(&format!("activation_per_hour: {drawn}")),
            "{drawn}"
        );
        // Three days: nobody reaches onset; follow-up ends with the run.
        assert_eq!(&row[col("onset_age_years")], "");
        assert_eq!(&row[col("end")], "end_of_follow_up");
    }
}

#[test]
fn cohort_files_and_person_choices_are_refused_where_they_do_not_apply() {
    let dir = folder();
    let d = dir.path();
    std::fs::write(
        d.join("one.ron"),
        r#"(name: "one", time: (duration_days: 1.0))"#,
    )
    .unwrap();
    let out = alsim(d, &["run", "c.ron", "--out", "x"]);
    assert_clean_failure(&out, "describes a cohort of 4 people");
    assert!(!d.join("x").exists());
    assert_clean_failure(
        &alsim(d, &["run", "one.ron", "--person", "2", "--out", "y"]),
        "has no cohort section",
    );
    assert_clean_failure(
        &alsim(d, &["cohort", "one.ron", "--out", "z"]),
        "has no cohort section",
    );
    assert_clean_failure(
        &alsim(d, &["cohort", "c.ron", "--people", "0", "--out", "z"]),
        "--people must be",
    );
    assert!(!d.join("y").exists() && !d.join("z").exists());
}

#[test]
fn a_draw_a_parameter_cannot_take_names_the_person_and_stops_the_cohort_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A normal of mean 0 gives negative activation rates to about half the people.
    let text = COHORT.replace(
        "LogNormal(median: 1.0, log_sd: 0.8)",
        "Normal(mean: 0.0, sd: 1.0)",
    );
    std::fs::write(d.join("c.ron"), text).unwrap();
    let out = alsim(d, &["cohort", "c.ron", "--people", "50", "--out", "out"]);
    let err = assert_clean_failure(&out, "activation_per_hour");
    assert!(err.contains("person"), "{err}");
    assert!(!d.join("out/runs").exists(), "nothing ran");
}

/// The sample standard deviation of the onset ages in a cohort folder's people.csv.
fn onset_sd(dir: &Path) -> (f64, usize) {
    let mut reader = csv::Reader::from_path(dir.join("people.csv")).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "onset_age_years")
        .unwrap();
    let ages: Vec<f64> = reader
        .records()
        .filter_map(|r| r.unwrap()[col].parse().ok())
        .collect();
    let n = ages.len() as f64;
    let mean = ages.iter().sum::<f64>() / n;
    let var = ages.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var.sqrt(), ages.len())
}

#[test]
fn a_wider_spread_of_proteostatic_ageing_spreads_the_ages_at_onset() {
    // The bundled sporadic cohort, 16 people each, its half-life sd 4 against 16 years (same
    // people, same draws of the standard normal: common random numbers), death of other causes
    // off so that every person reaches onset. docs/model.md: faster proteostatic ageing brings
    // onset earlier, so a wider spread of it spreads onset.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cohort = root.join("scenarios/cohorts/sporadic.ron");
    let dir = tempfile::tempdir().unwrap();
    let mut sds = Vec::new();
    for sd in ["4", "16"] {
        let out = dir.path().join(sd);
        let set = format!("cohort.traits[0].draw.Normal.sd={sd}");
        assert_ok(&alsim(
            root,
            &[
                "cohort",
                cohort.to_str().unwrap(),
                "--people",
                "16",
                "--out",
                out.to_str().unwrap(),
                "--set",
                &set,
                "--set",
                "cohort.other_mortality=None",
            ],
        ));
        sds.push(onset_sd(&out));
    }
    let [(narrow, n1), (wide, n2)] = [sds[0], sds[1]];
    // The slowest agers of the wide cohort reach 90 without onset.
    assert!(n1 >= 15 && n2 >= 12, "{n1} {n2} reached onset");
    // Onset age is close to linear in the half-life, so 4 times the spread would give nearly
    // 4 times the sd; follow-up ending at 90 cuts the wide cohort's late tail (measured: 3.9
    // years against 8.1), so ask for half again as much.
    assert!(wide > 1.5 * narrow, "sd {wide} against {narrow}");
    // The two cohorts compared: the same people, so the same mean onset within the CI.
    let report = dir.path().join("compared");
    assert_ok(&alsim(
        dir.path(),
        &["compare", "4", "16", "--out", report.to_str().unwrap()],
    ));
    let md = std::fs::read_to_string(report.join("cohorts.md")).unwrap();
    let line = md
        .lines()
        .find(|l| l.starts_with("**Age at onset**"))
        .unwrap();
    assert!(
        line.contains("16 − 4 = ") && line.contains("Welch 95% CI"),
        "{md}"
    );
    let ci: Vec<f64> = line
        .split("CI ")
        .nth(1)
        .unwrap()
        .trim_end_matches(").")
        .split(" to ")
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(ci[0] < 0.0 && ci[1] > 0.0, "{line}");
    assert!(report.join("onset_by_age.png").is_file());
}

#[test]
fn a_cohort_of_fifty_people_writes_its_tables_and_report() {
    // The reduced size CI can afford: fifty people of three days each.
    let dir = folder();
    let d = dir.path();
    assert_ok(&alsim(
        d,
        &[
            "cohort", "c.ron", "--people", "50", "--out", "fifty", "--jobs", "2",
        ],
    ));
    let out = d.join("fifty");
    let mut people = csv::Reader::from_path(out.join("people.csv")).unwrap();
    let header = people.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = people.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 50);
    let genotype = header.iter().position(|h| h == "genotype").unwrap();
    let a4v = rows.iter().filter(|r| &r[genotype] == "Sod1(A4V)").count();
    // Choice with equal weights: 25 expected; 11 to 39 holds with probability > 0.999.
    assert!((11..=39).contains(&a4v), "{a4v} of 50 carry A4V");
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    assert_eq!(runs.records().count(), 50);
    for file in ["people.parquet", "runs.parquet", "report/cohort.md"] {
        assert!(out.join(file).is_file(), "no {file}");
    }
}
