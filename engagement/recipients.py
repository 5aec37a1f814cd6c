"""What a send reads of a customer: a row of ten columns, not a model instance.

The one send path decides, renders and addresses each message from a `Recipient`. A caller
holding Customer instances passes them as they are (`Recipient.of` takes the values); the
morning run, greeting a whole festival's audience, reads the rows (`recipients`) instead:
building a million Customer instances (thirty fields each) cost it more than the send
itself (docs/decisions.md, docs/performance.md).
"""

from collections.abc import Collection
from typing import NamedTuple

from django.db import connection

from core.chunks import rows_in
from customers.models import Customer


class Recipient(NamedTuple):
    """The customer's fields a send reads: who owns them, their language and time zone,
    whether they are gone (archived or merged), the template's fields and the addresses."""

    pk: int
    owner_id: int
    language: str
    time_zone: str
    gone: bool
    name: str
    company: str
    city: str
    email: str
    mobile: str

    @classmethod
    def of(cls, customer: Customer) -> "Recipient":
        """Return the customer's recipient, from the instance's values."""
        gone = customer.archived_at is not None or customer.merged_into_id is not None
        return cls(
            customer.pk, customer.owner_id, customer.language, customer.time_zone, gone,
            customer.name, customer.company, customer.city, customer.email, customer.mobile,
        )  # fmt: skip


def recipients(ids: Collection[int]) -> dict[int, Recipient]:
    """Return the customers' recipients by id, read as rows (a plain cursor, core.chunks)."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    sql = (
        "SELECT id, owner_id, language, time_zone,"
        " archived_at IS NOT NULL OR merged_into_id IS NOT NULL,"
        f" name, company, city, email, mobile FROM {table} WHERE id IN ({{}})"
    )
    rows = rows_in(sql, [(pk,) for pk in sorted(set(ids))])
    # SQLite answers the test 0 or 1.
    return {
        pk: Recipient(pk, owner, language, zone, bool(gone), name, company, city, email, mobile)
        for pk, owner, language, zone, gone, name, company, city, email, mobile in rows
    }
