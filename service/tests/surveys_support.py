"""Tickets made through the ORM and the `ticket.closed` event delivered by hand, for the
surveys', standard answers' and gifts' tests (the workflow's services live on another branch)."""

import itertools
import re
from typing import Any

from django.utils import timezone

from core.actors import Actor
from core.events import deliver_pending, emit
from customers.models import Customer
from engagement.models import Message
from service.models import Status, Ticket
from service.surveys import TICKET_CLOSED

_numbers = itertools.count(1)
LINK = re.compile(r"/service/survey/([A-Za-z0-9_-]+)/")


def make_ticket(customer: Customer, **fields: Any) -> Ticket:
    """Return a new ticket of the customer, closed unless `status` says otherwise."""
    values: dict[str, Any] = {
        "number": f"T-{next(_numbers):05d}", "kind": "complaint", "channel": "phone",
        "subject": "Broken lid", "description": "The lid broke on the first day.",
        "status": Status.CLOSED, "closed_at": timezone.now(), **fields,
    }  # fmt: skip
    return Ticket.objects.create(customer=customer, **values)


def close(ticket: Ticket) -> None:
    """Announce the ticket's closing as the workflow does, and deliver the event."""
    emit(TICKET_CLOSED, Actor.of_job("test"), customer_id=ticket.customer_id, subject_id=ticket.pk)
    deliver_pending()


def token_of(message: Message | None) -> str:
    """Return the survey token in the message's link."""
    assert message is not None
    match = LINK.search(message.text)
    assert match, message.text
    return match.group(1)
