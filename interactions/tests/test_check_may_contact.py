"""An archived customer takes no contact: one rule, one answer (422 on customer_id) on the
page and in the API; a read-only user gets 403 on both."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import Forbidden, Invalid
from customers.services import archive_customer
from interactions.models import FollowUp, Interaction
from interactions.services import check_may_contact, log_interaction, may_contact


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_rule_at_the_service(rep, agent, make_customer):
    customer = make_customer(rep)
    check_may_contact(rep, customer)
    check_may_contact(agent, customer)  # agents log contacts with anyone's customers
    archive_customer(rep, customer)
    with pytest.raises(Invalid) as refused:
        check_may_contact(rep, customer)
    assert refused.value.field == "customer_id" and refused.value.status == 422
    assert not may_contact(rep, customer)


def test_a_manager_sees_but_may_not_log_for_another_team(rep, manager, make_customer, team):
    from accounts.models import Role, User

    outsider = User.objects.create_user(username="outside_manager", role=Role.MANAGER)
    customer = make_customer(rep)
    with pytest.raises(Forbidden):
        check_may_contact(outsider, customer)
    check_may_contact(manager, customer)


def test_log_interaction_itself_refuses_an_archived_customer(rep, make_customer):
    customer = make_customer(rep)
    archive_customer(rep, customer)
    with pytest.raises(Invalid):
        log_interaction(rep, customer, {"kind": "call", "summary": "x"})
    assert not Interaction.objects.exists()


def test_page_and_api_give_the_same_status(rep, make_customer):
    customer = make_customer(rep)
    archive_customer(rep, customer)
    client = client_for(rep)
    body = {"kind": "call", "summary": "x"}
    page_get = client.get(reverse("interactions:log", args=[customer.pk]))
    page_post = client.post(reverse("interactions:log", args=[customer.pk]), body)
    api = client.post(
        f"/api/v1/customers/{customer.pk}/interactions",
        json.dumps(body),
        content_type="application/json",
    )
    plan = client.post(
        "/api/v1/follow-ups",
        json.dumps({"customer_id": customer.pk, "due_on": str(timezone.localdate())}),
        content_type="application/json",
    )
    assert page_get.status_code == page_post.status_code == api.status_code == 422
    assert plan.status_code == 422
    message = api.json()["errors"][0]["message"]
    assert message in page_post.content.decode()
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_the_log_button_is_offered_only_when_the_rule_allows(rep, make_customer):
    customer = make_customer(rep)
    client = client_for(rep)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="log-interaction"' in page
    archive_customer(rep, customer)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="log-interaction"' not in page
