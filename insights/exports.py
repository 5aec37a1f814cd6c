"""What insights offers for export (registered in ready()): the returning customers of the
latest run and the key figures of a period, both through imports' one recorder."""

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import NotFound
from imports import exports
from imports.cells import neutralise
from imports.models import ExportFormat
from insights import services
from insights.forms import SEGMENT_LABELS
from insights.models import CustomerScore, ScoreRun

RETURNING = "returning"
KPIS = "kpis"


def select_returning(user: User, values: Mapping[str, Any]) -> exports.Selection:
    """Return the run's returning customers the user may see, as filtered on their page."""
    run_id = values.get("run")
    run = ScoreRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        raise NotFound(_("There is no scoring run to export."))
    scores = services.returning_customers(
        user,
        run,
        owner_id=values.get("owner_id"),
        tier=values.get("tier") or "",
        segment=values.get("segment") or "",
    )
    return exports.Selection(scores.count(), _returning_rows(scores))


def _returning_rows(scores: Any) -> Iterator[list[Any]]:
    yield [
        _("Customer"), _("Owner"), _("First purchase"), _("Last purchase"), _("Purchases"),
        _("Value tier"), _("Segment"), _("P(alive)"), _("Churn risk"), _("CLV"),
    ]  # fmt: skip
    score: CustomerScore
    for score in scores.iterator(chunk_size=2000):
        yield [
            neutralise(score.customer.name), neutralise(str(score.customer.owner)),
            score.first_purchase_on, score.last_purchase_on, score.purchase_count,
            score.value_tier, SEGMENT_LABELS.get(score.segment, score.segment),
            f"{score.p_alive:.3f}", f"{score.churn_risk:.3f}", f"{score.clv:.2f}",
        ]  # fmt: skip


def kpi_filter(values: Mapping[str, Any]) -> services.KpiFilter:
    """Return the key-figures filter an export record keeps (JSON values) as typed values."""
    return services.KpiFilter(
        start=datetime.date.fromisoformat(values["start"]),
        end=datetime.date.fromisoformat(values["end"]),
        owner_id=values.get("owner_id"),
        team_id=values.get("team_id"),
        tier=values.get("tier") or "",
        segment=values.get("segment") or "",
        region=values.get("region") or "",
        lost_after_days=values.get("lost_after_days"),
    )


def select_kpis(user: User, values: Mapping[str, Any]) -> exports.Selection:
    """Return the period's key figures and cohort retention over the visible customers."""
    result = services.period_kpis(user, kpi_filter(values))
    rows = [[_("Figure"), _("Value"), _("Numerator"), _("Denominator")]]
    if result is not None:
        rows += [[f.label, f.value, f.numerator, f.denominator] for f in result["key_figures"]]
        cohorts = result["cohorts"]
        rows.append([])
        months = [f"M{k}" for k in range(len(cohorts.retention[0]))]
        rows.append([_("Cohort"), _("Customers"), *months])
        for name, size, row in zip(cohorts.cohorts, cohorts.sizes, cohorts.retention, strict=True):
            rows.append([name, size, *["" if v is None else v for v in row]])
    return exports.Selection(len(rows) - 1, iter(rows))


def register() -> None:
    """Offer the returning customers and the key figures for export."""
    exports.sources.register(
        RETURNING,
        exports.ExportSource(
            gettext_lazy("Returning customers"),
            "returning-customers",
            select_returning,
            formats=(ExportFormat.CSV,),
        ),
        order=30,
    )
    exports.sources.register(
        KPIS,
        exports.ExportSource(
            gettext_lazy("Key figures"),
            "kpis",
            select_kpis,
            allowed=exports.any_role,
            formats=(ExportFormat.CSV,),
        ),
        order=40,
    )
