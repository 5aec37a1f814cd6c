"""Priority purchase: early access by tier, reservations, the one allocation, notices."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.utils import timezone

from core.busy import is_busy
from core.errors import Conflict, Forbidden, Invalid, NotFound
from customers.models import Consent
from customers.services import merge_customers
from engagement.models import Message, Purpose, Status
from loyalty import priority
from loyalty.models import LimitedProduct, Member, MembershipTier, Reservation, ReservationStatus

START = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=datetime.UTC)
CLOSE = START + datetime.timedelta(days=2)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


@pytest.fixture
def tiers(db):
    """Three tiers of their own (codes and ranks apart from any seeded ones)."""
    made = {}
    for code, rank, early in (("t-basic", 91, 0), ("t-gold", 92, 24), ("t-plat", 93, 48)):
        made[code] = MembershipTier.objects.update_or_create(
            code=code, defaults={"name": code, "rank": rank, "min_spend": Decimal(rank),
                                 "priority_hours": early},
        )[0]  # fmt: skip
    return made


def member(customer, tier: str = ""):
    Member.objects.create(customer=customer, tier=tier)
    return customer


@pytest.fixture
def limited(manager, product):
    return priority.create_limited(manager, product, 3, START, CLOSE)


def test_early_access_opens_by_tier_and_closes_for_everyone(rep, make_customer, tiers, limited):
    plat = member(make_customer(rep), "t-plat")
    gold = member(make_customer(rep), "t-gold")
    basic = member(make_customer(rep), "t-basic")
    stranger = make_customer(rep)
    assert priority.reserve(rep, limited.pk, plat.pk, now=START - hours(48)).tier == "t-plat"
    with pytest.raises(Conflict, match="may reserve from"):
        priority.reserve(rep, limited.pk, gold.pk, now=START - hours(25))
    priority.reserve(rep, limited.pk, gold.pk, now=START - hours(24))
    with pytest.raises(Conflict):
        priority.reserve(rep, limited.pk, basic.pk, now=START - hours(1))
    priority.reserve(rep, limited.pk, basic.pk, now=START)
    with pytest.raises(Conflict, match="closed"):
        priority.reserve(rep, limited.pk, stranger.pk, now=CLOSE)
    limited.refresh_from_db()
    assert limited.requested == 3


def test_oversubscribed_goes_by_tier_then_time_and_never_oversells(
    rep, manager, product, make_customer, tiers
):
    limited = priority.create_limited(manager, product, 4, START, CLOSE, per_customer=2)
    early_basic = member(make_customer(rep), "t-basic")
    late_gold = member(make_customer(rep), "t-gold")
    earlier_gold = member(make_customer(rep), "t-gold")
    plat = member(make_customer(rep), "t-plat")
    no_tier = make_customer(rep)
    priority.reserve(rep, limited.pk, early_basic.pk, 1, now=START)
    priority.reserve(rep, limited.pk, earlier_gold.pk, 2, now=START + hours(1))
    priority.reserve(rep, limited.pk, late_gold.pk, 2, now=START + hours(2))
    priority.reserve(rep, limited.pk, plat.pk, 1, now=START + hours(3))
    priority.reserve(rep, limited.pk, no_tier.pk, 1, now=START + hours(4))
    assert priority.allocate(limited.pk, now=CLOSE - hours(1)) is None  # not closed yet
    outcome = priority.allocate(limited.pk, now=CLOSE)
    assert outcome == priority.Allocation(given=4, full=2, partly=1, none=2)
    given = {r.customer_id: (r.allocated, r.status) for r in Reservation.objects.all()}
    assert given == {
        plat.pk: (1, ReservationStatus.ALLOCATED),
        earlier_gold.pk: (2, ReservationStatus.ALLOCATED),
        late_gold.pk: (1, ReservationStatus.PARTLY),
        early_basic.pk: (0, ReservationStatus.NOT_ALLOCATED),
        no_tier.pk: (0, ReservationStatus.NOT_ALLOCATED),
    }
    assert priority.allocate(limited.pk, now=CLOSE + hours(1)) is None  # once only
    assert sum(allocated for allocated, _status in given.values()) == 4


def test_undersubscribed_everyone_gets_what_they_asked(rep, make_customer, limited):
    customer = make_customer(rep)
    priority.reserve(rep, limited.pk, customer.pk, now=START)
    assert priority.allocate_closed(now=CLOSE) == 1
    assert Reservation.objects.get().status == ReservationStatus.ALLOCATED


def test_bad_reservations_are_refused_and_write_nothing(
    rep, other_rep, agent, make_customer, limited
):
    customer = make_customer(rep)
    with pytest.raises(Invalid) as error:
        priority.reserve(rep, limited.pk, customer.pk, 2, now=START)
    assert error.value.field == "quantity"
    with pytest.raises(Invalid):
        priority.reserve(rep, limited.pk, customer.pk, 0, now=START)
    with pytest.raises(Http404):
        priority.reserve(other_rep, limited.pk, customer.pk, now=START)
    with pytest.raises(Forbidden):
        priority.reserve(agent, limited.pk, customer.pk, now=START)
    with pytest.raises(NotFound):
        priority.reserve(rep, 999_999, customer.pk, now=START)
    assert not Reservation.objects.exists()
    priority.reserve(rep, limited.pk, customer.pk, now=START)
    with pytest.raises(Conflict, match="already"):
        priority.reserve(rep, limited.pk, customer.pk, now=START)
    assert LimitedProduct.objects.get().requested == 1


def test_only_managers_set_up_limited_products(rep, manager, product):
    with pytest.raises(Forbidden):
        priority.create_limited(rep, product, 3, START, CLOSE)
    with pytest.raises(Invalid) as error:
        priority.create_limited(manager, product, 0, START, CLOSE)
    assert error.value.field == "quantity"
    with pytest.raises(Invalid) as error:
        priority.create_limited(manager, product, 3, CLOSE, START)
    assert error.value.field == "closes_at"
    assert not LimitedProduct.objects.exists()


def api(client: Client, payload: dict[str, int], key: str | None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/loyalty/reservations", payload, content_type="application/json",
        headers=headers,
    )  # fmt: skip


def test_api_reserves_once_per_key(rep, make_customer, manager, product):
    now = timezone.now()
    limited = priority.create_limited(manager, product, 3, now - hours(1), now + hours(5))
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    body = {"limited_id": limited.pk, "customer_id": customer.pk, "quantity": 1}
    assert api(client, body, None).status_code == 422  # the key is required
    first = api(client, body, "k-1")
    assert first.status_code == 201, first.content
    again = api(client, body, "k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    refused = api(client, body, "k-2")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "customer_id"
    too_many = api(client, {**body, "quantity": 1_000_000}, "k-3")
    assert too_many.status_code == 422
    assert Reservation.objects.count() == 1


def test_api_refuses_another_reps_customer(rep, other_rep, make_customer, manager, product):
    now = timezone.now()
    limited = priority.create_limited(manager, product, 3, now - hours(1), now + hours(5))
    customer = make_customer(rep)
    client = Client()
    client.force_login(other_rep)
    body = {"limited_id": limited.pk, "customer_id": customer.pk}
    assert api(client, body, "x").status_code == 404
    assert not Reservation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_and_closing_never_oversell(rep, manager, product, make_customer):
    """Real threads: reservations race each other and the close; the allocation runs from
    two threads at once. Exactly the quantity is given, once, to accepted reservations."""
    now = timezone.now()
    limited = priority.create_limited(manager, product, 5, now - hours(1), now + hours(1))
    customers = [make_customer(rep) for _ in range(12)]
    barrier = threading.Barrier(len(customers) + 2)
    outcomes: list[str] = []

    def reserve(customer_id: int) -> None:
        barrier.wait()
        outcomes.append(_retrying(lambda: priority.reserve(rep, limited.pk, customer_id)))
        connection.close()

    def close() -> None:
        barrier.wait()
        outcomes.append(_retrying(lambda: priority.allocate(limited.pk, now + hours(2))))
        connection.close()

    threads = [threading.Thread(target=reserve, args=(c.pk,)) for c in customers]
    threads += [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limited.refresh_from_db()
    reservations = list(Reservation.objects.filter(limited=limited))
    assert limited.allocated_at is not None
    assert outcomes.count("Allocation") == 1 and outcomes.count("NoneType") == 1
    assert len(reservations) == outcomes.count("Reservation") == limited.requested
    given = sum(r.allocated for r in reservations)
    assert given == min(5, len(reservations))
    assert all(r.status != ReservationStatus.WAITING for r in reservations)


def _retrying(call) -> str:
    """Run the call as a client would: again after a busy answer (SQLite's write lock);
    return the type of what it answered, or the refusal's."""
    for attempt in range(100):
        try:
            return type(call()).__name__
        except Conflict as refusal:
            return type(refusal).__name__
        except Exception as error:
            if not is_busy(error):
                raise
            connection.close()
            time.sleep(0.01 * (attempt % 10 + 1))
    raise AssertionError("still busy after 100 tries")


def test_notice_goes_to_members_with_early_access_through_the_send_path(
    rep, other_rep, manager, make_customer, tiers, limited, settings
):
    settings.CONTACT_CAP_7_DAYS = 1
    reached = member(make_customer(rep), "t-gold")
    opted_out = member(make_customer(rep), "t-plat")
    Consent.objects.create(customer=opted_out, channel="sms", granted=False)
    capped = member(make_customer(rep), "t-gold")
    Message.objects.create(
        customer=capped, channel="sms", purpose=Purpose.MARKETING, status=Status.SENT,
        occasion_date=datetime.date(2026, 12, 17), text="earlier",
        scheduled_for=START - hours(30),
    )  # fmt: skip
    member(make_customer(rep), "t-basic")  # no early access: not told
    member(make_customer(other_rep), "t-plat")  # another team's: not the manager's to tell
    outcome = priority.announce(manager, limited.pk, now=START - hours(26))
    assert outcome.queued == 1
    assert outcome.skipped == {"opted_out": 1, "cap_7_days": 1}
    notice = Message.objects.get(customer=reached)
    assert notice.purpose == Purpose.MARKETING and limited.product.name in notice.text
    again = priority.announce(manager, limited.pk, now=START - hours(25))
    assert again.queued == 1 and Message.objects.filter(customer=reached).count() == 1
    with pytest.raises(Forbidden):
        priority.announce(rep, limited.pk)


def test_merge_gives_the_survivor_the_duplicates_reservations(
    rep, manager, product, make_customer, limited
):
    survivor = make_customer(rep)
    duplicate = make_customer(rep)
    priority.reserve(rep, limited.pk, duplicate.pk, now=START)
    merge_customers(manager, survivor, duplicate)
    assert Reservation.objects.get().customer_id == survivor.pk


@pytest.mark.parametrize(
    ("role", "status"), [("admin_user", 201), ("manager", 201), ("rep", 201), ("agent", 403)]
)
def test_api_reservation_per_role(request, rep, make_customer, manager, product, role, status):
    now = timezone.now()
    limited = priority.create_limited(manager, product, 3, now - hours(1), now + hours(5))
    customer = make_customer(rep)
    client = Client()
    client.force_login(request.getfixturevalue(role))
    body = {"limited_id": limited.pk, "customer_id": customer.pk}
    assert api(client, body, "k").status_code == status
    assert Reservation.objects.count() == (status == 201)


def test_limited_products_page_adds_for_managers_and_refuses_bad_input(rep, manager, product):
    client = Client()
    client.force_login(manager)
    form = {"product": product.pk, "quantity": "10", "per_customer": "2",
            "sale_starts_at": "2026-12-20T10:00", "closes_at": "2026-12-19T10:00"}  # fmt: skip
    bad = client.post("/loyalty/limited/", form)
    assert bad.status_code == 422
    assert "Reservations must close after the general sale starts." in bad.content.decode()
    assert not LimitedProduct.objects.exists()
    client.post("/loyalty/limited/", {**form, "closes_at": "2026-12-22T10:00"})
    assert LimitedProduct.objects.get().per_customer == 2
    chinese = client.get("/loyalty/limited/", headers={"Accept-Language": "zh-hans"})
    assert "限量商品" in chinese.content.decode()
    reader = Client()
    reader.force_login(rep)
    page = reader.get("/loyalty/limited/").content.decode()
    assert product.name in page and 'id="limited-form"' not in page
    assert reader.post("/loyalty/limited/", form).status_code == 200
    assert LimitedProduct.objects.count() == 1
    refused = reader.post(f"/loyalty/limited/{LimitedProduct.objects.get().pk}/announce/")
    assert refused.status_code == 403


def test_reserve_page_refuses_bad_quantity_clearly(rep, make_customer, manager, product):
    now = timezone.now()
    limited = priority.create_limited(manager, product, 3, now - hours(1), now + hours(5))
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    url = f"/loyalty/customers/{customer.pk}/reserve/"
    refused = client.post(url, {"limited": limited.pk, "quantity": "-1"})
    assert refused.status_code == 422
    too_many = client.post(url, {"limited": limited.pk, "quantity": "3"})
    assert too_many.status_code == 422 and "Reserve from 1 to 1." in too_many.content.decode()
    assert not Reservation.objects.exists()
    assert client.post(url, {"limited": limited.pk, "quantity": "1"}).status_code == 302
