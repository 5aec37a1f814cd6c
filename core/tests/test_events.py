"""The outbox: events commit with their change and reach each subscriber once in effect."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from core import events
from core.actors import Actor, ActorKind
from core.events import Event, NewEvent
from core.models import EventDelivery, OutboxEvent

SYSTEM = Actor.of_job("test")


@pytest.fixture
def received() -> Iterator[list[Event]]:
    """Subscribe a recorder to `test.happened` for one test."""
    seen: list[Event] = []
    events.subscribe("test.happened", "test.recorder", seen.append)
    yield seen
    events.unsubscribe("test.happened", "test.recorder")


def test_an_event_rolls_back_with_its_change(db: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("test.happened", SYSTEM, customer_id=1)
        raise RuntimeError("the change failed")
    assert not OutboxEvent.objects.exists()


def test_a_subscriber_receives_each_event_once(db: Any, received: list[Event]) -> None:
    first = events.emit("test.happened", SYSTEM, customer_id=7, subject_id=3, data={"n": 1})
    events.emit("test.other", SYSTEM)

    assert events.deliver_pending() == 2
    assert events.deliver_pending() == 0

    assert [(e.id, e.customer_id, e.subject_id, e.data) for e in received] == [
        (first.pk, 7, 3, {"n": 1})
    ]
    first.refresh_from_db()
    assert first.dispatched_at is not None


def test_the_actor_travels_with_the_event(db: Any, rep: Any, received: list[Event]) -> None:
    events.emit("test.happened", Actor.of_token(rep, 5, "till"))
    events.deliver_pending()
    actor = received[0].actor
    assert (actor.kind, actor.user_id, actor.ref, actor.label) == (
        ActorKind.TOKEN, rep.pk, 5, "rep (till)"
    )  # fmt: skip


def test_a_failing_subscriber_is_retried_later_without_holding_back_others(
    db: Any, received: list[Event]
) -> None:
    calls: list[int] = []

    def flaky(event: Event) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise ValueError("downstream unavailable")

    events.subscribe("test.happened", "test.flaky", flaky)
    try:
        row = events.emit("test.happened", SYSTEM)
        assert events.deliver_pending() == 0
        row.refresh_from_db()
        assert row.attempts == 1 and row.last_error == "test.flaky"
        assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
        assert len(received) == 1  # the other subscriber has it already

        assert events.deliver_pending() == 0  # backing off: not due yet
        OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert events.deliver_pending() == 1
        assert len(received) == 1 and calls == [row.pk, row.pk]
    finally:
        events.unsubscribe("test.happened", "test.flaky")


def test_an_effect_that_fails_is_rolled_back_with_its_receipt(db: Any) -> None:
    def half_done(event: Event) -> None:
        events.emit("test.effect", SYSTEM, subject_id=event.id)
        raise ValueError("failed after writing")

    events.subscribe("test.happened", "test.half", half_done)
    try:
        events.emit("test.happened", SYSTEM)
        events.deliver_pending()
        assert not OutboxEvent.objects.filter(kind="test.effect").exists()
        assert not EventDelivery.objects.exists()
    finally:
        events.unsubscribe("test.happened", "test.half")


def test_a_second_dispatcher_delivers_nothing_twice(db: Any, received: list[Event]) -> None:
    row = events.emit("test.happened", SYSTEM)
    assert events.deliver(row) is True
    # A dispatcher that read the row before the first marked it dispatched.
    assert events.deliver(row) is True
    assert len(received) == 1
    assert EventDelivery.objects.filter(event=row).count() == 1


def test_bulk_emit_writes_every_event_with_its_actor(db: Any, received: list[Event]) -> None:
    batch = [NewEvent(customer_id=i, subject_id=100 + i, data={"i": i}) for i in range(1500)]
    assert events.emit_many("test.happened", SYSTEM, batch) == 1500
    events.deliver_pending(limit=2000)
    assert [(e.customer_id, e.subject_id, e.data["i"]) for e in received] == [
        (i, 100 + i, i) for i in range(1500)
    ]
    assert {e.actor for e in received} == {SYSTEM}


def test_the_kick_waits_for_the_commit(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        events.emit("test.happened", SYSTEM)
    assert callbacks == [events.kick_dispatcher]


def test_delivered_events_are_pruned_after_the_retention(db: Any, settings: Any) -> None:
    settings.EVENT_RETENTION_DAYS = 30
    old, recent, undelivered = (events.emit("test.happened", SYSTEM) for _ in range(3))
    now = timezone.now()
    OutboxEvent.objects.filter(pk=old.pk).update(dispatched_at=now - timedelta(days=31))
    OutboxEvent.objects.filter(pk=recent.pk).update(dispatched_at=now - timedelta(days=29))
    EventDelivery.objects.create(event=old, subscriber="x")

    assert events.prune_delivered() == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, undelivered.pk}


def test_two_subscribers_cannot_share_a_name(db: Any) -> None:
    events.subscribe("test.happened", "test.same", lambda event: None)
    try:
        with pytest.raises(Exception, match="both named"):
            events.subscribe("test.happened", "test.same", lambda event: None)
    finally:
        events.unsubscribe("test.happened", "test.same")


def test_a_bulk_write_is_one_row_and_each_event_is_delivered_once(
    db: Any, received: list[Event]
) -> None:
    count = events.emit_columns(
        SYSTEM, "test.happened", [1, 2, 3], [11, 12, 13], {"n": ["a", "b", "c"]}
    )
    assert count == 3
    row = OutboxEvent.objects.get(kind="test.happened")  # one row holds the batch
    assert (row.customer_id, row.subject_id) == (None, None)
    events.emit_columns(SYSTEM, "test.happened", [4], [14], {"n": ["d"]})
    single = OutboxEvent.objects.exclude(pk=row.pk).get()  # a lone event is a plain row
    assert (single.customer_id, single.subject_id, single.data) == (4, 14, {"n": "d"})
    events.deliver_pending()
    events.deliver_pending()  # nothing twice
    assert [(e.customer_id, e.subject_id, e.data, e.key) for e in received] == [
        (1, 11, {"n": "a"}, f"{row.pk}.0"),
        (2, 12, {"n": "b"}, f"{row.pk}.1"),
        (3, 13, {"n": "c"}, f"{row.pk}.2"),
        (4, 14, {"n": "d"}, f"{single.pk}.0"),
    ]
    assert EventDelivery.objects.filter(event=row).count() == 1


def test_a_failing_subscriber_takes_back_the_whole_batch(db: Any) -> None:
    seen: list[int] = []

    def fails_on_the_second(event: Event) -> None:
        seen.append(event.index)
        if event.index == 1:
            raise RuntimeError("subscriber down")

    events.subscribe("test.batch", "test.flaky", fails_on_the_second)
    try:
        events.emit_columns(SYSTEM, "test.batch", [1, 2], [1, 2], {})
        row = OutboxEvent.objects.get(kind="test.batch")
        assert events.deliver(row) is False  # retried later, nothing of it kept
        assert not EventDelivery.objects.filter(event=row).exists()
        assert seen == [0, 1]
    finally:
        events.unsubscribe("test.batch", "test.flaky")


def test_one_kick_per_transaction_however_many_events(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        events.emit("test.happened", SYSTEM)
        events.emit_many("test.happened", SYSTEM, [NewEvent(1, 1), NewEvent(2, 2)])
        events.emit_columns(SYSTEM, "test.happened", [1, 2], [1, 2], {})
    assert callbacks == [events.kick_dispatcher]
