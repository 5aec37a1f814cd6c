"""Standard answers: kept by managers, listed by category and objection type, due for review,
picked into a ticket's reply and counted once per ticket; the pages per role."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import Forbidden, Invalid, NotFound
from core.models import OutboxEvent
from service import answers
from service.answers import AnswerData
from service.models import Category, StandardAnswer, StandardAnswerUse
from service.tests.surveys_support import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality(db):
    return Category.objects.create(code="test-quality", name="Quality", name_zh="质量")


@pytest.fixture
def lid(quality):
    return Category.objects.create(code="lid", name="Lids", parent=quality)


def add(manager, title, **fields):
    data = AnswerData(title=title, text=fields.pop("text", f"{title} text"), owner=manager,
                      **fields)  # fmt: skip
    return answers.save_answer(manager, None, data)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_keeps_an_answer_in_both_languages_with_a_review_day(manager, quality):
    answer = add(manager, "Too expensive", title_zh="太贵了", text="We match any price.",
                 text_zh="我们保证价格最低。", objection="price", category=quality)  # fmt: skip
    assert answer.review_on == timezone.localdate() + datetime.timedelta(days=180)
    assert answers.text_in(answer, "zh-hans") == "我们保证价格最低。"
    assert answers.text_in(answer, "en") == "We match any price."
    assert answers.title_in(answer, "zh-hans") == "太贵了"
    assert OutboxEvent.objects.filter(kind="standard_answer.created", subject_id=answer.pk).exists()


def test_an_answer_in_one_language_is_shown_in_it_to_everyone(manager):
    answer = add(manager, "Delivery", text="", text_zh="明天送达。")
    assert answers.text_in(answer, "en") == "明天送达。"


@pytest.mark.parametrize("who", ["rep", "agent"])
def test_only_managers_and_admins_keep_answers(request, manager, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        answers.save_answer(user, None, AnswerData(title="x", text="y", owner=user))
    assert not StandardAnswer.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": " "}, "title"), ({"text": ""}, "text"), ({"objection": "mood"}, "objection")],
)
def test_a_bad_answer_names_its_field(manager, fields, field):
    values = {"title": "Price", "text": "Fair.", "owner": manager, **fields}
    with pytest.raises(Invalid) as refused:
        answers.save_answer(manager, None, AnswerData(**values))
    assert refused.value.field == field
    assert not StandardAnswer.objects.exists()


def test_the_review_list_holds_the_answers_due_the_oldest_first(manager):
    today = timezone.localdate()
    late = add(manager, "Late", review_on=today - datetime.timedelta(days=5))
    due = add(manager, "Due", review_on=today)
    add(manager, "Later", review_on=today + datetime.timedelta(days=1))
    add(manager, "Old", review_on=today - datetime.timedelta(days=9), active=False)
    assert list(answers.due_for_review(today)) == [late, due]
    answers.mark_reviewed(manager, late)
    assert list(answers.due_for_review(today)) == [due]


def test_a_ticket_gets_its_categorys_answers_first_then_the_general_ones(
    manager, rep, make_customer, quality, lid
):
    general = add(manager, "General")
    parent = add(manager, "Quality", category=quality, objection="product")
    own = add(manager, "Lid", category=lid, objection="price")
    add(manager, "Other", category=Category.objects.create(code="test-delivery", name="Delivery"))
    ticket = make_ticket(make_customer(rep), category=lid)
    assert set(answers.answers_for(ticket)) == {general, parent, own}
    assert list(answers.answers_for(ticket))[-1] == general
    assert list(answers.answers_for(ticket, "price")) == [own]


def test_a_use_is_counted_once_per_ticket(manager, agent, rep, make_customer):
    answer = add(manager, "Sorry")
    first, second = (make_ticket(make_customer(rep)) for _ in range(2))
    assert answers.record_use(agent, answer.pk, first.pk) is True
    assert answers.record_use(agent, answer.pk, first.pk) is False  # a retried click
    assert answers.record_use(rep, answer.pk, second.pk) is True
    answer.refresh_from_db()
    assert answer.usage_count == 2 and StandardAnswerUse.objects.count() == 2


def test_a_use_on_a_ticket_the_user_cannot_see_is_refused(manager, other_rep, rep, make_customer):
    answer = add(manager, "Sorry")
    ticket = make_ticket(make_customer(rep))
    with pytest.raises(NotFound):
        answers.record_use(other_rep, answer.pk, ticket.pk)
    answer.refresh_from_db()
    assert answer.usage_count == 0


# Pages per role ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "list_status", "form_status", "may_edit"),
    [("admin_user", 200, 200, True), ("manager", 200, 200, True), ("agent", 200, 403, False),
     ("rep", 200, 403, False)],
)  # fmt: skip
def test_everyone_reads_the_answers_and_managers_change_them(
    request, manager, who, list_status, form_status, may_edit
):
    answer = add(manager, "Too expensive", objection="price")
    client = client_of(request.getfixturevalue(who))
    page = client.get(reverse("service:answers"))
    assert page.status_code == list_status and "Too expensive" in page.text
    assert ('id="new-answer"' in page.text) is may_edit
    assert client.get(reverse("service:answer_new")).status_code == form_status
    assert client.get(reverse("service:answer_edit", args=[answer.pk])).status_code == form_status
    reviewed = client.post(reverse("service:answer_reviewed", args=[answer.pk]))
    assert reviewed.status_code == (302 if may_edit else 403)


def test_a_manager_creates_an_answer_through_the_form_and_sees_it_listed(manager, quality):
    client = client_of(manager)
    data = {
        "title": "Late parcel", "text_zh": "非常抱歉，包裹明天送达。", "category": quality.pk,
        "objection": "time", "owner": manager.pk, "review_on": "2027-01-31", "active": "on",
    }  # fmt: skip
    assert client.post(reverse("service:answer_new"), data).status_code == 302
    answer = StandardAnswer.objects.get()
    assert answer.review_on == datetime.date(2027, 1, 31) and answer.objection == "time"
    listed = client.get(reverse("service:answers"), {"objection": "time"})
    assert "Late parcel" in listed.text


def test_a_form_without_any_text_is_refused_naming_the_field(manager):
    data = {"title": "Empty", "owner": manager.pk}
    page = client_of(manager).post(reverse("service:answer_new"), data)
    assert page.status_code == 422 and 'data-field="text"' in page.text
    assert not StandardAnswer.objects.exists()


def test_the_review_list_page_shows_only_the_answers_due(manager):
    today = timezone.localdate()
    add(manager, "Overdue one", review_on=today - datetime.timedelta(days=1))
    add(manager, "Fresh one", review_on=today + datetime.timedelta(days=30))
    page = client_of(manager).get(reverse("service:answers"), {"due": "on"})
    assert "Overdue one" in page.text and "Fresh one" not in page.text


@pytest.mark.parametrize(("who", "status"), [("agent", 200), ("rep", 200), ("other_rep", 404)])
def test_the_picker_lists_answers_for_a_ticket_the_user_sees(
    request, manager, rep, make_customer, who, status
):
    add(manager, "Sorry for the wait", text="We are sorry for the wait.", objection="time")
    add(manager, "Price match", objection="price")
    ticket = make_ticket(make_customer(rep))
    client = client_of(request.getfixturevalue(who))
    url = reverse("service:answer_picker", args=[ticket.pk])
    page = client.get(url, {"objection": "time"})
    assert page.status_code == status
    if status == 200:
        assert 'data-answer-text="We are sorry for the wait."' in page.text
        assert "Price match" not in page.text
    answer = StandardAnswer.objects.get(title="Sorry for the wait")
    used = client.post(reverse("service:answer_used", args=[ticket.pk, answer.pk]))
    assert used.status_code == (204 if status == 200 else 404)


def test_the_picker_shows_the_chinese_text_to_a_chinese_reader(manager, agent, rep, make_customer):
    add(manager, "Sorry", title_zh="致歉", text="Sorry.", text_zh="非常抱歉。")
    ticket = make_ticket(make_customer(rep))
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    page = client_of(agent).get(reverse("service:answer_picker", args=[ticket.pk]))
    assert 'data-answer-text="非常抱歉。"' in page.text and "致歉" in page.text


def test_the_answer_text_is_escaped_in_the_picker(manager, agent, rep, make_customer):
    add(manager, "Script", text='<script>alert("x")</script>')
    ticket = make_ticket(make_customer(rep))
    page = client_of(agent).get(reverse("service:answer_picker", args=[ticket.pk]))
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
