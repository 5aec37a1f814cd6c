"""ECharts options and their table views, built from a run's stored aggregates.

Each chart is a dict {"id", "title", "option", "headers", "rows"}: the page draws the
option with ECharts and offers the same numbers as a table for people who prefer one.
"""

from typing import Any

from django.utils.translation import gettext as _

from core.templatetags.core import count, currency_symbol, money
from insights.stats.segments import TIERS

# Labels inside the drawing at any width (a 390 px phone too): the grid makes room for the
# axis labels, axis names sit centred under or along the axis instead of running off its end.
GRID = {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True}


def _category_axis(values: list[Any], name: str = "") -> dict[str, Any]:
    axis: dict[str, Any] = {
        "type": "category", "data": values,
        # A little further down than ECharts' 8 px: the first label then clears the value
        # axis' lowest label in the corner.
        "axisLabel": {"hideOverlap": True, "margin": 12},
    }  # fmt: skip
    if name:
        axis |= {"name": name, "nameLocation": "middle", "nameGap": 28}
    return axis


def _value_axis(name: str = "", currency: bool = False) -> dict[str, Any]:
    """Return a value axis; a revenue axis shows the currency ("US$20,000")."""
    axis: dict[str, Any] = {"type": "value"}
    if currency:
        # ECharts puts its own thousands-separated label in {value}.
        axis["axisLabel"] = {"formatter": currency_symbol() + "{value}"}
    if name:
        # Starting at the axis and running right, a long name is never cut at the card edge.
        axis |= {"name": name, "nameTextStyle": {"align": "left"}}
    return axis


def chart(
    chart_id: str, title: str, option: dict[str, Any], headers: list[str], rows: list[list[Any]]
) -> dict[str, Any]:
    return {"id": chart_id, "title": title, "option": option, "headers": headers, "rows": rows}


def returning_share(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the stacked bars of revenue from returning and new customers per month."""
    share = summary["monthly_share"]
    returning, new = _("Returning customers"), _("New customers")
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [returning, new]},
        "grid": GRID,
        "xAxis": _category_axis(share["months"]),
        "yAxis": _value_axis(currency=True),
        "series": [
            {
                "name": returning,
                "type": "bar",
                "stack": "revenue",
                "data": share["returning_revenue"],
            },
            {"name": new, "type": "bar", "stack": "revenue", "data": share["new_revenue"]},
        ],
    }
    rows = [
        [month, money(r), money(n), f"{r / (r + n):.0%}" if r + n else "—"]
        for month, r, n in zip(
            share["months"], share["returning_revenue"], share["new_revenue"], strict=True
        )
    ]
    headers = [_("Month"), returning, new, _("Returning share")]
    return chart(
        "returning-share", _("Revenue from returning vs new customers"), option, headers, rows
    )


def cohort_heatmap(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the cohort retention heatmap (share of each cohort buying k months later)."""
    cohorts = summary["cohorts"]
    offsets = list(range(len(cohorts["retention"][0]))) if cohorts["retention"] else []
    data = [
        [k, c, round(value * 100, 1)]
        for c, row in enumerate(cohorts["retention"])
        for k, value in enumerate(row)
        if value is not None
    ]
    option = {
        "tooltip": {"position": "top"},
        # The colour scale sits below the axis name, not over it.
        "grid": {**GRID, "top": 8, "bottom": 64},
        "xAxis": _category_axis([f"+{k}" for k in offsets], _("Months after first purchase")),
        "yAxis": _category_axis(cohorts["cohorts"]),
        "visualMap": {
            "min": 0,
            "max": 100,
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "itemHeight": 120,
            "itemWidth": 12,
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True, "fontSize": 9}}],
    }
    # On a phone the cells are too narrow for their numbers: the colours, the tooltip and the
    # table view carry them there (ECharts applies the media rule by the chart's width).
    option = {
        "baseOption": option,
        "media": [{"query": {"maxWidth": 520}, "option": {"series": [{"label": {"show": False}}]}}],
    }
    rows = [
        [name, count(size), *["—" if v is None else f"{v:.0%}" for v in row]]
        for name, size, row in zip(
            cohorts["cohorts"], cohorts["sizes"], cohorts["retention"], strict=True
        )
    ]
    headers = [_("Cohort"), _("Customers"), *[f"+{k}" for k in offsets]]
    return chart("cohorts", _("Monthly cohort retention (%)"), option, headers, rows)


def segment_bars(summary: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Return the RFM segments as bars, largest on top, each labelled with its name.

    Bars rather than a treemap: a treemap cut the small segments' names ("Need …").
    """
    seg = summary["segments"]
    sizes = sorted(
        ((labels.get(name, name), n) for name, n in zip(seg["labels"], seg["counts"], strict=True)),
        key=lambda item: item[1],
    )
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {**GRID, "top": 8, "right": 48},
        "xAxis": {"type": "value", "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "category", "data": [name for name, _n in sizes]},
        "series": [
            {
                "type": "bar",
                "data": [n for _name, n in sizes],
                "label": {"show": True, "position": "right"},
            }
        ],
    }
    rows = [
        [labels.get(name, name), count(n), money(revenue)]
        for name, n, revenue in zip(seg["labels"], seg["counts"], seg["revenue"], strict=True)
    ]
    return chart(
        "segments", _("RFM segments"), option, [_("Segment"), _("Customers"), _("Revenue")], rows
    )


def _histogram(chart_id: str, title: str, counts: list[int], axis: str) -> dict[str, Any]:
    bins = [f"{i * 10}–{(i + 1) * 10}%" for i in range(len(counts))]
    option = {
        "tooltip": {},
        "grid": {**GRID, "bottom": 24},
        "xAxis": _category_axis(bins, axis),
        "yAxis": _value_axis(_("Customers")),
        "series": [{"type": "bar", "data": counts}],
    }
    return chart(
        chart_id,
        title,
        option,
        [axis, _("Customers")],
        [[label, count(n)] for label, n in zip(bins, counts, strict=True)],
    )


def p_alive_distribution(summary: dict[str, Any]) -> dict[str, Any]:
    """Return P(alive) for repeat buyers; one-time buyers are left out on purpose.

    BG/NBD puts every one-time buyer at P(alive) = 1, which would read as "certainly
    active"; the churn-risk chart covers them.
    """
    return _histogram(
        "p-alive", _("Probability still active (repeat buyers)"), summary["p_alive_repeat_buyers"],
        _("Probability alive"),
    )  # fmt: skip


def churn_risk_distribution(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the distribution of churn risk over every customer."""
    return _histogram(
        "churn-risk",
        _("Churn risk (no purchase in the coming period)"),
        summary["churn_risk"],
        _("Churn risk"),
    )


def tier_transitions(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the previous-to-current tier flows as a Sankey diagram."""
    matrix = summary["tier_transitions"]
    before, now = _("before"), _("now")
    nodes = [{"name": f"{t} ({before})"} for t in TIERS] + [{"name": f"{t} ({now})"} for t in TIERS]
    links = [
        {"source": f"{a} ({before})", "target": f"{b} ({now})", "value": matrix[i][j]}
        for i, a in enumerate(TIERS)
        for j, b in enumerate(TIERS)
        if matrix[i][j]
    ]
    option = {
        "tooltip": {},
        "series": [
            {
                "type": "sankey",
                "data": nodes,
                "links": links,
                "emphasis": {"focus": "adjacency"},
                # Room on the right for the right-hand nodes' labels.
                "left": 8,
                "right": 72,
                "top": 8,
                "bottom": 8,
            }
        ],
    }
    rows = [
        [f"{a} → {b}", count(matrix[i][j])]
        for i, a in enumerate(TIERS)
        for j, b in enumerate(TIERS)
    ]
    return chart(
        "tier-transitions",
        _("Value tier movement since the previous window"),
        option,
        [_("Move"), _("Customers")],
        rows,
    )


def tenure(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the tenure distribution (years since the first purchase)."""
    labels = ["<1", "1–2", "2–3", "3–5", "5+"]
    option = {
        "tooltip": {},
        "grid": {**GRID, "bottom": 24},
        "xAxis": _category_axis(labels, _("Years")),
        "yAxis": _value_axis(_("Customers")),
        "series": [{"type": "bar", "data": summary["tenure"]}],
    }
    rows = [[label, count(n)] for label, n in zip(labels, summary["tenure"], strict=True)]
    return chart("tenure", _("Customer tenure"), option, [_("Years"), _("Customers")], rows)


def tracking(result: dict[str, Any]) -> dict[str, Any]:
    """Return the cumulative repeat purchases, actual against predicted (as in the BG/NBD paper)."""
    series = result["tracking"]
    actual, predicted = _("Actual"), _("Model")
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [actual, predicted]},
        "grid": {**GRID, "top": 56},
        "xAxis": _category_axis(series["dates"]),
        "yAxis": _value_axis(_("Cumulative repeat purchases")),
        "series": [
            {"name": actual, "type": "line", "data": series["actual"], "showSymbol": False},
            {
                "name": predicted, "type": "line", "data": series["predicted"], "showSymbol": False,
                "lineStyle": {"type": "dashed"},
                "markLine": {"symbol": "none", "data": [{"xAxis": series["calibration_end"]}]},
            },
        ],
    }  # fmt: skip
    rows = [
        [d, count(a, 1), count(p, 1)]
        for d, a, p in zip(series["dates"], series["actual"], series["predicted"], strict=True)
    ]
    return chart(
        "tracking",
        _("Cumulative repeat purchases"),
        option,
        [_("Week ending"), actual, predicted],
        rows,
    )
