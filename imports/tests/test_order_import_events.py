"""An order import announces its orders in bulk: order.paid once per paid order, a status
change as order.status_changed (issue 11, item 3); no history row per imported order."""

from collections.abc import Iterator

import pytest

from core import events
from core.events import Event
from core.models import OutboxEvent
from customers.models import ProfileChange, Subject
from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected, run

pytestmark = pytest.mark.django_db

HEADER = ["订单号", "外部编号", "日期", "商品", "数量", "金额", "状态", "渠道"]


@pytest.fixture
def paid() -> Iterator[list[Event]]:
    seen: list[Event] = []
    events.subscribe("order.paid", "test.paid", seen.append)
    yield seen
    events.unsubscribe("order.paid", "test.paid")


def test_an_import_announces_each_paid_order_once(manager, rep, make_customer, product, paid):
    buyer = make_customer(rep, name="Buyer", mobile="13900001111", external_id="C-1")
    rows = [
        HEADER,
        ["SO-1", "C-1", "2024-01-05", "CD-ROCK", "1", "50", "paid", ""],
        ["SO-2", "C-1", "2024-01-06", "CD-ROCK", "1", "20", "已退款", ""],
    ]
    job = run(manager, Kind.ORDERS, csv_bytes(rows))
    assert job.created_count == 2, rejected(job)

    events.deliver_pending()
    events.deliver_pending()
    assert [(e.customer_id, e.data["number"], e.actor.kind, e.actor.ref) for e in paid] == [
        (buyer.pk, "SO-1", "import", job.pk)
    ]
    assert not ProfileChange.objects.filter(subject=Subject.ORDER).exists()

    rows[2][6] = "paid"
    again = run(manager, Kind.ORDERS, csv_bytes(rows))
    assert again.updated_count == 1, rejected(again)
    events.deliver_pending()
    assert [e.data["number"] for e in paid] == ["SO-1", "SO-2"]
    changed = OutboxEvent.objects.get(kind="order.status_changed")
    assert changed.data is not None
    assert (changed.data["old_status"], changed.data["status"]) == ("refunded", "paid")
    assert OutboxEvent.objects.filter(kind="order.reinstated").count() == 1
