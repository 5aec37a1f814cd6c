"""A manager reads the service figures and the week's review in a real browser: English and
Chinese, desktop and phone."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from insights.tests.test_browser_pages_numbers import check_charts_fit, check_figures_fit
from service.tests.numbers_data import Fortnight, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": ("Service figures", "Complaint rate", "50.0%", "1.5 h", "Review of problems", "Quality"),
    "zh-hans": ("服务数据", "投诉率", "50.0%", "1.5 小时", "问题复盘", "质量"),
}


@pytest.fixture
def fortnight(rep: Any, other_rep: Any, make_customer: Any, make_order: Any) -> Fortnight:
    f = build(rep, other_rep, make_customer, make_order)
    t1 = f.tickets["T1"]
    t1.root_cause = "Packaging too thin"
    t1.save()
    return f


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", WORDS)
def test_manager_reads_the_figures_and_the_review(
    live_server: Any, page: Page, fortnight: Fortnight, manager: Any, language: str, width: str
) -> None:
    title, rate, half, hours, review_title, quality = WORDS[language]
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/service/figures/")
    expect(page.locator("h1")).to_have_text(title)
    page.locator("#id_start").fill("2026-03-02")
    page.locator("#id_end").fill("2026-03-15")
    page.locator("#id_group").select_option("category")
    page.locator("#figures-form button").click()
    page.wait_for_url(re.compile(r"group=category"))
    tiles = page.locator("#service-tiles")
    expect(tiles).to_contain_text(rate)
    expect(tiles).to_contain_text(half)
    expect(tiles).to_contain_text(hours)
    rows = page.locator("#figures-table tbody tr")
    expect(rows).to_have_count(4)  # quality, delivery, no category, total
    expect(rows.first).to_contain_text(quality)
    expect(page.locator("[data-chart] svg")).to_have_count(3)
    page.wait_for_timeout(1500)  # ECharts animates its labels in
    check_charts_fit(page)
    check_figures_fit(page, "#service-tiles")
    # At a phone's width the page itself never scrolls sideways; the table scrolls in its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"service-figures-{language}-{width}")

    page.locator("#numbers-nav a").nth(1).click()
    expect(page.locator("h1")).to_have_text(review_title)
    page.locator("#id_day").fill("2026-03-04")
    page.locator("#review-form button").click()
    page.wait_for_url(re.compile(r"day=2026-03-04"))
    expect(page.locator("#causes-table")).to_contain_text("Packaging too thin")
    expect(page.locator("#review-tiles .value").first).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"service-review-{language}-{width}")

    page.locator("#numbers-nav a").nth(2).click()
    page.locator("#id_start").fill("2026-03")
    page.locator("#id_end").fill("2026-03")
    page.locator("#rd-form button").click()
    page.wait_for_url(re.compile(r"start=2026-03"))
    expect(page.locator("[data-chart] svg")).to_have_count(2)
    page.wait_for_timeout(1500)
    check_charts_fit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"service-rd-{language}-{width}")

    # The same figures join the key-figures page, each on one line in its tile.
    page.goto(f"{live_server.url}/insights/kpis/?start=2026-03-02&end=2026-03-15")
    expect(page.locator("#kpi-figures")).to_contain_text(rate)
    check_figures_fit(page, "#kpi-figures")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"service-key-figures-{language}-{width}")
