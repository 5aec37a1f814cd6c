"""The service figures in words: the key figures service adds to insights' page, and the
service figures page's form, table and charts (the numbers come from service.numbers)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.templatetags.core import count, money, percent
from insights.charts import GRID, chart
from insights.key_figures import KeyFigure, PeriodScope, key_figure_sources
from service import numbers
from service.models import Category
from service.numbers import Figures, Group, Row

HOUR = 3600.0
BAR_WIDTH = 40  # px: a group's bars stay bars, not walls
# Above this many weeks the trend is drawn by month.
MAX_WEEKS = 13


def hours(seconds: float | None) -> str:
    """Return working time in hours, one decimal ("1.5 h"), or a dash."""
    if seconds is None:
        return "—"
    return _("%(hours)s h") % {"hours": count(seconds / HOUR, 1)}


def nps(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}"


def _hours_value(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


# The key-figures page (insights' extension point) ------------------------------------------


def key_figures(scope: PeriodScope) -> list[KeyFigure]:
    """Return the service figures over the tickets of the page's customers in its period."""
    table = numbers.load(Q(), scope.start, scope.end)
    table = table.only(np.isin(table.column("customer"), scope.customer_ids))
    lost_after = scope.settings.get("lost_after_days")
    f = numbers.total(table, numbers.Scope(Q(), scope.customer_ids, lost_after))
    return figure_list(f, lost_after)


def figure_list(f: Figures, lost_after: int | None = None) -> list[KeyFigure]:
    """Return the figures of a set of tickets as key figures: shown, explained, exported."""
    return [
        KeyFigure(
            _("Complaint rate"), percent(f.complaint_rate), complaint_rate_formula(lost_after),
            f.complaint_rate, f.complaining_customers, f.active_customers,
        ),
        KeyFigure(
            _("First response (median)"), hours(f.first_response_median),
            _("Median working time from opening to the first response, over the tickets "
              "opened in the period (working hours and days of the company calendar)."),
            _hours_value(f.first_response_median), "", f.first_responses,
        ),
        KeyFigure(
            _("Resolution time (median)"), hours(f.resolution_median),
            _("Median working time from opening to resolution, over the tickets opened in "
              "the period that are resolved."),
            _hours_value(f.resolution_median), "", f.resolutions,
        ),
        KeyFigure(
            _("SLA met"), percent(f.sla_met_rate), str(SLA_FORMULA),
            f.sla_met_rate, f.sla_met, f.sla_settled,
        ),
        KeyFigure(
            _("Promises kept"), percent(f.promise_kept_rate), str(PROMISE_FORMULA),
            f.promise_kept_rate, f.promises_kept, f.promises_settled,
        ),
        KeyFigure(
            _("Satisfaction (CSAT)"), percent(f.csat), str(CSAT_FORMULA),
            f.csat, f.satisfied, f.csat_answers,
        ),
        KeyFigure(
            _("Survey response rate"), percent(f.response_rate),
            _("Surveys answered ÷ surveys sent, for the tickets opened in the period."),
            f.response_rate, f.surveys_answered, f.surveys_sent,
        ),
        KeyFigure(
            _("Net promoter score"), nps(f.nps), str(NPS_FORMULA),
            f.nps, f.promoters - f.detractors, f.nps_answers,
        ),
        KeyFigure(
            _("Reopen rate"), percent(f.reopen_rate), str(REOPEN_FORMULA),
            f.reopen_rate, f.reopened, f.resolved_once,
        ),
        KeyFigure(
            _("Goodwill gift cost"), money(f.gift_cost),
            _("Cost of the approved goodwill gifts on the tickets opened in the period."),
            f.gift_cost,
        ),
    ]  # fmt: skip


def complaint_rate_formula(lost_after: int | None = None) -> str:
    days = numbers.lost_after_days() if lost_after is None else lost_after
    return _(
        "Customers with a complaint opened in the period ÷ active customers: those with a "
        "purchase from %(days)d days before the period to its end, and those who complained "
        "in it."
    ) % {"days": days}


SLA_FORMULA = gettext_lazy(
    "Tickets with an SLA target that breached neither the first-response nor the resolution "
    "target ÷ those whose outcome is known (resolved or breached)."
)
PROMISE_FORMULA = gettext_lazy(
    "Promised resolution times kept ÷ promises whose outcome is known (kept or broken)."
)
CSAT_FORMULA = gettext_lazy(
    "Survey answers of 4 or 5 (satisfied) ÷ survey answers, for the tickets opened in the period."
)
NPS_FORMULA = gettext_lazy(
    "Share of answers 9–10 (promoters) minus share of answers 0–6 (detractors), in points "
    "from −100 to +100."
)
REOPEN_FORMULA = gettext_lazy("Tickets reopened ÷ tickets resolved at least once.")


def register_key_figures() -> None:
    """Add the service figures to the key-figures page, after the purchase figures."""
    key_figure_sources.register("service", key_figures, order=20)


# The service figures page ------------------------------------------------------------------


def names(table: numbers.TicketTable) -> numbers.Names:
    """Return how the page names the table's agents, categories, weeks and months."""
    assignees = table.column("assignee")
    ids = [int(a) for a in np.unique(assignees[~np.isnan(assignees)])]
    users = {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}
    categories = category_names()
    return numbers.Names(
        user=lambda pk: users.get(pk, "") if pk is not None else _("Unassigned"),
        category=lambda pk: categories.get(pk, "") if pk is not None else _("No category"),
        week=week_label,
        month=month_label,
    )


def category_names() -> dict[int, str]:
    """Return every category's name in the reader's language."""
    chinese = (translation.get_language() or "").startswith("zh")
    return {c.pk: c.name_zh if chinese and c.name_zh else c.name for c in Category.objects.all()}


def _points(rate: float | None) -> float | None:
    """Return a rate in percent for a chart (None: no bar)."""
    return None if rate is None else round(100 * rate, 1)


def week_label(monday: datetime.date) -> str:
    return _("Week of %(day)s") % {"day": formats.date_format(monday, "MONTH_DAY_FORMAT")}


def month_label(first: datetime.date) -> str:
    return formats.date_format(first, "YEAR_MONTH_FORMAT")


@dataclass(frozen=True)
class Column:
    header: str
    formula: str
    cell: Callable[[Figures], str]


def columns() -> list[Column]:
    """Return the table's columns in the reader's language, each with how it is computed."""
    return [
        Column(_("Tickets"), _("Tickets opened in the period."), lambda f: count(f.tickets)),
        Column(
            _("Complaints"), _("Complaints opened in the period."), lambda f: count(f.complaints)
        ),
        Column(_("Complaint rate"), complaint_rate_formula(), lambda f: percent(f.complaint_rate)),
        Column(
            _("First response, median"), _("Working time from opening to the first response."),
            lambda f: hours(f.first_response_median),
        ),
        Column(
            _("First response, mean"), _("Working time from opening to the first response."),
            lambda f: hours(f.first_response_mean),
        ),
        Column(
            _("Resolution, median"), _("Working time from opening to resolution."),
            lambda f: hours(f.resolution_median),
        ),
        Column(
            _("Resolution, mean"), _("Working time from opening to resolution."),
            lambda f: hours(f.resolution_mean),
        ),
        Column(_("SLA met"), str(SLA_FORMULA), lambda f: _part(f.sla_met_rate, f.sla_settled)),
        Column(
            _("Promises kept"), str(PROMISE_FORMULA),
            lambda f: _part(f.promise_kept_rate, f.promises_settled),
        ),
        Column(_("CSAT"), str(CSAT_FORMULA), lambda f: _part(f.csat, f.csat_answers)),
        Column(
            _("Response rate"), _("Surveys answered ÷ surveys sent."),
            lambda f: _part(f.response_rate, f.surveys_sent),
        ),
        Column(_("NPS"), str(NPS_FORMULA), lambda f: nps(f.nps)),
        Column(_("Reopen rate"), str(REOPEN_FORMULA), lambda f: percent(f.reopen_rate)),
        Column(
            _("Gift cost"), _("Approved goodwill gifts' cost."), lambda f: money(f.gift_cost)
        ),
    ]  # fmt: skip


def _part(rate: float | None, whole: int) -> str:
    """Return a rate with the count it is out of: "66.7% of 3"."""
    if rate is None:
        return "—"
    return _("%(rate)s of %(whole)s") % {"rate": percent(rate), "whole": count(whole)}


def table_rows(rows: list[Row], total: Figures) -> list[dict[str, Any]]:
    """Return each group's cells as the page shows them, the whole period last."""
    cols = columns()
    shown: list[dict[str, Any]] = [
        {"label": row.label, "cells": [c.cell(row.figures) for c in cols]} for row in rows
    ]
    shown.append({"label": _("Total"), "cells": [c.cell(total) for c in cols], "total": True})
    return shown


def charts(
    table: numbers.TicketTable, scope: numbers.Scope, rows: list[Row], group: Group
) -> list[dict[str, Any]]:
    """Return the trend by week (or month over longer periods) and the times and rates of
    the chosen groups."""
    weeks = len(numbers.weeks(table.start, table.end))
    trend_group = Group.WEEK if weeks <= MAX_WEEKS else Group.MONTH
    trend = rows if group == trend_group else numbers.rows(table, scope, trend_group, names(table))
    result = [_trend_chart(trend)]
    if group not in (Group.TOTAL, Group.WEEK, Group.MONTH) and rows:
        result += [_times_chart(rows), _rates_chart(rows)]
    return result


def _trend_chart(rows: list[Row]) -> dict[str, Any]:
    labels = [row.label for row in rows]
    tickets, complaints, csat = _("Tickets"), _("Complaints"), _("CSAT")
    satisfaction = [_points(r.figures.csat) for r in rows]
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": [tickets, complaints, csat]},
        "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": [
            {"type": "value", "minInterval": 1},
            {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        ],
        "series": [
            {"name": tickets, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [r.figures.tickets for r in rows]},
            {"name": complaints, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [r.figures.complaints for r in rows]},
            {"name": csat, "type": "line", "yAxisIndex": 1, "connectNulls": True,
             "data": satisfaction},
        ],
    }  # fmt: skip
    table = [
        [r.label, count(r.figures.tickets), count(r.figures.complaints), percent(r.figures.csat)]
        for r in rows
    ]
    return chart(
        "service-trend", _("Tickets, complaints and satisfaction"), option,
        [_("Period"), tickets, complaints, csat], table,
    )  # fmt: skip


def _times_chart(rows: list[Row]) -> dict[str, Any]:
    labels = [row.label for row in rows]
    first, resolution = _("First response, median"), _("Resolution, median")
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": [first, resolution]}, "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value"},
        "series": [
            {"name": first, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [_hours_value(r.figures.first_response_median) for r in rows]},
            {"name": resolution, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [_hours_value(r.figures.resolution_median) for r in rows]},
        ],
    }  # fmt: skip
    table = [
        [r.label, hours(r.figures.first_response_median), hours(r.figures.resolution_median)]
        for r in rows
    ]
    return chart(
        "service-times", _("Response and resolution time (working hours)"), option,
        [_("Group"), first, resolution], table,
    )  # fmt: skip


def _rates_chart(rows: list[Row]) -> dict[str, Any]:
    labels = [row.label for row in rows]
    series = [
        (_("SLA met"), [r.figures.sla_met_rate for r in rows]),
        (_("Promises kept"), [r.figures.promise_kept_rate for r in rows]),
        (_("CSAT"), [r.figures.csat for r in rows]),
    ]
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": [name for name, _v in series]},
        "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"name": name, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [_points(v) for v in values]}
            for name, values in series
        ],
    }  # fmt: skip
    table = [
        [label, *(percent(values[i]) for _n, values in series)] for i, label in enumerate(labels)
    ]
    return chart(
        "service-rates", _("SLA met, promises kept and satisfaction"), option,
        [_("Group"), *(name for name, _v in series)], table,
    )  # fmt: skip
