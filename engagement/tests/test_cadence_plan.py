"""Cadences plan follow-ups (issue 12 item 4): whom each matches, when a contact is due, on
working days only, never a second open one, and a second run changes nothing."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import events
from core.events import events_in
from core.models import OutboxEvent
from customers.models import ProfileChange, Subject
from engagement.cadence import plan_day
from engagement.models import Cadence, Lifecycle
from engagement.tests.cadence_support import (
    DAY,
    RETURNING,
    moment,
    only_cadence,
    score,
    scoring_run,
)
from interactions.models import FollowUp, Interaction
from interactions.services import NewFollowUp, create_follow_ups

pytestmark = pytest.mark.django_db

days = datetime.timedelta


def planned_for() -> set[str]:
    """Return the names of the customers with an open follow-up."""
    return set(
        FollowUp.objects.filter(done_at__isnull=True).values_list("customer__name", flat=True)
    )


def test_the_three_cadences_of_the_sources_are_seeded():
    seeded = {c.name: c for c in Cadence.objects.all()}
    a_tier = seeded["A-tier returning customers: a call every 30 days"]
    assert (a_tier.value_tier, a_tier.lifecycle, a_tier.interval_days, a_tier.channel) == (
        "A",
        Lifecycle.RETURNING,
        30,
        "phone",
    )
    new = seeded["New customers: a contact every 7 days in their first 60 days"]
    assert (new.lifecycle, new.window_days, new.interval_days) == (Lifecycle.NEW, 60, 7)
    top = seeded["Quarterly visit for the top 50"]
    assert (top.top_clv, top.interval_days, top.channel) == (50, 90, "visit")
    assert all(c.enabled for c in seeded.values())


def test_a_tier_returning_customers_are_called_every_30_days(rep, make_customer):
    run = scoring_run()
    score(run, make_customer(rep, name="A returning"), "A", RETURNING)
    score(run, make_customer(rep, name="B returning"), "B", RETURNING)
    score(run, make_customer(rep, name="A new"), "A", DAY - days(100))
    Cadence.objects.exclude(value_tier="A").update(enabled=False)

    assert plan_day(DAY) == 1
    follow_up = FollowUp.objects.get()
    assert follow_up.customer.name == "A returning"
    assert follow_up.assignee == rep
    assert follow_up.due_on == DAY
    assert follow_up.origin == f"cadence:{Cadence.objects.get(value_tier='A').pk}"
    assert "A-tier returning customers: a call every 30 days" in follow_up.note


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"value_tier": "B"}, {"b-tier"}),
        ({"segment": "at_risk"}, {"at risk"}),
        ({"lifecycle": Lifecycle.NEW}, {"new 20 days", "new 100 days"}),
        ({"lifecycle": Lifecycle.RETURNING}, {"b-tier", "at risk", "top clv"}),
        ({"min_tenure_days": 50}, {"b-tier", "at risk", "top clv", "new 100 days"}),
        ({"lifecycle": Lifecycle.NEW, "window_days": 60}, {"new 20 days"}),
        ({"top_clv": 1}, {"top clv"}),
        ({"top_clv": 2, "lifecycle": Lifecycle.NEW}, {"new 20 days", "new 100 days"}),
    ],
)
def test_each_audience_condition_narrows_whom_a_cadence_matches(
    rep, make_customer, fields, expected
):
    run = scoring_run()
    score(run, make_customer(rep, name="b-tier"), "B", RETURNING, clv=10)
    score(run, make_customer(rep, name="at risk"), "C", RETURNING, clv=20, segment="at_risk")
    score(run, make_customer(rep, name="top clv"), "A", RETURNING, clv=900)
    score(run, make_customer(rep, name="new 20 days"), "C", DAY - days(20), clv=30)
    score(run, make_customer(rep, name="new 100 days"), "C", DAY - days(100), clv=40)
    only_cadence(interval_days=7, **fields)

    plan_day(DAY)

    assert planned_for() == expected


def test_archived_customers_and_customers_without_a_score_get_nothing(rep, make_customer):
    run = scoring_run()
    archived = make_customer(rep, name="archived")
    archived.archived_at = timezone.now()
    archived.save()
    score(run, archived)
    make_customer(rep, name="never bought")
    score(run, make_customer(rep, name="scored"))
    only_cadence()

    assert plan_day(DAY) == 1
    assert planned_for() == {"scored"}


def test_a_contact_within_the_interval_puts_the_next_one_off(rep, make_customer):
    run = scoring_run()
    customers = {
        name: make_customer(rep, name=name)
        for name in ("called 29 days ago", "called 30 days ago", "done 10 days ago",
                     "open follow-up", "bought 20 days ago", "never contacted")
    }  # fmt: skip
    for name, customer in customers.items():
        score(run, customer, first=DAY - days(20) if name.startswith("bought") else RETURNING)
    for name, ago in (("called 29 days ago", 29), ("called 30 days ago", 30)):
        Interaction.objects.create(
            customer=customers[name], user=rep, kind="phone", summary="Called",
            occurred_at=moment(DAY - days(ago), hour=23),
        )  # fmt: skip
    FollowUp.objects.create(
        customer=customers["done 10 days ago"], assignee=rep, due_on=DAY - days(10),
        done_at=moment(DAY - days(10)),
    )  # fmt: skip
    FollowUp.objects.create(
        customer=customers["open follow-up"], assignee=rep, due_on=DAY + days(60)
    )
    only_cadence(interval_days=30)

    assert plan_day(DAY) == 2

    assert planned_for() == {"called 30 days ago", "never contacted", "open follow-up"}
    assert FollowUp.objects.filter(customer=customers["open follow-up"]).count() == 1


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (DAY, DAY),  # a Tuesday
        (datetime.date(2026, 3, 14), datetime.date(2026, 3, 16)),  # Saturday: Monday
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 8)),  # National Day holiday
        (datetime.date(2026, 9, 19), datetime.date(2026, 9, 20)),  # Sunday 20th: 调休 workday
    ],
)
def test_follow_ups_fall_on_working_days(rep, make_customer, day, due):
    score(scoring_run(day), make_customer(rep), first=day - days(400))
    only_cadence()

    plan_day(day)

    assert FollowUp.objects.get().due_on == due


def test_the_most_frequent_matching_cadence_plans_the_one_follow_up(rep, make_customer):
    run = scoring_run()
    score(run, make_customer(rep), "A", DAY - days(30), clv=500)
    Cadence.objects.update(enabled=False)
    Cadence.objects.create(name="Monthly", interval_days=30)
    weekly = Cadence.objects.create(name="Weekly", interval_days=7)

    assert plan_day(DAY) == 1
    assert FollowUp.objects.get().origin == weekly.origin


def test_a_second_run_for_the_same_day_changes_nothing(rep, teammate, make_customer):
    run = scoring_run()
    for index in range(5):
        score(run, make_customer(rep if index % 2 else teammate, name=f"C{index}"))
    only_cadence()

    assert plan_day(DAY) == 5
    state = (FollowUp.objects.count(), OutboxEvent.objects.count(), ProfileChange.objects.count())
    assert plan_day(DAY) == 0
    assert plan_day(DAY + days(1)) == 0
    after = (FollowUp.objects.count(), OutboxEvent.objects.count(), ProfileChange.objects.count())
    assert after == state


def test_planned_follow_ups_are_recorded_and_announced_like_one_planned_by_hand(
    rep, teammate, make_customer
):
    run = scoring_run()
    first, second = make_customer(rep), make_customer(teammate)
    score(run, first)
    score(run, second)
    only_cadence()

    plan_day(DAY)

    follow_ups = {f.customer_id: f for f in FollowUp.objects.all()}
    history = ProfileChange.objects.filter(subject=Subject.FOLLOW_UP).order_by("customer_id")
    assert [(h.customer_id, h.subject_id, h.field, h.new_value, h.changed_by_id, h.actor_kind)
            for h in history] == [
        (c.pk, follow_ups[c.pk].pk, "created", DAY.isoformat(), None, "job")
        for c in (first, second)
    ]  # fmt: skip
    (row,) = OutboxEvent.objects.filter(kind="follow_up.created")
    announced = {(e.customer_id, e.subject_id, e.data["due_on"], e.data["assignee_id"])
                 for e in events_in(row)}  # fmt: skip
    assert announced == {
        (first.pk, follow_ups[first.pk].pk, DAY.isoformat(), rep.pk),
        (second.pk, follow_ups[second.pk].pk, DAY.isoformat(), teammate.pk),
    }
    assert events.deliver_pending() >= 1


def test_the_bulk_path_refuses_a_plan_it_cannot_keep_and_writes_nothing(rep, make_customer):
    customer = make_customer(rep)
    good = NewFollowUp(customer.pk, rep.pk, DAY, "Call", "cadence:1")
    refusals = [
        (NewFollowUp(customer.pk, rep.pk, DAY, "x" * 301, "cadence:1"), "note"),
        (NewFollowUp(customer.pk, rep.pk, DAY, "Call", ""), "origin"),
        (NewFollowUp(customer.pk, rep.pk, datetime.date(1999, 1, 1), "Call", "cadence:1"),
         "due_on"),
    ]  # fmt: skip
    for bad, field in refusals:
        with pytest.raises(Exception) as refused:
            create_follow_ups(None, [good, bad])
        assert getattr(refused.value, "field", None) == field
    assert not FollowUp.objects.exists()


def test_the_database_keeps_one_open_follow_up_per_customer_and_origin(rep, make_customer):
    customer = make_customer(rep)
    create_follow_ups(None, [NewFollowUp(customer.pk, rep.pk, DAY, "Call", "cadence:1")])

    with pytest.raises(IntegrityError), transaction.atomic():
        create_follow_ups(None, [NewFollowUp(customer.pk, rep.pk, DAY, "Call", "cadence:1")])

    FollowUp.objects.update(done_at=timezone.now())
    create_follow_ups(None, [NewFollowUp(customer.pk, rep.pk, DAY, "Call", "cadence:1")])
    assert FollowUp.objects.count() == 2


def test_no_scoring_run_plans_nothing(rep, make_customer):
    make_customer(rep)
    assert plan_day(DAY) == 0


def test_the_note_is_in_the_language_of_the_rep_who_reads_it(rep, teammate, make_customer):
    rep.language = "zh-hans"
    rep.save(update_fields=["language"])
    run = scoring_run()
    score(run, make_customer(rep, name="Chinese rep's"), "A", RETURNING)
    score(run, make_customer(teammate, name="English rep's"), "A", RETURNING)
    only_cadence(name="A", value_tier="A", channel="phone")
    plan_day(DAY)
    notes = dict(FollowUp.objects.values_list("customer__name", "note"))
    assert notes["Chinese rep's"] == "回访节奏“A”：电话"
    assert notes["English rep's"] == "Cadence “A”: Phone"
