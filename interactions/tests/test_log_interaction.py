"""Logging a contact, and the follow-up a next-contact date creates."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interactions.models import FollowUp, Interaction
from interactions.services import (
    complete_follow_up,
    create_follow_up,
    follow_ups_due,
    log_interaction,
)

TODAY = timezone.localdate()


def test_next_contact_becomes_a_follow_up_for_the_owner(rep, agent, make_customer):
    customer = make_customer(rep)
    log_interaction(
        agent,
        customer,
        {"kind": "phone", "summary": "Complaint about delivery", "next_contact_on": TODAY},
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.assignee, follow_up.due_on, follow_up.customer) == (rep, TODAY, customer)
    assert list(follow_ups_due(rep, TODAY)) == [follow_up]
    assert list(follow_ups_due(agent, TODAY)) == []


def test_no_next_contact_no_follow_up(rep, make_customer):
    log_interaction(rep, make_customer(rep), {"kind": "visit", "summary": "Visited the shop"})
    assert Interaction.objects.count() == 1 and not FollowUp.objects.exists()


def test_completing_twice_is_safe(rep, make_customer):
    customer = make_customer(rep)
    log_interaction(rep, customer, {"kind": "phone", "summary": "x", "next_contact_on": TODAY})
    follow_up = FollowUp.objects.get()
    done_at = complete_follow_up(rep, follow_up).done_at
    assert complete_follow_up(rep, follow_up).done_at == done_at
    assert list(follow_ups_due(rep, TODAY)) == []


def test_services_still_accept_past_days(rep, make_customer):
    """Only user input is checked: the demo loader and fixtures plan overdue follow-ups."""
    customer = make_customer(rep)
    yesterday = TODAY - datetime.timedelta(days=1)
    log_interaction(rep, customer, {"kind": "phone", "summary": "x", "next_contact_on": yesterday})
    create_follow_up(rep, customer, yesterday, "late")
    assert list(FollowUp.objects.values_list("due_on", flat=True)) == [yesterday, yesterday]
    assert len(follow_ups_due(rep, TODAY)) == 2


def test_form_rejects_a_past_next_contact_and_writes_nothing(rep, make_customer):
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("interactions:log", args=[customer.pk]),
        {
            "kind": "phone",
            "direction": "out",
            "summary": "Called",
            "next_contact_on": TODAY - datetime.timedelta(days=1),
        },
    )
    assert response.status_code == 200
    assert "The date cannot be in the past." in response.content.decode()
    assert not Interaction.objects.exists()


def test_form_logs_and_returns_to_the_profile(rep, make_customer):
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("interactions:log", args=[customer.pk]),
        {
            "kind": "phone",
            "direction": "out",
            "summary": "Offered the new jazz box",
            "next_contact_on": TODAY,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Offered the new jazz box" in page
    assert (
        "Offered the new jazz box"
        in client.get(reverse("interactions:follow_ups")).content.decode()
    )
