"""Stored scores and cadences for the cadence tests: the planner reads the latest run's
scores as the pages do, so the tests write the run's rows as the nightly run stores them."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from customers.models import Customer
from engagement.models import Cadence
from insights.models import CustomerScore, RunStatus, ScoreRun

# A Tuesday, a working day in China's 2026 calendar.
DAY = datetime.date(2026, 3, 10)
RETURNING = DAY - datetime.timedelta(days=400)  # first purchase: a returning customer


def scoring_run(as_of: datetime.date = DAY) -> ScoreRun:
    """Return a finished, good scoring run as of the day."""
    return ScoreRun.objects.create(
        as_of=as_of, status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )


def score(
    run: ScoreRun,
    customer: Customer,
    tier: str = "A",
    first: datetime.date = RETURNING,
    clv: float = 100.0,
    segment: str = "loyal_customers",
) -> CustomerScore:
    """Store the run's score of the customer."""
    return CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=3, first_purchase_on=first,
        last_purchase_on=first, revenue=Decimal("100.00"),
        is_returning=first <= run.as_of - datetime.timedelta(days=365),
        typical_interval_days=None, p_alive=0.5, churn_risk=0.5, expected_purchases_30=0.1,
        expected_purchases_90=0.3, expected_purchases_365=1.0, expected_spend=50.0, clv=clv,
        value_tier=tier, r_score=3, f_score=3, m_score=3, segment=segment,
    )  # fmt: skip


def only_cadence(**fields: Any) -> Cadence:
    """Switch the seeded cadences off and return a new one with the fields."""
    Cadence.objects.update(enabled=False)
    fields.setdefault("name", "Test cadence")
    fields.setdefault("interval_days", 30)
    return Cadence.objects.create(**fields)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """Return an aware moment on the day in the company's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_default_timezone())
