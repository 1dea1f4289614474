"""alsim from Python: ALS spinal cord simulations run in this process, results as pandas
DataFrames.

    import alsim
    result = alsim.run("scenarios/default.ron", overrides={"time.duration_days": 20})
    result.timeseries          # one row per output time, as timeseries.csv
    result.regions             # a body of regions: one row per region and time (else empty)
    result.summary             # as summary.json

    alsim.batch(["scenarios/sporadic.ron"], out="batches/s", replicates=10)
    table = alsim.read_batch("batches/s")       # one row per run and time

Parameters are set by the dotted paths that `alsim run --set`, sweeps and validation errors
use. Every error alsim reports arrives as `alsim.AlsimError` with alsim's own message (the
file, line and column, or the field path, and the fix). Runs release the GIL, and Ctrl-C
stops them with KeyboardInterrupt (a batch keeps each run's checkpoint and resumes).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from os import PathLike, fspath
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _alsim
from ._alsim import AlsimError, __version__

__all__ = [
    "AlsimError",
    "Result",
    "Scenario",
    "Target",
    "__version__",
    "batch",
    "cohort",
    "load",
    "MOUSE_TARGETS",
    "mouse_course",
    "read_batch",
    "read_cohort",
    "read_run",
    "run",
]

Pathish = Union[str, PathLike]

#: The labels that start each row of a body's regions table.
REGION_LABELS = ["region", "side", "neurons", "serves"]


@dataclass(frozen=True)
class Scenario:
    """A scenario file as alsim resolved it: its name, seed and every value (RON text)."""

    name: str
    seed: int
    ron: str


@dataclass
class Result:
    """What a run shows: its time series, a body's regions, and its summary."""

    timeseries: pd.DataFrame
    regions: pd.DataFrame
    summary: dict = field(default_factory=dict)


def load(path: Pathish, overrides: Optional[Mapping[str, Any]] = None) -> Scenario:
    """Reads and validates a scenario file with `overrides` ({dotted path: value}) applied."""
    name, seed, ron = _alsim.load(fspath(path), dict(overrides or {}))
    return Scenario(name=name, seed=seed, ron=ron)


def _regions(columns, labels, rows) -> pd.DataFrame:
    values = pd.DataFrame(rows, columns=columns, dtype="float64")
    names = pd.DataFrame(labels, columns=REGION_LABELS, dtype="object")
    return pd.concat([names, values], axis=1)


def run(
    path: Pathish,
    overrides: Optional[Mapping[str, Any]] = None,
    *,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    person: Optional[int] = None,
    out: Optional[Pathish] = None,
) -> Result:
    """Runs a scenario (or person `person` of a cohort file) and returns its results.

    Nothing is written unless `out` names a run folder, which is then written as `alsim run
    --out` writes it and read back. Same scenario and seed give the same numbers at any
    `threads`.
    """
    overrides = dict(overrides or {})
    if out is not None:
        _alsim.run_to_folder(
            fspath(path), fspath(out), overrides, seed=seed, threads=threads, person=person
        )
        return read_run(out)
    columns, rows, region_columns, labels, region_rows, summary = _alsim.run(
        fspath(path), overrides, seed=seed, threads=threads, person=person
    )
    return Result(
        timeseries=pd.DataFrame(rows, columns=columns, dtype="float64"),
        regions=_regions(region_columns, labels, region_rows),
        summary=json.loads(summary),
    )


@dataclass(frozen=True)
class Target:
    """A measured event of the SOD1-G93A mouse's course: its key, what it is, its range in
    days and the source."""

    key: str
    observable: str
    low: float
    high: float
    source: str


#: The calibration sheet's mouse course (as `alsim calibrate` compares it), in time order.
MOUSE_TARGETS = [Target(*t) for t in _alsim.mouse_targets()]


def mouse_course(result: Result) -> dict:
    """Days from the start of a mouse run (a block, e.g. `sod1-g93a-mouse.ron`) to each event of
    `MOUSE_TARGETS`, keyed by `Target.key`; `None` for one not reached in the run. Measured
    by alsim itself, as `alsim calibrate` does."""
    frame = result.timeseries
    days = _alsim.mouse_course(
        [str(c) for c in frame.columns],
        frame.to_numpy(dtype="float64").tolist(),
        json.dumps(result.summary),
    )
    return {t.key: d for t, d in zip(MOUSE_TARGETS, days)}


def read_run(path: Pathish) -> Result:
    """Reads a run folder written by `alsim run` (or a batch's `runs/<name>/`)."""
    folder = Path(path)
    summary_file = folder / "summary.json"
    if not summary_file.is_file():
        raise AlsimError(f"{folder}: no summary.json, so not a finished run folder")
    regions_file = folder / "regions.csv"
    regions = (
        pd.read_csv(regions_file)
        if regions_file.is_file()
        else pd.DataFrame(columns=REGION_LABELS)
    )
    return Result(
        timeseries=pd.read_csv(folder / "timeseries.csv"),
        regions=regions,
        summary=json.loads(summary_file.read_text()),
    )


def _plan(folder: Path) -> dict:
    plan = folder / "batch.json"
    if not plan.is_file():
        raise AlsimError(f"{folder}: no batch.json, so not a batch or cohort folder")
    return json.loads(plan.read_text())


def read_batch(path: Pathish, table: str = "timeseries") -> pd.DataFrame:
    """One tidy table of a batch or cohort folder's finished runs.

    `table="timeseries"`: one row per run and output time: `run`, `group`, `replicate`, `seed`,
    the run's swept values (one column per parameter path), then the time series' columns.
    `table="regions"`: the same for bodies' regions tables. `table="runs"`: one row per run
    with its summary (runs.parquet).
    """
    folder = Path(path)
    plan = _plan(folder)
    if table == "runs":
        return pd.read_parquet(folder / "runs.parquet")
    if table not in ("timeseries", "regions"):
        raise AlsimError(f"table={table!r}: choose 'timeseries', 'regions' or 'runs'")
    frames = []
    for r in plan["runs"]:
        run_dir = folder / "runs" / r["name"]
        csv = run_dir / f"{table}.csv"
        if not (run_dir / "summary.json").is_file() or not csv.is_file():
            continue
        frame = pd.read_csv(csv)
        ids = {"run": r["name"], "group": r["group"], "replicate": r["replicate"], "seed": r["seed"]}
        ids.update(r.get("sweep", {}))
        if r.get("person") is not None:
            ids["person"] = r["person"]["index"]
        for i, (key, value) in enumerate(ids.items()):
            frame.insert(i, key, value)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["run", "group", "replicate", "seed"])
    return pd.concat(frames, ignore_index=True)


def read_cohort(path: Pathish) -> pd.DataFrame:
    """The people table of a cohort folder (people.parquet): one row per person, their draws
    and outcomes."""
    folder = Path(path)
    _plan(folder)
    people = folder / "people.parquet"
    if not people.is_file():
        raise AlsimError(f"{folder}: no people.parquet; run alsim.cohort() or `alsim merge` on it")
    return pd.read_parquet(people)


def _progress(unit: str) -> Callable[[int, int], None]:
    """A progress display: tqdm's bar when it is installed, else a line per finished run."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    state = {"bar": None, "shown": -1}

    def show(done: int, planned: int) -> None:
        if tqdm is not None:
            if state["bar"] is None and planned:
                state["bar"] = tqdm(total=planned, unit=unit)
            if state["bar"] is not None:
                state["bar"].update(done - state["bar"].n)
                if done >= planned:
                    state["bar"].close()
        elif done != state["shown"] and planned:
            state["shown"] = done
            print(f"alsim: {done}/{planned} {unit}", file=sys.stderr)

    return show


def batch(
    paths: Sequence[Pathish],
    out: Pathish,
    *,
    replicates: int = 1,
    jobs: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    timeseries_table: bool = False,
    progress: bool = True,
) -> Path:
    """Runs scenario files as `alsim batch` does into the folder `out` (finished runs are
    skipped, so calling again resumes), writes runs.csv and runs.parquet (and with
    `timeseries_table` timeseries.parquet), and returns the folder."""
    _alsim.batch(
        [fspath(p) for p in paths],
        fspath(out),
        replicates=replicates,
        jobs=jobs,
        overrides=dict(overrides or {}),
        timeseries_table=timeseries_table,
        on_progress=_progress("runs") if progress else None,
    )
    return Path(out)


def cohort(
    path: Pathish,
    out: Pathish,
    *,
    people: Optional[int] = None,
    jobs: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    timeseries_table: bool = False,
    progress: bool = True,
) -> Path:
    """Runs the people of a cohort file as `alsim cohort` does into `out`, writes people.csv,
    people.parquet, the runs tables and the cohort report, and returns the folder."""
    _alsim.cohort(
        fspath(path),
        fspath(out),
        people=people,
        jobs=jobs,
        overrides=dict(overrides or {}),
        timeseries_table=timeseries_table,
        on_progress=_progress("people") if progress else None,
    )
    return Path(out)
