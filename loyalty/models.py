"""Loyalty: a member per customer, with the balances kept in step with their ledgers.

`Member` is the row every loyalty rule reads: the points balance and debt (kept equal to the
ledger in the same transaction, loyalty.points) and the membership tier (loyalty.tiers).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


class LimitedProduct(models.Model):
    """A product sold in a limited quantity (限量), with early access by membership tier.

    Members of a tier may reserve from `sale_starts_at` less the tier's priority_hours,
    everyone else from `sale_starts_at`, until `closes_at`; then the quantity is allocated
    once (loyalty.priority), by tier and then by time when more was asked for than there is.
    """

    product = models.ForeignKey(
        "sales.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    per_customer = models.PositiveSmallIntegerField(_("most per customer"), default=1)
    sale_starts_at = models.DateTimeField(_("general sale from"))
    closes_at = models.DateTimeField(_("reservations close"))
    # Kept in step with the reservations (their quantities), in the reservation's transaction.
    requested = models.PositiveIntegerField(_("requested"), default=0)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("limited product")
        verbose_name_plural = _("limited products")
        ordering = ["-sale_starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="limited_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(per_customer__gte=1), name="limited_per_customer_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("sale_starts_at")),
                name="limited_closes_after_sale_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class ReservationStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for the allocation")
    ALLOCATED = "allocated", _("allocated")
    PARTLY = "partly", _("partly allocated")
    NOT_ALLOCATED = "not_allocated", _("not allocated (sold out)")


class Reservation(models.Model):
    """A customer's reservation of a limited product: one per customer and product.

    The tier and its rank are those the customer held when reserving: they gave the early
    access, and the allocation orders by them.
    """

    limited = models.ForeignKey(
        LimitedProduct, on_delete=models.PROTECT, related_name="reservations"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    tier = models.CharField(_("membership tier"), max_length=20, blank=True)
    tier_rank = models.PositiveSmallIntegerField(default=0)
    reserved_at = models.DateTimeField(_("reserved"), default=timezone.now)
    reserved_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ReservationStatus.choices,
        default=ReservationStatus.WAITING,
    )  # fmt: skip
    allocated = models.PositiveSmallIntegerField(_("allocated"), default=0)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-reserved_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["limited", "customer"], name="one_reservation_per_customer"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="reservation_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(allocated__lte=models.F("quantity")),
                name="reservation_allocated_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.limited_id} × {self.quantity}"


class ReferralCode(models.Model):
    """A customer's referral code (推荐码); a merged duplicate's codes go to the survivor, so
    a code already handed out keeps working."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("referral code"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.code


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a paid order past the refund window")
    REWARDED = "rewarded", _("rewarded")
    CAPPED = "capped", _("not rewarded: the monthly cap was reached")
    VOID = "void", _("void")


class ReferralRewardKind(models.TextChoices):
    CREDIT = "credit", _("credit")
    POINTS = "points", _("points")


class Referral(models.Model):
    """A new customer brought by an existing one (转介绍), recorded once at the new customer's
    creation, and the referrer's reward once earned."""

    referrer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    referred = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred")
    )
    code = models.CharField(_("referral code"), max_length=16)
    created_at = models.DateTimeField(_("referred"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )  # fmt: skip
    reward_kind = models.CharField(
        _("reward"), max_length=10, choices=ReferralRewardKind.choices, blank=True
    )
    # The credit in the currency, or the number of points.
    reward_amount = models.DecimalField(
        _("reward amount"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    issued_at = models.DateTimeField(_("reward issued"), null=True, blank=True, db_index=True)
    # The referred customer's order that earned the reward.
    order_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["referrer", "status"], name="referral_referrer_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referrer=models.F("referred")), name="referral_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id}"


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
