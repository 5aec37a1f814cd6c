import datetime

import pytest

from core.channels import Channel
from customers.erasure import erase_customer
from customers.services import archive_customer, set_consent
from engagement import policy, services
from engagement.models import Message, Purpose, SkipReason, Status
from engagement.tests.conftest import DAYTIME

DAY = datetime.timedelta(days=1)


def test_daytime_send_goes_now(rep, make_customer):
    customer = make_customer(rep)
    decision = policy.decide(customer, Channel.SMS, Purpose.CARE, DAYTIME)
    assert decision == policy.Decision(policy.Action.SEND)


def test_opt_out_is_skipped_at_once(rep, make_customer):
    customer = make_customer(rep)
    set_consent(None, customer, Channel.SMS, False)
    decision = policy.decide(customer, Channel.SMS, Purpose.TRANSACTIONAL, DAYTIME)
    assert (decision.action, decision.reason) == (policy.Action.SKIP, SkipReason.OPTED_OUT)
    # Only that channel: email still goes.
    assert policy.decide(customer, Channel.EMAIL, Purpose.CARE, DAYTIME).action == "send"


def test_archived_and_erased_customers_receive_nothing(rep, admin_user, make_customer):
    archived, erased = make_customer(rep), make_customer(rep)
    archive_customer(rep, archived)
    erase_customer(admin_user, erased, "request of 2026-03-01")
    erased.refresh_from_db()
    for customer, reason in ((archived, SkipReason.ARCHIVED), (erased, SkipReason.ERASED)):
        decision = policy.decide(customer, Channel.PHONE, Purpose.TRANSACTIONAL, DAYTIME)
        assert (decision.action, decision.reason) == ("skip", reason)


@pytest.mark.parametrize(
    ("utc_hour", "expected_day"),
    [(13, 11), (15, 11), (0, 10)],  # 21:00 and 23:00 that evening, 08:00 next morning
)
def test_quiet_hours_queue_until_nine_in_shanghai(rep, make_customer, utc_hour, expected_day):
    customer = make_customer(rep)
    now = datetime.datetime(2026, 3, 10, utc_hour, 0, tzinfo=datetime.UTC)
    decision = policy.decide(customer, Channel.EMAIL, Purpose.CARE, now)
    assert decision.action == policy.Action.QUEUE_UNTIL
    assert decision.until == datetime.datetime(2026, 3, expected_day, 1, 0, tzinfo=datetime.UTC)


def test_quiet_hours_do_not_hold_a_call_task(rep, make_customer):
    customer = make_customer(rep)
    night = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
    assert policy.decide(customer, Channel.PHONE, Purpose.CARE, night).action == "send"


def test_quiet_hours_queue_the_message_not_drop_it(rep, make_customer):
    customer = make_customer(rep)
    night = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)  # 22:00 in Shanghai
    message = services.send(None, customer, Channel.SMS, Purpose.CARE, text="Hi", now=night)
    assert message.status == Status.QUEUED
    assert message.scheduled_for == datetime.datetime(2026, 3, 11, 1, 0, tzinfo=datetime.UTC)
    assert message.occasion_date == datetime.date(2026, 3, 10)


def _send(customer, purpose, day, channel=Channel.SMS):
    return services.send(None, customer, channel, purpose, text="Hello {name}", now=day)


def test_cap_two_in_seven_days_across_channels(rep, make_customer):
    customer = make_customer(rep, email="a@example.com")
    assert _send(customer, Purpose.CARE, DAYTIME).status == Status.QUEUED
    assert _send(customer, Purpose.MARKETING, DAYTIME + DAY, Channel.EMAIL).status == "queued"
    third = _send(customer, Purpose.MARKETING, DAYTIME + 2 * DAY)
    assert (third.status, third.skip_reason) == (Status.SKIPPED, SkipReason.CAP_7_DAYS)
    # A week after the first, there is room again.
    assert _send(customer, Purpose.CARE, DAYTIME + 7 * DAY).status == Status.QUEUED


def test_cap_four_in_thirty_days(rep, make_customer):
    customer = make_customer(rep)
    for week in range(4):
        assert _send(customer, Purpose.CARE, DAYTIME + week * 8 * DAY).status == "queued"
    fifth = _send(customer, Purpose.CARE, DAYTIME + 29 * DAY)
    assert fifth.skip_reason == SkipReason.CAP_30_DAYS


def test_transactional_and_service_are_exempt_but_recorded(rep, make_customer):
    customer = make_customer(rep)
    _send(customer, Purpose.CARE, DAYTIME)
    _send(customer, Purpose.MARKETING, DAYTIME + DAY)
    for n, purpose in enumerate([Purpose.TRANSACTIONAL, Purpose.SERVICE]):
        assert _send(customer, purpose, DAYTIME + (2 + n) * DAY).status == Status.QUEUED
    assert Message.objects.filter(customer=customer).count() == 4


def test_settings_change_the_cap(rep, make_customer, settings):
    settings.CONTACT_CAP_7_DAYS = 1
    customer = make_customer(rep)
    _send(customer, Purpose.CARE, DAYTIME)
    assert _send(customer, Purpose.CARE, DAYTIME + DAY).skip_reason == SkipReason.CAP_7_DAYS
