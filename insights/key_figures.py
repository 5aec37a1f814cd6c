"""Key figures: an extension point the key-figures page and its CSV read.

Each source turns one period over the visible, filtered customers into figures; another app
(service: complaint rate, satisfaction) adds its own source in its AppConfig.ready().
insights registers the purchase figures the same way.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.registry import Registry
from core.templatetags.core import money, percent
from insights.stats.kpis import PeriodFigures

# The one definition of the average order value, said the same way on every page that shows
# it (PeriodFigures.average_order_value computes it; a profile's is the same over all time).
AOV_FORMULA = gettext_lazy(
    "Revenue in the period ÷ orders in the period (every paid order counts, several on one "
    "day too)."
)


@dataclass(frozen=True)
class KeyFigure:
    """One figure as the page shows it and as the CSV exports it."""

    label: str
    shown: str  # formatted for the page: "12.5%", "¥1,234.00", "—"
    formula: str  # how it is computed, said in words
    value: Any  # unformatted, for the CSV; None when there is nothing to divide by
    numerator: Any = ""
    denominator: Any = ""


@dataclass(frozen=True)
class PeriodScope:
    """What every source is asked about: a period over the customers the page filtered to."""

    user: User
    start: datetime.date
    end: datetime.date
    customer_ids: np.ndarray  # the visible customers matching the page's filters
    purchases: PeriodFigures  # computed once from the purchases, for sources that need them
    settings: dict[str, Any]


class KeyFigureSource(Protocol):
    """Return this source's figures for the scope, in the order they are shown."""

    def __call__(self, scope: PeriodScope, /) -> Iterable[KeyFigure]: ...


key_figure_sources: Registry[KeyFigureSource] = Registry("key figures")


def key_figures(scope: PeriodScope) -> list[KeyFigure]:
    """Return every registered source's figures, sources in registry order."""
    return [figure for source in key_figure_sources for figure in source(scope)]


def purchase_figures(scope: PeriodScope) -> list[KeyFigure]:
    """Return repurchase rate, churn rate, order value and the revenue split."""
    f = scope.purchases
    return [
        KeyFigure(
            _("Repurchase rate"), percent(f.repurchase_rate),
            _("Returning customers who bought again in the period ÷ all returning customers."),
            f.repurchase_rate, f.repurchased, f.returning_customers,
        ),
        KeyFigure(
            _("Churn rate"), percent(f.churn_rate),
            _("Returning customers active at the period start with no purchase for the "
              "configured number of days at its end ÷ returning customers active at the start."),
            f.churn_rate, f.churned, f.churn_base,
        ),
        KeyFigure(
            _("Average order value"), money(f.average_order_value), str(AOV_FORMULA),
            f.average_order_value, f.revenue, f.orders,
        ),
        KeyFigure(
            _("Revenue from returning customers"), money(f.returning_revenue),
            _("Revenue from purchases made by customers who were already returning customers."),
            f.returning_revenue,
        ),
        KeyFigure(
            _("Revenue from new customers"), money(f.new_revenue),
            _("Revenue from purchases by customers who were not yet returning customers."),
            f.new_revenue,
        ),
    ]  # fmt: skip


def register() -> None:
    """Register insights' own purchase figures first."""
    key_figure_sources.register("purchases", purchase_figures, order=10)
