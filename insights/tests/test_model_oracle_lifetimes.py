"""Oracle test: the full CDNOW cohort against the `lifetimes` package (a test-only dependency).

lifetimes is unmaintained, so it is only a yardstick here: summaries, fitted parameters and
per-customer predictions must agree with it on 23,570 real customers.
"""

import warnings
from typing import Any

import numpy as np
import pytest

from insights.stats import (
    conditional_expected_purchases,
    conditional_expected_spend,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    probability_alive,
    rfm_summary,
)

from .test_model_data import master_transactions

pd = pytest.importorskip("pandas")
lifetimes = pytest.importorskip("lifetimes")
lifetimes_utils = pytest.importorskip("lifetimes.utils")

pytestmark = pytest.mark.slow

HORIZON_DAYS = 90.0


@pytest.fixture(scope="module")
def both() -> dict[str, object]:
    ids, dates, amounts = master_transactions()
    ours = rfm_summary(ids, dates, amounts, dates.max(), time_unit="days")
    frame = pd.DataFrame(
        {"customer_id": ids, "date": dates.astype("datetime64[ns]"), "amount": amounts}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes_utils.summary_data_from_transaction_data(
            frame, "customer_id", "date", "amount", freq="D"
        ).sort_index()
        bg = lifetimes.BetaGeoFitter().fit(theirs["frequency"], theirs["recency"], theirs["T"])
        repeat = theirs[(theirs["frequency"] > 0) & (theirs["monetary_value"] > 0)]
        gg = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        clv = gg.customer_lifetime_value(
            bg,
            theirs["frequency"],
            theirs["recency"],
            theirs["T"],
            theirs["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="D",
        )
        p_alive = bg.conditional_probability_alive(
            theirs["frequency"], theirs["recency"], theirs["T"]
        )
        expected = bg.conditional_expected_number_of_purchases_up_to_time(
            HORIZON_DAYS, theirs["frequency"], theirs["recency"], theirs["T"]
        )
    return {
        "ours": ours,
        "theirs": theirs,
        "bg": bg,
        "gg": gg,
        "clv": np.asarray(clv),
        "p_alive": np.asarray(p_alive),
        "expected": np.asarray(expected),
    }


def test_summary_matches(both: dict[str, Any]) -> None:
    ours, theirs = both["ours"], both["theirs"]
    assert ours.n_customers == len(theirs) == 23_570
    np.testing.assert_array_equal(ours.customer_id, theirs.index.to_numpy())
    np.testing.assert_array_equal(ours.frequency, theirs["frequency"].to_numpy())
    np.testing.assert_array_equal(ours.recency, theirs["recency"].to_numpy())
    np.testing.assert_array_equal(ours.T, theirs["T"].to_numpy())
    np.testing.assert_allclose(ours.monetary_value, theirs["monetary_value"].to_numpy(), rtol=1e-12)


def test_parameters_and_predictions_match(both: dict[str, Any]) -> None:
    s = both["ours"]
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    assert bg.converged
    for name in ("r", "alpha", "a", "b"):
        assert getattr(bg, name) == pytest.approx(both["bg"].params_[name], rel=1e-3), name
    # Some CDNOW purchases are $0; the spend model needs a positive mean, as in lifetimes.
    repeat = (s.frequency > 0) & (s.monetary_value > 0)
    gg = fit_gamma_gamma(s.frequency[repeat], s.monetary_value[repeat])
    assert gg.converged
    for ours_name, their_name in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert getattr(gg, ours_name) == pytest.approx(both["gg"].params_[their_name], rel=1e-3)

    np.testing.assert_allclose(
        probability_alive(bg, s.frequency, s.recency, s.T), both["p_alive"], rtol=1e-4
    )
    np.testing.assert_allclose(
        conditional_expected_purchases(bg, HORIZON_DAYS, s.frequency, s.recency, s.T),
        both["expected"],
        rtol=1e-4,
    )
    spend = conditional_expected_spend(gg, s.frequency, s.monetary_value)
    clv = customer_lifetime_value(
        bg, spend, s.frequency, s.recency, s.T, months=12, discount_rate=0.01, time_unit="days"
    )
    np.testing.assert_allclose(clv, both["clv"], rtol=1e-4)
