"""The one way to a customer's member row: created on first need."""

from collections.abc import Collection

from django.db import IntegrityError, transaction

from loyalty.models import Member


def member_for(customer_id: int) -> Member:
    """Return the customer's member row, creating it on first use."""
    member = Member.objects.filter(customer_id=customer_id).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            return Member.objects.create(customer_id=customer_id)
    except IntegrityError:
        # A concurrent first use created it.
        return Member.objects.get(customer_id=customer_id)


def member_ids_for(customer_ids: Collection[int]) -> dict[int, int]:
    """Return {customer id: member id} for the customers, creating the missing members in
    one insert (the bulk earning path)."""
    wanted = set(customer_ids)
    known = dict(Member.objects.filter(customer_id__in=wanted).values_list("customer_id", "pk"))
    missing = wanted - known.keys()
    if missing:
        Member.objects.bulk_create(
            [Member(customer_id=pk) for pk in sorted(missing)], ignore_conflicts=True
        )
        known.update(
            Member.objects.filter(customer_id__in=missing).values_list("customer_id", "pk")
        )
    return known
