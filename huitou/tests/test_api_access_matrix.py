"""Every role against every API endpoint: allowed, or exactly 401, 403, 404 or 422.

The world: one team (manager, rep, teammate), a rep of another team, a service agent, an
admin. The rep owns one customer, with an order, an interaction and a follow-up assigned
to the rep; the rep also has an API token. Unseen records answer 404 when named in the
path and 422 "unknown" when named in the body, exactly as a record that does not exist.
"""

import datetime
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, User
from customers.models import Customer
from interactions.models import FollowUp
from interactions.services import create_follow_up, log_interaction
from loyalty import points
from loyalty.members import member_for
from loyalty.models import LimitedProduct, Reward
from sales.models import Order
from service.models import Ticket
from service.services import NewTicket, create_ticket

ROLES = ("admin", "manager", "rep", "teammate", "other_rep", "agent", "anonymous")
FIXTURES = {"admin": "admin_user"}
API = "/api/v1"


@dataclass
class World:
    customer: Customer
    order: Order
    follow_up: FollowUp
    token: ApiToken
    today: datetime.date
    ticket: Ticket


@pytest.fixture
def world(rep, teammate, other_rep, manager, agent, admin_user, make_customer, make_order):
    customer = make_customer(rep)
    order = make_order(customer, datetime.date(2026, 1, 1), "20.00")
    log_interaction(rep, customer, {"kind": "phone", "summary": "hello"})
    today = timezone.localdate()
    follow_up = create_follow_up(rep, customer, today, "call back")
    token, _raw = ApiToken.objects.issue(rep, "script")
    ticket = create_ticket(rep, NewTicket("complaint", "phone", customer, "Late", "Still late"))
    return World(customer, order, follow_up, token, today, ticket)


numbers = itertools.count(1)


def _order(world: World) -> dict[str, Any]:
    return {
        "number": f"M-{next(numbers)}", "customer_id": world.customer.pk,
        "ordered_on": "2026-02-01",
        "lines": [{"sku": "CD-ROCK", "quantity": 1, "unit_price": "15.00"}],
    }  # fmt: skip


def _json(client: Client, method: str, url: str, body: object = None, **headers: str) -> Any:
    send = getattr(client, method)
    if body is None:
        return send(url, headers=headers)
    return send(url, json.dumps(body), content_type="application/json", headers=headers)


def _ticket(world: World) -> dict[str, Any]:
    return {
        "customer_id": world.customer.pk, "kind": "question", "channel": "email",
        "subject": "Opening hours", "description": "When are you open?",
    }  # fmt: skip


def _loyalty(world: World) -> tuple[Reward, LimitedProduct]:
    """Return a reward the customer can afford many times over and a limited product open
    for reservations (made once per world)."""
    reward = Reward.objects.get_or_create(
        code="mug", defaults={"name": "Mug", "kind": "gift", "cost": 10, "stock": 100}
    )[0]
    points.grant(member_for(world.customer.pk), 1000, "matrix", None, "matrix")
    now = timezone.now()
    limited = LimitedProduct.objects.get_or_create(
        product=world.order.lines.first().product,
        defaults={"quantity": 50, "sale_starts_at": now - datetime.timedelta(hours=1),
                  "closes_at": now + datetime.timedelta(days=1)},
    )[0]  # fmt: skip
    return reward, limited


def _redeem(client: Client, world: World) -> Any:
    reward, _limited = _loyalty(world)
    body = {"customer_id": world.customer.pk, "reward_id": reward.pk}
    return _json(client, "post", f"{API}/loyalty/redemptions", body,
                 **{"Idempotency-Key": f"redeem-{next(numbers)}"})  # fmt: skip


def _reserve(client: Client, world: World) -> Any:
    _reward, limited = _loyalty(world)
    body = {"limited_id": limited.pk, "customer_id": world.customer.pk}
    return _json(client, "post", f"{API}/loyalty/reservations", body,
                 **{"Idempotency-Key": f"reserve-{next(numbers)}"})  # fmt: skip


Call = Callable[[Client, World], Any]
ENDPOINTS: dict[str, Call] = {
    "list customers": lambda c, w: c.get(f"{API}/customers"),
    "get customer": lambda c, w: c.get(f"{API}/customers/{w.customer.pk}"),
    "create own customer": lambda c, w: _json(c, "post", f"{API}/customers", {"name": "New"}),
    "create rep's customer": lambda c, w: _json(
        c, "post", f"{API}/customers", {"name": "New", "owner_id": w.customer.owner_id}
    ),
    "update customer": lambda c, w: _json(
        c, "patch", f"{API}/customers/{w.customer.pk}", {"city": "Ningbo"}
    ),
    "archive customer": lambda c, w: c.post(f"{API}/customers/{w.customer.pk}/archive"),
    "restore customer": lambda c, w: c.post(f"{API}/customers/{w.customer.pk}/restore"),
    "list products": lambda c, w: c.get(f"{API}/products"),
    "create product": lambda c, w: _json(
        c, "post", f"{API}/products", {"sku": "NEW", "name": "New", "list_price": "1.00"}
    ),
    "list orders": lambda c, w: c.get(f"{API}/orders"),
    "get order": lambda c, w: c.get(f"{API}/orders/{w.order.pk}"),
    "create order": lambda c, w: _json(c, "post", f"{API}/orders", _order(w)),
    "bulk orders": lambda c, w: _json(
        c, "post", f"{API}/orders/bulk", {"orders": [_order(w)]}, **{"Idempotency-Key": "k"}
    ),
    "order status": lambda c, w: _json(
        c, "post", f"{API}/orders/{w.order.pk}/status", {"status": "cancelled"}
    ),
    "refund order": lambda c, w: _json(
        c, "post", f"{API}/orders/{w.order.pk}/refund", {"reason": "returned"}
    ),
    "reinstate order": lambda c, w: _json(
        c, "post", f"{API}/orders/{w.order.pk}/reinstate", {"reason": "paid"}
    ),
    "list interactions": lambda c, w: c.get(f"{API}/customers/{w.customer.pk}/interactions"),
    "log interaction": lambda c, w: _json(
        c,
        "post",
        f"{API}/customers/{w.customer.pk}/interactions",
        {"kind": "phone", "summary": "x"},
    ),
    "list follow-ups": lambda c, w: c.get(f"{API}/follow-ups"),
    "plan follow-up": lambda c, w: _json(
        c, "post", f"{API}/follow-ups", {"customer_id": w.customer.pk, "due_on": str(w.today)}
    ),
    "complete follow-up": lambda c, w: c.post(f"{API}/follow-ups/{w.follow_up.pk}/complete"),
    "send message": lambda c, w: _json(
        c,
        "post",
        f"{API}/customers/{w.customer.pk}/messages",
        {"channel": "sms", "purpose": "care", "text": "Happy holidays"},
    ),
    "list messages": lambda c, w: c.get(f"{API}/customers/{w.customer.pk}/messages"),
    "send care": lambda c, w: _json(
        c,
        "post",
        f"{API}/care/send",
        {"customer_id": w.customer.pk, "occasion": "christmas", "occasion_date": "2026-12-25"},
    ),
    "today": lambda c, w: c.get(f"{API}/today"),
    "snooze": lambda c, w: _json(
        c,
        "post",
        f"{API}/today/snooze",
        {"customer_id": w.customer.pk, "until": str(w.today + datetime.timedelta(days=1))},
    ),
    "loyalty quote": lambda c, w: _json(
        c,
        "post",
        f"{API}/loyalty/quote",
        {"customer_id": w.customer.pk, "lines": [{"sku": "CD-ROCK", "quantity": 1}]},
    ),
    "list rewards": lambda c, w: c.get(f"{API}/loyalty/rewards"),
    "customer points": lambda c, w: c.get(f"{API}/loyalty/customers/{w.customer.pk}/points"),
    "redeem reward": _redeem,
    "reserve limited": _reserve,
    "customer referral": lambda c, w: c.get(f"{API}/loyalty/customers/{w.customer.pk}/referral"),
    "list tokens": lambda c, w: c.get(f"{API}/tokens"),
    "issue token": lambda c, w: _json(c, "post", f"{API}/tokens", {"name": "new"}),
    "revoke token": lambda c, w: c.delete(f"{API}/tokens/{w.token.pk}"),
    "list tickets": lambda c, w: c.get(f"{API}/tickets"),
    "get ticket": lambda c, w: c.get(f"{API}/tickets/{w.ticket.pk}"),
    "open ticket": lambda c, w: _json(c, "post", f"{API}/tickets", _ticket(w)),
    "ticket step": lambda c, w: _json(
        c, "post", f"{API}/tickets/{w.ticket.pk}/events", {"action": "noted", "note": "called"}
    ),
    "openapi": lambda c, w: c.get(f"{API}/openapi.json"),
    "docs": lambda c, w: c.get(f"{API}/docs"),
}

# Expected status per role, in the order of ROLES:
#              admin manager rep teammate other_rep agent anonymous
EXPECTED: dict[str, tuple[int, ...]] = {
    "list customers":     (200, 200, 200, 200, 200, 200, 401),
    "get customer":       (200, 200, 200, 404, 404, 200, 401),
    "create own customer":    (422, 422, 201, 201, 201, 403, 401),
    "create rep's customer":  (201, 201, 201, 422, 422, 403, 401),
    "update customer":    (200, 200, 200, 404, 404, 403, 401),
    "archive customer":   (200, 200, 200, 404, 404, 403, 401),
    "restore customer":   (200, 200, 200, 404, 404, 403, 401),
    "list products":      (200, 200, 200, 200, 200, 200, 401),
    "create product":     (201, 201, 403, 403, 403, 403, 401),
    "list orders":        (200, 200, 200, 200, 200, 200, 401),
    "get order":          (200, 200, 200, 404, 404, 200, 401),
    "create order":       (201, 201, 201, 422, 422, 403, 401),
    "bulk orders":        (201, 201, 201, 422, 422, 403, 401),
    "order status":       (200, 200, 200, 404, 404, 403, 401),
    # REFUND_ROLES: managers and admins; the order is paid, so there is nothing to reinstate.
    "refund order":       (200, 200, 403, 404, 404, 403, 401),
    "reinstate order":    (409, 409, 403, 404, 404, 403, 401),
    "list interactions":  (200, 200, 200, 404, 404, 200, 401),
    "log interaction":    (201, 201, 201, 404, 404, 201, 401),
    "list follow-ups":    (200, 200, 200, 200, 200, 200, 401),
    "plan follow-up":     (201, 201, 201, 422, 422, 201, 401),
    "complete follow-up": (403, 403, 200, 404, 404, 403, 401),
    # The one send path: whoever may contact the customer (engagement.services.send).
    "send message":       (201, 201, 201, 404, 404, 201, 401),
    "list messages":      (200, 200, 200, 404, 404, 200, 401),
    "send care":          (201, 201, 201, 404, 404, 201, 401),
    # Everyone has a Today of their own; a snooze hides a visible customer from one's own.
    "today":              (200, 200, 200, 200, 200, 200, 401),
    "snooze":             (200, 200, 200, 404, 404, 200, 401),
    # A quote writes nothing: whoever sees the customer; others find it unknown (422).
    "loyalty quote":      (200, 200, 200, 422, 422, 200, 401),
    # Points and rewards: whoever may change the customer redeems; agents read, not redeem.
    "list rewards":       (200, 200, 200, 200, 200, 200, 401),
    "customer points":    (200, 200, 200, 404, 404, 200, 401),
    "redeem reward":      (201, 201, 201, 404, 404, 403, 401),
    "reserve limited":    (201, 201, 201, 404, 404, 403, 401),
    "customer referral":  (200, 200, 200, 404, 404, 200, 401),
    "list tokens":        (200, 200, 200, 200, 200, 200, 401),
    "issue token":        (201, 201, 201, 201, 201, 201, 401),
    "revoke token":       (404, 404, 204, 404, 404, 404, 401),
    # Tickets: agents, managers and admins see and work every one; a rep their customers'.
    "list tickets":       (200, 200, 200, 200, 200, 200, 401),
    "get ticket":         (200, 200, 200, 404, 404, 200, 401),
    "open ticket":        (201, 201, 201, 422, 422, 201, 401),
    "ticket step":        (201, 201, 201, 404, 404, 201, 401),
    "openapi":            (200, 200, 200, 200, 200, 200, 200),
    "docs":               (200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip

CASES = [
    pytest.param(endpoint, role, status, id=f"{endpoint}-{role}")
    for endpoint, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


def user_for(request: pytest.FixtureRequest, role: str) -> User | None:
    if role == "anonymous":
        return None
    user = request.getfixturevalue(FIXTURES.get(role, role))
    assert isinstance(user, User)
    return user


def session_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def token_client(user: User | None) -> Client:
    if user is None:
        return Client()
    _token, raw = ApiToken.objects.issue(user, "matrix")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_every_endpoint_is_in_the_matrix():
    from huitou.api import api

    paths = api.get_openapi_schema()["paths"]
    operations = sum(len(methods) for methods in paths.values())
    # Less the documentation pages; creating a customer is tried with and without an owner.
    assert operations == len(ENDPOINTS) - 2 - 1


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_session(request, world, endpoint, role, expected):
    response = ENDPOINTS[endpoint](session_client(user_for(request, role)), world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["errors"], response.content


# A token may not issue tokens (so a leaked one cannot mint others): 401 by token.
TOKEN_EXCEPTIONS = {"issue token": 401}


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_token(request, world, endpoint, role, expected):
    if role != "anonymous":
        expected = TOKEN_EXCEPTIONS.get(endpoint, expected)
    response = ENDPOINTS[endpoint](token_client(user_for(request, role)), world)
    assert response.status_code == expected, response.content


# Which roles find the rep's customer, order, interaction and follow-up in the lists.
SEES = {"admin": True, "manager": True, "rep": True, "teammate": False, "other_rep": False,
        "agent": True}  # fmt: skip


@pytest.mark.parametrize("role", list(SEES))
def test_lists_hold_exactly_what_the_role_may_see(request, world, role):
    client = session_client(user_for(request, role))
    customers = [item["id"] for item in client.get(f"{API}/customers").json()["items"]]
    orders = [item["id"] for item in client.get(f"{API}/orders").json()["items"]]
    assert customers == ([world.customer.pk] if SEES[role] else [])
    assert orders == ([world.order.pk] if SEES[role] else [])
    follow_ups = [item["id"] for item in client.get(f"{API}/follow-ups").json()["items"]]
    assert follow_ups == ([world.follow_up.pk] if role == "rep" else [])


def test_refused_writes_change_nothing(world, teammate, other_rep, agent):
    before = (
        Customer.objects.count(), Order.objects.count(), FollowUp.objects.count(),
        Decimal(world.order.amount), world.order.status,
    )  # fmt: skip
    for user in (teammate, other_rep, agent):
        client = session_client(user)
        for endpoint in ("update customer", "archive customer", "order status", "create order",
                         "bulk orders", "complete follow-up"):  # fmt: skip
            assert ENDPOINTS[endpoint](client, world).status_code in (403, 404, 422)
    world.order.refresh_from_db()
    world.customer.refresh_from_db()
    world.follow_up.refresh_from_db()
    after = (
        Customer.objects.count(), Order.objects.count(), FollowUp.objects.count(),
        Decimal(world.order.amount), world.order.status,
    )  # fmt: skip
    assert after == before
    assert world.customer.city == "" and world.customer.archived_at is None
    assert world.follow_up.done_at is None
