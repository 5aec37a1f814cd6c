"""The member row of a customer, created the first time any loyalty rule needs it."""

from django.db import IntegrityError, transaction

from loyalty.models import Member


def member_for(customer_id: int) -> Member:
    """Return the customer's member row, creating it on first use (a race keeps one)."""
    member = Member.objects.filter(customer_id=customer_id).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            return Member.objects.create(customer_id=customer_id)
    except IntegrityError:
        return Member.objects.get(customer_id=customer_id)
