"""Who takes a new ticket: an available agent covering its category and channel.

A-tier customers go to senior agents (ServiceAgent.senior, set in the admin) when one
covers the ticket; among the candidates SERVICE_ROUTING picks the least loaded (fewest
open tickets, then the longest since their last new ticket) or round-robin (the longest
since their last new ticket). No candidate: the ticket waits unassigned in the queue.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from service.models import OPEN_STATUSES, Category, ServiceAgent, Ticket

SENIOR_TIER = "A"
LEAST_LOADED = "least_loaded"
ROUND_ROBIN = "round_robin"


def category_and_ancestors(category: Category | None) -> list[int]:
    """Return the ids of the category and of every category above it (a short walk up)."""
    ids: list[int] = []
    while category is not None and category.pk not in ids:
        ids.append(category.pk)
        category = category.parent
    return ids


def candidates(ticket: Ticket, tier: str) -> list[ServiceAgent]:
    """Return the available agents who cover the ticket's category and channel; only the
    senior ones for an A-tier customer when any of them does."""
    agents = ServiceAgent.objects.filter(available=True, user__is_active=True)
    if ticket.category_id is not None:
        covered = category_and_ancestors(ticket.category)
        agents = agents.filter(Q(categories__isnull=True) | Q(categories__in=covered))
    found = [
        agent
        for agent in agents.distinct().select_related("user").order_by("pk")
        if not agent.channels or ticket.channel in agent.channels
    ]
    if tier == SENIOR_TIER:
        senior = [agent for agent in found if agent.senior]
        return senior or found
    return found


def choose_agent(ticket: Ticket, tier: str) -> User | None:
    """Return the agent who takes the new ticket, and note the assignment on their profile
    (round-robin reads it), or None when nobody covers it."""
    found = candidates(ticket, tier)
    if not found:
        return None
    # Lock the candidates (in id order: two routings never wait on each other in a circle)
    # and read them again: a ticket routed at the same time waits here until it commits,
    # and is then counted and seen in last_assigned_at.
    ids = [agent.pk for agent in found]
    locked = list(ServiceAgent.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    chosen = min(locked, key=_rank(locked))
    ServiceAgent.objects.filter(pk=chosen.pk).update(last_assigned_at=timezone.now())
    return chosen.user


def _rank(found: list[ServiceAgent]) -> Callable[[ServiceAgent], tuple[Any, ...]]:
    """Return the sort key of the configured strategy (the lowest key takes the ticket)."""
    never = timezone.now().replace(year=1)

    def waited(agent: ServiceAgent) -> Any:
        return agent.last_assigned_at or never

    if settings.SERVICE_ROUTING == ROUND_ROBIN:
        return lambda agent: (waited(agent), agent.pk)
    load = open_counts([agent.user_id for agent in found])
    return lambda agent: (load.get(agent.user_id, 0), waited(agent), agent.pk)


def open_counts(user_ids: list[int]) -> dict[int, int]:
    """Return how many open tickets each of the users owns."""
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, assignee_id__in=user_ids)
        .values("assignee_id")
        .annotate(count=Count("id"))
    )
    return {row["assignee_id"]: row["count"] for row in rows}
