"""Domain events through a transactional outbox.

A service that changes state calls `emit` (or `emit_many` on the bulk paths) inside its
transaction: the event row commits or rolls back with the change, so no event describes a
change that did not happen and no change goes unannounced. After the commit a Huey task
delivers pending events to the subscribers that other apps register in their
`AppConfig.ready()`; a periodic sweep picks up whatever a kick missed (a worker that died,
a queue that was down).

Delivery is at least once and exactly once in effect for what a subscriber writes to the
database: the receipt (EventDelivery) is written in the subscriber's own transaction, so a
worker killed mid-delivery leaves neither the receipt nor the effect, and a concurrent
dispatcher delivering the same event fails on the receipt's unique key and rolls its
effect back. A subscriber with effects outside the database (a webhook) must be idempotent
by event key (Event.key). The bulk paths write a batch of one kind as one row
(emit_columns) that delivery expands: an outbox row costs SQLite about as much as the order
it announces.

Catalogue of kinds (docs/design.md keeps the full list): customer.created,
customer.merged, consent.changed, order.created, order.paid, order.refunded,
order.reinstated, order.deleted, interaction.logged, follow_up.created,
follow_up.completed, ...
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.actors import Actor, ActorKind
from core.bulk import insert_columns
from core.models import EventDelivery, OutboxEvent
from core.redact import redact

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
# The data key of a row holding a bulk batch of events of one kind, column by column:
# {"customer_id": [...], "subject_id": [...], "data": {name: [...]}}. Such a row has no
# customer or subject of its own.
BATCH = "__events__"
# One encoder for every bulk emit: building one per event cost more than the insert.
_ENCODER = DjangoJSONEncoder()


@dataclass(frozen=True)
class Event:
    """An event as a subscriber receives it."""

    id: int
    kind: str
    occurred_at: datetime
    actor: Actor
    customer_id: int | None = None
    subject_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The event's place in its outbox row: a bulk write stores a batch of one kind in one
    # row (emit_columns); a single event is index 0 of its own row.
    index: int = 0

    @property
    def key(self) -> str:
        """Return the event's unique key, for subscribers with effects outside the database
        ("<row id>.<index>")."""
        return f"{self.id}.{self.index}"

    @classmethod
    def from_row(cls, row: OutboxEvent) -> "Event":
        """Return the event a stored row holds."""
        actor = Actor(ActorKind(row.actor_kind), row.actor_label, row.actor_user_id, row.actor_ref)
        return cls(
            row.pk,
            row.kind,
            row.occurred_at,
            actor,
            row.customer_id,
            row.subject_id,
            row.data or {},
        )


def events_in(row: OutboxEvent) -> list[Event]:
    """Return the events an outbox row holds: itself, or each of a bulk batch (BATCH)."""
    data = row.data or {}
    batch = data.get(BATCH) if row.customer_id is None and row.subject_id is None else None
    if not isinstance(batch, dict):
        return [Event.from_row(row)]
    actor = Actor(ActorKind(row.actor_kind), row.actor_label, row.actor_user_id, row.actor_ref)
    columns: dict[str, list[Any]] = batch["data"]
    return [
        Event(
            row.pk,
            row.kind,
            row.occurred_at,
            actor,
            customer_id,
            subject_id,
            {name: column[index] for name, column in columns.items()},
            index,
        )
        for index, (customer_id, subject_id) in enumerate(
            zip(batch["customer_id"], batch["subject_id"], strict=True)
        )
    ]


@dataclass(frozen=True)
class NewEvent:
    """One event of a bulk emit: what differs between the events of one batch."""

    customer_id: int | None
    subject_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]
BatchHandler = Callable[[Sequence[Event]], None]
_subscribers: dict[str, dict[str, Handler]] = defaultdict(dict)


@dataclass(frozen=True)
class _Batched:
    """A subscriber that takes all the events of an outbox row in one call (subscribe_batch)."""

    handler: BatchHandler

    def __call__(self, event: Event) -> None:
        self.handler([event])


def subscribe(kind: str, name: str, handler: Handler) -> None:
    """Register `handler` for events of `kind` under a stable `name`.

    The name is stored with each receipt, so renaming a subscriber makes it receive again
    every event still kept. Call this from an AppConfig.ready().
    """
    known = _subscribers[kind].get(name)
    if known is not None and known != handler:
        raise ImproperlyConfigured(f"two subscribers to {kind} are both named {name}")
    _subscribers[kind][name] = handler


def subscribe_batch(kind: str, name: str, handler: BatchHandler) -> None:
    """Register `handler` for events of `kind`, called once with all the events an outbox
    row holds (a bulk write's ten thousand orders at once, else one), in one transaction.

    For subscribers whose effect is a set-based write: one call per event would cost the
    bulk paths a query per order. Same receipts and delivery guarantees as `subscribe`.
    """
    subscribe(kind, name, _Batched(handler))


def unsubscribe(kind: str, name: str) -> None:
    """Remove a subscriber (tests register throw-away ones)."""
    _subscribers[kind].pop(name, None)


def subscribers_of(kind: str) -> list[tuple[str, Handler]]:
    """Return the subscribers of a kind, in name order (delivery order is deterministic)."""
    return sorted(_subscribers.get(kind, {}).items())


def emit(
    kind: str,
    actor: Actor,
    *,
    customer_id: int | None = None,
    subject_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Append one event to the outbox in the caller's transaction; deliver after commit."""
    row = OutboxEvent.objects.create(
        kind=kind, customer_id=customer_id, subject_id=subject_id, data=data or None,
        **_actor_columns(actor),
    )  # fmt: skip
    _kick_after_commit()
    return row


def emit_many(kind: str, actor: Actor, events: Sequence[NewEvent]) -> int:
    """Append a batch of events of one kind by one actor; return how many.

    Written column-wise (core.bulk) so that the bulk order path and the importer keep
    their throughput; one kick after commit for the whole batch.
    """
    return emit_batches(actor, {kind: events})


def emit_batches(actor: Actor, batches: Mapping[str, Sequence[NewEvent]]) -> int:
    """Append the events of several kinds by one actor, a row each, in one insert; return
    how many. (A bulk write of thousands of events uses emit_columns.)"""
    flat = [(kind, event) for kind, events in batches.items() for event in events]
    count = len(flat)
    if not count:
        return 0
    now = timezone.now()
    actor_columns = _actor_columns(actor)
    names = ["kind", "occurred_at", "customer_id", "subject_id", "data", *actor_columns]
    columns: list[Any] = [
        [kind for kind, _event in flat],
        [now.isoformat() if connection.vendor == "sqlite" else now] * count,
        [event.customer_id for _kind, event in flat],
        [event.subject_id for _kind, event in flat],
        [_ENCODER.encode(event.data) if event.data else None for _kind, event in flat],
        *([value] * count for value in actor_columns.values()),
    ]
    insert_columns(OutboxEvent, names, columns, convert=False)
    _kick_after_commit()
    return count


def emit_columns(
    actor: Actor,
    kind: str,
    customer_ids: Sequence[int | None],
    subject_ids: Sequence[int | None],
    data: Mapping[str, Sequence[Any]],
) -> int:
    """Append a bulk write's events of one kind as one outbox row holding the batch, given
    column by column (each event's data is {name: data[name][i]}); return how many events.

    The bulk order path's and the importer's form: an outbox row costs SQLite about as much
    as the order it announces, and a dict per event as much again to encode, so ten thousand
    events are one row of columns, expanded into their events on delivery (events_in). A
    subscriber still receives each event, with its own key. A single event is a plain row.
    """
    count = len(customer_ids)
    if count == 0:
        return 0
    if count == 1:
        one = {name: column[0] for name, column in data.items()}
        emit(kind, actor, customer_id=customer_ids[0], subject_id=subject_ids[0], data=one)
        return 1
    batch = {"customer_id": list(customer_ids), "subject_id": list(subject_ids), "data": data}
    now = timezone.now()
    actor_columns = _actor_columns(actor)
    names = ["kind", "occurred_at", "data", *actor_columns]
    columns: list[Any] = [
        [kind],
        [now.isoformat() if connection.vendor == "sqlite" else now],
        [_ENCODER.encode({BATCH: batch})],
        *([value] for value in actor_columns.values()),
    ]
    insert_columns(OutboxEvent, names, columns, convert=False)
    _kick_after_commit()
    return count


def _actor_columns(actor: Actor) -> dict[str, Any]:
    return {
        "actor_kind": actor.kind.value,
        "actor_label": actor.label[:200],
        "actor_user_id": actor.user_id,
        "actor_ref": actor.ref,
    }


def _kick_after_commit() -> None:
    """Queue one delivery run after the transaction commits, however many events it wrote.

    Each kick is a write to the queue's own store (a file sync on SQLite): one per emit cost
    the bulk order path about a tenth of its throughput (docs/performance.md).
    """
    # Each entry is (savepoint ids, callback, robust).
    if not connection.in_atomic_block or not any(
        entry[1] is kick_dispatcher for entry in connection.run_on_commit
    ):
        transaction.on_commit(kick_dispatcher)


def kick_dispatcher() -> None:
    """Queue a delivery run (called on commit; the periodic sweep covers a lost kick)."""
    # Imported here: core.tasks imports this module to run deliver_pending.
    from core.tasks import dispatch_events

    dispatch_events()


def pending(now: datetime | None = None) -> Q:
    """Return the filter of events due for delivery."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(dispatched_at__isnull=True) & due


def deliver_pending(limit: int = 1000) -> int:
    """Deliver due events to their subscribers, oldest first; return how many completed."""
    rows = list(OutboxEvent.objects.filter(pending()).order_by("id")[:limit])
    return sum(1 for row in rows if deliver(row))


def deliver(row: OutboxEvent) -> bool:
    """Deliver one event to each subscriber that lacks it; return whether all now have it.

    One failing subscriber does not hold back the others; the event is retried later,
    for the subscribers that still lack it, with exponential backoff.
    """
    held = events_in(row)
    received = set(
        EventDelivery.objects.filter(event_id=row.pk).values_list("subscriber", flat=True)
    )
    failures = [
        name
        for name, handler in subscribers_of(row.kind)
        if name not in received and not _deliver_to(name, handler, row, held)
    ]
    if failures:
        _record_failure(row, failures)
        return False
    OutboxEvent.objects.filter(pk=row.pk).update(dispatched_at=timezone.now())
    return True


def _deliver_to(name: str, handler: Handler, row: OutboxEvent, held: list[Event]) -> bool:
    """Run one subscriber on the row's events with the row's receipt in one transaction;
    return whether it has them."""
    try:
        with transaction.atomic():
            EventDelivery.objects.create(event_id=row.pk, subscriber=name)
            if isinstance(handler, _Batched):
                handler.handler(held)
            else:
                for event in held:
                    handler(event)
    except IntegrityError:
        # Either another dispatcher delivered it first (then the receipt exists and this
        # run's effect was rolled back) or the subscriber itself failed on a constraint.
        if EventDelivery.objects.filter(event_id=row.pk, subscriber=name).exists():
            return True
        logger.exception("event %s (%s) failed in %s", row.pk, row.kind, name)
        return False
    except Exception:
        # Logged by id and kind only: event data may hold personal data.
        logger.exception("event %s (%s) failed in %s", row.pk, row.kind, name)
        return False
    return True


def _record_failure(row: OutboxEvent, failures: Iterable[str]) -> None:
    attempts = row.attempts + 1
    delay = min(timedelta(seconds=30 * 2 ** min(attempts, 20)), MAX_BACKOFF)
    OutboxEvent.objects.filter(pk=row.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + delay,
        last_error=", ".join(failures)[:200],
    )


def prune_delivered(now: datetime | None = None) -> int:
    """Delete events every subscriber had more than EVENT_RETENTION_DAYS ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENT_RETENTION_DAYS)
    old = OutboxEvent.objects.filter(dispatched_at__lt=cutoff)
    EventDelivery.objects.filter(event__in=old).delete()
    deleted, _ = old.delete()
    return deleted


def redact_events(customer_ids: Sequence[int], texts: tuple[str, ...]) -> int:
    """Replace the texts in the data of the customers' events (an erasure); return how many.

    The events stay, so that a subscriber still gets each one; only what identified the
    person goes. Read by a scan: an erasure is rare and has no index to spare.
    """
    changed = 0
    for row in OutboxEvent.objects.filter(customer_id__in=customer_ids, data__isnull=False):
        redacted = redact(row.data, texts)
        if redacted != row.data:
            OutboxEvent.objects.filter(pk=row.pk).update(data=redacted)
            changed += 1
    return changed
