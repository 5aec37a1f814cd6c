"""Tickets for the SLA tests, made through the ORM and given their deadlines as the
workflow does (service.sla.refresh_deadlines after each clock-relevant step)."""

import datetime
import importlib
import itertools

import pytest
from django.apps import apps

from customers.models import Customer
from insights.models import CustomerScore, RunStatus, ScoreRun
from service.models import Ticket
from service.sla import refresh_deadlines

CST = datetime.timezone(datetime.timedelta(hours=8))
_numbers = itertools.count(1)


def at(day: str, time: str = "09:00") -> datetime.datetime:
    """Return a moment in Shanghai time, e.g. at("2026-02-13", "17:55")."""
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=CST)


def local(moment: datetime.datetime | None) -> str:
    """Return a moment as "YYYY-MM-DD HH:MM" in Shanghai time ("" for None)."""
    return "" if moment is None else moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def step(ticket: Ticket, now: datetime.datetime, **changes: object) -> Ticket:
    """Change the ticket as a workflow step would, refresh its deadlines, save."""
    for name, value in changes.items():
        setattr(ticket, name, value)
    fields = refresh_deadlines(ticket, now)
    ticket.save(update_fields=[*changes, *fields])
    return ticket


def open_ticket(
    customer: Customer, opened_at: datetime.datetime, priority: str = "normal", **fields: object
) -> Ticket:
    ticket = Ticket.objects.create(
        number=f"T{next(_numbers):06d}", kind="complaint", channel="phone", customer=customer,
        subject="Broken lid", description="The lid came broken.", priority=priority,
        opened_at=opened_at, **fields,
    )  # fmt: skip
    return step(ticket, opened_at)


def score_tier(customer: Customer, tier: str) -> None:
    """Put the customer in a value tier in a finished scoring run."""
    run = ScoreRun.objects.create(as_of=datetime.date(2026, 1, 31), status=RunStatus.SUCCEEDED)
    CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=1, first_purchase_on=datetime.date(2026, 1, 1),
        last_purchase_on=datetime.date(2026, 1, 1), revenue=30, is_returning=False,
        typical_interval_days=None, p_alive=1.0, churn_risk=0.5, expected_purchases_30=0.1,
        expected_purchases_90=0.2, expected_purchases_365=0.5, expected_spend=30.0, clv=12.0,
        value_tier=tier, r_score=3, f_score=1, m_score=2, segment="promising",
    )  # fmt: skip


@pytest.fixture
def seeded_policies(db: None) -> None:
    """Have the seeded policies, also after a transactional test flushed the tables (the
    data migration wrote them once, before the first test)."""
    migration = importlib.import_module("service.migrations.0007_sla_default_policies")
    migration.seed(apps, None)
