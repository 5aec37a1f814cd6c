"""Loyalty: a member per customer, with the balances kept in step with their ledgers.

`Member` is the row every loyalty rule reads: the points balance and debt (kept equal to the
ledger in the same transaction, loyalty.points) and the membership tier (loyalty.tiers).
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
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


class EntryKind(models.TextChoices):
    EARN = "earn", _("points earned")
    REVERSE = "reverse", _("points taken back by a refund")
    REDEEM = "redeem", _("points redeemed")
    EXPIRE = "expire", _("points expired")
    ADJUST = "adjust", _("points changed by hand")
    GRANT = "grant", _("points granted")


class PointsEntry(models.Model):
    """One line of a member's points ledger (积分明细).

    `points` is the change to the balance and `debt` the change to the points owed: the
    kept Member.points_balance and points_debt equal their sums (loyalty.points.rebuild).
    An earning that settles a debt is one entry: its points are what reached the balance.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="entries", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    points = models.BigIntegerField(_("points"))
    debt = models.BigIntegerField(_("points owed"), default=0)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    order_id = models.BigIntegerField(_("order"), null=True, blank=True)
    # A unique reference of what caused it (a redemption, a referral, an adjustment):
    # the same grant twice is one entry.
    ref = models.CharField(_("reference"), max_length=200, blank=True)
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["member", "created_at"], name="points_entry_member_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ref"], condition=~models.Q(ref=""), name="points_entry_kind_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"


class PointsLot(models.Model):
    """Points earned or granted together, consumed first-in-first-out by soonest expiry.

    The remaining points of a member's lots add up to the balance.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="lots")
    expires_on = models.DateField(_("expires on"))
    points = models.BigIntegerField(_("points"))
    remaining = models.BigIntegerField(_("remaining"))
    expired = models.BigIntegerField(_("expired"), default=0)

    class Meta:
        indexes = [
            models.Index(fields=["member", "expires_on"], name="points_lot_member_expiry"),
            # The nightly expiry and its warnings read only lots with points left.
            models.Index(
                fields=["expires_on"], condition=models.Q(remaining__gt=0),
                name="points_lot_open_expiry",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0) & models.Q(remaining__lte=models.F("points")),
                name="points_lot_remaining_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.points} until {self.expires_on}"


class EarningState(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    EARNED = "earned", _("earned")
    CANCELLED = "cancelled", _("cancelled before confirmation")
    REVERSED = "reversed", _("reversed by a refund")


class PointsEarning(models.Model):
    """The points a paid order earns, confirmed after the confirmation delay.

    One row per order (not a foreign key: the bulk path writes orders by raw insert, and an
    order deleted as a mistake leaves its reversal here).
    """

    order_id = models.BigIntegerField(_("order"), unique=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="earnings")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    points = models.BigIntegerField(_("points"))
    confirm_at = models.DateTimeField(_("confirmed from"))
    state = models.CharField(
        _("state"), max_length=10, choices=EarningState.choices, default=EarningState.PENDING
    )
    # Points taken back by refunds so far (a partial refund takes its share).
    reversed = models.BigIntegerField(_("reversed"), default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["confirm_at"], condition=models.Q(state="pending"),
                name="points_earning_pending",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"order #{self.order_id}: {self.points}"


class PointsPromotion(models.Model):
    """A campaign window in which paid orders earn a multiple of the usual points."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    multiplier = models.DecimalField(_("multiplier"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("points promotion")
        verbose_name_plural = _("points promotions")

    def __str__(self) -> str:
        return self.name


class AdjustmentState(models.TextChoices):
    WAITING = "waiting", _("waiting for approval")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected")


class PointsAdjustment(models.Model):
    """A manager's change to a member's points by hand, with its reason; above the limit
    (LOYALTY_ADJUSTMENT_APPROVAL_LIMIT) it waits for a second manager's approval."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="adjustments")
    points = models.BigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("decided by"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=10, choices=AdjustmentState.choices)
    entry = models.OneToOneField(
        PointsEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")

    def __str__(self) -> str:
        return f"{self.points:+d} ({self.state})"


class RewardKind(models.TextChoices):
    GIFT = "gift", _("gift")
    COUPON = "coupon", _("coupon")
    SERVICE = "service", _("free service")


class Reward(models.Model):
    """A reward of the catalogue: what it costs in points, how many are left, and when."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RewardKind.choices)
    cost = models.PositiveIntegerField(_("points"))
    # None: no limit.
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="reward_cost_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """Return the name in the active language (the Chinese one when there is one)."""
        return self.name_zh if self.name_zh and get_language() == "zh-hans" else self.name


class Redemption(models.Model):
    """A reward given to a member for points, by a rep or at the counter (API)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField(_("points"))
    key = models.CharField(_("idempotency key"), max_length=160, unique=True)
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.reward_id} for {self.points}"
