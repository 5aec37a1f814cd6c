"""Segment and campaign pages (managers and admins): build, preview, send, read the return."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import request_user
from core.errors import Invalid
from core.forms import add_domain_error
from core.templatetags.core import count
from engagement import campaign_report, campaigns
from engagement.forms import CampaignForm, SegmentForm
from engagement.models import Campaign, CampaignStatus, Group, Segment
from insights.charts import GRID, chart


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """Show the saved segments with today's size of each."""
    user = request_user(request)
    campaigns.check_may_run(user)
    today = timezone.localdate()
    rows = [(s, campaigns.segment_size(s.definition, user, today)) for s in Segment.objects.all()]
    return render(request, "engagement/campaigns/segments.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Show the form for a new or saved segment (GET) and save it (POST)."""
    user = request_user(request)
    campaigns.check_may_run(user)
    segment = get_object_or_404(Segment, pk=pk) if pk is not None else None
    initial = SegmentForm.initial_from(segment.name, segment.definition) if segment else None
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        campaigns.save_segment(user, segment, form.cleaned_data["name"], form.definition())
        messages.success(request, _("Segment saved."))
        return redirect("engagement:segments")
    status = 422 if form.errors else 200
    size = None
    if request.method == "GET":
        definition = segment.definition if segment else {}
        size = campaigns.segment_size(definition, user, timezone.localdate())
    context = {"form": form, "segment": segment, "size": size}
    return render(request, "engagement/campaigns/segment_form.html", context, status=status)


@login_required
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """Return how many customers the conditions being edited find (HTMX, while editing)."""
    user = request_user(request)
    campaigns.check_may_run(user)
    form = SegmentForm(request.POST)
    form.fields["name"].required = False
    size = None
    if form.is_valid():
        size = campaigns.segment_size(form.definition(), user, timezone.localdate())
    return render(request, "engagement/campaigns/_segment_size.html", {"size": size})


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Show every campaign with its return, ranked by ROI on request."""
    user = request_user(request)
    campaigns.check_may_run(user)
    rows = [(c, _report_or_none(c)) for c in campaigns.visible_campaigns(user)]
    if request.GET.get("sort") == "roi":
        rows.sort(key=lambda row: (row[1] is None or row[1].roi is None, -(_roi(row[1]))))
    return render(request, "engagement/campaigns/list.html", {"rows": rows})


def _report_or_none(campaign: Campaign) -> campaign_report.Report | None:
    if campaign.status != CampaignStatus.SENT:
        return None
    return campaign_report.campaign_report(campaign)


def _roi(report: campaign_report.Report | None) -> float:
    return report.roi if report is not None and report.roi is not None else 0.0


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Show the new-campaign form (GET) and create the draft (POST)."""
    user = request_user(request)
    campaigns.check_may_run(user)
    form = CampaignForm(request.POST or None, initial={"send_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.create_campaign(user, dict(form.cleaned_data))
        except Invalid as error:
            add_domain_error(form, error)
        else:
            return redirect("engagement:campaign", campaign.pk)
    status = 422 if form.errors else 200
    return render(request, "engagement/campaigns/form.html", {"form": form}, status=status)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a campaign: its state, the buttons its state allows, and once sent its return."""
    user = request_user(request)
    campaign = get_object_or_404(campaigns.visible_campaigns(user), pk=pk)
    report = _report_or_none(campaign)
    context = {
        "campaign": campaign, "report": report,
        "progress": campaigns.progress(campaign),
        "charts": [_over_time(campaign, report)] if report else [],
        "may_approve": campaign.created_by_id != user.pk,
    }  # fmt: skip
    return render(request, "engagement/campaigns/detail.html", context)


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the sending progress (HTMX polls it while the campaign is prepared)."""
    user = request_user(request)
    campaign = get_object_or_404(campaigns.visible_campaigns(user), pk=pk)
    if campaign.status != CampaignStatus.PREPARING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"campaign": campaign, "progress": campaigns.progress(campaign)}
    return render(request, "engagement/campaigns/_progress.html", context)


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send, approve or cancel the campaign, then show it again."""
    user = request_user(request)
    campaign = get_object_or_404(campaigns.visible_campaigns(user), pk=pk)
    if action == "send":
        campaigns.request_send(user, campaign, timezone.localdate())
        if campaign.status == CampaignStatus.AWAITING_APPROVAL:
            messages.info(request, _("The campaign is large: another manager must approve it."))
    elif action == "approve":
        campaigns.approve(user, campaign)
    elif action == "cancel":
        stopped = campaigns.cancel(user, campaign)
        messages.info(request, _("Campaign cancelled; %(count)s queued messages stopped.")
                      % {"count": count(stopped)})  # fmt: skip
    else:
        raise Http404
    return redirect("engagement:campaign", campaign.pk)


def _over_time(campaign: Campaign, report: campaign_report.Report) -> dict[str, Any]:
    """Return the chart of the share of each group that has bought, day by day."""
    buyers = report.buyers_by_day
    sizes = {Group.TREATED: report.treated.size, Group.CONTROL: report.control.size}
    names = {Group.TREATED: _("Treated"), Group.CONTROL: _("Control (held out)")}
    days = [str(day + 1) for day in range(campaign.window_days)]
    shares = {
        group: [round(100 * b / sizes[group], 2) if sizes[group] else 0 for b in buyers[group]]
        for group in sizes
    }
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {}, "grid": GRID,
        "xAxis": {"type": "category", "data": days, "name": _("Day after the send"),
                  "nameLocation": "middle", "nameGap": 28},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value} %"}},
        "series": [{"name": names[g], "type": "line", "data": shares[g]} for g in sizes],
    }  # fmt: skip
    rows = [[day, f"{shares[Group.TREATED][i]} %", f"{shares[Group.CONTROL][i]} %"]
            for i, day in enumerate(days)]  # fmt: skip
    return chart(
        "campaign-over-time", _("Share who bought since the send"), option,
        [_("Day"), names[Group.TREATED], names[Group.CONTROL]], rows,
    )  # fmt: skip
