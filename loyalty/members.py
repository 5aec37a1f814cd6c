"""The one way to a customer's member row: created on first need."""

from collections.abc import Collection

from django.db import IntegrityError, transaction

from core.bulk import insert_columns
from core.chunks import chunked
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


def member_ids_for(customer_ids: Collection[int]) -> tuple[dict[int, int], dict[int, str]]:
    """Return {customer id: member id} and {customer id: tier code} for the customers,
    creating the missing members in one insert (the bulk earning path)."""
    wanted = sorted(set(customer_ids))
    ids: dict[int, int] = {}
    tiers: dict[int, str] = {}

    def read(keys: list[int]) -> None:
        for chunk in chunked(keys):
            rows = Member.objects.filter(customer_id__in=chunk)
            for customer, pk, tier in rows.values_list("customer_id", "pk", "tier"):
                ids[customer] = pk
                tiers[customer] = tier

    read(wanted)
    missing = [pk for pk in wanted if pk not in ids]
    if missing:
        insert_columns(Member, ["customer_id"], [missing])
        read(missing)
    return ids, tiers
