"""What insights adds to the customer archive's extension points (registered in ready())."""

import datetime

from accounts.models import User
from customers import extensions
from customers.extensions import Panel, TodayItem
from customers.models import Customer
from insights import personal_data
from insights.services import customer_insight, latest_run, warnings_for_today
from insights.warnings import describe


def insight_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the latest run's scores and warning for the 360° page; nothing before a run."""
    insight = customer_insight(customer)
    return None if insight is None else Panel("summary", "insights/_customer_insight.html", insight)


def churn_warnings(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
    """Return the latest run's warnings on the user's customers, most value at risk first.

    Priority 3: a signal to act on today, after the promises already made (follow-ups).
    """
    run = latest_run()
    if run is None:
        return []
    return [
        TodayItem(
            customer=warning.customer,
            kind="churn_warning",
            priority=3,
            due=day,
            reason=" ".join(describe(reason) for reason in warning.reasons),
        )
        for warning in warnings_for_today(user, run, limit)
    ]


def register() -> None:
    """Add the scores to the customer page, churn warnings to the day, scores to a person's
    data export and the risk files to an erasure."""
    extensions.page_panels.register("scores", insight_panel, order=20)
    extensions.today_sources.register("churn-warnings", churn_warnings, order=20)
    extensions.personal_data_sources.register("scores", personal_data.personal_data, order=40)
    extensions.erasure_participants.register("scores", personal_data.erase_customer_data, order=40)
