"""Loyalty: a member per customer, with the balances kept in step with their ledgers.

`Member` is the row every loyalty rule reads: the points balance and debt (kept equal to the
ledger in the same transaction, loyalty.points) and the membership tier (loyalty.tiers).
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class MembershipTier(models.Model):
    """A membership level (会员等级) with its spend threshold and benefits.

    A member holds the highest tier whose `min_spend` their rolling 12-month net spend
    reaches (loyalty.tiers); `rank` orders the tiers from the lowest.
    """

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    min_spend = models.DecimalField(_("12-month spend from"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    points_multiplier = models.DecimalField(
        _("points multiplier"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    # Hours before everyone else that the tier may buy a limited product (优先购买权).
    priority_hours = models.PositiveIntegerField(_("early access (hours)"), default=0)
    birthday_gift = models.CharField(_("birthday gift"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("membership tier")
        verbose_name_plural = _("membership tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


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
