"""The communication log and follow-ups over the JSON API."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from accounts.access import request_user
from core.idempotency import KeyHeader, idempotent
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, DbId, Input
from customers.services import get_visible_customer, visible_customers
from interactions import services
from interactions.models import KIND_ALIASES, Direction, FollowUp, Interaction, InteractionKind

router = Router(tags=["interactions"])


def _current_kind(value: object) -> object:
    """Return the kind an older client's alias ("call") now is; anything else unchanged."""
    return KIND_ALIASES.get(value, value) if isinstance(value, str) else value


# "call" was the phone kind before one channel vocabulary; older clients still send it.
KindIn = Annotated[InteractionKind, BeforeValidator(_current_kind)]


class InteractionIn(Input):
    kind: KindIn = Field(
        ...,
        description='The contact\'s kind; "call" is still accepted and stored as "phone".',
    )
    direction: Direction = Direction.OUTBOUND
    occurred_at: datetime.datetime | None = Field(None, description="Defaults to now.")
    summary: str = Field(..., min_length=1, max_length=500)
    outcome: str = Field("", max_length=200)
    next_contact_on: datetime.date | None = Field(
        None, description="Creates a follow-up for the customer's owner on that day."
    )


class InteractionOut(Schema):
    id: int
    customer_id: int
    user_id: int
    kind: str
    direction: str
    occurred_at: datetime.datetime
    summary: str
    outcome: str
    next_contact_on: datetime.date | None


class FollowUpIn(Input):
    customer_id: DbId
    due_on: datetime.date
    note: str = Field("", max_length=300)
    assignee_id: DbId | None = Field(None, description="Defaults to the customer's owner.")


class FollowUpOut(Schema):
    id: int
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    assignee_id: int
    due_on: datetime.date
    note: str
    source_id: int | None
    created_at: datetime.datetime
    done_at: datetime.datetime | None


class FollowUpQuery(Input):
    due: bool = Field(False, description="Only open follow-ups due today or earlier.")
    include_done: bool = False


def _not_past(field: str, day: datetime.date | None) -> None:
    """Refuse a past day with the form's rule and message, naming the payload's field."""
    try:
        services.check_not_past(day)
    except ValidationError as error:
        raise ValidationError({field: error}) from None


def _loaded(pk: int) -> FollowUp:
    return FollowUp.objects.select_related("customer").get(pk=pk)


@router.get(
    "/customers/{customer_id}/interactions",
    response=list[InteractionOut],
    summary="List a customer's interactions",
    description=PAGINATION_NOTE,
)
@paginated
def list_interactions(request: HttpRequest, customer_id: int) -> QuerySet[Interaction]:
    """Return the contacts with one visible customer, newest first (404 if not visible)."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    return (
        services.visible_interactions(user)
        .filter(customer=customer)
        .order_by("-occurred_at", "-id")
    )


@router.post(
    "/customers/{customer_id}/interactions",
    response={201: InteractionOut},
    summary="Log an interaction",
)
def create_interaction(
    request: HttpRequest,
    customer_id: int,
    payload: InteractionIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Record a contact; a next-contact date becomes a follow-up for the customer's owner."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)

    def write() -> tuple[int, Any]:
        # Refused before the day is looked at; log_interaction asks again, inside its
        # transaction, as it does for every caller.
        services.check_may_contact(user, customer)
        _not_past("next_contact_on", payload.next_contact_on)
        fields = payload.dict(exclude_none=True)
        interaction = services.log_interaction(user, customer, fields)
        return 201, InteractionOut.from_orm(interaction).model_dump()

    return idempotent(request, user, idempotency_key, write)


@router.get(
    "/follow-ups",
    response=list[FollowUpOut],
    summary="List my follow-ups",
    description="The user's own follow-ups, soonest first. " + PAGINATION_NOTE,
)
@paginated
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpQuery]) -> QuerySet[FollowUp]:
    """Return the user's follow-ups: open ones, only those due, or done ones too."""
    return services.my_follow_ups(
        request_user(request), timezone.localdate(), filters.due, filters.include_done
    )


@router.post("/follow-ups", response={201: FollowUpOut}, summary="Plan a follow-up")
def create_follow_up(
    request: HttpRequest,
    payload: FollowUpIn,
    idempotency_key: KeyHeader = None,
) -> JsonResponse:
    """Plan a contact with a customer the user may log contacts for."""
    user = request_user(request)

    def write() -> tuple[int, Any]:
        customer = (
            visible_customers(user, include_archived=True).filter(pk=payload.customer_id).first()
        )
        if customer is None:
            raise ValidationError({"customer_id": _("Unknown customer.")})
        follow_up = services.plan_follow_up(
            user, customer, payload.due_on, payload.note, payload.assignee_id
        )
        return 201, FollowUpOut.from_orm(_loaded(follow_up.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)


@router.post(
    "/follow-ups/{follow_up_id}/complete", response=FollowUpOut, summary="Complete a follow-up"
)
def complete_follow_up(request: HttpRequest, follow_up_id: int) -> FollowUp:
    """Mark one of the user's follow-ups done (again is a no-op)."""
    user = request_user(request)
    follow_up = get_object_or_404(services.visible_follow_ups(user), pk=follow_up_id)
    services.complete_follow_up(user, follow_up)
    return _loaded(follow_up.pk)
