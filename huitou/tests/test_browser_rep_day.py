"""A sales rep's day in a real browser: find, open, log a call, see the follow-up."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_finds_a_customer_logs_a_call_and_sees_the_follow_up(
    live_server, page: Page, rep, other_rep, make_customer, make_order
):
    customer = make_customer(rep, name="Wang Fang", mobile="13912345678", company="Acme")
    make_customer(rep, name="Zhao Lei", mobile="13800001111")
    make_order(customer, timezone.localdate() - datetime.timedelta(days=40), "88.00")
    hidden = make_customer(other_rep, name="Not Yours", mobile="13700002222")
    base = live_server.url

    sign_in(page, base, "rep", PASSWORD)
    page.fill("#id_q", "1234")  # part of the mobile number
    expect(page.locator("#customer-table tbody tr")).to_have_count(1)
    expect(page.locator("#customer-table")).to_contain_text("Wang Fang")
    screenshot(page, "customer-list-en")
    page.click("text=Wang Fang")

    expect(page.locator("#customer-name")).to_have_text("Wang Fang")
    expect(page.locator("#key-figures")).to_contain_text("88.00")
    page.click("#log-interaction")  # click one: the short form opens in place
    page.select_option("#id_kind", "phone")
    page.fill("#id_summary", "Called about the new jazz releases")
    page.fill("#id_next_contact_on", timezone.localdate().isoformat())
    page.click("#save-interaction")  # click two: saved
    expect(page.locator("#timeline")).to_contain_text("Called about the new jazz releases")
    screenshot(page, "customer-360-en")

    page.click("text=My follow-ups")
    expect(page.locator("#follow-ups-due")).to_contain_text("Wang Fang")

    page.select_option("#language-select", "zh-hans")
    expect(page.locator("h1")).to_have_text("我的待回访")
    page.click("text=客户")
    expect(page.locator("h1")).to_have_text("客户")
    screenshot(page, "customer-list-zh")
    page.select_option("#language-select", "en")
    expect(page.locator("h1")).to_have_text("Customers")

    response = page.goto(f"{base}/customers/{hidden.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Not Yours")
