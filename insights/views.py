"""Pages of the old-customer analysis. They read stored runs and never fit a model."""

from dataclasses import asdict
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import assignable_owners, can_export, request_user
from accounts.models import Role, Team, User
from core.errors import DomainError
from core.forms import add_domain_error
from imports.downloads import export_response
from imports.models import ExportFormat
from insights import charts, exports, services, tasks
from insights.forms import (
    SEGMENT_LABELS,
    TIER_CHOICES,
    BacktestForm,
    CompareRunsForm,
    KpiForm,
    segment_labels,
)
from insights.key_figures import AOV_FORMULA
from insights.models import BacktestRecord, BacktestStatus, ChurnWarning, RunStatus, ScoreRun
from insights.warnings import describe


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the charts a manager steers by, from the latest run."""
    user = request_user(request)
    run = services.latest_run()
    summary = services.summary_for(user, run) if run else {}
    # A rep's tiles are their own; their team's stand beside them for comparison.
    team_summary = services.team_summary_for(user, run) if run and user.role == Role.REP else None
    warnings = list(services.visible_warnings(user, run)[:10]) if run else []
    context = {
        "run": run, "summary": summary, "team_summary": team_summary,
        "warnings": _described(warnings),
        "charts": _dashboard_charts(summary), "aov_formula": AOV_FORMULA,
        "last_failed": ScoreRun.objects.filter(status=RunStatus.FAILED)
        .order_by("-started_at")
        .first(),
    }  # fmt: skip
    return render(request, "insights/dashboard.html", context)


def _dashboard_charts(summary: dict[str, Any]) -> list[dict[str, Any]]:
    if not summary.get("customers"):
        return []
    labels = segment_labels()
    return [
        charts.returning_share(summary), charts.cohort_heatmap(summary),
        charts.segment_bars(summary, labels), charts.p_alive_distribution(summary),
        charts.churn_risk_distribution(summary), charts.tier_transitions(summary),
    ]  # fmt: skip


def _described(warnings: list[Any]) -> list[tuple[Any, list[str]]]:
    return [(warning, [describe(reason) for reason in warning.reasons]) for warning in warnings]


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """List churn warnings, highest value at risk first, filterable by owner."""
    user = request_user(request)
    run = services.latest_run()
    owners = assignable_owners(user)
    owner_id = _chosen_owner(request, owners)
    page, rows = None, list[ChurnWarning]()
    if run is not None:
        warnings = services.visible_warnings(user, run)
        if owner_id is not None:
            warnings = warnings.filter(customer__owner_id=owner_id)
        # Page through ids only, then load the page's 25 rows with their customer and score:
        # a deep page then skips bare index entries instead of joined rows.
        ids = warnings.values_list("pk", flat=True)
        page = Paginator(ids, 25).get_page(request.GET.get("page"))
        rows = services.warnings_in_order(list(page))
    context = {
        "run": run, "page": page, "rows": _described(rows),
        "owners": owners, "owner_id": owner_id,
    }  # fmt: skip
    return render(request, "insights/warnings.html", context)


@login_required
@require_POST
def warning_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a warning into a follow-up task for the customer's owner, in one click."""
    user = request_user(request)
    run = services.latest_run()
    if run is None:
        raise PermissionDenied
    warning = get_object_or_404(services.visible_warnings(user, run), pk=pk)
    note = " ".join(describe(reason) for reason in warning.reasons)[:300]
    services.follow_up_from_warning(request_user(request), warning, note)
    messages.success(
        request, _("Follow-up created for %(name)s.") % {"name": warning.customer.name}
    )
    if request.POST.get("back") == "dashboard":
        return redirect("insights:dashboard")
    return redirect("insights:warnings")


@login_required
def returning(request: HttpRequest) -> HttpResponse:
    """Show the returning customers: how many, their revenue share, tenure, and the list."""
    user = request_user(request)
    run = services.latest_run()
    summary = services.summary_for(user, run) if run else {}
    page = None
    if run is not None:
        scores = services.returning_customers(user, run, **_returning_filters(request, user))
        page = Paginator(scores, 25).get_page(request.GET.get("page"))
    page_charts = (
        [charts.returning_share(summary), charts.tenure(summary)]
        if summary.get("customers")
        else []
    )
    context = {
        "run": run, "summary": summary, "page": page, "can_export": can_export(user),
        "charts": page_charts, "owners": assignable_owners(user), "tiers": TIER_CHOICES,
        "segments": list(segment_labels().items()),
        "query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "insights/returning.html", context)


def _chosen_owner(request: HttpRequest, owners: list[User]) -> int | None:
    """Return the ?owner= filter when it names one of the owners offered, else None."""
    wanted = request.GET.get("owner", "")
    return next((owner.pk for owner in owners if str(owner.pk) == wanted), None)


def _returning_filters(request: HttpRequest, user: User) -> dict[str, Any]:
    return {
        "owner_id": _chosen_owner(request, assignable_owners(user)),
        "tier": request.GET.get("tier", "") if request.GET.get("tier") in ("A", "B", "C") else "",
        "segment": request.GET.get("segment", "")
        if request.GET.get("segment") in SEGMENT_LABELS
        else "",
    }


@login_required
def returning_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Export the visible returning customers as CSV (Excel-friendly UTF-8 with BOM)."""
    run = services.latest_run()
    filters = {"run": run and run.pk, **_returning_filters(request, request_user(request))}
    return export_response(request, exports.RETURNING, ExportFormat.CSV, filters)


@login_required
def tiers(request: HttpRequest) -> HttpResponse:
    """Show tier counts and revenue, and how customers moved between tiers."""
    user = request_user(request)
    run = services.latest_run()
    summary = services.summary_for(user, run) if run else {}
    tier_charts = [charts.tier_transitions(summary)] if summary.get("customers") else []
    tiers = summary.get("tiers", {})
    context = {
        "run": run, "summary": summary, "charts": tier_charts,
        "tier_rows": list(zip(tiers.get("labels", []), tiers.get("counts", []),
                              tiers.get("revenue", []), strict=True)),
    }  # fmt: skip
    return render(request, "insights/tiers.html", context)


@login_required
def rfm(request: HttpRequest) -> HttpResponse:
    """Show RFM segment sizes and revenue, and the movement between two runs."""
    user = request_user(request)
    run = services.latest_run()
    # The two newest runs unless others are chosen, so movement shows as soon as there are two.
    form = CompareRunsForm(request.GET or CompareRunsForm.newest_two())
    movement = None
    if form.is_valid():
        movement = services.segment_movement(
            user, form.cleaned_data["before"], form.cleaned_data["after"]
        )
    segments = services.segment_table(user, run) if run else []
    labels = segment_labels()
    rows = [{**row, "label": labels.get(row["segment"], row["segment"])} for row in segments]
    moves = sorted(
        (
            (labels.get(a, a), labels.get(b, b), n)
            for (a, b), n in (movement or {}).items()
            if a != b
        ),
        key=lambda item: -item[2],
    )
    context = {"run": run, "rows": rows, "form": form, "moves": moves, "movement": movement}
    return render(request, "insights/rfm.html", context)


def _kpi_filter(form: KpiForm) -> services.KpiFilter:
    data = form.cleaned_data
    return services.KpiFilter(
        start=data["start"], end=data["end"],
        owner_id=data["owner"].pk if data.get("owner") else None,
        team_id=data["team"].pk if data.get("team") else None,
        tier=data.get("tier") or "", segment=data.get("segment") or "",
        region=data.get("region") or "",
        lost_after_days=data.get("lost_after_days"),
    )  # fmt: skip


def _teams(user: User) -> list[Team]:
    if user.is_admin:
        return list(Team.objects.all())
    return list(Team.objects.filter(memberships__user=user))


@login_required
def kpis(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Show repurchase, churn, order value and revenue split for any period and filter."""
    user = request_user(request)
    data = request.GET if "start" in request.GET else KpiForm.default_period()
    form = KpiForm(data, owners=assignable_owners(user), teams=_teams(user))
    kpi = _kpi_filter(form) if form.is_valid() else None
    if kpi is not None and request.GET.get("format") == "csv":
        return export_response(request, exports.KPIS, ExportFormat.CSV, asdict(kpi))
    result = services.period_kpis(user, kpi) if kpi is not None else None
    cohort_rows = []
    if result is not None:
        cohorts = result["cohorts"]
        cohort_rows = list(zip(cohorts.cohorts, cohorts.sizes, cohorts.retention, strict=True))
    context = {"form": form, "result": result, "cohort_rows": cohort_rows}
    return render(request, "insights/kpis.html", context)


@login_required
def backtest(request: HttpRequest) -> HttpResponse:
    """Show the latest back-test (predicted against actual repeat purchases) and start one."""
    user = request_user(request)
    form = BacktestForm(request.POST or BacktestForm.default_period())
    if request.method == "POST" and form.is_valid():
        try:
            queued = services.queue_backtest(
                user, form.cleaned_data["calibration_end"], form.cleaned_data["holdout_end"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Enqueued once the record is committed, so the worker always finds it.
            transaction.on_commit(partial(tasks.run_backtest, queued.pk))
            return redirect("insights:backtest")
    record = services.latest_backtest()
    running = services.running_backtest()
    failed = BacktestRecord.objects.filter(status=BacktestStatus.FAILED).first()
    context = {
        "record": record, "tracking": charts.tracking(record.result) if record else None,
        "form": form, "may_start": services.may_backtest(user), "running": running,
        "progress": services.backtest_progress(running) if running else None,
        "failed": failed if failed and (record is None or failed.created_at > record.created_at)
        else None,
    }  # fmt: skip
    return render(request, "insights/backtest.html", context, status=400 if form.errors else 200)


@login_required
def backtest_progress(request: HttpRequest) -> HttpResponse:
    """Return the back-test's progress bar; once it is done, tell the page to reload."""
    running = services.running_backtest()
    context = {
        "running": running,
        "progress": services.backtest_progress(running) if running else None,
    }
    response = render(request, "insights/_backtest_progress.html", context)
    if running is None:
        response["HX-Refresh"] = "true"
    return response
