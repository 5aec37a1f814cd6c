"""The customer archive over the JSON API: the same access rule and services as the pages."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.access import request_user
from core.errors import DomainError
from core.idempotency import KeyHeader, idempotent
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, DbId, Input
from customers import services
from customers.models import Calendar, Customer, CustomerQuerySet, Gender, Kind, Language, Tag

router = Router(tags=["customers"])

MONEY_NOTE = 'Money is a decimal string with two places, e.g. "15.00".'

# Text fields stored as "" when empty; the API accepts null for them as well.
TEXT_FIELDS = (
    "name", "gender", "mobile", "email", "wechat_id", "company", "title", "region", "city",
    "address", "source_channel", "time_zone", "notes",
)  # fmt: skip


class TagOut(Schema):
    id: int
    name: str
    group: str = Field(..., alias="group.name")


class StatsOut(Schema):
    first_purchase_on: datetime.date
    last_purchase_on: datetime.date
    orders_count: int
    total_spend: Decimal


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    gender: str
    mobile: str
    email: str
    wechat_id: str
    company: str
    title: str
    birthday: datetime.date | None
    birthday_calendar: str
    lunar_birth_month: int | None
    lunar_birth_day: int | None
    lunar_leap_month: bool
    region: str
    city: str
    address: str
    source_channel: str
    language: str
    time_zone: str
    external_id: str | None
    owner_id: int
    tags: list[TagOut]
    notes: str
    stats: StatsOut | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    archived_at: datetime.datetime | None

    @staticmethod
    def resolve_stats(obj: Customer) -> Any:
        return getattr(obj, "stats", None)


class CustomerIn(Input):
    """A new customer; the owner defaults to the user creating it."""

    kind: Kind = Kind.PERSON
    name: str = Field(..., min_length=1, max_length=120)
    gender: Gender = Gender.UNKNOWN
    mobile: str = ""
    email: str = ""
    wechat_id: str = ""
    company: str = ""
    title: str = ""
    birthday: datetime.date | None = None
    birthday_calendar: Calendar = Calendar.SOLAR
    lunar_birth_month: int | None = None
    lunar_birth_day: int | None = None
    lunar_leap_month: bool = False
    region: str = ""
    city: str = ""
    address: str = ""
    source_channel: str = ""
    language: Language = Language.CHINESE
    time_zone: str = Field("", max_length=40, description="IANA name; blank: the default.")
    external_id: str | None = Field(None, description="The customer's ID in another system.")
    owner_id: DbId | None = Field(
        None, description="Required of admins and managers; a rep's customers are their own."
    )
    tag_ids: list[DbId] = []
    notes: str = ""
    extras: dict[str, str] = Field(
        {},
        description="Inputs other apps take with a new customer, by name, e.g. "
        '{"referral_code": "..."} (the code of the customer who referred this one).',
    )


class CustomerPatch(Input):
    """The fields to change; fields left out stay as they are."""

    kind: Kind | None = None
    name: str | None = Field(None, max_length=120)
    gender: Gender | None = None
    mobile: str | None = None
    email: str | None = None
    wechat_id: str | None = None
    company: str | None = None
    title: str | None = None
    birthday: datetime.date | None = None
    birthday_calendar: Calendar | None = None
    lunar_birth_month: int | None = None
    lunar_birth_day: int | None = None
    lunar_leap_month: bool | None = None
    region: str | None = None
    city: str | None = None
    address: str | None = None
    source_channel: str | None = None
    language: Language | None = None
    time_zone: str | None = Field(None, max_length=40)
    external_id: str | None = None
    owner_id: DbId | None = Field(None, description="Only admins and managers reassign.")
    tag_ids: list[DbId] | None = None
    notes: str | None = None


class CustomerQuery(Input):
    q: str = Field("", description="Name, company, email prefix, tag, or mobile digits.")
    owner_id: DbId | None = None
    tag_id: DbId | None = None
    region: str = ""
    last_purchase_from: datetime.date | None = None
    last_purchase_to: datetime.date | None = None
    spend_min: Decimal | None = Field(None, ge=0)
    spend_max: Decimal | None = Field(None, ge=0)
    include_archived: bool = False
    sort: Literal["name", "-last_purchase", "last_purchase", "-total_spend", "-created"] = "name"


def _tags(tag_ids: list[int]) -> list[Tag]:
    tags = list(Tag.objects.filter(pk__in=tag_ids))
    if len(tags) != len(set(tag_ids)):
        raise ValidationError({"tag_ids": _("Unknown tag.")})
    return tags


def _loaded(pk: int) -> Customer:
    return Customer.objects.select_related("stats").prefetch_related("tags__group").get(pk=pk)


@router.get("", response=list[CustomerOut], summary="List customers", description=PAGINATION_NOTE)
@paginated
def list_customers(request: HttpRequest, filters: Query[CustomerQuery]) -> CustomerQuerySet:
    """Return the visible customers matching the search and filters of the customer page."""
    criteria = services.CustomerFilter(
        query=filters.q, owner_id=filters.owner_id, tag_id=filters.tag_id,
        region=filters.region, last_purchase_from=filters.last_purchase_from,
        last_purchase_to=filters.last_purchase_to, spend_min=filters.spend_min,
        spend_max=filters.spend_max, include_archived=filters.include_archived,
    )  # fmt: skip
    # The page's query plan (services.list_customers), so wide ranges stay fast here too.
    customers, _matches = services.list_customers(request_user(request), criteria, filters.sort)
    return customers.prefetch_related("tags__group")


@router.get("/{customer_id}", response=CustomerOut, summary="Get a customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    """Return one visible customer (404 for a customer the user may not see)."""
    customer = services.get_visible_customer(request_user(request), customer_id)
    return _loaded(customer.pk)


@router.post(
    "",
    response={201: CustomerOut},
    summary="Create a customer",
    description=f"Mobile numbers are normalised (bare digits for China). {MONEY_NOTE}",
)
def create_customer(
    request: HttpRequest,
    payload: CustomerIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Create a customer owned by the user or, for a manager or admin, by a rep they manage."""
    user = request_user(request)
    services.check_may_add_customers(user)

    def write() -> tuple[int, Any]:
        fields = payload.dict(exclude={"owner_id", "tag_ids", "extras"})
        fields["external_id"] = fields["external_id"] or None
        try:
            customer = services.add_customer(
                user, fields, payload.owner_id, _tags(payload.tag_ids), owner_field="owner_id",
                extras=payload.extras,
            )  # fmt: skip
        except DomainError as error:
            # Another app's input refused: name it as the client sent it.
            if error.field in payload.extras:
                error.field = f"extras.{error.field}"
            raise

        return 201, CustomerOut.from_orm(_loaded(customer.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)


@router.patch("/{customer_id}", response=CustomerOut, summary="Change a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    """Change the fields sent; every change goes to the customer's history."""
    user = request_user(request)
    customer = services.get_editable_customer(user, customer_id)
    fields = payload.dict(exclude_unset=True)
    tag_ids = fields.pop("tag_ids", None)
    if "owner_id" in fields:
        fields["owner"] = fields.pop("owner_id")
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is None:
            fields[name] = ""
    for name in ("kind", "birthday_calendar", "lunar_leap_month", "language"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    if fields.get("external_id") == "":
        fields["external_id"] = None
    tags = None if tag_ids is None else _tags(tag_ids)
    services.edit_customer(user, customer, fields, tags, owner_field="owner_id")
    return _loaded(customer.pk)


@router.post("/{customer_id}/archive", response=CustomerOut, summary="Archive a customer")
def archive_customer(request: HttpRequest, customer_id: int) -> Customer:
    """Archive the customer: hidden from lists, kept for every record (again is a no-op)."""
    user = request_user(request)
    customer = services.get_editable_customer(user, customer_id)
    services.archive_customer(user, customer)
    return _loaded(customer.pk)


@router.post("/{customer_id}/restore", response=CustomerOut, summary="Restore a customer")
def restore_customer(request: HttpRequest, customer_id: int) -> Customer:
    """Bring an archived customer back into the lists (again is a no-op)."""
    user = request_user(request)
    customer = services.get_editable_customer(user, customer_id)
    services.restore_customer(user, customer)
    return _loaded(customer.pk)
