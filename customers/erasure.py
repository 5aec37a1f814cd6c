"""Erase one person's data everywhere it lives, keeping their orders for the statistics.

The customer row stays, anonymised, so that its orders, purchase summary and scores keep
counting (the repurchase rate, the models); what identified the person goes: the profile's
contact fields, the values in its change history, consent sources, tags, and every copy
elsewhere. The apps above the archive erase their own copies as erasure participants
(customers.extensions); the database changes are one transaction, and the files they name
(uploaded imports, analysis caches) are deleted once it has committed. An Erasure row says
who erased whom, when and why, without any of the erased data.
"""

import logging
from collections.abc import Iterable
from pathlib import Path

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_erase
from accounts.models import User
from core import events, idempotency
from core.errors import Conflict, Forbidden, Invalid
from customers.events import record_history
from customers.extensions import PersonalValues, erasure_participants
from customers.models import Calendar, Consent, Customer, Erasure, ProfileChange

logger = logging.getLogger(__name__)

MAX_REASON = Erasure._meta.get_field("reason").max_length or 500
# History rows whose values say nothing about the person (the owner is a colleague).
KEPT_HISTORY_VALUES = ("owner", "archived_at")
# Shorter values are not searched for in free text: one character would match everywhere.
MIN_SEARCHED_LENGTH = 2


def anonymous_name(customer_id: int) -> str:
    """Return the name an erased customer carries: its number, nothing about the person."""
    return f"[erased #{customer_id}]"


def personal_values(customer: Customer) -> PersonalValues:
    """Return what identifies the customer, to find copies of it in text and files."""
    candidates = (
        customer.name, customer.mobile, customer.email, customer.wechat_id, customer.address,
        customer.external_id or "",
    )  # fmt: skip
    texts = tuple(
        dict.fromkeys(t.strip() for t in candidates if len(t.strip()) >= MIN_SEARCHED_LENGTH)
    )
    return PersonalValues(customer_id=customer.pk, texts=texts, mobile=customer.mobile)


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid(
            _("Say why the customer's data is erased (e.g. the request's date)."), "reason"
        )
    if len(reason) > MAX_REASON:
        raise Invalid(
            _("The reason must be at most %(max)d characters.") % {"max": MAX_REASON}, "reason"
        )
    return reason


def _same_person(customer: Customer) -> list[Customer]:
    """Return the customer and every not yet erased duplicate merged into it, at any depth.

    A merged duplicate is an older record of the same person: it is erased with them.
    """
    found = [customer]
    queue = [customer.pk]
    while queue:
        merged = list(
            Customer.objects.filter(merged_into_id__in=queue, erasure__isnull=True).order_by("pk")
        )
        found += merged
        queue = [each.pk for each in merged]
    return found


def _erase_profile(customer: Customer) -> None:
    """Blank every field that identifies the person; archive the customer."""
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(
        name=anonymous_name(customer.pk), gender="", mobile="", mobile_reversed="", email="",
        wechat_id="", company="", title="", birthday=None, birthday_calendar=Calendar.SOLAR,
        lunar_birth_month=None, lunar_birth_day=None, lunar_leap_month=False, city="",
        address="", external_id=None, notes="", updated_at=now,
        archived_at=customer.archived_at or now,
    )  # fmt: skip
    customer.tags.clear()
    Consent.objects.filter(customer=customer).update(source="")


def _erase_history(customer: Customer, actor: User | None) -> None:
    """Blank the values in the customer's history; who changed which field when stays.

    History rows are never changed otherwise (ProfileChange refuses save and delete); an
    erasure is the one exception the law demands, done as a queryset update.
    """
    ProfileChange.objects.filter(customer=customer).exclude(field__in=KEPT_HISTORY_VALUES).update(
        old_value="", new_value=""
    )
    # The survivor of a merge names the duplicate it absorbed: keep the number only.
    for change in ProfileChange.objects.filter(
        field="merged", old_value__startswith=f"#{customer.pk} "
    ):
        ProfileChange.objects.filter(pk=change.pk).update(old_value=f"#{customer.pk}")
    record_history([ProfileChange(customer=customer, changed_by=actor, field="erased")])
    # The admin's log repeats the name as the changed object's label.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
    ).update(object_repr=f"#{customer.pk}")


def _delete_files(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            # The erasure has committed; a file that cannot go is reported, not hidden.
            logger.exception("erasure could not delete a file")


def check_may_erase(actor: User | None) -> None:
    """Refuse anyone but an admin (None: the command line, run by whoever runs the server)."""
    if actor is not None and not can_erase(actor):
        raise Forbidden(_("Only admins may erase a customer's personal data."))


@transaction.atomic
def erase_customer(actor: User | None, customer: Customer, reason: str) -> Erasure:
    """Erase the customer's personal data everywhere; return the record of the erasure.

    `actor` is None only from the command line without a user. Refused (nothing changed)
    without a reason or when the customer was erased before.
    """
    check_may_erase(actor)
    reason = _checked_reason(reason)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if Erasure.objects.filter(customer=customer).exists():
        raise Conflict(_("This customer's personal data was already erased."))
    people = _same_person(customer)
    every_value = [personal_values(person) for person in people]
    files: list[Path] = []
    for person, values in zip(people, every_value, strict=True):
        for participant in erasure_participants:
            files += participant(person, values)
        _erase_profile(person)
        _erase_history(person, actor)
    texts = tuple(dict.fromkeys(text for values in every_value for text in values.texts))
    idempotency.redact_answers(texts)
    events.redact_events([person.pk for person in people], texts)
    now = timezone.now()
    Erasure.objects.bulk_create(
        [
            Erasure(customer=person, erased_by=actor, erased_at=now, reason=reason)
            for person in people
        ]
    )
    transaction.on_commit(lambda: _delete_files(files))
    return Erasure.objects.get(customer=customer)
