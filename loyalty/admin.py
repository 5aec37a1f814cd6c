"""Admins set the tiers, discount rules and coupons; the tier history is read-only."""

from django.contrib import admin

from engagement.admin import ReadOnlyAdmin
from loyalty.models import Coupon, DiscountRule, MembershipTier, TierChange


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
