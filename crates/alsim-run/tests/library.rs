//! Run folders made through the library alone, no binary: what a caller's `Progress` hears, a
//! run cancelled through its token and resumed to the bytes of a run never stopped, and a
//! batch's per-run progress.

use alsim_core::Summary;
use alsim_run::calibration::MouseCourse;
use alsim_run::{
    BatchOptions, CancelToken, NoProgress, Plan, Progress, RunError, RunOptions, RunSpec, Step,
};
use alsim_scenario::Scenario;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// `scenarios/default.ron` cut to 20 days, snapshots every 5: 480 ticks, a second or two.
fn short_default() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/default.ron");
    let mut s = alsim_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    s.time.duration_days = 20.0;
    s.validate("short default").unwrap();
    s
}

/// One call a run made to its progress.
#[derive(Clone, Debug, PartialEq)]
enum Call {
    Planned(usize),
    Started(String, u64),
    Advanced(String, Step),
    Finished(String, Result<Summary, String>),
    Message(String),
}

/// Records every call; optionally cancels `token` once a run has completed `cancel_at` ticks.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Call>>,
    cancel_at: Option<(u64, CancelToken)>,
}

impl Recorder {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn push(&self, call: Call) {
        self.calls.lock().unwrap().push(call);
    }
}

impl Progress for Recorder {
    fn planned(&self, runs: usize) {
        self.push(Call::Planned(runs));
    }

    fn started(&self, run: &str, total_ticks: u64) {
        self.push(Call::Started(run.into(), total_ticks));
    }

    fn advanced(&self, run: &str, step: Step) {
        if let Some((tick, token)) = &self.cancel_at
            && step.tick == *tick
        {
            token.cancel();
        }
        self.push(Call::Advanced(run.into(), step));
    }

    fn finished(&self, run: &str, result: Result<&Summary, &RunError>, _elapsed: Duration) {
        let result = result.cloned().map_err(RunError::chain);
        self.push(Call::Finished(run.into(), result));
    }

    fn message(&self, text: &str) {
        self.push(Call::Message(text.into()));
    }
}

/// The ticks reported as advanced for `run`, in order.
fn ticks_of(calls: &[Call], run: &str) -> Vec<u64> {
    calls
        .iter()
        .filter_map(|c| match c {
            Call::Advanced(name, step) if name == run => Some(step.tick),
            _ => None,
        })
        .collect()
}

/// The files of a run folder that hold results: time series, summary and every VTK file.
fn result_files(dir: &Path) -> Vec<PathBuf> {
    let mut vtk: Vec<PathBuf> = fs::read_dir(dir.join("vtk"))
        .unwrap()
        .map(|e| Path::new("vtk").join(e.unwrap().file_name()))
        .collect();
    vtk.sort();
    let mut files = vec![PathBuf::from("timeseries.csv"), "summary.json".into()];
    files.extend(vtk);
    files
}

fn assert_same_results(a: &Path, b: &Path) {
    let files = result_files(a);
    assert_eq!(files, result_files(b), "the folders hold other files");
    assert!(files.len() > 4, "snapshots are compared too: {files:?}");
    for name in files {
        let (x, y) = (
            fs::read(a.join(&name)).unwrap(),
            fs::read(b.join(&name)).unwrap(),
        );
        assert!(x == y, "{} differs", name.display());
    }
}

#[test]
fn a_run_folder_is_made_through_the_library_with_every_tick_reported() {
    let scenario = short_default();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let progress = Recorder::default();
    let options = RunOptions {
        threads: Some(2),
        ..RunOptions::default()
    };
    let spec = RunSpec::new(&scenario, "scenarios/default.ron");
    let summary = alsim_run::run(&spec, &out, &options, &progress, &CancelToken::new()).unwrap();

    let total = scenario.time.ticks();
    assert_eq!(total, 480);
    let calls = progress.calls();
    assert_eq!(calls.first(), Some(&Call::Started("default".into(), total)));
    assert_eq!(
        calls.last(),
        Some(&Call::Finished("default".into(), Ok(summary.clone())))
    );
    assert_eq!(ticks_of(&calls, "default"), (1..=total).collect::<Vec<_>>());
    assert_eq!(calls.len() as u64, total + 2, "nothing else was reported");
    let Some(Call::Advanced(_, last)) = calls.get(calls.len() - 2) else {
        panic!("the last tick is reported before the end");
    };
    assert_eq!(last.day, 20.0);
    assert_eq!(last.total_ticks, total);
    assert_eq!(last.motor_neurons_alive, summary.motor_neurons_final_alive);

    for file in [
        "manifest.json",
        "scenario.ron",
        "timeseries.csv",
        "summary.json",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    for file in [
        "checkpoint.bin",
        "incomplete.json",
        "timeseries.csv.partial",
    ] {
        assert!(!out.join(file).exists(), "{file} left behind");
    }
    let rows = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 21, "header and days 0 to 20");
    let summary_file = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary_file.contains("\"ticks\": 480"), "{summary_file}");
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"threads\": 2"), "{manifest}");

    // The folder now holds a finished run, which a second run refuses to replace.
    let again = alsim_run::run(&spec, &out, &options, &NoProgress, &CancelToken::new());
    let err = again.unwrap_err().to_string();
    assert!(err.contains("already holds a finished run"), "{err}");
}

#[test]
fn a_cancelled_run_keeps_a_checkpoint_and_resumes_to_the_same_bytes() {
    let scenario = short_default();
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let options = RunOptions {
        threads: Some(2),
        ..RunOptions::default()
    };
    let spec = RunSpec::new(&scenario, "scenarios/default.ron");
    alsim_run::run(&spec, &whole, &options, &NoProgress, &CancelToken::new()).unwrap();

    // Cancelled between output days (tick 250 is day 10.4) from inside the run's progress.
    let stopped = dir.path().join("stopped");
    let token = CancelToken::new();
    let progress = Recorder {
        cancel_at: Some((250, token.clone())),
        ..Recorder::default()
    };
    let err = alsim_run::run(&spec, &stopped, &options, &progress, &token).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(
        matches!(
            err,
            RunError::Cancelled {
                tick: 250,
                total_ticks: 480,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("alsim run --resume"), "{err}");
    let calls = progress.calls();
    assert_eq!(ticks_of(&calls, "default"), (1..=250).collect::<Vec<_>>());
    assert!(
        matches!(calls.last(), Some(Call::Finished(_, Err(e))) if e.starts_with("interrupted at day")),
        "{:?}",
        calls.last()
    );

    assert!(stopped.join("checkpoint.bin").is_file());
    assert!(stopped.join("timeseries.csv.partial").is_file());
    assert!(
        !stopped.join("timeseries.csv").exists(),
        "never looks finished"
    );
    assert!(
        !stopped.join("summary.json").exists(),
        "never looks finished"
    );
    let marker = fs::read_to_string(stopped.join("incomplete.json")).unwrap();
    assert!(marker.contains("\"reason\": \"interrupted"), "{marker}");
    assert!(marker.contains("\"tick\": 250"), "{marker}");
    let partial = fs::read_to_string(stopped.join("timeseries.csv.partial")).unwrap();
    assert_eq!(partial.lines().count(), 1 + 11, "header and days 0 to 10");

    let progress = Recorder::default();
    let resumed = alsim_run::resume(&stopped, &options, &progress, &CancelToken::new()).unwrap();
    let calls = progress.calls();
    assert_eq!(ticks_of(&calls, "default"), (251..=480).collect::<Vec<_>>());
    assert!(
        calls.contains(&Call::Message(format!(
            "resuming {} at day 10.416666666666666 (tick 250)",
            stopped.display()
        ))),
        "{calls:?}"
    );
    assert_eq!(resumed.ticks, 480);
    for file in [
        "checkpoint.bin",
        "incomplete.json",
        "timeseries.csv.partial",
    ] {
        assert!(!stopped.join(file).exists(), "{file} left behind");
    }
    assert_same_results(&whole, &stopped);

    let err = alsim_run::resume(&stopped, &options, &NoProgress, &CancelToken::new());
    let err = err.unwrap_err().to_string();
    assert!(err.contains("holds a finished run"), "{err}");
}

#[test]
fn a_batch_reports_each_run_by_name_and_skips_finished_runs_the_second_time() {
    let mut scenario = short_default();
    scenario.time.duration_days = 4.0;
    scenario.time.snapshot_every_days = None;
    let plan = Plan::new(&[(PathBuf::from("short.ron"), scenario)], 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = BatchOptions {
        jobs: Some(2),
        ..BatchOptions::default()
    };
    let progress = Recorder::default();
    let outcome =
        alsim_run::run_batch(&plan, dir.path(), &options, &progress, &CancelToken::new()).unwrap();
    assert_eq!((outcome.ran, outcome.skipped), (3, 0));
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    outcome.check_cancelled().unwrap();

    let calls = progress.calls();
    assert!(calls.contains(&Call::Planned(3)), "{calls:?}");
    for name in ["short-r0", "short-r1", "short-r2"] {
        assert!(calls.contains(&Call::Started(name.into(), 96)), "{name}");
        assert_eq!(
            ticks_of(&calls, name),
            (1..=96).collect::<Vec<_>>(),
            "{name}"
        );
        let finished = calls
            .iter()
            .filter(|c| matches!(c, Call::Finished(n, Ok(_)) if n == name))
            .count();
        assert_eq!(finished, 1, "{name}");
        assert!(
            dir.path()
                .join("runs")
                .join(name)
                .join("summary.json")
                .is_file()
        );
    }

    let progress = Recorder::default();
    let outcome =
        alsim_run::run_batch(&plan, dir.path(), &options, &progress, &CancelToken::new()).unwrap();
    assert_eq!((outcome.ran, outcome.skipped), (0, 3));
    let calls = progress.calls();
    assert!(
        !calls.iter().any(|c| matches!(c, Call::Started(..))),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(
            |c| matches!(c, Call::Message(m) if m.contains("none to run, 3 already finished"))
        ),
        "{calls:?}"
    );
}

#[test]
fn a_batch_cancelled_before_it_starts_runs_nothing_and_says_so() {
    let mut scenario = short_default();
    scenario.time.duration_days = 1.0;
    let plan = Plan::new(&[(PathBuf::from("short.ron"), scenario)], 2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = CancelToken::new();
    token.cancel();
    let outcome = alsim_run::run_batch(
        &plan,
        dir.path(),
        &BatchOptions::default(),
        &NoProgress,
        &token,
    )
    .unwrap();
    assert_eq!((outcome.ran, outcome.not_started), (0, 2));
    let err = outcome.check_cancelled().unwrap_err();
    assert!(err.is_cancelled());
    assert!(
        err.to_string()
            .contains("0 run(s) stopped with a checkpoint, 2 not started"),
        "{err}"
    );
}

/// A CSV row: its first text columns, then its numbers.
type LabelledRow = (Vec<String>, Vec<f64>);

/// The header and rows of a CSV file, `skip` text columns first in each row.
fn csv_rows(path: &Path, skip: usize) -> (Vec<String>, Vec<LabelledRow>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let labels = r.iter().take(skip).map(String::from).collect();
            let values = r.iter().skip(skip).map(|v| v.parse().unwrap()).collect();
            (labels, values)
        })
        .collect();
    (header, rows)
}

#[test]
fn an_in_memory_run_holds_the_rows_and_summary_of_a_run_folder_bit_for_bit() {
    let body_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/three-segments.ron");
    let mut body = alsim_scenario::load(&body_path).unwrap_or_else(|e| panic!("{e}"));
    body.time.duration_days = 6.0;
    for scenario in [short_default(), body] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let spec = RunSpec::new(&scenario, "test");
        alsim_run::run(
            &spec,
            &out,
            &RunOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
        let mut run = alsim_run::InMemoryRun::start(&scenario).unwrap();
        // In slices, as a caller looking for an interrupt between them steps it.
        while !run.advance(7).unwrap() {}
        let tables = run.finish().unwrap();
        let (header, rows) = csv_rows(&out.join("timeseries.csv"), 0);
        assert_eq!(header, tables.columns);
        let bits = |rows: &[Vec<f64>]| -> Vec<Vec<u64>> {
            rows.iter()
                .map(|r| r.iter().map(|v| v.to_bits()).collect())
                .collect()
        };
        let file_rows: Vec<Vec<f64>> = rows.into_iter().map(|(_, v)| v).collect();
        assert_eq!(bits(&file_rows), bits(&tables.rows), "{}", scenario.name);
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary, tables.summary);
        if scenario.neuraxis.is_some() {
            let (header, rows) = csv_rows(&out.join("regions.csv"), 4);
            assert_eq!(header[4..], tables.region_columns[..]);
            assert_eq!(rows.len(), tables.region_rows.len());
            for ((labels, values), (mem_labels, mem_values)) in rows.iter().zip(&tables.region_rows)
            {
                assert_eq!(labels[..], mem_labels[..]);
                assert_eq!(
                    bits(std::slice::from_ref(values)),
                    bits(std::slice::from_ref(mem_values))
                );
            }
        } else {
            assert!(tables.region_rows.is_empty());
        }
    }
}

#[test]
fn the_mouse_course_of_an_in_memory_run_is_the_course_of_the_simulation_itself() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/sod1-g93a-mouse.ron");
    let mut mouse = alsim_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    // Long enough for the transport deficit and the first denervation, not for the rest.
    mouse.time.duration_days = 45.0;
    let mut sim = alsim_core::Simulation::new(&mouse).unwrap();
    let rows = sim.run_to_end();
    let expected = MouseCourse::measure(&rows, sim.summary());
    let mut run = alsim_run::InMemoryRun::start(&mouse).unwrap();
    while !run.advance(100).unwrap() {}
    let tables = run.finish().unwrap();
    let measured = MouseCourse::of_tables(&tables).unwrap();
    assert_eq!(measured, expected);
    assert!(measured.transport_deficit.is_some() && measured.end_stage.is_none());
    let mut body = tables;
    body.columns.push("extra".into());
    assert!(MouseCourse::of_tables(&body).is_err());
}
