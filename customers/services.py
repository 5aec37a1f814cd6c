"""Everything that changes the customer archive, each change one transaction."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import assignable_owners, can_edit_owned_by, can_reassign, visible_owner_q
from accounts.models import User
from core.actors import actor_for
from core.bulk import insert_columns, insert_rows
from core.errors import Conflict, Forbidden, Invalid
from core.events import emit

# The erasure has a module of its own (it gathers every app's part); this is its way in.
from customers.erasure import check_may_erase as check_may_erase
from customers.erasure import erase_customer as erase_customer
from customers.events import CustomerEvent, record_history
from customers.extensions import (
    TimelineEntry,
    creation_fields,
    merge_participants,
    owner_followers,
    timeline_sources,
)
from customers.history import lines_in_words
from customers.models import Consent, Customer, CustomerQuerySet, ProfileChange, Tag, TagGroup


class AccessDenied(Forbidden):
    """Raised when a user may see a customer but not do what they asked (403)."""


# The one answer to a second customer with a taken mobile, for forms, API and import alike.
# It names no customer and no owner: the holder may be one the user may not see.
MOBILE_TAKEN = gettext_lazy("Another customer already has this mobile.")


def visible_customers(user: User, include_archived: bool = False) -> CustomerQuerySet:
    """Return the customers the user may see (the one access rule)."""
    customers = Customer.objects.filter(visible_owner_q(user))
    return customers if include_archived else customers.active()


def get_visible_customer(user: User, pk: int) -> Customer:
    """Return the customer if the user may see it; 404 otherwise, never revealing it exists."""
    return get_object_or_404(visible_customers(user, include_archived=True), pk=pk)


def get_editable_customer(user: User, pk: int) -> Customer:
    """Return the customer if the user may change it; 404 if unseen, AccessDenied if read-only."""
    customer = get_visible_customer(user, pk)
    if not can_edit_owned_by(user, customer.owner_id):
        raise AccessDenied(_("You may view this customer but not change it."))
    return customer


def check_may_add_customers(actor: User) -> None:
    """Refuse a role that may not change even its own customers (it is read-only)."""
    if not can_edit_owned_by(actor, actor.pk):
        raise AccessDenied(_("Your role may not create customers."))


def choose_owner(
    actor: User, owner_id: int | None, customer: Customer | None = None, field: str = "owner"
) -> User:
    """Return the owner the actor gives a new customer, or moves `customer` to.

    The owners are those the customer form offers. For a new customer left without one,
    the owner is the only one the actor may choose (a rep: themselves); an admin or
    manager must name one. Keeping a customer's owner needs no right; moving it needs the
    reassign right. `field` names the input the owner came in, for the error.
    """
    if customer is not None and owner_id == customer.owner_id:
        return customer.owner
    if customer is not None and not can_reassign(actor):
        raise AccessDenied(_("You may not reassign customers."), field)
    owners = assignable_owners(actor)
    if owner_id is None and len(owners) == 1:
        return owners[0]
    if owner_id is None:
        raise Invalid(_("Choose the owner."), field)
    allowed = {owner.pk: owner for owner in owners}
    if owner_id not in allowed:
        raise Invalid(_("You may not assign customers to this owner."), field)
    return allowed[owner_id]


@dataclass(frozen=True)
class CustomerFilter:
    """What the customer list is narrowed by; every field optional."""

    query: str = ""
    owner_id: int | None = None
    tag_id: int | None = None
    region: str = ""
    last_purchase_from: datetime.date | None = None
    last_purchase_to: datetime.date | None = None
    spend_min: Decimal | None = None
    spend_max: Decimal | None = None
    include_archived: bool = False


def _digits_q(digits: str) -> Q:
    """Return a filter for a mobile that starts or ends with the digits, both indexed.

    A range instead of LIKE because SQLite cannot use an index for LIKE ... ESCAPE.
    """
    prefix = Q(mobile__gte=digits, mobile__lt=digits + "\uffff")
    reversed_digits = digits[::-1]
    suffix = Q(mobile_reversed__gte=reversed_digits, mobile_reversed__lt=reversed_digits + "\uffff")
    return prefix | suffix


def _mobile_digits(query: str) -> str | None:
    """Return the query as bare mobile digits when it looks like part of a number."""
    digits = query.replace(" ", "").replace("-", "").removeprefix("+86")
    return digits if digits.isdigit() and len(digits) >= 3 else None


def search(customers: CustomerQuerySet, query: str) -> CustomerQuerySet:
    """Return the customers matching a free-text search over name, mobile, company, email, tag.

    Digits match the start or the end of a mobile through indexes; only when neither
    finds anyone does a slower search for digits in the middle of the number run.
    """
    text = query.strip()
    if not text:
        return customers
    digits = _mobile_digits(text)
    if digits is not None:
        by_ends = customers.filter(_digits_q(digits))
        return by_ends if by_ends.exists() else customers.filter(mobile__contains=digits)
    return customers.filter(
        Q(name__icontains=text)
        | Q(company__icontains=text)
        | Q(email__istartswith=text)
        | Q(pk__in=Customer.objects.filter(tags__name__iexact=text).values("pk"))
    )


def filter_customers(user: User, filters: CustomerFilter) -> CustomerQuerySet:
    """Return the visible customers matching the filters."""
    customers = visible_customers(user, include_archived=filters.include_archived)
    conditions = {
        "owner_id": filters.owner_id,
        "tags__id": filters.tag_id,  # one tag per filter: the join yields no duplicates
        "region": filters.region or None,
        "stats__last_purchase_on__gte": filters.last_purchase_from,
        "stats__last_purchase_on__lte": filters.last_purchase_to,
        "stats__total_spend__gte": filters.spend_min,
        "stats__total_spend__lte": filters.spend_max,
    }
    customers = customers.filter(**{k: v for k, v in conditions.items() if v is not None})
    if filters.last_purchase_from or filters.last_purchase_to:
        customers = _owner_on_summary(user, customers, filters.owner_id)
    return search(customers, filters.query)


def _owner_on_summary(
    user: User, customers: CustomerQuerySet, owner_id: int | None
) -> CustomerQuerySet:
    """Repeat the owner conditions on the summary's copy of the owner.

    The same rows match, but now the database can read one owner's (or team's) customers
    who last bought in a range straight from the (owner, last purchase) index instead of
    probing the summary of each of their customers.
    """
    customers = customers.filter(visible_owner_q(user, "stats__owner"))
    return customers.filter(stats__owner_id=owner_id) if owner_id is not None else customers


SORT_FIELDS: dict[str, list[Any]] = {
    "name": ["name", "id"],
    "-last_purchase": [F("stats__last_purchase_on").desc(nulls_last=True), "-id"],
    "last_purchase": [F("stats__last_purchase_on").asc(nulls_last=True), "id"],
    "-total_spend": [F("stats__total_spend").desc(nulls_last=True), "-id"],
    "-created": ["-created_at", "-id"],
}


# Beyond this many matches a list narrowed by purchases or a search says "2000+" rather than
# counting them all: each match of a wide date or spend range costs a row lookup, about 100 ms
# for a 90-day range over a million customers (docs/performance.md).
COUNT_CAP = 2000


def _ranges(filters: CustomerFilter) -> dict[str, Any]:
    """Return the filters on the purchase summary (ranges over an indexed column)."""
    ranges = {
        "last_purchase_from": filters.last_purchase_from,
        "last_purchase_to": filters.last_purchase_to,
        "spend_min": filters.spend_min,
        "spend_max": filters.spend_max,
    }
    return {name: value for name, value in ranges.items() if value is not None}


def _range_unindexed(user: User, filters: CustomerFilter) -> CustomerQuerySet:
    """Return the customers matching the filters with the summary ranges kept off the indexes.

    Wrapped in COALESCE the ranges cannot drive the query, so the database reads customers in
    name order and stops at the page's rows: with thousands of matches that beats fetching
    every match by its date or spend and sorting them all by name.
    """
    plain = replace(
        filters, last_purchase_from=None, last_purchase_to=None, spend_min=None, spend_max=None
    )
    customers = filter_customers(user, plain).annotate(
        listed_last=Coalesce("stats__last_purchase_on", "stats__last_purchase_on"),
        listed_spend=Coalesce("stats__total_spend", "stats__total_spend"),
    )
    conditions = {
        "listed_last__gte": filters.last_purchase_from,
        "listed_last__lte": filters.last_purchase_to,
        "listed_spend__gte": filters.spend_min,
        "listed_spend__lte": filters.spend_max,
    }
    return customers.filter(**{k: v for k, v in conditions.items() if v is not None})


def list_customers(
    user: User, filters: CustomerFilter, sort: str
) -> tuple[CustomerQuerySet, int | None]:
    """Return the sorted list and its match count when counting all would be slow.

    The count is None when an exact count is cheap (no search or range) and capped at
    COUNT_CAP otherwise.
    """
    customers = filter_customers(user, filters)
    matches = None
    if _ranges(filters) or filters.query or filters.tag_id:
        matches = customers.order_by()[:COUNT_CAP].count()
        if sort == "name" and matches >= COUNT_CAP and _ranges(filters):
            customers = _range_unindexed(user, filters)
    return customers.select_related("owner", "stats").order_by(*SORT_FIELDS[sort]), matches


def autocomplete(user: User, query: str, limit: int = 10) -> list[Customer]:
    """Return up to `limit` visible customers for a search box."""
    if len(query.strip()) < 2:
        return []
    return list(search(visible_customers(user), query).order_by("name")[:limit])


def _history(
    customer: Customer, actor: User | None, before: Mapping[str, str], now: datetime.datetime
) -> list[ProfileChange]:
    """Return the (unsaved) history rows of what changed since `before` was taken."""
    return [
        ProfileChange(
            customer=customer, changed_by=actor, changed_at=now, field=name,
            old_value=before.get(name, ""), new_value=value,
        )
        for name, value in customer.tracked_values().items()
        if before.get(name, "") != value
    ]  # fmt: skip


def _follow_new_owners(changes: Iterable[ProfileChange]) -> None:
    """Let the apps keeping a copy of the owner (the purchase summary) follow a change."""
    moved = {change.customer_id for change in changes if change.field == "owner"}
    if moved:
        for follow in owner_followers:
            follow(moved)


def mobile_holders(mobiles: Iterable[str]) -> CustomerQuerySet:
    """Return the customers holding any of the mobiles, whoever owns them.

    A mobile belongs to at most one customer: archived customers keep theirs (restoring one
    must not make a pair), a customer merged into another has given it up.
    """
    return Customer.objects.filter(mobile__in=list(mobiles), merged_into__isnull=True)


def check_mobile_free(mobile: str, customer: Customer | None = None) -> None:
    """Refuse a mobile another customer holds (409 on the mobile), naming nobody.

    The import applies the same rule to whole batches from the same look-up
    (mobile_holders' conditions) and answers with MOBILE_TAKEN too. Two writes racing
    with one new mobile can both pass: there is no unique index, since customers
    stored before the rule may share a mobile until they are merged.
    """
    if not mobile:
        return
    holders = mobile_holders([mobile])
    if customer is not None and customer.pk is not None:
        holders = holders.exclude(pk=customer.pk)
    if holders.exists():
        raise Conflict(MOBILE_TAKEN, "mobile")


@transaction.atomic
def create_customer(
    actor: User | None,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
    extras: Mapping[str, str] | None = None,
) -> Customer:
    """Validate and create a customer; the creation is the first page of its history.

    `extras` are the inputs other apps take with a new customer (extensions.creation_fields),
    by name; each app keeps its own in this transaction, so a refusal writes nothing.
    """
    unknown = sorted(set(extras or {}) - {field.name for field in creation_fields})
    if unknown:
        raise Invalid(_("Unknown input."), f"extras.{unknown[0]}")
    customer = Customer(**fields)
    customer.full_clean()
    check_mobile_free(customer.mobile)
    customer.save()
    # One history row says who created the record; later rows say what changed.
    record_history(
        [
            ProfileChange(
                customer=customer, changed_by=actor, field="created", new_value=customer.name
            )
        ]
    )
    if tags:
        customer.tags.set(tags)
    for field in creation_fields:
        value = (extras or {}).get(field.name, "").strip()
        if value:
            field.keep(actor, customer, value)
    return customer


@transaction.atomic
def update_customer(
    actor: User, customer: Customer, fields: Mapping[str, Any]
) -> list[ProfileChange]:
    """Validate and apply changed fields; return the history rows written."""
    before = customer.tracked_values()
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean()
    if customer.mobile != before["mobile"]:
        check_mobile_free(customer.mobile, customer)
    customer.save()
    changes = record_history(_history(customer, actor, before, timezone.now()))
    _follow_new_owners(changes)
    return changes


def add_customer(
    actor: User,
    fields: Mapping[str, Any],
    owner_id: int | None,
    tags: Iterable[Tag] = (),
    owner_field: str = "owner",
    extras: Mapping[str, str] | None = None,
) -> Customer:
    """Create a customer for a person: their role may add customers, the owner is theirs to give.

    `owner_field` names the input the owner came in (the form's "owner", the API's
    "owner_id"), for the error; `extras` are other apps' inputs (create_customer).
    """
    check_may_add_customers(actor)
    owner = choose_owner(actor, owner_id, field=owner_field)
    return create_customer(actor, {**fields, "owner": owner}, tags, extras)


@transaction.atomic
def edit_customer(
    actor: User,
    customer: Customer,
    changes: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
    owner_field: str = "owner",
) -> list[ProfileChange]:
    """Apply a person's changes to the profile, and the tags when given, in one transaction.

    The owner may be given as a user or an id; a new one must be one the actor may move
    the customer to (choose_owner). Return the history rows written for the fields.
    """
    fields = dict(changes)
    if "owner" in fields:
        owner = fields["owner"]
        owner_id = owner.pk if isinstance(owner, User) else owner
        fields["owner"] = choose_owner(actor, owner_id, customer, owner_field)
    written = update_customer(actor, customer, fields)
    if tags is not None:
        set_tags(actor, customer, tags)
    return written


@transaction.atomic
def set_tags(actor: User, customer: Customer, tags: Iterable[Tag]) -> None:
    """Replace the customer's tags, recording the change when there is one."""
    old = sorted(str(tag) for tag in customer.tags.all())
    new_tags = list(tags)
    new = sorted(str(tag) for tag in new_tags)
    if old == new:
        return
    customer.tags.set(new_tags)
    record_history([ProfileChange(
        customer=customer, changed_by=actor, field="tags",
        old_value=", ".join(old), new_value=", ".join(new),
    )])  # fmt: skip


@transaction.atomic
def set_consent(
    actor: User | None, customer: Customer, channel: str, granted: bool, source: str = ""
) -> Consent:
    """Record the customer's permission for a channel; an opt-out applies at once everywhere."""
    consent = Consent.objects.filter(customer=customer, channel=channel).first()
    old = "" if consent is None else str(consent.granted)
    consent, _created = Consent.objects.update_or_create(
        customer=customer,
        channel=channel,
        defaults={"granted": granted, "source": source, "changed_on": timezone.localdate()},
    )
    if old != str(granted):
        record_history([ProfileChange(
            customer=customer, changed_by=actor, field=f"consent_{channel}",
            old_value=old, new_value=str(granted),
        )])  # fmt: skip
    return consent


def archive_customer(actor: User, customer: Customer) -> None:
    """Archive the customer: hidden from lists, kept for every record that refers to it."""
    if customer.archived_at is None:
        update_customer(actor, customer, {"archived_at": timezone.now()})


def restore_customer(actor: User, customer: Customer) -> None:
    """Bring an archived customer back into the lists."""
    if customer.archived_at is not None:
        update_customer(actor, customer, {"archived_at": None})


def check_may_reassign(actor: User) -> None:
    """Refuse moving customers between owners to a role without the right (reps, agents)."""
    if not can_reassign(actor):
        raise AccessDenied(_("You may not reassign customers."))


@transaction.atomic
def reassign_customers(actor: User, customer_ids: Iterable[int], new_owner: User) -> int:
    """Move the customers the actor may change to a new owner; return how many moved."""
    check_may_reassign(actor)
    if not can_edit_owned_by(actor, new_owner.pk):
        raise AccessDenied(_("You may not assign customers to this owner."))
    customers = visible_customers(actor).filter(pk__in=list(customer_ids)).select_for_update()
    moving = list(customers.exclude(owner=new_owner).select_related("owner"))
    return bulk_update_customers(actor, [(customer, {"owner": new_owner}) for customer in moving])


def possible_duplicates(user: User, customer: Customer) -> CustomerQuerySet:
    """Return other active customers the user may see sharing the customer's mobile or email."""
    match = Q(pk__in=[])
    if customer.mobile:
        match |= Q(mobile=customer.mobile)
    if customer.email:
        match |= Q(email__iexact=customer.email)
    return visible_customers(user).filter(match).exclude(pk=customer.pk)


@transaction.atomic
def merge_customers(actor: User, survivor: Customer, duplicate: Customer) -> Customer:
    """Move the duplicate's tags, consents, and every registered app's rows, to the survivor.

    The apps above (orders and their summaries, interactions and follow-ups) move their own
    rows as merge participants. The duplicate is archived and points at the survivor, so
    nothing that referred to it is lost; all of it in one transaction. Both rows are
    locked first, so two merges of the same pair in opposite directions cannot both pass.
    """
    _lock_for_merge(survivor, duplicate)
    check_may_merge(survivor, duplicate)
    for participant in merge_participants:
        participant(duplicate, survivor)
    survivor.tags.add(*duplicate.tags.all())
    _keep_stricter_consents(actor, survivor, duplicate)
    update_customer(actor, duplicate, {"archived_at": timezone.now(), "merged_into": survivor})
    record_history([ProfileChange(
        customer=survivor, changed_by=actor, field="merged",
        old_value=f"#{duplicate.pk} {duplicate.name}", new_value="",
    )])  # fmt: skip
    emit(CustomerEvent.MERGED, actor_for(actor), customer_id=survivor.pk, subject_id=duplicate.pk)
    return survivor


def _lock_for_merge(survivor: Customer, duplicate: Customer) -> None:
    """Lock both rows (in id order, so no two merges deadlock) and read their state afresh."""
    locked = Customer.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    for row in locked.order_by("pk").only("archived_at", "merged_into"):
        for customer in (survivor, duplicate):
            if customer.pk == row.pk:
                customer.archived_at = row.archived_at
                customer.merged_into_id = row.merged_into_id


def check_may_merge(survivor: Customer, duplicate: Customer) -> None:
    """Refuse a merge that would lose the survivor: into itself, into an archived customer,
    or of a duplicate already merged into another."""
    if survivor.pk == duplicate.pk:
        raise Invalid(_("A customer cannot be merged into itself."), "duplicate")
    if survivor.is_archived:
        raise Invalid(
            _("This customer is archived; restore it before merging another customer into it.")
        )
    if duplicate.merged_into_id is not None:
        raise Invalid(_("That customer was already merged into another one."), "duplicate")


def _keep_stricter_consents(actor: User, survivor: Customer, duplicate: Customer) -> None:
    """Give the survivor the stricter consent per channel: an opt-out beats a permission,
    and a recorded answer beats none, so no opt-out is lost in a merge."""
    kept = {consent.channel: consent for consent in survivor.consents.all()}
    for consent in duplicate.consents.all():
        current = kept.get(consent.channel)
        if current is None or (current.granted and not consent.granted):
            set_consent(actor, survivor, consent.channel, consent.granted, consent.source)


def timeline(customer: Customer, limit: int = 50) -> list[TimelineEntry]:
    """Return the newest events from every registered timeline source, newest first.

    Events at the same moment keep the sources' registry order (orders, interactions,
    profile changes).
    """
    entries = [entry for source in timeline_sources for entry in source(customer, limit)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def profile_history(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest profile changes as timeline entries."""
    changes = list(customer.changes.select_related("changed_by")[:limit])
    return [
        TimelineEntry(line.at, "change", line, "customers/_timeline_change.html")
        for line in lines_in_words(changes)
    ]


@transaction.atomic
def bulk_create_customers(actor: User | None, customers: list[Customer]) -> list[Customer]:
    """Create many customers already validated by the caller, each with its creation row.

    The import's fast path: the caller normalised and checked every field as clean() does,
    so there is no per-row full_clean; mobile_reversed is set here because bulk_create
    skips save(). The creation row is dated at the customer's created_at (now, unless the
    caller registers customers who signed up earlier), so the timeline starts where it should.
    """
    for customer in customers:
        customer.mobile_reversed = customer.mobile[::-1]
    created = Customer.objects.bulk_create(customers, batch_size=1000)
    record_history([
        ProfileChange(
            customer=customer, changed_by=actor, changed_at=customer.created_at,
            field="created", new_value=customer.name,
        )
        for customer in created
    ])  # fmt: skip
    return created


@transaction.atomic
def bulk_update_customers(
    actor: User | None, updates: list[tuple[Customer, Mapping[str, Any]]]
) -> int:
    """Apply field changes, already validated by the caller, to many customers at once.

    Writes one history row per changed field, as update_customer does; return how many
    customers changed.
    """
    now = timezone.now()
    history: list[ProfileChange] = []
    fields: set[str] = {"updated_at", "mobile_reversed"}
    for customer, values in updates:
        before = customer.tracked_values()
        for name, value in values.items():
            setattr(customer, name, value)
        customer.mobile_reversed = customer.mobile[::-1]
        customer.updated_at = now
        fields.update(values)
        history += _history(customer, actor, before, now)
    Customer.objects.bulk_update([c for c, _values in updates], sorted(fields), batch_size=500)
    record_history(history)
    _follow_new_owners(history)
    return len(updates)


@dataclass(frozen=True)
class RecordChange:
    """One change to one of a customer's records, for record_changes: the field changed (or
    the action, e.g. "created", "deleted") and the raw values before and after."""

    customer_id: int
    subject: str
    subject_id: int | None
    field: str
    old: str = ""
    new: str = ""


def record_changes(actor: User | None, changes: Iterable[RecordChange]) -> None:
    """Append changes other apps made to a customer's records (an order's status, a
    follow-up's assignee) to the customer's one history, with who acted and how.

    Call it inside the change's own transaction, so the history is kept exactly when the
    change is.
    """
    now = timezone.now()
    ProfileChange.objects.bulk_create(
        [
            ProfileChange(
                customer_id=change.customer_id, subject=change.subject,
                subject_id=change.subject_id, changed_by=actor, changed_at=now,
                field=change.field, old_value=change.old, new_value=change.new,
            )
            for change in changes
        ],
        batch_size=1000,
    )  # fmt: skip


def record_changes_in_bulk(
    actor: User | None,
    subject: str,
    field: str,
    customer_ids: Sequence[int],
    subject_ids: Sequence[int],
    new_values: Sequence[str],
) -> int:
    """Append one change per record of a bulk write (a planner's follow-ups), given column
    by column; return how many. The rows record_changes writes, as one raw insert: building
    a row object each cost such a write most of its time (docs/performance.md)."""
    count = len(customer_ids)
    acting = actor_for(actor)
    now = timezone.now()
    # As the drivers take them, so no value is converted one by one (core.bulk).
    columns: list[Sequence[Any]] = [
        customer_ids, [subject] * count, subject_ids, [actor.pk if actor else None] * count,
        [acting.kind.value] * count, [acting.label[:160]] * count, [acting.ref] * count,
        [now.isoformat() if connection.vendor == "sqlite" else now] * count, [field] * count,
        ["" for _ in range(count)], new_values,
    ]  # fmt: skip
    names = [
        "customer_id", "subject", "subject_id", "changed_by_id", "actor_kind", "actor_label",
        "actor_ref", "changed_at", "field", "old_value", "new_value",
    ]  # fmt: skip
    return insert_columns(ProfileChange, names, columns, convert=False)


@dataclass(frozen=True)
class Registration:
    """A customer for bulk_register_customers, with the tags and the consents (channel,
    granted) they gave when they signed up."""

    customer: Customer
    tags: tuple[Tag, ...] = ()
    consents: tuple[tuple[str, bool], ...] = ()


def ensure_tags(groups: Mapping[str, Iterable[str]]) -> dict[tuple[str, str], Tag]:
    """Return the tags by (group name, tag name), creating the groups and tags missing."""
    tags = {}
    for group_name, names in groups.items():
        group = TagGroup.objects.get_or_create(name=group_name)[0]
        for name in names:
            tags[group_name, name] = Tag.objects.get_or_create(group=group, name=name)[0]
    return tags


@transaction.atomic
def bulk_register_customers(
    actor: User | None, registrations: Sequence[Registration], consent_source: str
) -> list[Customer]:
    """Create many customers already validated by the caller, with their sign-up answers.

    Each gets its creation row (bulk_create_customers), its tags and its consents, dated on
    the day it registered (its created_at) with `consent_source`. The consents are part of
    the registration, recorded by the creation row, so they write no history rows of their
    own (set_consent does for a later change). Tags and consents go in as raw inserts: the
    demo registers 23,570 customers with 80,000 tags and consents at once.
    """
    created = bulk_create_customers(actor, [entry.customer for entry in registrations])
    tag_rows = [(entry.customer.pk, tag.pk) for entry in registrations for tag in entry.tags]
    insert_rows(Customer.tags.through, ("customer", "tag"), tag_rows)
    consent_rows = [
        (entry.customer.pk, channel, granted, timezone.localdate(entry.customer.created_at),
         consent_source)
        for entry in registrations
        for channel, granted in entry.consents
    ]  # fmt: skip
    insert_rows(Consent, ("customer", "channel", "granted", "changed_on", "source"), consent_rows)
    return created
