from django.contrib import admin

from core.forms import CheckedTextAdminMixin, ReadOnlyAdminMixin
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
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Order]):
    """Orders are only read here: they are entered, changed and deleted through the pages, the
    API and imports (sales.services), which keep the purchase summary in step; an order added
    here would have no lines and no summary."""

    list_display = ("number", "customer", "ordered_on", "status", "amount")
    list_filter = ("status",)
    search_fields = ("number",)
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline]


@admin.register(CustomerStats)
class CustomerStatsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[CustomerStats]):
    """Purchase summaries are derived from the orders (sales.summary): read-only here."""

    list_display = (
        "customer",
        "first_purchase_on",
        "last_purchase_on",
        "orders_count",
        "total_spend",
    )
    raw_id_fields = ("customer",)
