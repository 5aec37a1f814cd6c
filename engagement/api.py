"""Outbound messages over the JSON API: send one, list a customer's."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from accounts.access import request_user
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, Input
from customers.services import get_visible_customer
from engagement import care, services
from engagement.models import Message, Purpose

router = Router(tags=["messages"])


class MessageIn(Input):
    channel: str = Field(..., description="sms, email, phone, wechat, visit or post.")
    purpose: Purpose
    template_code: str = Field("", max_length=60)
    text: str = Field("", max_length=1000)
    occasion_date: datetime.date | None = Field(
        None, description="With the customer, purpose and channel, the idempotency key."
    )


class MessageOut(Schema):
    id: int
    customer_id: int
    channel: str
    purpose: str
    occasion_date: datetime.date
    template: str
    text: str
    status: str
    skip_reason: str
    cost: Decimal
    scheduled_for: datetime.datetime
    sent_at: datetime.datetime | None


@router.post(
    "/customers/{customer_id}/messages",
    response={201: MessageOut},
    summary="Send a message to a customer",
    description="Sending the same key again returns the first message; nothing is sent twice.",
)
def send_message(request: HttpRequest, customer_id: int, payload: MessageIn) -> Status[MessageOut]:
    """Send through the one send path; the answer says whether it was queued or skipped."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    message = services.send(
        user, customer, payload.channel, payload.purpose, payload.template_code, payload.text,
        occasion_date=payload.occasion_date,
    )  # fmt: skip
    return Status(201, MessageOut.from_orm(message))


@router.get(
    "/customers/{customer_id}/messages",
    response=list[MessageOut],
    summary="List a customer's messages",
    description=PAGINATION_NOTE,
)
@paginated
def list_messages(request: HttpRequest, customer_id: int) -> QuerySet[Message]:
    """Return the messages to one visible customer, newest first (404 if not visible)."""
    customer = get_visible_customer(request_user(request), customer_id)
    return Message.objects.filter(customer=customer).order_by("-created_at", "-id")


# Care calendar (关怀日历) ------------------------------------------------------------------


class CareIn(Input):
    customer_id: int
    occasion: str = Field(..., max_length=40, description="A care occasion's code, e.g. birthday.")
    occasion_date: datetime.date = Field(..., description="The day of the occasion.")
    channel: str = Field("", description="Empty: the occasion's own channel.")


@router.post(
    "/care/send",
    response={201: MessageOut},
    summary="Send a care greeting",
    description="The occasion must fall on the day for the customer; sending it again for the "
    "same day and channel returns the first message.",
)
def send_care(request: HttpRequest, payload: CareIn) -> Status[MessageOut]:
    """Send the occasion's greeting through the one send path."""
    user = request_user(request)
    customer = get_visible_customer(user, payload.customer_id)
    message = care.send_care(
        user, customer, payload.occasion, payload.occasion_date, payload.channel or None
    )
    return Status(201, MessageOut.from_orm(message))
