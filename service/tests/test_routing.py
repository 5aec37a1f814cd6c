"""Routing: category and channel coverage, A-tier to senior agents, least loaded or
round-robin among the available ones."""

import datetime

import pytest
from django.utils import timezone

from engagement.tests.cadence_support import score, scoring_run
from service.models import Category, ServiceAgent

from .conftest import make_agent
from .test_workflow import open_complaint


def test_least_loaded_takes_the_agent_with_fewest_open_tickets(agent, rep, make_customer):
    busy, free = make_agent("busy"), make_agent("free")
    first = open_complaint(agent, make_customer(rep))
    assert first.assignee == busy  # a tie: the one who waited longest (never), then the first
    assert open_complaint(agent, make_customer(rep)).assignee == free
    assert open_complaint(agent, make_customer(rep)).assignee == busy


def test_round_robin_takes_turns_whatever_the_load(settings, agent, rep, make_customer):
    settings.SERVICE_ROUTING = "round_robin"
    one, two = make_agent("one"), make_agent("two")
    ServiceAgent.objects.filter(user=two).update(
        last_assigned_at=timezone.now() - datetime.timedelta(days=1)
    )
    got = [open_complaint(agent, make_customer(rep)).assignee for _ in range(3)]
    assert got == [one, two, one]


def test_category_and_channel_narrow_the_candidates(agent, rep, make_customer):
    delivery = Category.objects.get(code="delivery")
    late = Category.objects.get(code="delivery-late")
    courier = make_agent("courier", categories=[delivery])
    make_agent("web_only", channels=["web"])
    # A subcategory is covered by its parent's agent; the phone is not the web agent's.
    assert open_complaint(agent, make_customer(rep), category=late).assignee == courier
    quality = Category.objects.get(code="quality")
    assert open_complaint(agent, make_customer(rep), category=quality).assignee is None
    assert open_complaint(agent, make_customer(rep), channel="web").assignee.username == "web_only"


def test_unavailable_agents_get_nothing(agent, rep, make_customer):
    make_agent("away", available=False)
    assert open_complaint(agent, make_customer(rep)).assignee is None


@pytest.mark.parametrize(("tier", "expected"), [("A", "senior"), ("B", "junior"), ("", "junior")])
def test_a_tier_customers_go_to_senior_agents(tier, expected, agent, rep, make_customer):
    make_agent("senior", senior=True)
    make_agent("junior")
    # The senior agent takes the first ticket (a tie) and is then the busier one: only the
    # tier sends the next one there.
    assert open_complaint(agent, make_customer(rep)).assignee.username == "senior"
    customer = make_customer(rep)
    if tier:
        score(scoring_run(), customer, tier)
    assert open_complaint(agent, customer).assignee.username == expected
