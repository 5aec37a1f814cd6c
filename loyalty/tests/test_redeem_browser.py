"""A rep redeems a reward for a customer in a real browser, in English and Chinese, at
desktop and phone widths: from the customer's page to the points page, a refusal in the
reader's language, then a redemption and the balance and statement after it."""

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from loyalty import points
from loyalty.members import member_for
from loyalty.models import Member, Redemption, Reward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "en": {"open": "Points and rewards", "kettle": "Kettle", "tv": "TV",
           "refused": "TV needs 1,500 points; the customer has 1,200.",
           "done": "Kettle redeemed for 800 points.", "kind": "points redeemed"},
    "zh-hans": {"open": "积分与奖励", "kettle": "电水壶", "tv": "电视机",
                "refused": "电视机需要 1,500 积分，该客户只有 1,200 积分。",
                "done": "已用 800 积分兑换电水壶。", "kind": "兑换积分"},
}  # fmt: skip


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_rep_redeems_a_reward(
    live_server, browser: Browser, rep, make_customer, language: str, width: str
):
    rep.language = language
    rep.save(update_fields=["language"])
    customer = make_customer(rep)
    points.grant(member_for(customer.pk), 1200, "opening balance", None, "open:1")
    Reward.objects.create(code="kettle", name="Kettle", name_zh="电水壶", kind="gift",
                          cost=800, stock=4)  # fmt: skip
    tv = Reward.objects.create(code="tv", name="TV", name_zh="电视机", kind="gift", cost=1500)
    words = WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "rep", PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        expect(page.locator("#points-panel")).to_contain_text("1,200")
        page.get_by_role("link", name=words["open"]).click()
        expect(page.locator("#points-balance")).to_have_text("1,200")
        rewards = page.locator("#rewards")
        expect(rewards.locator("[data-reward=kettle]")).to_contain_text(words["kettle"])
        # The dearer reward's button is disabled; a crafted post is refused in words.
        expect(rewards.locator("[data-reward=tv] button")).to_be_disabled()
        page.evaluate(
            "id => { const f = document.querySelector('[data-reward=kettle] form');"
            " f.querySelector('[name=reward]').value = id; f.submit(); }",
            str(tv.pk),
        )
        expect(page.locator("#points-error")).to_have_text(words["refused"])
        assert Redemption.objects.count() == 0
        assert fits_the_width(page)
        rewards.locator("[data-reward=kettle] button").click()
        expect(page.locator(".alert-success")).to_contain_text(words["done"])
        expect(page.locator("#points-balance")).to_have_text("400")
        expect(page.locator("#statement")).to_contain_text(words["kind"])
        expect(page.locator("#statement")).to_contain_text("-800")
        assert fits_the_width(page)
        screenshot(page, f"points-redeem-{language}-{width}")
        page.locator("#print-statement").click()
        expect(page.locator("#statement-balance")).to_have_text("400")
        assert Member.objects.get(customer=customer).points_balance == 400
        assert Reward.objects.get(code="kettle").stock == 3
    finally:
        context.close()
