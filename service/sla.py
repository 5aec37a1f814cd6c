"""SLA deadlines on the team's working calendar (service helper `sla` builds this module).

Contract for the workflow (service.services): after every step that changes a ticket's
clock-relevant fields (created, acknowledged, waiting on the customer started or ended,
resolved, reopened, priority or customer tier changed), call `refresh_deadlines(ticket, now)`
inside the same transaction; it sets `first_response_due` and `resolution_due` and returns the
names of the fields it changed, for `save(update_fields=...)`.
"""

import datetime

from service.models import Ticket


def refresh_deadlines(ticket: Ticket, now: datetime.datetime) -> list[str]:
    """Return the deadline fields changed on `ticket` (none until SLA policies exist)."""
    del ticket, now
    return []
