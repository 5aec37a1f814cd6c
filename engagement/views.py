"""Pages: a person sends one message; a customer unsubscribes by a link, without an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import request_user
from core.channels import Channel
from core.errors import Invalid
from core.forms import add_domain_error
from customers.services import get_visible_customer
from engagement import effect, effect_page, services
from engagement.effect_page import MonthRangeForm
from engagement.forms import SendMessageForm
from imports.downloads import export_response
from imports.models import ExportFormat


@login_required
@require_POST
def send_message(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Send one message to the customer and go back to the customer's page."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    form = SendMessageForm(request.POST)
    if form.is_valid():
        try:
            message = services.send(user, customer, **services.message_fields(form.cleaned_data))
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Message: %(status)s.") % {
                "status": message.get_status_display()
            })  # fmt: skip
            return redirect("customers:detail", customer.pk)
    errors = "; ".join(str(e) for field in form.errors.values() for e in field)
    return render(request, "refused.html", {"message": errors}, status=422)


# Without CSRF: the signed token is the credential, and mail clients post the one-click
# unsubscribe (RFC 8058) without any cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Show the one-button confirmation (GET), record the opt-out (POST).

    A GET never unsubscribes: mail scanners open every link in a message.
    """
    _customer, channel = services.customer_for_unsubscribe(token)
    if request.method == "POST":
        services.unsubscribe(token)
    context = {"done": request.method == "POST", "channel_label": Channel(channel).label}
    return render(request, "engagement/unsubscribe.html", context)


# Care effect (effect) ---------------------------------------------------------------------


@login_required
def care_effect(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Show what care messages led to by month, care type and channel (CSV on request)."""
    user = request_user(request)
    data = request.GET if "start" in request.GET else MonthRangeForm.default_range()
    form = MonthRangeForm(data)
    rows = None
    if form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            rows = effect.care_effect(user, first, last)
        except Invalid as error:
            add_domain_error(form, error)
        else:
            if request.GET.get("format") == "csv":
                values = {"start": first.isoformat(), "end": last.isoformat()}
                return export_response(request, effect_page.EXPORT_KIND, ExportFormat.CSV, values)
    context: dict[str, object] = {"form": form, "rows": None}
    if rows is not None:
        context |= {
            "rows": effect_page.table_rows(rows), "headers": effect_page.headers(),
            "charts": effect_page.charts(rows, first, last),
            "min_group": effect.min_group(),
            "sample": effect.control_sample(),
        }  # fmt: skip
    return render(
        request, "engagement/effect/page.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def mark_response(request: HttpRequest, message_id: int) -> HttpResponse:
    """Record how the customer took a message, and go back to the customer's page."""
    user = request_user(request)
    message = effect.visible_message(user, message_id)
    effect.mark_response(user, message, request.POST.get("mark", ""))
    messages.success(request, _("Response recorded."))
    return redirect("customers:detail", message.customer_id)
