"""The domain events of contacts and follow-ups, and their rows in the customer's history."""

from enum import StrEnum

from accounts.models import User
from core.actors import actor_for
from core.events import emit
from customers.models import Subject
from customers.services import RecordChange, record_changes
from interactions.models import FollowUp, Interaction


class InteractionEvent(StrEnum):
    LOGGED = "interaction.logged"  # data: {"kind", "channel", "direction"}
    FOLLOW_UP_CREATED = "follow_up.created"  # data: {"due_on", "assignee_id"}
    FOLLOW_UP_COMPLETED = "follow_up.completed"


def interaction_logged(actor: User, interaction: Interaction) -> None:
    """Announce a logged contact (the timeline shows the contact itself, so no history row)."""
    data = {
        "kind": interaction.kind,
        "channel": str(interaction.channel),
        "direction": interaction.direction,
    }
    emit(
        InteractionEvent.LOGGED, actor_for(actor),
        customer_id=interaction.customer_id, subject_id=interaction.pk, data=data,
    )  # fmt: skip


def follow_up_created(actor: User | None, follow_up: FollowUp) -> None:
    """Record and announce a planned contact."""
    _record(actor, follow_up, "created", "", follow_up.due_on.isoformat())
    data = {"due_on": follow_up.due_on.isoformat(), "assignee_id": follow_up.assignee_id}
    emit(
        InteractionEvent.FOLLOW_UP_CREATED, actor_for(actor),
        customer_id=follow_up.customer_id, subject_id=follow_up.pk, data=data,
    )  # fmt: skip


def follow_up_completed(actor: User, follow_up: FollowUp) -> None:
    """Record and announce a follow-up marked done."""
    assert follow_up.done_at is not None
    _record(actor, follow_up, "done_at", "", follow_up.done_at.isoformat())
    emit(
        InteractionEvent.FOLLOW_UP_COMPLETED, actor_for(actor),
        customer_id=follow_up.customer_id, subject_id=follow_up.pk,
    )  # fmt: skip


def _record(actor: User | None, follow_up: FollowUp, field: str, old: str, new: str) -> None:
    change = RecordChange(follow_up.customer_id, Subject.FOLLOW_UP, follow_up.pk, field, old, new)
    record_changes(actor, [change])
