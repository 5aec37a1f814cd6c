"""Everything held about one customer, as a ZIP of JSON and CSV (a subject-access request).

Each app says what it holds about a customer (customers.extensions.personal_data_sources):
the archive its profile, history, consents and tags; sales the orders and their lines;
interactions the contacts and follow-ups; insights the scores and warnings. The ZIP holds
one JSON document with every section and one CSV per section, and is recorded as an export
like any other file of customer data.
"""

import csv
import io
import json
import zipfile
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_export
from accounts.models import User
from core.errors import Forbidden
from customers.extensions import PersonalDataSection, personal_data_sources
from customers.models import Customer
from customers.services import get_visible_customer
from imports.cells import neutralise
from imports.exports import record_export
from imports.models import ExportFormat, Kind


def sections_of(customer: Customer) -> list[PersonalDataSection]:
    """Return every registered app's sections about the customer, in registry order."""
    return [section for source in personal_data_sources for section in source(customer)]


def file_name(customer_id: int) -> str:
    """Return the ZIP's name: the customer's number, never their name."""
    return f"customer-{customer_id}-personal-data.zip"


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def _csv(section: PersonalDataSection) -> bytes:
    """Return a section as CSV in UTF-8 with a BOM (Excel then reads Chinese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(section.columns)
    for row in section.rows:
        writer.writerow([_csv_value(row.get(column)) for column in section.columns])
    return "\ufeff".encode() + buffer.getvalue().encode()


def write_archive(customer: Customer, target: IO[bytes]) -> int:
    """Write the customer's ZIP to `target`; return how many rows it holds."""
    sections = sections_of(customer)
    document = {
        "customer_id": customer.pk,
        "exported_at": timezone.now(),
        "sections": {section.name: section.rows for section in sections},
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("customer.json", text)
        for section in sections:
            archive.writestr(f"{section.name}.csv", _csv(section))
    return sum(len(section.rows) for section in sections)


def export_customer_data(user: User | None, customer_id: int, target: IO[bytes]) -> str:
    """Check access, write the customer's data to `target`, record the export; return its name.

    Only managers and admins may take a person's data out (403 for everyone else, before
    looking the customer up), and only of customers they see (404 otherwise). `user` is None
    from the command line, where whoever runs it has the whole database anyway.
    """
    if user is None:
        customer = Customer.objects.get(pk=customer_id)
    else:
        if not can_export(user):
            raise Forbidden(_("Only managers and admins may export a customer's personal data."))
        customer = get_visible_customer(user, customer_id)
    rows = write_archive(customer, target)
    record_export(user, Kind.CUSTOMERS, ExportFormat.ZIP, {"customer_id": customer.pk}, rows)
    return file_name(customer.pk)
