"""The domain events of tickets, one per workflow step, to the outbox (core.events)."""

from enum import StrEnum
from typing import Any

from accounts.models import User
from core.actors import Actor, actor_for
from core.events import emit
from service.models import Ticket


class TicketEvent(StrEnum):
    CREATED = "ticket.created"  # data: {"number", "kind", "channel", "priority", "assignee_id"}
    ACKNOWLEDGED = "ticket.acknowledged"  # data: {"message_id"}
    PROPOSED = "ticket.proposed"  # data: {"branch"}
    ANSWERED = "ticket.answered"  # data: {"answer"}
    RESOLVED = "ticket.resolved"
    FOLLOWED_UP = "ticket.followed_up"
    CLOSED = "ticket.closed"
    REOPENED = "ticket.reopened"  # data: {"reopen_count"}
    REASSIGNED = "ticket.reassigned"  # data: {"assignee_id", "old_assignee_id", "message_id"}
    PROMISED = "ticket.promised"  # data: {"promised_by"}


def announce(
    kind: TicketEvent, actor: User | None, ticket: Ticket, data: dict[str, Any] | None = None
) -> None:
    """Append the ticket's event, with its status after the step, in the caller's
    transaction; by the acting user, or the customer (the web form) when there is none."""
    who = actor_for(actor) if actor is not None else Actor.of_job("web-form")
    emit(
        kind, who, customer_id=ticket.customer_id, subject_id=ticket.pk,
        data={"status": ticket.status, **(data or {})},
    )  # fmt: skip
