"""The sensitivity and inference examples (examples/), run at reduced size.

They need the package's `examples` extra (SALib, pyabc, matplotlib):
`pip install "./crates/alsim-py[test,examples]"`.
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import alsim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import abc_mouse  # noqa: E402
import mouse  # noqa: E402
import sensitivity  # noqa: E402


def test_the_mouse_course_is_measured_as_alsim_calibrate_measures_it():
    course = alsim.mouse_course(alsim.run(Path(mouse.SCENARIO), seed=93))
    assert list(course) == [t.key for t in alsim.MOUSE_TARGETS]
    days = [course[t.key] for t in alsim.MOUSE_TARGETS]
    # docs/model.md's table: every event reached by day 150 in seed 93's mouse, in the
    # sheet's order of events (transport and denervation first, end stage last).
    assert all(d is not None and 0 < d <= 150 for d in days)
    assert days[2] <= days[3] and days[4] <= days[5]
    with pytest.raises(alsim.AlsimError, match="body of regions"):
        body = alsim.run(
            Path(mouse.ROOT) / "scenarios/sod1-g93a-mouse-body.ron",
            {"time.duration_days": 2},
        )
        alsim.mouse_course(body)


def test_sensitivity_screens_and_decomposes_the_mouse_course(tmp_path):
    results = sensitivity.main(
        ["--out", str(tmp_path), "--size", "reduced", "--morris-trajectories", "3",
         "--sobol-top", "3", "--sobol-samples", "32"]
    )
    morris, sobol = results["morris"], results["sobol"]
    outputs = len(sensitivity.OUTPUTS)
    assert len(morris) == outputs * len(mouse.PARAMETERS)
    assert len(sobol) == outputs * 3
    assert np.isfinite(morris[["mu_star", "sigma"]]).all().all()
    assert np.isfinite(sobol[["S1", "ST"]]).all().all()
    assert (morris.mu_star >= 0).all()
    # The parameters move the course: some parameter shifts onset by days, not by nothing.
    assert morris[morris.output == "onset"].mu_star.max() > 1.0
    for output, t in sobol.groupby("output"):
        # First-order indices share the variance (sum at most 1) and total indices cover it
        # (sum at least 1), within the estimator's error at 32 base samples.
        assert -1.0 < t.S1.sum() < 1.5, output
        assert t.ST.sum() > 0.7, output
    # Misfolding sets when disease shows: the largest total index for onset.
    onset = sobol[sobol.output == "onset"]
    assert onset.loc[onset.ST.idxmax(), "parameter"] == "aggregation.misfolding_per_day"
    for name in ["morris.csv", "sobol.csv", "evaluations.csv", "morris.png", "sobol.png"]:
        assert (tmp_path / name).stat().st_size > 0, name
    assert len(results["runs"]) == 3 * (len(mouse.PARAMETERS) + 1) + 32 * (3 + 2)


def test_abc_accepts_particles_and_narrows_the_prior(tmp_path):
    results = abc_mouse.main(
        ["--out", str(tmp_path), "--size", "reduced", "--population", "10",
         "--generations", "2", "--predictive-draws", "4", "--minimum-epsilon", "0"]
    )
    generations, posterior = results["generations"], results["posterior"]
    assert len(generations) == 2
    assert (generations.acceptance_rate > 0).all() and (generations.acceptance_rate <= 1).all()
    assert generations.epsilon.is_monotonic_decreasing
    assert np.isfinite(posterior[["posterior_mean", "posterior_5pct", "posterior_95pct"]]).all().all()
    assert (posterior.posterior_5pct <= posterior.posterior_95pct).all()
    # The data say something about at least one parameter: its 90% interval is narrower than
    # the prior's.
    assert (posterior.interval_share_of_prior < 1.0).any()
    assert len(results["predictive"]) == 4
    for name in ["posterior.csv", "generations.csv", "predictive.csv", "posterior.png",
                 "predictive.png", "abc.db"]:
        assert (tmp_path / name).stat().st_size > 0, name
    assert not math.isnan(posterior.hand_value_quantile.sum())
