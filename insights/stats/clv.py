"""Customer lifetime value: expected, discounted margin over a horizon in months."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._fitting import group_rows
from ._types import FloatArray, TimeUnit
from .bgnbd import BGNBDParams, expected_purchases_if_alive, probability_alive

# Model time units per month: the constants `lifetimes` uses, so that results match it.
UNITS_PER_MONTH: dict[str, float] = {"days": 30.0, "weeks": 4.345}


def _units_per_month(time_unit: str) -> float:
    """Return model time units per month."""
    try:
        return UNITS_PER_MONTH[time_unit]
    except KeyError:
        raise ValueError(f"time unit must be 'days' or 'weeks', not {time_unit!r}") from None


def discounted_expected_purchases_if_alive(
    params: BGNBDParams,
    frequency: ArrayLike,
    T: ArrayLike,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "days",
) -> FloatArray:
    """Return the sum over months i = 1..months of (E[by month i] - E[by month i-1]) / (1+d)^i
    for customers alive now (multiply by P(alive) for the conditional value)."""
    if months < 1:
        raise ValueError("the CLV horizon must be at least one month")
    if discount_rate <= -1.0:
        raise ValueError("the monthly discount rate must be above -1")
    per_month = _units_per_month(time_unit)
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    total = np.zeros(x.size)
    previous = np.zeros(x.size)
    # The expectation is cumulative, so each month's count is an increment; one month at a time
    # keeps memory at a few arrays.
    for month in range(1, months + 1):
        current = expected_purchases_if_alive(params, month * per_month, x, T)
        total += (current - previous) / (1.0 + discount_rate) ** month
        previous = current
    return total


def discounted_expected_purchases(
    params: BGNBDParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "days",
) -> FloatArray:
    """Return each customer's discounted expected purchases over the next `months` months.

    P(alive) factors out of every month's expectation, so the months x customers
    hypergeometric evaluations shrink to months x distinct (x, T).
    """
    g = group_rows(frequency, T)
    x, age = g.columns
    if_alive = discounted_expected_purchases_if_alive(
        params, x, age, months=months, discount_rate=discount_rate, time_unit=time_unit
    )
    return np.asarray(
        probability_alive(params, frequency, recency, T) * if_alive[g.inverse], dtype=np.float64
    )


def customer_lifetime_value(
    params: BGNBDParams,
    expected_spend: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: TimeUnit = "days",
) -> FloatArray:
    """Return each customer's CLV: margin * expected spend * discounted expected purchases.

    `expected_spend` is the Gamma-Gamma conditional expected spend per transaction; with
    margin = 1 this is the discrete formula of lifetimes' customer_lifetime_value.
    """
    purchases = discounted_expected_purchases(
        params,
        frequency,
        recency,
        T,
        months=months,
        discount_rate=discount_rate,
        time_unit=time_unit,
    )
    spend = np.asarray(expected_spend, dtype=np.float64).reshape(-1)
    return np.asarray(margin * spend * purchases, dtype=np.float64)
