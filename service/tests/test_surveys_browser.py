"""In a real browser, in English and Chinese, at desktop and phone widths: a customer answers
the survey from the link in their message, without an account; an agent puts a standard
answer into a reply with one click; a manager approves a gift and adds a standard answer."""

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from service.answers import AnswerData, save_answer
from service.gifts import request_gift
from service.models import StandardAnswer, Survey
from service.tests.surveys_support import close, make_ticket, token_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
WORDS = {
    "zh-hans": {"question": "您对我们处理此案例的满意程度如何", "send": "提交我的回答",
                "thanks": "您的回答已记录", "answered": "此调查已经填写过了"},
    "en": {"question": "How satisfied are you", "send": "Send my answer",
           "thanks": "Your answer has been recorded", "answered": "already been answered"},
}  # fmt: skip


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_customer_answers_the_survey_once(
    live_server, browser: Browser, rep, make_customer, language: str, width: str
):
    customer = make_customer(rep, name="Wang Fang", language=language)
    ticket = make_ticket(customer)
    close(ticket)
    survey = Survey.objects.get(ticket=ticket)
    url = f"{live_server.url}/service/survey/{token_of(survey.message)}/"
    words = WORDS[language]
    # The browser asks for English: the page still opens in the customer's language.
    context = browser.new_context(locale="en-US", viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        expect(page.locator("#csat legend")).to_contain_text(words["question"])
        expect(page.locator("h1")).to_contain_text(ticket.number)
        no_sideways_scroll(page)
        screenshot(page, f"survey-{language}-{width}")
        page.click("label[for=id_csat_3]")  # the fourth choice: 4
        page.click("label[for=id_nps_9]")
        comment = "谢谢，处理得很快。" if language == "zh-hans" else "Quick, thanks."
        page.fill("#id_comment", comment)
        page.click("#survey-submit")
        expect(page.locator("#survey-thanks")).to_contain_text(words["thanks"])
        survey.refresh_from_db()
        assert (survey.csat, survey.nps) == (4, 9) and survey.answered_at is not None
        # The link again: answered, nothing more recorded.
        page.goto(url)
        expect(page.locator("#survey-unavailable")).to_contain_text(words["answered"])
        expect(page.locator("#survey-form")).to_have_count(0)
        no_sideways_scroll(page)
    finally:
        context.close()
    survey.refresh_from_db()
    assert (survey.csat, survey.nps) == (4, 9)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_an_agent_puts_a_standard_answer_into_the_reply_with_one_click(
    live_server, page: Page, manager, agent, rep, make_customer, width: str
):
    save_answer(manager, None, AnswerData(title="Sorry for the wait", owner=manager,
                text="We are sorry for the wait.", objection="time"))  # fmt: skip
    save_answer(manager, None, AnswerData(title="Price match", owner=manager,
                text="We match any price.", objection="price"))  # fmt: skip
    ticket = make_ticket(make_customer(rep))
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server.url, "agent", PASSWORD)
    # The ticket page is the workflow's (another branch): a page of this site stands in,
    # with the reply's textarea and the picker's include as the ticket page puts them.
    page.goto(f"{live_server.url}/service/answers/")
    picker = render_to_string("service/_standard_answers.html", {"ticket": ticket})
    page.evaluate(
        """(html) => {
            const holder = document.createElement("div");
            const reply = '<textarea id="id_note" name="note">Dear customer,</textarea>';
            holder.innerHTML = reply + html;
            document.querySelector("main").prepend(holder);
            htmx.process(holder);
        }""",
        picker,
    )
    page.add_script_tag(url=f"{live_server.url}/static/js/standard_answers.js")
    expect(page.locator("#answer-choices")).to_contain_text("Sorry for the wait")
    page.click("#answer-objections [data-objection=time]")
    expect(page.locator("#answer-choices")).not_to_contain_text("Price match")
    with page.expect_response(lambda response: "/used/" in response.url) as used:
        page.click("#answer-choices .standard-answer")
    assert used.value.status == 204
    expect(page.locator("#id_note")).to_have_value("Dear customer,\n\nWe are sorry for the wait.")
    no_sideways_scroll(page)
    screenshot(page, f"standard-answer-picker-{width}")
    assert StandardAnswer.objects.get(title="Sorry for the wait").usage_count == 1


MANAGER_WORDS = {
    "zh-hans": {"approve": "批准", "approved": "已批准", "saved": "标准答复已保存"},
    "en": {"approve": "Approve", "approved": "approved", "saved": "Standard answer saved"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_manager_approves_a_gift_and_adds_a_standard_answer(
    live_server, browser: Browser, manager, agent, rep, make_customer, language: str, width: str
):
    manager.language = language
    manager.save(update_fields=["language"])
    ticket = make_ticket(make_customer(rep))
    gift = request_gift(agent, ticket, "Porcelain tea set", "888.00")
    words = MANAGER_WORDS[language]
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/service/gifts/")
        row = page.locator(f"#gifts-waiting tr[data-gift='{gift.pk}']")
        expect(row).to_contain_text("Porcelain tea set")
        no_sideways_scroll(page)
        screenshot(page, f"gifts-{language}-{width}")
        row.get_by_role("button", name=words["approve"]).click()
        expect(page.locator("#gifts-decided")).to_contain_text(words["approved"])
        gift.refresh_from_db()
        assert gift.status == "approved" and gift.decided_by == manager
        page.goto(f"{live_server.url}/service/answers/new/")
        page.fill("#id_title", "Late parcel")
        page.fill("#id_text_zh", "非常抱歉，包裹明天送达。")
        page.select_option("#id_objection", "time")
        page.click("#save-answer")
        expect(page.locator("main")).to_contain_text(words["saved"])
        expect(page.locator("#answers")).to_contain_text("Late parcel")
        no_sideways_scroll(page)
        screenshot(page, f"answers-{language}-{width}")
    finally:
        context.close()
    assert StandardAnswer.objects.get().owner == manager
