"""Every change to a customer is announced as a domain event in the change's transaction,
with the actor, read off the history it records."""

from typing import Any

import pytest
from django.db import transaction

from core.actors import Actor, acting_as
from core.models import OutboxEvent
from customers.services import (
    create_customer,
    merge_customers,
    reassign_customers,
    set_consent,
    update_customer,
)


def kinds(customer_id: int) -> list[str]:
    return list(
        OutboxEvent.objects.filter(customer_id=customer_id)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_creation_is_announced_with_its_actor(rep):
    with acting_as(Actor.of_token(rep, 3, "till")):
        customer = create_customer(rep, {"owner": rep, "name": "Wang Fang"})
    event = OutboxEvent.objects.get(customer_id=customer.pk)
    assert (event.kind, event.actor_kind, event.actor_user_id) == (
        "customer.created",
        "token",
        rep.pk,
    )


def test_profile_changes_are_one_event_naming_the_fields(rep, make_customer):
    customer = make_customer(rep)
    update_customer(rep, customer, {"city": "Hangzhou", "company": "Acme"})
    event = OutboxEvent.objects.filter(customer_id=customer.pk, kind="customer.updated").get()
    assert event.data is not None and sorted(event.data["fields"]) == ["city", "company"]


def test_an_unchanged_save_announces_nothing(rep, make_customer):
    customer = make_customer(rep)
    before = OutboxEvent.objects.count()
    update_customer(rep, customer, {"name": customer.name})
    assert OutboxEvent.objects.count() == before


def test_consent_archive_restore_reassign_and_merge_are_announced(
    manager, rep, teammate, make_customer
):
    customer = make_customer(rep)
    set_consent(rep, customer, "sms", False)
    update_customer(rep, customer, {"archived_at": "2026-12-01T00:00:00Z"})
    update_customer(rep, customer, {"archived_at": None})
    reassign_customers(manager, [customer.pk], teammate)
    duplicate = make_customer(teammate, mobile="")
    merge_customers(manager, customer, duplicate)
    assert kinds(customer.pk)[1:] == [
        "consent.changed", "customer.archived", "customer.restored", "customer.reassigned",
        "customer.merged",
    ]  # fmt: skip
    consent = OutboxEvent.objects.get(customer_id=customer.pk, kind="consent.changed")
    assert consent.data == {"channel": "sms", "granted": False}
    merged = OutboxEvent.objects.get(customer_id=customer.pk, kind="customer.merged")
    assert merged.subject_id == duplicate.pk
    assert "customer.archived" in kinds(duplicate.pk)


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_announces_nothing(rep: Any, make_customer: Any) -> None:
    customer = make_customer(rep)
    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        update_customer(rep, customer, {"city": "Hangzhou"})
        raise RuntimeError("the request failed after the change")
    assert OutboxEvent.objects.count() == before
