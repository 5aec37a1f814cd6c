"""A logged contact moves the customer's next cadence follow-up (issue 12 item 4):
re-planned from the contact, on a working day, once however often the event comes."""

import datetime

import pytest
from django.utils import timezone

from core import events
from core.calendar import working_calendar
from core.models import EventDelivery, OutboxEvent
from customers.history import day_in_words, in_words
from customers.models import ProfileChange, Subject
from customers.services import merge_customers
from engagement.cadence import next_working_day
from engagement.tests.cadence_support import only_cadence
from interactions.models import FollowUp
from interactions.services import NewFollowUp, create_follow_ups, log_interaction

pytestmark = pytest.mark.django_db

days = datetime.timedelta


def planned(customer, cadence, due_on):
    (pk,) = create_follow_ups(
        None, [NewFollowUp(customer.pk, customer.owner_id, due_on, "Call", cadence.origin)]
    )
    return FollowUp.objects.get(pk=pk)


def test_a_logged_call_moves_the_next_cadence_follow_up_once(rep, make_customer):
    today = timezone.localdate()
    customer = make_customer(rep)
    cadence = only_cadence(interval_days=30)
    follow_up = planned(customer, cadence, today + days(10))

    log_interaction(rep, customer, {"kind": "phone", "summary": "Called about the order"})
    events.deliver_pending()

    follow_up.refresh_from_db()
    expected = next_working_day(working_calendar(), today + days(30))
    assert follow_up.due_on == expected
    assert working_calendar().is_working_day(follow_up.due_on)
    moved = ProfileChange.objects.get(subject=Subject.FOLLOW_UP, field="due_on")
    assert (moved.old_value, moved.new_value) == (
        (today + days(10)).isoformat(),
        expected.isoformat(),
    )
    assert OutboxEvent.objects.filter(kind="follow_up.moved").count() == 1
    words = in_words(moved)
    assert (words.subject, words.field, words.before_after) == ("follow-up", "due", True)
    assert (words.old, words.new) == (
        day_in_words(moved.old_value),
        day_in_words(expected.isoformat()),
    )

    # The same event delivered again (a receipt lost): nothing moves a second time.
    logged = OutboxEvent.objects.get(kind="interaction.logged")
    EventDelivery.objects.filter(event_id=logged.pk).delete()
    OutboxEvent.objects.filter(pk=logged.pk).update(dispatched_at=None)
    events.deliver_pending()
    follow_up.refresh_from_db()
    assert follow_up.due_on == expected
    assert ProfileChange.objects.filter(subject=Subject.FOLLOW_UP, field="due_on").count() == 1


def test_only_open_cadence_follow_ups_not_yet_due_move(rep, make_customer):
    today = timezone.localdate()
    customer = make_customer(rep)
    cadence = only_cadence(interval_days=30)
    due_today = planned(customer, cadence, today)
    by_hand = FollowUp.objects.create(customer=customer, assignee=rep, due_on=today + days(5))

    log_interaction(rep, customer, {"kind": "visit", "summary": "Visited"})
    events.deliver_pending()

    due_today.refresh_from_db()
    by_hand.refresh_from_db()
    assert (due_today.due_on, by_hand.due_on) == (today, today + days(5))


def test_a_contact_logged_for_long_ago_never_brings_a_follow_up_forward(rep, make_customer):
    today = timezone.localdate()
    customer = make_customer(rep)
    cadence = only_cadence(interval_days=30)
    follow_up = planned(customer, cadence, today + days(20))
    long_ago = timezone.now() - days(40)

    fields = {"kind": "phone", "summary": "Old call", "occurred_at": long_ago}
    log_interaction(rep, customer, fields)
    events.deliver_pending()

    follow_up.refresh_from_db()
    assert follow_up.due_on == today + days(20)


def test_a_merge_keeps_one_open_follow_up_of_a_cadence(manager, rep, make_customer):
    today = timezone.localdate()
    cadence = only_cadence()
    survivor, duplicate = make_customer(rep, name="Kept"), make_customer(rep, name="Dup")
    kept = planned(survivor, cadence, today + days(3))
    planned(duplicate, cadence, today + days(4))
    other = FollowUp.objects.create(customer=duplicate, assignee=rep, due_on=today)

    merge_customers(manager, survivor, duplicate)

    open_ones = FollowUp.objects.filter(customer=survivor, done_at__isnull=True)
    assert set(open_ones.values_list("pk", flat=True)) == {kept.pk, other.pk}
