"""Pages of the service numbers: the figures, the weekly and monthly review, the R&D report
with its product issues. Each parses, calls service.numbers / review / rd / issues, renders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_export, request_user
from core.errors import Invalid
from core.forms import add_domain_error
from imports.downloads import export_response
from imports.models import ExportFormat
from sales.models import Product
from service import issues, numbers, numbers_page, rd, review
from service.models import ProductIssue
from service.numbers import Group
from service.numbers_forms import (
    GROUP_CHOICES,
    FiguresForm,
    FixForm,
    IssueForm,
    MonthsForm,
    ReviewForm,
)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """Show the service figures of a period by agent, team, category, week or month."""
    user = request_user(request)
    form = FiguresForm(request.GET if "start" in request.GET else FiguresForm.default_period())
    context: dict[str, object] = {"form": form, "result": None}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        group = Group(form.cleaned_data["group"] or Group.TOTAL)
        scope = numbers.Scope(numbers.visible_tickets_q(user), numbers.visible_customer_ids(user))
        table = numbers.load(scope.tickets, start, end)
        total = numbers.total(table, scope)
        rows = numbers.rows(table, scope, group, numbers_page.names(table))
        context["result"] = {
            "total": total, "columns": numbers_page.columns(),
            "tiles": numbers_page.figure_list(total),
            "rows": numbers_page.table_rows(rows, total),
            "charts": numbers_page.charts(table, scope, rows, group) if len(table) else [],
            "group_label": dict(GROUP_CHOICES)[group],
        }  # fmt: skip
    return render(
        request, "service/numbers/figures.html", context, status=400 if form.errors else 200
    )


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    """Show the week's or month's complaints by root cause, what was fixed, what repeats."""
    user = request_user(request)
    form = ReviewForm(request.GET if "day" in request.GET else ReviewForm.default())
    context: dict[str, Any] = {"form": form, "review": None}
    if form.is_valid():
        span = review.Span(form.cleaned_data["span"])
        context["review"] = review.review(
            numbers.visible_tickets_q(user), span, form.cleaned_data["day"]
        )
        context["categories"] = numbers_page.category_names()
        context["products"] = dict(Product.objects.values_list("pk", "name"))
    return render(
        request, "service/numbers/review.html", context, status=400 if form.errors else 200
    )


@login_required
def rd_report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Show complaints and requests by product and category over the months, their top
    phrases and the product issues; record an issue (POST, managers and admins)."""
    user = request_user(request)
    form = MonthsForm(request.GET if "start" in request.GET else MonthsForm.default())
    issue_form = IssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and issue_form.is_valid():
        try:
            issue = issues.create_issue(
                user, issue_form.cleaned_data["title"], issue_form.cleaned_data["product"],
                issue_form.cleaned_data["category"], issue_form.ticket_numbers(),
            )  # fmt: skip
        except Invalid as error:
            add_domain_error(issue_form, error)
        else:
            messages.success(request, _("Issue recorded: %(title)s") % {"title": issue.title})
            return redirect(request.get_full_path())
    report = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if request.GET.get("format") == "csv":
            values = {"start": start.isoformat(), "end": end.isoformat()}
            return export_response(request, rd.EXPORT_KIND, ExportFormat.CSV, values)
        report = rd.report(numbers.visible_tickets_q(user), start, end)
    context = {
        "form": form, "report": report, "issue_form": issue_form,
        "charts": rd.charts(report) if report and report.total else [],
        "products": rd.by_product(report.counts) if report else [],
        "issues": ProductIssue.objects.select_related("product", "category", "fixed_by")
        .prefetch_related("tickets")[:50],
        "may_manage": issues.may_manage_issues(user), "can_export": can_export(user),
        "fix_form": FixForm(), "categories": numbers_page.category_names(),
    }  # fmt: skip
    invalid = form.errors or issue_form.errors
    return render(request, "service/numbers/rd.html", context, status=400 if invalid else 200)


@login_required
@require_POST
def issue_fixed(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a product issue fixed and, if asked, tell the affected customers."""
    user = request_user(request)
    form = FixForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("service:rd_report")
    issue = issues.mark_fixed(
        user, pk, form.cleaned_data["note"], form.cleaned_data["tell_customers"]
    )
    text = _("Marked fixed: %(title)s.") % {"title": issue.title}
    if form.cleaned_data["tell_customers"]:
        text += " " + _("%(count)s affected customers will be told.") % {"count": issue.notified}
    messages.success(request, text)
    return redirect("service:rd_report")
