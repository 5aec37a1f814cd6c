"""Standard answers: the managers' list and form, and the picker on a ticket's reply."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import Invalid
from core.forms import add_domain_error
from service import answers
from service.models import ObjectionType, StandardAnswer
from service.survey_forms import AnswerFilterForm, StandardAnswerForm
from service.visibility import can_manage_service, get_visible_ticket

LIST_LIMIT = 200


@login_required
def answer_list(request: HttpRequest) -> HttpResponse:
    """List the standard answers, by category and objection type, or the ones due for review;
    every signed-in person reads them, managers change them."""
    user = request_user(request)
    form = AnswerFilterForm(request.GET or None)
    rows = StandardAnswer.objects.select_related("category", "owner").order_by("title")
    if form.is_valid():
        data = form.cleaned_data
        if data["due"]:
            rows = answers.due_for_review().select_related("category", "owner")
        if data["category"]:
            rows = rows.filter(category=data["category"])
        if data["objection"]:
            rows = rows.filter(objection=data["objection"])
    language = translation.get_language() or ""
    context = {
        "form": form,
        "rows": [(row, answers.title_in(row, language)) for row in rows[:LIST_LIMIT]],
        "may_manage": can_manage_service(user),
        "due_count": answers.due_for_review().count(),
        "today": timezone.localdate(),
    }
    return render(request, "service/answers.html", context)


@login_required
def answer_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Show and accept the form for a new standard answer or a change to one (managers)."""
    user = request_user(request)
    answers.check_may_manage(user)
    answer = get_object_or_404(StandardAnswer, pk=pk) if pk is not None else None
    form = StandardAnswerForm(request.POST or None, initial=_initial(answer, user))
    if request.method == "POST" and form.is_valid():
        try:
            answers.save_answer(user, answer, answers.AnswerData(**form.cleaned_data))
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Standard answer saved."))
            return redirect("service:answers")
    status = 422 if form.errors else 200
    context = {"form": form, "answer": answer}
    return render(request, "service/answer_form.html", context, status=status)


def _initial(answer: StandardAnswer | None, user: Any) -> dict[str, Any]:
    if answer is None:
        return {"owner": user, "review_on": answers.default_review_day(), "active": True}
    fields = ("title", "title_zh", "text", "text_zh", "category", "objection", "owner",
              "review_on", "active")  # fmt: skip
    return {name: getattr(answer, name) for name in fields}


@login_required
@require_POST
def answer_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a manager reviewed the answer today."""
    user = request_user(request)
    answers.mark_reviewed(user, get_object_or_404(StandardAnswer, pk=pk))
    messages.success(request, _("Marked as reviewed."))
    return redirect("service:answers")


@login_required
def answer_picker(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Return the picker's list for the ticket (the partial loads it), optionally of one
    objection type, each answer's text in the reader's language."""
    ticket = get_visible_ticket(request_user(request), ticket_id)
    objection = request.GET.get("objection", "")
    objection = objection if objection in ObjectionType.values else ""
    language = translation.get_language() or ""
    rows = [
        (row, answers.title_in(row, language), answers.text_in(row, language))
        for row in answers.answers_for(ticket, objection)[:LIST_LIMIT]
    ]
    context = {"ticket": ticket, "rows": rows, "objection": objection,
               "objections": ObjectionType.choices}  # fmt: skip
    return render(request, "service/_standard_answer_list.html", context)


@login_required
@require_POST
def answer_used(request: HttpRequest, ticket_id: int, pk: int) -> HttpResponse:
    """Count the answer as used on the ticket (once per ticket); answers with no content."""
    answers.record_use(request_user(request), pk, ticket_id)
    return HttpResponse(status=204)
