"""The loyalty API under /api/v1: points balances, the rewards catalogue, redemptions,
reservations of limited products, referral codes, the price quote for a shop or POS."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from accounts.access import request_user
from core.idempotency import KeyHeader, idempotent
from core.schemas import DbId, Input
from customers.services import get_visible_customer
from loyalty import discounts, points, priority, referrals, rewards
from loyalty.members import member_for
from loyalty.models import Reservation, Reward
from loyalty.tiers import tier_label

router = Router(tags=["loyalty"])


class RewardOut(Schema):
    id: int
    code: str
    name: str
    name_zh: str
    kind: str
    cost: int
    stock: int | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None


class EntryOut(Schema):
    kind: str
    points: int
    debt: int
    created_at: datetime.datetime
    reason: str
    order_id: int | None


class PointsOut(Schema):
    customer_id: int
    balance: int
    debt: int
    entries: list[EntryOut]


class RedemptionIn(Input):
    customer_id: DbId
    reward_id: DbId


class RedemptionOut(Schema):
    id: int
    customer_id: int
    reward_id: int
    points: int
    balance: int = Field(..., description="The customer's points after the redemption.")
    created_at: datetime.datetime


@router.get("/loyalty/rewards", response=list[RewardOut], summary="List rewards available today")
def list_rewards(request: HttpRequest) -> list[Reward]:
    """Return the rewards that may be redeemed today, cheapest first."""
    request_user(request)
    return list(rewards.available_rewards(timezone.localdate()))


@router.get(
    "/loyalty/customers/{customer_id}/points", response=PointsOut, summary="A customer's points"
)
def customer_points(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """Return a visible customer's balance, debt and newest ledger entries (404 if not
    visible)."""
    customer = get_visible_customer(request_user(request), customer_id)
    member = member_for(customer.pk)
    return {
        "customer_id": customer.pk,
        "balance": member.points_balance,
        "debt": member.points_debt,
        "entries": points.statement(member, 100),
    }


@router.post(
    "/loyalty/redemptions",
    response={201: RedemptionOut},
    summary="Redeem points for a reward",
    description=(
        "Takes the reward's points from the customer (soonest-expiring first) and one from its "
        "stock, or refuses with 422 and changes nothing. The Idempotency-Key header is required."
    ),
)
def create_redemption(
    request: HttpRequest, payload: RedemptionIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Redeem a reward for a customer the user may change."""
    user = request_user(request)
    customer = get_visible_customer(user, payload.customer_id)

    def write() -> tuple[int, Any]:
        key = f"api:{user.pk}:{idempotency_key or ''}"
        redemption = rewards.redeem(user, customer, payload.reward_id, key)
        body = {
            "id": redemption.pk,
            "customer_id": customer.pk,
            "reward_id": redemption.reward_id,
            "points": redemption.points,
            "balance": redemption.member.points_balance,
            "created_at": redemption.created_at,
        }
        return 201, body

    return idempotent(request, user, idempotency_key, write, required=True)


class ReservationIn(Input):
    limited_id: DbId
    customer_id: DbId
    quantity: int = Field(1, ge=1, le=priority.MAX_PER_CUSTOMER)


class ReservationOut(Schema):
    id: int
    limited_id: int
    customer_id: int
    quantity: int
    tier: str
    reserved_at: datetime.datetime
    status: str
    allocated: int


@router.post(
    "/loyalty/reservations",
    response={201: ReservationOut},
    summary="Reserve a limited product for a customer",
    description=(
        "Open from the general sale's start less the customer's tier's early access, until "
        "the reservations close; one reservation per customer and product. The quantity is "
        "allocated when the reservations close (by tier, then time). Needs an Idempotency-Key."
    ),
)
def create_reservation(
    request: HttpRequest, payload: ReservationIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Reserve through the same service as the customer's page."""
    user = request_user(request)

    def write() -> tuple[int, object]:
        reservation: Reservation = priority.reserve(
            user, payload.limited_id, payload.customer_id, payload.quantity
        )
        return 201, ReservationOut.from_orm(reservation).model_dump()

    return idempotent(request, user, idempotency_key, write, required=True)


class ReferralOut(Schema):
    customer_id: int
    code: str
    link: str
    referred_by: int | None
    referred: int


@router.get(
    "/loyalty/customers/{customer_id}/referral",
    response=ReferralOut,
    summary="A customer's referral code and link",
    description="Give the code as extras.referral_code when creating the referred customer.",
)
def customer_referral(request: HttpRequest, customer_id: int) -> ReferralOut:
    """Return the customer's code (made on first use), its link and the referral counts."""
    customer = get_visible_customer(request_user(request), customer_id)
    code = referrals.code_for(customer).code
    return ReferralOut(
        customer_id=customer.pk, code=code, link=referrals.link_for(code),
        referred_by=referrals.referrer_of(customer.pk),
        referred=len(referrals.tree_below(customer, depth=1, width=10_000)),
    )  # fmt: skip


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


class QuotePointsOut(Schema):
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
    points: QuotePointsOut


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
        points=QuotePointsOut(
            earn=result.earning.points,
            base=result.earning.base,
            tier_multiplier=result.earning.tier_multiplier,
            birthday_multiplier=result.earning.birthday_multiplier,
        ),
    )
