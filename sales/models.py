"""Products, orders and the per-customer purchase summary kept in step with them."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import RowidOneToOneField
from customers.models import Customer
from sales.limits import MAX_CUSTOMER_SPEND, MAX_ORDER_AMOUNT, MAX_QUANTITY, MAX_UNIT_PRICE

ZERO = Decimal("0.00")


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    list_price = models.DecimalField(
        _("list price"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_UNIT_PRICE)],
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class OrderStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=40, unique=True)
    # No index of its own: order_customer_status_day starts with the customer and serves
    # every lookup by customer, and one B-tree less speeds up bulk ingestion.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
        db_index=False,
    )
    ordered_on = models.DateField(_("order date"))
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PAID
    )
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=ZERO,
        validators=[MaxValueValidator(MAX_ORDER_AMOUNT)],
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        indexes = [
            models.Index(
                fields=["customer", "status", "ordered_on"], name="order_customer_status_day"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def counts_as_purchase(self) -> bool:
        return self.status == OrderStatus.PAID


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_UNIT_PRICE)],
    )  # fmt: skip
    discount = models.DecimalField(
        _("discount"), max_digits=12, decimal_places=2, default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_UNIT_PRICE)],
    )  # fmt: skip
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2,
        validators=[MaxValueValidator(MAX_ORDER_AMOUNT)],
    )  # fmt: skip

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class CustomerStats(models.Model):
    """The purchase summary of one customer, over paid orders only.

    Kept in step with every order change inside the same transaction (sales.summary),
    so lists and analyses never scan all orders; `rebuild_customer_stats` proves it.
    """

    # The rowid on SQLite: adding orders looks summaries up by customer, one B-tree fewer.
    customer = RowidOneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    # The customer's owner, copied here (sales.summary.follow_owners keeps it in step) so
    # that "one rep's customers who last bought in this range" reads one index range instead
    # of probing the summary of each of the rep's customers (docs/performance.md).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, db_index=False,
        related_name="+",
    )  # fmt: skip
    first_purchase_on = models.DateField(_("first purchase"))
    last_purchase_on = models.DateField(_("last purchase"), db_index=True)
    purchase_days = models.PositiveIntegerField(_("purchase days"))
    orders_count = models.PositiveIntegerField(_("orders"))
    total_spend = models.DecimalField(
        _("total spend"), max_digits=16, decimal_places=2,
        validators=[MaxValueValidator(MAX_CUSTOMER_SPEND)],
    )  # fmt: skip
    # When the purchases last changed: the analyses' purchase cache re-reads only the
    # customers changed since its last check (sales.purchases).
    changed_at = models.DateTimeField(_("changed"), db_default=Now())

    class Meta:
        verbose_name = _("purchase summary")
        verbose_name_plural = _("purchase summaries")
        indexes = [
            models.Index(fields=["total_spend"], name="stats_total_spend"),
            models.Index(fields=["owner", "last_purchase_on"], name="stats_owner_last_purchase"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.orders_count} orders"

    @property
    def average_spend(self) -> Decimal:
        return (self.total_spend / self.orders_count).quantize(Decimal("0.01"))

    def days_since_last_purchase(self, today: datetime.date) -> int:
        return (today - self.last_purchase_on).days
