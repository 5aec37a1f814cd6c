"""Outbound messages: every contact the product makes with a customer, and the local sink."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from customers.models import Customer, Language


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
    CANCELLED = "cancelled", _("the campaign was cancelled")


class MessageTemplate(models.Model):
    """A reusable text by code and channel; placeholders name allow-listed customer fields."""

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The send path picks the customer's language and falls back to the other one.
    language = models.CharField(
        _("language"), max_length=7, choices=Language.choices, default=Language.CHINESE
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language"], name="unique_template_channel_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel}, {self.language})"


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


# --- Cadences (回访节奏): rules that plan regular contacts (engagement/cadence.py) ------------


class Lifecycle(models.TextChoices):
    """Where a customer is in their life with us, by first purchase (the glossary's rule)."""

    ANY = "", _("Any customer")
    NEW = "new", _("New customers")
    RETURNING = "returning", _("Returning customers")


# A cadence's contact is made by a person: a call, a visit, a WeChat message.
CADENCE_CHANNELS = (Channel.PHONE, Channel.VISIT, Channel.WECHAT)
MAX_CADENCE_DAYS = 3650
MAX_TOP_CLV = 100_000


class Cadence(models.Model):
    """Contact these customers every `interval_days` on `channel` (a follow-up for the owner).

    Every audience condition left empty means "any": tier and segment from the latest
    scoring run, lifecycle and tenure counted from the first purchase, and the top N by
    lifetime value. `window_days` limits the cadence to a customer's first days.
    """

    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    value_tier = models.CharField(
        _("value tier"), max_length=1, blank=True, choices=[(t, t) for t in "ABC"]
    )
    segment = models.CharField(_("segment"), max_length=30, blank=True)
    lifecycle = models.CharField(
        _("lifecycle"), max_length=10, blank=True, choices=Lifecycle.choices
    )
    min_tenure_days = models.PositiveIntegerField(
        _("customer for at least (days)"), null=True, blank=True
    )
    window_days = models.PositiveIntegerField(
        _("only in their first (days)"), null=True, blank=True
    )
    top_clv = models.PositiveIntegerField(
        _("only the top customers by lifetime value"), null=True, blank=True
    )
    interval_days = models.PositiveIntegerField(_("every (days)"))
    channel = models.CharField(
        _("channel"), max_length=10,
        choices=[(c.value, c.label) for c in CADENCE_CHANNELS], default=Channel.PHONE,
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cadence")
        verbose_name_plural = _("cadences")
        ordering = ["interval_days", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def origin(self) -> str:
        """Return the origin its follow-ups carry (interactions.FollowUp.origin)."""
        return f"cadence:{self.pk}"

    def clean(self) -> None:
        """Refuse days out of range, a window no longer than the tenure it starts after,
        and a top N out of range, each on its field."""
        errors: dict[str, Any] = {}
        for field in ("interval_days", "min_tenure_days", "window_days"):
            value = getattr(self, field)
            if value is not None and not 1 <= value <= MAX_CADENCE_DAYS:
                errors[field] = _("Enter a number of days from 1 to %(max)d.") % {
                    "max": MAX_CADENCE_DAYS
                }
        if self.top_clv is not None and not 1 <= self.top_clv <= MAX_TOP_CLV:
            errors["top_clv"] = _("Enter a number from 1 to %(max)d.") % {"max": MAX_TOP_CLV}
        if (
            "window_days" not in errors and self.window_days is not None
            and self.min_tenure_days is not None and self.window_days <= self.min_tenure_days
        ):  # fmt: skip
            errors["window_days"] = _("The window must be longer than the minimum tenure.")
        if errors:
            raise ValidationError(errors)


# Care calendar (关怀日历) ------------------------------------------------------------------


class Audience(models.TextChoices):
    """Whom an occasion's greeting goes to."""

    ALL = "all", _("all customers with an owner")
    RETURNING = "returning", _("returning customers only")
    TIERS_AB = "tiers_ab", _("value tier A or B")


class CareOccasion(models.Model):
    """The settings of one kind of care occasion: whether, how early, on which channel, to whom.

    Rows are seeded by a migration under stable codes (engagement.care.OccasionCode); a
    manager changes them in the admin, never their codes.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # How many days before the occasion it shows on Today (0: on the day only).
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=3)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template_code = models.SlugField(_("template"), max_length=60)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    # What a gift by post may cost (channel "post"); recorded on the message as its cost.
    gift_budget = models.DecimalField(_("gift budget"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("care occasion")
        verbose_name_plural = _("care occasions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class LifeEventKind(models.TextChoices):
    WEDDING = "wedding", _("wedding")
    NEW_BABY = "new_baby", _("new baby")
    COMPANY_ANNIVERSARY = "company_anniversary", _("company anniversary")
    OPENING = "opening", _("opening")
    OTHER = "other", _("other")


class LifeEvent(models.Model):
    """A day in a customer's life a rep recorded, to be remembered once or every year."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="life_events", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LifeEventKind.choices)
    date = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} #{self.customer_id}"


# --- Today (今日待办): snoozes and the daily record of each rep's lines -----------------------


class Snooze(models.Model):
    """A customer the user put off: their line stays off the user's Today until `until`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    until = models.DateField(_("snooze until"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("snooze")
        verbose_name_plural = _("snoozes")
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="snooze_user_customer")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} #{self.customer_id} until {self.until}"


class LineOutcome(models.TextChoices):
    CONTACTED = "contacted", _("contact logged")
    ACTION = "action", _("action taken")
    SNOOZED = "snoozed", _("snoozed")


class TodayLine(models.Model):
    """One line of a user's Today as it stood that day, and whether it was done.

    Written on the first view of the day (and by snapshot_day) so that a manager can see
    how much of yesterday's list each rep worked through.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    # [{"kind", "text", "due", "ref", "actionable"}]: the reasons in the words of that day.
    reasons = models.JSONField(_("reasons"), default=list)
    rank = models.PositiveIntegerField(_("rank"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=LineOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("Today line")
        verbose_name_plural = _("Today lines")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "customer"], name="today_line_user_day_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} #{self.customer_id}"


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


class Segment(models.Model):
    """A saved, live definition of customers (engagement.segments reads `definition`); a
    campaign freezes it into its recipients when it is prepared."""

    name = models.CharField(_("name"), max_length=100)
    definition = models.JSONField(_("definition"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    AWAITING_APPROVAL = "awaiting", _("awaiting approval")
    APPROVED = "approved", _("approved")
    PREPARING = "preparing", _("preparing")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class Campaign(models.Model):
    """A message to a segment, with a randomised holdout that gets nothing, so that what it
    changed can be measured (engagement.campaigns)."""

    name = models.CharField(_("name"), max_length=100)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("segment")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # A template (both languages, engagement.MessageTemplate) or free text.
    template_code = models.SlugField(_("template"), max_length=60, blank=True)
    text = models.TextField(_("message"), blank=True)
    offer = models.CharField(_("offer"), max_length=200, blank=True)
    send_on = models.DateField(_("send on"))
    cost_per_contact = models.DecimalField(
        _("cost per contact"), max_digits=10, decimal_places=2, default=0
    )
    fixed_cost = models.DecimalField(_("fixed cost"), max_digits=12, decimal_places=2, default=0)
    holdout_percent = models.PositiveSmallIntegerField(_("holdout (%)"), default=10)
    seed = models.PositiveIntegerField(_("random seed"))
    window_days = models.PositiveSmallIntegerField(_("measured over (days)"), default=30)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("approved by"),
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    prepared_at = models.DateTimeField(_("prepared"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-send_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holdout_percent__gte=1, holdout_percent__lte=50),
                name="campaign_holdout_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Group(models.TextChoices):
    TREATED = "treated", _("treated")
    CONTROL = "control", _("control (held out)")
    GLOBAL_CONTROL = "global", _("global control")


class Recipient(models.Model):
    """One customer of a campaign's frozen segment, in the group the draw put them in."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    group = models.CharField(_("group"), max_length=8, choices=Group.choices)
    # Value tier and recency band at the draw: the holdout is drawn within each.
    stratum = models.CharField(_("stratum"), max_length=10)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("message"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="one_recipient_each")
        ]
        indexes = [models.Index(fields=["campaign", "group"], name="recipient_campaign_group")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id} {self.group}"
