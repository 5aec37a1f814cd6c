"""Satisfaction surveys: one tokenised link after a ticket closes, answered once before it expires.

The link goes out through the one send path (engagement.services) in the customer's language
when the `ticket.closed` event arrives. Only a hash of its token is stored, so the database
alone cannot answer a survey. A forged, reused or expired token is refused with its reason
and nothing is recorded. A low score makes a callback for the customer's owner (interactions)
and, for the next scoring run, a churn-warning reason (insights.warnings).

Satisfaction is counted by customer, as the sources define it: satisfied customers (latest
answer 4–5) / customers surveyed who answered, shown with the response rate (customers who
answered / customers the link reached).
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.actors import Actor
from core.calendar import next_working_moment
from core.channels import Channel
from core.chunks import filter_in
from core.errors import DomainError, Invalid
from core.events import Event, emit
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from engagement import services as engagement
from engagement.models import Purpose
from engagement.models import Status as MessageStatus
from interactions.services import create_follow_up
from service.models import Status, Step, Survey, Ticket

# Emitted by the workflow (service.services) when a ticket closes; the survey follows it.
TICKET_CLOSED = "ticket.closed"


class SurveyEvent(StrEnum):
    SENT = "survey.sent"  # subject: the survey; data: {"ticket_id", "message_id"}
    ANSWERED = "survey.answered"  # subject: the survey; data: {"ticket_id", "csat", "nps", "low"}


CAUSE = "survey"
# The message template a company may keep for the link (engagement.MessageTemplate).
TEMPLATE = "service_survey"
CUSTOMER = Actor.of_job("customer")
CSAT_RANGE = range(1, 6)
NPS_RANGE = range(11)
SATISFIED = 4
PROMOTER, DETRACTOR = 9, 6
COMMENT_MAX = 2000
# Messages that never reached the customer: their survey was not seen, so not counted.
UNSEEN = (MessageStatus.SKIPPED, MessageStatus.FAILED)


class SurveyUnavailable(DomainError):
    """The link cannot be answered: unknown (forged), already answered, or expired."""

    def __init__(self, reason: str, message: str, status: int, language: str = "") -> None:
        super().__init__(message, "token")
        self.reason = reason
        self.status = status
        # The survey's language when the token was a real one: its page is said in it.
        self.language = language


def token_hash(token: str) -> str:
    """Return the stored form of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    """Return the link the customer opens."""
    return settings.PUBLIC_URL + reverse("service:survey", args=[token])


def on_ticket_closed(event: Event) -> None:
    """Send the closed ticket's survey (the `ticket.closed` subscriber)."""
    if event.subject_id is None:
        return
    ticket = Ticket.objects.select_related("customer").filter(pk=event.subject_id).first()
    if ticket is not None:
        send_survey(ticket)


@transaction.atomic
def send_survey(ticket: Ticket, now: datetime.datetime | None = None) -> Survey | None:
    """Send the ticket's one survey link and return its survey; None if the ticket is not
    closed (reopened since) or the send path had no room for the link.

    Once per ticket: a ticket closed again after a reopening keeps its first survey.
    """
    now = now or timezone.now()
    existing = Survey.objects.filter(ticket=ticket).first()
    if existing is not None or ticket.status != Status.CLOSED:
        return existing
    customer = ticket.customer
    token = secrets.token_urlsafe(32)
    survey = Survey.objects.create(
        ticket=ticket, token_hash=token_hash(token), sent_at=now, language=customer.language,
        expires_at=now + datetime.timedelta(days=settings.SURVEY_VALID_DAYS),
    )  # fmt: skip
    channel = _channel(customer.email)
    # A kept template (needed for SMS providers that send approved templates only) says it
    # with the case's number as {occasion} and the link as {link}; else the built-in text.
    template = engagement.find_template(TEMPLATE, channel, survey.language)
    message = engagement.send(
        None, customer, channel, Purpose.SERVICE,
        template_code=TEMPLATE if template else "",
        text="" if template else _invitation(ticket, survey, token),
        occasion={"occasion": ticket.number, "link": survey_url(token)} if template else None,
        cause=engagement.Cause(CAUSE, survey.pk), occasion_date=_occasion(ticket, now), now=now,
    )  # fmt: skip
    if message.cause_kind != CAUSE or message.cause_id != survey.pk:
        # The customer's service message of that day on that channel was already another
        # one (the send path keeps one per key): this link never went out, so no survey.
        survey.delete()
        return None
    Survey.objects.filter(pk=survey.pk).update(message=message)
    survey.message = message
    Step.objects.create(
        ticket=ticket, action="survey_sent", status=ticket.status, at=now, actor_label="system"
    )
    emit(SurveyEvent.SENT, Actor.of_job("survey"), customer_id=customer.pk, subject_id=survey.pk,
         data={"ticket_id": ticket.pk, "message_id": message.pk})  # fmt: skip
    return survey


def _channel(email: str) -> str:
    """Return the channel the link goes by: e-mail where the customer has one, else SMS."""
    return Channel.EMAIL if "@" in email else Channel.SMS


def _occasion(ticket: Ticket, now: datetime.datetime) -> datetime.date:
    """Return the day the link's message is keyed under: the day after the closing, so that
    it never takes the place of the closing notice the workflow sends that day."""
    closed = ticket.closed_at or now
    return timezone.localdate(closed) + datetime.timedelta(days=1)


def _invitation(ticket: Ticket, survey: Survey, token: str) -> str:
    """Return the message in the customer's language; {name} is the send path's placeholder."""
    # Values put into a send-path text must not read as placeholders.
    number = ticket.number.replace("{", "(").replace("}", ")")
    with translation.override(survey.language):
        until = date_format(timezone.localdate(survey.expires_at), "SHORT_DATE_FORMAT")
        return _(
            "Dear {name}, your case %(number)s is closed. How satisfied are you with how we "
            "handled it? One minute: %(link)s (open until %(until)s)"
        ) % {"number": number, "link": survey_url(token), "until": until}


def open_survey(token: str, now: datetime.datetime | None = None) -> Survey:
    """Return the survey the token opens, or refuse: unknown, answered or expired."""
    now = now or timezone.now()
    survey = (
        Survey.objects.select_related("ticket__customer")
        .filter(token_hash=token_hash(token))
        .first()
        if 20 <= len(token) <= 100
        else None
    )
    if survey is None:
        raise SurveyUnavailable(
            "unknown", _("This survey link is not valid. Please use the link in our message."),
            404,
        )  # fmt: skip
    if survey.answered_at is not None:
        raise SurveyUnavailable(
            "answered", _("This survey has already been answered. Thank you!"), 409,
            survey.language,
        )  # fmt: skip
    if survey.expires_at <= now:
        raise SurveyUnavailable("expired", _("This survey link has expired."), 410, survey.language)
    return survey


@dataclass(frozen=True)
class Answer:
    csat: int
    nps: int
    comment: str = ""


def check_answer(answer: Answer) -> Answer:
    """Refuse scores out of range or an oversized comment, naming the field; return the
    answer with its comment trimmed."""
    if answer.csat not in CSAT_RANGE:
        raise Invalid(_("Choose a satisfaction score from 1 to 5."), "csat")
    if answer.nps not in NPS_RANGE:
        raise Invalid(_("Choose a score from 0 to 10."), "nps")
    comment = answer.comment.replace("\x00", "").strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid(
            _("Keep the comment to %(max)d characters.") % {"max": COMMENT_MAX}, "comment"
        )
    return Answer(answer.csat, answer.nps, comment)


def is_low(csat: int | None, nps: int | None) -> bool:
    """Return whether an answer is a low score (SURVEY_LOW_CSAT, SURVEY_LOW_NPS)."""
    return (csat is not None and csat <= settings.SURVEY_LOW_CSAT) or (
        nps is not None and nps <= settings.SURVEY_LOW_NPS
    )


@transaction.atomic
def answer_survey(token: str, answer: Answer, now: datetime.datetime | None = None) -> Survey:
    """Record the customer's answer once and return the survey; refuse a bad token or answer.

    The answer is written only while the survey is still unanswered (a conditional update),
    so two submissions at once record one answer and refuse the other.
    """
    now = now or timezone.now()
    survey = open_survey(token, now)
    answer = check_answer(answer)
    written = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
        answered_at=now, csat=answer.csat, nps=answer.nps, comment=answer.comment
    )
    if not written:
        raise SurveyUnavailable(
            "answered", _("This survey has already been answered. Thank you!"), 409
        )
    survey.refresh_from_db()
    ticket = survey.ticket
    note = f"CSAT {answer.csat}/5 · NPS {answer.nps}/10"
    Step.objects.create(
        ticket=ticket, action="survey_answered", status=ticket.status, at=now,
        actor_label="customer", note=note,
    )  # fmt: skip
    low = is_low(answer.csat, answer.nps)
    data = {"ticket_id": ticket.pk, "csat": answer.csat, "nps": answer.nps, "low": low}
    customer_id = ticket.customer_id
    emit(SurveyEvent.ANSWERED, CUSTOMER, customer_id=customer_id, subject_id=survey.pk, data=data)
    if low:
        _plan_callback(survey, now)
    return survey


def _plan_callback(survey: Survey, now: datetime.datetime) -> None:
    """Give the customer's owner a callback on the next working moment, in their language."""
    ticket = survey.ticket
    customer = ticket.customer
    owner = customer.owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        note = _("Call back: rated case %(number)s %(csat)d/5, recommend %(nps)d/10. %(comment)s")
        text = note % {
            "number": ticket.number, "csat": survey.csat, "nps": survey.nps,
            "comment": survey.comment,
        }  # fmt: skip
    due = timezone.localdate(next_working_moment(now))
    create_follow_up(owner, customer, due, text[:300].strip())


@dataclass(frozen=True)
class Satisfaction:
    """Satisfaction by customer: each customer counted once, by their latest answer."""

    surveyed: int  # customers the link reached
    answered: int
    satisfied: int  # latest CSAT 4–5
    promoters: int  # latest NPS 9–10
    detractors: int  # latest NPS 0–6

    @property
    def rate(self) -> float | None:
        """Return satisfied / answered (满意客户数 / 调查客户数), None without answers."""
        return self.satisfied / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        """Return answered / surveyed, None when nobody was surveyed."""
        return self.answered / self.surveyed if self.surveyed else None

    @property
    def nps(self) -> float | None:
        """Return the net promoter score (% promoters − % detractors), None without answers."""
        if not self.answered:
            return None
        return 100 * (self.promoters - self.detractors) / self.answered


def reached(surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """Return the surveys whose link reached the customer (its message not skipped or failed)."""
    return surveys.filter(message__isnull=False).exclude(message__status__in=UNSEEN)


def satisfaction(surveys: QuerySet[Survey]) -> Satisfaction:
    """Return the satisfaction of the surveys given (e.g. filtered by period, agent, category)."""
    seen = reached(surveys)
    surveyed = seen.values("ticket__customer_id").distinct().count()
    latest = _latest_answers(seen)
    answers = [(csat, nps) for csat, nps, _pk in latest.values()]
    return Satisfaction(
        surveyed=surveyed, answered=len(answers),
        satisfied=sum(1 for csat, _nps in answers if csat >= SATISFIED),
        promoters=sum(1 for _csat, nps in answers if nps >= PROMOTER),
        detractors=sum(1 for _csat, nps in answers if nps <= DETRACTOR),
    )  # fmt: skip


def _latest_answers(surveys: QuerySet[Survey]) -> dict[int, tuple[int, int, int]]:
    """Return each customer's latest answer among the surveys: {customer id: (csat, nps,
    survey id)}. Only numbers are read: converting 100,000 moments cost most of the time."""
    answered = surveys.filter(answered_at__isnull=False, csat__isnull=False, nps__isnull=False)
    latest: dict[int, tuple[int, int, int]] = {}
    for customer_id, csat, nps, pk in answered.order_by("answered_at", "pk").values_list(
        "ticket__customer_id", "csat", "nps", "pk"
    ):
        if csat is not None and nps is not None:  # always, by the filter
            latest[customer_id] = (csat, nps, pk)
    return latest


# The churn-warning reason (insights.warnings) ------------------------------------------


def low_satisfaction() -> dict[int, dict[str, Any]]:
    """Return the customers whose latest answer in the last SURVEY_WARNING_DAYS was a low
    score, {customer id: the warning's parameters} (read before scoring flags reasons).

    Counted back from now, not from the run's as-of date: answers are not back-dated, and a
    run for a past date asks what is known today.
    """
    since = timezone.now() - datetime.timedelta(days=settings.SURVEY_WARNING_DAYS)
    latest = _latest_answers(Survey.objects.filter(answered_at__gte=since))
    low = {key: value for key, value in latest.items() if is_low(value[0], value[1])}
    details = {
        survey.pk: survey
        for survey in filter_in(
            Survey.objects.select_related("ticket").only("answered_at", "ticket__number"),
            "pk", (pk for _csat, _nps, pk in low.values()),
        )
    }  # fmt: skip
    facts = {}
    for customer_id, (csat, nps, pk) in low.items():
        survey = details[pk]
        assert survey.answered_at is not None  # by the filter
        day = timezone.localdate(survey.answered_at).isoformat()
        facts[customer_id] = {"csat": csat, "nps": nps, "ticket": survey.ticket.number, "on": day}
    return facts


def describe_low_satisfaction(params: dict[str, Any]) -> str:
    day = parse_date(params["on"])
    return _("Rated case %(ticket)s %(csat)d/5 (would recommend %(nps)d/10) on %(on)s.") % {
        **params,
        "on": date_format(day, "SHORT_DATE_FORMAT") if day else params["on"],
    }


# A person's data and its erasure (customers.extensions) -------------------------------

SURVEY_COLUMNS = ("id", "ticket__number", "sent_at", "expires_at", "answered_at", "csat", "nps",
                  "comment")  # fmt: skip


def personal_data(customer: Customer) -> list[PersonalDataSection]:
    """Return the customer's surveys with their answers."""
    rows = Survey.objects.filter(ticket__customer=customer).order_by("sent_at", "pk")
    return [PersonalDataSection("surveys", SURVEY_COLUMNS, list(rows.values(*SURVEY_COLUMNS)))]


def erase_comments(customer: Customer, values: PersonalValues) -> list[Path]:
    """Blank what the customer wrote in their answers; the scores stay (satisfaction figures)."""
    del values  # nothing of the person's identifying values is kept apart from the comment
    Survey.objects.filter(ticket__customer=customer).update(comment="")
    return []
