"""Goodwill gifts: approved within the limit, a manager's approval above it, each request and
decision on the ticket's history with its actor and time; the pages per role."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import OutboxEvent
from service import gifts
from service.models import Gift, GiftStatus, Step
from service.tests.surveys_support import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limit(settings):
    settings.GIFT_APPROVAL_LIMIT = Decimal("100.00")


@pytest.fixture
def ticket(rep, make_customer):
    return make_ticket(make_customer(rep))


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_gift_within_the_limit_is_approved_as_it_is_asked_for(agent, ticket):
    gift = gifts.request_gift(agent, ticket, "Coupon 50 off", "100.00")
    assert gift.status == GiftStatus.APPROVED and gift.cost == Decimal("100.00")
    assert gift.decided_by == agent and gift.decided_at is not None
    steps = list(Step.objects.filter(ticket=ticket).values_list("action", "actor"))
    assert steps == [("gift_requested", agent.pk), ("gift_approved", agent.pk)]
    kinds = list(OutboxEvent.objects.filter(subject_id=gift.pk).values_list("kind", flat=True))
    assert kinds == ["gift.requested", "gift.approved"]


def test_a_gift_above_the_limit_waits_for_a_manager_who_approves_it(agent, manager, ticket):
    gift = gifts.request_gift(agent, ticket, "Tea set", "100.01")
    assert gift.status == GiftStatus.REQUESTED and gift.decided_by is None
    assert list(gifts.awaiting_approval()) == [gift]
    decided = gifts.decide_gift(manager, gift.pk, approve=True)
    assert decided.status == GiftStatus.APPROVED
    assert decided.decided_by == manager and decided.decided_at is not None
    step = Step.objects.get(ticket=ticket, action="gift_approved")
    assert step.actor == manager and step.at == decided.decided_at
    assert not gifts.awaiting_approval().exists()


def test_a_manager_refuses_and_cannot_then_approve(agent, manager, ticket):
    gift = gifts.request_gift(agent, ticket, "Tea set", "300")
    gifts.decide_gift(manager, gift.pk, approve=False)
    assert gifts.decide_gift(manager, gift.pk, approve=False).status == GiftStatus.REFUSED
    with pytest.raises(Conflict):
        gifts.decide_gift(manager, gift.pk, approve=True)
    assert Step.objects.filter(ticket=ticket, action="gift_refused").count() == 1
    assert OutboxEvent.objects.filter(kind="gift.refused").count() == 1


def test_a_managers_own_gift_above_the_limit_is_approved_by_them(manager, ticket):
    gift = gifts.request_gift(manager, ticket, "Hamper", "500")
    assert gift.status == GiftStatus.APPROVED and gift.decided_by == manager


@pytest.mark.parametrize("who", ["agent", "rep"])
def test_only_a_manager_or_admin_decides(request, agent, ticket, who):
    gift = gifts.request_gift(agent, ticket, "Tea set", "300")
    with pytest.raises(Forbidden):
        gifts.decide_gift(request.getfixturevalue(who), gift.pk, approve=True)
    gift.refresh_from_db()
    assert gift.status == GiftStatus.REQUESTED


def test_an_admin_decides_too(agent, admin_user, ticket):
    gift = gifts.request_gift(agent, ticket, "Tea set", "300")
    assert gifts.decide_gift(admin_user, gift.pk, approve=True).decided_by == admin_user


@pytest.mark.parametrize(
    ("description", "cost", "field"),
    [("", "10", "description"), ("x" * 201, "10", "description"), ("Tea", "0", "cost"),
     ("Tea", "-5", "cost"), ("Tea", "abc", "cost"), ("Tea", "1.005", "cost"),
     ("Tea", "NaN", "cost"), ("Tea", "1e12", "cost")],
)  # fmt: skip
def test_a_bad_gift_names_its_field_and_records_nothing(agent, ticket, description, cost, field):
    with pytest.raises(Invalid) as refused:
        gifts.request_gift(agent, ticket, description, cost)
    assert refused.value.field == field
    assert not Gift.objects.exists() and not Step.objects.exists()


def test_a_rep_asks_for_gifts_only_on_their_customers_tickets(rep, other_rep, ticket):
    with pytest.raises(NotFound):
        gifts.request_gift(other_rep, ticket, "Tea", "10")
    assert gifts.request_gift(rep, ticket, "Tea", "10").status == GiftStatus.APPROVED


# Pages per role ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("admin_user", 200), ("manager", 200), ("agent", 403), ("rep", 403)]
)
def test_the_approval_queue_is_for_managers_and_admins(request, agent, ticket, who, status):
    gifts.request_gift(agent, ticket, "Porcelain tea set", "300")
    page = client_of(request.getfixturevalue(who)).get(reverse("service:gifts"))
    assert page.status_code == status
    assert ("Porcelain tea set" in page.text) is (status == 200)


@pytest.mark.parametrize(
    ("who", "status"), [("admin_user", 302), ("manager", 302), ("agent", 403), ("rep", 403)]
)
def test_deciding_through_the_page(request, agent, ticket, who, status):
    gift = gifts.request_gift(agent, ticket, "Tea set", "300")
    client = client_of(request.getfixturevalue(who))
    url = reverse("service:gift_decide", args=[gift.pk])
    assert client.post(url, {"decision": "approve"}).status_code == status
    gift.refresh_from_db()
    assert (gift.status == GiftStatus.APPROVED) is (status == 302)


def test_a_decision_that_is_neither_is_refused(manager, agent, ticket):
    gift = gifts.request_gift(agent, ticket, "Tea set", "300")
    page = client_of(manager).post(
        reverse("service:gift_decide", args=[gift.pk]), {"decision": "x"}
    )
    assert page.status_code == 422
    gift.refresh_from_db()
    assert gift.status == GiftStatus.REQUESTED


@pytest.mark.parametrize(
    ("who", "status"), [("agent", 200), ("manager", 200), ("rep", 200), ("other_rep", 404)]
)
def test_the_tickets_gift_panel_follows_the_access_rule(request, ticket, who, status):
    client = client_of(request.getfixturevalue(who))
    url = reverse("service:ticket_gifts", args=[ticket.pk])
    panel = client.get(url, headers={"HX-Request": "true"})
    assert panel.status_code == status
    asked = client.post(
        url, {"description": "Coupon", "cost": "20"}, headers={"HX-Request": "true"}
    )
    assert asked.status_code == status
    if status == 200:
        assert "Coupon" in asked.text and 'data-status="approved"' in asked.text
    assert Gift.objects.count() == (1 if status == 200 else 0)


def test_the_panel_refuses_a_bad_cost_naming_it(agent, ticket):
    url = reverse("service:ticket_gifts", args=[ticket.pk])
    page = client_of(agent).post(url, {"description": "Coupon", "cost": "0"})
    assert page.status_code == 422 and 'data-field="cost"' in page.text
    assert not Gift.objects.exists()
