"""A manager refunds an order in Chinese: confirms with a reason, sees it on the timeline."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from sales.models import Order, OrderStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_refunds_with_a_reason_in_chinese_and_sees_it_on_the_timeline(
    live_server, page: Page, manager, rep, make_customer, make_order
):
    customer = make_customer(rep, name="王芳")
    order = make_order(customer, timezone.localdate() - datetime.timedelta(days=3), "88.00")
    base = live_server.url
    sign_in(page, base, "manager", PASSWORD)
    expect(page.locator("h1")).to_have_text("Customers")
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")

    page.goto(f"{base}/customers/{customer.pk}/")
    page.click(".order-refund")
    expect(page.locator("h1")).to_have_text(f"订单 {order.number} 退款")
    page.click("#refund-form button[type=submit]")  # no reason: asked for one
    expect(page.locator("[data-field=reason]")).to_be_visible()
    page.fill("#id_reason", "顾客收到破损商品，已退货")
    page.click("#refund-form button[type=submit]")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("退款原因 顾客收到破损商品，已退货")
    expect(timeline).to_contain_text(f"manager: 订单 {order.number} · 状态")
    expect(page.locator(".order-reinstate")).to_have_text("撤销退款…")
    screenshot(page, "order-refunded-zh-hans")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
