"""Stored results of the scoring runs: pages read these and never fit a model."""

import datetime
import os
import socket
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import RowidKeyMixin
from customers.models import Customer
from insights.stats.errors import ModelError


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# Never stored: what a running run whose process is gone is shown as (ScoreRun.state).
INTERRUPTED = "interrupted"
INTERRUPTED_LABEL = _("Interrupted")


# A run still "running" after this long is taken as killed even when its process cannot be
# looked at (another machine); the nightly run of ten million customers takes minutes.
RUN_STALE_AFTER = datetime.timedelta(hours=6)

# Newest first. Explicit about empty finish times: SQLite sorts NULL as the smallest value and
# PostgreSQL as the largest, so a bare "-finished_at" picked different runs on the two. A good
# run without a finish time was killed after its scores committed, so it is the newest of its
# day; the key breaks any remaining tie the same way everywhere.
NEWEST_FIRST = ("-as_of", F("finished_at").desc(nulls_first=True), "-pk")


def this_worker() -> str:
    """Return "host:pid" of this process, stored on a run so a reader can tell it is gone."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """Return whether a worker on this host no longer runs (unknown hosts: False)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ScoreRunQuerySet(models.QuerySet["ScoreRun"]):
    def succeeded(self) -> "ScoreRunQuerySet":
        return self.filter(status=RunStatus.SUCCEEDED)

    def kept(self, keep: int) -> "ScoreRunQuerySet":
        """Return the newest `keep` good runs: those whose per-customer scores are kept."""
        newest = self.succeeded().order_by(*NEWEST_FIRST).values_list("pk", flat=True)
        return self.filter(pk__in=list(newest[:keep])).order_by(*NEWEST_FIRST)

    def latest_good(self) -> "ScoreRun | None":
        """Return the newest successful run, the one every page shows."""
        return self.succeeded().order_by(*NEWEST_FIRST).first()


class ScoreRun(models.Model):
    """One scoring of the whole customer base as of a date, with what it used and found."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    message = models.TextField(_("message"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    counts = models.JSONField(_("data counts"), default=dict)
    # Aggregates the dashboard draws, computed once per run so the page stays fast.
    summary = models.JSONField(default=dict)
    # What the fits call for the user to know ([{"code", "template", "params"}], translated
    # where shown), e.g. a purchase model that sees nobody leave or a spend cap that bit.
    fit_warnings = models.JSONField(_("model warnings"), default=list, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True, default=this_worker)

    objects = ScoreRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"

    def fail(self, error: ModelError) -> None:
        """Mark the run failed, keeping the message untranslated so each reader gets theirs."""
        self.status = RunStatus.FAILED
        self.message = error.template
        self.parameters = {**self.parameters, "message_params": error.params}

    def failure_text(self) -> str:
        """Return why the run failed, in the current language."""
        return translate_model_error(self.message, self.parameters.get("message_params", {}))

    def warning_texts(self) -> list[str]:
        """Return the run's warnings in the current language."""
        return [translate_model_error(w["template"], w["params"]) for w in self.fit_warnings]

    def state(self, now: datetime.datetime | None = None) -> str:
        """Return what really happened: the status, or "interrupted" for a running run whose
        process is gone or that has run far longer than any run takes."""
        if self.status != RunStatus.RUNNING:
            return str(self.status)
        now = now or timezone.now()
        if _process_gone(self.worker) or now - self.started_at > RUN_STALE_AFTER:
            return INTERRUPTED
        return str(RunStatus.RUNNING)

    def state_display(self) -> str:
        """Return the state in words in the current language."""
        state = self.state()
        return str(INTERRUPTED_LABEL if state == INTERRUPTED else RunStatus(state).label)


def translate_model_error(template: str, params: dict[str, Any]) -> str:
    """Return a statistical model's message in the current language."""
    text = gettext(template)
    return text % params if params else text


# A score's key packs its run and customer into one integer, the run in the high bits: each
# run's scores are one contiguous range of the table's own B-tree, written in key order by
# the nightly insert of a million rows and read back by range or by key. No secondary index
# is needed, and each one cost 1.5-2.5 s of that insert (docs/performance.md).
CUSTOMER_BITS = 32


class CustomerScoreQuerySet(models.QuerySet["CustomerScore"]):
    def of_run(self, run_id: int) -> "CustomerScoreQuerySet":
        """Return one run's scores: a single range of keys."""
        return self.filter(pk__gte=score_key(run_id, 0), pk__lt=score_key(run_id + 1, 0))

    def of_customer(self, run_id: int, customer_id: int) -> "CustomerScoreQuerySet":
        """Return the run's score of one customer (none or one row), by its key."""
        return self.filter(pk=score_key(run_id, customer_id))

    def delete_run(self, run_id: int) -> None:
        """Delete one run's scores (their warnings first) as one range of keys.

        In SQL: QuerySet.delete() would load every score to look for warnings pointing
        at it, a million objects a night.
        """
        ChurnWarning.objects.filter(run_id=run_id).delete()
        table = connection.ops.quote_name(CustomerScore._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id >= %s AND id < %s",
                [score_key(run_id, 0), score_key(run_id + 1, 0)],
            )


def score_key(run_id: int, customer_id: int) -> int:
    """Return the primary key of a run's score of a customer."""
    return (run_id << CUSTOMER_BITS) + customer_id


class ScoreKeyField(RowidKeyMixin, models.BigIntegerField):  # type: ignore[type-arg]
    """A 64-bit key the caller sets; on SQLite the table's own rowid.

    Not a BigAutoField: on SQLite that adds AUTOINCREMENT, which updates sqlite_sequence on
    every insert (1.5 s a million rows).
    """


class CustomerScore(models.Model):
    """What one run found about one customer; its key is score_key(run, customer)."""

    id = ScoreKeyField(primary_key=True)
    # Written only by run_scoring, from the customers it just read, so the database need not
    # check each of a million references as it inserts them (about 1.2 s a night on SQLite).
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="scores", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="scores", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    purchase_count = models.PositiveIntegerField()  # purchase days up to as_of
    first_purchase_on = models.DateField()
    last_purchase_on = models.DateField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)  # in the tier window
    is_returning = models.BooleanField()
    typical_interval_days = models.FloatField(null=True)
    p_alive = models.FloatField()
    churn_risk = models.FloatField()
    expected_purchases_30 = models.FloatField()
    expected_purchases_90 = models.FloatField()
    expected_purchases_365 = models.FloatField()
    expected_spend = models.FloatField()
    clv = models.FloatField()
    value_tier = models.CharField(max_length=1)
    r_score = models.PositiveSmallIntegerField()
    f_score = models.PositiveSmallIntegerField()
    m_score = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=30)

    objects = CustomerScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")

    def __str__(self) -> str:
        return f"{self.customer_id} in run {self.run_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            self.pk = score_key(self.run_id, self.customer_id)
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)


class ChurnWarning(models.Model):
    """A customer who may be slipping away, with every reason in words."""

    # The list reads one run's warnings by value at risk: (run, value_at_risk) serves it and
    # every lookup by run, where an index on value_at_risk alone walks all kept runs.
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="warnings", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="warnings")
    score = models.OneToOneField(CustomerScore, on_delete=models.CASCADE, related_name="warning")
    reasons = models.JSONField(default=list)  # [{"code": ..., "params": {...}}]
    value_at_risk = models.FloatField()
    follow_up_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("churn warning")
        verbose_name_plural = _("churn warnings")
        ordering = ["-value_at_risk"]
        # In the list's order (value at risk descending, then id), so no sort is needed.
        indexes = [models.Index(fields=["run", "-value_at_risk", "id"], name="warning_run_value")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {len(self.reasons)} reasons"

    def reason_codes(self) -> list[Any]:
        return [reason["code"] for reason in self.reasons]


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BacktestRecord(models.Model):
    """A back-test of the models on this organisation's own history (or a file, by command)."""

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=200)
    # Started from the page, it runs on the queue: done at once when the command saves it.
    status = models.CharField(
        max_length=10, choices=BacktestStatus.choices, default=BacktestStatus.DONE
    )
    calibration_end = models.DateField(null=True, blank=True)
    holdout_end = models.DateField(null=True, blank=True)
    message = models.TextField(blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} at {self.created_at:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        return self.status in (BacktestStatus.QUEUED, BacktestStatus.RUNNING)

    def failure_text(self) -> str:
        """Return why the back-test failed, in the current language."""
        return translate_model_error(self.message, self.message_params)

    def warning_texts(self) -> list[str]:
        """Return the fit's warnings in the current language."""
        return [
            translate_model_error(w["template"], w["params"])
            for w in self.result.get("warnings", [])
        ]
