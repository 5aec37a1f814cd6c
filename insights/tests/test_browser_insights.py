"""Every insights page with real CDNOW demo data, in English and Chinese, in a real browser."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.tests.browser import screenshot, sign_in
from huitou.demo.users import PASSWORD
from insights.models import CustomerScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "/insights/": {"en": "Old-customer insights", "zh-hans": "老客户分析"},
    "/insights/warnings/": {"en": "Churn warnings", "zh-hans": "流失预警"},
    "/insights/returning/": {"en": "Returning customers", "zh-hans": "老客户"},
    "/insights/tiers/": {"en": "Value tiers", "zh-hans": "客户等级"},
    "/insights/rfm/": {"en": "RFM segments", "zh-hans": "RFM 分群"},
    "/insights/kpis/": {"en": "Key figures", "zh-hans": "关键指标"},
}


@pytest.fixture
def demo(db):
    call_command("load_demo", "--limit", "2500")
    call_command("score")


def test_manager_reads_every_insights_page_in_both_languages(live_server, page: Page, demo):
    sign_in(page, live_server.url, "manager", PASSWORD)
    for language in ("en", "zh-hans"):
        if language == "zh-hans":
            with page.expect_navigation():
                page.select_option("#language-select", "zh-hans")
        for path, titles in PAGES.items():
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("h1")).to_have_text(titles[language])
            if path != "/insights/kpis/":  # key figures are computed live from the orders
                expect(page.locator("#run-trace")).to_be_visible()
        page.goto(f"{live_server.url}/insights/")
        # Six charts drawn by ECharts, each with its table view one click away.
        expect(page.locator("[data-chart] svg")).to_have_count(6)
        expect(page.locator("#top-warnings li").first).to_be_visible()
        screenshot(page, f"insights-dashboard-{language}")
        page.locator("#card-cohorts [data-toggle-table]").click()
        expect(page.locator("#card-cohorts .chart-table")).to_be_visible()
        expect(page.locator("#card-cohorts .chart-table tbody tr").first).to_be_visible()


def test_rep_sees_scores_in_words_on_the_customer_page(live_server, page: Page, demo):
    score = CustomerScore.objects.filter(purchase_count__gte=3).select_related("customer__owner")[0]
    sign_in(page, live_server.url, score.customer.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/customers/{score.customer_id}/")
    insight = page.locator("#customer-insight")
    expect(insight).to_contain_text("likely still active; usually buys every")
    expect(insight).to_contain_text("Expected to spend")
    screenshot(page, "customer-360-insight-en")


def test_manager_starts_the_backtest_from_its_page_in_chinese(live_server, page: Page, demo):
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # the queued job runs in the server's thread, as a worker would
    try:
        sign_in(page, live_server.url, "manager", PASSWORD)
        with page.expect_navigation():
            page.select_option("#language-select", "zh-hans")
        page.goto(f"{live_server.url}/insights/backtest/")
        expect(page.locator("#no-backtest")).to_contain_text("尚无回测")
        expect(page.locator("body")).not_to_contain_text("manage.py")
        page.click("#start-backtest")
        expect(page.locator("#backtest-figures")).to_be_visible(timeout=60_000)
        expect(page.locator("#backtest-figures")).to_contain_text(
            "按预期购买次数最少排序的 ROC AUC"
        )
        screenshot(page, "insights-backtest-zh-hans")
    finally:
        HUEY.immediate = False
