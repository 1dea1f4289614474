"""The Python package against the command line: the same numbers as `alsim run`'s files, at
any thread count; overrides that change results and bad ones refused with the path named;
bodies' regions; batch and cohort folders read back as tidy tables."""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import alsim

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = ROOT / "scenarios" / "default.ron"
BODY = ROOT / "tests" / "scenarios" / "three-segments.ron"
COHORT = ROOT / "scenarios" / "cohorts" / "sporadic.ron"
SHORT = {"time.duration_days": 5}


def cli() -> Path:
    """The `alsim` binary: $ALSIM_BIN, else the release build of this repository."""
    path = Path(os.environ.get("ALSIM_BIN", ROOT / "target" / "release" / "alsim"))
    assert path.is_file(), f"{path}: build alsim first (cargo build --release)"
    return path


def bits(frame: pd.DataFrame) -> list:
    return [[float(v).hex() for v in row] for row in frame.to_numpy()]


def test_run_matches_the_command_lines_timeseries_bit_for_bit(tmp_path):
    out = tmp_path / "cli"
    subprocess.run(
        [cli(), "run", DEFAULT, "--out", out, "--set", "time.duration_days=5"],
        check=True,
        capture_output=True,
    )
    from_cli = pd.read_csv(out / "timeseries.csv")
    result = alsim.run(DEFAULT, overrides=SHORT)
    assert list(result.timeseries.columns) == list(from_cli.columns)
    assert len(result.timeseries) == 6
    assert bits(result.timeseries) == bits(from_cli)
    assert result.summary == json.loads((out / "summary.json").read_text())
    assert result.regions.empty


def test_the_same_seed_gives_the_same_numbers_at_any_thread_count():
    one = alsim.run(DEFAULT, overrides=SHORT, threads=1)
    two = alsim.run(DEFAULT, overrides=SHORT, threads=2)
    assert bits(one.timeseries) == bits(two.timeseries)
    other = alsim.run(DEFAULT, overrides=SHORT, seed=7, threads=2)
    assert bits(other.timeseries) != bits(two.timeseries)


def test_overrides_change_the_run():
    base = alsim.run(DEFAULT, overrides=SHORT)
    longer = alsim.run(DEFAULT, overrides={"time.duration_days": 8})
    assert len(longer.timeseries) == 9
    faster = alsim.run(
        DEFAULT, overrides={**SHORT, "mechanisms.microglia.activation_per_hour": 5.0}
    )
    assert bits(faster.timeseries) != bits(base.timeseries)
    assert alsim.load(DEFAULT, SHORT).ron != alsim.load(DEFAULT).ron


def test_bad_overrides_and_files_raise_alsims_message():
    with pytest.raises(alsim.AlsimError, match="mechanisms.microglia.activation_per_hour"):
        alsim.run(DEFAULT, overrides={"mechanisms.microglia.activation_per_hour": -1.0})
    with pytest.raises(alsim.AlsimError, match="mechanisms.microglia.no_such_rate"):
        alsim.load(DEFAULT, {"mechanisms.microglia.no_such_rate": 1})
    with pytest.raises(alsim.AlsimError, match="no/such/file.ron"):
        alsim.load("no/such/file.ron")
    with pytest.raises(alsim.AlsimError, match="cohort of"):
        alsim.run(COHORT)
    with pytest.raises(alsim.AlsimError, match="not a number, a flag or RON text"):
        alsim.run(DEFAULT, overrides={"time.duration_days": [5]})


def test_a_body_gives_its_regions_long_table_as_the_command_line_does(tmp_path):
    short = {"time.duration_days": 3}
    result = alsim.run(BODY, overrides=short)
    regions = result.regions
    assert list(regions.columns[:4]) == alsim.REGION_LABELS
    assert sorted(regions["region"].unique()) == ["L1", "L2", "L3"]
    assert len(regions) == 3 * len(result.timeseries)
    folder = alsim.run(BODY, overrides=short, out=tmp_path / "body")
    assert bits(folder.regions.iloc[:, 4:]) == bits(regions.iloc[:, 4:])
    assert folder.summary == result.summary


def test_read_batch_is_one_row_per_run_and_time_with_the_documented_columns(tmp_path):
    quick = tmp_path / "quick.ron"
    quick.write_text('(name: "quick", seed: 3, time: (duration_days: 3.0))')
    swept = tmp_path / "swept.ron"
    swept.write_text(
        '(name: "swept", seed: 5, time: (duration_days: 3.0), '
        'sweep: [(parameter: "mechanisms.microglia.activation_per_hour", values: [0.5, 2.0])])'
    )
    seen = []
    out = alsim.batch([quick, swept], tmp_path / "b", replicates=2, progress=False)
    alsim._alsim.batch(
        [str(quick)], str(tmp_path / "c"), replicates=2, on_progress=lambda d, n: seen.append((d, n))
    )
    assert seen[-1] == (2, 2)
    table = alsim.read_batch(out)
    assert list(table.columns[:4]) == ["run", "group", "replicate", "seed"]
    assert "mechanisms.microglia.activation_per_hour" in table.columns
    assert "time_days" in table.columns
    assert table["run"].nunique() == 6
    assert len(table) == 6 * 4, "six runs of four rows (days 0 to 3)"
    runs = alsim.read_batch(out, table="runs")
    assert len(runs) == 6 and "motor_neurons_initial" in runs.columns
    # Each run's rows are its own timeseries.csv.
    one = alsim.read_run(out / "runs" / "quick-r1")
    mine = table[table["run"] == "quick-r1"].iloc[:, 4:].reset_index(drop=True)
    assert bits(mine[one.timeseries.columns]) == bits(one.timeseries)


def test_a_cohort_folder_reads_back_one_row_per_person(tmp_path):
    out = alsim.cohort(
        COHORT, tmp_path / "c", people=3, overrides={"time.duration_days": 30}, progress=False
    )
    people = alsim.read_cohort(out)
    assert list(people["person"]) == [0, 1, 2]
    assert "mechanisms.ageing.proteostasis_half_life_years" in people.columns
    assert people["mechanisms.ageing.proteostasis_half_life_years"].between(40, 160).all()
    assert (out / "report" / "cohort.md").is_file()


def test_a_run_releases_the_gil_and_ctrl_c_stops_it():
    import signal
    import threading
    import time

    # A Python thread keeps counting while a run simulates: the GIL is free.
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    counter = threading.Thread(target=count)
    counter.start()
    started = time.monotonic()
    alsim.run(DEFAULT, overrides={"time.duration_days": 20}, threads=1)
    took = time.monotonic() - started
    stop.set()
    counter.join()
    assert len(ticks) > 0.3 * took / 0.01, f"{len(ticks)} counts in {took:.2f} s"
    # SIGINT during a long run (about 30 s) raises KeyboardInterrupt within a slice, not at its
    # end. Python's own handler, as at a terminal: a process started in the background of a
    # script inherits SIGINT ignored, and Python then installs none.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            alsim.run(DEFAULT, overrides={"time.duration_days": 3000}, threads=1)
        assert time.monotonic() - started < 5.0
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_person_run_into_a_folder_records_the_person_as_the_command_line_does(tmp_path):
    alsim.run(COHORT, {"time.duration_days": 2}, person=3, out=tmp_path / "py")
    subprocess.run(
        [cli(), "run", COHORT, "--person", "3", "--set", "time.duration_days=2",
         "--out", tmp_path / "cli"],
        check=True,
        capture_output=True,
    )
    py = json.loads((tmp_path / "py/manifest.json").read_text())
    from_cli = json.loads((tmp_path / "cli/manifest.json").read_text())
    assert py["person"]["index"] == 3
    assert py["person"] == from_cli["person"]
    assert py["scenario"] == from_cli["scenario"]
