"""Degenerate data raises ModelError with a plain message, never a crash or a nonsense fit."""

import numpy as np
import pytest

from insights.stats import (
    ModelError,
    backtest,
    fit_bgnbd,
    fit_gamma_gamma,
    rfm_summary,
    roc_auc,
)

from .test_model_data import summary_csv

DAY = np.datetime64("2024-01-01")


def test_no_transactions() -> None:
    empty = np.array([], dtype=np.int64)
    with pytest.raises(ModelError, match="no transactions"):
        rfm_summary(empty, empty.astype("datetime64[D]"), empty.astype(float), DAY)
    with pytest.raises(ModelError, match="no transactions"):
        backtest(empty, empty.astype("datetime64[D]"), empty.astype(float), DAY, DAY + 30)


def test_no_customer_before_calibration_end() -> None:
    with pytest.raises(ModelError, match="on or before the calibration end"):
        rfm_summary([1], [DAY + 5], [1.0], DAY, DAY + 10)


def test_single_customer() -> None:
    with pytest.raises(ModelError, match="At least 2 customers"):
        fit_bgnbd([3], [20.0], [30.0])
    with pytest.raises(ModelError, match="At least 2 repeat buyers"):
        fit_gamma_gamma([3], [20.0])
    days = DAY + np.array([0, 5, 9])
    with pytest.raises(ModelError, match="At least 2 customers"):
        backtest([1, 1, 1], days, [1.0, 2.0, 3.0], DAY + 20, DAY + 40)


def test_everyone_bought_once() -> None:
    with pytest.raises(ModelError, match="No customer bought more than once"):
        fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0])
    days = DAY + np.array([0, 3, 7])
    with pytest.raises(ModelError, match="No customer bought more than once"):
        backtest([1, 2, 3], days, [5.0, 6.0, 7.0], DAY + 20, DAY + 40)
    with pytest.raises(ModelError, match="repeat buyers"):
        fit_gamma_gamma([0, 0], [0.0, 0.0])


def test_all_purchases_on_one_day() -> None:
    # Several orders each, all on the calibration end date: x = 0 and T = 0 for everyone.
    s = rfm_summary([1, 1, 2, 3], [DAY] * 4, [1.0, 2.0, 3.0, 4.0], DAY)
    assert s.frequency.tolist() == [0, 0, 0] and s.T.tolist() == [0, 0, 0]
    with pytest.raises(ModelError, match=r"T = 0"):
        fit_bgnbd(s.frequency, s.recency, s.T)
    with pytest.raises(ModelError, match=r"T = 0"):
        backtest([1, 1, 2, 3], [DAY] * 4, [1.0, 2.0, 3.0, 4.0], DAY, DAY + 30)


def test_identical_spend_cannot_fit_the_spend_model() -> None:
    with pytest.raises(ModelError, match="same mean spend"):
        fit_gamma_gamma([1, 2, 3], [10.0, 10.0, 10.0])


def test_non_convergence_is_reported() -> None:
    d = summary_csv()
    stopped = fit_bgnbd(d["x"], d["t_x"], d["T"], maxiter=2)
    assert not stopped.converged
    with pytest.raises(ModelError, match="did not converge"):
        stopped.require_converged()
    repeat = d["x"] > 0
    gg = fit_gamma_gamma(d["x"][repeat], d["zbar"][repeat], maxiter=2)
    assert not gg.converged
    with pytest.raises(ModelError, match="did not converge"):
        gg.require_converged()


def test_unidentifiable_data_is_not_reported_as_converged() -> None:
    # Two customers with identical histories: the likelihood has no interior maximum.
    fit = fit_bgnbd([1, 1], [5.0, 5.0], [10.0, 10.0])
    assert not fit.converged


def test_invalid_summaries() -> None:
    with pytest.raises(ModelError, match="between 0 and T"):
        fit_bgnbd([1, 2], [12.0, 3.0], [10.0, 10.0])
    with pytest.raises(ModelError, match="whole number"):
        fit_bgnbd([1.5, 2], [2.0, 3.0], [10.0, 10.0])
    with pytest.raises(ModelError, match="finite"):
        fit_bgnbd([1, 2], [np.nan, 3.0], [10.0, 10.0])
    with pytest.raises(ModelError, match="positive mean spend"):
        fit_gamma_gamma([1, 2], [-1.0, 3.0])


def test_auc_needs_both_outcomes() -> None:
    with pytest.raises(ModelError, match="both outcomes"):
        roc_auc([0.1, 0.2], [True, True])
