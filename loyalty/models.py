"""Loyalty: a member per customer, with the balances kept in step with their ledgers.

`Member` is the row every loyalty rule reads: the points balance and debt (kept equal to the
ledger in the same transaction, loyalty.points) and the membership tier (loyalty.tiers).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # Set when a review found the 12-month spend below the tier: the tier is kept until this
    # day, then the spend on that day decides (loyalty.tiers).
    grace_until = models.DateField(_("tier kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # The nightly review reads only the members due (a few thousand of a million).
        indexes = [
            models.Index(fields=["review_on"], name="member_review_on"),
            models.Index(fields=["grace_until"], name="member_grace_until"),
        ]
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


class TierChangeKind(models.TextChoices):
    JOINED = "joined", _("First tier")
    UPGRADE = "upgrade", _("Upgrade")
    GRACE = "grace", _("Grace period")
    DOWNGRADE = "downgrade", _("Downgrade")


class TierChange(models.Model):
    """One step in a member's tier history, with what decided it.

    The reason is shown in the reader's language from these fields (loyalty.tiers.reason):
    the 12-month net spend on the day, the threshold it was held against, and the order that
    set off an upgrade.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="tier_changes", verbose_name=_("member")
    )
    kind = models.CharField(_("change"), max_length=10, choices=TierChangeKind.choices)
    from_tier = models.CharField(_("from tier"), max_length=20, blank=True)
    to_tier = models.CharField(_("to tier"), max_length=20, blank=True)
    spend = models.DecimalField(_("12-month net spend"), max_digits=16, decimal_places=2)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2)
    changed_on = models.DateField(_("day"), db_index=True)
    order_number = models.CharField(_("order number"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_tier or '-'} -> {self.to_tier}"


class DiscountKind(models.TextChoices):
    FREQUENT = "frequent", _("Frequent buyer")
    BIRTHDAY = "birthday", _("Birthday month")
    TIER = "tier", _("Membership tier")


class DiscountRule(models.Model):
    """A discount the quote offers to whoever meets it, within its validity window.

    `percent` empty on a tier rule: each tier's own discount_percent applies.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=DiscountKind.choices)
    percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    min_purchases = models.PositiveIntegerField(_("paid orders at least"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Coupon(models.Model):
    """A campaign coupon: a percentage or an amount off, for one customer or anyone."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    percent_off = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    amount_off = models.DecimalField(
        _("amount off"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    # Empty: any customer may use it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("only for customer"),
    )  # fmt: skip
    max_uses = models.PositiveIntegerField(_("uses at most"), null=True, blank=True)
    times_used = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_off__isnull=True, amount_off__isnull=False)
                | models.Q(percent_off__isnull=False, amount_off__isnull=True),
                name="coupon_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(times_used__lte=models.F("max_uses")),
                name="coupon_uses_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """Keep the code in capitals (the quote reads codes so); refuse a coupon with both or
        neither kind of discount, or one that ends before it starts."""
        self.code = self.code.strip().upper()
        errors = {}
        if (self.percent_off is None) == (self.amount_off is None):
            errors["percent_off"] = _("Give either a percentage or an amount off, not both.")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The coupon must end after it starts.")
        if errors:
            raise ValidationError(errors)
