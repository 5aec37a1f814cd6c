"""The customer's language and time zone in a real browser, in English and Chinese, at
desktop and phone widths: the rep reads them on the profile and sets the zone in the form."""

import pytest
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from customers.models import Customer
from engagement.tests.test_cadence_browser import WIDTHS, fits_the_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"language": "English", "default": "Default (Asia/Shanghai)", "save": "Save"},
    "zh-hans": {"language": "英语", "default": "默认（Asia/Shanghai）", "save": "保存"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_rep_reads_and_sets_the_customer_s_time_zone(
    live_server, browser: Browser, rep, make_customer, language: str, width: str
):
    rep.language = language
    rep.save(update_fields=["language"])
    customer = make_customer(rep, name="Amy", language="en")
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "rep", PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        expect(page.locator("#profile-language")).to_have_text(words["language"])
        expect(page.locator("#profile-time-zone")).to_have_text(words["default"])
        assert fits_the_width(page)
        page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
        page.fill("#id_time_zone", "Europe/Berlin")
        page.get_by_role("button", name=words["save"]).click()
        expect(page.locator("#profile-time-zone")).to_have_text("Europe/Berlin")
        assert fits_the_width(page)
        screenshot(page, f"customer-time-zone-{language}-{width}")
    finally:
        context.close()
    assert Customer.objects.get(pk=customer.pk).time_zone == "Europe/Berlin"
