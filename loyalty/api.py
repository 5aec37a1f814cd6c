"""The loyalty API under /api/v1: the price quote for a shop or POS."""

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.access import request_user
from core.schemas import DbId, Input
from loyalty import discounts
from loyalty.tiers import tier_label

router = Router(tags=["loyalty"])


class QuoteLineIn(Input):
    product_id: DbId | None = Field(None, description="The product's id, or give its sku.")
    sku: str = Field("", max_length=40)
    quantity: int
    unit_price: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="Empty: the catalogue's list price."
    )


class QuoteIn(Input):
    customer_id: DbId
    lines: list[QuoteLineIn]
    coupon: str = Field("", max_length=40, description="A campaign coupon's code.")


class TierOut(Schema):
    code: str
    name: str


class QuoteLineOut(Schema):
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


class DiscountOut(Schema):
    kind: str = Field(..., description="tier, frequent, birthday or coupon.")
    code: str = Field(..., description="The coupon's code (empty for the others).")
    percent: Decimal | None
    amount_off: Decimal | None
    amount: Decimal = Field(..., description="Taken off in this quote if applied, else alone.")
    applied: bool
    reason: str


class PointsOut(Schema):
    earn: int
    base: int
    tier_multiplier: Decimal
    birthday_multiplier: Decimal


class QuoteOut(Schema):
    customer_id: int
    currency: str
    tier: TierOut | None
    lines: list[QuoteLineOut]
    subtotal: Decimal
    discounts: list[DiscountOut]
    stacking: str = Field(..., description="best: the single best discount; all: every one.")
    discount: Decimal
    total: Decimal
    points: PointsOut


@router.post(
    "/loyalty/quote",
    response=QuoteOut,
    summary="Quote a customer's price with loyalty discounts and points",
    description="Prices the lines (the list price unless unit_price is given), lists every "
    "discount the customer qualifies for with its reason in the caller's language, applies "
    "them under the stacking policy and says the points the total would earn. Writes nothing; "
    "an unknown product, a quantity under 1, or a coupon that is unknown, another customer's, "
    "expired or used up is answered 422 naming the field.",
)
def quote(request: HttpRequest, payload: QuoteIn) -> QuoteOut:
    """Return the quote for a customer the caller may see."""
    lines = [
        discounts.LineRequest(line.product_id, line.sku, line.quantity, line.unit_price)
        for line in payload.lines
    ]
    result = discounts.quote(request_user(request), payload.customer_id, lines, payload.coupon)
    tier = result.tier
    return QuoteOut(
        customer_id=result.customer_id,
        currency=settings.CURRENCY,
        tier=TierOut(code=tier.code, name=tier_label(tier)) if tier is not None else None,
        lines=[QuoteLineOut(**vars(line)) for line in result.lines],
        subtotal=result.subtotal,
        discounts=[
            DiscountOut(
                kind=o.kind,
                code=o.code,
                percent=o.percent,
                amount_off=o.amount_off,
                amount=o.amount,
                applied=o.applied,
                reason=o.reason,
            )
            for o in result.offers
        ],
        stacking=result.stacking,
        discount=result.discount,
        total=result.total,
        points=PointsOut(
            earn=result.earning.points,
            base=result.earning.base,
            tier_multiplier=result.earning.tier_multiplier,
            birthday_multiplier=result.earning.birthday_multiplier,
        ),
    )
