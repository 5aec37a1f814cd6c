"""Tickets: complaints, requests, questions and returns, each step with its actor and time.

The ticket keeps the moments its clocks need (opened, first response, resolved, waiting on
the customer) and the deadlines worked out from them on the team's working calendar
(service.sla); the steps are the case's history, one row each.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from customers.models import Customer
from sales.models import Order, Product


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    REQUEST = "request", _("request")
    QUESTION = "question", _("question")
    RETURN = "return", _("return")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Status(models.TextChoices):
    """The seed's steps, in order: a ticket moves forward through them; reopening a resolved
    or closed ticket takes it back to acknowledged."""

    RECEIVED = "received", _("received")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    PROPOSED = "proposed", _("solution proposed")
    RESOLVED = "resolved", _("resolved")
    FOLLOWED_UP = "followed_up", _("followed up")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.PROPOSED)
# An SLA target of at most a working year (250 days of 8 hours).
MAX_TARGET_MINUTES = 250 * 8 * 60


class Branch(models.TextChoices):
    """Which of the sources' answers the proposal takes."""

    FACTUAL = "factual", _("factual: remedy and improve")
    NOT_FACTUAL = "not_factual", _("not factual: explain patiently")
    CANNOT_MEET = "cannot_meet", _("cannot be met: return, repair or negotiate")
    MINOR = "minor", _("minor")


class ProposalAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    RENEGOTIATED = "renegotiated", _("renegotiated")


class Category(models.Model):
    """A node of the configurable category tree (quality, delivery, price, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("category"),
    )  # fmt: skip
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("order"),
    )  # fmt: skip
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("product"),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200)
    # The complaint in the customer's own words, stored as text and always shown escaped.
    description = models.TextField(_("in the customer's words"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    # Indexed by ticket_queue (assignee, status, next_due): with an index of its own too,
    # SQLite's planner took that one for the queue and read every ticket the agent ever had.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("owner"), db_index=False,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    # The SLA clock stops while the team waits on the customer (service.sla).
    waiting_since = models.DateTimeField(_("waiting on the customer since"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # The promise to the customer (承诺时间), tracked apart from the internal SLA.
    promised_by = models.DateTimeField(_("promised resolution"), null=True, blank=True)
    promise_reminded_at = models.DateTimeField(_("promise reminder sent"), null=True, blank=True)
    # None while the promise runs; True or False once the ticket is resolved or the time passes.
    promise_kept = models.BooleanField(_("promise kept"), null=True, blank=True)
    # SLA marks: set once by the sweep (service.sla) and never cleared: a breach stays a breach.
    sla_warned_at = models.DateTimeField(_("SLA warning"), null=True, blank=True)
    first_response_breached_at = models.DateTimeField(
        _("first response breached"), null=True, blank=True
    )
    resolution_breached_at = models.DateTimeField(_("resolution breached"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # What service.sla keeps to work the deadlines out again, set-based, when the calendar or
    # a policy changes: the policy chosen, the working time the clock was paused (waiting on
    # the customer, or resolved before a reopening) and the moment the running pause began.
    sla_policy = models.ForeignKey(
        "SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("SLA policy"),
    )  # fmt: skip
    sla_paused = models.DurationField(_("SLA clock paused"), default=datetime.timedelta)
    sla_paused_since = models.DateTimeField(_("SLA clock paused since"), null=True, blank=True)
    # When each clock reaches 75 % of its target: the sweep warns then.
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(_("resolution SLA warning"), null=True, blank=True)
    # The deadline of the clock that runs (first response until answered, then resolution):
    # the agent's queue is sorted by it.
    next_due = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # When the owner is reminded of the promise: a set working time before it breaks.
    promise_remind_at = models.DateTimeField(null=True, blank=True)
    # The earliest moment the sweep has something to do for the ticket (None: nothing), so
    # that a sweep reads the few tickets due, not every open one (service.sla).
    sla_check_at = models.DateTimeField(null=True, blank=True)
    proposal_branch = models.CharField(
        _("proposal branch"), max_length=12, choices=Branch.choices, blank=True
    )
    proposal_answer = models.CharField(
        _("customer's answer"), max_length=12, choices=ProposalAnswer.choices, blank=True
    )
    # Recorded so that the cause is fixed, not repeated; the outcome lands on the profile.
    root_cause = models.TextField(_("root cause"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="ticket_status_due"),
            models.Index(fields=["customer", "opened_at"], name="ticket_customer_opened"),
            # The agent's queue: their open (or nobody's) tickets by time to breach, and
            # every open ticket by it; (assignee, status) is its prefix. Not partial
            # indexes: SQLite cannot use one for a query whose statuses are bound parameters.
            models.Index(fields=["assignee", "status", "next_due"], name="ticket_queue"),
            models.Index(fields=["status", "next_due"], name="ticket_status_next_due"),
            models.Index(fields=["sla_check_at"], name="ticket_sla_check"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Step(models.Model):
    """One step of a ticket's case: what happened, when, by whom, with the step's note."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="steps", verbose_name=_("ticket")
    )
    action = models.CharField(_("action"), max_length=30)
    status = models.CharField(_("status after"), max_length=12, choices=Status.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    # Who acted when no user did: "customer", "system", a token's name.
    actor_label = models.CharField(_("by"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("ticket step")
        verbose_name_plural = _("ticket steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


class Survey(models.Model):
    """The satisfaction survey sent after closure: answered once, by token, before it expires."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="survey", verbose_name=_("ticket")
    )
    # Only a hash of the link's token is kept: the database alone cannot answer a survey.
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likely to recommend (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return f"survey of {self.ticket_id}"


class GiftStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Gift(models.Model):
    """A goodwill gift (a coupon, a small gift) on a ticket, with its cost."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="gifts", verbose_name=_("ticket")
    )
    description = models.CharField(_("gift"), max_length=200)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=GiftStatus.choices, default=GiftStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("goodwill gift")
        verbose_name_plural = _("goodwill gifts")

    def __str__(self) -> str:
        return self.description


class SlaPolicy(models.Model):
    """The targets for a priority and a customer value tier, in working time.

    A ticket takes the policy of its priority and its customer's value tier (A/B/C from the
    latest scoring run), else the policy of its priority for any tier (blank tier).
    """

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    value_tier = models.CharField(
        _("value tier"), max_length=1, blank=True, choices=[(t, t) for t in "ABC"],
        help_text=_("Blank: customers of any tier without a policy of their own."),
    )  # fmt: skip
    first_response_minutes = models.PositiveIntegerField(
        _("first response (working minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (working minutes)"),
        help_text=_("A working day is 8 hours (480 minutes) on the default calendar."),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "value_tier"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "value_tier"], name="sla_policy_unique")
        ]

    def __str__(self) -> str:
        tier = self.value_tier or "*"
        first, resolution = self.first_response_minutes, self.resolution_minutes
        return f"{self.priority}/{tier}: {first} min / {resolution} min"

    @property
    def first_response(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.first_response_minutes)

    @property
    def resolution(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.resolution_minutes)
