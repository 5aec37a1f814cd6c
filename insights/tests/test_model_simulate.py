"""The simulator produces data from which the fits recover the parameters used."""

import numpy as np
import pytest

from insights.stats import BGNBDParams, GammaGammaParams, fit_bgnbd, fit_gamma_gamma, rfm_summary
from insights.stats.simulate import simulate_transactions

HOURS = 24


def test_fits_recover_the_simulated_parameters() -> None:
    # Simulate in hours so that rounding purchase times to whole ticks (which merges purchases
    # made the same day) does not bias the recovery; alpha is then in hours.
    truth = BGNBDParams(r=1.0, alpha=20.0 * HOURS, a=0.8, b=2.5)
    spend = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    sim = simulate_transactions(
        20_000, truth, spend, acquisition_days=365 * HOURS, observation_days=1000 * HOURS, seed=7
    )
    assert 8 < sim.n_orders / 20_000 < 11
    s = rfm_summary(sim.customer_id, sim.day, sim.amount, sim.end_day)
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    assert bg.converged
    for name in ("r", "alpha", "a", "b"):
        assert getattr(bg, name) == pytest.approx(getattr(truth, name), rel=0.1), name
    repeat = s.frequency > 0
    gg = fit_gamma_gamma(s.frequency[repeat], s.monetary_value[repeat])
    assert gg.converged
    for name in ("p", "q", "gamma"):
        assert getattr(gg, name) == pytest.approx(getattr(spend, name), rel=0.1), name


def test_simulation_is_seeded_and_well_formed() -> None:
    a = simulate_transactions(1000, seed=1)
    b = simulate_transactions(1000, seed=1)
    np.testing.assert_array_equal(a.day, b.day)
    np.testing.assert_array_equal(a.amount, b.amount)
    assert np.all(np.diff(a.customer_id) >= 0)
    assert a.day.min() >= 0 and a.day.max() <= a.end_day
    assert np.all(a.amount > 0)
    assert np.unique(a.customer_id).size == 1000
