"""The one send path: every outbound message to a customer starts and ends here.

`send` checks who asks, renders the text, applies the policy (engagement.policy) and
records the message under its idempotency key in one transaction; the sending itself runs
in a Huey task queued on commit (`deliver`). Tasks for a person (WeChat, a call, a visit,
a gift by post) become follow-ups for the customer's owner instead.

Exactly-once in effect: the key (customer, purpose, occasion date, channel) is unique, so a
second send returns the first message; a worker takes a message only through a
conditional UPDATE that sets a lease, and marks it sent only while it is still queued, so
two workers never both send it and a worker killed mid-send leaves it to the sweep once
its lease has expired.
"""

import datetime
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_log_interaction
from accounts.models import User
from core.actors import actor_for
from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from core.events import emit
from customers.models import Customer, Language
from customers.services import mobile_holders, set_consent, visible_customers
from customers.validators import normalize_mobile
from engagement import policy
from engagement.channels import Outbound, SendError, adapter_for
from engagement.models import Message, MessageTemplate, Purpose, SkipReason, Status
from interactions.services import create_follow_up

LEASE = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=6)
UNSUBSCRIBE_SALT = "engagement.unsubscribe"
# SMS replies that mean "stop sending me messages" (退订 is the Chinese convention).
OPT_OUT_REPLIES = frozenset({"TD", "退订", "T"})
# The customer fields a template may name; nothing else reaches a template.
TEMPLATE_FIELDS = ("name", "company", "city")
# Values of an occasion a caller may pass explicitly (the care calendar): the occasion's
# name, the years of an anniversary and the owner's name. Nothing else.
OCCASION_FIELDS = ("occasion", "years", "owner")
TASK_CHANNELS = frozenset({Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.POST})
SENDABLE_CHANNELS = policy.AUTOMATIC_CHANNELS | TASK_CHANNELS


class MessageEvent:
    QUEUED = "message.queued"  # data: {"channel", "purpose", "scheduled_for"}
    SENT = "message.sent"  # data: {"channel", "purpose"}
    FAILED = "message.failed"  # data: {"channel", "purpose", "error"}
    SKIPPED = "message.skipped"  # data: {"channel", "purpose", "reason"}


@dataclass(frozen=True)
class Cause:
    """What led to a message: a care occasion, a cadence, a campaign, a ticket, ..."""

    kind: str
    id: int | None = None


def check_may_send(actor: User, customer: Customer) -> None:
    """Refuse a send to a customer the actor may not contact (404 if they may not see it)."""
    if not visible_customers(actor, include_archived=True).filter(pk=customer.pk).exists():
        raise NotFound(_("No such customer."), "customer_id")
    if not can_log_interaction(actor, customer.owner_id):
        raise Forbidden(_("You may view this customer but not contact them."), "customer_id")


def render(text: str, customer: Customer, occasion: Mapping[str, str] | None = None) -> str:
    """Return the text with its {placeholders} filled from the allow-listed customer fields
    and the occasion's values the caller passed (only names in OCCASION_FIELDS).

    Only plain names are allowed: no attributes, indexes or formats, so a template cannot
    reach beyond the list. An unknown placeholder is refused with its name.
    """
    values = {name: str(getattr(customer, name) or "") for name in TEMPLATE_FIELDS}
    for field, value in (occasion or {}).items():
        if field not in OCCASION_FIELDS:
            raise ValueError(f"{field} is not an occasion field")
        values[field] = value
    parts = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise Invalid(_("The text has an unmatched { or }."), "text") from None
    for literal, name, spec, conversion in parsed:
        parts.append(literal)
        if name is None:
            continue
        if name not in values or spec or conversion:
            raise Invalid(_("Unknown placeholder {%(name)s}.") % {"name": name}, "text")
        parts.append(values[name])
    return "".join(parts)


def placeholder_values(text: str, rendered: str) -> list[str]:
    """Return the values the rendered text put in the template text's placeholders, in order
    (an SMS template's parameters), read back from what was rendered at the send, so that
    the values a caller passed (an occasion's) are there too; [] if the template changed."""
    pattern = "".join(
        re.escape(literal) + ("(.*?)" if name is not None else "")
        for literal, name, _spec, _conv in string.Formatter().parse(text)
    )
    match = re.fullmatch(pattern, rendered, re.DOTALL)
    return list(match.groups()) if match else []


def _address(customer: Customer, channel: str) -> str:
    """Return the customer's valid address on an automatic channel, or ""."""
    if channel == Channel.EMAIL:
        return customer.email if "@" in customer.email else ""
    return _mobile(customer.mobile)


def _mobile(raw: str) -> str:
    """Return the number as stored (national digits for China, +E.164 else), or "" if invalid."""
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return ""


def send(
    actor: User | None,
    customer: Customer,
    channel: str,
    purpose: str,
    template_code: str = "",
    text: str = "",
    *,
    cause: Cause | None = None,
    occasion_date: datetime.date | None = None,
    cost: Decimal | None = None,
    now: datetime.datetime | None = None,
    occasion: Mapping[str, str] | None = None,
) -> Message:
    """Record one message to the customer and queue its sending; return it.

    `actor` is the person asking (checked by the access rule) or None for a system job.
    A template is taken in the customer's language, else in the other one; `occasion`
    holds the occasion's placeholder values (see render).
    A second call with the same key returns the first message, whatever its status.
    """
    if channel not in SENDABLE_CHANNELS:
        raise Invalid(_("Messages cannot be sent on this channel."), "channel")
    if purpose not in Purpose.values:
        raise Invalid(_("Choose a valid purpose."), "purpose")
    if actor is not None:
        check_may_send(actor, customer)
    subject, body = _text(template_code, text, channel, customer.language)
    now = now or timezone.now()
    occasion_date = occasion_date or timezone.localdate(now)
    key = {
        "customer_id": customer.pk, "purpose": purpose,
        "occasion_date": occasion_date, "channel": channel,
    }  # fmt: skip
    with transaction.atomic():
        # One decision per customer at a time: two concurrent sends would both see room
        # under the cap. SQLite serialises writers already.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        existing = Message.objects.filter(**key).first()
        if existing is not None:
            return existing
        message = Message(
            **key, template=template_code, created_by=actor, created_at=now, scheduled_for=now,
            subject=render(subject, customer, occasion), text=render(body, customer, occasion),
            cause_kind=cause.kind if cause else "", cause_id=cause.id if cause else None,
            cost=cost or Decimal(0),
        )  # fmt: skip
        decision = policy.decide(customer, channel, purpose, now)
        if decision.action == policy.Action.SKIP:
            message.status, message.skip_reason = Status.SKIPPED, decision.reason
        elif channel in policy.AUTOMATIC_CHANNELS and not _address(customer, channel):
            message.status, message.skip_reason = Status.SKIPPED, SkipReason.NO_ADDRESS
        elif decision.until is not None:
            message.scheduled_for = decision.until
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            # A concurrent send with the same key won (PostgreSQL without the lock held).
            return Message.objects.get(**key)
        _announce(actor, message)
        if message.status == Status.QUEUED:
            if channel in TASK_CHANNELS:
                _hand_to_owner(actor, customer, message)
            else:
                transaction.on_commit(lambda: _queue(message))
    return message


def find_template(code: str, channel: str, language: str) -> MessageTemplate | None:
    """Return the template in the language, or in the other one when it has none."""
    templates = {t.language: t for t in MessageTemplate.objects.filter(code=code, channel=channel)}
    return next(
        (templates[lang] for lang in (language, *Language.values) if lang in templates), None
    )


def _text(template_code: str, text: str, channel: str, language: str) -> tuple[str, str]:
    """Return the subject and body to render: the template's, or the free text."""
    if template_code:
        template = find_template(template_code, channel, language)
        if template is None:
            raise Invalid(_("No template with this code for this channel."), "template_code")
        return template.subject, template.body
    if not text.strip():
        raise Invalid(_("Enter the message text or choose a template."), "text")
    return "", text


def _hand_to_owner(actor: User | None, customer: Customer, message: Message) -> None:
    """Make a person's contact (a call, a visit, WeChat, a gift) a follow-up for the owner."""
    note = f"{message.get_channel_display()}: {message.text}"[:300]
    follow_up = create_follow_up(
        customer.owner, customer, timezone.localdate(message.scheduled_for), note, actor
    )
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENT, sent_at=timezone.now(), provider_ref=f"follow_up:{follow_up.pk}"
    )
    message.refresh_from_db()
    _announce(actor, message)


def _queue(message: Message) -> None:
    # Imported here: engagement.tasks imports this module to run deliver.
    from engagement.tasks import deliver_message

    deliver_message.schedule((message.pk,), eta=message.scheduled_for)


def _announce(actor: User | None, message: Message) -> None:
    """Emit the event of the message's current status."""
    data: dict[str, Any] = {"channel": message.channel, "purpose": message.purpose}
    kind = {
        Status.QUEUED: MessageEvent.QUEUED, Status.SENT: MessageEvent.SENT,
        Status.FAILED: MessageEvent.FAILED, Status.SKIPPED: MessageEvent.SKIPPED,
    }[Status(message.status)]  # fmt: skip
    if message.status == Status.QUEUED:
        data["scheduled_for"] = message.scheduled_for.isoformat()
    if message.status == Status.SKIPPED:
        data["reason"] = message.skip_reason
    if message.status == Status.FAILED:
        data["error"] = message.last_error
    emit(kind, actor_for(actor), customer_id=message.customer_id, subject_id=message.pk, data=data)


def due_messages(now: datetime.datetime) -> Q:
    """Return the filter of queued messages a worker may take now."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Q(status=Status.QUEUED, scheduled_for__lte=now) & free


def claim(message_id: int, now: datetime.datetime) -> bool:
    """Take the message for this worker for a lease; return False if another has it or it
    is no longer due (the conditional UPDATE is the lock)."""
    taken = Message.objects.filter(due_messages(now), pk=message_id).update(
        claimed_until=now + LEASE, attempts=F("attempts") + 1
    )
    return taken == 1


def deliver(message_id: int, now: datetime.datetime | None = None) -> str:
    """Send one queued message if this worker wins it; return its status afterwards."""
    now = now or timezone.now()
    if not claim(message_id, now):
        return Message.objects.filter(pk=message_id).values_list("status", flat=True).first() or ""
    message = Message.objects.select_related("customer").get(pk=message_id)
    customer = message.customer
    refused = policy.refusal(customer, message.channel)
    if refused is not None:
        return _finish(message, Status.SKIPPED, skip_reason=refused)
    outbound = Outbound(
        message.pk, message.idempotency_key, _address(customer, message.channel),
        message.subject, _with_unsubscribe(message), message.template,
        _template_params(message), _headers(message),
    )  # fmt: skip
    try:
        receipt = adapter_for(message.channel).send(outbound)
    except SendError as error:
        if error.permanent or message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            return _finish(message, Status.FAILED, last_error=str(error)[:300])
        return _retry_later(message, str(error), now)
    return _finish(
        message, Status.SENT, sent_at=timezone.now(), provider_ref=receipt.provider_ref[:100],
        cost=message.cost + receipt.cost, last_error="",
    )  # fmt: skip


def _finish(message: Message, status: Status, **fields: Any) -> str:
    """Move a queued message to its final status (only while still queued) and announce it."""
    with transaction.atomic():
        moved = Message.objects.filter(pk=message.pk, status=Status.QUEUED).update(
            status=status, claimed_until=None, **fields
        )
        if moved:
            message.refresh_from_db()
            _announce(None, message)
    return str(Message.objects.values_list("status", flat=True).get(pk=message.pk))


def _retry_later(message: Message, error: str, now: datetime.datetime) -> str:
    """Put the message back in the queue after a delay that doubles with each attempt."""
    delay = min(datetime.timedelta(seconds=30 * 2 ** min(message.attempts, 20)), MAX_BACKOFF)
    at = now + delay
    Message.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        claimed_until=None, scheduled_for=at, last_error=error[:300]
    )
    message.scheduled_for = at
    transaction.on_commit(lambda: _queue(message))
    return Status.QUEUED


def _template_params(message: Message) -> list[str]:
    template = find_template(message.template, message.channel, message.customer.language)
    return placeholder_values(template.body, message.text) if template else []


def unsubscribe_url(message: Message) -> str:
    """Return the one-click link that opts the customer out of the message's channel."""
    token = signing.dumps({"c": message.customer_id, "ch": message.channel}, salt=UNSUBSCRIBE_SALT)
    return settings.PUBLIC_URL + reverse("engagement:unsubscribe", args=[token])


def _with_unsubscribe(message: Message) -> str:
    """Return the body, with the unsubscribe link under a marketing email."""
    if message.channel != Channel.EMAIL or message.purpose != Purpose.MARKETING:
        return message.text
    return f"{message.text}\n\n--\n{_('Unsubscribe')}: {unsubscribe_url(message)}"


def _headers(message: Message) -> dict[str, str]:
    if message.channel != Channel.EMAIL or message.purpose != Purpose.MARKETING:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(message)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def customer_for_unsubscribe(token: str) -> tuple[Customer, str]:
    """Return the customer and channel an unsubscribe token names; refuse a forged one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        customer = Customer.objects.get(pk=int(data["c"]))
        channel = str(data["ch"])
    except (signing.BadSignature, Customer.DoesNotExist, KeyError, TypeError, ValueError):
        raise NotFound(_("This unsubscribe link is not valid."), "token") from None
    return customer, channel


def unsubscribe(token: str) -> Customer:
    """Record the opt-out a tokenised link asks for (again is a no-op); return the customer."""
    customer, channel = customer_for_unsubscribe(token)
    set_consent(None, customer, channel, False, source="unsubscribe link")
    return customer


def handle_sms_reply(mobile: str, text: str) -> int:
    """Record an SMS opt-out ("TD" / "退订") from the number; return how many customers.

    Any other reply changes nothing (a person reads replies in the interactions log).
    """
    if text.strip().upper() not in OPT_OUT_REPLIES:
        return 0
    digits = _mobile(mobile)
    if not digits:
        return 0
    holders = list(mobile_holders([digits]))
    for customer in holders:
        set_consent(None, customer, Channel.SMS, False, source="sms reply")
    return len(holders)


def recent_messages(customer: Customer, limit: int) -> list[Message]:
    """Return the customer's newest messages (for the timeline)."""
    newest = Message.objects.filter(customer=customer).select_related("response")
    return list(newest.order_by("-created_at", "-id")[:limit])


def sweep(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Deliver due messages a kick missed (a killed worker, the end of quiet hours)."""
    now = now or timezone.now()
    ids = list(Message.objects.filter(due_messages(now)).order_by("scheduled_for", "id")
               .values_list("pk", flat=True)[:limit])  # fmt: skip
    return sum(1 for pk in ids if deliver(pk, now) == Status.SENT)


def message_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return only the fields a caller may set on send (the API and the form share them)."""
    return {k: values[k] for k in ("channel", "purpose", "template_code", "text") if k in values}
