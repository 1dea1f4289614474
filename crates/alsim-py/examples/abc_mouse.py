"""Calibrating the SOD1-G93A mouse by ABC-SMC with pyABC.

Six parameters of `scenarios/sod1-g93a-mouse.ron` (PARAMETERS below) get log-uniform priors
from a third to three times their hand-set values, and pyABC's sequential Monte Carlo looks for
the values whose simulated course matches the calibration sheet's: the days to a transport
deficit, to 40% of endplates denervated, to 20% and 50% of motor neurons lost, to clinical
onset and to end stage (`alsim.MOUSE_TARGETS`). Each simulation draws a fresh seed, so the
posterior carries the model's own mouse-to-mouse spread.

The distance: each event's distance from the middle of its target range in units of the
range's half-width, combined in quadrature (a run with every event inside its range is within
sqrt(6) = 2.45).

    python abc_mouse.py --out abc                          # full size: at most 2,500 runs
    python abc_mouse.py --size reduced --population 24 --generations 3

Writes posterior.csv (one row per parameter: prior and posterior 90% intervals, posterior
mean, the hand value and its posterior quantile), generations.csv (epsilon, acceptance rate),
predictive.csv (the posterior predictive course), abc.db (pyABC's history) and the plots
posterior.png and predictive.png into --out.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import ConcurrentFutureSampler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alsim  # noqa: E402
import mouse  # noqa: E402

#: The parameters calibrated; the others keep their hand values.
PARAMETERS = [
    mouse.BY_NAME[n]
    for n in [
        "aggregation.misfolding_per_day",
        "mitochondria.aggregate_toxicity_per_day",
        "transport.retraction_per_day",
        "neuron_damage.repair_per_day",
        "neuron_damage.vulnerability_log_sd",
        "astrocytes.toxicity_scale",
    ]
]

#: The prior of each runs from its hand value divided by this to its hand value times this.
FOLD = 3.0

#: A parameter interval counts as identified when its posterior 90% interval (in log10) is at
#: most this share of its prior's.
IDENTIFIED_SHARE = 0.5

TARGETS = alsim.MOUSE_TARGETS
OBSERVED = {t.key: (t.low + t.high) / 2 for t in TARGETS}
HALF_WIDTH = {t.key: (t.high - t.low) / 2 for t in TARGETS}


def key(parameter: mouse.Parameter) -> str:
    """pyABC's name of a parameter (no dots)."""
    return parameter.name.replace(".", "__")


def prior() -> pyabc.Distribution:
    """log10 of each parameter uniform over [hand / FOLD, hand * FOLD]."""
    rvs = {}
    for p in PARAMETERS:
        low, high = mouse.log10_bounds(p, FOLD)
        rvs[key(p)] = pyabc.RV("uniform", low, high - low)
    return pyabc.Distribution(**rvs)


def distance(simulated: dict, observed: dict) -> float:
    return math.sqrt(
        sum(((simulated[k] - observed[k]) / HALF_WIDTH[k]) ** 2 for k in observed)
    )


def values_of(log10_values) -> dict:
    return {p.name: 10.0 ** log10_values[key(p)] for p in PARAMETERS}


class Model:
    """The simulator as pyABC calls it: log10 parameters in, the course out; each call gets the
    next seed of a counter (thread-safe), so simulations never share a seed."""

    def __init__(self, size: str, first_seed: int):
        self.size = size
        self.seeds = itertools.count(first_seed)
        self.lock = threading.Lock()

    def __call__(self, log10_values) -> dict:
        with self.lock:
            seed = next(self.seeds)
        return mouse.simulate(values_of(log10_values), seed, self.size)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(np.interp(q, cumulative, values[order]))


def posterior_table(frame: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    rows = []
    for p in PARAMETERS:
        x = frame[key(p)].to_numpy()
        low, high = mouse.log10_bounds(p, FOLD)
        prior_width = 0.9 * (high - low)
        q05, q95 = (weighted_quantile(x, weights, q) for q in (0.05, 0.95))
        hand = math.log10(p.hand_value)
        share = (q95 - q05) / prior_width
        rows.append(
            {
                "parameter": p.name,
                "unit": p.unit,
                "hand_value": p.hand_value,
                "prior_5pct": 10 ** (low + 0.05 * (high - low)),
                "prior_95pct": 10 ** (low + 0.95 * (high - low)),
                "posterior_mean": float(np.sum(weights * 10.0**x) / weights.sum()),
                "posterior_5pct": 10**q05,
                "posterior_95pct": 10**q95,
                "interval_share_of_prior": share,
                "identified": share <= IDENTIFIED_SHARE,
                "hand_value_quantile": float(np.sum(weights[x <= hand]) / weights.sum()),
            }
        )
    return pd.DataFrame(rows)


def predictive(frame, weights, draws: int, size: str, first_seed: int, rng) -> pd.DataFrame:
    """The course of `draws` parameter sets drawn from the posterior, each with a new seed."""
    picks = rng.choice(len(frame), size=draws, p=weights / weights.sum())
    sets = [values_of(frame.iloc[i]) for i in picks]
    courses = mouse.evaluate(sets, range(first_seed, first_seed + draws), size)
    return pd.DataFrame(courses)


def plot(frame, weights, table, predicted, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, math.ceil(len(PARAMETERS) / 2), figsize=(14, 7))
    for ax, p, (_, row) in zip(axes.flat, PARAMETERS, table.iterrows()):
        low, high = mouse.log10_bounds(p, FOLD)
        ax.hist(frame[key(p)], bins=20, range=(low, high), weights=weights, density=True)
        ax.axhline(1 / (high - low), color="grey", linestyle=":", label="prior")
        ax.axvline(math.log10(p.hand_value), color="red", label="hand value")
        ax.set_title(p.name, fontsize=9)
        ax.set_xlabel(f"log10 value ({p.unit})")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("ABC-SMC posterior (last generation)")
    fig.tight_layout()
    fig.savefig(out / "posterior.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, t in enumerate(TARGETS):
        ax.plot([t.low, t.high], [i, i], color="black", linewidth=6, alpha=0.3)
        ax.scatter(predicted[t.key], np.full(len(predicted), i) + 0.15, s=8)
    ax.set_yticks(range(len(TARGETS)))
    ax.set_yticklabels([t.key for t in TARGETS])
    ax.set_xlabel("day (grey: target range; dots: posterior predictive runs)")
    fig.tight_layout()
    fig.savefig(out / "predictive.png", dpi=120)
    plt.close(fig)


def calibrate(args, db: Path) -> pyabc.History:
    """Runs ABC-SMC into the database `db` and returns its history."""
    np.random.seed(args.seed)  # pyABC draws its particles from numpy's global generator
    executor = ThreadPoolExecutor(max_workers=args.workers)
    sampler = ConcurrentFutureSampler(
        executor, client_max_jobs=2 * executor._max_workers, default_pickle=False
    )
    abc = pyabc.ABCSMC(
        Model(args.size, args.seed), prior(), distance, population_size=args.population,
        sampler=sampler,
    )
    abc.new(f"sqlite:///{db}", OBSERVED)
    history = abc.run(
        max_nr_populations=args.generations,
        minimum_epsilon=args.minimum_epsilon,
        max_total_nr_simulations=args.max_simulations,
        min_acceptance_rate=args.min_acceptance_rate,
    )
    executor.shutdown()
    return history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("abc"))
    parser.add_argument("--size", choices=sorted(mouse.SIZES), default="full")
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--minimum-epsilon", type=float, default=1.0)
    parser.add_argument(
        "--max-simulations", type=int, default=2500, help="stop before a generation beyond it"
    )
    parser.add_argument(
        "--min-acceptance-rate", type=float, default=0.05, help="stop when fewer are accepted"
    )
    parser.add_argument("--predictive-draws", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None, help="simulations at a time")
    parser.add_argument("--seed", type=int, default=1, help="first simulation seed")
    parser.add_argument(
        "--report-only", action="store_true",
        help="no new generations: report on the generations already in OUT/abc.db (e.g. of a "
        "run stopped early)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "abc.db"
    if args.report_only:
        history = pyabc.History(f"sqlite:///{db}")
    else:
        if db.exists():
            db.unlink()
        history = calibrate(args, db)

    populations = history.get_all_populations()
    generations = populations[populations.t >= 0][["t", "epsilon", "samples", "particles"]].copy()
    generations["acceptance_rate"] = generations.particles / generations.samples
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    weights = np.asarray(weights)
    table = posterior_table(frame, weights)
    predicted = predictive(
        frame, weights, args.predictive_draws, args.size, 10**6 + args.seed,
        np.random.default_rng(args.seed),
    )
    for t in TARGETS:
        predicted[f"{t.key}_inside"] = predicted[t.key].between(t.low, t.high)

    generations.to_csv(args.out / "generations.csv", index=False)
    table.to_csv(args.out / "posterior.csv", index=False)
    predicted.to_csv(args.out / "predictive.csv", index=False)
    plot(frame, weights, table, predicted, args.out)

    print(generations.to_string(index=False))
    print(table.to_string(index=False))
    for t in TARGETS:
        print(f"{t.key}: posterior predictive inside {t.low:g}-{t.high:g} in "
              f"{predicted[f'{t.key}_inside'].mean():.0%} of runs")
    return {"generations": generations, "posterior": table, "predictive": predicted}


if __name__ == "__main__":
    main()
