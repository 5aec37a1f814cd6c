"""The communication log and the follow-up tasks it produces."""

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from customers.models import Customer
from interactions.validators import validate_contact_day, validate_contact_time


class InteractionKind(models.TextChoices):
    """What kind of contact it was: every channel, plus a meeting (in person, like a visit)."""

    PHONE = Channel.PHONE.value, Channel.PHONE.label
    VISIT = Channel.VISIT.value, Channel.VISIT.label
    MEETING = "meeting", _("Meeting")
    WECHAT = Channel.WECHAT.value, Channel.WECHAT.label
    SMS = Channel.SMS.value, Channel.SMS.label
    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    POST = Channel.POST.value, Channel.POST.label
    IN_APP = Channel.IN_APP.value, Channel.IN_APP.label

    @property
    def channel(self) -> Channel:
        """Return the channel the contact went through (a meeting is in person: a visit)."""
        return Channel.VISIT if self is InteractionKind.MEETING else Channel(self.value)


# Kinds an older API client may still send, and the kind each now is.
KIND_ALIASES = {"call": InteractionKind.PHONE}


class Direction(models.TextChoices):
    OUTBOUND = "out", _("Outbound")
    INBOUND = "in", _("Inbound")


class Interaction(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="interactions", verbose_name=_("customer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("type"), max_length=10, choices=InteractionKind.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    summary = models.CharField(_("summary"), max_length=500)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_time")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:40]}"

    @property
    def channel(self) -> Channel:
        """Return the channel the contact went through, in consent's vocabulary."""
        return InteractionKind(self.kind).channel

    def clean(self) -> None:
        """Refuse a contact time or next-contact day too far from today (validators)."""
        _check_fields(
            (
                ("occurred_at", validate_contact_time, self.occurred_at),
                ("next_contact_on", validate_contact_day, self.next_contact_on),
            )
        )


class FollowUp(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("customer")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # What planned it when not a person or a contact: "cadence:<id>" (engagement's cadences).
    origin = models.CharField(_("origin"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"], name="followup_due"),
            # A customer's last completed and open follow-ups, read per customer by the
            # cadence planner and the no-contact item on Today.
            models.Index(fields=["customer", "done_at"], name="followup_customer_done"),
        ]
        constraints = [
            # A planner never keeps two open follow-ups of one origin for a customer, even
            # when two runs race.
            models.UniqueConstraint(
                fields=["customer", "origin"],
                condition=models.Q(done_at__isnull=True) & ~models.Q(origin=""),
                name="followup_one_open_per_origin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} due {self.due_on}"

    def clean(self) -> None:
        """Refuse a due day too far from today (validators)."""
        _check_fields((("due_on", validate_contact_day, self.due_on),))

    def is_overdue(self, today: datetime.date) -> bool:
        return self.done_at is None and self.due_on < today


def _check_fields(checks: tuple[tuple[str, Callable[[Any], None], Any], ...]) -> None:
    """Run each field's validator; raise one ValidationError naming every failing field."""
    errors: dict[str, list[str]] = {}
    for name, check, value in checks:
        try:
            check(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
