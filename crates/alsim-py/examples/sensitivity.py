"""Global sensitivity of the SOD1-G93A mouse with SALib: Morris screening, then Sobol indices.

Ten parameters of `scenarios/sod1-g93a-mouse.ron` (mouse.PARAMETERS) vary log-uniformly from
half to twice their hand-set values. The outputs are the days to clinical onset, to half the
motor neurons lost and to end stage, and the symptomatic phase (end stage less onset): which
parameters set when disease shows, and which how fast it then runs.

    python sensitivity.py --out sensitivity            # full size: about 1,000 runs
    python sensitivity.py --size reduced --morris-trajectories 3 --sobol-top 3 --sobol-samples 32

With --sobol-top K, only the K parameters Morris ranks highest get Sobol indices (the others
keep their hand values): screening first, then the costly decomposition where it matters.
Every run uses the same seed (common random numbers), so an output is a deterministic function
of the parameters and the indices measure the parameters' effect, not the seed's. Writes
morris.csv, sobol.csv, evaluations.csv and the plots morris.png and sobol.png into --out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mouse  # noqa: E402

#: The outputs: name and how it is read from a run's course (days).
OUTPUTS = {
    "onset": lambda c: c["onset"],
    "loss_50pct": lambda c: c["loss_50pct"],
    "end_stage": lambda c: c["end_stage"],
    "symptomatic_phase": lambda c: c["end_stage"] - c["onset"],
}

#: Each parameter varies from its hand value divided by this to its hand value times this.
FOLD = 2.0


def problem(parameters) -> dict:
    """SALib's problem: the parameters' log10 values."""
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [mouse.log10_bounds(p, FOLD) for p in parameters],
    }


def run_design(design: np.ndarray, names: list, seed: int, size: str, label: str) -> pd.DataFrame:
    """Simulates each row of `design` (log10 values of the parameters `names`; the others keep
    their hand values); one row of outputs each."""
    sets = [dict(zip(names, 10.0**row)) for row in design]

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            print(f"{label}: {done}/{total} runs", file=sys.stderr)

    courses = mouse.evaluate(sets, [seed] * len(sets), size, on_done=progress)
    frame = pd.DataFrame(sets)
    for name, read in OUTPUTS.items():
        frame[name] = [read(c) for c in courses]
    frame["reached_end_stage"] = [c["end_stage"] < mouse.HORIZON_DAYS for c in courses]
    frame.insert(0, "design", label)
    return frame


def indices(spec: dict, analyze, runs: pd.DataFrame, keys: list) -> pd.DataFrame:
    """One row per output and parameter: SALib's indices `keys` from `analyze(outputs)`."""
    rows = []
    for output in OUTPUTS:
        result = analyze(runs[output].to_numpy())
        for i, name in enumerate(spec["names"]):
            rows.append({"output": output, "parameter": name, **{k: result[k][i] for k in keys}})
    return pd.DataFrame(rows)


def morris(trajectories: int, seed: int, size: str) -> tuple:
    spec = problem(mouse.PARAMETERS)
    design = morris_sample.sample(spec, N=trajectories, num_levels=4, seed=seed)
    runs = run_design(design, spec["names"], seed, size, "morris")
    return indices(
        spec,
        lambda y: morris_analyze.analyze(spec, design, y, num_levels=4, seed=seed),
        runs,
        ["mu_star", "mu_star_conf", "sigma"],
    ), runs


def screened(morris_table: pd.DataFrame, top: int) -> list:
    """The `top` parameters Morris ranks highest (all for 0): by their largest mu* over the
    outputs, each output's mu* taken relative to its largest."""
    if top <= 0 or top >= len(mouse.PARAMETERS):
        return list(mouse.PARAMETERS)
    t = morris_table.copy()
    t["relative"] = t.mu_star / t.groupby("output").mu_star.transform("max")
    ranked = t.groupby("parameter").relative.max().sort_values(ascending=False)
    chosen = set(ranked.index[:top])
    return [p for p in mouse.PARAMETERS if p.name in chosen]


def sobol(parameters: list, samples: int, seed: int, size: str) -> tuple:
    spec = problem(parameters)
    design = sobol_sample.sample(spec, samples, calc_second_order=False, seed=seed)
    runs = run_design(design, spec["names"], seed, size, "sobol")
    return indices(
        spec,
        lambda y: sobol_analyze.analyze(spec, y, calc_second_order=False, seed=seed),
        runs,
        ["S1", "S1_conf", "ST", "ST_conf"],
    ), runs


def plot(morris_table: pd.DataFrame, sobol_table: pd.DataFrame, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(5 * len(OUTPUTS), 4.5))
    for ax, output in zip(axes, OUTPUTS):
        t = morris_table[morris_table.output == output]
        ax.scatter(t.mu_star, t.sigma)
        for _, r in t.iterrows():
            ax.annotate(r.parameter, (r.mu_star, r.sigma), fontsize=7)
        ax.set_title(f"Morris: {output}")
        ax.set_xlabel("mu* (days per unit log10)")
        ax.set_ylabel("sigma")
    fig.tight_layout()
    fig.savefig(out / "morris.png", dpi=120)
    plt.close(fig)

    fig, axes = plt.subplots(len(OUTPUTS), 1, figsize=(10, 3.2 * len(OUTPUTS)), sharex=True)
    for ax, output in zip(axes, OUTPUTS):
        t = sobol_table[sobol_table.output == output]
        x = np.arange(len(t))
        ax.bar(x - 0.2, t.S1, 0.4, yerr=t.S1_conf, label="first order S1")
        ax.bar(x + 0.2, t.ST, 0.4, yerr=t.ST_conf, label="total ST")
        ax.set_ylabel(output)
        ax.axhline(0, color="black", linewidth=0.5)
    axes[0].legend()
    axes[0].set_title("Sobol indices")
    names = list(sobol_table.parameter.unique())
    axes[-1].set_xticks(np.arange(len(names)))
    axes[-1].set_xticklabels(names, rotation=60, ha="right")
    fig.tight_layout()
    fig.savefig(out / "sobol.png", dpi=120)
    plt.close(fig)


def drivers(table: pd.DataFrame, output: str, by: str, top: int = 3) -> list:
    """The `top` parameters with the largest index `by` for `output`."""
    t = table[table.output == output].sort_values(by, ascending=False)
    return list(t.parameter[:top])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("sensitivity"))
    parser.add_argument("--size", choices=sorted(mouse.SIZES), default="full")
    parser.add_argument("--morris-trajectories", type=int, default=20)
    parser.add_argument("--sobol-samples", type=int, default=64, help="a power of 2")
    parser.add_argument(
        "--sobol-top", type=int, default=0,
        help="Sobol indices for the parameters Morris ranks highest only (0: all of them)",
    )
    parser.add_argument("--seed", type=int, default=93)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    morris_table, morris_runs = morris(args.morris_trajectories, args.seed, args.size)
    sobol_parameters = screened(morris_table, args.sobol_top)
    sobol_table, sobol_runs = sobol(sobol_parameters, args.sobol_samples, args.seed, args.size)
    morris_table.to_csv(args.out / "morris.csv", index=False)
    sobol_table.to_csv(args.out / "sobol.csv", index=False)
    pd.concat([morris_runs, sobol_runs]).to_csv(args.out / "evaluations.csv", index=False)
    plot(morris_table, sobol_table, args.out)

    for output in OUTPUTS:
        print(
            f"{output}: Morris mu* ranks {', '.join(drivers(morris_table, output, 'mu_star'))}; "
            f"Sobol ST ranks {', '.join(drivers(sobol_table, output, 'ST'))}"
        )
    reached = pd.concat([morris_runs, sobol_runs]).reached_end_stage.mean()
    print(f"{reached:.0%} of runs reached end stage by day {mouse.HORIZON_DAYS:.0f}")
    return {"morris": morris_table, "sobol": sobol_table, "runs": pd.concat([morris_runs, sobol_runs])}


if __name__ == "__main__":
    main()
