"""The loyalty API under /api/v1: points balances, the rewards catalogue, redemptions,
reservations of limited products, referral codes."""

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from accounts.access import request_user
from core.idempotency import KeyHeader, idempotent
from core.schemas import DbId, Input
from customers.services import get_visible_customer
from loyalty import points, priority, referrals, rewards
from loyalty.members import member_for
from loyalty.models import Reservation, Reward

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
