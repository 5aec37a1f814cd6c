"""Scoring runs and what the pages read from them."""

import datetime
import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import sees_every_customer, visible_owner_q
from accounts.models import Membership, Role, User
from core.analysis_cache import cache_path, load_arrays, save_arrays
from core.bulk import insert_columns
from core.errors import Conflict, Forbidden, Invalid
from core.memory import cyclic_gc_paused
from core.numeric_read import integer_rows
from core.templatetags.core import money
from customers.models import Customer
from imports import progress as progress_store
from insights import warnings
from insights.aside import compute_aside
from insights.key_figures import PeriodScope, key_figures
from insights.models import (
    CUSTOMER_BITS,
    BacktestRecord,
    BacktestStatus,
    ChurnWarning,
    CustomerScore,
    RunStatus,
    ScoreRun,
    score_key,
)
from insights.stats.backtest import backtest
from insights.stats.errors import ModelError
from insights.stats.kpis import cohort_retention, period_figures
from insights.stats.scoring import Scored, dashboard_summary, score
from insights.stats.summary import customer_days, day_number
from interactions.services import create_follow_up
from sales.services import keep_purchases_up_to_date, purchase_rows

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


def config() -> dict[str, Any]:
    """Return the analysis settings as stored with each run."""
    values: dict[str, Any] = dict(settings.INSIGHTS)
    values["tier_shares"] = list(values["tier_shares"])
    return values


@dataclass
class Stopwatch:
    """Seconds spent in each stage of a run, stored with the run as counts["timings"]."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = round(self.seconds.get(name, 0.0) + elapsed, 3)


def run_scoring(as_of: datetime.date | None = None) -> ScoreRun:
    """Score every customer as of a date and store the run; a failed run keeps the last good one.

    Only purchases on or before `as_of` count, so a run can be repeated for any past date
    and compared with what happened after it.
    """
    as_of = as_of or timezone.localdate()
    settings_used = config()
    run = ScoreRun.objects.create(as_of=as_of, parameters={"settings": settings_used})
    started = time.perf_counter()
    try:
        with cyclic_gc_paused(collect_after=True):
            _score_and_store(run, as_of, settings_used)
    except ModelError as error:
        run.fail(error)
    run.finished_at = timezone.now()
    run.duration_seconds = round(time.perf_counter() - started, 3)
    run.save(update_fields=["status", "message", "parameters", "finished_at", "duration_seconds"])
    return run


def _score_and_store(run: ScoreRun, as_of: datetime.date, settings_used: dict[str, Any]) -> None:
    watch = Stopwatch()
    with watch.stage("read_orders"):
        rows = purchase_rows(as_of)  # the housekeeping after the run saves the file
    scored = score(
        rows.customer_id,
        rows.day,
        rows.amount,
        as_of,
        settings_used,
        watch.stage,
        orders=rows.orders,
    )
    with watch.stage("previous_risk"):
        previous_risk = _previous_risk(ScoreRun.objects.latest_good(), scored.summary.customer_id)
    with watch.stage("teams"):
        teams = _teams_of(scored.summary.customer_id)
    with watch.stage("reason_facts"):
        warnings.prepare_reasons()
    with transaction.atomic():
        aside = compute_aside(
            _flag_and_summarise, scored, previous_risk, teams, as_of, settings_used
        )
        with watch.stage("store_scores"):
            _store_scores(run, scored)
        with watch.stage("wait_for_rules_and_aggregates"):
            flagged, summary, seconds = aside()
        watch.seconds.update(seconds)
        with watch.stage("store_warnings"):
            _store_warnings(run, scored, flagged)
        stored = scored.summary.n_customers
        run.parameters = {
            "settings": settings_used,
            "bgnbd": scored.purchases.as_dict(),
            "gamma_gamma": scored.spend.as_dict(),
        }
        run.counts = {
            "purchase_days": int(rows.day.size),
            "customers_scored": stored,
            "warnings": len(flagged.positions),
            "customers_without_purchases": Customer.objects.active().count() - stored,
            "timings": watch.seconds,
        }
        run.summary = summary
        run.fit_warnings = [warning.as_dict() for warning in scored.warnings]
        run.status = RunStatus.SUCCEEDED
        # Finished with its scores, in their transaction: a run killed after this commit is
        # complete, and one killed before it left nothing.
        run.finished_at = timezone.now()
        fields = ["parameters", "counts", "summary", "fit_warnings", "status", "finished_at"]
        run.save(update_fields=fields)
    _keep_risk(run, scored)


Flagged = dict[int, list[dict[str, Any]]]


@dataclass(frozen=True)
class EncodedWarnings:
    """The flagged customers' positions in the scores and their reasons as JSON text."""

    positions: list[int]
    reasons: list[str]


def _flag_and_summarise(
    scored: Scored, previous_risk: np.ndarray, teams: dict[str, np.ndarray],
    as_of: datetime.date, settings_used: dict[str, Any],
) -> tuple[EncodedWarnings, dict[str, Any], dict[str, float]]:  # fmt: skip
    """Return the warnings, the dashboard aggregates and their seconds (no database use)."""
    watch = Stopwatch()
    flagged = _flag(scored, previous_risk, settings_used, watch)
    with watch.stage("encode_warnings"):
        # The C encoder: the reasons hold plain numbers and strings only.
        encoded = EncodedWarnings(list(flagged), [json.dumps(r) for r in flagged.values()])
    with watch.stage("summaries"):
        summary = {
            name: dashboard_summary(scored, keep, as_of, settings_used)
            for name, keep in teams.items()
        }
    return encoded, summary, watch.seconds


def _teams_of(customer_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Return which scored customers each dashboard covers: everyone's, each team's, each rep's.

    A user in several teams sees their customers together, so those teams get one more
    dashboard over all of them (scope_key). A sales rep sees only their own customers (the
    access rule), so each rep who owns a scored customer gets a dashboard of their own
    (owner_key), shown beside their team's.
    """
    pairs = integer_rows(Customer._meta.db_table, ["id", "owner_id"])
    pairs = pairs[np.argsort(pairs[:, 0])]
    owner_of = _lookup(pairs[:, 0], pairs[:, 1], customer_ids, 0)
    members_of: dict[int, set[int]] = {}
    teams_of_user: dict[int, set[int]] = {}
    for user_id, team_id in Membership.objects.values_list("user_id", "team_id"):
        members_of.setdefault(team_id, set()).add(user_id)
        teams_of_user.setdefault(user_id, set()).add(team_id)
    scopes = {frozenset([team]) for team in members_of}
    scopes |= {frozenset(teams) for teams in teams_of_user.values()}
    teams = {"all": np.ones(customer_ids.size, dtype=bool)}
    for scope in scopes:
        members = set().union(*(members_of[team] for team in scope))
        teams[scope_key(scope)] = np.isin(owner_of, sorted(members))
    reps = User.objects.filter(role=Role.REP, pk__in=np.unique(owner_of).tolist())
    for rep_id in reps.values_list("pk", flat=True):
        teams[owner_key(rep_id)] = owner_of == rep_id
    return teams


def scope_key(team_ids: Iterable[int]) -> str:
    """Return the key of the dashboard over these teams' customers together."""
    return "team:" + "+".join(str(team) for team in sorted(set(team_ids)))


def owner_key(user_id: int) -> str:
    """Return the key of the dashboard over one sales rep's own customers."""
    return f"owner:{user_id}"


SCORE_COLUMNS = (
    "id", "run", "customer", "purchase_count", "first_purchase_on", "last_purchase_on", "revenue",
    "is_returning", "typical_interval_days", "p_alive", "churn_risk", "expected_purchases_30",
    "expected_purchases_90", "expected_purchases_365", "expected_spend", "clv", "value_tier",
    "r_score", "f_score", "m_score", "segment",
)  # fmt: skip


def _pairs(values: "QuerySet[Any, tuple[Any, Any]]") -> tuple[np.ndarray, np.ndarray]:
    """Return two columns of numbers (the first one a unique key) sorted by the first."""
    pairs = np.array(list(values.iterator(50_000)), dtype=np.float64).reshape(-1, 2)
    order = np.argsort(pairs[:, 0], kind="stable")
    return pairs[order, 0].astype(np.int64), pairs[order, 1]


def _lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray, missing: float) -> np.ndarray:
    """Return the value of each wanted key (keys sorted and unique), `missing` where absent."""
    where = np.minimum(np.searchsorted(keys, wanted), max(keys.size - 1, 0))
    found = keys[where] == wanted if keys.size else np.zeros(wanted.size, dtype=bool)
    result: np.ndarray = np.where(found, values[where] if keys.size else missing, missing)
    return result


def _iso_dates(day_numbers: np.ndarray) -> list[str]:
    """Return day numbers as the ISO dates a DateField stores."""
    distinct, positions = np.unique(day_numbers, return_inverse=True)
    text = np.datetime_as_string(distinct.astype("datetime64[D]")).astype(object)
    dates: list[str] = text[positions].tolist()
    return dates


def _score_columns(run: ScoreRun, scored: Scored) -> list[Any]:
    """Return the run's scores as database columns (SCORE_COLUMNS), one row per customer."""
    s, summary = scored.scores, scored.summary
    interval = scored.typical_interval.astype(object)  # NaN (one purchase) is stored as NULL
    interval[np.isnan(scored.typical_interval)] = None
    return [
        (run.pk << CUSTOMER_BITS) + summary.customer_id.astype(np.int64),
        np.full(summary.n_customers, run.pk), summary.customer_id, summary.frequency + 1,
        _iso_dates(summary.first_purchase_day),
        _iso_dates(day_number(run.as_of) - scored.days_since_last),
        np.round(scored.window_revenue, 2), scored.is_returning, interval,
        s.probability_alive, s.churn_risk, scored.expected[30], scored.expected[90],
        scored.expected[365], s.expected_spend, s.clv, scored.tiers,
        scored.r, scored.f, scored.m, scored.segments,
    ]  # fmt: skip


def _store_scores(run: ScoreRun, scored: Scored) -> int:
    """Write every customer's score; return how many were written."""
    return insert_columns(CustomerScore, SCORE_COLUMNS, _score_columns(run, scored), convert=False)


def _previous_risk(previous: ScoreRun | None, ids: np.ndarray) -> np.ndarray:
    """Return each customer's churn risk in the previous run (NaN where it had none).

    From the file the previous run left (a million rows read from its scores cost a second
    of the nightly run), or from its scores when the file is missing or does not match.
    """
    if previous is None:
        return np.full(ids.size, np.nan)
    kept = load_arrays(cache_path(_risk_file(previous.pk)), ("customer_id", "churn_risk"))
    if kept is not None and kept["customer_id"].size == previous.counts.get("customers_scored"):
        customers, risk = kept["customer_id"], kept["churn_risk"]
    else:
        customers, risk = _pairs(
            CustomerScore.objects.of_run(previous.pk).values_list("customer_id", "churn_risk")
        )
    return _lookup(customers, risk, ids, np.nan)


def _risk_file(run_id: int) -> str:
    return f"run-{run_id}-churn-risk"


def _keep_risk(run: ScoreRun, scored: Scored) -> None:
    """Leave the run's churn risks in a file for the next run's "risk rose" rule."""
    save_arrays(
        cache_path(_risk_file(run.pk)),
        customer_id=scored.summary.customer_id, churn_risk=scored.scores.churn_risk,
    )  # fmt: skip


def _flag(
    scored: Scored, previous_risk: np.ndarray, settings_used: dict[str, Any], watch: Stopwatch
) -> Flagged:
    """Return the warning reasons of each flagged customer, by position in the scores."""
    base = warnings.ScoredBase(
        customer_id=scored.summary.customer_id, churn_risk=scored.scores.churn_risk,
        previous_churn_risk=previous_risk,
        purchase_count=scored.summary.frequency + 1,
        typical_interval_days=scored.typical_interval, days_since_last=scored.days_since_last,
        period_spend=scored.period_spend, period_visits=scored.period_visits,
        settings=settings_used,
    )  # fmt: skip
    with watch.stage("warning_rules"):
        return warnings.evaluate(base)


def _store_warnings(run: ScoreRun, scored: Scored, flagged: EncodedWarnings) -> None:
    positions = np.array(flagged.positions, dtype=np.int64)
    customers = scored.summary.customer_id[positions].astype(np.int64)
    columns = [
        np.full(customers.size, run.pk), customers, (run.pk << CUSTOMER_BITS) + customers,
        flagged.reasons,
        (scored.scores.clv * scored.scores.churn_risk)[positions],
    ]  # fmt: skip
    fields = ("run", "customer", "score", "reasons", "value_at_risk")
    insert_columns(ChurnWarning, fields, columns, convert=False)


def tidy_after_run() -> None:
    """Delete old runs' scores and bring the purchase file up to date, after a good run.

    Both where nobody waits: deleting a run's million scores and writing the purchase file
    (or reading every order again, weekly: ~8 s at ten million) are costs the run never pays.
    """
    prune_old_scores()
    keep_purchases_up_to_date()


@transaction.atomic
def prune_old_scores(keep: int | None = None) -> None:
    """Delete the per-customer rows of all but the newest good runs; run records stay.

    Separate from run_scoring, which the pages wait for: deleting a million rows of an old
    run takes as long as writing them, and nobody waits for it.
    """
    keep = int(config()["keep_runs"]) if keep is None else keep
    kept = ScoreRun.objects.kept(keep).values("pk")
    # A run started in the last day may still be writing (a `score` command beside the nightly
    # job); older unfinished runs were killed and their scores are deleted with the rest.
    running = ScoreRun.objects.filter(
        status=RunStatus.RUNNING, started_at__gte=timezone.now() - datetime.timedelta(days=1)
    )
    old_runs = ScoreRun.objects.exclude(pk__in=kept).exclude(pk__in=running.values("pk"))
    for old in old_runs.values_list("pk", flat=True):
        CustomerScore.objects.delete_run(old)
        cache_path(_risk_file(old)).unlink(missing_ok=True)


def latest_run() -> ScoreRun | None:
    """Return the run every page shows."""
    return ScoreRun.objects.latest_good()


def score_for(customer: Customer) -> CustomerScore | None:
    """Return the customer's score in the latest good run."""
    run = latest_run()
    if run is None:
        return None
    return CustomerScore.objects.of_customer(run.pk, customer.pk).select_related("run").first()


def warning_for(customer: Customer) -> ChurnWarning | None:
    """Return the customer's warning in the latest good run, if any."""
    run = latest_run()
    return None if run is None else ChurnWarning.objects.filter(run=run, customer=customer).first()


# How long the ids of the warnings leading a user's Today are kept (warnings_for_today).
TODAY_WARNINGS_SECONDS = 3600


def visible_warnings(user: User, run: ScoreRun) -> QuerySet[ChurnWarning]:
    """Return the run's warnings on customers the user may see, highest value at risk first."""
    return (
        ChurnWarning.objects.filter(run=run, customer__archived_at__isnull=True)
        .filter(visible_owner_q(user, "customer__owner"))
        .select_related("customer__owner", "score")
        .order_by("-value_at_risk", "pk")
    )


def warnings_for_today(user: User, run: ScoreRun, limit: int) -> list[ChurnWarning]:
    """Return the first `limit` of visible_warnings, found once per run and user.

    A run's warnings do not change until the next run, so which ones lead a user's list is
    kept (their ids, by run, user and limit, for TODAY_WARNINGS_SECONDS) and read back by key
    through visible_warnings again: a customer archived or handed to another rep since
    leaves the list at once, one handed to this user joins it when the entry expires.
    """
    key = f"today-warnings:v1:{run.pk}:{user.pk}:{limit}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        ids = [warning.pk for warning in _leading_warnings(user, run, limit)]
        cache.set(key, ids, TODAY_WARNINGS_SECONDS)
    return list(visible_warnings(user, run).filter(pk__in=ids))


def _leading_warnings(user: User, run: ScoreRun, limit: int) -> list[ChurnWarning]:
    """Return the first `limit` of visible_warnings, read the cheaper of two ways.

    visible_warnings walks the run's warnings by value and keeps the user's: for a rep who
    owns a small share of the base (5,000 of a million) it passes tens of thousands of other
    reps' warnings first (60 ms). Looking up the warnings of each of the rep's customers
    costs one probe per customer instead (15 ms for 5,000), which for a rep with a large
    share is the slower way (docs/performance.md, Today).
    """
    warnings = visible_warnings(user, run)
    if user.role == Role.REP and _few_owned(user, run, limit):
        owned = Customer.objects.filter(visible_owner_q(user)).values("pk")
        warnings = warnings.filter(customer_id__in=owned)
    return list(warnings[:limit])


def _few_owned(user: User, run: ScoreRun, limit: int) -> bool:
    """Return whether the rep's customers are fewer than the warnings a walk would pass.

    The walk passes about limit × scored / owned warnings; the lookup, `owned` customers.
    The run's own counts say how many customers it scored and the rep owned; a run without
    them (written by hand) is taken as a large base.
    """
    scored = run.counts.get("customers_scored")
    if not scored:
        return True
    owned = (run.summary.get(owner_key(user.pk)) or {}).get("customers")
    if owned is None:  # no scored customer of the rep's in the run's summary
        owned = Customer.objects.filter(owner=user).count()
    return bool(owned * owned < limit * scored)


def warnings_in_order(ids: list[int]) -> list[ChurnWarning]:
    """Return these warnings, in this order, with what the list shows of each."""
    found = ChurnWarning.objects.filter(pk__in=ids).select_related("customer__owner", "score")
    by_id = {warning.pk: warning for warning in found}
    return [by_id[pk] for pk in ids if pk in by_id]


@transaction.atomic
def follow_up_from_warning(actor: User, warning: ChurnWarning, note: str) -> int:
    """Turn a warning into a follow-up for the customer's owner (once; a repeat is a no-op)."""
    locked = ChurnWarning.objects.select_for_update().get(pk=warning.pk)
    if locked.follow_up_id is None:
        follow_up = create_follow_up(
            locked.customer.owner, locked.customer, timezone.localdate(), note, actor
        )
        locked.follow_up_id = follow_up.pk
        locked.save(update_fields=["follow_up_id"])
    return int(locked.follow_up_id)


def summary_for(user: User, run: ScoreRun) -> dict[str, Any]:
    """Return the dashboard aggregates over the customers the user sees (the access rule).

    Everyone's for admins and agents, their teams' for a manager, their own for a sales rep.
    """
    if sees_every_customer(user):
        return dict(run.summary.get("all", {}))
    if user.role == Role.REP:
        return dict(run.summary.get(owner_key(user.pk), {"customers": 0}))
    return team_summary_for(user, run) or {}


def team_summary_for(user: User, run: ScoreRun) -> dict[str, Any] | None:
    """Return the aggregates over the user's teams' customers together, None without a team."""
    team_ids = list(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    return dict(run.summary.get(scope_key(team_ids), {})) if team_ids else None


def segment_movement(user: User, before: ScoreRun, after: ScoreRun) -> dict[tuple[str, str], int]:
    """Return how many visible customers moved from each segment to each other between runs."""
    # A customer's score in the earlier run is the same key with the earlier run's bits.
    earlier = CustomerScore.objects.filter(pk=OuterRef("pk") - score_key(after.pk - before.pk, 0))
    pairs = (
        CustomerScore.objects.of_run(after.pk)
        .filter(customer__in=_visible_ids(user))
        .annotate(before=Subquery(earlier.values("segment")))
        .filter(before__isnull=False)
        .values("before", "segment")
        .annotate(n=Count("pk"))
    )
    return {(row["before"], row["segment"]): row["n"] for row in pairs}


def _visible_ids(user: User) -> "QuerySet[Customer, Any]":
    return Customer.objects.filter(visible_owner_q(user)).values("pk")


def segment_table(user: User, run: ScoreRun) -> list[dict[str, Any]]:
    """Return segment sizes and revenue over the visible customers."""
    rows = (
        CustomerScore.objects.of_run(run.pk)
        .filter(customer__in=_visible_ids(user))
        .values("segment")
        .annotate(customers=Count("pk"), revenue=Sum("revenue"))
    )
    return list(rows)


@dataclass(frozen=True)
class KpiFilter:
    start: datetime.date
    end: datetime.date
    owner_id: int | None = None
    team_id: int | None = None
    tier: str = ""
    segment: str = ""
    region: str = ""
    lost_after_days: int | None = None


def _filtered_customer_ids(user: User, kpi: KpiFilter) -> np.ndarray:
    customers = Customer.objects.filter(visible_owner_q(user))
    if kpi.owner_id:
        customers = customers.filter(owner_id=kpi.owner_id)
    if kpi.team_id:
        members = Membership.objects.filter(team_id=kpi.team_id).values("user_id")
        customers = customers.filter(owner_id__in=members)
    if kpi.region:
        customers = customers.filter(region=kpi.region)
    run = latest_run()
    if run is not None and (kpi.tier or kpi.segment):
        scores = CustomerScore.objects.of_run(run.pk)
        scores = scores.filter(value_tier=kpi.tier) if kpi.tier else scores
        scores = scores.filter(segment=kpi.segment) if kpi.segment else scores
        customers = customers.filter(pk__in=scores.values("customer_id"))
    return np.fromiter(customers.values_list("pk", flat=True).iterator(), dtype=np.int64)


def period_kpis(user: User, kpi: KpiFilter) -> dict[str, Any] | None:
    """Return the manager's figures for a period over the visible, filtered customers.

    Computed from the purchases at request time because any filter combination is
    allowed; None when no filtered customer has bought anything by the period end.
    """
    settings_used = config()
    if kpi.lost_after_days:
        settings_used["lost_after_days"] = kpi.lost_after_days
    rows = purchase_rows(kpi.end)
    customer_ids = _filtered_customer_ids(user, kpi)
    keep = np.isin(rows.customer_id, customer_ids)
    if not keep.any():
        return None
    days = customer_days(
        rows.customer_id[keep], rows.day[keep], rows.amount[keep], orders=rows.orders[keep]
    )
    figures = period_figures(
        days, day_number(kpi.start), day_number(kpi.end),
        settings_used["returning_days"], settings_used["lost_after_days"],
    )  # fmt: skip
    scope = PeriodScope(user, kpi.start, kpi.end, customer_ids, figures, settings_used)
    return {
        "figures": figures,
        "key_figures": key_figures(scope),
        "cohorts": cohort_retention(days, 12, 12),
        "settings": settings_used,
    }


def returning_customers(
    user: User, run: ScoreRun, owner_id: int | None = None, tier: str = "", segment: str = ""
) -> QuerySet[CustomerScore]:
    """Return the run's returning customers the user may see, most valuable first."""
    scores = (
        CustomerScore.objects.of_run(run.pk)
        .filter(is_returning=True, customer__archived_at__isnull=True)
        .filter(visible_owner_q(user, "customer__owner"))
        .select_related("customer__owner")
    )
    if owner_id:
        scores = scores.filter(customer__owner_id=owner_id)
    if tier:
        scores = scores.filter(value_tier=tier)
    if segment:
        scores = scores.filter(segment=segment)
    return scores.order_by("-clv", "pk")


@dataclass(frozen=True)
class CustomerInsight:
    """What the latest run says about one customer, in sentences a rep can use on a call."""

    score: CustomerScore
    sentences: list[str]
    warning_reasons: list[str]
    value_meaning: str = ""  # what the lifetime value counts, beside it


def customer_insight(customer: Customer) -> CustomerInsight | None:
    """Return the customer's scores and their meaning in words, or None before any run."""
    score = score_for(customer)
    if score is None:
        return None
    warning = warning_for(customer)
    reasons = [warnings.describe(reason) for reason in warning.reasons] if warning else []
    return CustomerInsight(
        score=score, sentences=_sentences(score), warning_reasons=reasons,
        value_meaning=_value_meaning(score),
    )  # fmt: skip


def _value_meaning(score: CustomerScore) -> str:
    """Return what the lifetime value counts, with the settings of the run that computed it.

    Beside "expected to spend" it reads as a contradiction unless it says that it is the
    margin, not the revenue, and in today's money.
    """
    used = {**config(), **score.run.parameters.get("settings", {})}
    return _(
        "Lifetime value is the margin (%(margin)s%% of the spend) on the purchases expected in "
        "the next %(months)d months, discounted by %(rate)s%% a month to today's money; "
        "the expected spend is the revenue of the next 12 months, before margin and discounting."
    ) % {
        "margin": f"{used['margin'] * 100:g}", "months": used["clv_months"],
        "rate": f"{used['monthly_discount_rate'] * 100:g}",
    }  # fmt: skip


def _sentences(score: CustomerScore) -> list[str]:
    buys_again = round((1 - score.churn_risk) * 100)
    days = settings.INSIGHTS["churn_horizon_days"]
    if score.purchase_count < 2:
        # BG/NBD cannot tell whether a one-time buyer is still active (it says P(alive) = 1);
        # the chance of a purchase in the coming period is the honest figure.
        first = _(
            "Has bought once so far; %(chance)d%% chance of buying again in the next %(days)d days."
        )
        sentences = [first % {"chance": buys_again, "days": days}]
    else:
        sentences = [
            _("%(alive)d%% likely still active; usually buys every %(interval)d days.")
            % {
                "alive": round(score.p_alive * 100),
                "interval": round(score.typical_interval_days or 0),
            },
            _("%(chance)d%% chance of buying in the next %(days)d days.")
            % {"chance": buys_again, "days": days},
        ]
    spend = score.expected_purchases_365 * score.expected_spend
    sentences.append(
        _("Expected to spend %(amount)s in the next 12 months.") % {"amount": _money(spend)}
    )
    return sentences


def _money(amount: float) -> str:
    return money(round(amount, 0), 0)


# --- back-tests started from the page, run on the queue -------------------------------------

BACKTEST_PROGRESS = "backtest"
BACKTEST_STEPS = 3  # read the orders, fit and judge the holdout, save
# A back-test whose worker has not reported for this long was killed; another may start.
BACKTEST_STALE_AFTER = datetime.timedelta(minutes=30)


def latest_backtest() -> BacktestRecord | None:
    """Return the newest finished back-test, the one the page shows."""
    return BacktestRecord.objects.filter(status=BacktestStatus.DONE).first()


def running_backtest() -> BacktestRecord | None:
    """Return the back-test queued or running now, if its worker is still reporting."""
    record = BacktestRecord.objects.filter(
        status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING)
    ).first()
    if record is None:
        return None
    report = progress_store.read(record.pk, BACKTEST_PROGRESS)
    last = report["at"] if report else record.created_at.timestamp()
    return None if time.time() - last > BACKTEST_STALE_AFTER.total_seconds() else record


def backtest_progress(record: BacktestRecord) -> dict[str, Any]:
    """Return how far a back-test is: steps done of all, and percent."""
    report = progress_store.read(record.pk, BACKTEST_PROGRESS) or {}
    done = BACKTEST_STEPS if not record.is_running else int(report.get("done", 0))
    return {"done": done, "total": BACKTEST_STEPS, "percent": int(100 * done / BACKTEST_STEPS)}


def may_backtest(user: User) -> bool:
    """Return whether the user may start a back-test: managers and administrators."""
    return user.is_active and (user.is_admin or user.is_manager)


def queue_backtest(
    user: User, calibration_end: datetime.date, holdout_end: datetime.date
) -> BacktestRecord:
    """Record a back-test of the models on this organisation's orders, for the queue to run.

    The caller enqueues insights.tasks.run_backtest(record.pk) once this commits.
    """
    if not may_backtest(user):
        raise Forbidden(_("Only managers and administrators may start a back-test."))
    if holdout_end <= calibration_end:
        raise Invalid(_("The holdout end must be after the calibration end."), field="holdout_end")
    if holdout_end > timezone.localdate():
        raise Invalid(_("The holdout end cannot be in the future."), field="holdout_end")
    if running_backtest() is not None:
        raise Conflict(_("A back-test is running already; wait for it to finish."))
    record = BacktestRecord.objects.create(
        created_by=user, source=_("this organisation's orders"), status=BacktestStatus.QUEUED,
        calibration_end=calibration_end, holdout_end=holdout_end,
    )  # fmt: skip
    progress_store.report(record.pk, BacktestStatus.QUEUED, 0, BACKTEST_STEPS, BACKTEST_PROGRESS)
    return record


def run_backtest(record_id: int) -> BacktestRecord:
    """Run a queued back-test on the paid orders and keep its result or why it failed."""
    record = BacktestRecord.objects.get(pk=record_id)
    assert record.calibration_end is not None and record.holdout_end is not None
    record.status = BacktestStatus.RUNNING
    record.save(update_fields=["status"])

    def step(done: int) -> None:
        progress_store.report(record.pk, BacktestStatus.RUNNING, done, BACKTEST_STEPS, "backtest")

    step(0)
    try:
        rows = purchase_rows(record.holdout_end)
        step(1)
        result = backtest(
            rows.customer_id, rows.day, rows.amount, record.calibration_end, record.holdout_end,
            "weeks", float(config()["spend_cap_factor"]),
        )  # fmt: skip
        step(2)
        record.result = result.as_dict()
        record.status = BacktestStatus.DONE
    except ModelError as error:
        record.status = BacktestStatus.FAILED
        record.message, record.message_params = error.template, error.params
    record.save(update_fields=["result", "status", "message", "message_params"])
    progress_store.clear(record.pk, BACKTEST_PROGRESS)
    return record


def in_tiers_filter(tiers: Iterable[str]) -> Exists | Q:
    """Return a filter of a customer query keeping the customers in these value tiers in the
    latest good run (none before the first run): a look-up of each customer's score by key."""
    run = latest_run()
    if run is None:
        return Q(pk__in=[])
    key = Value(score_key(run.pk, 0)) + OuterRef("pk")
    return Exists(CustomerScore.objects.filter(pk=key, value_tier__in=list(tiers)))


def scored_runs() -> list[tuple[datetime.date, int]]:
    """Return (as of, run id) of the good runs whose per-customer scores are kept, newest first."""
    kept = ScoreRun.objects.kept(int(config()["keep_runs"]))
    return [(run.as_of, run.pk) for run in kept]
