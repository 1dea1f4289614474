//! End-to-end tests of the `alsim` binary: run folders, determinism across thread counts, and
//! clear errors (never a panic) for bad input.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{alsim, assert_clean_failure, stderr};

fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<_> = lines.next().unwrap().split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    lines
        .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn help_starts_by_saying_what_alsim_is() {
    for flag in ["--help", "-h"] {
        let res = alsim(&[flag]);
        assert!(res.status.success(), "{}", stderr(&res));
        let help = String::from_utf8(res.stdout).unwrap();
        assert!(
            help.starts_with("alsim: agent-based simulator of spinal cord tissue in ALS"),
            "{flag}:\n{help}"
        );
        assert!(!help.contains("argument handling"), "{flag}:\n{help}");
        assert!(help.contains("Usage: alsim <COMMAND>"), "{flag}:\n{help}");
    }
}

#[test]
fn default_scenario_writes_a_run_folder_where_neurons_die_and_microglia_activate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = alsim(&[
        "run",
        "scenarios/default.ron",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    for f in [
        "manifest.json",
        "timeseries.csv",
        "summary.json",
        "scenario.ron",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "partial files left: {leftovers:?}");

    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let alive = column(&csv, "motor_neurons_alive");
    assert_eq!(alive.len(), 61, "one row per day from day 0 to day 60");
    assert!(alive.last() < alive.first(), "motor neurons die: {alive:?}");
    let activated: Vec<f64> = column(&csv, "microglia_antiinflammatory")
        .iter()
        .zip(column(&csv, "microglia_proinflammatory"))
        .map(|(a, p)| a + p)
        .collect();
    assert_eq!(activated[0], 0.0);
    assert!(activated.iter().any(|&a| a > 0.0), "microglia change state");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["days_to_10pct_mn_loss"].is_number(), "{summary}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["scenario"]["name"], "default");
    assert!(manifest["wall_time_seconds"].as_f64().unwrap() > 0.0);
    // The resolved scenario in the folder runs again as it is.
    let res = alsim(&["validate", out.join("scenario.ron").to_str().unwrap()]);
    assert!(res.status.success(), "{}", stderr(&res));
}

#[test]
fn one_and_two_threads_write_byte_identical_time_series() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, seed: &str| {
        let out = dir.path().join(format!("t{threads}-s{seed}"));
        let res = alsim(&[
            "run",
            "scenarios/default.ron",
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--seed",
            seed,
        ]);
        assert!(res.status.success(), "{}", stderr(&res));
        (
            std::fs::read(out.join("timeseries.csv")).unwrap(),
            std::fs::read(out.join("summary.json")).unwrap(),
        )
    };
    let one = run("1", "7");
    let two = run("2", "7");
    assert!(
        one.0 == two.0,
        "timeseries.csv differs between 1 and 2 threads"
    );
    assert!(
        one.1 == two.1,
        "summary.json differs between 1 and 2 threads"
    );
    // The comparison can fail: another seed gives another history.
    assert!(run("2", "8").0 != one.0, "seed must matter");
}

#[test]
fn malformed_ron_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "bad.ron", "(\n  name: \"x\",\n  seed: 3,,\n)\n");
    let out = dir.path().join("out");
    let res = alsim(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_clean_failure(&res, "bad.ron:3:");
    assert!(
        !out.exists(),
        "no output folder for a file that does not parse"
    );
}

#[test]
fn unknown_field_names_the_field_and_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(
        dir.path(),
        "typo.ron",
        "(\n  tissue: (voxle_um: 20.0),\n)\n",
    );
    let res = alsim(&["validate", path.to_str().unwrap()]);
    assert_clean_failure(&res, "typo.ron:2:");
    assert_clean_failure(&res, "voxle_um");
}

#[test]
fn negative_diffusion_names_the_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(
        dir.path(),
        "neg.ron",
        "(fields: (tnf: (diffusion_um2_per_s: -3.0, decay_per_hour: 1.0)))",
    );
    let res = alsim(&["run", path.to_str().unwrap()]);
    assert_clean_failure(&res, "fields.tnf.diffusion_um2_per_s must be > 0, got -3");
}

#[test]
fn impossible_grid_is_refused_without_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(
        dir.path(),
        "huge.ron",
        "(tissue: (size_um: (1000000.0, 1000000.0, 1000.0), voxel_um: 1.0))",
    );
    let res = alsim(&["run", path.to_str().unwrap()]);
    assert_clean_failure(&res, "voxels, more than the limit");
}

#[test]
fn missing_file_and_unwritable_output_are_clear_errors() {
    let res = alsim(&["validate", "no/such/file.ron"]);
    assert_clean_failure(&res, "no/such/file.ron: cannot read scenario file");
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let target = blocker.join("run");
    let res = alsim(&[
        "run",
        "scenarios/default.ron",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_clean_failure(&res, "cannot write");
}

#[test]
fn a_finished_run_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let short = write_scenario(
        dir.path(),
        "short.ron",
        "(name: \"short\", time: (duration_days: 2.0))",
    );
    let args = [
        "run",
        short.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    assert!(alsim(&args).status.success());
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let res = alsim(&args);
    assert_clean_failure(&res, "--force");
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    // Pictures drawn from the old run go when it is replaced.
    std::fs::create_dir_all(out.join("render")).unwrap();
    std::fs::write(out.join("render/tnf_z05_0000.png"), b"old").unwrap();
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(alsim(&forced).status.success());
    assert!(!out.join("render").exists(), "stale pictures kept");
}

#[test]
fn validate_reports_grid_cells_and_memory() {
    let res = alsim(&["validate", "scenarios/default.ron"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(text.contains("20 × 20 × 10 = 4000 voxels"), "{text}");
    assert!(text.contains("40 motor neurons"), "{text}");
    assert!(text.contains("MiB"), "{text}");
}

#[test]
fn a_killed_run_leaves_nothing_that_looks_finished() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let long = write_scenario(
        dir.path(),
        "long.ron",
        "(name: \"long\", time: (duration_days: 36500.0, output_every_days: 1.0))",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args([
            "run",
            long.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = out.join("timeseries.csv.partial");
    let started = std::time::Instant::now();
    while !partial.exists() {
        assert!(
            started.elapsed().as_secs() < 60,
            "run never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    for finished in ["summary.json", "timeseries.csv", "manifest.json"] {
        assert!(
            !out.join(finished).exists(),
            "{finished} present after a kill"
        );
    }
    // Nothing finished was there, so the same command may simply run again.
    let short = write_scenario(
        dir.path(),
        "long.ron",
        "(name: \"long\", time: (duration_days: 1.0))",
    );
    let res = alsim(&[
        "run",
        short.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(out.join("summary.json").is_file());
}

#[test]
fn running_twice_without_out_keeps_both_runs() {
    let dir = tempfile::tempdir().unwrap();
    let short = write_scenario(
        dir.path(),
        "s.ron",
        "(name: \"twice\", seed: 5, time: (duration_days: 1.0))",
    );
    let run = || {
        let res = Command::new(env!("CARGO_BIN_EXE_alsim"))
            .args(["run", short.to_str().unwrap()])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(res.status.success(), "{}", stderr(&res));
    };
    run();
    run();
    assert!(dir.path().join("runs/twice-seed5/summary.json").is_file());
    assert!(dir.path().join("runs/twice-seed5-2/summary.json").is_file());
}

#[test]
fn bench_at_the_smallest_size_prints_every_part_of_the_table_and_the_plot() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("scaling.png");
    let res = alsim(&["bench", "--size", "s", "--plot", plot.to_str().unwrap()]);
    assert!(res.status.success(), "{}", stderr(&res));
    let text = String::from_utf8_lossy(&res.stdout);
    for part in [
        "STREAM triad",
        "GB/s",
        "64^3",
        "of bound",
        "Mcell-updates/s",
        "large-s",
        "speed-up",
        "n/a (one size)",
        "per cell",
        "per voxel and field",
    ] {
        assert!(text.contains(part), "no '{part}' in:\n{text}");
    }
    let png = std::fs::read(&plot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn bench_refuses_an_unknown_size_or_probe_without_panicking() {
    for args in [
        &["bench", "--size", "XL"][..],
        &["bench", "--probe", "cells:9"][..],
    ] {
        let res = alsim(args);
        assert!(!res.status.success(), "{args:?} succeeded");
        let err = stderr(&res);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("XL") || err.contains("cells:9"), "{err}");
    }
}

#[test]
fn set_changes_the_result_and_the_manifest_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "run",
            "scenarios/default.ron",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let res = alsim(&args);
        assert!(res.status.success(), "{}", stderr(&res));
        out
    };
    let plain = run("plain", &[]);
    let set = run(
        "set",
        &["--set", "mechanisms.aggregation.misfolding_per_day=0.01"],
    );
    let series = |out: &Path| std::fs::read(out.join("timeseries.csv")).unwrap();
    assert!(series(&plain) != series(&set), "--set must change the run");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(set.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["overrides"],
        serde_json::json!(["mechanisms.aggregation.misfolding_per_day=0.01"])
    );
    assert_eq!(
        manifest["scenario"]["mechanisms"]["aggregation"]["misfolding_per_day"],
        0.01
    );
    let plain_manifest = std::fs::read_to_string(plain.join("manifest.json")).unwrap();
    assert!(!plain_manifest.contains("overrides"), "{plain_manifest}");
}

#[test]
fn a_misspelt_set_path_is_refused_with_the_nearest_names() {
    for command in ["run", "validate", "batch"] {
        let out = alsim(&[
            command,
            "scenarios/default.ron",
            "--set",
            "mechanisms.microglia.activaton_per_hour=0.3",
        ]);
        let err = assert_clean_failure(&out, "did you mean activation_per_hour");
        assert!(
            err.contains("--set mechanisms.microglia.activaton_per_hour=0.3"),
            "{command}: {err}"
        );
    }
    let out = alsim(&["validate", "scenarios/default.ron", "--set", "seed=many"]);
    assert_clean_failure(&out, "\"many\" is not a value seed takes");
    // A malformed override is a usage error, refused by the argument parser (exit 2).
    let out = alsim(&["validate", "scenarios/default.ron", "--set", "seed"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not path=value"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn a_scenario_that_extends_a_base_runs_as_the_copied_file_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("scenarios/default.ron").unwrap();
    std::fs::write(dir.path().join("base.ron"), &base).unwrap();
    // The copy: the base with its seed and microglial activation edited in place.
    let copied = base.replacen("seed: 42,", "seed: 43,", 1).replacen(
        "mechanisms: (",
        "mechanisms: (\n        microglia: (activation_per_hour: 0.3),",
        1,
    );
    assert!(
        copied != base && copied.contains("seed: 43,"),
        "edit missed"
    );
    let copied = write_scenario(dir.path(), "copied.ron", &copied);
    let child = write_scenario(
        dir.path(),
        "child.ron",
        r#"(extends: "base.ron", seed: 43, mechanisms: (microglia: (activation_per_hour: 0.3)))"#,
    );
    let run = |file: &Path| {
        let out = dir.path().join(file.file_stem().unwrap());
        let res = alsim(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(res.status.success(), "{}", stderr(&res));
        (
            std::fs::read(out.join("timeseries.csv")).unwrap(),
            std::fs::read(out.join("summary.json")).unwrap(),
            std::fs::read(out.join("scenario.ron")).unwrap(),
        )
    };
    assert!(
        run(&copied) == run(&child),
        "extends must equal the copied file"
    );
}

#[test]
fn a_closed_stderr_neither_panics_nor_loses_the_run() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut child = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args([
            "run",
            "scenarios/default.ron",
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closing the only reader makes every later write to stderr fail (EPIPE).
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}");
    for file in ["timeseries.csv", "summary.json", "manifest.json"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert!(!out.join("timeseries.csv.partial").exists());
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(["validate", "scenarios/default.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .output()
        .unwrap();
    assert_clean_failure(&out, "cannot write to standard output");
}

#[test]
fn scenario_files_are_read_only_from_regular_files_of_bounded_size() {
    let out = alsim(&["validate", "/dev/zero"]);
    assert_clean_failure(&out, "not a regular file");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.ron");
    let mut text = String::from("(name: \"big\")\n");
    text.push_str(&"// padding\n".repeat(500_000));
    std::fs::write(&big, text).unwrap();
    let out = alsim(&["validate", big.to_str().unwrap()]);
    assert_clean_failure(&out, "larger than 4 MiB");
}

#[test]
fn a_byte_order_mark_at_the_start_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("scenarios/default.ron").unwrap();
    let bom = write_scenario(dir.path(), "bom.ron", &format!("\u{feff}{text}"));
    let out = alsim(&["validate", bom.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_run_folder_has_one_writer_and_a_killed_writer_leaves_it_free() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("S");
    let mut first = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(["run", "scenarios/sporadic.ron", "--threads", "1", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = out.join(".alsim.lock");
    let holder = first.id().to_string();
    let started = std::time::Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |t| t.trim() != holder) {
        assert!(
            started.elapsed().as_secs() < 60,
            "the first run never took its lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    for args in [
        vec!["run", "scenarios/default.ron", "--seed", "5", "--out"],
        vec!["render"],
    ] {
        let mut args: Vec<&str> = args;
        args.push(out.to_str().unwrap());
        let second = alsim(&args);
        assert_clean_failure(&second, &format!("in use by another alsim (pid {holder})"));
    }
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run must still be running"
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let again = alsim(&[
        "run",
        "scenarios/default.ron",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn absurd_thread_counts_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let res = alsim(&[
        "run",
        "scenarios/default.ron",
        "--threads",
        "2000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_clean_failure(
        &res,
        "2000 threads (--threads, or threads= in Python) is more than 4 per core",
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn an_out_path_that_is_not_a_folder_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "a-file", "x");
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    for (out, what) in [
        (file.as_path(), "is a file, not a folder"),
        (dangling.as_path(), "is a link to nothing, not a folder"),
        (Path::new("/dev/null"), "is a device or other special file"),
    ] {
        for command in ["run", "batch"] {
            let res = alsim(&[
                command,
                "scenarios/default.ron",
                "--out",
                out.to_str().unwrap(),
            ]);
            assert_clean_failure(&res, what);
        }
    }
}

#[test]
fn a_neuraxis_run_writes_the_regions_table_and_the_site_of_onset_identically_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("body-{threads}"));
        let res = alsim(&[
            "run",
            "tests/scenarios/three-segments.ron",
            "--set",
            "time.duration_days=30",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(res.status.success(), "{}", stderr(&res));
        outputs.push(out);
    }
    for file in ["timeseries.csv", "regions.csv", "summary.json"] {
        let [one, two] = [0, 1].map(|i| std::fs::read(outputs[i].join(file)).unwrap());
        assert!(one == two, "{file} differs between 1 and 2 threads");
    }
    // Three regions per output day (days 0 to 30), each labelled; the whole body adds them up.
    let regions = std::fs::read_to_string(outputs[0].join("regions.csv")).unwrap();
    let rows: Vec<&str> = regions.lines().skip(1).collect();
    assert_eq!(rows.len(), 3 * 31);
    assert!(
        rows[..3]
            .iter()
            .zip(["L1", "L2", "L3"])
            .all(|(r, n)| r.starts_with(&format!("{n},Left,Lower,Leg,")))
    );
    let series = std::fs::read_to_string(outputs[0].join("timeseries.csv")).unwrap();
    let alive = column(&series, "motor_neurons_alive");
    assert_eq!(alive.len(), 31);
    assert_eq!(alive[0], 120.0);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outputs[0].join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["focus"], "L1");
    assert_eq!(summary["site_of_onset"], "L1");
    assert_eq!(summary["regions"].as_array().unwrap().len(), 3);
}

#[test]
fn validate_describes_a_neuraxis_by_its_regions() {
    let res = alsim(&["validate", "tests/scenarios/three-segments.ron"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let text = String::from_utf8(res.stdout).unwrap();
    assert!(
        text.contains(
            "neuraxis:   3 regions (0 of upper motor neurons), 4 connections; 12000 voxels in all"
        ),
        "{text}"
    );
    assert!(text.contains("cells:      120 motor neurons"), "{text}");
}

#[test]
fn render_draws_a_region_of_a_neuraxis_run_and_asks_for_one_when_none_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("body");
    let res = alsim(&[
        "run",
        "tests/scenarios/three-segments.ron",
        "--set",
        "time.duration_days=10",
        "--set",
        "time.snapshot_every_days=5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    let run = out.to_str().unwrap();
    assert_clean_failure(
        &alsim(&["render", run]),
        "choose one with --region (one of L1, L2, L3)",
    );
    assert_clean_failure(
        &alsim(&["render", run, "--region", "L9"]),
        "its regions are L1, L2, L3",
    );
    let res = alsim(&["render", run, "--region", "L3", "--time", "10"]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(out.join("render/L3/debris_z05_0002.png").is_file());
}
