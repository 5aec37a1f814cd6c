"""Load the demo organisation: users, products, tags, CDNOW customers and their orders.

Every write goes through the owning app's services, their bulk ones where the file is large,
so the whole file loads in seconds with the same rules and history as any other path
(huitou/tests/test_demo_writes_through_services.py keeps it so). Natural keys (usernames, SKUs,
customer external IDs "CDNOW-<id>", order numbers "CDNOW-<row>") decide what already exists,
so loading twice creates nothing the second time.
"""

import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from customers.models import Customer, Tag
from customers.services import Registration, bulk_register_customers, ensure_tags
from huitou.demo import SEED
from huitou.demo.activity import create_activity
from huitou.demo.catalogue import PRODUCTS, TAG_GROUPS
from huitou.demo.cdnow import (
    PREFIX,
    Purchase,
    by_customer,
    date_shift,
    external_id,
    first_customers,
    read_purchases,
)
from huitou.demo.lines import split_lines
from huitou.demo.people import Profile, ProfileMaker
from huitou.demo.users import ensure_organisation
from sales.models import Order
from sales.services import OrderInput, create_orders, ensure_products

Progress = Callable[[str], None]
# Large enough that each bulk write's fixed costs are amortised, small enough to show progress.
ORDER_CHUNK = 10_000
ORDER_CHANNEL = "网店"
CONSENT_SOURCE = "Sign-up form"

TagKey = tuple[str, str]


@dataclass(frozen=True)
class LoadResult:
    customers: int
    orders: int
    interactions: int
    follow_ups: int


@transaction.atomic
def load_demo(limit: int | None, today: datetime.date, progress: Progress) -> LoadResult:
    """Load the first `limit` CDNOW customers (all when None) with what is missing."""
    org = ensure_organisation()
    _ensure_products()
    tags = ensure_tags(TAG_GROUPS)
    everything = read_purchases()
    shift = date_shift(everything, today)
    purchases = first_customers(everything, limit)
    groups = list(by_customer(purchases))
    maker = ProfileMaker(SEED, today)
    # Drawn for every customer, new or not, so each keeps the same profile on any run.
    profiles = {number: maker.make(number) for number, _rows in groups}
    progress(
        f"{len(groups)} customers and {len(purchases)} purchases read; every date moved "
        f"{shift.days:,} days later so that the last purchase was yesterday"
    )
    customers = _create_customers(groups, profiles, org.reps, tags, shift)
    progress(f"{len(customers)} customers created with history, tags and consents")
    orders = _create_orders(purchases, profiles, shift, progress)
    interactions, follow_ups = create_activity(customers, org, today)
    progress(f"{interactions} interactions and {follow_ups} follow-ups created")
    if customers:
        _analyze()
    return LoadResult(len(customers), orders, interactions, follow_ups)


def _analyze() -> None:
    """Refresh the planner statistics after a bulk load.

    Without them SQLite drives a mobile search or a last-purchase filter through the owner
    index and scans a whole team's customers (docs/performance.md). ANALYZE is the same
    statement on SQLite and PostgreSQL.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _ensure_products() -> None:
    ensure_products(None, [product._asdict() for product in PRODUCTS])


def _created_at(number: int, first_purchase: datetime.date) -> datetime.datetime:
    """Return when the customer was registered: at their first purchase, during the day."""
    # Derived from the id rather than drawn, so it does not shift the seeded streams.
    at = datetime.time(9 + number % 12, number * 7 % 60)
    return datetime.datetime.combine(first_purchase, at, timezone.get_current_timezone())


def _customer(
    number: int, profile: Profile, owner: User, created_at: datetime.datetime
) -> Customer:
    return Customer(
        kind=profile.kind, name=profile.name, gender=profile.gender, mobile=profile.mobile,
        email=profile.email, wechat_id=profile.wechat_id, company=profile.company,
        title=profile.title, birthday=profile.birthday, birthday_calendar=profile.birthday_calendar,
        lunar_birth_month=profile.lunar_birth_month, lunar_birth_day=profile.lunar_birth_day,
        region=profile.region, city=profile.city, address=profile.address,
        source_channel=profile.source_channel, notes=profile.notes,
        external_id=external_id(number), owner=owner, created_at=created_at,
    )  # fmt: skip


def _create_customers(
    groups: Sequence[tuple[int, list[Purchase]]],
    profiles: dict[int, Profile],
    reps: Sequence[User],
    tags: dict[TagKey, Tag],
    shift: datetime.timedelta,
) -> list[Customer]:
    """Register the customers not yet loaded, shared round-robin between the reps, with the
    tags and consents of their profiles; the history starts at their first purchase."""
    existing = set(
        Customer.objects.filter(external_id__startswith=PREFIX).values_list(
            "external_id", flat=True
        )
    )
    registrations = [
        Registration(
            customer=_customer(
                number, profiles[number], reps[index % len(reps)],
                _created_at(number, rows[0].ordered_on + shift),
            ),
            tags=tuple(tags[key] for key in profiles[number].tags),
            consents=profiles[number].consents,
        )
        for index, (number, rows) in enumerate(groups)
        if external_id(number) not in existing
    ]  # fmt: skip
    return bulk_register_customers(None, registrations, CONSENT_SOURCE)


def _create_orders(
    purchases: Sequence[Purchase],
    profiles: dict[int, Profile],
    shift: datetime.timedelta,
    progress: Progress,
) -> int:
    """Write the purchases not yet loaded as paid orders, through the sales bulk path."""
    existing = set(Order.objects.filter(number__startswith=PREFIX).values_list("number", flat=True))
    customer_pks = dict(
        Customer.objects.filter(external_id__startswith=PREFIX).values_list("external_id", "pk")
    )
    rng = random.Random(SEED + 1)
    orders = []
    for purchase in purchases:
        # Drawn for every row so each order keeps the same lines on any run.
        lines = split_lines(
            rng, purchase.cds, purchase.value, profiles[purchase.customer_id].favourite
        )
        if purchase.order_number in existing:
            continue
        orders.append(
            OrderInput(
                number=purchase.order_number, customer_id=customer_pks[purchase.external_id],
                ordered_on=purchase.ordered_on + shift, lines=lines, channel=ORDER_CHANNEL,
            )
        )  # fmt: skip
    for done, chunk in _chunks(orders, ORDER_CHUNK):
        create_orders(None, chunk, validated=True)
        progress(f"orders: {done}/{len(orders)}")
    return len(orders)


def _chunks(items: Sequence[OrderInput], size: int) -> Iterator[tuple[int, Sequence[OrderInput]]]:
    """Yield (items written after this chunk, chunk)."""
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        yield start + len(chunk), chunk
