//! End-to-end tests of `alsim batch`, `alsim merge` and `alsim compare` on short scenarios: seeds
//! and names of replicate and sweep runs, resuming, shards merged, failures that let the batch go
//! on, sweeps refused before running, and the comparison report.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};
use support::{alsim_in as alsim, assert_clean_failure, stderr};

fn assert_ok(out: &Output) -> String {
    let err = stderr(out);
    assert!(out.status.success(), "expected success, stderr:\n{err}");
    err
}

/// A 3-day scenario: a fraction of a second per run.
const QUICK: &str = "(name: \"quick\", seed: 3, time: (duration_days: 3.0))";
/// The same, swept over two microglial activation rates.
const SWEPT: &str = "(name: \"swept\", seed: 5, time: (duration_days: 3.0),
    sweep: [(parameter: \"mechanisms.microglia.activation_per_hour\", values: [0.5, 2.0])])";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A fresh folder holding `files` (name, text).
fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Every file under `root`, by path relative to it.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn replicates_and_sweep_points_get_their_own_folders_seeds_and_manifests() {
    let dir = folder_with(&[("quick.ron", QUICK), ("swept.ron", SWEPT)]);
    let d = dir.path();
    let err = assert_ok(&alsim(
        d,
        &[
            "batch",
            "quick.ron",
            "swept.ron",
            "--replicates",
            "2",
            "--jobs",
            "2",
            "--out",
            "b",
        ],
    ));
    assert!(err.contains("6 to run"), "{err}");
    let run = |name: &str| d.join("b/runs").join(name);
    let names = [
        "quick-r0",
        "quick-r1",
        "swept-activation_per_hour=0.5-r0",
        "swept-activation_per_hour=0.5-r1",
        "swept-activation_per_hour=2-r0",
        "swept-activation_per_hour=2-r1",
    ];
    for name in names {
        assert!(
            run(name).join("summary.json").is_file(),
            "{name} not finished"
        );
    }
    let plan = json(&d.join("b/batch.json"));
    let planned: Vec<&str> = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(planned, names);

    // Replicate 0 is the scenario as written: the same bytes as `alsim run` gives.
    assert_ok(&alsim(d, &["run", "quick.ron", "--out", "single"]));
    let series = |p: PathBuf| std::fs::read(p.join("timeseries.csv")).unwrap();
    assert_eq!(series(run("quick-r0")), series(d.join("single")));
    let seed = |name: &str| {
        json(&run(name).join("manifest.json"))["seed"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(seed("quick-r0"), 3);
    assert_ne!(seed("quick-r1"), 3);
    assert_ne!(
        series(run("quick-r1")),
        series(run("quick-r0")),
        "another seed, another run"
    );
    // Points of a sweep share the seed of each replicate (common random numbers).
    assert_eq!(
        seed("swept-activation_per_hour=0.5-r1"),
        seed("swept-activation_per_hour=2-r1")
    );

    let manifest = json(&run("swept-activation_per_hour=2-r1").join("manifest.json"));
    assert_eq!(manifest["replicate"], 1);
    assert_eq!(
        manifest["sweep"]["mechanisms.microglia.activation_per_hour"],
        2.0
    );
    assert_eq!(
        manifest["scenario"]["mechanisms"]["microglia"]["activation_per_hour"],
        2.0
    );
    // The resolved scenario of a point has no sweep: it runs as it is.
    let resolved = run("swept-activation_per_hour=2-r1").join("scenario.ron");
    assert!(
        !std::fs::read_to_string(&resolved)
            .unwrap()
            .contains("sweep")
    );
    assert_ok(&alsim(d, &["validate", resolved.to_str().unwrap()]));
}

#[test]
fn running_the_same_batch_again_skips_every_finished_run() {
    let dir = folder_with(&[("quick.ron", QUICK)]);
    let d = dir.path();
    let args = ["batch", "quick.ron", "--replicates", "3", "--out", "b"];
    assert_ok(&alsim(d, &args));
    let summaries: Vec<PathBuf> = (0..3)
        .map(|k| d.join(format!("b/runs/quick-r{k}/summary.json")))
        .collect();
    let before: Vec<SystemTime> = summaries.iter().map(|p| modified(p)).collect();
    let err = assert_ok(&alsim(d, &args));
    assert!(err.contains("none to run, 3 already finished"), "{err}");
    let after: Vec<SystemTime> = summaries.iter().map(|p| modified(p)).collect();
    assert_eq!(before, after, "no finished run was written again");

    // A finished run of another scenario under the same name is not taken for this one.
    write(d, "quick.ron", &QUICK.replace("3.0", "2.0"));
    let err = assert_clean_failure(&alsim(d, &args), "holds a finished run of another scenario");
    assert!(err.contains("quick-r0"), "{err}");
    assert_eq!(modified(&summaries[0]), before[0], "and it is kept");
}

#[test]
fn a_killed_batch_resumes_with_only_the_runs_it_had_not_finished() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "long.ron",
        "(name: \"long\", seed: 9, time: (duration_days: 30.0))",
    );
    let args = [
        "batch",
        "long.ron",
        "--replicates",
        "4",
        "--jobs",
        "1",
        "--out",
        "b",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(args)
        .current_dir(d)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first = d.join("b/runs/long-r0/summary.json");
    let started = Instant::now();
    while !first.exists() {
        assert!(
            started.elapsed().as_secs() < 120,
            "the first run never finished"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let finished: Vec<usize> = (0..4)
        .filter(|k| d.join(format!("b/runs/long-r{k}/summary.json")).exists())
        .collect();
    assert!(finished.len() < 4, "killed before the end: {finished:?}");
    let kept: Vec<SystemTime> = finished
        .iter()
        .map(|k| modified(&d.join(format!("b/runs/long-r{k}/summary.json"))))
        .collect();

    let err = assert_ok(&alsim(d, &args));
    let expected = format!(
        "{} to run, {} already finished",
        4 - finished.len(),
        finished.len()
    );
    assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    for (k, time) in finished.iter().zip(kept) {
        let summary = d.join(format!("b/runs/long-r{k}/summary.json"));
        assert_eq!(modified(&summary), time, "finished run {k} was run again");
    }
    for k in 0..4 {
        let run = d.join(format!("b/runs/long-r{k}"));
        assert!(run.join("summary.json").is_file(), "run {k} not finished");
        assert!(
            !run.join("timeseries.csv.partial").exists(),
            "run {k} left a partial file"
        );
    }
}

/// The files of a batch folder, each manifest without what differs between two executions of
/// the same run: its wall time, its thread count (set by --jobs and the cores) and the
/// process's peak memory.
fn comparable(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = files(root);
    for (path, bytes) in all.iter_mut() {
        if path.ends_with("manifest.json") {
            let mut m: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            let fields = m.as_object_mut().unwrap();
            assert!(
                fields.remove("wall_time_seconds").is_some(),
                "{}",
                path.display()
            );
            assert!(fields.remove("threads").is_some(), "{}", path.display());
            fields.remove("peak_resident_bytes");
            *bytes = serde_json::to_vec(&m).unwrap();
        }
    }
    all
}

#[test]
fn three_shards_merged_equal_the_whole_batch_file_for_file() {
    let dir = folder_with(&[("quick.ron", QUICK), ("swept.ron", SWEPT)]);
    let d = dir.path();
    let batch = ["batch", "quick.ron", "swept.ron", "--replicates", "2"];
    let mut whole = batch.to_vec();
    whole.extend(["--jobs", "2", "--out", "whole"]);
    assert_ok(&alsim(d, &whole));
    let shards = ["0/3", "1/3", "2/3"];
    let mut ran = 0;
    for (i, shard) in shards.iter().enumerate() {
        let out = format!("shard{i}");
        let mut args = batch.to_vec();
        args.extend(["--shard", shard, "--out", &out]);
        let err = assert_ok(&alsim(d, &args));
        assert!(err.contains("2 to run"), "6 runs in 3 slices: {err}");
        ran += files(&d.join(&out).join("runs")).len();
        assert_eq!(json(&d.join(&out).join("batch.json"))["shard"]["count"], 3);
    }
    assert_eq!(ran, 6 * 4, "each run in exactly one shard, four files each");
    assert_ok(&alsim(
        d,
        &["merge", "shard0", "shard1", "shard2", "--out", "merged"],
    ));
    let (whole, merged) = (comparable(&d.join("whole")), comparable(&d.join("merged")));
    assert_eq!(
        whole.len(),
        3 + 6 * 4,
        "batch.json, runs.csv, runs.parquet and four files per run"
    );
    assert_eq!(
        whole.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &whole {
        assert!(merged[path] == *bytes, "{} differs", path.display());
    }
}

/// The rows of a Parquet file, and its column names.
fn parquet_rows(path: &Path) -> (usize, Vec<String>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).unwrap();
    let meta = reader.metadata();
    let columns = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    (meta.file_metadata().num_rows() as usize, columns)
}

#[test]
fn the_batch_tables_hold_one_row_per_run_and_every_runs_time_series() {
    let dir = folder_with(&[("quick.ron", QUICK), ("swept.ron", SWEPT)]);
    let d = dir.path();
    let args = [
        "batch",
        "quick.ron",
        "swept.ron",
        "--replicates",
        "2",
        "--out",
        "b",
        "--timeseries-table",
    ];
    let err = assert_ok(&alsim(d, &args));
    assert!(err.contains("runs.parquet"), "{err}");
    let b = d.join("b");
    let mut reader = csv::Reader::from_path(b.join("runs.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6, "2 quick and 2 × 2 swept runs");
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (run, swept, initial) = (
        col("run"),
        col("mechanisms.microglia.activation_per_hour"),
        col("motor_neurons_initial"),
    );
    let mut series_rows = 0;
    for row in &rows {
        let summary = json(&b.join("runs").join(&row[run]).join("summary.json"));
        assert_eq!(row[initial], summary["motor_neurons_initial"].to_string());
        let expected_sweep = match &row[run] {
            r if r.starts_with("quick") => "",
            r if r.contains("0.5") => "0.5",
            _ => "2",
        };
        assert_eq!(&row[swept], expected_sweep, "{}", &row[run]);
        let text =
            std::fs::read_to_string(b.join("runs").join(&row[run]).join("timeseries.csv")).unwrap();
        series_rows += text.lines().count() - 1;
    }
    let (n, columns) = parquet_rows(&b.join("runs.parquet"));
    assert_eq!((n, columns), (6, header));
    let (n, columns) = parquet_rows(&b.join("timeseries.parquet"));
    assert_eq!(n, series_rows);
    assert_eq!(&columns[..4], ["run", "group", "replicate", "time_days"]);
    assert!(
        !b.join("regions.parquet").exists(),
        "no body among the runs"
    );
}

#[test]
fn merge_refuses_duplicates_and_reports_missing_runs() {
    let dir = folder_with(&[("quick.ron", QUICK)]);
    let d = dir.path();
    for shard in ["0/2", "1/2"] {
        let out = format!("s{}", &shard[..1]);
        assert_ok(&alsim(
            d,
            &[
                "batch",
                "quick.ron",
                "--replicates",
                "4",
                "--shard",
                shard,
                "--out",
                &out,
            ],
        ));
    }
    let err = assert_clean_failure(
        &alsim(d, &["merge", "s0", "s0", "--out", "dup"]),
        "finished in more than one folder",
    );
    assert!(err.contains("quick-r0 (in s0, s0)"), "{err}");
    assert!(!d.join("dup").exists(), "nothing written");

    let err = assert_clean_failure(
        &alsim(d, &["merge", "s0", "--out", "part"]),
        "2 run(s) missing",
    );
    assert!(err.contains("quick-r1, quick-r3"), "{err}");
    // The partial merge is a batch folder: the batch command finishes only what is missing.
    let err = assert_ok(&alsim(
        d,
        &["batch", "quick.ron", "--replicates", "4", "--out", "part"],
    ));
    assert!(err.contains("2 to run, 2 already finished"), "{err}");

    write(d, "other.ron", QUICK);
    assert_ok(&alsim(
        d,
        &["batch", "other.ron", "--replicates", "4", "--out", "o"],
    ));
    assert_clean_failure(
        &alsim(d, &["merge", "s0", "o", "--out", "mixed"]),
        "holds another batch",
    );
}

#[test]
fn a_failing_run_and_an_unreadable_file_are_reported_and_the_rest_run() {
    let dir = folder_with(&[("quick.ron", QUICK)]);
    let d = dir.path();
    write(d, "bad.ron", "(\n  name: \"bad\",\n  seed: 3,,\n)\n");
    // A file where run quick-r1's folder should be: that run cannot be written.
    std::fs::create_dir_all(d.join("b/runs")).unwrap();
    write(&d.join("b/runs"), "quick-r1", "in the way");
    let out = alsim(
        d,
        &[
            "batch",
            "quick.ron",
            "bad.ron",
            "--replicates",
            "3",
            "--out",
            "b",
        ],
    );
    let err = assert_clean_failure(&out, "bad.ron:3:");
    assert!(err.contains("quick-r1 FAILED"), "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert!(
        err.contains("1 run(s) failed and 1 scenario file(s) could not be read"),
        "{err}"
    );
    for k in [0, 2] {
        let summary = d.join(format!("b/runs/quick-r{k}/summary.json"));
        assert!(summary.is_file(), "run {k} went on despite the failures");
    }
}

#[test]
fn a_bad_sweep_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        (
            "(sweep: [(parameter: \"mechanisms.microglia.activaton_per_hour\", values: [1.0])])",
            "sweep[0].parameter no parameter mechanisms.microglia.activaton_per_hour",
        ),
        (
            "(sweep: [(parameter: \"seed\", values: [])])",
            "sweep[0].values is empty",
        ),
        (
            "(sweep: [(parameter: \"fields.tnf.diffusion_um2_per_s\", values: [40.0, -3.0])])",
            "fields.tnf.diffusion_um2_per_s must be > 0, got -3 (at sweep point diffusion_um2_per_s=-3)",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let file = format!("s{i}.ron");
        write(d, &file, text);
        assert_clean_failure(&alsim(d, &["batch", &file, "--out", "b"]), needle);
        assert!(!d.join("b").exists(), "{file}: nothing may be written");
        assert_clean_failure(&alsim(d, &["validate", &file]), needle);
    }
    write(d, "swept.ron", SWEPT);
    assert_clean_failure(&alsim(d, &["run", "swept.ron"]), "alsim batch swept.ron");
    let out = alsim(d, &["validate", "swept.ron"]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sweep:      2 points"), "{text}");
}

#[test]
fn compare_writes_the_same_report_from_scenario_files_and_from_batch_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let default = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.ron"),
    )
    .unwrap();
    // 25 days of the default tissue, as it is and with twice its intrinsic stress: the stressed
    // one loses its motor neurons sooner.
    let short = default.replace("duration_days: 60.0", "duration_days: 25.0");
    let doubled = short.replace(
        "intrinsic_damage_per_day: 0.03",
        "intrinsic_damage_per_day: 0.06",
    );
    assert!(
        short != default && doubled != short,
        "default.ron changed its duration or stress; update this test"
    );
    write(d, "calm.ron", &short);
    write(d, "stressed.ron", &doubled);
    write(
        d,
        "calm-vs-stressed.ron",
        "(a: \"calm.ron\", b: \"stressed.ron\", replicates: 3)",
    );
    let err = assert_ok(&alsim(
        d,
        &["compare", "calm-vs-stressed.ron", "--jobs", "2"],
    ));
    let out = d.join("comparisons/calm-vs-stressed");
    assert!(err.contains("calm (3 runs) vs stressed (3 runs)"), "{err}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.starts_with("# calm vs stressed"), "{report}");
    assert!(
        report.contains("Times are days of simulated time"),
        "{report}"
    );
    assert!(
        report.contains("stressed loses 10% of motor neurons"),
        "{report}"
    );
    for plot in [
        "survival",
        "km_10pct",
        "km_50pct",
        "km_onset",
        "inflammation",
    ] {
        let png = std::fs::read(out.join(format!("{plot}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{plot}.png is not a PNG");
        assert!(out.join(format!("{plot}.svg")).is_file(), "{plot}.svg");
    }

    // The same runs from two batch folders give the same report.
    for name in ["calm", "stressed"] {
        let file = format!("{name}.ron");
        assert_ok(&alsim(
            d,
            &["batch", &file, "--replicates", "3", "--out", name],
        ));
    }
    assert_ok(&alsim(
        d,
        &["compare", "calm", "stressed", "--out", "again"],
    ));
    for file in ["report.md", "survival.svg", "km_10pct.png"] {
        assert!(
            std::fs::read(out.join(file)).unwrap()
                == std::fs::read(d.join("again").join(file)).unwrap(),
            "{file} differs"
        );
    }
    assert_clean_failure(
        &alsim(d, &["compare", "calm", "stressed.ron"]),
        "two scenario files or two batch folders",
    );
    assert_clean_failure(
        &alsim(d, &["compare", "calm", "nowhere"]),
        "nowhere: no such scenario file or batch folder",
    );
    // A folder with an unfinished run: compare cannot finish it, so it says who can.
    std::fs::remove_file(d.join("stressed/runs/stressed-r2/summary.json")).unwrap();
    let err = assert_clean_failure(
        &alsim(d, &["compare", "calm", "stressed", "--out", "partial"]),
        "1 planned run(s) did not finish",
    );
    assert!(err.contains("finish them with `alsim batch`"), "{err}");
}

#[test]
fn a_damaged_run_is_not_finished_for_merge_or_a_rerun() {
    let dir = folder_with(&[("quick.ron", QUICK)]);
    let d = dir.path();
    let shard = ["batch", "quick.ron", "--replicates", "2", "--out", "s"];
    assert_ok(&alsim(d, &shard));
    let damaged = d.join("s/runs/quick-r1/timeseries.csv");
    std::fs::remove_file(&damaged).unwrap();
    let merged = alsim(d, &["merge", "s", "--out", "m"]);
    let err = stderr(&merged);
    assert!(
        err.contains("quick-r1"),
        "the damaged run must be named: {err}"
    );
    assert!(!d.join("m/runs/quick-r1/summary.json").exists(), "{err}");
    let err = assert_ok(&alsim(d, &shard));
    assert!(err.contains("1 ran, 1 already finished"), "{err}");
    assert!(damaged.is_file(), "the rerun writes the time series again");
}

#[test]
fn a_second_batch_on_the_same_folder_is_refused_while_the_first_runs() {
    let dir = folder_with(&[(
        "slow.ron",
        // Half a year in hourly steps: long enough to be caught running.
        "(name: \"slow\", seed: 3, time: (duration_days: 180.0))",
    )]);
    let d = dir.path();
    let mut first = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(["batch", "slow.ron", "--out", "b", "--jobs", "1"])
        .current_dir(d)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = d.join("b/.alsim.lock");
    let holder = first.id().to_string();
    let started = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |t| t.trim() != holder) {
        assert!(started.elapsed() < Duration::from_secs(60), "no lock taken");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = alsim(d, &["batch", "slow.ron", "--out", "b"]);
    let err = assert_clean_failure(&second, &format!("in use by another alsim (pid {holder})"));
    assert!(!err.contains("failed:"), "no run is reported failed: {err}");
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first batch still runs"
    );
    first.kill().unwrap();
    first.wait().unwrap();
}
