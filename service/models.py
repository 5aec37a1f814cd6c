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
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from customers.models import Customer, Language
from engagement.models import Message
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


# Where a ticket came in: the contact channels, and the public web form, which is none of them.
WEB_FORM = "web"
TICKET_CHANNELS = [*Channel.choices, (WEB_FORM, _("Web form"))]


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
        return self.label

    @property
    def label(self) -> str:
        """Return the name in the reader's language (the English one when there is no other)."""
        if get_language() == "zh-hans" and self.name_zh:
            return self.name_zh
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
    channel = models.CharField(_("channel"), max_length=10, choices=TICKET_CHANNELS)
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
            # The service numbers read a period's tickets (service.numbers, review, rd).
            models.Index(fields=["opened_at"], name="ticket_opened"),
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

    @property
    def next_deadline(self) -> datetime.datetime | None:
        """Return the deadline that breaches next (what service.sla stores as next_due), or None."""
        if self.first_responded_at is None and self.first_response_due is not None:
            return self.first_response_due
        return self.resolution_due


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


class ServiceAgent(models.Model):
    """Who takes tickets by routing: the categories and channels an agent covers (none: all),
    whether they take A-tier customers (senior) and whether they take new tickets now."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_agent",
        verbose_name=_("user"),
    )  # fmt: skip
    senior = models.BooleanField(
        _("senior"), default=False, help_text=_("Takes the tickets of A-tier customers.")
    )
    available = models.BooleanField(_("available"), default=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("categories"),
        help_text=_("None: every category. A category covers its subcategories."),
    )  # fmt: skip
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_('None: every channel, e.g. ["web"].')
    )
    # Round-robin takes the agent waiting longest since their last new ticket.
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)

    class Meta:
        verbose_name = _("service agent")
        verbose_name_plural = _("service agents")

    def __str__(self) -> str:
        return str(self.user)


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
    # The language the link went out in: the page opens in it (service.surveys).
    language = models.CharField(
        _("language"), max_length=7, choices=Language.choices, default=Language.CHINESE
    )
    # The message that carried the link; a survey whose message was skipped or failed was
    # never seen by the customer and does not count as surveyed (service.surveys).
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("message"),
    )  # fmt: skip

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


class ProductIssue(models.Model):
    """A problem found in complaints and handed to R&D: the tickets that show it, and once
    R&D has fixed it, when and by whom, and whether the affected customers were told."""

    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("product"),
    )  # fmt: skip
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="issues",
        verbose_name=_("category"),
    )  # fmt: skip
    title = models.CharField(_("issue"), max_length=200)
    tickets = models.ManyToManyField(
        Ticket, blank=True, related_name="issues", verbose_name=_("tickets")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("fixed by"),
    )  # fmt: skip
    fix_note = models.TextField(_("what was fixed"), blank=True)
    # How many affected customers a notice was queued for when it was marked fixed.
    notified = models.PositiveIntegerField(_("customers told"), default=0)

    class Meta:
        verbose_name = _("product issue")
        verbose_name_plural = _("product issues")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["fixed_at"], name="product_issue_fixed")]

    def __str__(self) -> str:
        return self.title


class ObjectionType(models.TextChoices):
    """The customer's objection a standard answer meets."""

    PRICE = "price", _("price")
    PRODUCT = "product", _("product")
    SERVICE = "service", _("service")
    TIME = "time", _("time")
    TRUST = "trust", _("trust")


class StandardAnswer(models.Model):
    """A standard answer (标准答复) in both languages, kept by an owner and reviewed by a date."""

    title = models.CharField(_("title"), max_length=120)
    title_zh = models.CharField(_("Chinese title"), max_length=120, blank=True)
    text = models.TextField(_("text in English"), max_length=4000, blank=True)
    text_zh = models.TextField(_("text in Chinese"), max_length=4000, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="answers",
        verbose_name=_("category"),
    )  # fmt: skip
    objection = models.CharField(
        _("objection type"), max_length=10, choices=ObjectionType.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner"),
    )  # fmt: skip
    review_on = models.DateField(_("review by"))
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("standard answer")
        verbose_name_plural = _("standard answers")
        ordering = ["title"]
        indexes = [models.Index(fields=["active", "review_on"], name="answer_active_review")]

    def __str__(self) -> str:
        return self.title


class StandardAnswerUse(models.Model):
    """One answer put into one ticket's reply: counted once however often it is clicked."""

    answer = models.ForeignKey(StandardAnswer, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "ticket"], name="answer_use_once_per_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} on {self.ticket_id}"


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
