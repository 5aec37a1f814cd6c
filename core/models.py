"""Records no single capability owns: stored API answers, the domain-event outbox and the
company's own working days."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The first answer to a write request, replayed when the same key is sent again.

    A retried request gets the stored answer and never writes twice; the same key with a
    different body is rejected, because it is a client bug, not a retry.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Created by the project shell's first migration, before core existed; the table
        # keeps its name so that an existing database needs no copy.
        db_table = "huitou_idempotencykey"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return self.key


class OutboxEvent(models.Model):
    """Something that happened, written in the same transaction as the change itself.

    Subscribers in other apps receive each event at least once (core.events); a row is
    kept for EVENT_RETENTION_DAYS after every subscriber has it. Customer and subject are
    plain ids, not foreign keys: core sits under every app and knows none of their models.
    """

    kind = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(default=timezone.now)
    customer_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=200, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_ref = models.BigIntegerField(null=True, blank=True)
    # Empty is NULL: most bulk events carry no data, and SQLite checks each JSON value.
    data = models.JSONField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # The dispatcher reads the undelivered tail. No other index: the bulk order path
            # writes an event per order, and each index costs it throughput; the daily
            # prune scans the table once instead.
            models.Index(
                fields=["id"], name="outbox_pending", condition=Q(dispatched_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class EventDelivery(models.Model):
    """One subscriber's receipt of one event: written in the subscriber's transaction.

    The unique pair is what makes delivery exactly-once in effect: a second dispatcher
    delivering the same event to the same subscriber fails on it and rolls back whatever
    the subscriber wrote.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="unique_event_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} <- {self.event_id}"


class WorkingDayOverride(models.Model):
    """A day the company works or rests against China's official calendar (core.calendar).

    For next year's official schedule before the holidays package knows it (the State
    Council publishes it in November), or a closure or extra working day of the company's own.
    """

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(
        _("working day"), help_text=_("Ticked: work on this day; not ticked: closed.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {'working' if self.is_working else 'closed'}"
