"""Pages: a person sends one message; a customer unsubscribes by a link, without an account."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import request_user
from accounts.models import User
from core.channels import Channel
from core.errors import Invalid
from core.forms import add_domain_error
from core.http import safe_next
from customers.services import get_visible_customer
from engagement import care, effect, effect_page, services
from engagement import today as today_service
from engagement.effect_page import MonthRangeForm
from engagement.forms import LifeEventForm, SeasonalCareForm, SendMessageForm, SnoozeForm
from imports.downloads import export_response
from imports.models import ExportFormat
from interactions.forms import InteractionForm


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


# Care calendar (关怀日历) ------------------------------------------------------------------


def _refused(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """Answer a form that did not validate: every error with its field's label, 422."""
    errors = "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
        for name, field_errors in form.errors.items()
        for error in field_errors
    )
    return render(request, "refused.html", {"message": errors}, status=422)


def _back(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Go back to the page the action came from (`next`, if on this site), else the customer."""
    return redirect(safe_next(request) or reverse("customers:detail", args=[customer_id]))


# --- Today (今日待办) ---------------------------------------------------------------------


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Show the user's Today, or (a manager) the Today of a rep they manage."""
    user = request_user(request)
    owner = today_service.list_owner(user, _rep_id(request.GET.get("rep")))
    return render(request, TODAY_TEMPLATE, _today_context(user, owner, SnoozeForm()))


TODAY_TEMPLATE = "engagement/today/today.html"


def _rep_id(value: str | None) -> int | None:
    if not value:
        return None
    # ASCII only: str.isdigit() also accepts "²", which int() refuses.
    if not (value.isascii() and value.isdigit()):
        raise Invalid(_("Rep: choose one from the list."), "rep")
    return int(value)


@dataclass(frozen=True)
class ShownLine:
    """A line of the Today page with its customer's addresses."""

    line: today_service.Line
    detail_url: str
    log_url: str
    snooze_url: str


# Stands for the customer's id in an address reversed once per page.
_ID_MARK = 987654321


def _by_customer(name: str) -> Callable[[int], str]:
    """Return a function giving the named address for a customer id: reversed once, not
    once a line (fifty lines, three addresses each, were a fifth of the page's time)."""
    head, _mark, tail = reverse(name, args=[_ID_MARK]).partition(str(_ID_MARK))
    return lambda customer_id: f"{head}{customer_id}{tail}"


def _shown(lines: list[today_service.Line]) -> list[ShownLine]:
    detail = _by_customer("customers:detail")
    log = _by_customer("engagement:today_log")
    snooze = _by_customer("engagement:today_snooze")
    return [
        ShownLine(line, detail(line.customer.pk), log(line.customer.pk), snooze(line.customer.pk))
        for line in lines
    ]


def _today_context(user: User, owner: User, snooze_form: SnoozeForm) -> dict[str, Any]:
    day = timezone.localdate()
    reps = today_service.reps_for(user)
    listed = today_service.today_list(owner, day)
    return {
        "today_list": listed,
        "lines": _shown(listed.lines[: today_service.SHOWN_LINES]),
        "more": max(0, len(listed.lines) - today_service.SHOWN_LINES),
        "own": owner == user,
        "reps": reps if len(reps) > 1 else [],
        "owner": owner,
        "yesterday": today_service.completion(reps, day - datetime.timedelta(days=1)),
        "snooze_form": snooze_form,
        "tomorrow": day + datetime.timedelta(days=1),
        "today_url": reverse("engagement:today"),
    }


@login_required
def today_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show the contact log pre-filled with the line's reasons; save it and go back to Today."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    day = timezone.localdate()
    if request.method == "POST":
        form = InteractionForm(request.POST)
    else:
        form = InteractionForm(initial={"summary": today_service.line_summary(user, customer, day)})
    if request.method == "POST" and form.is_valid():
        try:
            today_service.log_contact(user, customer, form.cleaned_data, day)
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Interaction logged."))
            return redirect("engagement:today")
    context = {"form": form, "customer": customer}
    status = 422 if request.method == "POST" else 200
    return render(request, "engagement/today/log.html", context, status=status)


@login_required
@require_POST
def send_care(request: HttpRequest, customer_id: int, occasion: str, day: str) -> HttpResponse:
    """Send the occasion's greeting to the customer (Today's one-click action and the
    customer's page) and go back."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    try:
        occasion_date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Invalid(_("Enter a valid date."), "occasion_date") from None
    message = care.send_care(user, customer, occasion, occasion_date, request.POST.get("channel"))
    messages.success(request, _("Greeting: %(status)s.") % {"status": message.get_status_display()})
    return _back(request, customer.pk)


@login_required
@require_POST
def add_life_event(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Record a life event on the customer's page."""
    form = LifeEventForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    care.add_life_event(request_user(request), customer_id, form.cleaned_data)
    messages.success(request, _("Life event saved."))
    return redirect("customers:detail", customer_id)


@login_required
@require_POST
def delete_life_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a life event from the customer's page."""
    customer_id = care.delete_life_event(request_user(request), pk)
    messages.success(request, _("Life event deleted."))
    return redirect("customers:detail", customer_id)


@login_required
def care_calendar(request: HttpRequest) -> HttpResponse:
    """Show the occasions' settings and their templates previewed on a customer the manager
    picks by id or name."""
    user = request_user(request)
    care.check_may_plan_care(user)
    occasions = sorted(care.settings_by_code().values(), key=lambda o: care.RANK_OF[o.code])
    code = request.GET.get("occasion") or care.OccasionCode.BIRTHDAY
    if code not in care.OccasionCode.__members__.values():
        raise Invalid(_("No care occasion with this code."), "occasion")
    query = request.GET.get("customer", "")
    customer, matches = care.preview_customer(user, query)
    seasonal = SeasonalCareForm(request.GET if "day" in request.GET else None)
    context = {
        "seasonal": seasonal, "seasonal_count": _seasonal_count(user, seasonal),
        "occasions": [(o, care.occasion_name(o.code)) for o in occasions],
        "code": code, "query": query, "customer": customer, "matches": matches,
        "previews": care.previews(code, customer) if customer is not None else [],
    }  # fmt: skip
    return render(request, "engagement/care/calendar.html", context)


def _seasonal_count(user: User, form: SeasonalCareForm) -> int | None:
    """Return how many customers the seasonal form's group holds, once it is filled in."""
    if not form.is_bound or not form.is_valid():
        return None
    tag = form.cleaned_data["tag"]
    try:
        people = care.audience_for_seasonal(
            user, tag.pk if tag else None, form.cleaned_data["tier"]
        )
    except Invalid as error:
        add_domain_error(form, error)
        return None
    return people.count()


@login_required
@require_POST
def send_seasonal_care(request: HttpRequest) -> HttpResponse:
    """Send seasonal care to the group the manager previewed and go back to the calendar."""
    user = request_user(request)
    care.check_may_plan_care(user)
    form = SeasonalCareForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    tag = form.cleaned_data["tag"]
    sent = care.send_seasonal(
        user, form.cleaned_data["day"], tag.pk if tag else None, form.cleaned_data["tier"]
    )
    messages.success(request, ngettext(
        "Seasonal care: %(count)s greeting.", "Seasonal care: %(count)s greetings.", sent
    ) % {"count": number_format(sent, force_grouping=True)})  # fmt: skip
    return redirect("engagement:care_calendar")


@login_required
@require_POST
def today_snooze(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Put the customer off the user's Today until the chosen day."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    form = SnoozeForm(request.POST)
    if form.is_valid():
        try:
            until = form.cleaned_data["until"]
            today_service.snooze(user, customer, until, timezone.localdate())
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is snoozed until %(day)s.") % {
                "name": customer.name, "day": date_format(until, "SHORT_DATE_FORMAT"),
            })  # fmt: skip
            return redirect("engagement:today")
    context = {**_today_context(user, user, form), "snooze_customer": customer}
    return render(request, TODAY_TEMPLATE, context, status=422)


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
