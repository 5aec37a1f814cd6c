"""Data the models cannot judge gives a clear message, never a crash or a made-up number."""

import datetime

import pytest

from insights.models import CustomerScore, RunStatus
from insights.services import run_scoring

DAY = datetime.date(2026, 3, 1)


def scored(as_of=DAY + datetime.timedelta(days=60)):
    run = run_scoring(as_of)
    assert run.status == RunStatus.FAILED
    assert not CustomerScore.objects.filter(run=run).exists()
    return run.message


def test_no_orders_yet(db):
    assert "no transactions" in scored().lower()


def test_a_single_customer(rep, make_customer, make_order):
    customer = make_customer(rep)
    for offset in (0, 10, 30):
        make_order(customer, DAY + datetime.timedelta(days=offset))
    assert "customers are needed" in scored()


def test_everyone_bought_once(rep, make_customer, make_order):
    for i in range(20):
        make_order(make_customer(rep), DAY + datetime.timedelta(days=i))
    assert "no customer bought more than once" in scored().lower()


def test_all_purchases_on_one_day(rep, make_customer, make_order):
    for _ in range(20):
        make_order(make_customer(rep), DAY)
    assert "(T = 0)" in scored(DAY)


@pytest.mark.parametrize("status", ["refunded", "cancelled"])
def test_refunded_and_cancelled_orders_do_not_count(rep, make_customer, make_order, status):
    for i in range(5):
        make_order(make_customer(rep), DAY + datetime.timedelta(days=i), status=status)
    assert "no transactions" in scored().lower()


def test_failure_reads_in_the_readers_language(rep, make_customer, make_order):
    from django.utils import translation

    from insights.models import ScoreRun

    customer = make_customer(rep)
    make_order(customer, DAY)
    make_order(customer, DAY + datetime.timedelta(days=5))
    scored()
    run = ScoreRun.objects.get()
    with translation.override("en"):
        assert run.failure_text() == "At least 2 customers are needed to fit the BG/NBD model."
    with translation.override("zh-hans"):
        assert run.failure_text() == "拟合 BG/NBD 模型至少需要 2 位客户。"
