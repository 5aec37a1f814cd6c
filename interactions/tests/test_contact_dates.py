"""Contacts and follow-ups more than five years from today are refused, naming the field
(issue 10, item 5), and so is a time whose offset moves it out of the storable years."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interactions.models import FollowUp, Interaction

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FAR = TODAY + datetime.timedelta(days=6 * 366)


def signed_in(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def log(client, customer, **fields):
    body = {"kind": "call", "summary": "Called", **fields}
    return client.post(
        f"/api/v1/customers/{customer.pk}/interactions", body, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-01:00"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
        ({"occurred_at": "2000-01-01T10:00:00+08:00"}, "occurred_at"),
        ({"occurred_at": f"{FAR.isoformat()}T10:00:00+08:00"}, "occurred_at"),
        ({"next_contact_on": FAR.isoformat()}, "next_contact_on"),
        ({"next_contact_on": "9999-12-31"}, "next_contact_on"),
    ],
)
def test_the_api_refuses_a_contact_too_far_away(rep, make_customer, fields, field):
    customer = make_customer(rep)
    response = log(signed_in(rep), customer, **fields)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_a_contact_within_the_years_is_logged(rep, make_customer):
    customer = make_customer(rep)
    earlier = timezone.now() - datetime.timedelta(days=4 * 365)
    response = log(signed_in(rep), customer, occurred_at=earlier.isoformat())
    assert response.status_code == 201, response.content


def test_a_follow_up_too_far_away_is_refused_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    response = signed_in(rep, "zh-hans").post(
        "/api/v1/follow-ups",
        {"customer_id": customer.pk, "due_on": "9999-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "due_on", "message": "日期必须在今天前后 5 年以内。"}
    ]
    assert not FollowUp.objects.exists()


def test_the_form_refuses_a_next_contact_too_far_away(rep, make_customer):
    customer = make_customer(rep)
    response = signed_in(rep).post(
        reverse("interactions:log", args=[customer.pk]),
        {"kind": "call", "direction": "out", "summary": "Called", "next_contact_on": FAR},
    )
    assert response.status_code == 200
    assert "within 5 years of today" in response.content.decode()
    assert not Interaction.objects.exists()
