"""A merge moves the duplicate's messages to the survivor; a message whose key the survivor
already has stays on the duplicate as history and is never sent twice."""

import datetime

from core.channels import Channel
from customers.services import merge_customers
from engagement import services
from engagement.models import Message, Purpose, SkipReason, Status
from engagement.tests.conftest import DAYTIME


def _send(customer, channel=Channel.SMS, purpose=Purpose.CARE, day=None, now=DAYTIME):
    return services.send(None, customer, channel, purpose, text="Hi", occasion_date=day, now=now)


def test_the_duplicate_s_messages_move_to_the_survivor(rep, make_customer):
    survivor, duplicate = make_customer(rep), make_customer(rep)
    moved = [_send(duplicate), _send(duplicate, Channel.PHONE, Purpose.SERVICE)]
    merge_customers(rep, survivor, duplicate)
    assert set(Message.objects.filter(customer=survivor).values_list("pk", flat=True)) == {
        m.pk for m in moved
    }
    assert not Message.objects.filter(customer=duplicate).exists()


def test_a_clashing_key_keeps_the_survivor_s_and_leaves_the_duplicate_s_as_history(
    rep, make_customer, settings
):
    settings.TENCENT_SMS_SECRET_ID = ""
    survivor, duplicate = make_customer(rep), make_customer(rep)
    kept = _send(survivor)
    clash = _send(duplicate)  # the same key: care, today, SMS
    other = _send(duplicate, day=datetime.date(2026, 3, 1))
    merge_customers(rep, survivor, duplicate)
    assert Message.objects.get(pk=kept.pk).customer_id == survivor.pk
    assert Message.objects.get(pk=clash.pk).customer_id == duplicate.pk
    assert Message.objects.get(pk=other.pk).customer_id == survivor.pk
    # The one left behind was queued: delivery skips it, the person hears once.
    assert services.deliver(clash.pk, DAYTIME) == Status.SKIPPED
    assert Message.objects.get(pk=clash.pk).skip_reason == SkipReason.ARCHIVED
    assert services.deliver(kept.pk, DAYTIME) == Status.SENT


def test_the_survivor_s_cap_counts_the_moved_messages(rep, make_customer):
    survivor, duplicate = make_customer(rep), make_customer(rep)
    _send(duplicate, day=datetime.date(2026, 3, 8))
    _send(duplicate, day=datetime.date(2026, 3, 9))
    merge_customers(rep, survivor, duplicate)
    message = _send(survivor)
    assert (message.status, message.skip_reason) == (Status.SKIPPED, SkipReason.CAP_7_DAYS)


def test_a_second_send_of_a_moved_key_returns_the_moved_message(rep, make_customer):
    survivor, duplicate = make_customer(rep), make_customer(rep)
    moved = _send(duplicate)
    merge_customers(rep, survivor, duplicate)
    assert _send(survivor).pk == moved.pk
    request = services.SendRequest(survivor, Channel.SMS, Purpose.CARE, text="Hi")
    assert services.send_many(None, [request], now=DAYTIME)[0].pk == moved.pk
