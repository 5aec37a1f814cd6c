"""The customer page reads in words in a real browser, in Chinese and English, at desktop and
phone widths: the history says who changed what from which value to which (labels, not codes;
local minutes, not UTC microseconds), and the next birthday is not "next page"."""

import datetime

import pytest
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from core.actors import Actor, acting_as
from core.tests.browser import screenshot, sign_in
from customers.services import set_consent, update_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
EXPECTED = {
    "zh-hans": ["性别", "女", "短信", "已撤回", "（通过 API）", "下次生日"],
    "en": ["gender", "Female", "SMS", "withdrawn", "through the API", "Next:"],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_history_reads_in_words(
    live_server, browser: Browser, rep, make_customer, language: str, width: str
):
    rep.language = language
    rep.save(update_fields=["language"])
    customer = make_customer(rep, name="Wang Fang", birthday=datetime.date(1990, 5, 1))
    update_customer(rep, customer, {"gender": "female"})
    with acting_as(Actor.of_token(rep, 1, "till")):
        set_consent(rep, customer, "sms", False, "asked on the phone")
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "rep", PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        history = page.locator(".history-line")
        expect(history.first).to_be_visible()
        text = " ".join(history.all_inner_texts()) + page.locator("body").inner_text()
        for words in EXPECTED[language]:
            assert words in text, words
        lines = " ".join(history.all_inner_texts())
        assert "female" not in lines and "False" not in lines and "True" not in lines
        assert "下一页" not in page.locator("body").inner_text()
        screenshot(page, f"history-words-{language}-{width}")
    finally:
        context.close()
