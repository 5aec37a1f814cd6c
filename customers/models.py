"""The customer archive: profile, tags, consent and the history of every change."""

import datetime
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actors import actor_for
from core.channels import Channel
from customers.birthdays import next_birthday
from customers.validators import (
    normalize_mobile,
    validate_birthday,
    validate_lunar,
    validate_time_zone,
)


class Language(models.TextChoices):
    """The language a customer is written to in (care greetings, notices)."""

    CHINESE = "zh-hans", _("Simplified Chinese")
    ENGLISH = "en", _("English")


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Calendar(models.TextChoices):
    SOLAR = "solar", _("Solar")
    LUNAR = "lunar", _("Lunar")


class TagGroup(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    group = models.ForeignKey(TagGroup, on_delete=models.PROTECT, related_name="tags")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["group__name", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="unique_tag")]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet["Customer"]):
    def active(self) -> "CustomerQuerySet":
        return self.filter(archived_at__isnull=True)


class Customer(models.Model):
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True, default=""
    )
    # Mobile numbers are kept as bare national digits; `mobile_reversed` lets the
    # common "last four digits" search use an index as well as the prefix search.
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    mobile_reversed = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    company = models.CharField(_("company"), max_length=120, blank=True, db_index=True)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_calendar = models.CharField(
        _("birthday calendar"), max_length=5, choices=Calendar.choices, default=Calendar.SOLAR
    )
    lunar_birth_month = models.PositiveSmallIntegerField(_("lunar month"), null=True, blank=True)
    lunar_birth_day = models.PositiveSmallIntegerField(_("lunar day"), null=True, blank=True)
    lunar_leap_month = models.BooleanField(_("leap month"), default=False)
    region = models.CharField(_("region"), max_length=60, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    source_channel = models.CharField(_("source channel"), max_length=60, blank=True)
    language = models.CharField(
        _("language"), max_length=7, choices=Language.choices, default=Language.CHINESE
    )
    # Blank: the company's default (CUSTOMER_TIME_ZONE); quiet hours are read in this zone.
    time_zone = models.CharField(
        _("time zone"), max_length=40, blank=True, validators=[validate_time_zone]
    )
    external_id = models.CharField(
        _("external ID"), max_length=64, null=True, blank=True, unique=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("tags"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )

    objects = CustomerQuerySet.as_manager()

    # Fields whose changes are written to the profile history.
    TRACKED_FIELDS: ClassVar[tuple[str, ...]] = (
        "kind", "name", "gender", "mobile", "email", "wechat_id", "company", "title",
        "birthday", "birthday_calendar", "lunar_birth_month", "lunar_birth_day",
        "lunar_leap_month", "region", "city", "address", "source_channel", "language",
        "time_zone", "external_id",
        "owner", "notes", "archived_at",
    )  # fmt: skip

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # With name last, a list filtered by owner is read in name order and stops at the
            # page's 25 rows instead of sorting all the owner's customers (docs/performance.md).
            models.Index(fields=["owner", "archived_at", "name"], name="customer_owner_name")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.mobile_reversed = self.mobile[::-1]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "mobile" in update_fields:
            kwargs["update_fields"] = {*update_fields, "mobile_reversed"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Normalise the mobile and check the birthday; raise errors keyed by field."""
        errors: dict[str, str] = {}
        try:
            self.mobile = normalize_mobile(self.mobile)
        except ValidationError as error:
            errors["mobile"] = error.messages[0]
        try:
            validate_birthday(self.birthday)
        except ValidationError as error:
            errors["birthday"] = error.messages[0]
        if self.birthday_calendar == Calendar.LUNAR:
            errors.update(validate_lunar(self.lunar_birth_month, self.lunar_birth_day))
        if errors:
            raise ValidationError(errors)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def tracked_values(self) -> dict[str, str]:
        """Return the tracked fields as display strings, for the change history."""
        values = {}
        for name in self.TRACKED_FIELDS:
            value = getattr(self, name)
            values[name] = "" if value is None else str(value)
        return values

    def may_contact(self, channel: str) -> bool:
        """Return whether the customer has not opted out of the channel."""
        return not self.consents.filter(channel=channel, granted=False).exists()

    def next_birthday(self, today: datetime.date) -> datetime.date | None:
        """Return the next date (on or after today) to celebrate, lunar birthdays converted."""
        return next_birthday(self, today)


class Consent(models.Model):
    """The current permission to contact a customer on one channel; changes go to history."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    changed_on = models.DateField(_("date"), default=datetime.date.today)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="unique_consent_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {'yes' if self.granted else 'no'}"


class ImmutableRowError(Exception):
    """Raised when code tries to update or delete a history row."""


class Subject(models.TextChoices):
    """What a history row is about: the customer's profile or one of its records."""

    CUSTOMER = "customer", _("profile")
    CONSENT = "consent", _("consent")
    ORDER = "order", _("order")
    INTERACTION = "interaction", _("contact")
    FOLLOW_UP = "follow_up", _("follow-up")


class HistoryQuerySet(models.QuerySet["ProfileChange"]):
    def bulk_create(
        self, objs: Iterable["ProfileChange"], *args: Any, **kwargs: Any
    ) -> list["ProfileChange"]:
        """Create the rows, each stamped with who acted (bulk_create skips save())."""
        rows = list(objs)
        for row in rows:
            row.stamp_actor()
        return super().bulk_create(rows, *args, **kwargs)


class ProfileChange(models.Model):
    """One recorded change in a customer's life: a profile field, a consent, or a change to
    one of its records (an order's status, a follow-up's assignee, ...), with who made it,
    when, and the value before and after. The one append-only history: rows are written
    once, never changed.

    `field` is the changed field, or an action with no before/after ("created", "deleted");
    values are stored raw and put into words when shown (customers.history).
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="changes")
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.CUSTOMER)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # How the person acted (in person, through an API token, an import job) or which
    # scheduled job acted; see core.actors. Stamped from the acting context on write.
    actor_kind = models.CharField(max_length=10, blank=True)
    actor_label = models.CharField(max_length=160, blank=True)
    actor_ref = models.PositiveBigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject}.{self.field}: {self.old_value} -> {self.new_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRowError("history rows are never updated")
        self.stamp_actor()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError("history rows are never deleted")

    def stamp_actor(self) -> None:
        """Record the acting party (core.actors) of the user who made the change, unless set."""
        if self.actor_kind:
            return
        actor = actor_for(self.changed_by)
        self.actor_kind, self.actor_label, self.actor_ref = actor.kind, actor.label, actor.ref


class Erasure(models.Model):
    """Who erased which customer's personal data, when and why; none of the data itself.

    The customer row stays (anonymised) so that its orders still count in the statistics.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="erasure", verbose_name=_("customer")
    )
    # Empty when erased from the command line without --user.
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("erased by"),
    )  # fmt: skip
    erased_at = models.DateTimeField(_("erased"), default=timezone.now, db_index=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.customer_id} {self.erased_at:%Y-%m-%d}"
