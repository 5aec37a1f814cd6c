"""Churn early-warning reasons. Each reason looks at the whole scored base at once.

Reasons are an extension point: another app (service: complaints, low satisfaction) adds its
own to `warning_reasons` in its AppConfig.ready(), and the scoring run asks every one of them
in the registry's fixed order. insights registers its own three the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.registry import Registry
from core.templatetags.core import money


@dataclass(frozen=True)
class ScoredBase:
    """What a rule may look at: arrays aligned by customer, plus the run's settings."""

    customer_id: np.ndarray
    churn_risk: np.ndarray
    previous_churn_risk: np.ndarray  # NaN where the customer was not scored before
    purchase_count: np.ndarray
    typical_interval_days: np.ndarray  # NaN for fewer than two purchases
    days_since_last: np.ndarray
    period_spend: np.ndarray  # (customers, periods), column 0 the latest period
    period_visits: np.ndarray
    settings: dict[str, Any]


# A reason's flags: {customer index: the parameters its sentence needs}.
Flags = dict[int, dict[str, Any]]
Rule = Callable[[ScoredBase], Flags]


class WarningReason(Protocol):
    """One reason a customer may be slipping away, and how to say it."""

    @property
    def code(self) -> str:
        """Return the stable code stored with each warning."""
        ...

    def flag(self, base: ScoredBase, /) -> Flags:
        """Return the customers this reason flags, by index into the base."""
        ...

    def describe(self, params: dict[str, Any], /) -> str:
        """Return a stored reason's parameters as a sentence in the current language."""
        ...


class DatabaseReason:
    """A reason whose facts live in the database (another app's records).

    Reasons are flagged in a forked child that shares the parent's database connection, so
    `flag` must not query: `load` reads the facts in the parent before the fork, as
    {customer id: the parameters its sentence needs}, and `flag` only looks them up.
    """

    def __init__(
        self,
        code: str,
        load: Callable[[], dict[int, dict[str, Any]]],
        describer: Callable[[dict[str, Any]], str],
    ) -> None:
        self.code = code
        self._load = load
        self._describer = describer
        self._facts: dict[int, dict[str, Any]] = {}

    def prepare(self) -> None:
        """Read the facts (in the parent, before the fork)."""
        self._facts = self._load()

    def flag(self, base: ScoredBase, /) -> Flags:
        if not self._facts:
            return {}
        wanted = np.fromiter(self._facts, dtype=np.int64)
        hits = np.flatnonzero(np.isin(base.customer_id, wanted))
        return {index: self._facts[int(base.customer_id[index])] for index in hits.tolist()}

    def describe(self, params: dict[str, Any], /) -> str:
        return self._describer(params)


def prepare_reasons() -> None:
    """Let the reasons that read the database read it now, before they flag in a child."""
    for reason in warning_reasons:
        if isinstance(reason, DatabaseReason):
            reason.prepare()


@dataclass(frozen=True)
class RuleReason:
    """A warning reason made of two plain functions."""

    code: str
    rule: Rule
    describer: Callable[[dict[str, Any]], str]

    def flag(self, base: ScoredBase, /) -> Flags:
        return self.rule(base)

    def describe(self, params: dict[str, Any], /) -> str:
        return self.describer(params)


warning_reasons: Registry[WarningReason] = Registry("churn-warning reasons")


def register_rule(
    code: str, rule: Rule, describe: Callable[[dict[str, Any]], str], order: int = 100
) -> None:
    """Add a warning reason made of a rule and the function that says it in words."""
    register_reason(RuleReason(code, rule, describe), order)


def register_reason(reason: WarningReason, order: int = 100) -> None:
    """Add a warning reason under its code; lower `order` is asked (and said) first."""
    warning_reasons.register(reason.code, reason, order)


def describe(reason: dict[str, Any]) -> str:
    """Return a stored reason in the current language (its bare code once unregistered)."""
    registered = warning_reasons.get(reason["code"])
    return str(reason["code"]) if registered is None else registered.describe(reason["params"])


def high_churn_risk(base: ScoredBase) -> dict[int, dict[str, Any]]:
    """Flag customers whose churn risk is above the threshold."""
    threshold = base.settings["churn_threshold"]
    hits = np.flatnonzero((base.churn_risk > threshold) & (base.purchase_count >= 2))
    # Plain Python numbers: hundreds of thousands of hits, and NumPy scalars are slow one by one.
    previous = base.previous_churn_risk[hits]
    before = previous.astype(object)
    before[np.isnan(previous)] = None
    return {
        i: {"risk": round(risk, 3), "previous": None if old is None else round(old, 3)}
        for i, risk, old in zip(
            hits.tolist(), base.churn_risk[hits].tolist(), before.tolist(), strict=True
        )
    }


def describe_high_churn_risk(params: dict[str, Any]) -> str:
    risk = round(params["risk"] * 100)
    if params.get("previous") is not None and params["previous"] < params["risk"]:
        return _("Churn risk rose from %(before)d%% to %(now)d%%.") % {
            "before": round(params["previous"] * 100),
            "now": risk,
        }
    return _("Churn risk is %(now)d%%.") % {"now": risk}


def overdue(base: ScoredBase) -> dict[int, dict[str, Any]]:
    """Flag customers far past their own usual interval between purchases."""
    factor = base.settings["overdue_factor"]
    interval = base.typical_interval_days
    known = ~np.isnan(interval) & (base.purchase_count >= 3)
    late = known & (base.days_since_last > factor * np.where(known, interval, 0))
    late &= base.days_since_last >= base.settings["overdue_min_days"]
    hits = np.flatnonzero(late)
    return {
        i: {"usual": round(usual), "now": now}
        for i, usual, now in zip(
            hits.tolist(), interval[hits].tolist(), base.days_since_last[hits].tolist(), strict=True
        )
    }


def describe_overdue(params: dict[str, Any]) -> str:
    return (
        ngettext(
            "Usually buys every %(usual)d day, now %(now)d days since the last purchase.",
            "Usually buys every %(usual)d days, now %(now)d days since the last purchase.",
            params["usual"],
        )
        % params
    )


def declining(base: ScoredBase) -> dict[int, dict[str, Any]]:
    """Flag customers whose spend in the latest period fell sharply against earlier ones."""
    ratio = base.settings["decline_ratio"]
    latest = base.period_spend[:, 0]
    earlier = base.period_spend[:, 1:]
    active_earlier = (base.period_visits[:, 1:] > 0).sum(axis=1)
    earlier_mean = earlier.mean(axis=1)
    fell = (active_earlier >= 2) & (earlier_mean > 0) & (latest < ratio * earlier_mean)
    days = base.settings["period_days"]
    hits = np.flatnonzero(fell)
    return {
        i: {"latest": round(spent, 2), "usual": round(usual, 2), "days": days}
        for i, spent, usual in zip(
            hits.tolist(), latest[hits].tolist(), earlier_mean[hits].tolist(), strict=True
        )
    }


def describe_declining(params: dict[str, Any]) -> str:
    amounts = {"latest": money(params["latest"]), "usual": money(params["usual"])}
    return _(
        "Spent %(latest)s in the last %(days)d days, against %(usual)s in a usual period before."
    ) % {**params, **amounts}


def register() -> None:
    """Register insights' own reasons, in the order their sentences are shown."""
    register_rule("churn_risk", high_churn_risk, describe_high_churn_risk, order=10)
    register_rule("overdue", overdue, describe_overdue, order=20)
    register_rule("declining", declining, describe_declining, order=30)


def evaluate(base: ScoredBase) -> dict[int, list[dict[str, Any]]]:
    """Return every flagged customer index with all its reasons.

    A warning is about a customer slipping away, so customers already lost (no purchase for
    more than `lost_after_days`) get none: they belong to win-back work, not to today's list,
    and listing them would bury the customers who can still be kept.
    """
    slipping = base.days_since_last <= base.settings["lost_after_days"]
    flagged: dict[int, list[dict[str, Any]]] = {}
    for reason in warning_reasons:
        for index, params in reason.flag(base).items():
            if slipping[index]:
                flagged.setdefault(index, []).append({"code": reason.code, "params": params})
    return flagged
