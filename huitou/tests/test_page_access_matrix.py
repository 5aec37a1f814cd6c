"""Every role against every page: allowed, or 404/403 — never another rep's data."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from interactions.services import create_follow_up

ROLES = ["admin", "manager", "rep", "teammate", "other_rep", "agent", "anonymous"]

# Each page, the expected status per role, for a customer owned by `rep` (team East,
# managed by `manager`; `teammate` is another rep in East; `other_rep` is in West).
MATRIX = {
    ("GET", "customers:list", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "customers:create", None): [200, 200, 200, 200, 200, 403, 302],
    ("GET", "customers:autocomplete", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "customers:detail", "customer"): [200, 200, 200, 404, 404, 200, 302],
    ("GET", "customers:edit", "customer"): [200, 200, 200, 404, 404, 403, 302],
    ("POST", "customers:archive", "customer"): [302, 302, 302, 404, 404, 403, 302],
    ("POST", "customers:consent", "customer"): [302, 302, 302, 404, 404, 403, 302],
    ("POST", "customers:merge", "customer"): [302, 302, 302, 404, 404, 403, 302],
    ("POST", "customers:reassign", None): [302, 302, 403, 403, 403, 403, 302],
    ("GET", "customers:erase", "customer"): [200, 403, 403, 403, 403, 403, 302],
    ("POST", "customers:erase", "customer"): [200, 403, 403, 403, 403, 403, 302],
    ("GET", "imports:customer_data", "customer"): [200, 200, 403, 403, 403, 403, 302],
    ("GET", "sales:order_create", "customer"): [200, 200, 200, 404, 404, 403, 302],
    # REFUND_ROLES (managers and admins): the confirmation page, and a POST without a reason
    # answered on the form; the order is paid, so the reinstatement form says why not.
    ("GET", "sales:order_refund", "order"): [200, 200, 403, 404, 404, 403, 302],
    ("POST", "sales:order_refund", "order"): [200, 200, 403, 404, 404, 403, 302],
    ("GET", "sales:order_reinstate", "order"): [200, 200, 403, 404, 404, 403, 302],
    ("GET", "interactions:log", "customer"): [200, 200, 200, 404, 404, 200, 302],
    ("GET", "interactions:follow_ups", None): [200, 200, 200, 200, 200, 200, 302],
    ("POST", "interactions:complete", "follow_up"): [403, 403, 302, 404, 404, 403, 302],
    ("GET", "accounts:api_tokens", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "admin:index", None): [200, 302, 302, 302, 302, 302, 302],
    ("GET", "insights:dashboard", None): [200, 200, 200, 200, 200, 200, 302],
    # The service numbers: every role, each counting the tickets it may see (service tests).
    ("GET", "service:figures", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "service:review", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "service:rd_report", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:warnings", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:returning", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:returning_export", None): [404, 404, 403, 403, 403, 403, 302],
    ("GET", "insights:tiers", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:rfm", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:kpis", None): [200, 200, 200, 200, 200, 200, 302],
    ("GET", "insights:backtest", None): [200, 200, 200, 200, 200, 200, 302],
    # Counts over the customers each role sees (the numbers differ, the page opens).
    ("GET", "engagement:care_effect", None): [200, 200, 200, 200, 200, 200, 302],
    # The loyalty numbers, over the members each role may see.
    ("GET", "loyalty:numbers", None): [200, 200, 200, 200, 200, 200, 302],
}


@pytest.fixture
def world(admin_user, manager, rep, teammate, other_rep, agent, make_customer, make_order):
    customer = make_customer(rep)
    order = make_order(customer, datetime.date(2026, 1, 1))
    follow_up = create_follow_up(rep, customer, datetime.date(2026, 1, 2), "call back")
    users = {u.username: u for u in (admin_user, manager, rep, teammate, other_rep, agent)}
    return {"users": users, "customer": customer, "order": order, "follow_up": follow_up}


CASES = [
    (method, name, target, role, expected)
    for (method, name, target), statuses in MATRIX.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "name", "target", "role", "expected"), CASES)
def test_page_access(world, method, name, target, role, expected):
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, args=[world[target].pk] if target else [])
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == expected


def test_another_reps_customer_is_indistinguishable_from_a_missing_one(world):
    client = Client()
    client.force_login(world["users"]["other_rep"])
    hidden = client.get(reverse("customers:detail", args=[world["customer"].pk]))
    missing = client.get(reverse("customers:detail", args=[999999]))
    assert hidden.status_code == missing.status_code == 404
    assert world["customer"].name.encode() not in hidden.content


def test_login_page_signs_in_with_the_password(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200
