"""What a merge may not do: lose the survivor, or lose an opt-out."""

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Invalid
from customers.models import Consent, Customer
from customers.services import archive_customer, merge_customers, set_consent


def test_merging_into_an_archived_customer_is_refused_and_changes_nothing(rep, make_customer):
    survivor = make_customer(rep)
    duplicate = make_customer(rep)
    archive_customer(rep, survivor)
    with pytest.raises(Invalid, match="archived"):
        merge_customers(rep, survivor, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.archived_at is None and duplicate.merged_into_id is None


def test_two_merges_of_a_pair_in_opposite_directions_leave_one_survivor(rep, make_customer):
    first = make_customer(rep)
    second = make_customer(rep)
    # Both read before the first merge, as a second browser tab would have them.
    stale_first, stale_second = (Customer.objects.get(pk=c.pk) for c in (first, second))
    merge_customers(rep, first, second)
    with pytest.raises(Invalid):
        merge_customers(rep, stale_second, stale_first)
    first.refresh_from_db()
    assert first.archived_at is None and first.merged_into_id is None


def test_a_customer_already_merged_away_is_not_merged_again(rep, make_customer):
    survivor, other, duplicate = make_customer(rep), make_customer(rep), make_customer(rep)
    merge_customers(rep, survivor, duplicate)
    with pytest.raises(Invalid) as refused:
        merge_customers(rep, other, Customer.objects.get(pk=duplicate.pk))
    assert refused.value.field == "duplicate"


def test_a_customer_is_not_merged_into_itself(rep, make_customer):
    customer = make_customer(rep)
    with pytest.raises(Invalid):
        merge_customers(rep, customer, Customer.objects.get(pk=customer.pk))


def test_the_stricter_consent_survives_per_channel(rep, make_customer):
    survivor = make_customer(rep)
    duplicate = make_customer(rep)
    set_consent(rep, survivor, "sms", True, "shop form")
    set_consent(rep, duplicate, "sms", False, "replied TD")
    set_consent(rep, survivor, "email", False, "unsubscribed")
    set_consent(rep, duplicate, "email", True, "newsletter")
    set_consent(rep, duplicate, "phone", True, "asked for calls")

    merge_customers(rep, survivor, duplicate)

    kept = {c.channel: (c.granted, c.source) for c in Consent.objects.filter(customer=survivor)}
    assert kept == {
        "sms": (False, "replied TD"),  # the duplicate's opt-out wins over a permission
        "email": (False, "unsubscribed"),  # the survivor's opt-out stays
        "phone": (True, "asked for calls"),  # an answer beats none
    }
    assert not survivor.may_contact("sms")
    assert survivor.changes.filter(field="consent_sms", new_value="False").exists()


def test_the_page_answers_a_refused_merge_with_422_and_the_reason(rep, make_customer):
    survivor = make_customer(rep)
    duplicate = make_customer(rep)
    archive_customer(rep, survivor)
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("customers:merge", args=[survivor.pk]), {"duplicate": duplicate.pk}
    )
    assert response.status_code == 422
    assert "restore it before merging" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
