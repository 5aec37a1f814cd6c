"""The care-effect page and the response mark in a real browser: English and Chinese,
desktop and phone."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from engagement.models import MessageResponse
from engagement.tests.effect_data import build
from insights.tests.test_browser_pages_numbers import check_charts_fit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": ("Care effect", "Birthday", "+40.0 pp"),
    "zh-hans": ("关怀效果", "生日", "+40.0 个百分点"),
}


@pytest.fixture
def example(rep: Any, make_customer: Any, make_order: Any, settings: Any) -> Any:
    settings.CARE_EFFECT_MIN_GROUP = 3
    return build(rep, make_customer, make_order)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", WORDS)
def test_manager_sees_the_table_and_charts(
    live_server: Any, page: Page, example: Any, manager: Any, language: str, width: str
) -> None:
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/engagement/care-effect/")
    title, birthday, lift = WORDS[language]
    expect(page.locator("h1")).to_have_text(title)
    page.locator("#id_start").fill("2026-03")
    page.locator("#id_end").fill("2026-03")
    page.locator("#effect-form button").click()
    page.wait_for_url(re.compile(r"start=2026-03"))
    expect(page.locator("#effect-table tbody tr")).to_have_count(2)
    expect(page.locator("#effect-table")).to_contain_text(birthday)
    expect(page.locator("#effect-table")).to_contain_text(lift)
    expect(page.locator("[data-chart] svg")).to_have_count(2)
    page.wait_for_timeout(1500)  # ECharts animates its labels in
    expect(page.locator("[data-chart='care-lift'] svg")).to_contain_text(birthday)
    check_charts_fit(page)
    # At a phone's width the page itself never scrolls sideways; the table scrolls in its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"care-effect-{language}-{width}")


@pytest.mark.parametrize("language", WORDS)
def test_bad_range_names_the_field(
    live_server: Any, page: Page, manager: Any, language: str
) -> None:
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/engagement/care-effect/?start=2026-05&end=2026-04")
    expect(page.locator(".invalid-feedback[data-field='end']")).to_be_visible()
    expect(page.locator("#effect-table")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_rep_marks_a_positive_response(
    live_server: Any, page: Page, example: Any, rep: Any, language: str
) -> None:
    message = example.messages[0]
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live_server.url, "rep", PASSWORD, language)
    page.goto(f"{live_server.url}/customers/{message.customer_id}/")
    form = page.locator(f"form[action='/engagement/messages/{message.pk}/response/']")
    form.locator("button[value=positive]").click()
    expect(form.locator("button[value=positive]")).to_have_attribute("aria-pressed", "true")
    assert MessageResponse.objects.get(message=message).mark == "positive"
    screenshot(page, f"care-response-{language}")
