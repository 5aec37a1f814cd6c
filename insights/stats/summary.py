"""Per-customer RFM summaries (frequency, recency, T, monetary value) from raw transactions.

Conventions follow Fader & Hardie and the `lifetimes` package: all purchases by one customer on
one day are one transaction (amounts summed); frequency counts repeat transactions; recency is the
time from the first to the last purchase and T the time from the first purchase to the end of the
calibration period, both in days or fractional weeks (days / 7); monetary value is the mean spend
of the repeat transactions (0 when there are none).

Everything is vectorised: one sort of a combined (customer, day) integer key does the grouping, so
ten million transactions take a few seconds and a few hundred megabytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._types import AnyArray, BoolArray, FloatArray, IntArray, TimeUnit, days_per_unit
from .errors import ModelError, gettext_noop

_EPOCH = dt.date(1970, 1, 1)
# Keep the combined key comfortably inside int64.
_MAX_KEY = 2**62


@dataclass(frozen=True)
class CustomerDays:
    """Transactions collapsed to one row per customer and day, sorted by customer then day."""

    customer_id: AnyArray  # one per customer, in customer order
    customer_start: IntArray  # index of each customer's first row
    row_customer: IntArray  # customer index of each row
    row_day: IntArray  # day number (days since 1970-01-01) of each row
    row_amount: FloatArray  # summed spend of each row
    # Orders behind each row when the caller knows them (several orders on one day are one
    # row); None means one order per row.
    row_orders: IntArray | None = None

    @property
    def n_customers(self) -> int:
        """Return the number of customers."""
        return int(self.customer_start.size)

    def first_day(self) -> IntArray:
        """Return each customer's first purchase day."""
        return self.row_day[self.customer_start]

    def is_first_row(self) -> BoolArray:
        """Return a mask of the rows that are a customer's first purchase."""
        mask = np.zeros(self.row_day.size, dtype=bool)
        mask[self.customer_start] = True
        return mask


@dataclass(frozen=True)
class RFMSummary:
    """The per-customer summary the BG/NBD and Gamma-Gamma models are fitted on."""

    customer_id: AnyArray
    frequency: IntArray  # repeat transactions in the calibration period (x)
    recency: FloatArray  # first to last calibration purchase (t_x)
    T: FloatArray  # first purchase to calibration end
    monetary_value: FloatArray  # mean spend of the repeat transactions, 0 when none
    first_purchase_day: IntArray  # day number of the first purchase
    holdout_frequency: IntArray  # transactions in (calibration_end, holdout_end]
    time_unit: TimeUnit

    @property
    def n_customers(self) -> int:
        """Return the number of customers."""
        return int(self.frequency.size)


def day_number(value: Any) -> int:
    """Return a date-like scalar (date, datetime64, ISO string or int) as days since 1970-01-01."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a date")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value - _EPOCH).days
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, str):
        return int(np.datetime64(value, "D").astype(np.int64))
    raise TypeError(f"cannot read {value!r} as a date")


def day_numbers(dates: ArrayLike) -> IntArray:
    """Return an array of dates (datetime64 of any unit, or integer days) as int64 day numbers."""
    arr = np.asarray(dates)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[D]").astype(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    raise TypeError(f"dates must be datetime64 or integer days, not {arr.dtype}")


def _customer_codes(ids: AnyArray, span: int) -> tuple[IntArray, AnyArray | None, int]:
    """Return integer codes for customer ids, with the ids of the codes or the code offset.

    Integer ids whose range keeps code * span inside int64 are used directly (offset by the
    minimum), which saves a second sort; anything else is factorised with np.unique.
    """
    if np.issubdtype(ids.dtype, np.integer):
        low, high = int(ids.min()), int(ids.max())
        if (high - low + 1) * span < _MAX_KEY:
            return ids.astype(np.int64) - low, None, low
    uniques, inverse = np.unique(ids, return_inverse=True)
    return inverse.astype(np.int64, copy=False).reshape(-1), uniques, 0


def customer_days(
    customer_ids: ArrayLike,
    dates: ArrayLike,
    amounts: ArrayLike | None = None,
    until: Any = None,
    orders: ArrayLike | None = None,
) -> CustomerDays:
    """Return transactions collapsed to one row per customer and day, optionally up to `until`.

    `orders`, when given, is how many orders each transaction stands for (the average order
    value divides by orders, not by purchase days).
    """
    ids = np.asarray(customer_ids)
    days = day_numbers(dates)
    values = np.zeros(days.size) if amounts is None else np.asarray(amounts, dtype=np.float64)
    counts = None if orders is None else np.asarray(orders, dtype=np.int64)
    if not (ids.shape == days.shape == values.shape and days.ndim == 1):
        raise ValueError("customer ids, dates and amounts must be 1-d arrays of the same length")
    if counts is not None and counts.shape != days.shape:
        raise ValueError("orders must be a 1-d array as long as the dates")
    if until is not None:
        keep = days <= day_number(until)
        if not keep.all():
            ids, days, values = ids[keep], days[keep], values[keep]
            counts = None if counts is None else counts[keep]
    if days.size == 0:
        raise ModelError(gettext_noop("There are no transactions in the period."))
    if not np.isfinite(values).all():
        raise ModelError(gettext_noop("Some transaction amounts are missing or not finite."))
    return _collapse(ids, days, values, counts)


def _collapse(
    ids: AnyArray, days: IntArray, values: FloatArray, counts: IntArray | None = None
) -> CustomerDays:
    """Return the customer-day rows for non-empty, validated input arrays."""
    day0 = int(days.min())
    span = int(days.max()) - day0 + 1
    codes, code_ids, offset = _customer_codes(ids, span)
    key = codes * span + (days - day0)
    del codes
    # Exports ordered by customer and date (the usual ORDER BY) need no sort at all.
    if not bool((key[1:] >= key[:-1]).all()):
        order = np.argsort(key)
        key = key[order]
        values = values[order]
        counts = None if counts is None else counts[order]
        del order
    row_start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    row_amount = np.add.reduceat(values, row_start) if values.size else values
    row_orders = None if counts is None else np.add.reduceat(counts, row_start)
    del values
    row_key = key[row_start]
    del key
    row_code = row_key // span
    row_day = row_key % span + day0
    new_customer = np.concatenate(([True], row_code[1:] != row_code[:-1]))
    customer_start = np.flatnonzero(new_customer)
    row_customer = np.cumsum(new_customer, dtype=np.int64) - 1
    first_code = row_code[customer_start]
    customer_id = (
        (first_code + offset).astype(ids.dtype) if code_ids is None else code_ids[first_code]
    )
    return CustomerDays(
        customer_id=customer_id,
        customer_start=customer_start,
        row_customer=row_customer,
        row_day=row_day,
        row_amount=row_amount,
        row_orders=row_orders,
    )


def summarise(days: CustomerDays, calibration_end: Any, time_unit: TimeUnit = "days") -> RFMSummary:
    """Return the RFM summary of customers whose first purchase is on or before calibration end.

    Rows after calibration end (if any) are counted as holdout transactions.
    """
    unit = days_per_unit(time_unit)
    end = day_number(calibration_end)
    n = days.n_customers
    in_cal = days.row_day <= end
    cal_customer = days.row_customer[in_cal]
    n_cal = np.bincount(cal_customer, minlength=n)
    kept = n_cal > 0
    if not kept.any():
        raise ModelError(
            gettext_noop("No customer made a purchase on or before the calibration end.")
        )
    start = days.customer_start[kept]
    n_cal = n_cal[kept]
    first = days.row_day[start]
    # Rows are sorted by day within a customer, so the last calibration row is start + n - 1.
    last = days.row_day[start + n_cal - 1]
    cal_spend = np.bincount(cal_customer, weights=days.row_amount[in_cal], minlength=n)[kept]
    frequency = (n_cal - 1).astype(np.int64)
    repeat_spend = cal_spend - days.row_amount[start]
    monetary = np.divide(repeat_spend, frequency, out=np.zeros(frequency.size), where=frequency > 0)
    holdout = np.bincount(days.row_customer[~in_cal], minlength=n)[kept].astype(np.int64)
    return RFMSummary(
        customer_id=days.customer_id[kept],
        frequency=frequency,
        recency=(last - first) / unit,
        T=(end - first) / unit,
        monetary_value=monetary,
        first_purchase_day=first,
        holdout_frequency=holdout,
        time_unit=time_unit,
    )


def rfm_summary(
    customer_ids: ArrayLike,
    dates: ArrayLike,
    amounts: ArrayLike | None,
    calibration_end: Any,
    holdout_end: Any = None,
    time_unit: TimeUnit = "days",
) -> RFMSummary:
    """Return the RFM summary at calibration end, with holdout counts up to holdout end.

    Without a holdout end, transactions after calibration end are ignored.
    """
    until = calibration_end if holdout_end is None else holdout_end
    if day_number(until) < day_number(calibration_end):
        raise ValueError("holdout end must not be before calibration end")
    return summarise(customer_days(customer_ids, dates, amounts, until), calibration_end, time_unit)
