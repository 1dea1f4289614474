"""The SOD1-G93A mouse as a function of its parameters, for the sensitivity and inference
examples (sensitivity.py, abc_mouse.py).

`simulate(values, seed)` runs `scenarios/sod1-g93a-mouse.ron` in this process with the given
parameters and returns the days to the calibration sheet's six events (`alsim.MOUSE_TARGETS`),
measured by alsim as `alsim calibrate` measures them. `evaluate` runs many parameter sets on
threads: alsim releases the GIL while it simulates, so two threads keep two cores busy.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

import alsim

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "sod1-g93a-mouse.ron"

#: Days simulated: the scenario's 150 days leave slow parameter sets short of end stage, so the
#: examples follow every mouse to day 200. An event not reached by then counts as day 200.
HORIZON_DAYS = 200.0

#: The size the examples run at. "full" is the scenario as calibrated (40 motor neurons in
#: 400 x 400 x 200 um); "reduced" halves the block (20 motor neurons in 400 x 200 x 200 um) for
#: a quick check, e.g. in CI: the course is the same disease, measured more coarsely.
SIZES: Mapping[str, Mapping[str, object]] = {
    "full": {},
    "reduced": {
        "tissue.size_um": "(400.0, 200.0, 200.0)",
        "populations.motor_neurons.amount": "Count(20)",
    },
}


@dataclass(frozen=True)
class Parameter:
    """A model parameter the examples vary: its dotted path, the scenario's hand-set value and
    its unit."""

    path: str
    hand_value: float
    unit: str

    @property
    def name(self) -> str:
        return self.path.removeprefix("mechanisms.")


#: Ten parameters of the mouse scenario (values as set by hand in sod1-g93a-mouse.ron).
PARAMETERS = [
    Parameter("mechanisms.aggregation.misfolding_per_day", 0.000179, "a.u./day"),
    Parameter("mechanisms.mitochondria.aggregate_toxicity_per_day", 0.0791, "1/day"),
    Parameter("mechanisms.transport.retraction_per_day", 0.12, "1/day"),
    Parameter("mechanisms.transport.aggregate_half_load", 6.22, "a.u."),
    Parameter("mechanisms.neuron_damage.repair_per_day", 0.00262, "1/day"),
    Parameter("mechanisms.neuron_damage.vulnerability_log_sd", 0.35, "log-scale SD"),
    Parameter("mechanisms.neuron_damage.aggregate_damage_per_day", 0.02, "damage/day"),
    Parameter("mechanisms.neuron_damage.tnf_damage_per_day", 0.0542, "damage/day"),
    Parameter("mechanisms.neuron_damage.denervation_damage_per_day", 0.06, "damage/day"),
    Parameter("mechanisms.astrocytes.toxicity_scale", 2.66, "multiplier"),
]

BY_NAME = {p.name: p for p in PARAMETERS}

#: Event keys in time order (`alsim.Target.key`).
EVENTS = [t.key for t in alsim.MOUSE_TARGETS]


def overrides(values: Mapping[str, float], size: str) -> dict:
    """The overrides for a parameter set ({name: value}) at `size`."""
    if size not in SIZES:
        raise ValueError(f"size {size!r}: choose one of {sorted(SIZES)}")
    out = dict(SIZES[size])
    out["time.duration_days"] = HORIZON_DAYS
    for name, value in values.items():
        out[BY_NAME[name].path] = float(value)
    return out


def simulate(values: Mapping[str, float], seed: int, size: str = "full") -> dict:
    """Days to each event of the mouse course ({key: day}); an event not reached by the
    horizon counts as the horizon."""
    result = alsim.run(SCENARIO, overrides(values, size), seed=seed, threads=1)
    course = alsim.mouse_course(result)
    return {k: (HORIZON_DAYS if d is None else d) for k, d in course.items()}


def evaluate(
    sets: Sequence[Mapping[str, float]],
    seeds: Sequence[int],
    size: str = "full",
    workers: Optional[int] = None,
    on_done: Optional[Callable[[int, int], None]] = None,
) -> list:
    """`simulate` for each parameter set with its seed, `workers` at a time (all cores by
    default), results in input order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(simulate, v, s, size) for v, s in zip(sets, seeds)]
        results = []
        for i, f in enumerate(futures):
            results.append(f.result())
            if on_done is not None:
                on_done(i + 1, len(futures))
        return results


def log10_bounds(parameter: Parameter, fold: float) -> list:
    """[low, high] of log10(value) for the hand value divided and multiplied by `fold`."""
    centre = math.log10(parameter.hand_value)
    return [centre - math.log10(fold), centre + math.log10(fold)]
