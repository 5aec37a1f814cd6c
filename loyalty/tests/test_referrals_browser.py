"""A rep shows a customer's referral code and QR code and reserves a limited product for
them, in a real browser, in English and Chinese, at desktop and phone widths."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from loyalty import priority, referrals
from loyalty.models import Reservation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": {"referrals": "Referrals", "priority": "Priority purchase", "reserve": "Reserve",
           "done": "Reserved.", "waiting": "waiting for the allocation", "by": "Referred by"},
    "zh-hans": {"referrals": "转介绍", "priority": "优先购买", "reserve": "预订",
                "done": "已预订。", "waiting": "等待分配", "by": "推荐人"},
}  # fmt: skip


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_rep_shows_the_referral_code_and_reserves(
    live_server, browser: Browser, rep, manager, product, make_customer, language, width
):
    rep.language = language
    rep.save(update_fields=["language"])
    referrer = make_customer(rep, name="Old Friend")
    customer = make_customer(rep, name="Wang Fang")
    referrals.attribute(rep, customer, referrals.code_for(referrer).code)
    code = referrals.shown(referrals.code_for(customer).code)
    now = timezone.now()
    limited = priority.create_limited(
        manager, product, 5, now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1)
    )
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "rep", PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        panel = page.locator("#referral-panel")
        expect(panel).to_contain_text(words["referrals"])
        expect(page.locator("#referral-code")).to_have_text(code)
        expect(page.locator("#referral-qr svg")).to_be_visible()
        expect(page.locator("#referral-tree")).to_contain_text(words["by"])
        expect(page.locator("#referral-tree")).to_contain_text("Old Friend")
        expect(page.locator("#reservation-panel")).to_contain_text(words["priority"])
        page.fill("#reserve-quantity", "1")
        page.locator("#reserve-form button").click()
        expect(page.locator("body")).to_contain_text(words["done"])
        expect(page.locator("#reservations")).to_contain_text(words["waiting"])
        expect(page.locator("#reservations")).to_contain_text(product.name)
        assert fits_the_width(page)
        screenshot(page, f"referrals-{language}-{width}")
    finally:
        context.close()
    reservation = Reservation.objects.get()
    assert (reservation.customer_id, reservation.limited_id) == (customer.pk, limited.pk)
    assert reservation.reserved_by_id == rep.pk
