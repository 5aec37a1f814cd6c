"""The uplift intervals cover a planted effect about 95 % of the time."""

import numpy as np
import pytest

from insights.stats.uplift import Moments, mean_difference, proportion_difference, return_on_cost

SEEDS = range(400)


def test_proportion_interval_covers_a_planted_five_point_uplift_about_95_percent() -> None:
    # A 10 % holdout of 10,000 customers; 20 % buy again untreated, 25 % when treated.
    covered = 0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        treated = int(rng.binomial(9_000, 0.25))
        control = int(rng.binomial(1_000, 0.20))
        difference = proportion_difference(treated, 9_000, control, 1_000)
        assert difference is not None
        covered += difference.low <= 0.05 <= difference.high
    assert 0.92 <= covered / len(SEEDS) <= 0.975


def test_mean_interval_covers_a_planted_revenue_uplift_about_95_percent() -> None:
    covered = 0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        # Most customers spend nothing in the window; buyers' spend is skewed.
        treated = rng.binomial(1, 0.25, 3_000) * rng.lognormal(5, 1, 3_000)
        control = rng.binomial(1, 0.20, 1_000) * rng.lognormal(5, 1, 1_000)
        planted = (0.25 - 0.20) * float(np.exp(5 + 0.5))
        difference = mean_difference(Moments.of(treated), Moments.of(control))
        assert difference is not None
        covered += difference.low <= planted <= difference.high
    assert 0.92 <= covered / len(SEEDS) <= 0.975


def test_an_interval_crossing_zero_is_not_significant() -> None:
    difference = proportion_difference(21, 100, 20, 100)
    assert difference is not None
    assert difference.low < 0 < difference.high
    assert not difference.significant
    clear = proportion_difference(500, 1_000, 100, 1_000)
    assert clear is not None and clear.significant


def test_empty_groups_have_no_difference() -> None:
    assert proportion_difference(0, 0, 3, 10) is None
    assert mean_difference(Moments.of(np.array([1.0])), Moments.of(np.array([1.0, 2.0]))) is None


def test_return_on_cost() -> None:
    assert return_on_cost(1_500.0, 1_000.0) == pytest.approx(0.5)
    assert return_on_cost(500.0, 0.0) is None


def test_moments_give_the_sample_mean_and_variance() -> None:
    values = np.array([0.0, 0.0, 120.5, 80.0, 0.0])
    moments = Moments.of(values)
    assert moments.mean == pytest.approx(values.mean())
    assert moments.variance == pytest.approx(values.var(ddof=1))
