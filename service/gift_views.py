"""Goodwill gifts: asked for on a ticket, approved or refused by a manager."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import Forbidden, Invalid
from core.forms import add_domain_error
from core.http import is_htmx, safe_next
from service import gifts
from service.survey_forms import GiftForm
from service.visibility import can_manage_service, get_visible_ticket


@login_required
def gift_list(request: HttpRequest) -> HttpResponse:
    """List the gifts awaiting approval and the latest decisions (managers)."""
    if not can_manage_service(request_user(request)):
        raise Forbidden(_("Only a manager approves goodwill gifts."))
    context = {"waiting": gifts.awaiting_approval(), "decided": gifts.recently_decided()}
    return render(request, "service/gifts.html", context)


@login_required
def ticket_gifts(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Show the ticket's gifts with the form to ask for one (the ticket page's panel), and
    accept it."""
    user = request_user(request)
    ticket = get_visible_ticket(user, ticket_id)
    form = GiftForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                gift = gifts.request_gift(user, ticket, **form.cleaned_data)
            except Invalid as error:
                add_domain_error(form, error)
            else:
                if not is_htmx(request):
                    messages.success(request, _("Gift: %(status)s.") % {
                        "status": gift.get_status_display()
                    })  # fmt: skip
                    panel = reverse("service:ticket_gifts", args=[ticket.pk])
                    return redirect(safe_next(request) or panel)
                form = GiftForm()
        status = 422 if form.errors else 200
    context = {
        "ticket": ticket, "form": form, "gifts": ticket.gifts.select_related(
            "requested_by", "decided_by").order_by("requested_at", "pk"),
        "limit": settings.GIFT_APPROVAL_LIMIT,
    }  # fmt: skip
    template = "service/_gift_panel.html" if is_htmx(request) else "service/ticket_gifts.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def gift_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse a gift awaiting approval (managers)."""
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "refuse"):
        raise Invalid(_("Choose approve or refuse."), "decision")
    gift = gifts.decide_gift(request_user(request), pk, decision == "approve")
    messages.success(request, _("Gift: %(status)s.") % {"status": gift.get_status_display()})
    return redirect("service:gifts")
