"""RFM scores and segments, and A/B/C value tiers: plain NumPy, no Django."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from ._types import FloatArray, IntArray

# The eleven standard RFM segments on the grid of recency score (rows 5..1) against the
# rounded mean of the frequency and monetary scores (columns 1..5). Every cell has exactly
# one segment, so the rules below, evaluated in this fixed order, cover every customer.
SEGMENT_RULES: list[tuple[str, tuple[int, int], tuple[int, int]]] = [
    # (segment, recency score range, frequency-monetary score range), inclusive
    ("champions", (5, 5), (4, 5)),
    ("loyal_customers", (3, 4), (4, 5)),
    ("potential_loyalist", (4, 5), (2, 3)),
    ("new_customers", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)),
    ("need_attention", (3, 3), (3, 3)),
    ("about_to_sleep", (3, 3), (1, 2)),
    ("cant_lose_them", (1, 2), (5, 5)),
    ("at_risk", (1, 2), (3, 4)),
    ("hibernating", (2, 2), (1, 2)),
    ("lost", (1, 1), (1, 2)),
]
SEGMENTS = [name for name, _r, _fm in SEGMENT_RULES]
# Value tiers, most valuable first (value_tiers).
TIERS = ["A", "B", "C"]


def quintile_scores(values: ArrayLike) -> IntArray:
    """Return scores 1..5 by quintile of the values (higher value, higher score).

    Ties share the average rank, so two customers with the same value always get the same
    score; with many ties (most customers buy once) a quintile can be empty.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros(0, dtype=np.int64)
    percentile = rankdata(v, method="average") / v.size
    return np.clip(np.ceil(percentile * 5).astype(np.int64), 1, 5)


def rfm_scores(
    days_since_last: ArrayLike, frequency: ArrayLike, monetary: ArrayLike
) -> tuple[IntArray, IntArray, IntArray]:
    """Return (R, F, M) quintile scores; a more recent purchase gives a higher R."""
    recency = quintile_scores(-np.asarray(days_since_last, dtype=np.float64))
    return recency, quintile_scores(frequency), quintile_scores(monetary)


def rfm_segments(r: ArrayLike, f: ArrayLike, m: ArrayLike) -> np.ndarray:
    """Return each customer's segment name by the fixed-order rules."""
    r_arr = np.asarray(r, dtype=np.int64)
    fm = (np.asarray(f, dtype=np.int64) + np.asarray(m, dtype=np.int64) + 1) // 2
    segment = np.full(r_arr.size, "", dtype=object)
    unassigned = np.ones(r_arr.size, dtype=bool)
    for name, (r_low, r_high), (fm_low, fm_high) in SEGMENT_RULES:
        hit = unassigned & (r_arr >= r_low) & (r_arr <= r_high) & (fm >= fm_low) & (fm <= fm_high)
        segment[hit] = name
        unassigned &= ~hit
    return segment


def value_tiers(revenue: ArrayLike, shares: tuple[float, float] = (0.80, 0.95)) -> np.ndarray:
    """Return tier "A", "B" or "C" by cumulative share of revenue, largest first.

    With the default shares, the customers who together bring the first 80% of revenue
    are A, the next 15% B, the rest (and everyone without revenue) C. A customer is in
    the tier where their revenue starts, so the top customer is always A.
    """
    v = np.asarray(revenue, dtype=np.float64)
    tiers = np.full(v.size, "C", dtype=object)
    total = float(v[v > 0].sum())
    if total <= 0:
        return tiers
    order = np.argsort(-v, kind="stable")
    share_before: FloatArray = (np.cumsum(v[order]) - v[order]) / total
    sorted_tiers = np.where(
        share_before < shares[0], "A", np.where(share_before < shares[1], "B", "C")
    )
    sorted_tiers[v[order] <= 0] = "C"
    tiers[order] = sorted_tiers
    return tiers
