"""What engagement holds about one person: the messages sent to them and their sink copies."""

from collections.abc import Iterable
from pathlib import Path

from core.redact import ERASED
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from engagement.models import Message, SinkMessage

MESSAGE_COLUMNS = ("id", "created_at", "channel", "purpose", "occasion_date", "subject", "text",
                   "status", "skip_reason", "sent_at")  # fmt: skip


def personal_data(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return every message to the customer."""
    messages = Message.objects.filter(customer=customer).order_by("created_at", "id")
    return [
        PersonalDataSection("messages", MESSAGE_COLUMNS, list(messages.values(*MESSAGE_COLUMNS)))
    ]


def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Blank what the messages said and delete their sink copies (which hold the address).

    Which message went when, on which channel and why stays: the contact cap and the care
    statistics count them.
    """
    Message.objects.filter(customer=customer).update(text=ERASED, subject="")
    SinkMessage.objects.filter(message__customer=customer).delete()
    return []
