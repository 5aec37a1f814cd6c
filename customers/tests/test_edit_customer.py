"""Editing a customer is one transaction: the fields, the owner and the tags, or nothing."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Forbidden
from customers.models import ProfileChange, Tag, TagGroup
from customers.services import edit_customer


@pytest.fixture
def vip(db) -> Tag:
    return Tag.objects.create(group=TagGroup.objects.create(name="Value"), name="VIP")


def test_fields_owner_and_tags_change_together(manager, rep, teammate, make_customer, vip):
    customer = make_customer(rep, city="Nanjing")
    edit_customer(manager, customer, {"city": "Suzhou", "owner": teammate}, [vip])
    customer.refresh_from_db()
    assert (customer.city, customer.owner, list(customer.tags.all())) == (
        "Suzhou",
        teammate,
        [vip],
    )
    fields = set(ProfileChange.objects.filter(customer=customer).values_list("field", flat=True))
    assert {"city", "owner", "tags"} <= fields


def test_a_refused_owner_changes_nothing(rep, teammate, make_customer, vip):
    customer = make_customer(rep, city="Nanjing")
    with pytest.raises(Forbidden):
        edit_customer(rep, customer, {"city": "Suzhou", "owner": teammate.pk}, [vip])
    customer.refresh_from_db()
    assert (customer.city, customer.owner, customer.tags.count()) == ("Nanjing", rep, 0)
    assert not ProfileChange.objects.exclude(field="created").exists()


def test_tags_failing_after_the_fields_roll_the_fields_back(rep, make_customer, vip):
    customer = make_customer(rep, city="Nanjing")
    vip.delete()  # the tag the form offered is gone by the time the tags are written
    with pytest.raises(ValueError):
        edit_customer(rep, customer, {"city": "Suzhou"}, [vip])
    customer.refresh_from_db()
    assert customer.city == "Nanjing"
    assert not ProfileChange.objects.exclude(field="created").exists()


def test_page_and_api_both_edit_through_it(rep, make_customer, vip):
    customer = make_customer(rep, name="Wang Fang")
    client = Client()
    client.force_login(rep)
    data = {
        "kind": "person", "name": "Wang Fang", "mobile": customer.mobile, "city": "Suzhou",
        "birthday_calendar": "solar", "owner": rep.pk, "tags": [vip.pk],
    }  # fmt: skip
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        json.dumps({"city": "Wuxi", "tag_ids": []}),
        content_type="application/json",
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.city, customer.tags.count()) == ("Wuxi", 0)
