"""Outbound messages: every contact the product makes with a customer, and the local sink."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from customers.models import Customer


class Purpose(models.TextChoices):
    CARE = "care", _("care")
    MARKETING = "marketing", _("marketing")
    SERVICE = "service", _("service")
    LOYALTY = "loyalty", _("loyalty")
    TRANSACTIONAL = "transactional", _("transactional")


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("the customer opted out of this channel")
    ARCHIVED = "archived", _("the customer is archived")
    ERASED = "erased", _("the customer's data was erased")
    CAP_7_DAYS = "cap_7_days", _("contact cap reached for 7 days")
    CAP_30_DAYS = "cap_30_days", _("contact cap reached for 30 days")
    NO_ADDRESS = "no_address", _("no valid address on this channel")


class MessageTemplate(models.Model):
    """A reusable text by code and channel; placeholders name allow-listed customer fields."""

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "channel"], name="unique_template_channel")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel})"


class Message(models.Model):
    """One contact with a customer, from its decision to its delivery.

    (customer, purpose, occasion date, channel) is the idempotency key: a second send of the
    same occasion returns this row instead of contacting the customer again.
    """

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="messages", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices)
    occasion_date = models.DateField(_("occasion date"))
    template = models.CharField(_("template"), max_length=60, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    skip_reason = models.CharField(
        _("skip reason"), max_length=15, choices=SkipReason.choices, blank=True
    )
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=0)
    cause_kind = models.CharField(_("cause"), max_length=30, blank=True)
    cause_id = models.BigIntegerField(_("cause id"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the message may go: now, or the end of the customer's quiet hours. The contact
    # cap counts messages by this moment.
    scheduled_for = models.DateTimeField(_("scheduled for"), default=timezone.now)
    # A worker's lease: while it is in the future, no other worker takes the message; a
    # worker killed mid-send leaves it to expire and the sweep to try again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose", "occasion_date", "channel"],
                name="message_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "scheduled_for"], name="message_customer_time"),
            models.Index(fields=["status", "scheduled_for"], name="message_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} #{self.customer_id} {self.occasion_date}"

    @property
    def idempotency_key(self) -> str:
        return f"{self.customer_id}:{self.purpose}:{self.occasion_date}:{self.channel}"


class SinkMessage(models.Model):
    """An email or SMS that went nowhere: the local sink used when no provider is configured."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("sink message")
        verbose_name_plural = _("sink messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"


# Care effect (effect) ---------------------------------------------------------------------


class ResponseMark(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class MessageResponse(models.Model):
    """How the customer took a message, as the rep judged it (one mark, the latest wins)."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="response", verbose_name=_("message")
    )
    mark = models.CharField(_("response"), max_length=10, choices=ResponseMark.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("marked by"),
    )  # fmt: skip
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("message response")
        verbose_name_plural = _("message responses")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.mark}"
