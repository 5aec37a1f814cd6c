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
import functools
import re
import string
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import phonenumbers
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_log_interaction
from accounts.models import User
from core.actors import actor_for
from core.bulk import insert_columns
from core.channels import Channel
from core.chunks import distinct_chunks, filter_in, rows_in
from core.errors import DomainError, Forbidden, Invalid, NotFound
from core.events import emit, emit_columns
from core.memory import cyclic_gc_paused
from customers.models import Customer, Language
from customers.services import mobile_holders, set_consent, visible_customers
from customers.validators import normalize_mobile
from engagement import policy
from engagement.channels import Outbound, SendError, adapter_for
from engagement.models import Message, MessageTemplate, Purpose, SkipReason, Status
from engagement.recipients import Recipient
from interactions.services import create_follow_up

LEASE = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=6)
UNSUBSCRIBE_SALT = "engagement.unsubscribe"
# SMS replies that mean "stop sending me messages" (退订 is the Chinese convention).
OPT_OUT_REPLIES = frozenset({"TD", "退订", "T"})
# The customer fields a template may name; nothing else reaches a template.
TEMPLATE_FIELDS = ("name", "company", "city")
# Values of an occasion a caller may pass explicitly (the care calendar): the occasion's
# name, the years of an anniversary and the owner's name; a link the message carries (a
# survey's). Nothing else.
OCCASION_FIELDS = ("occasion", "years", "owner", "link")
PLACEHOLDERS = frozenset(TEMPLATE_FIELDS + OCCASION_FIELDS)
TASK_CHANNELS = frozenset({Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.POST})
# Requests per transaction of a bulk send: enough that a commit's cost is spread thin,
# few enough that a chunk's look-ups and rows stay small in memory.
SEND_CHUNK = 5000
KEY_FIELDS = ("customer_id", "purpose", "occasion_date", "channel")
KEY_LENGTH = len(KEY_FIELDS)
# The columns a bulk send writes; the others take their defaults.
MESSAGE_COLUMNS = (
    *KEY_FIELDS, "template", "subject", "text", "status", "skip_reason", "cost", "cause_kind",
    "cause_id", "created_by_id", "created_at", "scheduled_for",
)  # fmt: skip
CUSTOMER, PURPOSE, CHANNEL, STATUS, SKIP_REASON, SCHEDULED_FOR = (
    MESSAGE_COLUMNS.index(name)
    for name in ("customer_id", "purpose", "channel", "status", "skip_reason", "scheduled_for")
)
SENDABLE_CHANNELS = policy.AUTOMATIC_CHANNELS | TASK_CHANNELS
PURPOSES = frozenset(Purpose.values)


def _cn_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Return the phone-number library's carrier-prefix and mobile patterns for China."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    mobile = metadata.mobile if metadata else None
    if metadata is None or mobile is None or not mobile.national_number_pattern:
        raise ImproperlyConfigured("the phone-number library has no mobile pattern for China")
    return re.compile(metadata.national_prefix_for_parsing or "$^"), re.compile(
        mobile.national_number_pattern
    )


_CN_STORED = re.compile(r"1\d{10}")
_CN_PREFIX, _CN_MOBILE = _cn_patterns()


class MessageEvent:
    QUEUED = "message.queued"  # data: {"channel", "purpose", "scheduled_for"}
    SENT = "message.sent"  # data: {"channel", "purpose"}
    FAILED = "message.failed"  # data: {"channel", "purpose", "error"}
    SKIPPED = "message.skipped"  # data: {"channel", "purpose", "reason"}


class Cause(NamedTuple):
    """What led to a message: a care occasion, a cadence, a campaign, a ticket, ..."""

    kind: str
    id: int | None = None


def check_may_send(actor: User, customer: Customer) -> None:
    """Refuse a send to a customer the actor may not contact (404 if they may not see it)."""
    if not visible_customers(actor, include_archived=True).filter(pk=customer.pk).exists():
        raise NotFound(_("No such customer."), "customer_id")
    if not can_log_interaction(actor, customer.owner_id):
        raise Forbidden(_("You may view this customer but not contact them."), "customer_id")


def render(
    text: str, customer: Customer | Recipient, occasion: Mapping[str, str] | None = None
) -> str:
    """Return the text with its {placeholders} filled from the allow-listed customer fields
    and the occasion's values the caller passed (only names in OCCASION_FIELDS).

    Only plain names are allowed: no attributes, indexes or formats, so a template cannot
    reach beyond the list. An unknown placeholder is refused with its name.
    """
    for field in occasion or {}:
        if field not in OCCASION_FIELDS:
            raise ValueError(f"{field} is not an occasion field")
    parts = []
    for literal, name in _parts(text):
        parts.append(literal)
        if not name:
            continue
        if name in TEMPLATE_FIELDS:
            parts.append(str(getattr(customer, name) or ""))
        elif occasion and name in occasion:
            parts.append(occasion[name])
        else:
            raise Invalid(_("Unknown placeholder {%(name)s}.") % {"name": name}, "text")
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _parts(text: str) -> tuple[tuple[str, str], ...]:
    """Return the text's (literal, placeholder name or "") pairs; refuse a name that is
    neither a customer nor an occasion field, and any attribute, index or format.

    Cached: a bulk send renders one template for hundreds of thousands of customers.
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise Invalid(_("The text has an unmatched { or }."), "text") from None
    parts = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in PLACEHOLDERS or spec or conversion):
            raise Invalid(_("Unknown placeholder {%(name)s}.") % {"name": name}, "text")
        parts.append((literal, name or ""))
    return tuple(parts)


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


def _address(customer: Customer | Recipient, channel: str) -> str:
    """Return the customer's valid address on an automatic channel, or ""."""
    if channel == Channel.EMAIL:
        return customer.email if "@" in customer.email else ""
    return _mobile(customer.mobile)


def _mobile(raw: str) -> str:
    """Return the number as stored (national digits for China, +E.164 else), or "" if invalid."""
    if _is_stored_cn_mobile(raw):
        return raw
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return ""


def _is_stored_cn_mobile(raw: str) -> bool:
    """Return whether the text is a Chinese mobile as normalize_mobile stores it, read from
    the phone-number library's own patterns for China.

    The library's full parse costs about 60 µs a number, a third of a bulk send's time per
    message; this answers the stored form in a regular-expression match. A number the
    library might read with a carrier prefix (national_prefix_for_parsing) takes the full
    parse, so the answer is always normalize_mobile's.
    """
    return bool(
        _CN_STORED.fullmatch(raw) and not _CN_PREFIX.match(raw) and _CN_MOBILE.fullmatch(raw)
    )


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
    _check_kind(channel, purpose)
    if actor is not None:
        check_may_send(actor, customer)
    subject, body = _checked_text(channel, template_code, text, customer.language, occasion, {})
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
        request = SendRequest(
            customer, channel, purpose, template_code, text, cause, None, cost, occasion
        )
        decision = policy.decide(customer, channel, purpose, now)
        recipient = Recipient.of(customer)
        row = _row(actor, recipient, tuple(key.values()), request, subject, body, decision, now)
        message = Message(**dict(zip(MESSAGE_COLUMNS, row, strict=True)))
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


class SendRequest(NamedTuple):
    """One message a bulk send is asked for: the arguments of `send` (a tuple: the morning
    run asks for a million on a festival).

    The customer is an instance, or only the fields a send reads (a Recipient): the morning
    run reads a festival's audience as rows.
    """

    customer: Customer | Recipient
    channel: str
    purpose: str
    template_code: str = ""
    text: str = ""
    cause: Cause | None = None
    occasion_date: datetime.date | None = None
    cost: Decimal | None = None
    # The occasion's placeholder values (see render): its name, years, the owner's name.
    occasion: Mapping[str, str] | None = None


def send_many(
    actor: User | None,
    requests: Sequence[SendRequest],
    *,
    now: datetime.datetime | None = None,
    chunk: int = SEND_CHUNK,
) -> list[Message]:
    """Record many messages as `send` one after another would, and queue their sending;
    return each request's message, in order.

    Every request is checked before anything is written (a refusal names its index, e.g.
    "requests[3].channel"). Then one transaction per `chunk` requests: the chunk's customers
    are locked, the policy's facts read in a few queries (policy.Ledger), each request
    decided in order (the cap counts the chunk's earlier messages too), the new messages
    inserted many rows per statement and announced in one outbox row per kind. A request
    whose key already has a message, stored or earlier in the batch, gets that message.
    Delivery is queued on commit as one task per chunk and sending time.
    """
    ids: list[int] = []
    built: dict[int, Message] = {}
    for chunk_ids, rows in _send_chunks(actor, requests, now or timezone.now(), chunk):
        ids += chunk_ids
        built.update((pk, _built(row, pk)) for pk, row in rows.items())
    stored = {m.pk: m for m in filter_in(Message.objects.all(), "pk", set(ids) - set(built))}
    return [built.get(pk) or stored[pk] for pk in ids]


def send_many_ids(
    actor: User | None,
    requests: Sequence[SendRequest],
    *,
    now: datetime.datetime | None = None,
    chunk: int = SEND_CHUNK,
) -> list[int]:
    """Record many messages exactly as `send_many` does; return each request's message id,
    in order, without building a Message for any (the morning run's festival greeting to a
    million customers, docs/decisions.md)."""
    ids: list[int] = []
    for chunk_ids, _rows in _send_chunks(actor, requests, now or timezone.now(), chunk):
        ids += chunk_ids
    return ids


def _send_chunks(
    actor: User | None, requests: Sequence[SendRequest], now: datetime.datetime, chunk: int
) -> Iterator[tuple[list[int], dict[int, tuple[Any, ...]]]]:
    """Check every request, then send them a chunk per transaction; yield each chunk's
    message ids and the rows of its new messages unchanged since the insert, by id."""
    # The rows form no cycles; the collector would walk them and the caller's customers
    # again and again (a third of the time at 300,000).
    with cyclic_gc_paused():
        texts = _checked_requests(actor, requests)
        for start in range(0, len(requests), chunk):
            end = start + chunk
            yield _send_chunk(actor, requests[start:end], texts[start:end], now)


def _checked_requests(actor: User | None, requests: Sequence[SendRequest]) -> list[tuple[str, str]]:
    """Refuse the batch if any request would be refused by `send`; return each one's
    subject and body to render."""
    templates: dict[tuple[str, str, str], MessageTemplate | None] = {}
    # The text checked once per channel, template, text, language and occasion values
    # named: a festival's million requests share a few.
    checked: dict[tuple[Any, ...], tuple[str, str]] = {}
    may_send = _may_send(actor, [request.customer for request in requests])
    texts = []
    for index, request in enumerate(requests):
        try:
            _check_kind(request.channel, request.purpose)
            if may_send is not None:
                may_send(request.customer)
            language = request.customer.language
            occasion = request.occasion
            text_key = (request.channel, request.template_code, request.text, language,
                        tuple(occasion) if occasion else ())  # fmt: skip
            if text_key not in checked:
                checked[text_key] = _checked_text(
                    request.channel, request.template_code, request.text, language,
                    occasion, templates,
                )  # fmt: skip
            texts.append(checked[text_key])
        except DomainError as error:
            raise type(error)(error.message, f"requests[{index}].{error.field}") from None
    return texts


def _may_send(
    actor: User | None, customers: Sequence[Customer | Recipient]
) -> Callable[[Customer | Recipient], None] | None:
    """Return the access rule of `check_may_send` for these customers, read in a few
    queries (None for a system job, which may send to anyone)."""
    if actor is None:
        return None
    visible = set(
        filter_in(visible_customers(actor, include_archived=True).only("pk"), "pk",
                  (customer.pk for customer in customers))
    )  # fmt: skip
    visible_ids = {customer.pk for customer in visible}
    owners = {customer.owner_id for customer in customers}
    may_contact = {owner: can_log_interaction(actor, owner) for owner in owners}

    def check(customer: Customer | Recipient) -> None:
        if customer.pk not in visible_ids:
            raise NotFound(_("No such customer."), "customer_id")
        if not may_contact[customer.owner_id]:
            raise Forbidden(_("You may view this customer but not contact them."), "customer_id")

    return check


def _send_chunk(
    actor: User | None,
    requests: Sequence[SendRequest],
    texts: Sequence[tuple[str, str]],
    now: datetime.datetime,
) -> tuple[list[int], dict[int, tuple[Any, ...]]]:
    """Decide, record and announce one chunk of a bulk send in one transaction; return
    each request's message id and the rows of the new messages unchanged since, by id."""
    today = timezone.localdate(now)
    keys = [
        (r.customer.pk, r.purpose, r.occasion_date or today, r.channel) for r in requests
    ]  # fmt: skip
    with transaction.atomic():
        _lock_customers({key[0] for key in keys})
        stored = _stored_message_ids({key[0] for key in keys}, {key[2] for key in keys})
        # The policy's facts only for customers with something new to decide: a second
        # run of the same batch finds every key and reads nothing else.
        ledger = policy.Ledger({key[0] for key in keys if key not in stored}, now)
        planned: set[tuple[Any, ...]] = set()
        rows: list[tuple[Any, ...]] = []
        for request, key, (subject, body) in zip(requests, keys, texts, strict=True):
            if key in stored or key in planned:
                continue
            customer = _recipient(request.customer)
            decision = ledger.decide(customer, request.channel, request.purpose, now)
            row = _row(actor, customer, key, request, subject, body, decision, now)
            if row[STATUS] == Status.QUEUED:
                ledger.count(customer.pk, request.purpose, row[SCHEDULED_FOR])
            planned.add(key)
            rows.append(row)
        new_ids = _insert_messages(rows)
        _announce_rows(actor, rows, new_ids)
        queued = [(pk, row) for pk, row in zip(new_ids, rows, strict=True)
                  if row[STATUS] == Status.QUEUED]  # fmt: skip
        tasks = [(pk, row) for pk, row in queued if row[CHANNEL] in TASK_CHANNELS]
        _hand_tasks_to_owners(actor, requests, tasks)
        automatic = [(pk, row[SCHEDULED_FOR]) for pk, row in queued
                     if row[CHANNEL] not in TASK_CHANNELS]  # fmt: skip
        if automatic:
            transaction.on_commit(lambda: _queue_many(automatic))
    ids = {**stored, **{row[:KEY_LENGTH]: pk for pk, row in zip(new_ids, rows, strict=True)}}
    handed = {pk for pk, _row in tasks}
    unchanged = {pk: row for pk, row in zip(new_ids, rows, strict=True) if pk not in handed}
    return [ids[key] for key in keys], unchanged


def _recipient(customer: Customer | Recipient) -> Recipient:
    return customer if isinstance(customer, Recipient) else Recipient.of(customer)


def _lock_customers(ids: Collection[int]) -> None:
    """Lock the customers' rows, in id order, as `send` locks one (SQLite serialises
    writers already, so the query is spared there)."""
    if connection.features.has_select_for_update:
        for chunk in distinct_chunks(ids):
            list(Customer.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
                 .values_list("pk", flat=True))  # fmt: skip


def _stored_message_ids(
    customer_ids: Collection[int], dates: Collection[datetime.date]
) -> dict[tuple[Any, ...], int]:
    """Return the ids of the customers' messages for occasions between the dates, by
    idempotency key.

    A plain cursor (core.chunks.rows_in): the ORM's IN look-up prepares each id in Python,
    which cost more than the query itself.
    """
    table = connection.ops.quote_name(Message._meta.db_table)
    # The key's columns are named as its fields.
    key_columns = ", ".join(map(connection.ops.quote_name, KEY_FIELDS))
    sql = (
        f"SELECT {key_columns}, id FROM {table} WHERE occasion_date >= %s"
        " AND occasion_date <= %s AND customer_id IN ({})"
    )
    between = [connection.ops.adapt_datefield_value(day) for day in (min(dates), max(dates))]
    rows = rows_in(sql, [(pk,) for pk in sorted(customer_ids)], before=between)
    return {tuple(key): pk for *key, pk in rows}


def _insert_messages(rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert the messages (rows in MESSAGE_COLUMNS order) many per statement; return their
    ids, in order.

    Ids are read back by key from the rows above the largest id before the insert (ids
    only grow): INSERT ... RETURNING costs SQLite several times more (docs/performance.md).
    """
    if not rows:
        return []
    table = connection.ops.quote_name(Message._meta.db_table)
    key_columns = ", ".join(map(connection.ops.quote_name, KEY_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        last_id = cursor.fetchone()[0] or 0
        insert_columns(Message, MESSAGE_COLUMNS, list(zip(*rows, strict=True)))
        cursor.execute(f"SELECT {key_columns}, id FROM {table} WHERE id > %s", [last_id])
        ids = {tuple(key): pk for *key, pk in cursor.fetchall()}
    return [ids[row[:KEY_LENGTH]] for row in rows]


@functools.cache
def _message_fields() -> tuple[list[str], list[Any], list[int]]:
    """Return the message's field names, their defaults and where each is in MESSAGE_COLUMNS
    (-1: not there, the default applies)."""
    fields = Message._meta.concrete_fields
    names = [field.attname for field in fields]
    at = [MESSAGE_COLUMNS.index(name) if name in MESSAGE_COLUMNS else -1 for name in names]
    return names, [field.get_default() for field in fields], at


def _built(row: tuple[Any, ...], pk: int) -> Message:
    """Return the new message with its id, built from its values (Model.from_db): building
    each with keyword arguments cost a quarter of the bulk send's time."""
    names, defaults, at = _message_fields()
    values = [row[i] if i >= 0 else default for i, default in zip(at, defaults, strict=True)]
    values[0] = pk
    return Message.from_db(Message.objects.db, names, values)


def _announce_rows(actor: User | None, rows: Sequence[tuple[Any, ...]], ids: Sequence[int]) -> None:
    """Emit the events of new messages (rows in MESSAGE_COLUMNS order, and their ids), one
    outbox row per kind (as `_announce` each)."""
    who = actor_for(actor)
    queued = [(pk, row) for pk, row in zip(ids, rows, strict=True) if row[STATUS] == Status.QUEUED]
    skipped = [(pk, row) for pk, row in zip(ids, rows, strict=True)
               if row[STATUS] == Status.SKIPPED]  # fmt: skip
    # A bulk send's messages go at a few moments (now, the ends of the quiet hours).
    stamps = {at: at.isoformat() for at in {row[SCHEDULED_FOR] for _pk, row in queued}}
    times = [stamps[row[SCHEDULED_FOR]] for _pk, row in queued]
    reasons = [row[SKIP_REASON] for _pk, row in skipped]
    for kind, batch, extra in (
        (MessageEvent.QUEUED, queued, {"scheduled_for": times}),
        (MessageEvent.SKIPPED, skipped, {"reason": reasons}),
    ):
        data = {
            "channel": [row[CHANNEL] for _pk, row in batch],
            "purpose": [row[PURPOSE] for _pk, row in batch],
            **extra,
        }
        emit_columns(who, kind, [row[CUSTOMER] for _pk, row in batch],
                     [pk for pk, _row in batch], data)  # fmt: skip


def _hand_tasks_to_owners(
    actor: User | None,
    requests: Sequence[SendRequest],
    tasks: Sequence[tuple[int, tuple[Any, ...]]],
) -> None:
    """Make each queued task (a call, a visit, WeChat, a gift) a follow-up for the owner;
    the customers a caller gave as rows are read as instances here, for these only."""
    if not tasks:
        return
    given = {r.customer.pk: r.customer for r in requests if isinstance(r.customer, Customer)}
    missing = {row[CUSTOMER] for _pk, row in tasks} - set(given)
    customers = {**Customer.objects.select_related("owner").in_bulk(missing), **given}
    for pk, row in tasks:
        _hand_to_owner(actor, customers[row[CUSTOMER]], _built(row, pk))


def _queue_many(messages: Sequence[tuple[int, datetime.datetime]]) -> None:
    """Queue one delivery task per sending time (now, or the end of a time zone's quiet
    hours) for these messages (id, time): a task per message cost the queue's store a
    write each."""
    # Imported here: engagement.tasks imports this module to run deliver.
    from engagement.tasks import deliver_messages

    by_time: dict[datetime.datetime, list[int]] = defaultdict(list)
    for pk, at in messages:
        by_time[at].append(pk)
    for at, ids in sorted(by_time.items()):
        deliver_messages.schedule((ids,), eta=at)


def _check_kind(channel: str, purpose: str) -> None:
    """Refuse a channel nothing is sent on and an unknown purpose."""
    if channel not in SENDABLE_CHANNELS:
        raise Invalid(_("Messages cannot be sent on this channel."), "channel")
    if purpose not in PURPOSES:
        raise Invalid(_("Choose a valid purpose."), "purpose")


def _checked_text(
    channel: str,
    template_code: str,
    text: str,
    language: str,
    occasion: Mapping[str, str] | None,
    templates: dict[tuple[str, str, str], MessageTemplate | None],
) -> tuple[str, str]:
    """Refuse a missing template or text, or one naming a placeholder that is neither a
    customer field nor one of the occasion's values; return the subject and body to render.

    `templates` caches the templates found by (code, channel, language) across calls.
    """
    subject, body = _text(template_code, text, channel, language, templates)
    for literal_and_name in (*_parts(subject), *_parts(body)):
        name = literal_and_name[1]
        if name in OCCASION_FIELDS and name not in (occasion or {}):
            raise Invalid(_("Unknown placeholder {%(name)s}.") % {"name": name}, "text")
    return subject, body


def _row(
    actor: User | None,
    customer: Recipient,
    key: tuple[Any, ...],
    request: "SendRequest",
    subject: str,
    body: str,
    decision: policy.Decision,
    now: datetime.datetime,
) -> tuple[Any, ...]:
    """Return the new message's values in MESSAGE_COLUMNS order: rendered for the customer,
    its status and time from the policy's decision and the customer's address."""
    status, skip_reason, scheduled_for = Status.QUEUED, "", now
    channel = request.channel
    if decision.action == policy.Action.SKIP:
        status, skip_reason = Status.SKIPPED, decision.reason
    elif channel in policy.AUTOMATIC_CHANNELS and not _address(customer, channel):
        status, skip_reason = Status.SKIPPED, SkipReason.NO_ADDRESS
    elif decision.until is not None:
        scheduled_for = decision.until
    cause = request.cause
    return (
        *key, request.template_code, render(subject, customer, request.occasion),
        render(body, customer, request.occasion),
        status, skip_reason, request.cost or Decimal(0), cause.kind if cause else "",
        cause.id if cause else None, actor.pk if actor else None, now, scheduled_for,
    )  # fmt: skip


def find_template(code: str, channel: str, language: str) -> MessageTemplate | None:
    """Return the template in the language, or in the other one when it has none."""
    templates = {t.language: t for t in MessageTemplate.objects.filter(code=code, channel=channel)}
    return next(
        (templates[lang] for lang in (language, *Language.values) if lang in templates), None
    )


def _text(
    template_code: str,
    text: str,
    channel: str,
    language: str,
    templates: dict[tuple[str, str, str], MessageTemplate | None],
) -> tuple[str, str]:
    """Return the subject and body to render: the template's, or the free text.

    `templates` caches the templates found by (code, channel, language) across calls.
    """
    if template_code:
        if (template_code, channel, language) not in templates:
            templates[template_code, channel, language] = find_template(
                template_code, channel, language
            )
        template = templates[template_code, channel, language]
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
    """Send one queued message if this worker wins it (sent at `now`: a replay of past
    sends, such as the demo's, keeps their moments); return its status afterwards."""
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
        message, Status.SENT, sent_at=now, provider_ref=receipt.provider_ref[:100],
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


def deliver_many(message_ids: Sequence[int], now: datetime.datetime | None = None) -> int:
    """Send each of the queued messages this worker wins; return how many were sent.

    A worker killed part-way leaves the rest queued, for the sweep.
    """
    return sum(1 for pk in message_ids if deliver(pk, now) == Status.SENT)


def sweep(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Deliver due messages a kick missed (a killed worker, the end of quiet hours)."""
    now = now or timezone.now()
    ids = list(Message.objects.filter(due_messages(now)).order_by("scheduled_for", "id")
               .values_list("pk", flat=True)[:limit])  # fmt: skip
    return sum(1 for pk in ids if deliver(pk, now) == Status.SENT)


def move_messages(source: Customer, target: Customer) -> int:
    """Move the duplicate's messages to the survivor (a merge); return how many moved.

    A message whose key (purpose, occasion date, channel) the survivor already has stays on
    the duplicate, as its history: the key is unique, and the survivor was already contacted
    for that occasion on that channel. Queued ones among them are skipped at delivery (the
    duplicate is archived), so the person is not contacted twice.
    """
    clash = Message.objects.filter(
        customer=target, purpose=OuterRef("purpose"), occasion_date=OuterRef("occasion_date"),
        channel=OuterRef("channel"),
    )  # fmt: skip
    return Message.objects.filter(customer=source).exclude(Exists(clash)).update(customer=target)


def message_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return only the fields a caller may set on send (the API and the form share them)."""
    return {k: values[k] for k in ("channel", "purpose", "template_code", "text") if k in values}
