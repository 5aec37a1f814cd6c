"""The domain events of contacts and follow-ups, and their rows in the customer's history.

Each function takes a batch (one row from a page, many from the demo or a migration) and
writes one emit_many per acting user, so the bulk paths stay cheap.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from accounts.models import User
from core.actors import actor_for
from core.events import NewEvent, emit_columns, emit_many
from customers.models import Subject
from customers.services import RecordChange, record_changes, record_changes_in_bulk
from interactions.models import FollowUp, Interaction

if TYPE_CHECKING:
    from interactions.services import NewFollowUp


class InteractionEvent(StrEnum):
    LOGGED = "interaction.logged"  # data: {"kind", "channel", "direction"}
    FOLLOW_UP_CREATED = "follow_up.created"  # data: {"due_on", "assignee_id"}
    FOLLOW_UP_COMPLETED = "follow_up.completed"
    FOLLOW_UP_MOVED = "follow_up.moved"  # data: {"due_on", "old_due_on"}


def interactions_logged(interactions: Sequence[Interaction]) -> None:
    """Announce logged contacts, each by its user (the timeline shows the contact itself,
    so there is no history row)."""
    by_user: dict[int, list[NewEvent]] = defaultdict(list)
    users: dict[int, User] = {}
    for contact in interactions:
        users[contact.user_id] = contact.user
        data = {
            "kind": contact.kind,
            "channel": str(contact.channel),
            "direction": contact.direction,
        }
        by_user[contact.user_id].append(NewEvent(contact.customer_id, contact.pk, data))
    for user_id, batch in by_user.items():
        emit_many(InteractionEvent.LOGGED, actor_for(users[user_id]), batch)


def follow_ups_created(follow_ups: Sequence[FollowUp], actor: User | None = None) -> None:
    """Record and announce planned contacts: by `actor`, else by the contact that planned each
    (its user), else by the system."""
    _record_and_announce(
        follow_ups, actor, InteractionEvent.FOLLOW_UP_CREATED, "created",
        lambda f: f.due_on.isoformat(),
        lambda f: {"due_on": f.due_on.isoformat(), "assignee_id": f.assignee_id},
    )  # fmt: skip


def follow_ups_planned(
    actor: User | None, plans: Sequence["NewFollowUp"], ids: Sequence[int]
) -> None:
    """Record and announce follow-ups a planner created in bulk (create_follow_ups), as
    follow_ups_created does one by one: a history row each and one outbox row of columns
    for all their follow_up.created events."""
    customers = [p.customer_id for p in plans]
    days = [p.due_on.isoformat() for p in plans]
    record_changes_in_bulk(actor, Subject.FOLLOW_UP, "created", customers, ids, days)
    data: dict[str, list[Any]] = {
        "due_on": days, "assignee_id": [p.assignee_id for p in plans]
    }  # fmt: skip
    emit_columns(actor_for(actor), InteractionEvent.FOLLOW_UP_CREATED, customers, ids, data)


def follow_ups_completed(follow_ups: Sequence[FollowUp]) -> None:
    """Record and announce follow-ups marked done, each by its assignee (only they may)."""
    _record_and_announce(
        follow_ups, None, InteractionEvent.FOLLOW_UP_COMPLETED, "done_at",
        lambda f: f.done_at.isoformat() if f.done_at else "", lambda f: {},
    )  # fmt: skip


def follow_ups_redated(
    moves: Sequence[tuple[FollowUp, datetime.date]], actor: User | None = None
) -> None:
    """Record and announce open follow-ups moved to another day (each with its old day), by
    `actor` or the system."""
    if not moves:
        return
    record_changes(actor, [
        RecordChange(f.customer_id, Subject.FOLLOW_UP, f.pk, "due_on", old.isoformat(),
                     f.due_on.isoformat())
        for f, old in moves
    ])  # fmt: skip
    emit_many(InteractionEvent.FOLLOW_UP_MOVED, actor_for(actor), [
        NewEvent(f.customer_id, f.pk, {"due_on": f.due_on.isoformat(),
                                       "old_due_on": old.isoformat()})
        for f, old in moves
    ])  # fmt: skip


def _record_and_announce(
    follow_ups: Sequence[FollowUp],
    actor: User | None,
    kind: InteractionEvent,
    field: str,
    new_value: Callable[[FollowUp], str],
    data: Callable[[FollowUp], dict[str, object]],
) -> None:
    groups: dict[int | None, list[FollowUp]] = defaultdict(list)
    for follow_up in follow_ups:
        groups[actor.pk if actor is not None else _acting_id(follow_up, kind)].append(follow_up)
    people = User.objects.in_bulk([key for key in groups if key is not None])
    for key, batch in groups.items():
        who = people.get(key) if key is not None else None
        record_changes(who, [
            RecordChange(f.customer_id, Subject.FOLLOW_UP, f.pk, field, "", new_value(f))
            for f in batch
        ])  # fmt: skip
        events = [NewEvent(f.customer_id, f.pk, data(f)) for f in batch]
        emit_many(kind, actor_for(who), events)


def _acting_id(follow_up: FollowUp, kind: InteractionEvent) -> int | None:
    """Return who acted on the follow-up when no actor is given: its assignee completes it;
    the contact that planned it (its user) created it; otherwise the system (None)."""
    if kind is InteractionEvent.FOLLOW_UP_COMPLETED:
        return follow_up.assignee_id
    return follow_up.source.user_id if follow_up.source is not None else None
