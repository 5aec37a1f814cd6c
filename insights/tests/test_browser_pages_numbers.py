"""Key figures, dashboards and charts in a real browser: English and Chinese, desktop and phone."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.tests.browser import screenshot, sign_in
from huitou.demo.users import PASSWORD
from insights.models import CustomerScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
LANGUAGES = ["en", "zh-hans"]

# Every text ECharts drew, with its box and its chart's box, to find what is cut or overlaps.
TEXT_BOXES = """
() => [...document.querySelectorAll('[data-chart]')].map((chart) => {
  const box = chart.getBoundingClientRect();
  const texts = [...chart.querySelectorAll('svg text')]
    .filter((t) => t.textContent.trim() && t.getAttribute('fill-opacity') !== '0')
    .map((t) => { const r = t.getBoundingClientRect();
      return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })
    .filter((t) => t.right > t.left);
  return {id: chart.dataset.chart, left: box.left, right: box.right, top: box.top,
          bottom: box.bottom, texts};
})
"""


@pytest.fixture
def demo(db):
    call_command("load_demo", "--limit", "2500")
    call_command("score")


def overlapping(a: dict[str, float], b: dict[str, float]) -> bool:
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1 and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


def check_charts_fit(page: Page) -> None:
    """Assert that no chart label is cut short, runs out of its chart or covers another."""
    charts = page.evaluate(TEXT_BOXES)
    assert charts
    problems: list[tuple[str, ...]] = []
    for chart in charts:
        texts = chart["texts"]
        assert texts, chart["id"]
        for text in texts:
            inside = (
                text["left"] >= chart["left"] - 1 and text["right"] <= chart["right"] + 1
                and text["top"] >= chart["top"] - 1 and text["bottom"] <= chart["bottom"] + 1
            )  # fmt: skip
            if "…" in text["text"] or not inside:
                problems.append((chart["id"], "cut", text["text"]))
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                if overlapping(a, b):
                    problems.append((chart["id"], "overlap", a["text"], b["text"]))
    assert problems == []


def check_figures_fit(page: Page, tiles: str) -> None:
    """Assert that each figure stays on one line inside its tile."""
    widths = page.eval_on_selector_all(
        f"{tiles} .value",
        """els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);
            return [e.scrollWidth <= e.clientWidth, r.getClientRects().length]; })""",
    )
    assert widths and all(fits and lines == 1 for fits, lines in widths), widths


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_key_figures_filter_works_in_both_languages(live_server, page: Page, demo, language):
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/insights/kpis/")
    start = page.locator("#id_start")
    # The browser's date input holds an ISO date; a "2026/09/05" value would read as empty.
    expect(start).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    start.fill("2026-01-01")
    page.locator("form button.btn-primary").click()
    page.wait_for_url(re.compile(r"start=2026-01-01"))
    expect(page.locator("#kpi-figures .figure-card")).not_to_have_count(0)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(page.locator("#cohort-table tbody tr").first).to_be_visible()
    screenshot(page, f"kpis-filtered-{language}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_charts_fit_at_desktop_and_phone_width(
    live_server, page: Page, demo, language, width
):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, "manager", PASSWORD, language)
    page.goto(f"{live_server.url}/insights/")
    expect(page.locator("[data-chart] svg")).to_have_count(6)
    page.wait_for_timeout(1500)  # ECharts animates its labels in
    # Counts carry thousands separators in both languages.
    expect(page.locator("#kpi-cards")).to_contain_text(re.compile(r"\d,\d{3}"))
    check_charts_fit(page)
    check_figures_fit(page, "#kpi-cards")
    screenshot(page, f"insights-dashboard-{language}-{width}")
    page.goto(f"{live_server.url}/insights/returning/")
    expect(page.locator("[data-chart] svg")).to_have_count(2)
    page.wait_for_timeout(1500)
    # The revenue axis says its currency.
    expect(page.locator("[data-chart='returning-share'] svg")).to_contain_text(
        re.compile(r"[¥$]20,000")
    )
    check_charts_fit(page)
    screenshot(page, f"insights-returning-{language}-{width}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rep_sees_own_figures_with_the_teams_beside(live_server, page: Page, demo, language):
    sign_in(page, live_server.url, "rep1", PASSWORD, language)
    page.goto(f"{live_server.url}/insights/")
    scope = page.locator("#figures-scope")
    expect(scope).to_contain_text("2,500")  # the team's customers, thousands separated
    expect(page.locator("#kpi-cards .team-value")).to_have_count(5)
    screenshot(page, f"insights-dashboard-rep-{language}")


PROFILE_WORDS = {
    "en": ("Next:", "Lifetime value is the margin", "Average order value"),
    "zh-hans": ("下次生日", "客户终身价值是未来", "客单价"),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_profile_says_what_its_figures_mean(live_server, page: Page, demo, language, width):
    score = (
        CustomerScore.objects.filter(purchase_count__gte=3, customer__birthday__isnull=False)
        .select_related("customer__owner")
        .first()
    )
    assert score is not None
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, score.customer.owner.username, PASSWORD, language)
    page.goto(f"{live_server.url}/customers/{score.customer_id}/")
    birthday, value, average = PROFILE_WORDS[language]
    expect(page.locator("body")).to_contain_text(birthday)
    expect(page.locator("#value-meaning")).to_contain_text(value)
    expect(page.locator("#key-figures")).to_contain_text(average)
    check_figures_fit(page, "#key-figures")
    # The next birthday is not called "next page".
    expect(page.locator("body")).not_to_contain_text("下一页" if language != "en" else "Next page")
    screenshot(page, f"customer-profile-{language}-{width}")
