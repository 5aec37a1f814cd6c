"""Too long without contact (issue 12 item 4): a customer last contacted longer ago than
their tier's longest cadence interval is on Today, with the reason in words."""

import datetime

import pytest
from django.utils import translation

from customers.extensions import today_items
from engagement.cadence import no_contact_items
from engagement.models import Cadence
from engagement.tests.cadence_support import DAY, RETURNING, moment, score, scoring_run
from interactions.models import FollowUp, Interaction

pytestmark = pytest.mark.django_db

days = datetime.timedelta


def called(customer, ago):
    Interaction.objects.create(
        customer=customer, user=customer.owner, kind="phone", summary="Called",
        occurred_at=moment(DAY - days(ago)),
    )  # fmt: skip


def test_an_a_tier_customer_silent_for_95_days_is_on_today_with_the_reason(
    rep, other_rep, make_customer
):
    run = scoring_run()
    silent = make_customer(rep, name="Silent")
    score(run, silent, "A")
    called(silent, 95)
    recent = make_customer(rep, name="Recent")
    score(run, recent, "A")
    called(recent, 12)
    b_tier = make_customer(rep, name="B tier")  # no cadence names tier B
    score(run, b_tier, "B")
    called(b_tier, 200)
    theirs = make_customer(other_rep, name="Theirs")
    score(run, theirs, "A")
    called(theirs, 95)

    (item,) = no_contact_items(rep, DAY, 50)

    assert (item.customer, item.kind, item.priority) == (silent, "no_contact", 3)
    assert item.ref == f"no_contact:{silent.pk}"
    assert item.due == DAY
    assert item.reason == "No contact for 95 days; A-tier customers are called every 30 days"
    assert any(i.ref == item.ref for i in today_items(rep, DAY))
    with translation.override("zh-hans"):
        chinese = no_contact_items(rep, DAY, 50)[0].reason
    assert chinese == "已 95 天未联系；A 级客户每 30 天致电一次"


def test_the_longest_interval_of_the_tier_counts_and_a_completed_follow_up_is_a_contact(
    rep, make_customer
):
    run = scoring_run()
    Cadence.objects.create(name="A visits", value_tier="A", interval_days=60, channel="visit")
    at_45 = make_customer(rep, name="45 days")
    score(run, at_45, "A")
    called(at_45, 45)
    at_70 = make_customer(rep, name="70 days")
    score(run, at_70, "A")
    called(at_70, 200)
    FollowUp.objects.create(
        customer=at_70, assignee=rep, due_on=DAY - days(70), done_at=moment(DAY - days(70))
    )

    (item,) = no_contact_items(rep, DAY, 50)

    assert item.customer == at_70
    assert item.reason == "No contact for 70 days; A-tier customers are visited every 60 days"


def test_a_customer_never_contacted_counts_from_the_first_purchase(rep, make_customer):
    run = scoring_run()
    score(run, make_customer(rep), "A", RETURNING)

    (item,) = no_contact_items(rep, DAY, 50)

    assert item.reason == (
        "No contact since the first purchase 400 days ago; A-tier customers are called every "
        "30 days"
    )


def test_the_longest_overdue_come_first_and_the_limit_holds(rep, make_customer):
    run = scoring_run()
    for ago in (40, 300, 90):
        customer = make_customer(rep, name=f"{ago} days")
        score(run, customer, "A")
        called(customer, ago)

    items = no_contact_items(rep, DAY, 2)

    assert [i.customer.name for i in items] == ["300 days", "90 days"]


def test_few_queries_whatever_the_book(rep, make_customer, django_assert_max_num_queries):
    run = scoring_run()
    for index in range(30):
        customer = make_customer(rep, name=f"C{index}")
        score(run, customer, "A")
        called(customer, 40 + index)

    with django_assert_max_num_queries(4):
        items = no_contact_items(rep, DAY, 50)
        assert [i.customer.name for i in items][:1] == ["C29"]
    assert len(items) == 30


def test_no_cadence_naming_a_tier_or_no_run_gives_nothing(rep, make_customer):
    customer = make_customer(rep)
    assert no_contact_items(rep, DAY, 50) == []
    score(scoring_run(), customer, "A")
    Cadence.objects.filter(value_tier="A").update(enabled=False)
    assert no_contact_items(rep, DAY, 50) == []
