"""Workers: a message is sent once however many workers try, none is lost when one dies,
and an opt-out made while a message waited applies to it."""

import datetime
import threading

import pytest
from django.db import connection

from core.channels import Channel
from core.models import OutboxEvent
from customers.services import archive_customer, set_consent
from engagement import services
from engagement.models import Message, Purpose, SkipReason, Status
from engagement.tests.conftest import DAYTIME

MINUTE = datetime.timedelta(minutes=1)


def _queued(customer, channel=Channel.EMAIL, now=DAYTIME):
    return services.send(None, customer, channel, Purpose.CARE, text="Hi {name}", now=now)


def test_a_second_worker_on_the_same_message_sends_nothing(rep, make_customer, smtp_server):
    message = _queued(make_customer(rep, email="a@example.com"))
    assert services.deliver(message.pk, DAYTIME) == Status.SENT
    assert services.deliver(message.pk, DAYTIME + MINUTE) == Status.SENT
    assert len(smtp_server.envelopes) == 1
    assert OutboxEvent.objects.filter(kind="message.sent").count() == 1


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_nothing(
    rep, make_customer, smtp_server
):
    message = _queued(make_customer(rep, email="a@example.com"))
    # The first worker took the message and died before sending: only its lease remains.
    assert services.claim(message.pk, DAYTIME)
    # While the lease runs, neither another worker nor the sweep takes it.
    assert services.deliver(message.pk, DAYTIME + MINUTE) == Status.QUEUED
    assert services.sweep(DAYTIME + MINUTE) == 0
    assert smtp_server.envelopes == []
    # Once it has expired, the sweep sends it, once.
    later = DAYTIME + services.LEASE + MINUTE
    assert services.sweep(later) == 1
    assert services.sweep(later + MINUTE) == 0
    assert len(smtp_server.envelopes) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_once(rep, make_customer, smtp_server):
    message = _queued(make_customer(rep, email="a@example.com"))
    results: list[str] = []

    def worker() -> None:
        try:
            results.append(services.deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(smtp_server.envelopes) == 1
    assert Message.objects.get(pk=message.pk).status == Status.SENT


def test_quiet_hours_message_goes_when_they_end(rep, make_customer, smtp_server):
    night = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)  # 22:00 in Shanghai
    message = _queued(make_customer(rep, email="a@example.com"), now=night)
    assert services.sweep(night + MINUTE) == 0
    assert services.deliver(message.pk, night + MINUTE) == Status.QUEUED
    nine = datetime.datetime(2026, 3, 11, 1, 0, tzinfo=datetime.UTC)
    assert services.sweep(nine) == 1
    assert len(smtp_server.envelopes) == 1


def test_an_opt_out_while_waiting_applies_at_once(rep, make_customer, smtp_server):
    customer = make_customer(rep, email="a@example.com")
    message = _queued(customer)
    set_consent(None, customer, Channel.EMAIL, False, source="phone call")
    assert services.deliver(message.pk, DAYTIME) == Status.SKIPPED
    message.refresh_from_db()
    assert message.skip_reason == SkipReason.OPTED_OUT
    assert smtp_server.envelopes == []
    assert OutboxEvent.objects.filter(kind="message.skipped", subject_id=message.pk).exists()


def test_archiving_while_waiting_skips_the_message(rep, make_customer, smtp_server):
    customer = make_customer(rep, email="a@example.com")
    message = _queued(customer)
    archive_customer(rep, customer)
    assert services.deliver(message.pk, DAYTIME) == Status.SKIPPED
    assert smtp_server.envelopes == []


def test_failures_back_off_then_fail_with_an_event(rep, make_customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    settings.MESSAGE_MAX_ATTEMPTS = 3
    message = _queued(make_customer(rep, email="a@example.com"))
    delays = []
    at = DAYTIME
    for _attempt in range(2):
        assert services.deliver(message.pk, at) == Status.QUEUED
        message.refresh_from_db()
        delays.append(message.scheduled_for - at)
        at = message.scheduled_for
    assert delays[1] == 2 * delays[0]
    assert services.deliver(message.pk, at) == Status.FAILED
    assert OutboxEvent.objects.filter(kind="message.failed", subject_id=message.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_respect_the_cap(rep, make_customer):
    # The SQLite test database lives in shared-cache memory, where a second writer fails with
    # "table is locked" instead of waiting; on a file, IMMEDIATE transactions serialise them.
    if connection.vendor == "sqlite":
        pytest.skip("needs a database where concurrent writers wait (PostgreSQL)")
    customer = make_customer(rep)
    results: list[str] = []

    def sender(day: int) -> None:
        try:
            message = services.send(
                None, customer, Channel.SMS, Purpose.MARKETING, text="Sale",
                now=DAYTIME + datetime.timedelta(days=day),
            )  # fmt: skip
            results.append(message.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, args=(day,)) for day in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["queued", "queued", "skipped", "skipped"]
