"""Returning share, cohort retention and the period figures, on hand-made purchase rows."""

import datetime

import numpy as np

from insights.stats.kpis import cohort_retention, monthly_returning_share, period_figures
from insights.stats.summary import customer_days, day_number


def rows(purchases):
    ids = np.array([p[0] for p in purchases])
    days = np.array([day_number(datetime.date.fromisoformat(p[1])) for p in purchases])
    amounts = np.array([p[2] for p in purchases], dtype=float)
    return customer_days(ids, days, amounts)


HISTORY = rows(
    [
        (1, "2024-01-10", 100), (1, "2025-03-01", 50), (1, "2025-06-01", 20),
        (2, "2024-01-20", 80), (2, "2024-02-20", 10),
        (3, "2025-05-05", 30),
    ]
)  # fmt: skip


def test_period_figures_follow_their_definitions():
    start, end = day_number(datetime.date(2025, 4, 1)), day_number(datetime.date(2025, 6, 30))
    figures = period_figures(HISTORY, start, end, returning_days=365, lost_after_days=90)
    # Customers 1 and 2 are returning (first purchase over a year before April 2025).
    assert (figures.returning_customers, figures.repurchased) == (2, 1)
    assert figures.repurchase_rate == 0.5
    # Only customer 1 was active at the start (bought 2025-03-01) and they bought again.
    assert (figures.churn_base, figures.churned) == (1, 0)
    assert (figures.orders, figures.revenue) == (2, 50.0)
    assert (figures.returning_revenue, figures.new_revenue) == (20.0, 30.0)
    assert figures.average_order_value == 25.0


def test_cohort_retention_counts_each_customer_once_per_month():
    table = cohort_retention(HISTORY, last_cohorts=3, max_offset=2)
    assert table.cohorts == ["2024-01", "2025-05"]
    assert table.sizes == [2, 1]
    assert table.retention[0] == [1.0, 0.5, 0.0]


def test_monthly_share_splits_returning_and_new_revenue():
    share = monthly_returning_share(HISTORY, returning_days=365, last_months=3)
    assert share.months == ["2025-04", "2025-05", "2025-06"]
    assert share.new_revenue == [0.0, 30.0, 0.0]
    assert share.returning_revenue == [0.0, 0.0, 20.0]
