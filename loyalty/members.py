"""The one way to a customer's member row: created on first need."""

from collections.abc import Collection

from django.db import IntegrityError, transaction

from core.bulk import insert_columns
from core.chunks import rows_in
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
        # A raw IN look-up: the ORM's prepares each of ten thousand values in Python.
        sql = (
            f"SELECT customer_id, id, tier FROM {Member._meta.db_table} WHERE customer_id IN ({{}})"
        )
        for customer, pk, tier in rows_in(sql, [(key,) for key in keys]):
            ids[customer] = pk
            tiers[customer] = tier

    read(wanted)
    missing = [pk for pk in wanted if pk not in ids]
    if missing:
        insert_columns(Member, ["customer_id"], [missing])
        read(missing)
    return ids, tiers
