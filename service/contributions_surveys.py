"""What the surveys contribute to other apps: the `ticket.closed` subscriber that sends the
survey, the low-satisfaction churn-warning reason, and the answers in a person's data export
and erasure. Called from ServiceConfig.ready()."""

from core.events import subscribe
from customers import extensions
from insights.warnings import DatabaseReason, register_reason
from service import surveys


def register() -> None:
    """Subscribe the survey to closed tickets, add the low-satisfaction warning reason and
    the surveys to a person's data export and erasure."""
    subscribe(surveys.TICKET_CLOSED, "service.send_survey", surveys.on_ticket_closed)
    register_reason(
        DatabaseReason(
            "low_satisfaction", surveys.low_satisfaction, surveys.describe_low_satisfaction
        ),
        order=40,
    )
    extensions.personal_data_sources.register("surveys", surveys.personal_data, order=60)
    extensions.erasure_participants.register("surveys", surveys.erase_comments, order=60)
