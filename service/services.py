"""Tickets through the seed's workflow: received → acknowledged → solution proposed →
resolved → followed up → closed, reopened when needed.

Each change is one atomic function taking the acting user: it checks the access rule
(accounts.access) and the step's place in the workflow, writes a Step with its actor and
time, asks service.sla for the deadlines when the clock is concerned, announces the
`ticket.*` event and, for the apology and a new owner, records the notice to the customer
through the one send path (engagement.services.send), whose delivery runs on commit.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_route_tickets, can_work_ticket, sees_every_ticket, visible_owner_q
from accounts.models import Role, User
from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from customers.models import Customer
from customers.services import create_customer, mobile_holders
from customers.validators import normalize_mobile
from engagement.models import Message, Purpose
from engagement.services import Cause, send
from insights.services import score_for
from sales.models import Order, Product
from service import promises, routing, sla
from service.defaults import APOLOGY, NEW_OWNER
from service.events import TicketEvent, announce
from service.models import (
    OPEN_STATUSES,
    WEB_FORM,
    Branch,
    Category,
    Kind,
    Priority,
    ProposalAnswer,
    Status,
    Step,
    Ticket,
)

STATUS_SALT = "service.status"
# Who acted when the customer did, through the public web form.
CUSTOMER = "customer"
# Roles that may own a ticket: whoever sees every ticket.
OWNER_ROLES = (Role.AGENT, Role.MANAGER, Role.ADMIN)


class Action(StrEnum):
    """The Step.action codes (the shared contract); the API's event names are the same."""

    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    PROPOSED = "proposed"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    REOPENED = "reopened"
    REASSIGNED = "reassigned"
    WAITING = "waiting"
    RESUMED = "resumed"
    PROMISED = "promised"
    NOTED = "noted"


@dataclass(frozen=True)
class NewTicket:
    """What a ticket is about, as an agent, the API or the web form gives it."""

    kind: str
    channel: str
    customer: Customer
    subject: str
    description: str
    category: Category | None = None
    priority: str = Priority.NORMAL
    order: Order | None = None
    product: Product | None = None


@dataclass(frozen=True)
class WebTicket:
    """A ticket sent through the public web form, with the sender's contact details."""

    name: str
    mobile: str
    email: str
    kind: str
    subject: str
    description: str
    category: Category | None
    language: str


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Return the tickets the user may see: all for agents, managers and admins; a rep's
    customers' for a rep."""
    if sees_every_ticket(user):
        return Ticket.objects.all()
    return Ticket.objects.filter(visible_owner_q(user, "customer__owner"))


def get_visible_ticket(user: User, pk: int) -> Ticket:
    """Return the ticket if the user may see it (404 otherwise, saying nothing more)."""
    ticket = (
        visible_tickets(user)
        .select_related("customer", "assignee", "category", "order", "product")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


# Nearest breach first: the deadline service.sla stores as next_due (none: last).
NEAREST_BREACH = (F("next_due").asc(nulls_last=True), "opened_at", "pk")


def queue(user: User, scope: str) -> QuerySet[Ticket]:
    """Return the open tickets the user may see, nearest breach first (no deadline last):
    the user's own ("mine"), nobody's ("unassigned") or every one ("all")."""
    tickets = visible_tickets(user).filter(status__in=OPEN_STATUSES)
    if scope == "mine":
        tickets = tickets.filter(assignee=user)
    elif scope == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    return tickets.select_related("customer", "assignee", "category").order_by(*NEAREST_BREACH)


# What the queue page shows of each ticket: the first page is read from the index and
# these columns only, never the customer's words (up to 20,000 characters each).
QUEUE_COLUMNS = (
    "number", "subject", "status", "priority", "waiting_since", "opened_at",
    "first_responded_at", "first_response_due", "resolution_due", "customer__name",
    "assignee__username", "assignee__first_name", "assignee__last_name", "category__name",
    "category__name_zh",
)  # fmt: skip


def queue_rows(user: User, scope: str, limit: int) -> list[Ticket]:
    """Return the first `limit` tickets of the user's queue with what the page shows."""
    return list(queue(user, scope).only(*QUEUE_COLUMNS)[:limit])


def status_token(ticket: Ticket) -> str:
    """Return the token of the ticket's public status link (signed: unforgeable, no row)."""
    return signing.dumps(ticket.pk, salt=STATUS_SALT)


def ticket_for_status(token: str) -> Ticket:
    """Return the ticket a status link names (404 for a forged or damaged token)."""
    try:
        pk = signing.loads(token, salt=STATUS_SALT)
    except signing.BadSignature:
        raise NotFound(_("This status link is not valid.")) from None
    ticket = Ticket.objects.select_related("assignee").filter(pk=pk).first()
    if ticket is None:
        raise NotFound(_("This status link is not valid."))
    return ticket


def check_may_work(actor: User, ticket: Ticket) -> None:
    """Refuse a step by someone who may not take the ticket through its workflow."""
    if not can_work_ticket(actor, ticket.customer.owner_id):
        raise Forbidden(_("You may not work on this ticket."))


def check_may_route(actor: User) -> None:
    """Refuse a reassignment by someone who may not give tickets to others (a rep)."""
    if not can_route_tickets(actor):
        raise Forbidden(_("You may not give tickets to others."))


def may_work(actor: User, ticket: Ticket) -> bool:
    """Return whether check_may_work lets the actor take steps (to offer the form)."""
    return can_work_ticket(actor, ticket.customer.owner_id)


def may_open_ticket(actor: User, customer: Customer) -> bool:
    """Return whether the actor may open tickets for the customer (to offer the button)."""
    return can_work_ticket(actor, customer.owner_id) and not customer.is_archived


def owner_name(user: User | None) -> str:
    """Return how the customer is told the owner's name (full name, else the username)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def customer_tier(customer: Customer) -> str:
    """Return the customer's value tier in the latest scoring run ("" when unscored)."""
    score = score_for(customer)
    return score.value_tier if score is not None else ""


@transaction.atomic
def create_ticket(actor: User | None, new: NewTicket, submitted_as: str = "") -> Ticket:
    """Open a ticket, numbered and routed to an agent; by `actor`, or by the customer
    through the web form (None, `submitted_as` saying how they named themselves)."""
    if actor is not None:
        if not can_work_ticket(actor, new.customer.owner_id):
            raise Forbidden(_("You may not open tickets for this customer."), "customer_id")
        # The web form takes a ticket for an archived customer too: refusing it would tell
        # the sender the customer exists.
        if new.customer.is_archived:
            raise Invalid(_("The customer is archived; restore it first."), "customer_id")
    _check_links(new)
    now = timezone.now()
    ticket = Ticket(
        number=f"new-{uuid4().hex[:16]}", kind=new.kind, category=new.category,
        priority=new.priority, channel=new.channel, customer=new.customer, order=new.order,
        product=new.product, subject=new.subject, description=new.description,
        created_by=actor, opened_at=now,
    )  # fmt: skip
    _validate(ticket)
    ticket.save()
    ticket.number = ticket_number(ticket)
    ticket.assignee = routing.choose_agent(ticket, customer_tier(new.customer))
    ticket.save(update_fields=["number", "assignee"])
    _step(ticket, Action.CREATED, actor, submitted_as, now)
    _refresh(ticket, now)
    announce(TicketEvent.CREATED, actor, ticket, {
        "number": ticket.number, "kind": ticket.kind, "channel": ticket.channel,
        "priority": ticket.priority, "assignee_id": ticket.assignee_id,
    })  # fmt: skip
    return ticket


def ticket_number(ticket: Ticket) -> str:
    """Return the ticket's number: T, the day it opened (the site's time) and its id, e.g.
    T261203-00042; unique because the id is, however many tickets open at once."""
    return f"T{timezone.localdate(ticket.opened_at):%y%m%d}-{ticket.pk:05d}"


def _check_links(new: NewTicket) -> None:
    if new.order is not None and new.order.customer_id != new.customer.pk:
        raise Invalid(_("The order is not this customer's."), "order_id")
    if new.category is not None and not new.category.active:
        raise Invalid(_("This category is no longer used."), "category_id")


def _validate(ticket: Ticket) -> None:
    """Refuse values the model refuses (choices, lengths, blanks), naming the field."""
    try:
        ticket.full_clean(exclude=["customer", "order", "product", "category", "assignee"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise Invalid(messages[0], field) from None


@transaction.atomic
def submit_web_ticket(form: WebTicket) -> Ticket:
    """Open a ticket from the public web form for the customer holding the mobile (else the
    email), or for a new customer: the sender is told the same either way."""
    mobile = _normalized_mobile(form.mobile)
    customer = _known_customer(mobile, form.email)
    if customer is None:
        customer = create_customer(None, {
            "name": form.name, "mobile": mobile, "email": form.email, "language": form.language,
            "source_channel": str(_("web form")), "owner": web_form_owner(),
        })  # fmt: skip
    new = NewTicket(
        kind=form.kind, channel=WEB_FORM, customer=customer, subject=form.subject,
        description=form.description, category=form.category,
    )  # fmt: skip
    submitted_as = " · ".join(value for value in (form.name, mobile, form.email) if value)
    return create_ticket(None, new, submitted_as)


def _normalized_mobile(raw: str) -> str:
    try:
        return normalize_mobile(raw)
    except ValidationError as error:
        raise Invalid(error.messages[0], "mobile") from None


def _known_customer(mobile: str, email: str) -> Customer | None:
    """Return the customer holding the mobile, else the one with the email, else None."""
    if mobile:
        found = mobile_holders([mobile]).order_by("pk").first()
        if found is not None:
            return found
    if email:
        return (
            Customer.objects.filter(email__iexact=email, merged_into__isnull=True)
            .order_by("pk")
            .first()
        )
    return None


def web_form_owner() -> User:
    """Return who owns the customers the web form creates (SERVICE_WEB_FORM_OWNER, else the
    first active admin)."""
    users = User.objects.filter(is_active=True)
    if settings.SERVICE_WEB_FORM_OWNER:
        owner = users.filter(username=settings.SERVICE_WEB_FORM_OWNER).first()
    else:
        owner = users.filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).order_by("pk").first()
    if owner is None:
        raise Invalid(_("The form cannot take tickets now; please call us."))
    return owner


def available_actions(actor: User, ticket: Ticket) -> list[Action]:
    """Return the steps the actor may take on the ticket now, in the workflow's order."""
    if not may_work(actor, ticket):
        return []
    status = ticket.status
    actions: list[Action] = []
    if status == Status.RECEIVED:
        actions.append(Action.ACKNOWLEDGED)
    if status == Status.ACKNOWLEDGED:
        actions += [Action.PROPOSED, Action.RESOLVED]
    if status == Status.PROPOSED:
        actions.append(Action.RESOLVED if _accepted(ticket) else Action.ANSWERED)
    if status == Status.RESOLVED:
        actions.append(Action.FOLLOWED_UP)
    if status == Status.FOLLOWED_UP:
        actions.append(Action.CLOSED)
    if status in (Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED):
        actions.append(Action.REOPENED)
    if status in OPEN_STATUSES:
        actions.append(Action.PROMISED)
        if can_route_tickets(actor):
            actions.append(Action.REASSIGNED)
    actions.append(Action.NOTED)
    return actions


def _accepted(ticket: Ticket) -> bool:
    return ticket.proposal_answer == ProposalAnswer.ACCEPTED


def take_step(actor: User, ticket: Ticket, action: str, fields: Mapping[str, Any]) -> Ticket:
    """Take one step named by its Step.action code with its fields (a page's form, an API
    event): the one place both translate to."""
    note = str(fields.get("note") or "").strip()
    if action == Action.ACKNOWLEDGED:
        return acknowledge(actor, ticket, note)
    if action == Action.PROPOSED:
        return propose(actor, ticket, str(fields.get("branch") or ""), note)
    if action == Action.ANSWERED:
        return record_answer(actor, ticket, str(fields.get("answer") or ""), note)
    if action == Action.RESOLVED:
        root_cause = str(fields.get("root_cause") or "").strip()
        outcome = str(fields.get("outcome") or "").strip()
        return resolve(actor, ticket, root_cause, outcome, note)
    if action == Action.FOLLOWED_UP:
        return follow_up(actor, ticket, note)
    if action == Action.CLOSED:
        return close(actor, ticket, note)
    if action == Action.REOPENED:
        return reopen(actor, ticket, note)
    if action == Action.REASSIGNED:
        check_may_route(actor)
        return reassign(actor, ticket, _assignee(fields.get("assignee_id")), note)
    if action == Action.PROMISED:
        return promise(actor, ticket, fields.get("promised_by"), note)
    if action == Action.NOTED:
        return add_note(actor, ticket, note)
    raise Invalid(_("Choose a valid step."), "action")


def _assignee(value: object) -> User:
    """Return the active user who may own tickets named by the id, or refuse it."""
    try:
        pk = int(str(value))
    except ValueError:
        raise Invalid(_("Choose the new owner."), "assignee_id") from None
    user = User.objects.filter(pk=pk, is_active=True, role__in=OWNER_ROLES).first()
    if user is None:
        raise Invalid(_("This user cannot own tickets."), "assignee_id")
    return user


def possible_owners() -> QuerySet[User]:
    """Return the active users a ticket may be given to, by name."""
    return User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("username")


def _begin(actor: User, ticket: Ticket, *allowed: str) -> datetime.datetime:
    """Lock the ticket, check the actor and that the step fits its status; return now."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.status = locked.status
    check_may_work(actor, ticket)
    if allowed and ticket.status not in allowed:
        raise Invalid(
            _("This step does not fit a ticket that is %(status)s.")
            % {"status": ticket.get_status_display()},
            "action",
        )
    return timezone.now()


@transaction.atomic
def acknowledge(actor: User, ticket: Ticket, note: str) -> Ticket:
    """Acknowledge a received ticket: the first response, and the apology (a template in the
    customer's language naming the case's owner) sent to the customer. An unowned ticket
    becomes the actor's."""
    now = _begin(actor, ticket, Status.RECEIVED)
    if ticket.assignee_id is None:
        ticket.assignee = actor
    ticket.status = Status.ACKNOWLEDGED
    ticket.first_responded_at = ticket.first_responded_at or now
    ticket.save(update_fields=["status", "assignee", "first_responded_at"])
    message = _notify(ticket, APOLOGY, now)
    _step(ticket, Action.ACKNOWLEDGED, actor, note, now)
    _refresh(ticket, now)
    announce(TicketEvent.ACKNOWLEDGED, actor, ticket, {"message_id": message.pk})
    return ticket


@transaction.atomic
def propose(actor: User, ticket: Ticket, branch: str, note: str) -> Ticket:
    """Propose a solution on the branch that applies; the team then waits on the customer's
    answer (the SLA clock pauses)."""
    now = _begin(actor, ticket, Status.ACKNOWLEDGED)
    if branch not in Branch.values:
        raise Invalid(_("Choose which case the proposal answers."), "branch")
    if not note:
        raise Invalid(_("Describe the proposed solution."), "note")
    ticket.status = Status.PROPOSED
    ticket.proposal_branch = branch
    ticket.proposal_answer = ""
    ticket.waiting_since = now
    ticket.save(update_fields=["status", "proposal_branch", "proposal_answer", "waiting_since"])
    _step(ticket, Action.PROPOSED, actor, note, now)
    _step(ticket, Action.WAITING, actor, "", now)
    _refresh(ticket, now)
    announce(TicketEvent.PROPOSED, actor, ticket, {"branch": branch})
    return ticket


@transaction.atomic
def record_answer(actor: User, ticket: Ticket, answer: str, note: str) -> Ticket:
    """Record the customer's answer to the proposal; the clock runs again. Declined or
    renegotiated, the ticket goes back to acknowledged for a new proposal."""
    now = _begin(actor, ticket, Status.PROPOSED)
    if _accepted(ticket):
        raise Invalid(_("The customer has already accepted the proposal."), "answer")
    if answer not in ProposalAnswer.values:
        raise Invalid(_("Choose the customer's answer."), "answer")
    ticket.proposal_answer = answer
    ticket.waiting_since = None
    if answer != ProposalAnswer.ACCEPTED:
        ticket.status = Status.ACKNOWLEDGED
    ticket.save(update_fields=["status", "proposal_answer", "waiting_since"])
    _step(ticket, Action.ANSWERED, actor, note, now)
    _step(ticket, Action.RESUMED, actor, "", now)
    _refresh(ticket, now)
    announce(TicketEvent.ANSWERED, actor, ticket, {"answer": answer})
    return ticket


@transaction.atomic
def resolve(actor: User, ticket: Ticket, root_cause: str, outcome: str, note: str) -> Ticket:
    """Resolve the ticket with its outcome (it lands on the customer's timeline) and, for a
    complaint, its root cause; a proposal must have been accepted first."""
    now = _begin(actor, ticket, Status.ACKNOWLEDGED, Status.PROPOSED)
    if ticket.status == Status.PROPOSED and not _accepted(ticket):
        raise Invalid(_("Record the customer's answer to the proposal first."), "answer")
    if not outcome:
        raise Invalid(_("Describe the outcome for the customer's record."), "outcome")
    if ticket.kind == Kind.COMPLAINT and not root_cause:
        raise Invalid(_("Record the root cause, so that it is fixed."), "root_cause")
    ticket.status = Status.RESOLVED
    ticket.root_cause = root_cause
    ticket.outcome = outcome
    ticket.resolved_at = now
    ticket.save(update_fields=["status", "root_cause", "outcome", "resolved_at"])
    _step(ticket, Action.RESOLVED, actor, note or outcome, now)
    _refresh(ticket, now)
    announce(TicketEvent.RESOLVED, actor, ticket)
    return ticket


@transaction.atomic
def follow_up(actor: User, ticket: Ticket, note: str) -> Ticket:
    """Record the follow-up with the customer after the resolution (what they said)."""
    now = _begin(actor, ticket, Status.RESOLVED)
    if not note:
        raise Invalid(_("Write what the customer said at the follow-up."), "note")
    ticket.status = Status.FOLLOWED_UP
    ticket.save(update_fields=["status"])
    _step(ticket, Action.FOLLOWED_UP, actor, note, now)
    announce(TicketEvent.FOLLOWED_UP, actor, ticket)
    return ticket


@transaction.atomic
def close(actor: User, ticket: Ticket, note: str) -> Ticket:
    """Close a followed-up ticket (the survey is sent on its ticket.closed event)."""
    now = _begin(actor, ticket, Status.FOLLOWED_UP)
    ticket.status = Status.CLOSED
    ticket.closed_at = now
    ticket.save(update_fields=["status", "closed_at"])
    _step(ticket, Action.CLOSED, actor, note, now)
    announce(TicketEvent.CLOSED, actor, ticket)
    return ticket


@transaction.atomic
def reopen(actor: User, ticket: Ticket, note: str) -> Ticket:
    """Reopen a resolved, followed-up or closed ticket (counted): it goes back to
    acknowledged, its resolution undone, for a new proposal."""
    now = _begin(actor, ticket, Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED)
    if not note:
        raise Invalid(_("Say why the ticket is reopened."), "note")
    ticket.status = Status.ACKNOWLEDGED
    ticket.reopen_count += 1
    ticket.resolved_at = None
    ticket.closed_at = None
    ticket.proposal_answer = ""
    ticket.save(
        update_fields=["status", "reopen_count", "resolved_at", "closed_at", "proposal_answer"]
    )
    _step(ticket, Action.REOPENED, actor, note, now)
    _refresh(ticket, now)
    announce(TicketEvent.REOPENED, actor, ticket, {"reopen_count": ticket.reopen_count})
    return ticket


@transaction.atomic
def reassign(actor: User, ticket: Ticket, assignee: User, note: str) -> Ticket:
    """Give an open ticket to another owner; the customer is told who owns it now."""
    now = _begin(actor, ticket, *OPEN_STATUSES)
    check_may_route(actor)
    old = ticket.assignee_id
    if assignee.pk == old:
        raise Invalid(_("The ticket already has this owner."), "assignee_id")
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])
    message = _notify(ticket, NEW_OWNER, now)
    _step(ticket, Action.REASSIGNED, actor, note or owner_name(assignee), now)
    announce(TicketEvent.REASSIGNED, actor, ticket, {
        "assignee_id": assignee.pk, "old_assignee_id": old, "message_id": message.pk,
    })  # fmt: skip
    return ticket


@transaction.atomic
def promise(actor: User, ticket: Ticket, promised_by: object, note: str) -> Ticket:
    """Record the resolution time promised to the customer (承诺时间); a new promise
    replaces the one before, which service.sla then tracks afresh (service.promises has the
    rules: open ticket, the service team, a future time within a year)."""
    now = _begin(actor, ticket, *OPEN_STATUSES)
    if not isinstance(promised_by, datetime.datetime):
        raise Invalid(_("Enter the promised date and time."), "promised_by")
    if timezone.is_naive(promised_by):
        promised_by = timezone.make_aware(promised_by)
    try:
        done = promises.promise(ticket, actor, promised_by, now)
    except Invalid as error:
        raise Invalid(error.message, "promised_by") from None
    ticket.save(update_fields=done.fields)
    _step(ticket, Action.PROMISED, actor, "\n".join(filter(None, (note, done.note))), now)
    announce(TicketEvent.PROMISED, actor, ticket, {"promised_by": promised_by.isoformat()})
    return ticket


@transaction.atomic
def add_note(actor: User, ticket: Ticket, note: str) -> Ticket:
    """Add a note to the case's history, whatever its status."""
    now = _begin(actor, ticket)
    if not note:
        raise Invalid(_("Write the note."), "note")
    _step(ticket, Action.NOTED, actor, note, now)
    return ticket


def _step(
    ticket: Ticket, action: Action, actor: User | None, note: str, at: datetime.datetime
) -> Step:
    """Write the step with its actor (or the customer, for the web form) and the status after."""
    return Step.objects.create(
        ticket=ticket, action=action, status=ticket.status, at=at, actor=actor,
        actor_label="" if actor is not None else CUSTOMER, note=note,
    )  # fmt: skip


def _refresh(ticket: Ticket, now: datetime.datetime) -> None:
    """Recompute the SLA deadlines after a clock-relevant step (service.sla's contract)."""
    changed = sla.refresh_deadlines(ticket, now)
    if changed:
        ticket.save(update_fields=changed)


def _notify(ticket: Ticket, template: str, now: datetime.datetime) -> Message:
    """Record the notice to the customer through the send path (delivered after commit)."""
    occasion = {"occasion": ticket.number, "owner": owner_name(ticket.assignee)}
    return send(
        None, ticket.customer, _notice_channel(ticket.customer, now), Purpose.SERVICE, template,
        cause=Cause("ticket", ticket.pk), now=now, occasion=occasion,
    )  # fmt: skip


def _notice_channel(customer: Customer, now: datetime.datetime) -> str:
    """Return the notice's channel: email when the customer has an address, else SMS.

    The send path keeps one message per customer, purpose, day and channel, so a second
    notice the same day (another ticket, a new owner) takes the other channel while one is
    free; with both used it returns the day's first message and sends nothing more.
    """
    channels = [
        channel
        for channel, address in ((Channel.EMAIL, customer.email), (Channel.SMS, customer.mobile))
        if address
    ] or [Channel.SMS]
    used = set(
        Message.objects.filter(
            customer=customer, purpose=Purpose.SERVICE, occasion_date=timezone.localdate(now),
            channel__in=channels,
        ).values_list("channel", flat=True)
    )  # fmt: skip
    return next((channel for channel in channels if channel not in used), channels[0])


def steps_of(ticket: Ticket) -> list[Step]:
    """Return the ticket's steps, oldest first, with their actors."""
    return list(ticket.steps.select_related("actor"))


def open_tickets_of(customer: Customer) -> list[Ticket]:
    """Return the customer's open tickets, nearest breach first."""
    return list(
        customer.tickets.filter(status__in=OPEN_STATUSES)
        .select_related("assignee")
        .order_by(*NEAREST_BREACH)
    )


def recent_tickets(customer: Customer, limit: int) -> list[Ticket]:
    """Return the customer's newest tickets with their owners."""
    return list(customer.tickets.select_related("assignee").order_by("-opened_at", "-pk")[:limit])


def owned_open_tickets(user: User, limit: int) -> list[Ticket]:
    """Return the open tickets of the user's own customers, nearest breach first."""
    return list(
        Ticket.objects.filter(customer__owner=user, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by(*NEAREST_BREACH)[:limit]
    )


@transaction.atomic
def move_customer_tickets(source: Customer, target: Customer) -> int:
    """Move the tickets of a merged duplicate to the surviving customer; return how many."""
    return Ticket.objects.filter(customer=source).update(customer=target)
