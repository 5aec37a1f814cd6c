"""The service pages: the agent's queue, a ticket, a new ticket, and the public web form
with its status page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import DomainError
from core.forms import add_domain_error
from core.ratelimit import FailureLimit, client_address
from customers.services import get_visible_customer
from service import services
from service.forms import StepForm, TicketForm, WebTicketForm, started_token
from service.models import Status, Ticket
from service.services import Action, NewTicket, WebTicket

SCOPES = ("mine", "unassigned", "all")
QUEUE_ROWS = 200


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """List the open tickets nearest their breach first: mine, unassigned, or all."""
    user = request_user(request)
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in SCOPES else "mine"
    context = {"tickets": services.queue_rows(user, scope, QUEUE_ROWS), "scope": scope,
               "rows": QUEUE_ROWS}  # fmt: skip
    return render(request, "service/queue.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a ticket, its case history and the steps the user may take now."""
    user = request_user(request)
    ticket = services.get_visible_ticket(user, pk)
    return _detail(request, ticket, StepForm())


def _detail(request: HttpRequest, ticket: Ticket, form: StepForm) -> HttpResponse:
    user = request_user(request)
    context = {
        "ticket": ticket, "form": form, "steps": services.steps_of(ticket),
        "actions": services.available_actions(user, ticket),
        "status_url": request.build_absolute_uri(
            reverse("service:status", args=[services.status_token(ticket)])
        ),
    }  # fmt: skip
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "service/detail.html", context, status=status)


@login_required
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the step the pressed button names, with the form's fields."""
    user = request_user(request)
    ticket = services.get_visible_ticket(user, pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.take_step(user, ticket, request.POST.get("action", ""), form.step_fields())
        except DomainError as error:
            if error.status != 422:
                raise
            add_domain_error(form, error)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("service:detail", pk=pk)
    return _detail(request, services.get_visible_ticket(user, pk), form)


@login_required
def new(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Take down a ticket for a customer the user may see."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    form = TicketForm(customer, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_ticket(user, NewTicket(customer=customer, **data))
        except DomainError as error:
            if error.status != 422:
                raise
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("service:detail", pk=ticket.pk)
    return render(request, "service/new.html", {"form": form, "customer": customer})


def web_form_limit() -> FailureLimit:
    """Return the throttle of the public form: SERVICE_WEB_FORM_LIMIT sendings per address
    within SERVICE_WEB_FORM_MINUTES."""
    return FailureLimit(
        "service-web-form", settings.SERVICE_WEB_FORM_LIMIT, settings.SERVICE_WEB_FORM_MINUTES
    )


def contact(request: HttpRequest) -> HttpResponse:
    """The public web form: a ticket for anyone, without signing in; throttled per address.

    The answer is the same whether the form found the customer or created one, so it tells
    nobody who is a customer.
    """
    limit, client = web_form_limit(), client_address(request)
    if request.method == "POST":
        if limit.locked(client):
            minutes = {"minutes": settings.SERVICE_WEB_FORM_MINUTES}
            return render(request, "service/public_busy.html", minutes, status=429)
        limit.fail(client)
    form = WebTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        web = WebTicket(
            name=data["name"], mobile=data["mobile"], email=data["email"], kind=data["kind"],
            subject=data["subject"], description=data["description"],
            category=data["category"], language=get_language() or "zh-hans",
        )  # fmt: skip
        try:
            ticket = services.submit_web_ticket(web)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("service:status", token=services.status_token(ticket))
    status = 422 if form.is_bound else 200
    # Each showing of the form carries the moment it was shown (the hidden "started").
    context = {"form": form, "started": started_token()}
    return render(request, "service/public_form.html", context, status=status)


def status(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's status page: the ticket's number, where it stands and who owns it."""
    ticket = services.ticket_for_status(token)
    milestones = [s for s in ticket.steps.all() if s.action in PUBLIC_STEPS]
    context = {"ticket": ticket, "milestones": milestones,
               "owner": services.owner_name(ticket.assignee),
               "closed": ticket.status == Status.CLOSED}  # fmt: skip
    return render(request, "service/public_status.html", context)


# The steps a customer sees on the status page (notes stay inside the team).
PUBLIC_STEPS = frozenset({
    Action.CREATED, Action.ACKNOWLEDGED, Action.PROPOSED, Action.ANSWERED, Action.RESOLVED,
    Action.FOLLOWED_UP, Action.CLOSED, Action.REOPENED, Action.REASSIGNED,
})  # fmt: skip
