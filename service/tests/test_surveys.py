"""Satisfaction surveys: sent once after closure through the send path, answered once by
token before expiry, low scores making a callback and a churn-warning reason, and the
satisfaction figure by customer with its response rate."""

import datetime
import secrets

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.channels import Channel
from core.errors import Invalid
from core.events import subscribers_of
from core.models import OutboxEvent
from customers.erasure import erase_customer
from engagement import services as engagement
from engagement.models import Message, MessageTemplate, Purpose, SkipReason
from engagement.models import Status as MessageStatus
from insights import warnings
from insights.services import config
from insights.warnings import ScoredBase, evaluate, prepare_reasons, warning_reasons
from interactions.models import FollowUp
from service import surveys
from service.models import Status, Step, Survey
from service.surveys import Answer, SurveyUnavailable
from service.tests.surveys_support import close, make_ticket, token_of

pytestmark = pytest.mark.django_db


def closed_and_surveyed(customer, **fields):
    """Return a closed ticket, its survey and the link's token."""
    ticket = make_ticket(customer, **fields)
    close(ticket)
    survey = Survey.objects.get(ticket=ticket)
    return ticket, survey, token_of(survey.message)


def snapshot():
    """Return everything an answer would change."""
    return (
        list(Survey.objects.values_list("pk", "answered_at", "csat", "nps", "comment")),
        FollowUp.objects.count(),
        OutboxEvent.objects.filter(kind=surveys.SurveyEvent.ANSWERED).count(),
        Step.objects.filter(action="survey_answered").count(),
    )


def test_the_survey_subscribes_to_closed_tickets_and_adds_a_warning_reason():
    assert "service.send_survey" in dict(subscribers_of(surveys.TICKET_CLOSED))
    assert "low_satisfaction" in warning_reasons


def test_closing_sends_one_link_by_sms_in_the_customers_language(rep, make_customer):
    customer = make_customer(rep, name="Wang Fang", language="zh-hans")
    ticket, survey, token = closed_and_surveyed(customer)
    message = survey.message
    assert message.channel == Channel.SMS and message.purpose == Purpose.SERVICE
    assert (message.cause_kind, message.cause_id) == ("survey", survey.pk)
    assert message.text.startswith("Wang Fang")  # {name} filled by the send path
    assert "满意" in message.text and ticket.number in message.text
    assert survey.language == "zh-hans"
    assert survey.expires_at - survey.sent_at == datetime.timedelta(days=14)
    # Only the hash is stored: the database alone cannot answer the survey.
    assert token not in survey.token_hash and survey.token_hash == surveys.token_hash(token)
    assert Step.objects.filter(ticket=ticket, action="survey_sent").count() == 1


def test_a_customer_with_an_email_address_gets_the_link_by_email_in_english(rep, make_customer):
    customer = make_customer(rep, email="li@example.com", language="en")
    _ticket, survey, _token = closed_and_surveyed(customer)
    assert survey.message.channel == Channel.EMAIL
    assert "How satisfied are you" in survey.message.text


def test_a_kept_template_says_it_with_the_case_number_and_the_link(rep, make_customer):
    # An SMS provider sending approved templates only needs one: {occasion} and {link}.
    MessageTemplate.objects.create(
        code=surveys.TEMPLATE, channel=Channel.SMS, language="zh-hans",
        body="{name}：案例{occasion}已结案，请评价 {link}",
    )  # fmt: skip
    customer = make_customer(rep, name="Wang Fang", language="zh-hans")
    ticket, survey, token = closed_and_surveyed(customer)
    assert survey.message.template == surveys.TEMPLATE
    assert survey.message.text == (
        f"Wang Fang：案例{ticket.number}已结案，请评价 {surveys.survey_url(token)}"
    )
    surveys.answer_survey(token, Answer(csat=5, nps=10))


def test_the_survey_goes_once_per_ticket(rep, make_customer):
    customer = make_customer(rep)
    ticket, survey, _token = closed_and_surveyed(customer)
    close(ticket)  # delivered again, or closed again after a reopening
    assert surveys.send_survey(ticket) == survey
    assert Survey.objects.count() == 1
    assert Message.objects.filter(cause_kind="survey").count() == 1


def test_a_ticket_reopened_before_the_event_arrives_gets_no_survey(rep, make_customer):
    ticket = make_ticket(make_customer(rep), status=Status.ACKNOWLEDGED)
    close(ticket)
    assert not Survey.objects.exists()


def test_no_survey_when_the_send_path_has_no_room_for_the_link(rep, make_customer):
    customer = make_customer(rep)
    ticket = make_ticket(customer)
    # The customer's service message on the link's key was already another one.
    occasion = timezone.localdate(ticket.closed_at) + datetime.timedelta(days=1)
    engagement.send(None, customer, Channel.SMS, Purpose.SERVICE, text="Your parcel left.",
                    occasion_date=occasion)  # fmt: skip
    close(ticket)
    assert not Survey.objects.exists()


def test_an_answer_is_recorded_once_with_its_step_and_event(rep, make_customer):
    ticket, survey, token = closed_and_surveyed(make_customer(rep))
    surveys.answer_survey(token, Answer(csat=5, nps=9, comment="  Quick and kind. "))
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (5, 9, "Quick and kind.")
    assert survey.answered_at is not None
    step = Step.objects.get(ticket=ticket, action="survey_answered")
    assert step.actor_label == "customer" and step.note == "CSAT 5/5 · NPS 9/10"
    event = OutboxEvent.objects.get(kind=surveys.SurveyEvent.ANSWERED)
    assert event.data == {"ticket_id": ticket.pk, "csat": 5, "nps": 9, "low": False}
    assert not FollowUp.objects.exists()  # a good score needs no callback


def test_a_low_score_gives_the_owner_a_callback_and_the_customer_a_warning_reason(
    rep, make_customer
):
    customer = make_customer(rep)
    ticket, _survey, token = closed_and_surveyed(customer)
    surveys.answer_survey(token, Answer(csat=2, nps=8, comment="Nobody called back."))
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == rep and follow_up.customer == customer
    assert ticket.number in follow_up.note and "Nobody called back." in follow_up.note
    assert follow_up.due_on >= timezone.localdate()
    other = make_customer(rep)
    base = ScoredBase(
        customer_id=np.array([other.pk, customer.pk]), churn_risk=np.array([0.1, 0.1]),
        previous_churn_risk=np.full(2, np.nan), purchase_count=np.full(2, 2),
        typical_interval_days=np.full(2, 30.0), days_since_last=np.full(2, 10),
        period_spend=np.ones((2, 4)), period_visits=np.ones((2, 4)), settings=config(),
    )  # fmt: skip
    prepare_reasons()  # as scoring does before it flags, in the parent
    flagged = evaluate(base)
    assert list(flagged) == [1]
    reason = flagged[1][0]
    assert reason["code"] == "low_satisfaction"
    assert reason["params"]["csat"] == 2 and reason["params"]["ticket"] == ticket.number
    with translation.override("en"):
        assert warnings.describe(reason).startswith(f"Rated case {ticket.number} 2/5")


def test_a_later_good_answer_takes_the_warning_reason_away(rep, make_customer):
    customer = make_customer(rep)
    _ticket, _survey, low = closed_and_surveyed(customer)
    surveys.answer_survey(low, Answer(csat=1, nps=0))
    _ticket, _survey, good = closed_and_surveyed(
        customer, closed_at=timezone.now() + datetime.timedelta(days=2)
    )
    surveys.answer_survey(good, Answer(csat=5, nps=10))
    assert surveys.low_satisfaction() == {}


# Token safety ------------------------------------------------------------------------


def test_a_forged_token_is_refused_and_records_nothing(rep, make_customer):
    closed_and_surveyed(make_customer(rep))
    before = snapshot()
    for forged in (secrets.token_urlsafe(32), "x", "a" * 500, "' OR 1=1 --"):
        with pytest.raises(SurveyUnavailable) as refused:
            surveys.answer_survey(forged, Answer(csat=5, nps=10))
        assert refused.value.reason == "unknown" and refused.value.status == 404
    assert snapshot() == before


def test_a_reused_token_is_refused_and_the_first_answer_stays(rep, make_customer):
    _ticket, survey, token = closed_and_surveyed(make_customer(rep))
    surveys.answer_survey(token, Answer(csat=4, nps=8))
    before = snapshot()
    with pytest.raises(SurveyUnavailable) as refused:
        surveys.answer_survey(token, Answer(csat=1, nps=0, comment="changed my mind"))
    assert refused.value.reason == "answered" and refused.value.status == 409
    assert snapshot() == before
    survey.refresh_from_db()
    assert (survey.csat, survey.nps) == (4, 8)


def test_an_expired_token_is_refused_and_records_nothing(rep, make_customer):
    _ticket, survey, token = closed_and_surveyed(make_customer(rep))
    before = snapshot()
    later = survey.expires_at + datetime.timedelta(seconds=1)
    with pytest.raises(SurveyUnavailable) as refused:
        surveys.answer_survey(token, Answer(csat=5, nps=10), now=later)
    assert refused.value.reason == "expired" and refused.value.status == 410
    assert snapshot() == before


def test_a_token_answers_its_own_ticket_only(rep, make_customer):
    first, first_survey, _first_token = closed_and_surveyed(make_customer(rep))
    second, second_survey, second_token = closed_and_surveyed(make_customer(rep))
    surveys.answer_survey(second_token, Answer(csat=3, nps=7))
    first_survey.refresh_from_db()
    second_survey.refresh_from_db()
    assert first_survey.answered_at is None and second_survey.csat == 3
    assert not Step.objects.filter(ticket=first, action="survey_answered").exists()
    assert Step.objects.filter(ticket=second, action="survey_answered").exists()


@pytest.mark.parametrize(
    ("answer", "field"),
    [(Answer(0, 5), "csat"), (Answer(6, 5), "csat"), (Answer(3, 11), "nps"),
     (Answer(3, -1), "nps"), (Answer(3, 5, "x" * 2001), "comment")],
)  # fmt: skip
def test_a_bad_answer_names_its_field_and_records_nothing(rep, make_customer, answer, field):
    _ticket, _survey, token = closed_and_surveyed(make_customer(rep))
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        surveys.answer_survey(token, answer)
    assert refused.value.field == field
    assert snapshot() == before


# The page, without an account ------------------------------------------------------------


def test_the_page_opens_in_the_customers_language_and_records_only_on_post(rep, make_customer):
    customer = make_customer(rep, language="zh-hans")
    _ticket, survey, token = closed_and_surveyed(customer)
    url = reverse("service:survey", args=[token])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "您对我们处理此案例的满意程度如何" in page.text
    assert "no-cache" in page["Cache-Control"]
    assert Client().get(url + "?lang=en").text.count("How satisfied are you") == 1
    survey.refresh_from_db()
    assert survey.answered_at is None  # opening the link records nothing
    done = client.post(url, {"csat": "4", "nps": "9", "comment": "好"})
    assert done.status_code == 200 and "谢谢" in done.text
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (4, 9, "好")


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [("forged", 404, "not valid"), ("reused", 409, "already been answered"),
     ("expired", 410, "has expired")],
)  # fmt: skip
def test_the_page_answers_a_bad_link_clearly_and_records_nothing(
    rep, make_customer, case, status, words
):
    _ticket, survey, token = closed_and_surveyed(make_customer(rep, language="en"))
    if case == "reused":
        surveys.answer_survey(token, Answer(csat=4, nps=8))
    if case == "expired":
        Survey.objects.filter(pk=survey.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    if case == "forged":
        token = secrets.token_urlsafe(32)
    before = snapshot()
    url = reverse("service:survey", args=[token])
    client = Client()
    for response in (client.get(url), client.post(url, {"csat": "1", "nps": "0"})):
        assert response.status_code == status
        assert words in response.text and 'id="survey-form"' not in response.text
    assert snapshot() == before


def test_the_page_refuses_a_missing_score_naming_it(rep, make_customer):
    _ticket, _survey, token = closed_and_surveyed(make_customer(rep, language="en"))
    before = snapshot()
    response = Client().post(reverse("service:survey", args=[token]), {"csat": "4"})
    assert response.status_code == 422 and 'data-field="nps"' in response.text
    assert snapshot() == before


# The figure ---------------------------------------------------------------------------


def test_satisfaction_counts_customers_by_their_latest_answer_and_the_response_rate(
    rep, make_customer
):
    pleased, unhappy, silent = (make_customer(rep) for _ in range(3))
    _t, _s, first = closed_and_surveyed(pleased)
    surveys.answer_survey(first, Answer(csat=2, nps=5))
    _t, _s, second = closed_and_surveyed(
        pleased, closed_at=timezone.now() + datetime.timedelta(days=3)
    )
    surveys.answer_survey(second, Answer(csat=5, nps=10))  # the latest answer counts
    _t, _s, third = closed_and_surveyed(unhappy)
    surveys.answer_survey(third, Answer(csat=3, nps=7))
    closed_and_surveyed(silent)
    figure = surveys.satisfaction(Survey.objects.all())
    assert (figure.surveyed, figure.answered, figure.satisfied) == (3, 2, 1)
    assert figure.rate == 0.5 and figure.response_rate == pytest.approx(2 / 3)
    assert (figure.promoters, figure.detractors, figure.nps) == (1, 0, 50.0)


def test_a_link_that_never_reached_the_customer_is_not_counted_as_surveyed(rep, make_customer):
    customer = make_customer(rep)
    _ticket, survey, _token = closed_and_surveyed(customer)
    Message.objects.filter(pk=survey.message_id).update(
        status=MessageStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT
    )
    figure = surveys.satisfaction(Survey.objects.all())
    assert (figure.surveyed, figure.answered, figure.rate, figure.response_rate) == (
        0, 0, None, None,
    )  # fmt: skip


def test_a_persons_data_holds_their_answers_and_an_erasure_blanks_the_comment(
    rep, admin_user, make_customer
):
    customer = make_customer(rep)
    ticket, survey, token = closed_and_surveyed(customer)
    surveys.answer_survey(token, Answer(csat=2, nps=3, comment="Call me on 13800138000"))
    (section,) = surveys.personal_data(customer)
    assert section.rows[0]["comment"] == "Call me on 13800138000"
    assert section.rows[0]["ticket__number"] == ticket.number
    erase_customer(admin_user, customer, "asked to be forgotten")
    survey.refresh_from_db()
    assert survey.comment == "" and (survey.csat, survey.nps) == (2, 3)
