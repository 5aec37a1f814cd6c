"""Campaigns in a real browser, in English and Chinese, at desktop and phone widths: a
manager builds a segment (watching its size), runs a campaign with a holdout and reads its
report."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from engagement.models import Campaign, CampaignStatus, Group, Recipient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": {"size": "20 customers meet these conditions today.", "sent": "Sent",
           "verdict": "Not significant", "treated": "Treated"},
    "zh-hans": {"size": "今天有 20 位客户符合这些条件。", "sent": "已发送",
                "verdict": "不显著", "treated": "干预组"},
}  # fmt: skip


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_manager_runs_a_campaign_with_a_holdout_and_reads_its_report(
    live_server: Any, browser: Browser, manager: Any, rep: Any, make_customer: Any,
    make_order: Any, immediate_queue: Any, language: str, width: str,
) -> None:  # fmt: skip
    manager.language = language
    manager.save(update_fields=["language"])
    for _ in range(20):
        make_customer(rep, region="Zhejiang")
    make_customer(rep, region="Jiangsu")
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/engagement/segments/new/")
        page.fill("#id_name", "Zhejiang")
        page.fill("#id_regions", "Zhejiang")
        expect(page.locator("#segment-size")).to_have_text(words["size"])
        assert fits_the_width(page)
        screenshot(page, f"segment-form-{language}-{width}")
        page.click("#save-segment")
        expect(page.locator("#segment-table")).to_contain_text("Zhejiang")

        page.goto(f"{live_server.url}/engagement/campaigns/new/")
        page.fill("#id_name", "Tea week")
        page.select_option("#id_segment", label="Zhejiang")
        page.select_option("#id_channel", "sms")
        page.fill("#id_text", "Hi {name}, new tea is in")
        page.fill("#id_holdout_percent", "20")
        page.click("#save-campaign")
        page.click("#send-campaign")
        expect(page.locator("#campaign-status")).to_have_text(words["sent"])
        campaign = Campaign.objects.get(name="Tea week")
        assert campaign.status == CampaignStatus.SENT
        control = Recipient.objects.filter(campaign=campaign, group=Group.CONTROL)
        assert control.count() == 4
        buyer = Recipient.objects.filter(campaign=campaign, group=Group.TREATED).first()
        assert buyer is not None
        make_order(buyer.customer, timezone.localdate(), "88.00")
        make_order(control.first().customer, timezone.localdate() + datetime.timedelta(days=1))

        page.reload()
        expect(page.locator("#verdict")).to_contain_text(words["verdict"])
        expect(page.locator("#report-table")).to_contain_text(words["treated"])
        expect(page.locator("[data-chart=campaign-over-time] svg")).to_be_visible()
        assert fits_the_width(page)
        screenshot(page, f"campaign-report-{language}-{width}")
    finally:
        context.close()
