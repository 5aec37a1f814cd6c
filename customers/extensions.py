"""Extension points of the customer archive, filled by the apps above it.

`customers` sits below sales, interactions, imports and insights, so it never imports them.
Each of them registers here, in its AppConfig.ready(), what it adds to a customer: inputs
taken with a new customer, entries on the timeline, panels on the 360° page, rows to move
in a merge, a summary to keep when the owner changes, buttons on the list, items on a rep's
day, its part of a person's data export and of an erasure. Every registry hands its
contributors back in a fixed order (order, then name).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from django_stubs_ext import StrOrPromise

from accounts.models import User
from core.registry import Registry
from customers.models import Customer, ProfileChange


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


class CreationChecker(Protocol):
    """Refuse a value for a new customer not yet saved, with a DomainError naming the field
    (the import checks each row before it writes any)."""

    def __call__(self, customer: Customer, value: str, /) -> object: ...


class CreationKeeper(Protocol):
    """Keep a value given with a new customer, inside the creation's transaction; refuse it
    with a DomainError naming the field (the whole creation then rolls back)."""

    def __call__(self, actor: User | None, customer: Customer, value: str, /) -> object: ...


@dataclass(frozen=True)
class CreationField:
    """An input another app takes with a new customer (a referral code): offered on the
    new-customer form, in the API's `extras` and as an import column (found under its label
    or `aliases`), checked by `check` and kept by `keep` when not blank."""

    name: str
    # Lazy translations, put into words in the reader's language when shown.
    label: StrOrPromise
    help_text: StrOrPromise
    max_length: int
    check: CreationChecker
    keep: CreationKeeper
    aliases: tuple[str, ...] = ()


creation_fields: Registry[CreationField] = Registry("new-customer inputs")


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
class TodayAction:
    """An item's one-click action (complete a follow-up, send a greeting): a POST to the
    contributing app's own page, which answers by going back to `next`."""

    label: str
    url: str


@dataclass(frozen=True)
class TodayItem:
    """One thing to do about one customer on a given day.

    Lower `priority` comes first (1: overdue promises; 2: due today; 3: signals to act on).
    `ref` names the record behind the item ("follow_up:12", "care:birthday:2026-12-05"), so
    that Today can tell the same item apart from day to day.
    """

    customer: Customer
    kind: str
    priority: int
    due: datetime.date
    reason: str
    ref: str = ""
    action: TodayAction | None = None


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


@dataclass(frozen=True)
class HistoryWords:
    """A history row about another app's record, in the reader's language: what the row is
    about ("Order SO-1001"), the changed field's name, and the values before and after."""

    subject: str
    field: str
    old: str
    new: str
    # False for an action ("created", "completed"): the reader sees what, not before → after.
    before_after: bool = True


class HistoryDescriber(Protocol):
    """Put history rows about the app's records into words, one HistoryWords per row in
    order (raw values are stored); given every such row of a timeline at once, so that what
    the words need (an order's number) is read in one query."""

    def __call__(self, changes: Sequence[ProfileChange], /) -> list[HistoryWords]: ...


# Keyed by the subject the app records (customers.models.Subject), e.g. "order".
history_describers: Registry[HistoryDescriber] = Registry("history describers")


@dataclass(frozen=True)
class PersonalValues:
    """What identifies the person, as it was stored before the erasure.

    `texts` are the values to look for in free text, stored answers and files: name,
    mobile, email, WeChat ID, address, external ID (empty ones left out).
    """

    customer_id: int
    texts: tuple[str, ...]
    mobile: str = ""


class ErasureParticipant(Protocol):
    """Erase what one app holds about the customer, inside the erasure's transaction.

    Anonymise or delete the app's rows that carry the person's data (the customer's own
    values are given, as stored before the erasure, for finding copies of them in free text
    and files); keep what the statistics need. Return the files to delete once the erasure
    has committed (a rollback must not have deleted them).
    """

    def __call__(self, customer: Customer, values: PersonalValues, /) -> Iterable[Path]: ...


erasure_participants: Registry[ErasureParticipant] = Registry("customer erasure participants")


@dataclass(frozen=True)
class PersonalDataSection:
    """One part of a subject-access export: a table, each row a dict keyed by `columns`.

    `name` becomes the CSV's file name and the JSON's key, so it is a plain identifier
    ("orders", "order_lines").
    """

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


class PersonalDataSource(Protocol):
    """Return everything one app holds about the customer, as sections."""

    def __call__(self, customer: Customer, /) -> Iterable[PersonalDataSection]: ...


personal_data_sources: Registry[PersonalDataSource] = Registry("personal data sources")
