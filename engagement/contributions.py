"""What engagement adds to the customer archive's extension points (registered in ready())."""

import datetime

from accounts.models import User
from core import events
from core.errors import DomainError
from customers import extensions
from customers.extensions import Panel, TimelineEntry
from customers.models import Customer
from engagement import cadence, care, personal_data
from engagement.effect_page import register_export
from engagement.forms import SendMessageForm
from engagement.services import check_may_send, move_messages, recent_messages


def message_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest messages as timeline entries."""
    return [
        TimelineEntry(m.created_at, "message", m, "engagement/_timeline_message.html")
        for m in recent_messages(customer, limit)
    ]


def send_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the send form when the user may contact the customer."""
    try:
        check_may_send(user, customer)
    except DomainError:
        return None
    if customer.is_archived:
        return None
    return Panel("side", "engagement/_send_panel.html", SendMessageForm())


def register() -> None:
    """Put messages on the customer's timeline, the send form on the customer's page, and
    messages in a person's data export and in an erasure."""
    extensions.timeline_sources.register("engagement", message_entries, order=30)
    extensions.page_panels.register("send-message", send_panel, order=30)
    extensions.personal_data_sources.register("messages", personal_data.personal_data, order=40)
    extensions.erasure_participants.register(
        "messages", personal_data.erase_customer_data, order=40
    )
    extensions.merge_participants.register("messages", move_messages, order=40)
    # Cadences: customers left too long without contact on Today; a logged contact moves
    # the next cadence follow-up.
    extensions.today_sources.register("no-contact", cadence.no_contact_items, order=40)
    events.subscribe(
        "interaction.logged", "engagement.cadence_replan", cadence.replan_after_contact
    )
    # Care effect (effect): the page's table as a CSV through the one export recorder.
    register_export()


def register_care() -> None:
    """Put care occasions on Today and the customer's page, and life events in merges, in a
    person's data export, in an erasure and in the history (engagement.care)."""
    extensions.today_sources.register("care", care.today_care, order=20)
    extensions.page_panels.register("care", care.care_panel, order=35)
    extensions.list_actions.register("care-calendar", care.calendar_button, order=20)
    extensions.merge_participants.register("life-events", care.move_life_events, order=40)
    extensions.personal_data_sources.register("life-events", care.life_event_data, order=45)
    extensions.erasure_participants.register("life-events", care.erase_life_events, order=45)
    extensions.history_describers.register(
        care.LIFE_EVENT_SUBJECT, care.describe_life_event_changes
    )
