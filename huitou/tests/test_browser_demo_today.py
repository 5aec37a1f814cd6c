"""The demo's Today in a real browser: after `prepare_demo` on a small load, a rep who signs
in lands on a Today with a birthday coming up, an overdue cadence call and a churn warning,
in English and Chinese, at desktop and phone widths; the care-effect page has its table."""

import io
from importlib import import_module

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Browser, expect

from accounts.models import User
from core.tests.browser import screenshot, sign_in_at_the_front_door
from engagement.care_defaults import seed_defaults
from engagement.models import (
    Cadence,
    CareOccasion,
    LifeEvent,
    Message,
    MessageTemplate,
    SinkMessage,
    TodayLine,
)
from engagement.today import SHOWN_LINES, today_list
from huitou.demo.care import REP_USERNAMES
from huitou.demo.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 400 customers a rep: every day of the year, some rep has a solar birthday in the next
# three days (checked over 2026-2030 from the seeded profiles), and a rep's Today stays
# around one page.
LIMIT = 1200
WIDTHS = {"desktop": 1366, "phone": 390}
OVERDUE = {"en": "days overdue", "zh-hans": "逾期"}
# The cadence's note is written when the morning run plans it, in the site's language.
CADENCE = {"en": "Cadence", "zh-hans": "Cadence"}
CHURN = {"en": "Churn warning", "zh-hans": "流失预警"}
BIRTHDAY = {"en": "Birthday on", "zh-hans": "生日"}
CARE_EFFECT = {"en": "Care effect", "zh-hans": "关怀效果"}


@pytest.fixture
def demo() -> None:
    # A transactional test's flush takes the migrations' seeds away: put them back.
    seed_defaults(CareOccasion, MessageTemplate)
    for fields in import_module("engagement.migrations.0002_cadence").SEEDS:
        Cadence.objects.get_or_create(name=fields["name"], defaults=fields)
    call_command("load_demo", "--limit", str(LIMIT), stdout=io.StringIO())
    call_command("prepare_demo", stdout=io.StringIO())


def shown_reasons(username: str, language: str) -> dict[str, list[str]]:
    """Return each customer's reasons on the rep's first page of Today, in the language."""
    user = User.objects.get(username=username)
    with translation.override(language):
        lines = today_list(user, timezone.localdate()).lines[:SHOWN_LINES]
        return {line.customer.name: [r.text for r in line.reasons] for line in lines}


def pick(reasons: dict[str, list[str]], *words: str) -> tuple[str, str] | None:
    """Return (customer, reason) of the first reason holding every word."""
    for name, texts in reasons.items():
        for text in texts:
            if all(word in text for word in words):
                return name, text
    return None


def test_prepare_demo_gives_care_history_life_events_and_the_mornings_once(demo: None) -> None:
    today = timezone.localdate()
    assert Message.objects.filter(purpose="care", sent_at__date__lt=today).count() > 300
    assert SinkMessage.objects.exists()
    assert LifeEvent.objects.count() == 5 * len(REP_USERNAMES)
    assert TodayLine.objects.filter(day=today).values("user").distinct().count() == 3
    counts = (Message.objects.count(), LifeEvent.objects.count(), TodayLine.objects.count())

    out = io.StringIO()
    call_command("prepare_demo", stdout=out)

    assert (Message.objects.count(), LifeEvent.objects.count(), TodayLine.objects.count()) == counts
    assert "Care history" not in out.getvalue() and "Morning runs" not in out.getvalue()
    assert "start on Today" in out.getvalue()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rep_starts_on_a_realistic_today(
    live_server, browser: Browser, demo: None, language: str
) -> None:
    User.objects.filter(username__in=REP_USERNAMES).update(language=language)
    reasons = {name: shown_reasons(name, language) for name in REP_USERNAMES}
    birthdays = {rep: pick(reasons[rep], BIRTHDAY[language]) for rep in REP_USERNAMES}
    rep = next(rep for rep in REP_USERNAMES if birthdays[rep] is not None)
    birthday = birthdays[rep]
    cadence = pick(reasons[rep], OVERDUE[language], CADENCE[language])
    churn = pick(reasons[rep], CHURN[language])
    assert birthday and cadence and churn, reasons[rep]
    for width, pixels in WIDTHS.items():
        context = browser.new_context(viewport={"width": pixels, "height": 900})
        page = context.new_page()
        try:
            sign_in_at_the_front_door(page, live_server.url, rep, PASSWORD)
            for name, text in (birthday, cadence, churn):
                expect(page.locator(".today-line", has_text=text).first).to_contain_text(name)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            screenshot(page, f"demo-today-{language}-{width}")
            # Six months of greetings, replies and responses: a table and its charts.
            page.goto(f"{live_server.url}/engagement/care-effect/")
            expect(page.locator("h1")).to_have_text(CARE_EFFECT[language])
            expect(page.locator("#effect-table tbody tr").first).to_be_visible()
            expect(page.locator("[data-chart] svg")).to_have_count(2)
        finally:
            context.close()
