"""ECharts options and their table views, built from a run's stored aggregates.

Each chart is a dict {"id", "title", "option", "headers", "rows"}: the page draws the
option with ECharts and offers the same numbers as a table for people who prefer one.
"""

from typing import Any

from django.utils.translation import gettext as _

from insights.stats.segments import TIERS


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
        "xAxis": {"type": "category", "data": share["months"]},
        "yAxis": {"type": "value"},
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
        [month, r, n, f"{r / (r + n):.0%}" if r + n else "—"]
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
        "grid": {"left": 80, "bottom": 60},
        "xAxis": {
            "type": "category",
            "data": [f"+{k}" for k in offsets],
            "name": _("Months after first purchase"),
        },
        "yAxis": {"type": "category", "data": cohorts["cohorts"]},
        "visualMap": {
            "min": 0,
            "max": 100,
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True, "fontSize": 9}}],
    }
    rows = [
        [name, size, *["—" if v is None else f"{v:.0%}" for v in row]]
        for name, size, row in zip(
            cohorts["cohorts"], cohorts["sizes"], cohorts["retention"], strict=True
        )
    ]
    headers = [_("Cohort"), _("Customers"), *[f"+{k}" for k in offsets]]
    return chart("cohorts", _("Monthly cohort retention (%)"), option, headers, rows)


def segment_treemap(summary: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Return the treemap of RFM segments sized by customers."""
    seg = summary["segments"]
    items = [
        {"name": labels.get(name, name), "value": count}
        for name, count in zip(seg["labels"], seg["counts"], strict=True)
        if count
    ]
    option = {
        "tooltip": {},
        "series": [{"type": "treemap", "data": items, "roam": False, "nodeClick": False}],
    }
    rows = [
        [labels.get(name, name), count, revenue]
        for name, count, revenue in zip(seg["labels"], seg["counts"], seg["revenue"], strict=True)
    ]
    return chart(
        "segments", _("RFM segments"), option, [_("Segment"), _("Customers"), _("Revenue")], rows
    )


def _histogram(chart_id: str, title: str, counts: list[int], axis: str) -> dict[str, Any]:
    bins = [f"{i * 10}–{(i + 1) * 10}%" for i in range(len(counts))]
    option = {
        "tooltip": {},
        "xAxis": {"type": "category", "data": bins, "name": axis},
        "yAxis": {"type": "value", "name": _("Customers")},
        "series": [{"type": "bar", "data": counts}],
    }
    return chart(
        chart_id,
        title,
        option,
        [axis, _("Customers")],
        [list(p) for p in zip(bins, counts, strict=True)],
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
            {"type": "sankey", "data": nodes, "links": links, "emphasis": {"focus": "adjacency"}}
        ],
    }
    rows = [[f"{a} → {b}", matrix[i][j]] for i, a in enumerate(TIERS) for j, b in enumerate(TIERS)]
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
        "xAxis": {"type": "category", "data": labels, "name": _("Years")},
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "data": summary["tenure"]}],
    }
    rows = [list(p) for p in zip(labels, summary["tenure"], strict=True)]
    return chart("tenure", _("Customer tenure"), option, [_("Years"), _("Customers")], rows)


def tracking(result: dict[str, Any]) -> dict[str, Any]:
    """Return the cumulative repeat purchases, actual against predicted (as in the BG/NBD paper)."""
    series = result["tracking"]
    actual, predicted = _("Actual"), _("Model")
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [actual, predicted]},
        "xAxis": {"type": "category", "data": series["dates"]},
        "yAxis": {"type": "value", "name": _("Cumulative repeat purchases")},
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
        [d, round(a, 1), round(p, 1)]
        for d, a, p in zip(series["dates"], series["actual"], series["predicted"], strict=True)
    ]
    return chart(
        "tracking",
        _("Cumulative repeat purchases"),
        option,
        [_("Week ending"), actual, predicted],
        rows,
    )
