"""BG/NBD: published CDNOW parameters, analytic gradient, predictions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.stats import (
    BGNBDParams,
    conditional_expected_purchases,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
    probability_no_purchases,
)
from insights.stats.bgnbd import log_likelihood, log_likelihood_with_gradient

from .test_model_data import summary_csv


@pytest.fixture(scope="module")
def fitted() -> BGNBDParams:
    d = summary_csv()
    return fit_bgnbd(d["x"], d["t_x"], d["T"])


def test_reproduces_fader_hardie_lee_2005(fitted: BGNBDParams) -> None:
    assert fitted.converged
    assert round(fitted.r, 3) == 0.243
    assert round(fitted.alpha, 3) == 4.414
    assert round(fitted.a, 3) == 0.793
    assert round(fitted.b, 3) == 2.426
    assert round(fitted.log_likelihood, 1) == -9582.4
    assert 0 < fitted.iterations < 200


def test_grouped_and_ungrouped_fits_agree(fitted: BGNBDParams) -> None:
    d = summary_csv()
    plain = fit_bgnbd(d["x"], d["t_x"], d["T"], group=False)
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(plain, name) == pytest.approx(getattr(fitted, name), rel=1e-5)


def test_weights_equal_repeated_rows() -> None:
    d = summary_csv()
    x, t_x, t = d["x"][:300], d["t_x"][:300], d["T"][:300]
    doubled = log_likelihood((0.3, 4.0, 0.8, 2.0), np.tile(x, 2), np.tile(t_x, 2), np.tile(t, 2))
    weighted = log_likelihood((0.3, 4.0, 0.8, 2.0), x, t_x, t, weights=np.full(x.size, 2.0))
    assert weighted == pytest.approx(doubled, rel=1e-12)


def _numeric_gradient(params: np.ndarray, x, t_x, t) -> np.ndarray:
    grad = np.empty(4)
    for i in range(4):
        h = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (
            log_likelihood(tuple(up), x, t_x, t) - log_likelihood(tuple(down), x, t_x, t)
        ) / (2 * h)
    return grad


@settings(max_examples=40, deadline=None)
@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.5, 50.0),
    a=st.floats(0.1, 5.0),
    b=st.floats(0.1, 10.0),
    start=st.integers(0, 2000),
)
def test_analytic_gradient_matches_finite_differences(
    r: float, alpha: float, a: float, b: float, start: int
) -> None:
    d = summary_csv()
    rows = slice(start, start + 300)
    x, t_x, t = d["x"][rows], d["t_x"][rows], d["T"][rows]
    params = np.array([r, alpha, a, b])
    _, analytic = log_likelihood_with_gradient(tuple(params), x, t_x, t)
    numeric = _numeric_gradient(params, x, t_x, t)
    scale = np.abs(numeric) + np.abs(analytic).max() * 1e-3 + 1e-6
    assert np.all(np.abs(analytic - numeric) <= 1e-4 * scale), (analytic, numeric)


def test_probability_alive(fitted: BGNBDParams) -> None:
    x = np.array([0.0, 2.0, 2.0, 10.0])
    t_x = np.array([0.0, 30.43, 5.0, 38.0])
    t = np.full(4, 38.86)
    p = probability_alive(fitted, x, t_x, t)
    assert p[0] == 1.0  # no repeat purchase: cannot have dropped out in BG/NBD
    assert p[1] > p[2]  # a recent last purchase is a better sign
    assert p[3] > 0.9


def test_conditional_expectation_grows_with_horizon_and_frequency(fitted: BGNBDParams) -> None:
    horizons = np.array([0.0, 10.0, 39.0, 78.0])
    e = conditional_expected_purchases(fitted, horizons, 2.0, 30.43, 38.86)
    assert e[0] == 0.0
    assert np.all(np.diff(e) > 0)
    few, many = conditional_expected_purchases(fitted, 39.0, [1.0, 5.0], [35.0, 35.0], [38.0, 38.0])
    assert many > few


def test_unconditional_expectation_matches_numerical_integral(fitted: BGNBDParams) -> None:
    # E[X(t)] for the population equals the conditional expectation of a customer just acquired
    # (x = 0, t_x = 0, T = 0): two different formulas of FHL 2005 that must agree.
    t = np.array([1.0, 13.0, 52.0, 104.0])
    np.testing.assert_allclose(
        expected_purchases(fitted, t),
        conditional_expected_purchases(fitted, t, 0.0, 0.0, 0.0),
        rtol=1e-10,
    )
    assert expected_purchases(fitted, 0.0) == 0.0


def test_probability_of_no_purchases_limits(fitted: BGNBDParams) -> None:
    x, t_x, t = np.array([0.0, 3.0]), np.array([0.0, 10.0]), np.array([30.0, 38.0])
    np.testing.assert_allclose(probability_no_purchases(fitted, 0.0, x, t_x, t), 1.0)
    far = probability_no_purchases(fitted, 1e40, x, t_x, t)
    np.testing.assert_allclose(far, 1.0 - probability_alive(fitted, x, t_x, t), atol=1e-6)
    mid = probability_no_purchases(fitted, 39.0, x, t_x, t)
    assert np.all((mid > far) & (mid < 1.0))


def test_probability_of_no_purchases_agrees_with_simulation() -> None:
    # Forward-simulate customers who are all alive with x = 0 at T = 0: the chance of no purchase
    # in (0, t] is E[exp(-lambda t)] = (alpha / (alpha + t))^r.
    params = BGNBDParams(r=0.7, alpha=5.0, a=0.8, b=2.0)
    rng = np.random.default_rng(3)
    rate = rng.gamma(params.r, 1 / params.alpha, 400_000)
    silent = (rng.poisson(rate * 8.0) == 0).mean()
    assert probability_no_purchases(params, 8.0, 0.0, 0.0, 0.0)[0] == pytest.approx(
        silent, abs=0.003
    )
