"""The care-effect page's words, table, charts and CSV (the numbers come from effect.py)."""

import datetime
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from core.channels import Channel
from core.forms import StyledFormMixin
from core.templatetags.core import count, money, percent
from engagement.effect import Comparison, EffectRow, care_effect, months_between
from imports import exports
from imports.models import ExportFormat
from insights.charts import GRID, chart

EXPORT_KIND = "care_effect"
MONTH = "%Y-%m"  # what <input type="month"> sends
BAR_WIDTH = 40  # px: one month's bars stay bars, not walls

# The care occasions' codes (Message.cause_kind) in words; an unknown code shows as itself.
CARE_TYPES = {
    "birthday": pgettext_lazy("care type", "Birthday"),
    "lunar_birthday": pgettext_lazy("care type", "Lunar birthday"),
    "spring_festival": pgettext_lazy("care type", "Spring Festival"),
    "lantern": pgettext_lazy("care type", "Lantern Festival"),
    "dragon_boat": pgettext_lazy("care type", "Dragon Boat Festival"),
    "mid_autumn": pgettext_lazy("care type", "Mid-Autumn Festival"),
    "national_day": pgettext_lazy("care type", "National Day"),
    "new_year": pgettext_lazy("care type", "New Year"),
    "christmas": pgettext_lazy("care type", "Christmas"),
    "first_purchase_anniversary": pgettext_lazy("care type", "First-purchase anniversary"),
    "membership_anniversary": pgettext_lazy("care type", "Membership anniversary"),
    "life_event": pgettext_lazy("care type", "Life event"),
    "seasonal": pgettext_lazy("care type", "Seasonal care"),
    "": pgettext_lazy("care type", "Other care"),
}


def care_type_label(code: str) -> str:
    return str(CARE_TYPES.get(code, code))


def channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def points(value: float) -> str:
    """Return a difference of two rates in percentage points ("+6.7 pp")."""
    return _("%(value)s pp") % {"value": f"{value:+.1f}"}


def comparison_text(comparison: Comparison) -> str:
    """Return a repurchase comparison in words: the lift, or why there is none."""
    if comparison.state == "open":
        return _("Window not over yet")
    sizes = {"contacted": count(comparison.contacted), "control": count(comparison.control)}
    if comparison.state == "too_small":
        return _("Too few to compare (%(contacted)s contacted, %(control)s similar)") % sizes
    assert comparison.lift_points is not None
    text = _("%(lift)s: %(rate)s vs %(expected)s (%(contacted)s contacted, %(control)s similar)")
    return text % {
        "lift": points(comparison.lift_points), "rate": percent(comparison.contacted_rate),
        "expected": percent(comparison.control_rate), **sizes,
    }  # fmt: skip


def headers() -> list[str]:
    return [
        _("Month"), _("Care type"), _("Channel"), _("Messages sent"), _("Cost"), _("Replies"),
        _("Positive responses"), _("Satisfaction"), _("Repurchase within 30 days"),
        _("Repurchase within 90 days"),
    ]  # fmt: skip


def table_rows(rows: list[EffectRow]) -> list[dict[str, Any]]:
    """Return each row's cells as the page shows them (numbers formatted)."""
    return [
        {
            "month": month_label(row.month),
            "care_type": care_type_label(row.cause_kind),
            "channel": channel_label(row.channel),
            "sent": count(row.sent),
            "cost": money(row.cost),
            "replies": f"{count(row.replies)} ({percent(row.reply_rate)})",
            "positive": f"{count(row.positive)} ({percent(row.positive_rate)})",
            # No satisfaction survey exists yet: a service app will bring one.
            "satisfaction": "—",
            "comparisons": [(c, comparison_text(c)) for c in row.comparisons],
        }
        for row in rows
    ]


def charts(rows: list[EffectRow], first: datetime.date, last: datetime.date) -> list[Any]:
    """Return the two charts by month: sends with their replies and positive responses, and
    the 30-day repurchase lift of each care type."""
    months = months_between(first, last)
    labels = [month_label(m) for m in months]
    return [_activity_chart(rows, months, labels), _lift_chart(rows, months, labels)]


def _activity_chart(rows: list[EffectRow], months: list[datetime.date], labels: list[str]) -> Any:
    totals: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        total = totals[row.month]
        total[0] += row.sent
        total[1] += row.replies
        total[2] += row.positive
    names = [_("Messages sent"), _("Replies"), _("Positive responses")]
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": names}, "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "barMaxWidth": BAR_WIDTH,
             "data": [totals[m][i] for m in months]}
            for i, name in enumerate(names)
        ],
    }  # fmt: skip
    table = [[label, *(count(totals[m][i]) for i in range(3))] for m, label in zip(
        months, labels, strict=True
    )]  # fmt: skip
    return chart(
        "care-activity", _("Care messages and responses by month"), option,
        [_("Month"), *names], table,
    )  # fmt: skip


def _lift_chart(rows: list[EffectRow], months: list[datetime.date], labels: list[str]) -> Any:
    """Return the 30-day lift by month, one series per care type (the contacted of all its
    channels weighted together); a month without a comparison has no bar."""
    weighted: dict[str, dict[datetime.date, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    for row in rows:
        within_30 = row.comparisons[0]
        if within_30.lift_points is not None:
            cell = weighted[row.cause_kind][row.month]
            cell[0] += within_30.lift_points * within_30.contacted
            cell[1] += within_30.contacted
    series = []
    table = []
    for kind, by_month in sorted(weighted.items()):
        values = [
            round(by_month[m][0] / by_month[m][1], 1) if by_month[m][1] else None for m in months
        ]
        series.append(
            {"name": care_type_label(kind), "type": "bar", "barMaxWidth": BAR_WIDTH, "data": values}
        )
        table += [
            [label, care_type_label(kind), points(v)]
            for label, v in zip(labels, values, strict=True)
            if v is not None
        ]
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"}, "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "name": _("pp"), "nameTextStyle": {"align": "left"}},
        "series": series,
    }  # fmt: skip
    return chart(
        "care-lift", _("Repurchase lift within 30 days (percentage points)"), option,
        [_("Month"), _("Care type"), _("Lift")], table,
    )  # fmt: skip


# The CSV, through imports' one export recorder --------------------------------------------


def select_export(user: User, values: Mapping[str, Any]) -> exports.Selection:
    """Return the page's table for the months the record keeps, over the visible customers."""
    first = datetime.date.fromisoformat(values["start"])
    last = datetime.date.fromisoformat(values["end"])
    rows = care_effect(user, first, last)
    return exports.Selection(len(rows), _export_rows(rows))


def _export_rows(rows: list[EffectRow]) -> Iterator[list[Any]]:
    yield [
        _("Month"), _("Care type"), _("Channel"), _("Messages sent"), _("Cost"), _("Replies"),
        _("Positive responses"), _("Satisfaction"),
        *(
            label % {"days": days}
            for days in (30, 90)
            for label in (
                _("Contacted, within %(days)d days"), _("Similar, within %(days)d days"),
                _("Lift within %(days)d days (pp)"), _("Contacted group, %(days)d days"),
                _("Similar group, %(days)d days"), _("Comparison, %(days)d days"),
            )
        ),
    ]  # fmt: skip
    for row in rows:
        yield [
            row.month.strftime("%Y-%m"), care_type_label(row.cause_kind),
            channel_label(row.channel), row.sent, row.cost, row.replies, row.positive, "",
            *(cell for c in row.comparisons for cell in _comparison_cells(c)),
        ]  # fmt: skip


def _comparison_cells(comparison: Comparison) -> list[Any]:
    # Numbers, not text: the CSV writer guards text starting with "-" against formulas.
    def rate(value: float | None) -> float | str:
        return "" if value is None else round(value, 4)

    lift = comparison.lift_points
    state = {
        "ok": _("compared"), "too_small": _("too few to compare"), "open": _("window not over"),
    }[comparison.state]  # fmt: skip
    return [
        rate(comparison.contacted_rate), rate(comparison.control_rate),
        "" if lift is None else round(lift, 2), comparison.contacted, comparison.control, state,
    ]  # fmt: skip


def register_export() -> None:
    """Offer the care-effect table as a CSV through the one recorder."""
    exports.sources.register(
        EXPORT_KIND,
        exports.ExportSource(
            gettext_lazy("Care effect"),
            "care-effect",
            select_export,
            allowed=exports.any_role,
            formats=(ExportFormat.CSV,),
        ),
        order=50,
    )


# The month range ---------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    """A browser month picker whose value is "2026-03" in every language."""

    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format=MONTH)


class MonthRangeForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From month"), input_formats=[MONTH], widget=MonthInput()
    )
    end = forms.DateField(
        label=gettext_lazy("To month"), input_formats=[MONTH], widget=MonthInput()
    )

    @staticmethod
    def default_range(today: datetime.date | None = None) -> dict[str, str]:
        """Return the last six months, this one included."""
        today = today or timezone.localdate()
        months = months_between(today.replace(year=today.year - 1, day=1), today)[-6:]
        return {"start": months[0].strftime(MONTH), "end": months[-1].strftime(MONTH)}
