"""Business figures over purchase-day rows: returning share, cohorts, repurchase and churn.

Inputs are the rows of `summary.CustomerDays` (one row per customer and purchase day, days
counted since 1970-01-01). Everything is vectorised; nothing here knows about Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ._types import FloatArray, IntArray
from .summary import CustomerDays

_EPOCH = dt.date(1970, 1, 1)


def month_index(days: IntArray) -> IntArray:
    """Return months since January 1970 for day numbers."""
    days = np.asarray(days, dtype=np.int64)
    if days.size < 1024:
        return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    # Millions of rows span a few thousand days: convert each day once and look the rows up.
    low = int(days.min())
    table = np.arange(low, int(days.max()) + 1, dtype=np.int64)
    by_day = table.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    result: IntArray = by_day[days - low]
    return result


def month_label(index: int) -> str:
    """Return "YYYY-MM" for a month index."""
    return str(np.datetime64(int(index), "M"))


def returning_rows(rows: CustomerDays, returning_days: int) -> np.ndarray:
    """Return a mask of the rows bought by a customer who was already a returning customer."""
    first = rows.first_day()[rows.row_customer]
    return (rows.row_day - first) >= returning_days


@dataclass(frozen=True)
class MonthlyShare:
    months: list[str]
    returning_revenue: list[float]
    new_revenue: list[float]
    returning_orders: list[int]
    new_orders: list[int]


def monthly_returning_share(
    rows: CustomerDays, returning_days: int, last_months: int
) -> MonthlyShare:
    """Return revenue and purchase days per month, split by returning vs new customers."""
    months = month_index(rows.row_day)
    end = int(months.max())
    start = end - last_months + 1
    keep = months >= start
    slot = months[keep] - start
    returning = returning_rows(rows, returning_days)[keep]
    amount = rows.row_amount[keep]

    def total(mask: np.ndarray, weights: FloatArray | None) -> FloatArray:
        picked = None if weights is None else weights[mask]
        return np.bincount(slot[mask], weights=picked, minlength=last_months).astype(np.float64)

    return MonthlyShare(
        months=[month_label(start + i) for i in range(last_months)],
        returning_revenue=np.round(total(returning, amount), 2).tolist(),
        new_revenue=np.round(total(~returning, amount), 2).tolist(),
        returning_orders=total(returning, None).astype(int).tolist(),
        new_orders=total(~returning, None).astype(int).tolist(),
    )


@dataclass(frozen=True)
class CohortTable:
    cohorts: list[str]  # first-purchase month
    sizes: list[int]
    retention: list[list[float | None]]  # share of the cohort buying in month k after the first


def cohort_retention(rows: CustomerDays, last_cohorts: int, max_offset: int) -> CohortTable:
    """Return the monthly cohort retention table (cohort by first-purchase month).

    The cohorts are the latest `last_cohorts` months in which anyone made a first purchase;
    a cell is the share of the cohort buying k months after its first month, None where
    that month is still in the future.
    """
    months = month_index(rows.row_day)
    first_month = months[rows.customer_start]
    newest = int(months.max())
    oldest = int(first_month.min())
    # The months in which anyone bought first, ascending (np.unique without a sort).
    chosen = (np.flatnonzero(np.bincount(first_month - oldest)) + oldest)[-last_cohorts:]
    cohort_of_row = first_month[rows.row_customer]
    offset = months - cohort_of_row
    keep = (cohort_of_row >= chosen[0]) & (offset <= max_offset)
    # Count each customer once per (cohort, offset) even with several purchase days that month.
    # Rows are sorted by customer then day, so the keys are already sorted and a repeat is
    # always next to its first occurrence: no sort is needed to drop them.
    width = max_offset + 1
    key = rows.row_customer[keep] * width + offset[keep]
    key = key[np.concatenate(([True], key[1:] != key[:-1]))] if key.size else key
    customer, month_offset = key // width, key % width
    cohort_slot = np.searchsorted(chosen, first_month[customer])
    counts = np.bincount(cohort_slot * width + month_offset, minlength=chosen.size * width)
    counts = counts.reshape(chosen.size, width).astype(np.float64)
    sizes = counts[:, 0]
    table = [
        [
            None if k > newest - int(month) else round(float(counts[c, k] / sizes[c]), 4)
            for k in range(max_offset + 1)
        ]
        for c, month in enumerate(chosen)
    ]
    return CohortTable(
        cohorts=[month_label(int(month)) for month in chosen],
        sizes=sizes.astype(int).tolist(),
        retention=table,
    )


@dataclass(frozen=True)
class PeriodFigures:
    """The manager's figures for one period; each ratio with its numerator and denominator."""

    returning_customers: int
    repurchased: int
    churn_base: int
    churned: int
    orders: int  # orders in the period (several on one day count each)
    revenue: float
    returning_revenue: float
    new_revenue: float

    @property
    def repurchase_rate(self) -> float | None:
        return self.repurchased / self.returning_customers if self.returning_customers else None

    @property
    def churn_rate(self) -> float | None:
        return self.churned / self.churn_base if self.churn_base else None

    @property
    def average_order_value(self) -> float | None:
        """Return revenue ÷ orders, the one definition every page shows (AOV_FORMULA)."""
        return self.revenue / self.orders if self.orders else None


def period_figures(
    rows: CustomerDays, start: int, end: int, returning_days: int, lost_after_days: int
) -> PeriodFigures:
    """Return repurchase, churn, order value and revenue split for days start..end inclusive.

    Returning customers: first purchase at least `returning_days` before the period start.
    Repurchased: those of them with a purchase in the period. Churn base: returning
    customers still active at the start (a purchase within `lost_after_days` before it);
    churned: those of them with no purchase within `lost_after_days` before the period end.
    """
    n = rows.n_customers
    first = rows.first_day()
    day, who = rows.row_day, rows.row_customer
    returning = first <= start - returning_days
    in_period = (day >= start) & (day <= end)
    bought = np.zeros(n, dtype=bool)
    bought[who[in_period]] = True
    last_before_start = _last_day(who, day, day < start, n)
    last_by_end = _last_day(who, day, day <= end, n)
    active_at_start = returning & (last_before_start >= start - lost_after_days)
    churned = active_at_start & (last_by_end < end - lost_after_days)
    row_returning = (day - first[who]) >= returning_days
    amount = rows.row_amount
    return PeriodFigures(
        returning_customers=int(returning.sum()),
        repurchased=int((returning & bought).sum()),
        churn_base=int(active_at_start.sum()),
        churned=int(churned.sum()),
        orders=int(
            in_period.sum() if rows.row_orders is None else rows.row_orders[in_period].sum()
        ),
        revenue=float(amount[in_period].sum()),
        returning_revenue=float(amount[in_period & row_returning].sum()),
        new_revenue=float(amount[in_period & ~row_returning].sum()),
    )


def _last_day(who: IntArray, day: IntArray, mask: np.ndarray, n: int) -> IntArray:
    """Return each customer's latest day among the masked rows (a very early day if none)."""
    last = np.full(n, np.iinfo(np.int64).min // 2, dtype=np.int64)
    who, day = who[mask], day[mask]
    # Rows are sorted by customer then day: a customer's last masked row holds the latest day.
    ends = np.flatnonzero(np.concatenate((who[1:] != who[:-1], [True]))) if who.size else who
    last[who[ends]] = day[ends]
    return last


def period_sums(
    rows: CustomerDays, as_of: int, period_days: int, periods: int
) -> tuple[FloatArray, FloatArray]:
    """Return (spend, purchase days) per customer for each of the last `periods` periods.

    Column 0 is the most recent period (as_of - period_days, as_of]; column k the k-th before.
    """
    age = (as_of - rows.row_day) // period_days
    keep = (age >= 0) & (age < periods)
    index = rows.row_customer[keep] * periods + age[keep]
    size = rows.n_customers * periods
    sums = np.bincount(index, weights=rows.row_amount[keep], minlength=size)
    spend: FloatArray = sums.astype(np.float64).reshape(-1, periods)
    visits = np.bincount(index, minlength=size).reshape(-1, periods).astype(np.float64)
    return spend, visits
