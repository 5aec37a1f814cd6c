"""The morning run (issue 12 item 6): today's greetings, the cadences' follow-ups and every
rep's Today in one job, and a second run for the same day changes nothing."""

import datetime

import pytest
from django.core.management import call_command

from core.models import OutboxEvent
from customers.models import ProfileChange
from engagement.care import add_life_event
from engagement.models import Message, Purpose, Status, TodayLine
from engagement.morning import run_morning
from engagement.tests.cadence_support import DAY, RETURNING, score, scoring_run
from interactions.models import FollowUp

pytestmark = pytest.mark.django_db

days = datetime.timedelta


@pytest.fixture
def base(rep, make_customer, care_defaults):
    """A rep's customers: a birthday today, one in two days, a wedding anniversary in two
    days (a WeChat greeting: a person's task) and an A-tier returning customer never called."""
    born_today = make_customer(rep, name="Born today", birthday=datetime.date(1990, 3, 10))
    make_customer(rep, name="Born in two days", birthday=datetime.date(1991, 3, 12))
    married = make_customer(rep, name="Married")
    add_life_event(rep, married.pk, {"kind": "wedding", "date": datetime.date(2023, 3, 12)})
    valued = make_customer(rep, name="Valued")
    run = scoring_run()
    score(run, valued, "A", RETURNING)
    return born_today, married, valued


def counts() -> dict[str, int]:
    return {
        "messages": Message.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "today lines": TodayLine.objects.count(),
        "events": OutboxEvent.objects.count(),
        "history": ProfileChange.objects.count(),
    }


def test_the_run_sends_the_days_greetings_plans_cadences_and_records_today(base, rep):
    born_today, married, valued = base
    report = run_morning(DAY)
    sms = Message.objects.get(customer=born_today)
    assert (sms.purpose, sms.channel, sms.cause_kind, sms.occasion_date) == (
        Purpose.CARE, "sms", "birthday", DAY,
    )  # fmt: skip
    assert sms.status == Status.QUEUED
    # A machine's greeting goes on the day itself: nothing yet for the birthday in two days.
    assert not Message.objects.filter(customer__name="Born in two days").exists()
    # A person's greeting (WeChat) becomes the owner's task within its lead time.
    wechat = Message.objects.get(customer=married)
    assert (wechat.channel, wechat.cause_kind, wechat.status) == ("wechat", "life_event", "sent")
    assert FollowUp.objects.filter(customer=married, assignee=rep, done_at=None).exists()
    cadence = FollowUp.objects.get(customer=valued)
    assert cadence.origin.startswith("cadence:") and cadence.assignee == rep
    assert TodayLine.objects.filter(user=rep, day=DAY).exists()
    assert (report.greetings, report.follow_ups) == (2, 1)
    assert report.today_lines == TodayLine.objects.filter(day=DAY).count()


def test_a_second_run_for_the_same_day_changes_nothing(base):
    run_morning(DAY)
    before = counts()
    report = run_morning(DAY)
    assert counts() == before
    assert (report.follow_ups, report.today_lines) == (0, 0)


def test_the_command_runs_a_given_day_and_refuses_a_bad_one(base, capsys):
    call_command("morning_run", "--day", DAY.isoformat())
    assert "2 greetings, 1 cadence follow-ups" in capsys.readouterr().out
    assert Message.objects.filter(cause_kind="birthday").count() == 1
    with pytest.raises(Exception, match="--day must be a date"):
        call_command("morning_run", "--day", "10/03/2026")
