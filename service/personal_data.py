"""What service holds about one person: their tickets, in their own words, and the steps."""

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from core.redact import ERASED
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from service.models import Step, Ticket

TICKET_COLUMNS = ("id", "number", "kind", "category__code", "channel", "status", "opened_at",
                  "subject", "description", "resolved_at", "closed_at", "outcome")  # fmt: skip
STEP_COLUMNS = ("ticket_id", "action", "status", "at", "actor__username", "actor_label", "note")


def personal_data(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return every ticket of the customer and every step of them."""
    tickets = Ticket.objects.filter(customer=customer).order_by("opened_at", "id")
    steps = Step.objects.filter(ticket__customer=customer).order_by("ticket_id", "at", "id")
    return [
        PersonalDataSection("tickets", TICKET_COLUMNS, list(tickets.values(*TICKET_COLUMNS))),
        PersonalDataSection("ticket_steps", STEP_COLUMNS, list(steps.values(*STEP_COLUMNS))),
    ]


@transaction.atomic
def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Blank what the customer said and what was written about them.

    The tickets stay, with their kind, category, status, times, root cause and outcome:
    the service figures count them and the root causes are the team's own findings.
    """
    Ticket.objects.filter(customer=customer).update(subject=ERASED, description=ERASED)
    Step.objects.filter(ticket__customer=customer).update(note="")
    return []
