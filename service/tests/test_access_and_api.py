"""Who sees and works which tickets (per role), on the pages and over the API; the API's
tickets and events with idempotency keys."""

import json
from typing import Any

import pytest
from django.test import Client

from core.models import OutboxEvent
from service.models import Status, Ticket

from .test_workflow import open_complaint

TICKETS = "/api/v1/tickets"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def tickets(agent, rep, other_rep, make_customer) -> dict[str, Ticket]:
    return {
        "mine": open_complaint(agent, make_customer(rep)),
        "other": open_complaint(agent, make_customer(other_rep)),
    }


@pytest.mark.parametrize(
    ("role", "sees"),
    [("agent", {"mine", "other"}), ("manager", {"mine", "other"}),
     ("admin_user", {"mine", "other"}), ("rep", {"mine"})],
)  # fmt: skip
def test_each_role_sees_its_tickets_on_pages_and_api(request, role, sees, tickets):
    user = request.getfixturevalue(role)
    client = client_for(user)
    listed = {item["number"] for item in client.get(TICKETS).json()["items"]}
    assert listed == {tickets[name].number for name in sees}
    queue = client.get("/service/?scope=all").content.decode()
    for name, ticket in tickets.items():
        assert (ticket.number in queue) == (name in sees)
        page = client.get(f"/service/tickets/{ticket.pk}/")
        api = client.get(f"{TICKETS}/{ticket.pk}")
        assert page.status_code == api.status_code == (200 if name in sees else 404)


def test_a_rep_works_only_their_customers_tickets(rep, tickets):
    client = client_for(rep)
    response = post(client, f"{TICKETS}/{tickets['mine'].pk}/events", {"action": "acknowledged"})
    assert response.status_code == 201 and response.json()["status"] == "acknowledged"
    response = post(client, f"{TICKETS}/{tickets['other'].pk}/events", {"action": "acknowledged"})
    assert response.status_code == 404
    # A rep may not pass a ticket to someone else.
    response = post(client, f"{TICKETS}/{tickets['mine'].pk}/events",
                    {"action": "reassigned", "assignee_id": rep.pk})  # fmt: skip
    assert response.status_code == 403


def test_a_rep_cannot_open_a_ticket_for_a_customer_they_cannot_see(rep, other_rep, make_customer):
    customer = make_customer(other_rep)
    body = {"customer_id": customer.pk, "kind": "complaint", "channel": "phone",
            "subject": "x", "description": "y"}  # fmt: skip
    response = post(client_for(rep), TICKETS, body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "customer_id"
    assert not Ticket.objects.exists()


def test_create_over_the_api_is_idempotent(agent, rep, make_customer, make_order):
    customer = make_customer(rep)
    order = make_order(customer, __import__("datetime").date(2026, 11, 1))
    body = {"customer_id": customer.pk, "kind": "complaint", "channel": "email",
            "subject": "Late", "description": "<b>Still</b> not here", "order_id": order.pk,
            "category_id": None, "priority": "high"}  # fmt: skip
    client = client_for(agent)
    first = post(client, TICKETS, body, **{"Idempotency-Key": "k-1"})
    again = post(client, TICKETS, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert Ticket.objects.count() == 1
    created = first.json()
    assert created["description"] == "<b>Still</b> not here" and created["priority"] == "high"
    assert [step["action"] for step in created["steps"]] == ["created"]
    other = post(client, TICKETS, {**body, "subject": "other"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [({"channel": "fax"}, "channel"), ({"kind": "rant"}, "kind"), ({"subject": ""}, "subject"),
     ({"category_id": 999999}, "category_id"), ({"description": "a\x00b"}, "description")],
)  # fmt: skip
def test_bad_tickets_are_refused_naming_the_field(agent, rep, make_customer, body, field):
    customer = make_customer(rep)
    base = {"customer_id": customer.pk, "kind": "complaint", "channel": "phone",
            "subject": "x", "description": "y"}  # fmt: skip
    response = post(client_for(agent), TICKETS, {**base, **body})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Ticket.objects.exists()


def test_events_take_the_workflow_and_reach_the_outbox(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    client = client_for(agent)
    url = f"{TICKETS}/{ticket.pk}/events"
    steps = [
        {"action": "acknowledged", "note": "sorry"},
        {"action": "proposed", "branch": "minor", "note": "a voucher"},
        {"action": "answered", "answer": "accepted"},
        {"action": "resolved", "root_cause": "typo", "outcome": "voucher sent"},
        {"action": "followed_up", "note": "fine"},
        {"action": "closed"},
    ]
    for number, step in enumerate(steps):
        response = post(client, url, step, **{"Idempotency-Key": f"s-{number}"})
        assert response.status_code == 201, response.json()
        # A retry of the same step replays its answer and writes nothing.
        assert post(client, url, step, **{"Idempotency-Key": f"s-{number}"}).json() == (
            response.json()
        )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    assert OutboxEvent.objects.filter(kind="ticket.closed", subject_id=ticket.pk).count() == 1
    refused = post(client, url, {"action": "closed"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "action"
    assert post(client, url, {"action": "waiting"}).status_code == 422


def test_the_open_list_is_sorted_by_time_to_breach(agent, rep, make_customer):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    late = open_complaint(agent, make_customer(rep))
    soon = open_complaint(agent, make_customer(rep))
    none = open_complaint(agent, make_customer(rep))
    # The deadline that breaches next, as service.sla stores it; none sorts last.
    Ticket.objects.filter(pk=late.pk).update(next_due=now + datetime.timedelta(hours=5))
    Ticket.objects.filter(pk=soon.pk).update(next_due=now + datetime.timedelta(hours=1))
    Ticket.objects.filter(pk=none.pk).update(next_due=None)
    items = client_for(agent).get(f"{TICKETS}?open=true").json()["items"]
    assert [item["id"] for item in items] == [soon.pk, late.pk, none.pk]
