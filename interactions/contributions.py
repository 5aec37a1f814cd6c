"""What interactions adds to the customer archive's extension points (registered in ready())."""

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers import extensions
from customers.extensions import HistoryWords, Panel, TimelineEntry, TodayAction, TodayItem
from customers.history import EMPTY, day_in_words, moment_in_words
from customers.models import Customer, ProfileChange, Subject
from interactions import personal_data
from interactions.services import (
    follow_ups_due,
    may_contact,
    move_customer_records,
    open_follow_ups,
    recent_interactions,
)


def interaction_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest interactions as timeline entries."""
    return [
        TimelineEntry(i.occurred_at, "interaction", i, "interactions/_timeline_interaction.html")
        for i in recent_interactions(customer, limit)
    ]


def follow_ups_panel(customer: Customer, user: User, today: datetime.date) -> Panel:
    """Return the customer's open follow-ups for the 360° page."""
    return Panel("side", "interactions/_customer_follow_ups.html", open_follow_ups(customer))


def log_button(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the "Log interaction" button when the user may log a contact with the customer."""
    if not may_contact(user, customer):
        return None
    return Panel("actions", "interactions/_log_button.html")


def due_follow_ups(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
    """Return the user's follow-ups due by the day: overdue ones first (priority 1), then 2."""
    return [
        TodayItem(
            customer=follow_up.customer,
            kind="follow_up",
            priority=1 if follow_up.due_on < day else 2,
            due=follow_up.due_on,
            reason=follow_up.note,
            ref=f"follow_up:{follow_up.pk}",
            action=TodayAction(
                str(_("Done")), reverse("interactions:complete", args=[follow_up.pk])
            ),
        )
        for follow_up in follow_ups_due(user, day)[:limit]
    ]


def describe_follow_up_changes(changes: Sequence[ProfileChange]) -> list[HistoryWords]:
    """Put follow-ups' history rows into words: planned for a day, moved, or completed."""
    return [_follow_up_words(change) for change in changes]


def _follow_up_words(change: ProfileChange) -> HistoryWords:
    if change.field == "due_on":
        return HistoryWords(
            str(_("follow-up")), str(_("due")), day_in_words(change.old_value),
            day_in_words(change.new_value),
        )  # fmt: skip
    if change.field == "created":
        return HistoryWords(
            str(_("follow-up")), str(_("planned for")), EMPTY, day_in_words(change.new_value),
            before_after=False,
        )  # fmt: skip
    return HistoryWords(
        str(_("follow-up")), str(_("completed")), EMPTY, moment_in_words(change.new_value),
        before_after=False,
    )  # fmt: skip


def register() -> None:
    """Add interactions to the timeline, follow-ups to the page and the day, rows to merges,
    to a person's data export and to an erasure."""
    extensions.timeline_sources.register("interactions", interaction_entries, order=20)
    extensions.history_describers.register(Subject.FOLLOW_UP, describe_follow_up_changes)
    extensions.page_panels.register("open-follow-ups", follow_ups_panel, order=10)
    extensions.page_panels.register("log-interaction", log_button, order=10)
    extensions.merge_participants.register("interactions", move_customer_records, order=20)
    extensions.today_sources.register("follow-ups-due", due_follow_ups, order=10)
    extensions.personal_data_sources.register("interactions", personal_data.personal_data, order=30)
    extensions.erasure_participants.register(
        "interactions", personal_data.erase_customer_data, order=20
    )
