"""The service API under /api/v1: tickets and the steps of their workflow."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.access import request_user
from core.errors import Invalid
from core.idempotency import KeyHeader, idempotent
from core.pagination import paginated
from core.schemas import PAGINATION_NOTE, DbId, Input
from customers.services import visible_customers
from sales.models import Order, Product
from service import services
from service.models import (
    TICKET_CHANNELS,
    Branch,
    Category,
    Kind,
    Priority,
    ProposalAnswer,
    Ticket,
)
from service.services import Action, NewTicket

router = Router(tags=["service"])


class TicketIn(Input):
    customer_id: DbId
    kind: Kind
    channel: str = Field(..., description='A contact channel, or "web".')
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=20000)
    category_id: DbId | None = None
    priority: Priority = Priority.NORMAL
    order_id: DbId | None = None
    product_id: DbId | None = None


class StepOut(Schema):
    action: str
    status: str
    at: datetime.datetime
    actor_id: int | None
    actor_label: str
    note: str


class TicketOut(Schema):
    id: int
    number: str
    kind: str
    category_id: int | None
    priority: str
    channel: str
    customer_id: int
    order_id: int | None
    product_id: int | None
    subject: str
    description: str
    status: str
    assignee_id: int | None
    opened_at: datetime.datetime
    first_responded_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    reopen_count: int
    waiting_since: datetime.datetime | None
    first_response_due: datetime.datetime | None
    resolution_due: datetime.datetime | None
    promised_by: datetime.datetime | None
    proposal_branch: str
    proposal_answer: str
    root_cause: str
    outcome: str


class TicketDetailOut(TicketOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(ticket: Ticket) -> list[Any]:
        return services.steps_of(ticket)


class EventIn(Input):
    action: Action = Field(..., description="The Step.action code of the step to take.")
    note: str = Field("", max_length=5000)
    branch: Branch | None = Field(None, description='For "proposed".')
    answer: ProposalAnswer | None = Field(None, description='For "answered".')
    root_cause: str = Field("", max_length=5000, description='For "resolved".')
    outcome: str = Field("", max_length=5000, description='For "resolved".')
    assignee_id: DbId | None = Field(None, description='For "reassigned".')
    promised_by: datetime.datetime | None = Field(None, description='For "promised".')


class TicketQuery(Input):
    open: bool = Field(False, description="Only open tickets, the nearest breach first.")
    mine: bool = Field(False, description="Only the tickets the user owns.")
    customer_id: DbId | None = None
    status: str = ""


@router.get(
    "/tickets", response=list[TicketOut], summary="List tickets", description=PAGINATION_NOTE
)
@paginated
def list_tickets(request: HttpRequest, filters: Query[TicketQuery]) -> QuerySet[Ticket]:
    """Return the tickets the user may see: newest first, or open ones by time to breach."""
    user = request_user(request)
    if filters.open:
        tickets = services.queue(user, "mine" if filters.mine else "all")
    else:
        tickets = services.visible_tickets(user).order_by("-opened_at", "-pk")
        if filters.mine:
            tickets = tickets.filter(assignee=user)
    if filters.customer_id is not None:
        tickets = tickets.filter(customer_id=filters.customer_id)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    return tickets


@router.post("/tickets", response={201: TicketDetailOut}, summary="Open a ticket")
def create_ticket(
    request: HttpRequest, payload: TicketIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Open a ticket for a customer the user may see; it is numbered and routed."""
    user = request_user(request)

    def write() -> tuple[int, Any]:
        ticket = services.create_ticket(user, _new_ticket(user, payload))
        return 201, _detail(user, ticket.pk)

    return idempotent(request, user, idempotency_key, write)


def _new_ticket(user: Any, payload: TicketIn) -> NewTicket:
    """Return the ticket the payload asks for, its links looked up (unknown ones refused)."""
    customer = visible_customers(user, include_archived=True).filter(pk=payload.customer_id)
    found = customer.first()
    if found is None:
        raise Invalid(_("Unknown value."), "customer_id")
    if payload.channel not in dict(TICKET_CHANNELS):
        raise Invalid(
            _("Select a valid choice. That choice is not one of the available choices."), "channel"
        )
    return NewTicket(
        kind=payload.kind, channel=payload.channel, customer=found, subject=payload.subject,
        description=payload.description, priority=payload.priority,
        category=_linked(Category.objects.all(), payload.category_id, "category_id"),
        order=_linked(Order.objects.all(), payload.order_id, "order_id"),
        product=_linked(Product.objects.all(), payload.product_id, "product_id"),
    )  # fmt: skip


def _linked(rows: QuerySet[Any], pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Invalid(_("Unknown value."), field)
    return found


def _detail(user: Any, pk: int) -> dict[str, Any]:
    return TicketDetailOut.from_orm(services.get_visible_ticket(user, pk)).model_dump()


@router.get("/tickets/{ticket_id}", response=TicketDetailOut, summary="Show a ticket")
def get_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """Return one ticket the user may see, with its steps (404 otherwise)."""
    return services.get_visible_ticket(request_user(request), ticket_id)


@router.post("/tickets/{ticket_id}/events", response={201: TicketDetailOut}, summary="Take a step")
def take_step(
    request: HttpRequest, ticket_id: int, payload: EventIn, idempotency_key: KeyHeader = None
) -> JsonResponse:
    """Take one step of the ticket's workflow (its Step.action code) with its fields."""
    user = request_user(request)

    def write() -> tuple[int, Any]:
        ticket = services.get_visible_ticket(user, ticket_id)
        services.take_step(user, ticket, payload.action, payload.model_dump())
        return 201, _detail(user, ticket_id)

    return idempotent(request, user, idempotency_key, write)
