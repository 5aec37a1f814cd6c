"""Interactions and follow-ups over the API: the access rule, validation, and the task list."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.channels import Channel
from customers.services import archive_customer
from interactions.models import FollowUp, Interaction
from interactions.services import create_follow_up, log_interaction, visible_follow_ups

FOLLOW_UPS = "/api/v1/follow-ups"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object = None, **headers: str):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def log_url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/interactions"


def errors(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def today() -> datetime.date:
    return timezone.localdate()


def test_list_is_per_visible_customer_newest_first(rep, other_rep, make_customer):
    customer = make_customer(rep)
    now = timezone.now()
    older = log_interaction(
        rep,
        customer,
        {"kind": "phone", "summary": "a", "occurred_at": now - datetime.timedelta(days=2)},
    )
    newer = log_interaction(rep, customer, {"kind": "visit", "summary": "b", "occurred_at": now})
    log_interaction(rep, make_customer(rep), {"kind": "phone", "summary": "elsewhere"})
    body = client_for(rep).get(log_url(customer)).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [newer.pk, older.pk]
    assert client_for(other_rep).get(log_url(customer)).status_code == 404


def test_log_a_call_with_a_next_contact(rep, make_customer):
    customer = make_customer(rep)
    next_day = today() + datetime.timedelta(days=3)
    response = post(
        client_for(rep), log_url(customer),
        {"kind": "phone", "summary": "Asked about the new album", "next_contact_on": str(next_day)},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get(pk=response.json()["id"])
    assert (interaction.user, interaction.customer, interaction.direction) == (rep, customer, "out")
    follow_up = FollowUp.objects.get(source=interaction)
    assert (follow_up.assignee, follow_up.due_on) == (rep, next_day)


def test_agent_logs_and_the_follow_up_goes_to_the_owner(agent, rep, make_customer):
    customer = make_customer(rep)
    next_day = today() + datetime.timedelta(days=1)
    body = {
        "kind": "phone",
        "direction": "in",
        "summary": "Complaint",
        "next_contact_on": str(next_day),
    }
    response = post(client_for(agent), log_url(customer), body)
    assert response.status_code == 201
    assert response.json()["user_id"] == agent.pk
    assert FollowUp.objects.get().assignee == rep


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "telepathy", "summary": "x"}, "kind"),
        ({"kind": "phone"}, "summary"),
        ({"kind": "phone", "summary": ""}, "summary"),
        ({"kind": "phone", "summary": "x", "next_contact_on": "2000-01-01"}, "next_contact_on"),
        ({"kind": "phone", "summary": "x", "occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_bad_interactions_are_rejected(rep, make_customer, body, field):
    response = post(client_for(rep), log_url(make_customer(rep)), body)
    assert response.status_code == 422
    assert errors(response) == {field}
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


PAST_DAY = {"en": "The date cannot be in the past.", "zh-hans": "日期不能早于今天。"}


@pytest.mark.parametrize("language", PAST_DAY)
def test_api_and_form_refuse_a_past_day_with_one_message(rep, make_customer, language):
    rep.language = language
    rep.save(update_fields=["language"])
    customer = make_customer(rep)
    client = client_for(rep)
    yesterday = str(today() - datetime.timedelta(days=1))
    logged = post(
        client, log_url(customer), {"kind": "phone", "summary": "x", "next_contact_on": yesterday}
    )
    planned = post(client, FOLLOW_UPS, {"customer_id": customer.pk, "due_on": yesterday})
    page = client.post(
        reverse("interactions:log", args=[customer.pk]),
        {"kind": "phone", "direction": "out", "summary": "x", "next_contact_on": yesterday},
    )
    message = PAST_DAY[language]
    assert (logged.status_code, planned.status_code, page.status_code) == (422, 422, 200)
    assert logged.json() == {"errors": [{"field": "next_contact_on", "message": message}]}
    assert planned.json() == {"errors": [{"field": "due_on", "message": message}]}
    assert message in page.content.decode()
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_archived_customer_takes_no_new_interactions(rep, make_customer):
    customer = make_customer(rep)
    archive_customer(rep, customer)
    response = post(client_for(rep), log_url(customer), {"kind": "phone", "summary": "x"})
    assert response.status_code == 422
    assert errors(response) == {"customer_id"}
    assert not Interaction.objects.exists()


def test_unseen_customer_is_404_and_nothing_logged(teammate, rep, make_customer):
    response = post(
        client_for(teammate), log_url(make_customer(rep)), {"kind": "phone", "summary": "x"}
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_log_retried_with_a_key_logs_once(rep, make_customer):
    customer = make_customer(rep)
    client = client_for(rep)
    body = {"kind": "phone", "summary": "x"}
    first = post(client, log_url(customer), body, **{"Idempotency-Key": "call-1"})
    again = post(client, log_url(customer), body, **{"Idempotency-Key": "call-1"})
    assert again.json() == first.json()
    assert Interaction.objects.count() == 1
    # The same key on another customer's log is another request.
    other = post(client, log_url(make_customer(rep)), body, **{"Idempotency-Key": "call-1"})
    assert other.status_code == 201
    assert Interaction.objects.count() == 2


def test_my_follow_ups_due_and_upcoming(rep, teammate, make_customer):
    customer = make_customer(rep)
    overdue = create_follow_up(rep, customer, today() - datetime.timedelta(days=1), "late")
    upcoming = create_follow_up(rep, customer, today() + datetime.timedelta(days=5), "soon")
    done = create_follow_up(rep, customer, today(), "done")
    done.done_at = timezone.now()
    done.save()
    create_follow_up(teammate, make_customer(teammate), today(), "not mine")
    client = client_for(rep)

    def ids(**params: Any) -> list[int]:
        return [item["id"] for item in client.get(FOLLOW_UPS, params).json()["items"]]

    assert ids() == [overdue.pk, upcoming.pk]
    assert ids(due="true") == [overdue.pk]
    assert ids(include_done="true") == [overdue.pk, done.pk, upcoming.pk]
    item = client.get(FOLLOW_UPS).json()["items"][0]
    assert (item["customer_name"], item["note"]) == (customer.name, "late")


def test_plan_a_follow_up(rep, make_customer):
    customer = make_customer(rep)
    due = today() + datetime.timedelta(days=2)
    response = post(
        client_for(rep),
        FOLLOW_UPS,
        {"customer_id": customer.pk, "due_on": str(due), "note": "Call"},
    )
    assert response.status_code == 201
    follow_up = FollowUp.objects.get(pk=response.json()["id"])
    assert (follow_up.assignee, follow_up.due_on, follow_up.note) == (rep, due, "Call")


def test_follow_ups_go_only_to_someone_who_may_work_on_the_customer(
    manager, rep, teammate, other_rep, make_customer
):
    customer = make_customer(rep)
    due = str(today())
    client = client_for(manager)
    ok = post(
        client, FOLLOW_UPS, {"customer_id": customer.pk, "due_on": due, "assignee_id": manager.pk}
    )
    assert ok.status_code == 201
    assert ok.json()["assignee_id"] == manager.pk
    assert [f.pk for f in visible_follow_ups(manager)] == [ok.json()["id"]]
    # A teammate cannot see the rep's customer, so the task would sit where nobody finds it;
    # someone from another team is outside the manager's reach altogether.
    for assignee in (teammate, other_rep):
        refused = post(
            client, FOLLOW_UPS,
            {"customer_id": customer.pk, "due_on": due, "assignee_id": assignee.pk},
        )  # fmt: skip
        assert refused.status_code == 422
        assert errors(refused) == {"assignee_id"}
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [({"due_on": "2000-01-01"}, "due_on"), ({"due_on": "someday"}, "due_on"),
     ({"customer_id": 999999}, "customer_id"), ({"note": "x" * 301}, "note")],
)  # fmt: skip
def test_bad_follow_ups_are_rejected(rep, make_customer, change, field):
    body = {"customer_id": make_customer(rep).pk, "due_on": str(today()), **change}
    response = post(client_for(rep), FOLLOW_UPS, body)
    assert response.status_code == 422
    assert errors(response) == {field}
    assert not FollowUp.objects.exists()


def test_follow_up_for_an_unseen_customer_answers_like_a_missing_one(rep, other_rep, make_customer):
    client = client_for(rep)
    unseen = post(
        client, FOLLOW_UPS, {"customer_id": make_customer(other_rep).pk, "due_on": str(today())}
    )
    missing = post(client, FOLLOW_UPS, {"customer_id": 999999, "due_on": str(today())})
    assert unseen.status_code == missing.status_code == 422
    assert unseen.json() == missing.json()
    assert not FollowUp.objects.exists()


def test_only_the_assignee_completes(rep, manager, other_rep, make_customer):
    follow_up = create_follow_up(rep, make_customer(rep), today(), "x")
    url = f"{FOLLOW_UPS}/{follow_up.pk}/complete"
    assert post(client_for(other_rep), url).status_code == 404
    assert post(client_for(manager), url).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    done = post(client_for(rep), url)
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
    follow_up.refresh_from_db()
    first_done_at = follow_up.done_at
    assert post(client_for(rep), url).status_code == 200  # a retried click changes nothing
    follow_up.refresh_from_db()
    assert follow_up.done_at == first_done_at


def test_an_older_client_logging_a_call_logs_a_phone_contact(rep, make_customer):
    response = post(client_for(rep), log_url(make_customer(rep)), {"kind": "call", "summary": "x"})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "phone"
    assert Interaction.objects.get().channel == Channel.PHONE


def test_the_schema_documents_the_call_alias(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    kind = schemas["InteractionIn"]["properties"]["kind"]
    assert '"call" is still accepted' in kind["description"]
    assert "call" not in schemas["InteractionKind"]["enum"]
