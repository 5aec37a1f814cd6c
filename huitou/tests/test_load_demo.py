"""The demo load: the file's real amounts, dates ending yesterday, valid profiles, idempotent."""

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Model, Sum
from django.utils import timezone

from accounts.models import Membership, Role, User
from customers.models import Consent, Customer, ProfileChange
from customers.validators import normalize_mobile
from huitou.demo import SEED
from huitou.demo.cdnow import Purchase, date_shift, first_customers, read_purchases
from huitou.demo.people import ProfileMaker
from huitou.demo.users import DEMO_USERS, PASSWORD, TEAM
from interactions.models import FollowUp, Interaction
from interactions.services import follow_ups_due
from sales.models import CustomerStats, Order, OrderLine, OrderStatus
from sales.summary import computed, rebuild_all

# The first 460 customers include purchases on the file's last day (customers 328 and 398)
# and a zero-value purchase (customer 455).
LIMIT = 460
COUNTED: tuple[type[Model], ...] = (
    User, Membership, Customer, ProfileChange, Consent, Customer.tags.through,
    Order, OrderLine, CustomerStats, Interaction, FollowUp,
)  # fmt: skip

pytestmark = pytest.mark.django_db


def load(limit: int = LIMIT) -> str:
    out = io.StringIO()
    call_command("load_demo", limit=limit, stdout=out)
    return out.getvalue()


def file_slice(limit: int = LIMIT) -> tuple[tuple[Purchase, ...], list[Purchase]]:
    everything = read_purchases()
    return everything, first_customers(everything, limit)


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture
def loaded(db: object) -> None:
    load()


@pytest.mark.usefixtures("loaded")
def test_every_date_moves_by_one_shift_that_ends_the_file_yesterday() -> None:
    everything, purchases = file_slice()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    shift = date_shift(everything, timezone.localdate())
    assert max(p.ordered_on for p in everything) + shift == yesterday
    loaded = dict(Order.objects.values_list("number", "ordered_on"))
    assert loaded == {p.order_number: p.ordered_on + shift for p in purchases}
    assert max(loaded.values()) == yesterday


@pytest.mark.usefixtures("loaded")
def test_amounts_equal_the_files_sums_per_customer() -> None:
    _everything, purchases = file_slice()
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for purchase in purchases:
        expected[purchase.external_id] += purchase.value
    orders = Order.objects.values("customer__external_id").annotate(total=Sum("amount"))
    assert {row["customer__external_id"]: row["total"] for row in orders} == expected
    kept = CustomerStats.objects.values_list("customer__external_id", "total_spend")
    assert {external: spend for external, spend in kept} == expected
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID}


@pytest.mark.usefixtures("loaded")
def test_lines_add_up_to_each_order_and_quantity_to_the_cds() -> None:
    _everything, purchases = file_slice()
    cds = {p.order_number: p.cds for p in purchases}
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 2
        assert sum(line.quantity for line in lines) == cds[order.number]
        assert sum(line.amount for line in lines) == order.amount
        for line in lines:
            assert line.amount == line.unit_price * line.quantity - line.discount
            assert Decimal(0) <= line.discount < Decimal("0.01") * line.quantity
    zero = Order.objects.get(number=next(p.order_number for p in purchases if not p.value))
    assert zero.amount == 0


@pytest.mark.usefixtures("loaded")
def test_kept_summaries_equal_a_rebuild() -> None:
    def row(stats: CustomerStats) -> tuple[object, ...]:
        spend = Decimal(stats.total_spend).quantize(Decimal("0.01"))
        return (stats.first_purchase_on, stats.last_purchase_on, stats.purchase_days,
                stats.orders_count, spend)  # fmt: skip

    kept = {stats.customer_id: row(stats) for stats in CustomerStats.objects.all()}
    assert kept == {pk: row(stats) for pk, stats in computed().items()}
    assert rebuild_all() == (0, LIMIT)


@pytest.mark.usefixtures("loaded")
def test_loading_again_creates_nothing() -> None:
    before = counts()
    output = load()
    assert counts() == before
    assert "0 customers, 0 orders, 0 interactions, 0 follow-ups created" in output
    out = io.StringIO()
    call_command("load_demo", if_empty=True, stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == before


@pytest.mark.usefixtures("loaded")
def test_a_longer_load_keeps_what_exists_and_adds_the_rest() -> None:
    before = list(Customer.objects.order_by("pk").values_list("external_id", "name", "mobile"))
    load(LIMIT + 40)
    after = list(Customer.objects.order_by("pk").values_list("external_id", "name", "mobile"))
    assert after[:LIMIT] == before
    assert len(after) == LIMIT + 40
    assert len({mobile for _external, _name, mobile in after}) == LIMIT + 40


def test_profiles_are_the_same_on_every_run() -> None:
    today = timezone.localdate()
    first, second = ProfileMaker(SEED, today), ProfileMaker(SEED, today)
    assert [first.make(n) for n in range(1, 200)] == [second.make(n) for n in range(1, 200)]


@pytest.mark.usefixtures("loaded")
def test_mobiles_are_valid_unique_chinese_mobiles() -> None:
    mobiles = list(Customer.objects.values_list("mobile", flat=True))
    assert len(set(mobiles)) == len(mobiles) == LIMIT
    for mobile in mobiles:
        assert normalize_mobile(mobile) == mobile
        assert len(mobile) == 11
    reversed_ok = Customer.objects.values_list("mobile", "mobile_reversed")
    assert all(back == mobile[::-1] for mobile, back in reversed_ok)


@pytest.mark.usefixtures("loaded")
def test_birthdays_are_past_and_some_are_lunar() -> None:
    today = timezone.localdate()
    customers = list(Customer.objects.all())
    assert all(c.birthday is not None and c.birthday <= today for c in customers)
    for customer in customers:
        customer.full_clean()  # the model's own checks: mobile, birthday, lunar fields
    lunar = [c for c in customers if c.birthday_calendar == "lunar"]
    assert 0.08 < len(lunar) / len(customers) < 0.25
    assert all(c.lunar_birth_month and c.lunar_birth_day for c in lunar)


@pytest.mark.usefixtures("loaded")
def test_profiles_have_history_tags_and_consents() -> None:
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None
    created = customer.changes.get(subject="customer")
    assert (created.field, created.new_value) == ("created", customer.name)
    assert created.changed_at == customer.created_at
    assert ProfileChange.objects.filter(subject="customer").count() == LIMIT
    # The demo's follow-ups were planned and completed through the services: in the history.
    follow_up_rows = ProfileChange.objects.filter(subject="follow_up")
    planned = FollowUp.objects.count()
    assert follow_up_rows.filter(field="created").count() == planned
    done = FollowUp.objects.exclude(done_at=None).count()
    assert follow_up_rows.filter(field="done_at").count() == done
    assert Customer.tags.through.objects.count() >= LIMIT
    opted_out = Consent.objects.filter(granted=False).count()
    assert 0 < opted_out < Consent.objects.count() / 5
    assert Customer.objects.exclude(region="").count() == LIMIT


@pytest.mark.usefixtures("loaded")
def test_every_role_exists_and_each_rep_has_follow_ups_due_today() -> None:
    users = {user.username: user for user in User.objects.all()}
    assert {demo.username: demo.role for demo in DEMO_USERS} == {
        name: user.role for name, user in users.items()
    }
    assert all(user.check_password(PASSWORD) for user in users.values())
    assert users["admin"].is_superuser
    team_members = set(
        Membership.objects.filter(team__name=TEAM).values_list("user__username", flat=True)
    )
    assert team_members == {"manager", "rep1", "rep2", "rep3"}
    owners = Counter(Customer.objects.values_list("owner__username", flat=True))
    assert set(owners) == {"rep1", "rep2", "rep3"}
    today = timezone.localdate()
    for rep in User.objects.filter(role=Role.REP):
        due = follow_ups_due(rep, today)
        assert due.filter(due_on=today).exists()


@pytest.mark.usefixtures("loaded")
def test_demo_logins_prints_every_user_and_the_password() -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert PASSWORD in text
    assert all(demo.username in text for demo in DEMO_USERS)
