"""The cadences page in a real browser, in English and Chinese, at desktop and phone widths:
a manager reads the rules, is told which field is wrong, and adds a cadence."""

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from engagement.models import Cadence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": {"title": "Cadences", "audience": "A-tier · Returning customers", "every": "30 days",
           "error": "Enter a number of days from 1 to 3650.", "new": "New cadence"},
    "zh-hans": {"title": "回访节奏", "audience": "A 级 · 老客户", "every": "30 天",
                "error": "请输入 1 到 3650 之间的天数。", "new": "新建回访节奏"},
}  # fmt: skip


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_manager_reads_and_adds_a_cadence(
    live_server, browser: Browser, manager, language: str, width: str
):
    manager.language = language
    manager.save(update_fields=["language"])
    # The seeded rules are there unless an earlier test flushed the database: start from one.
    Cadence.objects.all().delete()
    Cadence.objects.create(
        name="A-tier returning customers: a call every 30 days", value_tier="A",
        lifecycle="returning", interval_days=30, channel="phone",
    )  # fmt: skip
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/engagement/cadences/")
        expect(page.locator("h1")).to_have_text(words["title"])
        table = page.locator("#cadence-table")
        audience = table.get_by_text(words["audience"], exact=True)
        shown = [e for e in audience.all() if e.is_visible()]
        assert len(shown) == 1  # beside the name on a phone, in its own column on a desktop
        expect(table).to_contain_text(words["every"])
        assert fits_the_width(page)
        screenshot(page, f"cadences-{language}-{width}")

        page.click("#new-cadence")
        expect(page.locator("h1")).to_have_text(words["new"])
        page.fill("#id_name", "Weekly WeChat for B-tier")
        page.fill("#id_interval_days", "0")
        page.select_option("#id_channel", "wechat")
        page.select_option("#id_value_tier", "B")
        page.click("#save-cadence")
        error = page.locator("[data-field=interval_days]")
        expect(error).to_have_text(words["error"])
        expect(page.locator("#id_interval_days")).to_have_class("form-control is-invalid")
        assert fits_the_width(page)
        screenshot(page, f"cadence-form-error-{language}-{width}")

        page.fill("#id_interval_days", "7")
        page.click("#save-cadence")
        expect(page.locator("h1")).to_have_text(words["title"])
        expect(page.locator("#cadence-table")).to_contain_text("Weekly WeChat for B-tier")
        assert Cadence.objects.get(name="Weekly WeChat for B-tier").interval_days == 7
    finally:
        context.close()
