"""The loyalty API under /api/v1: points balances, the rewards catalogue, redemptions."""

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from accounts.access import request_user
from core.idempotency import KeyHeader, idempotent
from core.schemas import DbId, Input
from customers.services import get_visible_customer
from loyalty import points, rewards
from loyalty.members import member_for
from loyalty.models import Reward

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
