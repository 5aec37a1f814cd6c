"""Loyalty: a member per customer, with the balances kept in step with their ledgers.

`Member` is the row every loyalty rule reads: the points balance and debt (kept equal to the
ledger in the same transaction, loyalty.points) and the membership tier (loyalty.tiers).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class Member(models.Model):
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="member", verbose_name=_("customer")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    # Kept equal to the points ledger by every write (a rebuild command proves it).
    points_balance = models.BigIntegerField(_("points"), default=0)
    # Points a refund took back that the balance could not cover: settled from later earnings.
    points_debt = models.BigIntegerField(_("points owed"), default=0)
    # The membership tier's code ("" before the first review) and the day it is next reviewed.
    tier = models.CharField(_("membership tier"), max_length=20, blank=True)
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    review_on = models.DateField(_("next tier review"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_balance__gte=0), name="member_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(points_debt__gte=0), name="member_debt_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"member #{self.customer_id}"
