"""What the surveys contribute to other apps: the `ticket.closed` subscriber that sends the
survey, and the low-satisfaction churn-warning reason. Called from ServiceConfig.ready()."""

from core.events import subscribe
from insights.warnings import register_rule
from service import surveys


def register() -> None:
    """Subscribe the survey to closed tickets and add the low-satisfaction warning reason."""
    subscribe(surveys.TICKET_CLOSED, "service.send_survey", surveys.on_ticket_closed)
    register_rule(
        "low_satisfaction", surveys.low_satisfaction, surveys.describe_low_satisfaction, order=40
    )
