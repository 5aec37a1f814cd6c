from django.contrib import admin

from core.forms import CheckedTextAdminMixin
from engagement.admin import ReadOnlyAdmin
from loyalty.models import (
    Coupon,
    DiscountRule,
    MembershipTier,
    PointsPromotion,
    Reward,
    TierChange,
)


@admin.register(Reward)
class RewardAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Reward]):
    """Where an admin keeps the rewards catalogue: cost, stock and validity."""

    list_display = (
        "code",
        "name",
        "name_zh",
        "kind",
        "cost",
        "stock",
        "valid_from",
        "valid_until",
        "active",
    )
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "name_zh")


@admin.register(PointsPromotion)
class PointsPromotionAdmin(CheckedTextAdminMixin, admin.ModelAdmin[PointsPromotion]):
    """Where an admin sets a campaign's points multiplier and its days."""

    list_display = ("name", "starts_on", "ends_on", "multiplier")


@admin.register(MembershipTier)
class MembershipTierAdmin(admin.ModelAdmin[MembershipTier]):
    list_display = [
        "rank", "code", "name", "name_zh", "min_spend", "discount_percent", "points_multiplier",
        "priority_hours",
    ]  # fmt: skip


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin[DiscountRule]):
    list_display = ["kind", "percent", "min_purchases", "valid_from", "valid_until", "is_active"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin[Coupon]):
    list_display = [
        "code", "name", "percent_off", "amount_off", "valid_from", "valid_until", "customer",
        "max_uses", "times_used", "is_active",
    ]  # fmt: skip
    search_fields = ["code", "name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["times_used"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_on", "member", "kind", "from_tier", "to_tier", "spend", "threshold"]
    list_filter = ["kind"]
    raw_id_fields = ["member"]
