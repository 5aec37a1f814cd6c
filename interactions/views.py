"""Logging contacts and working through follow-ups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.http import is_htmx, safe_next
from customers.services import get_visible_customer
from interactions import services
from interactions.forms import InteractionForm


@login_required
def log_interaction(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show and accept the short form that logs a contact from the customer's page."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    services.check_may_contact(user, customer)
    form = InteractionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.log_interaction(user, customer, form.cleaned_data)
        messages.success(request, _("Interaction logged."))
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = customer_url(customer_id)
            return response
        return redirect("customers:detail", pk=customer_id)
    context = {"form": form, "customer": customer}
    template = "interactions/_log_form.html" if is_htmx(request) else "interactions/log.html"
    return render(request, template, context)


def customer_url(customer_id: int) -> str:
    return reverse("customers:detail", kwargs={"pk": customer_id})


@login_required
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    """List the user's follow-ups due today or overdue, then the upcoming ones."""
    user = request_user(request)
    today = timezone.localdate()
    context = {
        "due": services.follow_ups_due(user, today),
        "upcoming": services.upcoming_follow_ups(user, today)[:50],
        "today": today,
    }
    return render(request, "interactions/follow_ups.html", context)


@login_required
@require_POST
def complete_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's follow-ups done."""
    user = request_user(request)
    follow_up = get_object_or_404(services.visible_follow_ups(user), pk=pk)
    services.complete_follow_up(user, follow_up)
    messages.success(request, _("Follow-up done."))
    if request.POST.get("back") == "customer":
        return redirect(customer_url(follow_up.customer_id))
    return redirect(safe_next(request) or reverse("interactions:follow_ups"))
