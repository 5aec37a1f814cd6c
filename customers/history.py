"""The history in words: who changed what, from which value to which, in the reader's
language and time zone.

Rows keep raw values (a choice's code, a datetime in ISO form, "True"); they are put into
words when read, so a Chinese reader sees "女" where an English one sees "Female", and a
time in their own zone. Rows about another app's records (an order, a follow-up) are put
into words by that app through customers.extensions.history_describers.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.actors import ActorKind
from core.channels import Channel
from customers.extensions import HistoryWords, history_describers
from customers.models import Customer, ProfileChange, Subject

ACTION_WORDS = {
    "created": _("created"),
    "deleted": _("deleted"),
    "tags": _("tags"),
    "merged": _("merged in"),
    "merged_into": _("merged into"),
    "erased": _("personal data erased"),
}
# Scheduled and system jobs that act without a person (core.actors.Actor.of_job names).
JOB_WORDS = {
    "system": _("System"),
    "nightly-scoring": _("the nightly scoring"),
}
EMPTY = "∅"


@dataclass(frozen=True)
class HistoryLine:
    """One history row as a reader sees it."""

    at: datetime.datetime
    who: str
    subject: str
    field: str
    old: str
    new: str
    # False for an action ("created", "deleted"): the reader sees what, not before → after.
    before_after: bool = True


def who(change: ProfileChange) -> str:
    """Return who made the change, and how: in person, through the API, an import, a job."""
    person = str(change.changed_by) if change.changed_by_id else ""
    kind = change.actor_kind
    if kind == ActorKind.TOKEN:
        return gettext("%(user)s, through the API") % {"user": change.actor_label or person}
    if kind == ActorKind.IMPORT:
        return gettext("import #%(job)s by %(user)s") % {
            "job": change.actor_ref, "user": person or str(JOB_WORDS["system"])
        }  # fmt: skip
    if kind == ActorKind.JOB or not person:
        return str(JOB_WORDS.get(change.actor_label, change.actor_label or JOB_WORDS["system"]))
    return person


def field_label(field: str) -> str:
    """Return the reader's name for a profile field or an action named in the history."""
    if field in ACTION_WORDS:
        return str(ACTION_WORDS[field])
    if field.startswith("consent_"):
        channel = dict(Channel.choices).get(field.removeprefix("consent_"), field)
        return gettext("consent: %(channel)s") % {"channel": channel}
    try:
        return str(getattr(Customer._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


def moment_in_words(raw: str) -> str:
    """Return a stored datetime as the reader's local date and time (minutes), or as given."""
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def day_in_words(raw: str) -> str:
    """Return a stored date in the reader's date format, or as given."""
    try:
        return formats.date_format(datetime.date.fromisoformat(raw), "SHORT_DATE_FORMAT")
    except ValueError:
        return raw


def value_in_words(model_field: models.Field[object, object] | None, raw: str) -> str:
    """Return a stored value of a field as the reader should see it."""
    if raw == "":
        return EMPTY
    if model_field is None:
        return raw
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if isinstance(model_field, models.BooleanField):
        return gettext("yes") if raw == "True" else gettext("no")
    if isinstance(model_field, models.DateTimeField):
        return moment_in_words(raw)
    if isinstance(model_field, models.DateField):
        return day_in_words(raw)
    return raw


def consent_in_words(raw: str) -> str:
    """Return a stored consent state: granted, withdrawn, or not recorded."""
    if raw == "":
        return gettext("not recorded")
    return gettext("granted") if raw == "True" else gettext("withdrawn")


def profile_words(change: ProfileChange) -> HistoryWords:
    """Return a row about the customer's own profile or consent in words."""
    label = field_label(change.field)
    if change.field.startswith("consent_"):
        return HistoryWords("", label, consent_in_words(change.old_value),
                            consent_in_words(change.new_value))  # fmt: skip
    try:
        model_field = Customer._meta.get_field(change.field)
    except FieldDoesNotExist:
        model_field = None
    concrete = model_field if isinstance(model_field, models.Field) else None
    return HistoryWords(
        "", label, value_in_words(concrete, change.old_value),
        value_in_words(concrete, change.new_value),
        before_after=change.field not in ACTION_WORDS or change.field == "tags",
    )  # fmt: skip


def lines_in_words(changes: Sequence[ProfileChange]) -> list[HistoryLine]:
    """Return the history rows as the reader sees them, in order; each app's rows are put
    into words together (one look-up for all of them, not one per row)."""
    words: dict[int, HistoryWords] = {}
    by_subject: dict[str, list[tuple[int, ProfileChange]]] = defaultdict(list)
    for position, change in enumerate(changes):
        describe = history_describers.get(change.subject)
        if change.subject in (Subject.CUSTOMER, Subject.CONSENT) or describe is None:
            words[position] = profile_words(change)
        else:
            by_subject[change.subject].append((position, change))
    for subject, rows in by_subject.items():
        describe = history_describers.get(subject)
        assert describe is not None
        described = describe([change for _position, change in rows])
        words.update(zip((position for position, _change in rows), described, strict=True))
    return [
        HistoryLine(
            change.changed_at, who(change), words[i].subject, words[i].field, words[i].old,
            words[i].new, words[i].before_after,
        )
        for i, change in enumerate(changes)
    ]  # fmt: skip


def in_words(change: ProfileChange) -> HistoryLine:
    """Return one history row as the reader sees it."""
    return lines_in_words([change])[0]
