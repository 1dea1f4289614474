//! Checkpoints, resume and interrupts, end to end with the real binary and real signals: a run
//! killed (SIGKILL, also in the middle of writing a checkpoint) or interrupted (SIGINT) and then
//! resumed writes the same bytes as a run never stopped.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};
use support::{alsim as output, assert_clean_failure, stderr};

/// Starts the `alsim` binary with `args` without waiting, its stderr captured.
fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_alsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the alsim binary starts")
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig}");
}

/// Waits until `done` holds, polling every millisecond; fails after two minutes.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        sleep(Duration::from_millis(1));
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Fails unless `a` and `b` hold byte-identical time series, summaries and VTK snapshots
/// (collections and every snapshot file).
fn assert_same_results(a: &Path, b: &Path) {
    let snapshots = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir.join("vtk"))
            .map(|entries| {
                entries
                    .map(|e| format!("vtk/{}", e.unwrap().file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let files = snapshots(a);
    assert_eq!(files, snapshots(b), "the snapshot files differ");
    for name in ["timeseries.csv", "summary.json"]
        .map(String::from)
        .into_iter()
        .chain(files)
    {
        let (x, y) = (
            fs::read(a.join(&name)).unwrap(),
            fs::read(b.join(&name)).unwrap(),
        );
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn resume(dir: &Path) {
    let res = output(&["run", "--resume", s(dir), "--threads", "1"]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(
        !dir.join("checkpoint.bin").exists(),
        "removed once finished"
    );
    assert!(
        !dir.join("incomplete.json").exists(),
        "removed once finished"
    );
}

/// A scenario on a larger grid with cheap ticks (one field sub-step, few cells), so a
/// checkpoint takes a while to write compared with a tick.
fn heavy(dir: &Path) -> PathBuf {
    let path = dir.join("heavy.ron");
    fs::write(
        &path,
        r#"(
            name: "heavy",
            seed: 3,
            time: (dt_hours: 1.0, field_dt_minutes: 60.0, duration_days: 2.0),
            tissue: (size_um: (2000.0, 2000.0, 1000.0), voxel_um: 20.0),
            populations: (
                microglia: (amount: Count(60)),
                astrocytes: (amount: Count(60)),
            ),
        )"#,
    )
    .unwrap();
    path
}

#[test]
fn a_run_killed_and_resumed_writes_the_bytes_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let res = output(&["run", "scenarios/default.ron", "--out", s(&whole)]);
    assert!(res.status.success(), "{}", stderr(&res));

    let killed = dir.path().join("killed");
    let mut child = spawn(&[
        "run",
        "scenarios/default.ron",
        "--out",
        s(&killed),
        "--checkpoint-every",
        "5days",
        "--threads",
        "2",
    ]);
    let checkpoint = killed.join("checkpoint.bin");
    wait_for("a checkpoint", || checkpoint.exists());
    signal(&child, "-KILL");
    child.wait().unwrap();
    assert!(
        !killed.join("summary.json").exists(),
        "killed before the end"
    );
    assert!(
        !killed.join("timeseries.csv").exists(),
        "never looks finished"
    );

    resume(&killed);
    assert!(
        fs::read_dir(killed.join("vtk")).unwrap().count() > 4,
        "default.ron takes snapshots, so the resumed run's are compared too"
    );
    assert_same_results(&whole, &killed);
    let manifest = fs::read_to_string(killed.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"scenario_file\": \"scenarios/default.ron\""),
        "{manifest}"
    );
}

#[test]
fn a_neuraxis_run_killed_and_resumed_writes_the_bytes_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "tests/scenarios/three-segments.ron";
    let snapshots = "time.snapshot_every_days=10";
    let whole = dir.path().join("whole");
    let res = output(&["run", scenario, "--set", snapshots, "--out", s(&whole)]);
    assert!(res.status.success(), "{}", stderr(&res));

    let killed = dir.path().join("killed");
    let mut child = spawn(&[
        "run",
        scenario,
        "--set",
        snapshots,
        "--out",
        s(&killed),
        "--checkpoint-every",
        "10days",
        "--threads",
        "2",
    ]);
    wait_for("a checkpoint", || killed.join("checkpoint.bin").exists());
    signal(&child, "-KILL");
    child.wait().unwrap();
    assert!(
        !killed.join("summary.json").exists(),
        "killed before the end"
    );
    assert!(!killed.join("regions.csv").exists(), "never looks finished");

    resume(&killed);
    // Every file but the manifest (wall time, threads): the tables, the summary, and each
    // region's snapshots and the body's collection.
    let mut files = vec![
        PathBuf::from("timeseries.csv"),
        "regions.csv".into(),
        "summary.json".into(),
    ];
    let mut pending = vec![PathBuf::from("vtk")];
    while let Some(sub) = pending.pop() {
        for entry in fs::read_dir(whole.join(&sub)).unwrap() {
            let name = sub.join(entry.unwrap().file_name());
            if whole.join(&name).is_dir() {
                pending.push(name);
            } else {
                files.push(name);
            }
        }
    }
    assert!(files.len() > 3 + 3 * 2 * 11, "{} files", files.len());
    for file in files {
        let [a, b] = [&whole, &killed].map(|d| fs::read(d.join(&file)).unwrap());
        assert!(a == b, "{} differs after the resume", file.display());
    }
}

#[test]
fn a_kill_while_a_checkpoint_is_written_leaves_the_previous_one_resumable() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = heavy(dir.path());
    let whole = dir.path().join("whole");
    let res = output(&["run", s(&scenario), "--out", s(&whole), "--threads", "1"]);
    assert!(res.status.success(), "{}", stderr(&res));

    // A checkpoint after every tick; kill the moment a new one is being written while an
    // older one exists. The kill may land just after the rename: then try again.
    let mut caught = false;
    for attempt in 0..10 {
        let run = dir.path().join(format!("killed-{attempt}"));
        let (done, partial) = (
            run.join("checkpoint.bin"),
            run.join("checkpoint.bin.partial"),
        );
        let mut child = spawn(&[
            "run",
            s(&scenario),
            "--out",
            s(&run),
            "--checkpoint-every",
            "0.01days",
            "--threads",
            "1",
        ]);
        wait_for("a checkpoint being written after a finished one", || {
            done.exists() && partial.exists() || run.join("summary.json").exists()
        });
        signal(&child, "-KILL");
        child.wait().unwrap();
        if !partial.exists() || run.join("summary.json").exists() {
            continue;
        }
        caught = true;
        resume(&run);
        assert!(!partial.exists(), "the cut-short write is cleared");
        assert_same_results(&whole, &run);
        break;
    }
    assert!(
        caught,
        "no kill landed while a checkpoint was being written"
    );
}

#[test]
fn ctrl_c_stops_after_the_step_with_a_checkpoint_and_a_marked_partial_series() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = heavy(dir.path());
    let whole = dir.path().join("whole");
    let res = output(&["run", s(&scenario), "--out", s(&whole), "--threads", "1"]);
    assert!(res.status.success(), "{}", stderr(&res));

    let run = dir.path().join("interrupted");
    let child = spawn(&["run", s(&scenario), "--out", s(&run), "--threads", "1"]);
    // The time series file appears once the world is built and the first row written.
    wait_for("the run to start", || {
        run.join("timeseries.csv.partial").exists()
    });
    signal(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("interrupted at day") && err.contains("alsim run --resume"),
        "{err}"
    );
    let marker = fs::read_to_string(run.join("incomplete.json")).unwrap();
    assert!(marker.contains("\"reason\": \"interrupted"), "{marker}");
    assert!(run.join("checkpoint.bin").is_file());
    assert!(
        !run.join("timeseries.csv").exists(),
        "only the partial series"
    );
    assert!(!run.join("summary.json").exists());
    let partial = fs::read_to_string(run.join("timeseries.csv.partial")).unwrap();
    assert!(partial.lines().count() >= 2, "header and the first row");

    resume(&run);
    assert_same_results(&whole, &run);
}

#[test]
fn ctrl_c_stops_a_batch_and_the_same_command_continues_it() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = heavy(dir.path());
    let out = dir.path().join("batch");
    let args = [
        "batch",
        s(&scenario),
        "--replicates",
        "2",
        "--jobs",
        "1",
        "--out",
        s(&out),
    ];
    let child = spawn(&args);
    let first = out.join("runs/heavy-r0");
    wait_for("the first run to start", || {
        first.join("timeseries.csv.partial").exists()
    });
    signal(&child, "-INT");
    let res = child.wait_with_output().unwrap();
    let err = stderr(&res);
    assert_eq!(res.status.code(), Some(130), "{err}");
    assert!(
        err.contains("1 run(s) stopped with a checkpoint, 1 not started"),
        "{err}"
    );
    assert!(first.join("checkpoint.bin").is_file());

    let res = output(&args);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(stderr(&res).contains("heavy-r0 continues from its checkpoint"));
    let whole = dir.path().join("whole");
    let res = output(&["run", s(&scenario), "--out", s(&whole)]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert_same_results(&whole, &first);
}

#[test]
fn resume_refuses_damaged_foreign_and_missing_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let child = spawn(&[
        "run",
        "scenarios/default.ron",
        "--out",
        s(&run),
        "--checkpoint-every",
        "1days",
    ]);
    let checkpoint = run.join("checkpoint.bin");
    wait_for("a checkpoint", || checkpoint.exists());
    signal(&child, "-KILL");
    let mut child = child;
    child.wait().unwrap();
    let good = fs::read(&checkpoint).unwrap();

    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    fs::write(&checkpoint, &damaged).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    assert_clean_failure(
        &res,
        "checkpoint.bin is damaged (its checksum does not match",
    );

    fs::write(&checkpoint, &good[..good.len() - 100]).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    assert_clean_failure(&res, "checkpoint.bin is damaged (truncated");

    // The version string sits right after the 16-byte magic, the format and its length.
    let mut foreign = good.clone();
    foreign[22] = b'9';
    fs::write(&checkpoint, &foreign).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    assert_clean_failure(&res, "was written by alsim 9");

    // A damaged version length must not dump the payload into the message.
    let mut long = good.clone();
    long[20..22].copy_from_slice(&u16::MAX.to_le_bytes());
    fs::write(&checkpoint, &long).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    let err = assert_clean_failure(&res, "its header is damaged (the version field)");
    assert!(err.len() < 1000, "{} bytes of message", err.len());

    // A checkpoint of another run (another seed) copied in is refused, not finished here.
    let other = dir.path().join("other");
    let child = spawn(&[
        "run",
        "scenarios/default.ron",
        "--seed",
        "9",
        "--out",
        s(&other),
        "--checkpoint-every",
        "1days",
    ]);
    wait_for("the other run's checkpoint", || {
        other.join("checkpoint.bin").exists()
    });
    signal(&child, "-KILL");
    let mut child = child;
    child.wait().unwrap();
    fs::copy(other.join("checkpoint.bin"), &checkpoint).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    assert_clean_failure(&res, "checkpoint.bin is of another scenario or seed");
    fs::write(&checkpoint, &good).unwrap();

    let res = output(&["run", "scenarios/default.ron", "--out", s(&run)]);
    assert_clean_failure(&res, "holds an unfinished run with a checkpoint");

    fs::remove_file(&checkpoint).unwrap();
    let res = output(&["run", "--resume", s(&run)]);
    assert_clean_failure(&res, "has no checkpoint");
}
