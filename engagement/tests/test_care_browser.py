"""The care calendar in a real browser, in Chinese and English, at desktop and phone widths:
a rep records a life event on the customer's page and sends a birthday greeting; a manager
previews a template on that customer."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from engagement.models import LifeEvent, Message

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("care_defaults"),
]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "zh-hans": {"add": "添加人生大事", "send": "发送问候", "preview": "预览",
                "greeting": "生日快乐",
                "birthday": "生日"},
    "en": {"add": "Add life event", "send": "Send greeting", "preview": "Preview",
           "greeting": "Happy birthday", "birthday": "Birthday"},
}  # fmt: skip


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_life_event_greeting_and_preview(
    live_server, browser: Browser, rep, manager, make_customer, language: str, width: str
):
    for user in (rep, manager):
        user.language = language
        user.save(update_fields=["language"])
    soon = timezone.localdate() + datetime.timedelta(days=2)
    customer = make_customer(rep, name="Wang Fang", birthday=soon.replace(year=1990))
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "rep", PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        form = page.locator("#life-event-form")
        form.locator("select[name=kind]").select_option("wedding")
        form.locator("input[name=date]").fill("2020-06-06")
        form.locator("input[name=note]").fill("Li Lei")
        page.click("#save-life-event")
        expect(page.locator("#life-events")).to_contain_text("Li Lei")
        assert LifeEvent.objects.get().kind == "wedding"
        expect(page.locator("#save-life-event")).to_have_text(words["add"])
        no_sideways_scroll(page)
        screenshot(page, f"care-customer-{language}-{width}")
        page.locator("#care-occasions button", has_text=words["send"]).first.click()
        expect(page.locator("#care-occasions")).not_to_contain_text(words["birthday"])
        assert Message.objects.get().cause_kind == "birthday"

        context.clear_cookies()
        sign_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/engagement/care/")
        page.fill("#preview-customer", "Wang")
        page.click("#preview-button")
        expect(page.locator("#previews")).to_contain_text("Wang Fang")
        expect(page.locator("#previews")).to_contain_text(words["greeting"])
        expect(page.locator("#preview-button")).to_have_text(words["preview"])
        no_sideways_scroll(page)
        screenshot(page, f"care-preview-{language}-{width}")
    finally:
        context.close()
