"""Products and orders over the JSON API, including the idempotent bulk order import."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.access import request_user
from core.fields import max_length
from core.idempotency import KeyHeader, error_json, idempotent
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, DbId, Input, checked
from sales import services
from sales.limits import MAX_LINES_PER_ORDER, MAX_QUANTITY, MAX_REASON_LENGTH, MAX_UNIT_PRICE
from sales.models import Order, OrderStatus, Product
from sales.validators import validate_order_date

products_router = Router(tags=["products"])
orders_router = Router(tags=["orders"])

MONEY_NOTE = (
    'Money is a decimal with two places: answered as a string ("15.00"), accepted as a '
    "string or a number."
)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    list_price: Decimal
    is_active: bool


class ProductIn(Input):
    sku: str = Field(..., min_length=1, max_length=max_length(Product, "sku"))
    name: str = Field(..., min_length=1, max_length=max_length(Product, "name"))
    category: str = Field("", max_length=max_length(Product, "category"))
    list_price: Decimal = Field(..., ge=0, le=MAX_UNIT_PRICE, decimal_places=2)
    is_active: bool = True


class ProductQuery(Input):
    q: str = Field("", description="SKU prefix or part of the name.")
    category: str = ""
    include_inactive: bool = False


class LineIn(Input):
    sku: str = Field(..., min_length=1, max_length=max_length(Product, "sku"))
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    unit_price: Decimal = Field(..., ge=0, le=MAX_UNIT_PRICE, decimal_places=2)
    discount: Decimal = Field(Decimal("0.00"), ge=0, le=MAX_UNIT_PRICE, decimal_places=2)


class OrderIn(Input):
    number: str = Field(
        ...,
        min_length=1,
        max_length=max_length(Order, "number"),
        description="Unique order number.",
    )
    customer_id: DbId
    ordered_on: Annotated[datetime.date, checked(validate_order_date)]
    status: OrderStatus = OrderStatus.PAID
    channel: str = Field("", max_length=max_length(Order, "channel"))
    lines: list[LineIn] = Field(..., min_length=1, max_length=MAX_LINES_PER_ORDER)


class BulkIn(Input):
    orders: list[OrderIn] = Field(..., min_length=1)


class LineOut(Schema):
    product_id: int
    sku: str = Field(..., alias="product.sku")
    quantity: int
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    ordered_on: datetime.date
    status: str
    channel: str
    amount: Decimal
    created_at: datetime.datetime
    lines: list[LineOut]


class OrderRef(Schema):
    id: int
    number: str


class BulkOut(Schema):
    count: int
    orders: list[OrderRef]


class OrderQuery(Input):
    customer_id: DbId | None = None
    status: OrderStatus | None = None
    ordered_from: datetime.date | None = None
    ordered_to: datetime.date | None = None


class StatusIn(Input):
    status: OrderStatus
    reason: str = Field(
        "",
        max_length=MAX_REASON_LENGTH,
        description="Required when the change refunds the order or reverses its refund.",
    )


class ReasonIn(Input):
    reason: str = Field(..., max_length=MAX_REASON_LENGTH)


def _order_input(order: OrderIn) -> services.OrderInput:
    lines = [
        services.LineInput(
            sku=line.sku, quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount,
        )
        for line in order.lines
    ]  # fmt: skip
    return services.OrderInput(
        number=order.number, customer_id=order.customer_id, ordered_on=order.ordered_on,
        lines=lines, status=order.status, channel=order.channel,
    )  # fmt: skip


def _loaded(pk: int) -> Order:
    return Order.objects.prefetch_related("lines__product").get(pk=pk)


@products_router.get(
    "", response=list[ProductOut], summary="List products", description=PAGINATION_NOTE
)
@paginated
def list_products(request: HttpRequest, filters: Query[ProductQuery]) -> QuerySet[Product]:
    """Return the product catalogue, active products only unless asked otherwise."""
    products = Product.objects.order_by("sku")
    if not filters.include_inactive:
        products = products.filter(is_active=True)
    if filters.category:
        products = products.filter(category=filters.category)
    if filters.q.strip():
        text = filters.q.strip()
        products = products.filter(Q(sku__istartswith=text) | Q(name__icontains=text))
    return products


@products_router.post(
    "",
    response={201: ProductOut},
    summary="Create a product (admins and managers)",
    description=MONEY_NOTE,
)
def create_product(
    request: HttpRequest,
    payload: ProductIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Add a product to the catalogue; only admins and managers may."""
    user = request_user(request)

    def write() -> tuple[int, Any]:
        product = services.create_product(user, payload.dict())
        product.refresh_from_db()  # the stored form: two decimal places
        return 201, ProductOut.from_orm(product).model_dump()

    return idempotent(request, user, idempotency_key, write)


@orders_router.get("", response=list[OrderOut], summary="List orders", description=PAGINATION_NOTE)
@paginated
def list_orders(request: HttpRequest, filters: Query[OrderQuery]) -> QuerySet[Order]:
    """Return the orders of the customers the user may see, newest first."""
    orders = services.visible_orders(request_user(request)).prefetch_related("lines__product")
    conditions = {
        "customer_id": filters.customer_id,
        "status": filters.status,
        "ordered_on__gte": filters.ordered_from,
        "ordered_on__lte": filters.ordered_to,
    }
    orders = orders.filter(**{k: v for k, v in conditions.items() if v is not None})
    return orders.order_by("-ordered_on", "-id")


@orders_router.post("", response={201: OrderOut}, summary="Create an order", description=MONEY_NOTE)
def create_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Enter one order for a customer the user may change; the purchase summary follows."""
    user = request_user(request)
    services.require_order_writer(user)

    def write() -> tuple[int, Any]:
        order = services.create_order(user, _order_input(payload))
        return 201, OrderOut.from_orm(_loaded(order.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)


# Declared before "/{order_id}", whose pattern would otherwise take "bulk" for an id.
@orders_router.post(
    "/bulk",
    response={201: BulkOut},
    summary="Create many orders at once",
    description=(
        "Every order is validated first; if any is invalid, nothing is written and every "
        "error is answered (422) under its index, e.g. `orders[3].lines[0].sku`. Otherwise "
        "all orders are written in one transaction. The `Idempotency-Key` header is required. "
        "At most `API_MAX_BULK_ORDERS` orders (default 1000) per request, else 413. " + MONEY_NOTE
    ),
)
def bulk_create_orders(
    request: HttpRequest,
    payload: BulkIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Validate every order, then write all of them in one transaction, or none."""
    user = request_user(request)
    services.require_order_writer(user)
    limit = settings.API_MAX_BULK_ORDERS
    if len(payload.orders) > limit:
        message = _("At most %(max)d orders per request; this one has %(count)d.") % {
            "max": limit,
            "count": len(payload.orders),
        }
        return error_json(413, "orders", message)

    def write() -> tuple[int, Any]:
        orders = [_order_input(order) for order in payload.orders]
        created = services.create_orders(user, orders)
        refs = [{"id": order.id, "number": order.number} for order in created]
        return 201, {"count": len(created), "orders": refs}

    return idempotent(request, user, idempotency_key, write, required=True)


@orders_router.get("/{order_id}", response=OrderOut, summary="Get an order")
def get_order(request: HttpRequest, order_id: int) -> Order:
    """Return one order of a visible customer (404 otherwise)."""
    order = get_object_or_404(services.visible_orders(request_user(request)), pk=order_id)
    return _loaded(order.pk)


@orders_router.post("/{order_id}/status", response=OrderOut, summary="Change an order's status")
def change_status(request: HttpRequest, order_id: int, payload: StatusIn) -> Order:
    """Refund, cancel or reinstate an order; the purchase summary follows."""
    user = request_user(request)
    order = services.get_visible_order(user, order_id)
    services.set_order_status(user, order, payload.status, payload.reason)
    return _loaded(order.pk)


REFUND_NOTE = (
    "Only the roles in the setting `REFUND_ROLES` (default: managers and admins) may, for "
    "customers they may change (else 403); the reason is required (422) and kept on the "
    "customer's timeline. An `Idempotency-Key` header makes a retry answer the same."
)


@orders_router.post(
    "/{order_id}/refund", response=OrderOut, summary="Refund an order", description=REFUND_NOTE
)
def refund_order(
    request: HttpRequest, order_id: int, payload: ReasonIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Refund a paid order with a reason (409 if it is not paid); the summary follows."""
    user = request_user(request)
    order = services.get_visible_order(user, order_id)

    def write() -> tuple[int, Any]:
        services.refund_order(user, order, payload.reason)
        return 200, OrderOut.from_orm(_loaded(order.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)


@orders_router.post(
    "/{order_id}/reinstate",
    response=OrderOut,
    summary="Reverse an order's refund",
    description=REFUND_NOTE,
)
def reinstate_order(
    request: HttpRequest, order_id: int, payload: ReasonIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Make a refunded order paid again, with a reason (409 if it is not refunded)."""
    user = request_user(request)
    order = services.get_visible_order(user, order_id)

    def write() -> tuple[int, Any]:
        services.reinstate_order(user, order, payload.reason)
        return 200, OrderOut.from_orm(_loaded(order.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)
