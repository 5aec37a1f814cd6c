"""Choosing a customer's owner: one rule (services.choose_owner) for the page and the API."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Forbidden, Invalid
from customers.models import Customer
from customers.services import AccessDenied, check_may_add_customers, choose_owner


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_rep_left_without_an_owner_owns_the_customer(rep):
    assert choose_owner(rep, None) == rep


def test_a_manager_must_name_the_owner(manager, rep):
    with pytest.raises(Invalid) as refused:
        choose_owner(manager, None, field="owner_id")
    assert refused.value.field == "owner_id"
    assert choose_owner(manager, rep.pk) == rep


def test_nobody_gives_customers_outside_the_owners_they_may_choose(rep, manager, other_rep):
    for actor in (rep, manager):
        with pytest.raises(Invalid) as refused:
            choose_owner(actor, other_rep.pk)
        assert refused.value.field == "owner"


def test_keeping_the_owner_needs_no_right_moving_needs_the_reassign_right(
    rep, teammate, manager, make_customer
):
    customer = make_customer(rep)
    assert choose_owner(rep, rep.pk, customer) == rep
    with pytest.raises(Forbidden):
        choose_owner(rep, teammate.pk, customer)
    assert choose_owner(manager, teammate.pk, customer) == teammate


def test_a_read_only_role_adds_no_customers(agent, rep):
    with pytest.raises(AccessDenied):
        check_may_add_customers(agent)
    check_may_add_customers(rep)
    assert issubclass(AccessDenied, Forbidden)


def test_page_and_api_refuse_the_same_owner(rep, other_rep):
    page = client_for(rep).post(
        reverse("customers:create"),
        {"kind": "person", "name": "Sneaky", "owner": other_rep.pk, "birthday_calendar": "solar"},
    )
    api = client_for(rep).post(
        "/api/v1/customers",
        json.dumps({"name": "Sneaky", "owner_id": other_rep.pk}),
        content_type="application/json",
    )
    assert "owner" in page.context["form"].errors
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "owner_id"
    assert not Customer.objects.exists()
