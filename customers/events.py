"""The customer archive's domain events, announced from the history it keeps.

Every change to a customer is recorded as history rows in the change's transaction; the
events other apps react to (loyalty, care, webhooks) are read off those same rows, so a
change can never be recorded without being announced, nor announced without being recorded.
"""

from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum

from core.actors import actor_for
from core.events import NewEvent, emit_many
from customers.models import ProfileChange, Subject


class CustomerEvent(StrEnum):
    CREATED = "customer.created"
    UPDATED = "customer.updated"  # data: {"fields": [...]}, the profile fields changed
    REASSIGNED = "customer.reassigned"
    ARCHIVED = "customer.archived"
    RESTORED = "customer.restored"
    MERGED = "customer.merged"  # subject_id: the duplicate merged into the customer
    CONSENT_CHANGED = "consent.changed"  # data: {"channel": ..., "granted": true/false}
    ERASED = "customer.erased"


def record_history(rows: Sequence[ProfileChange]) -> list[ProfileChange]:
    """Write the history rows of one actor's change and announce the events they make."""
    written = ProfileChange.objects.bulk_create(rows, batch_size=1000)
    announce(written)
    return written


def announce(rows: Sequence[ProfileChange]) -> None:
    """Emit, in the caller's transaction, the events that the history rows amount to."""
    if not rows:
        return
    batches: dict[CustomerEvent, list[NewEvent]] = defaultdict(list)
    updated: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.subject != Subject.CUSTOMER:
            continue  # the app that owns the record announces its own events
        kind = _kind_of(row)
        if kind is CustomerEvent.UPDATED:
            updated[row.customer_id].append(row.field)
        elif kind is CustomerEvent.CONSENT_CHANGED:
            channel = row.field.removeprefix("consent_")
            data = {"channel": channel, "granted": row.new_value == "True"}
            batches[kind].append(NewEvent(row.customer_id, None, data))
        elif kind is not None:
            batches[kind].append(NewEvent(row.customer_id, None))
    for customer_id, fields in updated.items():
        batches[CustomerEvent.UPDATED].append(NewEvent(customer_id, None, {"fields": fields}))
    actor = actor_for(rows[0].changed_by)
    for kind, events in batches.items():
        emit_many(kind, actor, events)


def _kind_of(row: ProfileChange) -> CustomerEvent | None:
    """Return the event one history row makes (None: announced on its own, e.g. a merge)."""
    if row.field == "created":
        return CustomerEvent.CREATED
    if row.field == "owner":
        return CustomerEvent.REASSIGNED
    if row.field == "archived_at":
        return CustomerEvent.ARCHIVED if row.new_value else CustomerEvent.RESTORED
    if row.field.startswith("consent_"):
        return CustomerEvent.CONSENT_CHANGED
    if row.field == "erased":
        return CustomerEvent.ERASED
    if row.field in ("merged", "merged_into"):
        return None
    return CustomerEvent.UPDATED
