"""insights' extension points: warning reasons and key figures, and its share of the day."""

import csv
import io

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from customers.extensions import today_items
from insights import warnings
from insights.key_figures import KeyFigure, key_figure_sources
from insights.services import config, run_scoring
from insights.tests.conftest import AS_OF
from insights.warnings import RuleReason, ScoredBase, evaluate, warning_reasons
from interactions.services import create_follow_up


@pytest.fixture
def contribute():
    """Register contributors for one test and take them out again afterwards."""
    added = []

    def add(registry, name, item, order=100):
        assert name not in registry
        registry.register(name, item, order)
        added.append((registry, name))

    yield add
    for registry, name in added:
        registry.unregister(name)


def scored_base(churn_risk):
    """Return a base of customers who bought twice, 10 days ago, with these churn risks."""
    n = len(churn_risk)
    return ScoredBase(
        customer_id=np.arange(1, n + 1), churn_risk=np.array(churn_risk),
        previous_churn_risk=np.full(n, np.nan), purchase_count=np.full(n, 2),
        typical_interval_days=np.full(n, 30.0), days_since_last=np.full(n, 10),
        period_spend=np.ones((n, 4)), period_visits=np.ones((n, 4)), settings=config(),
    )  # fmt: skip


def test_insights_registers_its_three_reasons_in_a_fixed_order():
    # Other apps' reasons (service's low satisfaction) come after insights' own.
    codes = [reason.code for reason in warning_reasons]
    assert codes[:3] == ["churn_risk", "overdue", "declining"]


# db: other apps' registered reasons read their own records (service's surveys).
def test_a_registered_reason_flags_and_speaks_after_the_ones_before_it(db, contribute):
    def complaints(base):
        return {1: {"open": 2}}

    def say(params):
        return f"{params['open']} open complaints."

    reason = RuleReason("complaints", complaints, say)
    contribute(warning_reasons, "complaints", reason, order=15)
    flagged = evaluate(scored_base([0.99, 0.99]))
    assert [reason["code"] for reason in flagged[1]] == ["churn_risk", "complaints"]
    assert [reason["code"] for reason in flagged[0]] == ["churn_risk"]
    with translation.override("en"):
        assert warnings.describe(flagged[1][1]) == "2 open complaints."


def test_a_registered_key_figure_shows_after_the_purchase_figures_and_in_the_csv(
    simulated_base, manager, contribute
):
    scopes = []

    def complaint_rate(scope):
        scopes.append(scope)
        return [KeyFigure("Complaint rate", "1.5%", "Complaints ÷ customers.", 0.015, 3, 200)]

    # Before service's own figures (order 20), right after the purchase figures.
    contribute(key_figure_sources, "test-complaints", complaint_rate, order=15)
    client = Client()
    client.force_login(manager)
    params = {"start": "2026-04-01", "end": "2026-06-30"}
    page = client.get(reverse("insights:kpis"), params)
    html = page.content.decode()
    assert html.index("Revenue from new customers") < html.index("Complaint rate")
    assert ">1.5%<" in html
    (scope,) = scopes
    assert (str(scope.start), str(scope.end), scope.user) == ("2026-04-01", "2026-06-30", manager)
    assert len(scope.customer_ids) == len(simulated_base)  # the manager sees the whole team
    exported = client.get(reverse("insights:kpis"), {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:7]] == [
        "Repurchase rate", "Churn rate", "Average order value",
        "Revenue from returning customers", "Revenue from new customers", "Complaint rate",
    ]  # fmt: skip
    assert rows[6] == ["Complaint rate", "0.015", "3", "200"]


def test_churn_warnings_join_the_day_after_the_follow_ups(simulated_base, rep):
    run = run_scoring(AS_OF)
    customer = simulated_base[0]
    create_follow_up(rep, customer, AS_OF, "Call back")
    items = today_items(rep, AS_OF, limit=5)
    assert (items[0].kind, items[0].customer, items[0].priority) == ("follow_up", customer, 2)
    warned = [item for item in items if item.kind == "churn_warning"]
    assert len(warned) == 4 and {item.priority for item in warned} == {3}
    assert all(item.customer.owner == rep and item.reason for item in warned)
    assert run.warnings.filter(customer=warned[0].customer).exists()
