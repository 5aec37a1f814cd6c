"""Outbound messages over the JSON API: send one, list a customer's."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from accounts.access import request_user
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, Input
from customers.services import get_visible_customer
from engagement import care, services
from engagement import today as today_service
from engagement.models import Message, Purpose, Snooze

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


# --- Today (今日待办) ---------------------------------------------------------------------


class TodayActionOut(Schema):
    label: str
    method: str
    url: str


class TodayReasonOut(Schema):
    kind: str
    text: str
    due: datetime.date
    ref: str
    action: TodayActionOut | None


class TodayLineOut(Schema):
    rank: int
    customer_id: int
    name: str
    phone: str
    tier: str
    value_at_stake: float
    overdue_days: int
    reasons: list[TodayReasonOut]
    actions: list[TodayActionOut]


class TodayOut(Schema):
    day: datetime.date
    rep_id: int
    done: int = Field(..., description="Lines of the day done so far.")
    total: int = Field(..., description="Lines of the day, done or not.")
    open: int = Field(..., description="Lines left to do; the first `limit` are listed.")
    lines: list[TodayLineOut]


class TodayQuery(Input):
    rep_id: int | None = Field(None, description="A rep the caller manages; default: the caller.")
    limit: int = Field(today_service.SHOWN_LINES, ge=1, le=today_service.SOURCE_LIMIT * 2)


class SnoozeIn(Input):
    customer_id: int
    until: datetime.date = Field(..., description="The day the line comes back (after today).")


class SnoozeOut(Schema):
    customer_id: int
    until: datetime.date


@router.get(
    "/today",
    response=TodayOut,
    tags=["today"],
    summary="A rep's Today",
    description="One line per customer with every reason and the API calls that act on it: "
    "overdue first, then what is due today, then signals, each by value at stake. Snoozed and "
    "done lines are left out.",
)
def today(request: HttpRequest, filters: Query[TodayQuery]) -> dict[str, Any]:
    """Return the caller's Today, or that of a rep they manage (404 for anyone else)."""
    user = request_user(request)
    owner = today_service.list_owner(user, filters.rep_id)
    listed = today_service.today_list(owner, timezone.localdate())
    return {
        "day": listed.day,
        "rep_id": owner.pk,
        "done": listed.done,
        "total": listed.total,
        "open": len(listed.lines),
        "lines": [_line_out(line, own=owner == user) for line in listed.lines[: filters.limit]],
    }


def _line_out(line: today_service.Line, own: bool) -> dict[str, Any]:
    customer_id = line.customer.pk
    actions = [
        {"label": _("Log contact"), "method": "POST",
         "url": f"{API}/customers/{customer_id}/interactions"},
        {"label": _("Snooze"), "method": "POST", "url": f"{API}/today/snooze"},
    ] if own else []  # fmt: skip
    return {
        "rank": line.rank,
        "customer_id": customer_id,
        "name": line.customer.name,
        "phone": line.phone,
        "tier": line.tier,
        "value_at_stake": round(line.value_at_stake, 2),
        "overdue_days": line.overdue_days,
        "reasons": [_reason_out(reason, own) for reason in line.reasons],
        "actions": actions,
    }


API = "/api/v1"


def _reason_out(reason: today_service.Reason, own: bool) -> dict[str, Any]:
    """Return the reason with the API call equivalent to its page action, where there is one
    (a follow-up's Done); other actions are pages only, and are left out."""
    kind, _sep, pk = reason.ref.partition(":")
    action = None
    if own and reason.actionable and kind == "follow_up" and pk.isdigit():
        url = f"{API}/follow-ups/{pk}/complete"
        action = {"label": reason.action_label, "method": "POST", "url": url}
    return {
        "kind": reason.kind, "text": reason.text, "due": reason.due, "ref": reason.ref,
        "action": action,
    }  # fmt: skip


@router.post(
    "/today/snooze",
    response=SnoozeOut,
    tags=["today"],
    summary="Snooze a customer on Today",
    description="The customer's line is hidden from the caller's Today until `until`.",
)
def snooze(request: HttpRequest, payload: SnoozeIn) -> Snooze:
    """Put one of the caller's visible customers off until a later day."""
    user = request_user(request)
    customer = get_visible_customer(user, payload.customer_id)
    return today_service.snooze(user, customer, payload.until, timezone.localdate())
