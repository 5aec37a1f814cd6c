"""Today's slow sources, fast: care lists a person's own occasions only, and care and no
contact do their per-day work once per user and day (engagement.today_cache), with what
changes during the day applied live."""

import datetime

import pytest
from django.utils import timezone

from customers.models import Customer
from engagement import today
from engagement.cadence import no_contact_items
from engagement.care import care_panel, send_care, today_care
from engagement.models import LifeEvent
from engagement.tests.cadence_support import moment, score, scoring_run
from engagement.today_cache import seconds_left
from interactions.models import Interaction

D = datetime.date
days = datetime.timedelta
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_defaults")]


def born_on(day: datetime.date) -> datetime.date:
    """Return a birthday falling on the day's month and day (1992: a leap year)."""
    return D(1992, day.month, day.day)


def test_today_lists_personal_occasions_and_no_festivals(rep, make_customer):
    christmas_eve = D(2026, 12, 24)  # Christmas within its lead time
    make_customer(rep, name="Birthday", birthday=D(1990, 12, 24))
    wedding = make_customer(rep, name="Wedding")
    LifeEvent.objects.create(
        customer=wedding, kind="wedding", date=D(2020, 12, 25), yearly=True, created_by=rep
    )
    plain = make_customer(rep, name="Plain")

    items = today_care(rep, christmas_eve, 50)

    assert [(i.customer.name, i.ref) for i in items] == [
        ("Birthday", "care:birthday:2026-12-24"),
        ("Wedding", "care:life_event:2026-12-25"),
    ]
    # The customer's page still shows the festival with its Send button.
    panel = care_panel(plain, rep, christmas_eve)
    assert panel is not None
    assert [u.reason for u in panel.data.upcoming][:1] == ["Christmas on 25 Dec"]


def test_a_greeting_sent_during_the_day_leaves_the_cached_list(
    rep, make_customer, django_assert_max_num_queries
):
    day = timezone.localdate()
    greeted = make_customer(rep, name="Greeted", birthday=born_on(day))
    waiting = make_customer(rep, name="Waiting", birthday=born_on(day + days(1)))
    assert [i.customer for i in today_care(rep, day, 50)] == [greeted, waiting]
    # Added after the day's list was made: on tomorrow's, not today's.
    make_customer(rep, name="Added", birthday=born_on(day + days(1)))

    send_care(rep, greeted, "birthday", day)
    with django_assert_max_num_queries(3):  # the cache, the messages, the customers
        items = today_care(rep, day, 50)

    assert [i.customer for i in items] == [waiting]
    assert [i.customer.name for i in today_care(rep, day + days(1), 50)] == ["Waiting", "Added"]


def test_the_cache_is_kept_per_user_and_day(rep, other_rep, make_customer):
    day = timezone.localdate()
    mine = make_customer(rep, name="Mine", birthday=born_on(day + days(2)))
    theirs = make_customer(other_rep, name="Theirs", birthday=born_on(day + days(2)))
    assert [i.customer for i in today_care(rep, day, 50)] == [mine]
    assert [i.customer for i in today_care(other_rep, day, 50)] == [theirs]
    later = make_customer(rep, name="Later", birthday=born_on(day + days(4)))  # beyond the lead

    assert [i.customer for i in today_care(rep, day + days(1), 50)] == [mine, later]
    assert [i.customer for i in today_care(rep, day, 50)] == [mine]


def test_the_day_is_kept_until_its_end_and_a_past_day_not_at_all():
    day = timezone.localdate()
    assert 0 < seconds_left(day) <= 24 * 3600
    assert seconds_left(day - days(1)) == 0


def test_no_contact_reads_its_customers_fresh_from_the_cached_ids(
    rep, other_rep, make_customer, django_assert_max_num_queries
):
    day = timezone.localdate()
    run = scoring_run(as_of=day)
    silent = make_customer(rep, name="Silent")
    score(run, silent, "A", first=day - days(400))
    Interaction.objects.create(
        customer=silent, user=rep, kind="phone", summary="Called",
        occurred_at=moment(day - days(95)),
    )  # fmt: skip
    assert [i.customer for i in no_contact_items(rep, day, 50)] == [silent]
    assert [line.customer for line in today.today_list(rep, day).lines] == [silent]

    Customer.objects.filter(pk=silent.pk).update(owner=other_rep)  # handed over mid-day
    with django_assert_max_num_queries(2):  # the cache, the customers
        (item,) = no_contact_items(rep, day, 50)
    assert item.customer.owner_id == other_rep.pk
    assert today.today_list(rep, day).lines == []


def test_a_life_event_recorded_during_the_day_reaches_the_cached_list(
    rep, make_customer, django_capture_on_commit_callbacks
):
    from engagement.care import add_life_event, delete_life_event

    day = timezone.localdate()
    married = make_customer(rep, name="Married")
    limit = today.SOURCE_LIMIT  # the limit Today asks for, whose day's work is dropped
    assert today_care(rep, day, limit) == []  # cached for the day, empty
    with django_capture_on_commit_callbacks(execute=True):
        event = add_life_event(rep, married.pk, {"kind": "wedding", "date": day - days(365)})
    assert [i.customer.name for i in today_care(rep, day, limit)] == ["Married"]
    with django_capture_on_commit_callbacks(execute=True):
        delete_life_event(rep, event.pk)
    assert today_care(rep, day, limit) == []
