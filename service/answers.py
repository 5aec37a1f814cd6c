"""Standard answers (标准答复): kept by managers, picked into a ticket's reply, counted, reviewed.

An answer speaks to a category of the ticket tree, an objection type (price, product,
service, time, trust), or both, in English and Chinese. Each has an owner and a date by
which it is reviewed again; the answers past that date make the review list. A use is
counted once per ticket however often it is clicked, so a retried click counts nothing twice.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.actors import actor_for
from core.errors import Forbidden, Invalid, NotFound
from core.events import emit
from customers.models import Language
from service.models import Category, ObjectionType, StandardAnswer, StandardAnswerUse, Ticket
from service.visibility import can_manage_service, visible_tickets


class AnswerEvent(StrEnum):
    # subject: the standard answer
    CREATED = "standard_answer.created"
    CHANGED = "standard_answer.changed"
    REVIEWED = "standard_answer.reviewed"


@dataclass(frozen=True)
class AnswerData:
    """What a manager enters for a standard answer."""

    title: str
    text: str
    owner: User
    title_zh: str = ""
    text_zh: str = ""
    category: Category | None = None
    objection: str = ""
    review_on: datetime.date | None = None
    active: bool = True


def check_may_manage(actor: User) -> None:
    """Refuse anyone but a manager or an admin."""
    if not can_manage_service(actor):
        raise Forbidden(_("Only managers keep the standard answers."))


def _checked(data: AnswerData) -> AnswerData:
    if not data.title.strip():
        raise Invalid(_("Enter a title."), "title")
    if not (data.text.strip() or data.text_zh.strip()):
        raise Invalid(_("Enter the answer in English or in Chinese."), "text")
    if data.objection and data.objection not in ObjectionType.values:
        raise Invalid(_("Choose a valid objection type."), "objection")
    if not data.owner.is_active:
        raise Invalid(_("The owner must be an active user."), "owner")
    return data


def default_review_day(today: datetime.date | None = None) -> datetime.date:
    """Return the day a new or just-reviewed answer is next due for review."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.STANDARD_ANSWER_REVIEW_DAYS)


@transaction.atomic
def save_answer(actor: User, answer: StandardAnswer | None, data: AnswerData) -> StandardAnswer:
    """Create the answer (None) or change it; return it."""
    check_may_manage(actor)
    data = _checked(data)
    answer = answer or StandardAnswer()
    created = answer.pk is None
    answer.title, answer.title_zh = data.title.strip(), data.title_zh.strip()
    answer.text, answer.text_zh = data.text.strip(), data.text_zh.strip()
    answer.category, answer.objection, answer.owner = data.category, data.objection, data.owner
    answer.active = data.active
    answer.review_on = data.review_on or answer.review_on or default_review_day()
    answer.save()
    kind = AnswerEvent.CREATED if created else AnswerEvent.CHANGED
    emit(kind, actor_for(actor), subject_id=answer.pk)
    return answer


@transaction.atomic
def mark_reviewed(actor: User, answer: StandardAnswer) -> StandardAnswer:
    """Record that the answer was reviewed today: its next review is a period away."""
    check_may_manage(actor)
    answer.review_on = default_review_day()
    answer.save(update_fields=["review_on", "updated_at"])
    emit(AnswerEvent.REVIEWED, actor_for(actor), subject_id=answer.pk)
    return answer


def due_for_review(today: datetime.date | None = None) -> QuerySet[StandardAnswer]:
    """Return the active answers whose review day has come, the longest overdue first."""
    today = today or timezone.localdate()
    return StandardAnswer.objects.filter(active=True, review_on__lte=today).order_by("review_on")


def answers_for(ticket: Ticket, objection: str = "") -> QuerySet[StandardAnswer]:
    """Return the active answers for the ticket: its category's (and its parent's) first,
    then the general ones; only one objection type's when given; the most used first."""
    categories = [ticket.category_id] if ticket.category_id else []
    if ticket.category is not None and ticket.category.parent_id:
        categories.append(ticket.category.parent_id)
    answers = StandardAnswer.objects.filter(active=True).filter(
        Q(category__isnull=True) | Q(category_id__in=categories)
    )
    if objection:
        answers = answers.filter(objection=objection)
    return answers.order_by(F("category_id").desc(nulls_last=True), "-usage_count", "title")


def text_in(answer: StandardAnswer, language: str) -> str:
    """Return the answer's text in the language, or in the other one when it has none."""
    chinese = language == Language.CHINESE
    first, second = (answer.text_zh, answer.text) if chinese else (answer.text, answer.text_zh)
    return first or second


def title_in(answer: StandardAnswer, language: str) -> str:
    """Return the answer's title in the language (the English one when no Chinese)."""
    return answer.title_zh if language == Language.CHINESE and answer.title_zh else answer.title


def record_use(actor: User, answer_id: int, ticket_id: int) -> bool:
    """Count the answer as used on the ticket, once per ticket; return whether it was new."""
    ticket = visible_tickets(actor).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("No such ticket."), "ticket_id")
    if not StandardAnswer.objects.filter(pk=answer_id, active=True).exists():
        raise NotFound(_("No such standard answer."), "answer_id")
    try:
        with transaction.atomic():
            StandardAnswerUse.objects.create(answer_id=answer_id, ticket=ticket, used_by=actor)
            StandardAnswer.objects.filter(pk=answer_id).update(usage_count=F("usage_count") + 1)
    except IntegrityError:
        return False  # used on this ticket before: counted then
    return True
