"""The archive's part of a person's data export: profile, history, consents, tags."""

from collections.abc import Iterable
from typing import Any

from customers.extensions import PersonalDataSection
from customers.models import Customer

PROFILE_COLUMNS = (
    "id", *Customer.TRACKED_FIELDS, "tags", "created_at", "updated_at", "merged_into",
)  # fmt: skip
HISTORY_COLUMNS = ("changed_at", "changed_by", "field", "old_value", "new_value")
CONSENT_COLUMNS = ("channel", "granted", "changed_on", "source")
TAG_COLUMNS = ("group", "tag")


def _profile(customer: Customer, tags: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(customer, name) for name in Customer.TRACKED_FIELDS}
    row.update(
        id=customer.pk, owner=customer.owner.username, tags=", ".join(tags),
        created_at=customer.created_at, updated_at=customer.updated_at,
        merged_into=customer.merged_into_id,
    )  # fmt: skip
    return row


def archive_sections(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return the profile, its full change history, the consents and the tags."""
    tags = list(customer.tags.select_related("group").order_by("group__name", "name"))
    changes = customer.changes.select_related("changed_by").order_by("changed_at", "id")
    history = [
        {
            "changed_at": change.changed_at,
            "changed_by": change.changed_by.username if change.changed_by else "",
            "field": change.field, "old_value": change.old_value, "new_value": change.new_value,
        }
        for change in changes
    ]  # fmt: skip
    consents = customer.consents.order_by("channel").values(*CONSENT_COLUMNS)
    return [
        PersonalDataSection(
            "profile", PROFILE_COLUMNS, [_profile(customer, [t.name for t in tags])]
        ),
        PersonalDataSection("history", HISTORY_COLUMNS, history),
        PersonalDataSection("consents", CONSENT_COLUMNS, list(consents)),
        PersonalDataSection(
            "tags", TAG_COLUMNS, [{"group": t.group.name, "tag": t.name} for t in tags]
        ),
    ]
