"""A manager reads the loyalty numbers page in a real browser: English and Chinese, desktop
and phone (issue 14, "Done when")."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from insights.tests.test_browser_pages_numbers import check_charts_fit
from loyalty.models import Member, TierChange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("loyalty_defaults"),
]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": ("Loyalty numbers", "Points liability", "¥130.00", "Gold", "Members by tier"),
    "zh-hans": ("会员数据", "积分负债", "¥130.00", "金卡会员", "各等级会员数"),
}


@pytest.fixture
def programme(rep: Any, make_customer: Any) -> None:
    today = timezone.localdate()
    for tier, points in (("gold", 1000), ("silver", 300), ("member", 0), ("", 0)):
        Member.objects.create(customer=make_customer(rep), tier=tier, points_balance=points)
    gold = Member.objects.get(tier="gold")
    for kind, source, target in (("joined", "", "silver"), ("upgrade", "silver", "gold")):
        TierChange.objects.create(
            member=gold, kind=kind, from_tier=source, to_tier=target, spend=Decimal("12000"),
            threshold=Decimal("10000"), changed_on=today,
        )  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", WORDS)
def test_manager_reads_the_loyalty_page(
    live_server: Any, page: Page, programme: None, manager: Any, language: str, width: str
) -> None:
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/loyalty/")
    title, liability, amount, gold, by_tier = WORDS[language]
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#figure-liability")).to_contain_text(liability)
    expect(page.locator("#figure-liability .value")).to_have_text(amount)
    expect(page.locator("#figure-members .value")).to_have_text("4")
    expect(page.locator("#figure-breakage .value")).to_have_text("—")
    expect(page.locator("#moves-table tbody tr")).to_have_count(1)
    expect(page.locator("#moves-table")).to_contain_text(gold)
    expect(page.locator("[data-chart] svg")).to_have_count(2)
    page.wait_for_timeout(1500)  # ECharts animates its labels in
    expect(page.locator("[data-chart='tier-distribution'] svg")).to_contain_text(gold)
    check_charts_fit(page)
    # The same numbers as a table, for people who prefer one.
    card = page.locator("#card-tier-distribution")
    card.locator("[data-toggle-table]").click()
    expect(card.locator(".chart-table")).to_contain_text(gold)
    expect(card).to_contain_text(by_tier)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"loyalty-numbers-{language}-{width}")
