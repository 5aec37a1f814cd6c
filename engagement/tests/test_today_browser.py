"""A rep's day on Today in a real browser, in English and Chinese, at desktop and phone widths:
the rep lands on Today, logs a call from the list, snoozes a line, sends a birthday greeting,
marks a follow-up done;
their manager sees the team's lists and how much of yesterday's was done."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in_at_the_front_door
from engagement.models import Message, Snooze, TodayLine
from engagement.tests.test_today_service import DAY, days_ago, follow_up, score, scoring_run
from interactions.models import FollowUp, Interaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": {
        "today": "Today", "log": "Log contact", "snooze": "Snooze", "done": "Done",
        "overdue": "Follow-up, 3 days overdue: Ask about the renewal",
        "progress": "4 of 4 done today", "empty": "Nothing left for today. Well done.",
        "rep_today": "Today of rep", "yesterday": "Yesterday's lists: how much was done",
        "greet": "Send greeting",
    },
    "zh-hans": {
        "today": "今日待办", "log": "记录联系", "snooze": "稍后提醒", "done": "完成",
        "overdue": "回访，逾期 3 天：Ask about the renewal",
        "progress": "今天已完成 4 / 4", "empty": "今天的待办都完成了，干得好。",
        "rep_today": "rep 的今日待办", "yesterday": "昨日待办完成情况",
        "greet": "发送问候",
    },
}  # fmt: skip


def line(page: Page, name: str):
    return page.locator(".today-line", has_text=name)


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_reps_day_on_today_and_the_managers_view(
    live_server,
    browser: Browser,
    rep,
    manager,
    other_rep,
    make_customer,
    language,
    width,
    care_defaults,
):
    words = WORDS[language]
    for user in (rep, manager):
        user.language = language
        user.save(update_fields=["language"])
    wang = make_customer(rep, name="Wang Fang", mobile="13912345678")
    score(scoring_run(), wang, clv=900.0, risk=0.5, tier="A")
    follow_up(rep, wang, days_ago(3), "Ask about the renewal")
    li = make_customer(rep, name="Li Lei")
    follow_up(rep, li, DAY, "Quarterly call")
    follow_up(rep, make_customer(rep, name="Zhao Min"), DAY, "Send the catalogue")
    # Born on this day in a leap year, so that any DAY, 29 February too, is the birthday.
    chen = make_customer(rep, name="Chen Jing", birthday=DAY.replace(year=1992))
    follow_up(other_rep, make_customer(other_rep, name="Not Yours"), DAY)
    # Yesterday the rep worked through one of two lines.
    TodayLine.objects.create(user=rep, day=days_ago(1), customer=wang, rank=1)
    TodayLine.objects.create(user=rep, day=days_ago(1), customer=li, rank=2, done_at=timezone.now())
    base = live_server.url
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in_at_the_front_door(page, base, "rep", PASSWORD)
        expect(page.locator("h1")).to_have_text(words["today"])
        expect(page.locator("#nav-today")).to_have_text(words["today"])
        expect(page.locator(".today-line")).to_have_count(4)
        expect(page.locator(".today-line").first).to_contain_text("Wang Fang")  # most at stake
        expect(line(page, "Wang Fang")).to_contain_text("139 1234 5678")
        expect(line(page, "Wang Fang")).to_contain_text(words["overdue"])
        assert "Not Yours" not in page.locator("body").inner_text()
        assert fits_the_width(page)
        screenshot(page, f"today-{language}-{width}")

        # Log the call: the form opens pre-filled with the line's reasons.
        line(page, "Wang Fang").get_by_role("link", name=words["log"]).click()
        prefilled = re.compile("^" + re.escape(words["overdue"]))  # then any other reason
        expect(page.locator("#id_summary")).to_have_value(prefilled)
        page.select_option("#id_kind", "phone")
        page.fill("#id_summary", "Called: renewing next week")
        page.click("#save-interaction")
        page.wait_for_url(f"{base}/engagement/today/")
        expect(page.locator(".today-line")).to_have_count(3)
        assert Interaction.objects.get().summary == "Called: renewing next week"

        # Snooze a line to tomorrow.
        tomorrow = (DAY + datetime.timedelta(days=1)).isoformat()
        line(page, "Li Lei").locator("input[name=until]").fill(tomorrow)
        line(page, "Li Lei").get_by_role("button", name=words["snooze"]).click()
        expect(page.locator("#today-snoozed")).to_contain_text("Li Lei")
        expect(page.locator(".today-line")).to_have_count(2)
        assert Snooze.objects.get().until.isoformat() == tomorrow

        # Send the birthday greeting from the list: it goes through the one send path.
        line(page, "Chen Jing").get_by_role("button", name=words["greet"]).click()
        expect(page.locator(".today-line")).to_have_count(1)
        greeting = Message.objects.get(customer=chen)
        assert (greeting.cause_kind, greeting.occasion_date) == ("birthday", DAY)

        # Mark a follow-up done: back on Today, the list is done.
        line(page, "Zhao Min").get_by_role("button", name=words["done"], exact=True).click()
        expect(page.locator("#today-empty")).to_have_text(words["empty"])
        expect(page.locator("#today-progress")).to_have_text(words["progress"])
        assert FollowUp.objects.filter(customer__name="Zhao Min", done_at__isnull=False).exists()
        screenshot(page, f"today-done-{language}-{width}")
    finally:
        context.close()

    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in_at_the_front_door(page, base, "manager", PASSWORD)
        expect(page.locator("#team-yesterday caption")).to_have_text(words["yesterday"])
        expect(page.locator("#team-yesterday tr[data-rep=rep]")).to_contain_text("50%")
        page.select_option("#id_rep", label="rep")
        expect(page.locator("h1")).to_have_text(words["rep_today"])
        expect(page.locator("#today-progress")).to_have_text(words["progress"])
        assert "Not Yours" not in page.locator("body").inner_text()
        assert fits_the_width(page)
        screenshot(page, f"today-manager-{language}-{width}")
    finally:
        context.close()
