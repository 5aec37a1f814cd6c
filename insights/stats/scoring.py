"""Compute every customer's scores as of a date, from the purchase rows, in NumPy.

Separate from insights.services (which stores and reads) so the arithmetic can be read
and tested without the database.
"""

import dataclasses
import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from insights.stats.backtest import fit_spend_model
from insights.stats.bgnbd import BGNBDParams, conditional_expected_purchases, fit_bgnbd
from insights.stats.customer_scores import CustomerScores, score_customers
from insights.stats.diagnostics import FitWarning, cap_spend, purchase_model_warnings
from insights.stats.errors import ModelError, gettext_noop
from insights.stats.gamma_gamma import GammaGammaParams
from insights.stats.kpis import (
    cohort_retention,
    monthly_returning_share,
    period_figures,
    period_sums,
)
from insights.stats.segments import SEGMENTS, TIERS, rfm_scores, rfm_segments, value_tiers
from insights.stats.summary import CustomerDays, RFMSummary, customer_days, day_number, summarise


@dataclass(frozen=True)
class Scored:
    """Everything one run computes, aligned by customer."""

    rows: CustomerDays
    summary: RFMSummary
    purchases: BGNBDParams
    spend: GammaGammaParams
    scores: CustomerScores
    expected: dict[int, np.ndarray]  # horizon in days -> expected purchases
    total_spend: np.ndarray
    window_revenue: np.ndarray
    tiers: np.ndarray
    previous_tiers: np.ndarray
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    segments: np.ndarray
    days_since_last: np.ndarray
    typical_interval: np.ndarray
    is_returning: np.ndarray
    period_spend: np.ndarray
    period_visits: np.ndarray
    warnings: list[FitWarning]


def _window_revenue(rows: CustomerDays, start: int, end: int) -> np.ndarray:
    """Return each customer's spend on days start < day <= end."""
    keep = (rows.row_day > start) & (rows.row_day <= end)
    return np.bincount(rows.row_customer[keep], rows.row_amount[keep], minlength=rows.n_customers)


def score(
    ids: np.ndarray,
    days: np.ndarray,
    amounts: np.ndarray,
    as_of: datetime.date,
    config: dict[str, Any],
    stage: Callable[[str], AbstractContextManager[None]] | None = None,
    orders: np.ndarray | None = None,
) -> Scored:
    """Return the scores of every customer with a purchase on or before `as_of`.

    `orders` is how many orders each row stands for (the dashboard's average order value).

    Raises insights.stats.ModelError with a plain message when the data cannot support
    the models (no orders, one customer, nobody bought twice, everything on one day).
    `stage(name)`, when given, times each step (see services.Stopwatch).
    """
    timed = stage or (lambda _name: nullcontext())
    end = day_number(as_of)
    with timed("summarise"):
        rows = customer_days(ids, days, amounts, until=as_of, orders=orders)
        summary = summarise(rows, as_of, "days")
    with timed("fit_bgnbd"):
        purchases = fit_bgnbd(summary.frequency, summary.recency, summary.T).require_converged()
    capped, spend_warnings = cap_spend(summary, config["spend_cap_factor"])
    with timed("fit_gamma_gamma"):
        spend = fit_spend_model(capped)
    with timed("score"):
        scored = _scored(rows, capped, purchases, spend, end, config)
    _require_finite(scored)
    return dataclasses.replace(
        scored, warnings=[*purchase_model_warnings(purchases), *spend_warnings]
    )


def _require_finite(scored: Scored) -> None:
    """Raise ModelError when any score is NaN or infinite, before anything is stored."""
    columns = {
        "P(alive)": scored.scores.probability_alive, "churn risk": scored.scores.churn_risk,
        "expected spend": scored.scores.expected_spend, "CLV": scored.scores.clv,
        **{f"expected purchases ({days} days)": e for days, e in scored.expected.items()},
    }  # fmt: skip
    for name, values in columns.items():
        bad = ~np.isfinite(values)
        if bad.any():
            raise ModelError(
                gettext_noop(
                    "The models gave no usable %(score)s for %(count)d customers; nothing was "
                    "stored and the last good run stays."
                ),
                score=name,
                count=int(bad.sum()),
            )


def _scored(
    rows: CustomerDays, summary: RFMSummary, purchases: BGNBDParams, spend: GammaGammaParams,
    end: int, config: dict[str, Any],
) -> Scored:  # fmt: skip
    scores = score_customers(
        summary, purchases, spend,
        horizon_days=config["churn_horizon_days"], months=config["clv_months"],
        discount_rate=config["monthly_discount_rate"], margin=config["margin"],
    )  # fmt: skip
    x, t_x, age = summary.frequency, summary.recency, summary.T
    expected = {t: conditional_expected_purchases(purchases, t, x, t_x, age) for t in (30, 90, 365)}
    window = config["tier_window_days"]
    window_revenue = _window_revenue(rows, end - window, end)
    previous_revenue = _window_revenue(rows, end - 2 * window, end - window)
    total_spend = np.bincount(rows.row_customer, rows.row_amount, minlength=rows.n_customers)
    days_since_last = end - (summary.first_purchase_day + np.round(t_x).astype(np.int64))
    r, f, m = rfm_scores(days_since_last, x + 1, total_spend)
    period_spend, period_visits = period_sums(rows, end, config["period_days"], config["periods"])
    return Scored(
        rows=rows, summary=summary, purchases=purchases, spend=spend, scores=scores,
        expected=expected, total_spend=total_spend, window_revenue=window_revenue,
        tiers=value_tiers(window_revenue, config["tier_shares"]),
        previous_tiers=value_tiers(previous_revenue, config["tier_shares"]),
        r=r, f=f, m=m, segments=rfm_segments(r, f, m), days_since_last=days_since_last,
        typical_interval=np.where(x > 0, t_x / np.maximum(x, 1), np.nan),
        is_returning=summary.first_purchase_day <= end - config["returning_days"],
        period_spend=period_spend, period_visits=period_visits, warnings=[],
    )  # fmt: skip


def _histogram(values: np.ndarray, bins: int = 10) -> list[int]:
    counts, _edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    return counts.astype(int).tolist()


def _counts_and_revenue(
    labels: np.ndarray, names: list[str], revenue: np.ndarray
) -> dict[str, Any]:
    masks = [labels == name for name in names]
    return {
        "labels": names,
        "counts": [int(mask.sum()) for mask in masks],
        "revenue": [round(float(revenue[mask].sum()), 2) for mask in masks],
    }


def _subset(rows: CustomerDays, keep: np.ndarray) -> CustomerDays:
    """Return the purchase rows of the kept customers only, still sorted, without re-sorting."""
    row_keep = keep[rows.row_customer]
    new_index = np.cumsum(keep) - 1
    row_customer = new_index[rows.row_customer[row_keep]]
    starts = np.flatnonzero(np.concatenate(([True], row_customer[1:] != row_customer[:-1])))
    return CustomerDays(
        customer_id=rows.customer_id[keep],
        customer_start=starts,
        row_customer=row_customer,
        row_day=rows.row_day[row_keep],
        row_amount=rows.row_amount[row_keep],
        row_orders=None if rows.row_orders is None else rows.row_orders[row_keep],
    )


def dashboard_summary(
    scored: Scored, keep: np.ndarray, as_of: datetime.date, config: dict[str, Any]
) -> dict[str, Any]:
    """Return the aggregates the dashboard draws, for the kept customers."""
    if not keep.any():
        return {"customers": 0}
    rows = _subset(scored.rows, keep)
    end = day_number(as_of)
    period = period_figures(
        rows, end - 89, end, config["returning_days"], config["lost_after_days"]
    )
    share = monthly_returning_share(rows, config["returning_days"], 24)
    cohorts = cohort_retention(rows, 12, 18)
    tenure_years = (end - scored.summary.first_purchase_day[keep]) / 365.25
    before = [scored.previous_tiers[keep] == a for a in TIERS]
    after = [scored.tiers[keep] == b for b in TIERS]
    transitions = [[int((was & now).sum()) for now in after] for was in before]
    repeat = keep & (scored.summary.frequency > 0)
    return {
        "customers": int(keep.sum()),
        "returning": int((scored.is_returning & keep).sum()),
        "period": {
            "repurchase_rate": period.repurchase_rate, "churn_rate": period.churn_rate,
            "average_order_value": period.average_order_value,
            "returning_revenue": period.returning_revenue, "new_revenue": period.new_revenue,
        },
        "monthly_share": share.__dict__,
        "cohorts": cohorts.__dict__,
        "tenure": np.histogram(tenure_years, bins=[0, 1, 2, 3, 5, 100])[0].astype(int).tolist(),
        "segments": _counts_and_revenue(scored.segments[keep], SEGMENTS, scored.total_spend[keep]),
        "tiers": _counts_and_revenue(scored.tiers[keep], TIERS, scored.window_revenue[keep]),
        "tier_transitions": transitions,
        "p_alive_repeat_buyers": _histogram(scored.scores.probability_alive[repeat]),
        "churn_risk": _histogram(scored.scores.churn_risk[keep]),
    }  # fmt: skip
