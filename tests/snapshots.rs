//! VTK snapshots of `alsim run`: the files hold what the simulation held at each snapshot,
//! read back by alsim's reader here and by VTK itself (Python) in the test `.ci/run` runs.

#[path = "../crates/alsim-core/tests/support/mod.rs"]
mod model;
mod support;

use alsim::core::{CellRecord, CellState, FieldId, Simulation};
use alsim::io::vtk::{self, Values};
use alsim::io::{SnapshotFiles, read_snapshots};
use alsim::scenario::Scenario;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::stderr;

/// `default.ron` cut to 30 days, snapshots every 5: neurons have died and debris and IL-10
/// have spread by the last ones.
fn scenario() -> Scenario {
    let mut s = model::bundled("default");
    s.time.duration_days = 30.0;
    s.time.snapshot_every_days = Some(5.0);
    s
}

/// What the simulation holds at one snapshot, computed in this process.
struct Expected {
    time_days: f64,
    fields: Vec<Vec<f32>>,
    cells: Vec<CellRecord>,
}

/// Steps `scenario` in a two-thread pool and records the fields and cells at every snapshot
/// tick, as `alsim run` would write them.
fn expected(scenario: &Scenario) -> Vec<Expected> {
    let every = scenario.time.snapshot_every_ticks().unwrap();
    {
        let mut sim = Simulation::builder(scenario).threads(2).build().unwrap();
        let record = |sim: &mut Simulation| Expected {
            time_days: sim.time_days(),
            fields: FieldId::ALL.map(|f| sim.fields().values(f).to_vec()).into(),
            cells: sim.cells(),
        };
        let mut out = vec![record(&mut sim)];
        while !sim.is_finished() {
            sim.step();
            if sim.tick().is_multiple_of(every) || sim.is_finished() {
                out.push(record(&mut sim));
            }
        }
        out
    }
}

/// Runs `scenario` with the binary, and `extra` arguments, into `dir/name`; returns the run
/// folder.
fn run_binary(scenario: &Scenario, dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let file = dir.join(format!("{name}.ron"));
    std::fs::write(&file, scenario.to_ron_string()).unwrap();
    let out = dir.join(name);
    let res = Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", stderr(&res));
    out
}

fn f32s<'a>(values: &'a Values) -> &'a [f32] {
    match values {
        Values::F32(v) => v,
        other => panic!("expected Float32, got {other:?}"),
    }
}

#[test]
fn snapshots_hold_the_simulation_s_fields_and_cells_bit_for_bit() {
    let scenario = scenario();
    let dir = tempfile::tempdir().unwrap();
    let run = run_binary(&scenario, dir.path(), "run", &[]);
    let files = read_snapshots(&run).unwrap();
    let expected = expected(&scenario);
    assert_eq!(files.len(), 7, "days 0, 5, ..., 30");
    assert_eq!(files.len(), expected.len());
    let mut debris_seen = false;
    for (file, want) in files.iter().zip(&expected) {
        assert_eq!(file.time_days, want.time_days);
        let grid = vtk::read_image_data(&file.fields).unwrap();
        assert_eq!(grid.voxels, [20, 20, 10]);
        assert_eq!(grid.spacing_um, [20.0; 3]);
        assert_eq!(grid.origin_um, [0.0; 3]);
        let names: Vec<&str> = grid.arrays.iter().map(|a| &*a.name).collect();
        assert_eq!(names, ["tnf", "il10", "debris", "ros", "seeds"]);
        for (array, values) in grid.arrays.iter().zip(&want.fields) {
            let got = f32s(&array.values);
            assert!(
                got.iter()
                    .zip(values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{} differs at day {}",
                array.name,
                file.time_days
            );
        }
        debris_seen |= want.fields[FieldId::Debris as usize]
            .iter()
            .any(|&v| v > 1.0);

        let cells = vtk::read_poly_data(&file.cells).unwrap();
        let positions: Vec<[f32; 3]> = want.cells.iter().map(|c| c.position_um).collect();
        assert_eq!(&*cells.points, positions.as_slice());
        let ids: Vec<u64> = want.cells.iter().map(|c| c.id.0).collect();
        assert_eq!(cells.arrays[0].values, Values::U64(ids.into()));
        let states: Vec<u8> = want.cells.iter().map(|c| c.state.code()).collect();
        assert_eq!(cells.arrays[2].values, Values::U8(states.into()));
        let damage = cells.arrays.iter().find(|a| a.name == "damage").unwrap();
        for (got, cell) in f32s(&damage.values).iter().zip(&want.cells) {
            assert_eq!(
                got.to_bits(),
                cell.variable("damage").unwrap().to_bits(),
                "cell {:?}",
                cell.id
            );
        }
    }
    assert!(
        debris_seen,
        "the scenario should have killed neurons by day 30"
    );
}

#[test]
fn cell_states_in_a_snapshot_agree_with_the_time_series_counts() {
    let scenario = scenario();
    {
        let mut sim = Simulation::builder(&scenario).threads(2).build().unwrap();
        for _ in 0..25 * 24 {
            sim.step();
        }
        let cells = sim.cells();
        let obs = sim.observe();
        let count = |state| cells.iter().filter(|c| c.state == state).count() as f64;
        assert!(cells.windows(2).all(|w| w[0].id < w[1].id), "id order");
        assert!(obs.motor_neurons_dead > 0, "deaths by day 25");
        assert_eq!(count(CellState::Dead), obs.motor_neurons_dead as f64);
        assert_eq!(count(CellState::Dying), obs.motor_neurons_dying as f64);
        assert_eq!(
            count(CellState::Stressed),
            obs.motor_neurons_stressed as f64
        );
        assert_eq!(
            count(CellState::Surveying),
            obs["microglia_surveying"],
            "surveying microglia"
        );
        assert_eq!(
            count(CellState::AntiInflammatory),
            obs["microglia_antiinflammatory"]
        );
        assert_eq!(count(CellState::Reactive), obs["astrocytes_reactive"]);
        let glia = cells
            .iter()
            .filter(|c| c.state == CellState::Surveying)
            .collect::<Vec<_>>();
        assert!(
            glia.iter().all(|c| c.variable("damage").unwrap().is_nan()),
            "glia have no damage"
        );
    }
}

#[test]
fn snapshots_do_not_change_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let with = run_binary(&scenario(), dir.path(), "with", &[]);
    let mut plain = scenario();
    plain.time.snapshot_every_days = None;
    let without = run_binary(&plain, dir.path(), "without", &[]);
    for file in ["timeseries.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(with.join(file)).unwrap(),
            std::fs::read(without.join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(!without.join("vtk").exists(), "no snapshots asked for");
}

/// The values the Python reader checks the files against: for every snapshot, chosen voxels
/// (the corners, an inner voxel and each field's largest) and chosen cells (first, middle,
/// last by id), as this process computed them.
fn expected_json(expected: &[Expected], voxels: [usize; 3]) -> Value {
    let [nx, ny, nz] = voxels;
    let snapshots: Vec<Value> = expected
        .iter()
        .map(|e| {
            let mut probes = vec![[0, 0, 0], [nx - 1, ny - 1, nz - 1], [3, 7, 5]];
            for values in &e.fields {
                let (i, _) = values
                    .iter()
                    .enumerate()
                    .fold((0, f32::MIN), |m, (i, &v)| if v > m.1 { (i, v) } else { m });
                probes.push([i % nx, (i / nx) % ny, i / (nx * ny)]);
            }
            let voxels: Vec<Value> = probes
                .iter()
                .map(|&[x, y, z]| {
                    let i = x + nx * (y + ny * z);
                    let values: serde_json::Map<String, Value> = FieldId::ALL
                        .iter()
                        .map(|&f| (f.name().to_string(), json!(e.fields[f as usize][i])))
                        .collect();
                    json!({"ijk": [x, y, z], "values": values})
                })
                .collect();
            let n = e.cells.len();
            let cells: Vec<Value> = [0, n / 2, n - 1]
                .map(|i| &e.cells[i])
                .iter()
                .map(|c| {
                    json!({
                        "index": e.cells.iter().position(|d| d.id == c.id),
                        "id": c.id.0,
                        "kind": c.kind.code(),
                        "state": c.state.code(),
                        "position_um": c.position_um,
                        "damage": finite_or_null(c.variable("damage").unwrap()),
                        "support": finite_or_null(c.variable("support").unwrap()),
                    })
                })
                .collect();
            let mut by_state = vec![0u64; CellState::ALL.len()];
            for c in &e.cells {
                by_state[usize::from(c.state.code())] += 1;
            }
            json!({
                "time_days": e.time_days,
                "voxels": voxels,
                "cells": cells,
                "cell_count": n,
                "cells_by_state": by_state,
            })
        })
        .collect();
    let cell_arrays: Vec<&str> = ["id", "kind", "state"]
        .into_iter()
        .chain(CellRecord::variable_names())
        .collect();
    json!({
        "dimensions": [nx + 1, ny + 1, nz + 1],
        "spacing_um": 20.0,
        "origin_um": [0.0, 0.0, 0.0],
        "fields": FieldId::ALL.map(FieldId::name),
        "cell_arrays": cell_arrays,
        "snapshots": snapshots,
    })
}

/// Runs by `.ci/run` with `ALSIM_VTK_PYTHON` set to a Python that has the `vtk` package:
/// VTK's own XML readers (what ParaView uses) load the files of a real run and compare them
/// with the values this process computed, written to `expected.json` beside the run.
#[test]
#[ignore = "needs Python with the vtk package: .ci/run sets ALSIM_VTK_PYTHON and runs it"]
fn vtk_itself_reads_the_snapshots_alsim_wrote() {
    let python = std::env::var("ALSIM_VTK_PYTHON").expect(
        "set ALSIM_VTK_PYTHON to a Python with the vtk package (python3 -m venv v && v/bin/pip install vtk)",
    );
    let scenario = scenario();
    let dir = tempfile::tempdir().unwrap();
    let run = run_binary(&scenario, dir.path(), "run", &[]);
    let expected = expected_json(&expected(&scenario), [20, 20, 10]);
    let expected_path = dir.path().join("expected.json");
    std::fs::write(&expected_path, expected.to_string()).unwrap();
    let files: Vec<SnapshotFiles> = read_snapshots(&run).unwrap();
    assert_eq!(files.len(), 7);
    let out = vtk_reader_check(&python, "check_vtk.py", &run, &expected_path);
    assert!(out.contains("7 snapshots checked"), "{out}");
}

/// Runs `tests/vtk_reader/<script>` with `python` on the run folder `run` and the expectations
/// `expected`; returns what it printed, failing unless it passed.
fn vtk_reader_check(python: &str, script: &str, run: &Path, expected: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vtk_reader")
        .join(script);
    let res = Command::new(python)
        .arg(&script)
        .arg(run)
        .arg(expected)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {python}: {e}"));
    let out = String::from_utf8_lossy(&res.stdout).into_owned();
    println!("{out}");
    assert!(
        res.status.success(),
        "the VTK reader check failed:\n{out}\n{}",
        stderr(&res)
    );
    out
}

/// Width and height of a PNG, read from its header; panics unless it is a PNG.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

fn alsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_alsim"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn render_draws_a_numbered_series_and_run_plots_draws_the_time_series() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_binary(&scenario(), dir.path(), "run", &["--plots"]);
    for plot in ["motor_neurons.png", "glia.png", "fields.png"] {
        let (w, h) = png_size(&run.join("plots").join(plot));
        assert!(w >= 1000 && h >= 600, "{plot} is {w} × {h}");
    }

    let res = alsim(&["render", run.to_str().unwrap()]);
    assert!(res.status.success(), "{}", stderr(&res));
    let mut names: Vec<String> = std::fs::read_dir(run.join("render"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let expected: Vec<String> = (0..7).map(|i| format!("debris_z05_{i:04}.png")).collect();
    assert_eq!(names, expected, "one picture per snapshot, middle layer");
    let sizes: Vec<_> = names
        .iter()
        .map(|n| png_size(&run.join("render").join(n)))
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");

    let out = dir.path().join("pictures");
    let res = alsim(&[
        "render",
        run.to_str().unwrap(),
        "--field",
        "il10",
        "--z-slice",
        "0",
        "--time",
        "13",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    // Day 13 is nearest to the snapshot of day 15, the fourth.
    assert!(out.join("il10_z00_0003.png").is_file());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn render_refuses_bad_input_naming_it_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut short = scenario();
    short.time.duration_days = 5.0;
    let run = run_binary(&short, dir.path(), "run", &[]);
    let run = run.to_str().unwrap();
    let missing = dir.path().join("nope");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let blocked = blocker.join("pictures");
    for (args, needle) in [
        (
            vec!["render", missing.to_str().unwrap()],
            "no such run folder",
        ),
        (
            vec!["render", run, "--field", "tnff"],
            "choose one of tnf, il10",
        ),
        (
            vec!["render", run, "--z-slice", "10"],
            "--z-slice 10 is outside the grid: it has 10 layers of 20 µm",
        ),
        (vec!["render", run, "--time", "6"], "cover days 0 to 5"),
        (
            vec!["render", run, "--max", "0"],
            "--max must be a number > 0",
        ),
        (
            vec!["render", run, "--out", blocked.to_str().unwrap()],
            "cannot write",
        ),
    ] {
        support::assert_clean_failure(&alsim(&args), needle);
    }
    // A run without snapshots says how to get them.
    let mut no_snapshots = short.clone();
    no_snapshots.time.snapshot_every_days = None;
    let plain = run_binary(&no_snapshots, dir.path(), "plain", &[]);
    support::assert_clean_failure(
        &alsim(&["render", plain.to_str().unwrap()]),
        "set time.snapshot_every_days in the scenario",
    );
    assert!(
        !Path::new(run).join("render").exists(),
        "nothing drawn on refusal"
    );
}

/// A variable as JSON: null where it is NaN (missing).
fn finite_or_null(v: f32) -> Value {
    if v.is_nan() { Value::Null } else { json!(v) }
}

/// `tests/scenarios/three-segments.ron` cut to 10 days with snapshots every 5, run by the
/// binary into `dir/body`, and the same body stepped to its end in this process.
fn body_run(dir: &Path) -> (Scenario, PathBuf, alsim::core::Body) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/three-segments.ron");
    let mut scenario = alsim::scenario::load(&path).unwrap();
    scenario.time.duration_days = 10.0;
    scenario.time.snapshot_every_days = Some(5.0);
    let run = run_binary(&scenario, dir, "body", &[]);
    let mut body = alsim::core::Body::new(&scenario).unwrap();
    while !body.is_finished() {
        body.step();
    }
    (scenario, run, body)
}

#[test]
fn a_body_s_snapshots_place_each_region_at_its_origin_with_its_own_state() {
    let dir = tempfile::tempdir().unwrap();
    let (_, run, mut body) = body_run(dir.path());
    for (i, region) in body.regions_mut().iter_mut().enumerate() {
        let name = region.spec.name.clone();
        let fields_pvd = run.join("vtk").join(&name).join("fields.pvd");
        let listed = vtk::read_collection(&fields_pvd).unwrap();
        assert_eq!(
            listed.iter().map(|l| l.0).collect::<Vec<_>>(),
            [0.0, 5.0, 10.0]
        );
        // Side by side along x: 400 µm blocks 200 µm apart.
        let origin = [600.0 * i as f64, 0.0, 0.0];
        let last = vtk::read_image_data(&listed[2].1).unwrap();
        assert_eq!(last.origin_um, origin, "{name}");
        for (array, field) in last.arrays.iter().zip(FieldId::ALL) {
            let want = region.sim.fields().values(field);
            let got = f32s(&array.values);
            assert!(
                got.iter()
                    .zip(want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name}: {} differs",
                array.name
            );
        }
        let cells_pvd = run.join("vtk").join(&name).join("cells.pvd");
        let cells = vtk::read_poly_data(&vtk::read_collection(&cells_pvd).unwrap()[2].1).unwrap();
        let records = region.sim.cells();
        assert_eq!(cells.points.len(), records.len());
        for (point, record) in cells.points.iter().zip(&records) {
            let shifted: [f32; 3] =
                std::array::from_fn(|k| (f64::from(record.position_um[k]) + origin[k]) as f32);
            assert_eq!(*point, shifted, "{name}");
        }
    }
    // body.pvd: at each of the three times, fields and cells of the three regions as parts 0-5.
    let body_pvd = std::fs::read_to_string(run.join("vtk/body.pvd")).unwrap();
    assert_eq!(body_pvd.matches("<DataSet ").count(), 3 * 6);
    assert!(body_pvd.contains(r#"timestep="10" group="" part="5" file="L3/cells_0002.vtp""#));
}

/// Runs by `.ci/run` like the test above: VTK's readers load a body's snapshots (one folder per
/// region, `vtk/body.pvd`) and compare them with this process's own simulation of the body.
#[test]
#[ignore = "needs Python with the vtk package: .ci/run sets ALSIM_VTK_PYTHON and runs it"]
fn vtk_itself_reads_a_body_s_snapshots() {
    let python = std::env::var("ALSIM_VTK_PYTHON").expect("set ALSIM_VTK_PYTHON");
    let dir = tempfile::tempdir().unwrap();
    let (scenario, run, mut body) = body_run(dir.path());
    let axis = scenario.neuraxis.as_ref().unwrap();
    let regions: Vec<Value> = body
        .regions_mut()
        .iter_mut()
        .enumerate()
        .map(|(i, r)| {
            let origin = axis.origin_um(i, &scenario.tissue);
            let grid = r.sim.fields();
            let shape = grid.shape();
            let fields: serde_json::Map<String, Value> = FieldId::ALL
                .iter()
                .map(|&f| {
                    let values = grid.values(f);
                    let largest = (0..values.len())
                        .max_by(|&a, &b| values[a].total_cmp(&values[b]))
                        .unwrap();
                    let picks: Vec<Value> = [0, values.len() / 2, largest]
                        .iter()
                        .map(|&k| json!([k, values[k]]))
                        .collect();
                    (f.name().to_string(), Value::Array(picks))
                })
                .collect();
            let cells = r.sim.cells();
            let first: Vec<f64> = (0..3)
                .map(|k| f64::from((f64::from(cells[0].position_um[k]) + origin[k]) as f32))
                .collect();
            json!({
                "name": r.spec.name,
                "origin_um": origin,
                "voxels": [shape.nx, shape.ny, shape.nz],
                "fields": fields,
                "cells": cells.len(),
                "first_cell_um": first,
            })
        })
        .collect();
    let expected = json!({ "snapshots": 3, "regions": regions });
    let expected_path = dir.path().join("expected-body.json");
    std::fs::write(&expected_path, expected.to_string()).unwrap();
    let out = vtk_reader_check(&python, "check_body.py", &run, &expected_path);
    assert!(
        out.contains("3 regions, 45 voxel values checked, 0 failures"),
        "{out}"
    );
}
