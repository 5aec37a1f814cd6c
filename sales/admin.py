from django.contrib import admin

from core.forms import CheckedTextAdminMixin
from sales.models import CustomerStats, Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Product]):
    list_display = ("sku", "name", "category", "list_price", "is_active")
    search_fields = ("sku", "name")
    list_filter = ("category", "is_active")


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    readonly_fields = ("product", "quantity", "unit_price", "discount", "amount")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    """Orders are only read here: they are entered, changed and deleted through the pages, the
    API and imports (sales.services), which keep the purchase summary in step; an order added
    here would have no lines and no summary."""

    list_display = ("number", "customer", "ordered_on", "status", "amount")
    list_filter = ("status",)
    search_fields = ("number",)
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CustomerStats)
class CustomerStatsAdmin(admin.ModelAdmin[CustomerStats]):
    """Purchase summaries are derived from the orders (sales.summary): read-only here."""

    list_display = (
        "customer",
        "first_purchase_on",
        "last_purchase_on",
        "orders_count",
        "total_spend",
    )
    raw_id_fields = ("customer",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
