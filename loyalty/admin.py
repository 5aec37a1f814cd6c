from django.contrib import admin

from core.forms import CheckedTextAdminMixin
from loyalty.models import PointsPromotion, Reward


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
