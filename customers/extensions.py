"""Extension points of the customer archive, filled by the apps above it.

`customers` sits below sales, interactions, imports and insights, so it never imports them.
Each of them registers here, in its AppConfig.ready(), what it adds to a customer: entries
on the timeline, panels on the 360° page, rows to move in a merge, a summary to keep when
the owner changes, buttons on the list, items on a rep's day. Every registry hands its
contributors back in a fixed order (order, then name).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from accounts.models import User
from core.registry import Registry
from customers.models import Customer


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a customer's life, from whichever app recorded it.

    `template` renders the entry inside the timeline; it sees `entry` and the page's context.
    """

    at: datetime.datetime
    kind: str
    item: Any
    template: str


class TimelineSource(Protocol):
    """Return the customer's newest `limit` events of one kind (a fixed number of queries)."""

    def __call__(self, customer: Customer, limit: int, /) -> Iterable[TimelineEntry]: ...


timeline_sources: Registry[TimelineSource] = Registry("customer timeline sources")


PanelSlot = Literal["summary", "side", "actions"]


@dataclass(frozen=True)
class Panel:
    """A block on the 360° page: `summary` under the header, `side` in the left column,
    `actions` among the header's buttons.

    `template` sees `panel` (this object, its `data` being whatever the contributor needs)
    and the page's context.
    """

    slot: PanelSlot
    template: str
    data: Any = None


class PanelSource(Protocol):
    """Return the panel to show for this customer, or None to show nothing."""

    def __call__(self, customer: Customer, user: User, today: datetime.date, /) -> Panel | None: ...


page_panels: Registry[PanelSource] = Registry("customer page panels")


def panels_for(customer: Customer, user: User, today: datetime.date) -> dict[str, list[Panel]]:
    """Return the registered panels to show for the customer, grouped by slot, in order."""
    grouped: dict[str, list[Panel]] = {"summary": [], "side": [], "actions": []}
    for source in page_panels:
        panel = source(customer, user, today)
        if panel is not None:
            grouped[panel.slot].append(panel)
    return grouped


class MergeParticipant(Protocol):
    """Move one app's rows from the duplicate customer to the survivor, inside the merge."""

    def __call__(self, source: Customer, target: Customer, /) -> object: ...


merge_participants: Registry[MergeParticipant] = Registry("customer merge participants")


class OwnerFollower(Protocol):
    """Bring one app's copy of the owner up to date for customers whose owner changed."""

    def __call__(self, customer_ids: set[int], /) -> object: ...


owner_followers: Registry[OwnerFollower] = Registry("customer owner followers")


@dataclass(frozen=True)
class ListAction:
    """A button above the customer list leading to another app's page."""

    label: str
    url: str
    element_id: str


class ListActionSource(Protocol):
    """Return the button this user may use, or None."""

    def __call__(self, user: User, /) -> ListAction | None: ...


list_actions: Registry[ListActionSource] = Registry("customer list actions")


def list_actions_for(user: User) -> list[ListAction]:
    """Return the list's buttons the user may use, in order."""
    return [action for source in list_actions if (action := source(user)) is not None]


@dataclass(frozen=True)
class TodayItem:
    """One thing to do about one customer on a given day.

    Lower `priority` comes first (1: overdue promises; 2: due today; 3: signals to act on).
    """

    customer: Customer
    kind: str
    priority: int
    due: datetime.date
    reason: str


class TodaySource(Protocol):
    """Return at most `limit` of the user's items for the day, the most urgent first.

    The customer of each item must be loaded with it: the list is read without more queries.
    """

    def __call__(self, user: User, day: datetime.date, limit: int, /) -> Iterable[TodayItem]: ...


today_sources: Registry[TodaySource] = Registry("today items")


def today_items(user: User, day: datetime.date, limit: int = 50) -> list[TodayItem]:
    """Return the user's items for the day from every source: by priority, then due date.

    Ties keep a fixed order: the sources' registry order, then each source's own order.
    """
    items = [
        (item.priority, item.due, rank, position, item)
        for rank, source in enumerate(today_sources)
        for position, item in enumerate(source(user, day, limit))
    ]
    items.sort(key=lambda row: row[:4])
    return [row[4] for row in items[:limit]]
