"""The communication log and follow-ups over the JSON API."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.access import assignable_owners, can_log_interaction, request_user
from accounts.models import User
from core.idempotency import KeyHeader, idempotent
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, DbId, Input
from customers.models import Customer
from customers.services import get_visible_customer, visible_customers
from interactions import services
from interactions.models import Direction, FollowUp, Interaction, InteractionKind

router = Router(tags=["interactions"])


class InteractionIn(Input):
    kind: InteractionKind
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


def _not_archived(customer: Customer) -> None:
    if customer.is_archived:
        raise ValidationError({"customer_id": _("The customer is archived; restore it first.")})


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
    if not can_log_interaction(user, customer.owner_id):
        raise PermissionDenied(_("You may view this customer but not log contacts."))

    def write() -> tuple[int, Any]:
        _not_archived(customer)
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
    user = request_user(request)
    if filters.due:
        return services.follow_ups_due(user, timezone.localdate())
    follow_ups = services.visible_follow_ups(user).filter(assignee=user)
    if not filters.include_done:
        follow_ups = follow_ups.filter(done_at__isnull=True)
    return follow_ups.select_related("customer").order_by("due_on", "id")


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
        if not can_log_interaction(user, customer.owner_id):
            raise PermissionDenied(_("You may view this customer but not plan contacts."))
        _not_archived(customer)
        _not_past("due_on", payload.due_on)
        assignee = _assignee(user, customer, payload.assignee_id)
        follow_up = services.create_follow_up(assignee, customer, payload.due_on, payload.note)
        return 201, FollowUpOut.from_orm(_loaded(follow_up.pk)).model_dump()

    return idempotent(request, user, idempotency_key, write)


def _assignee(user: User, customer: Customer, assignee_id: int | None) -> User:
    """Return the assignee: the owner by default, else the user or someone they manage.

    Only someone who may work on the customer: a follow-up for anyone else would sit in
    a list they cannot see.
    """
    if assignee_id is None or assignee_id == customer.owner_id:
        return customer.owner
    candidates = [user, *assignable_owners(user)]
    for candidate in candidates:
        if candidate.pk == assignee_id and can_log_interaction(candidate, customer.owner_id):
            return candidate
    raise ValidationError({"assignee_id": _("You may not assign follow-ups to this user.")})


@router.post(
    "/follow-ups/{follow_up_id}/complete", response=FollowUpOut, summary="Complete a follow-up"
)
def complete_follow_up(request: HttpRequest, follow_up_id: int) -> FollowUp:
    """Mark one of the user's follow-ups done (again is a no-op)."""
    user = request_user(request)
    follow_up = get_object_or_404(services.visible_follow_ups(user), pk=follow_up_id)
    if follow_up.assignee_id != user.pk:
        raise PermissionDenied(_("Only the assignee may complete a follow-up."))
    services.complete_follow_up(follow_up)
    return _loaded(follow_up.pk)
