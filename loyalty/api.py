"""The loyalty API under /api/v1."""

import datetime

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from accounts.access import request_user
from core.idempotency import KeyHeader, idempotent
from core.schemas import DbId, Input
from customers.services import get_visible_customer
from loyalty import priority, referrals
from loyalty.models import Reservation

router = Router(tags=["loyalty"])


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
