"""The customer's survey page: opened by the link's token, without an account."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import Invalid
from core.forms import add_domain_error
from customers.models import Language
from service import surveys
from service.survey_forms import SurveyForm


def _language(request: HttpRequest, survey_language: str = "") -> str:
    """Return the page's language: the one asked for (?lang=, then the language switch's
    cookie), else the language the link went out in, else the request's."""
    for chosen in (request.GET.get("lang"), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        if chosen in Language.values:
            return str(chosen)
    return survey_language or translation.get_language() or settings.LANGUAGE_CODE


# The token in the address is the credential; a page a proxy kept could show another
# visitor the form, so nothing is cached.
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey (GET: never records, mail scanners open links) and take the answer."""
    try:
        found = surveys.open_survey(token)
    except surveys.SurveyUnavailable as error:
        return _unavailable(request, error)
    language = _language(request, found.language)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answer = surveys.Answer(**form.cleaned_data)
        try:
            surveys.answer_survey(token, answer)
        except surveys.SurveyUnavailable as error:
            return _unavailable(request, error)
        except Invalid as error:
            add_domain_error(form, error)
        else:
            return render(request, "service/survey_thanks.html", {"language": language})
    context = {"form": form, "ticket": found.ticket, "language": language}
    return render(request, "service/survey.html", context, status=422 if form.errors else 200)


def _unavailable(request: HttpRequest, error: surveys.SurveyUnavailable) -> HttpResponse:
    """Answer a link that cannot be answered, in the survey's language when it is known."""
    language = _language(request, error.language)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    # The template says the reason in the page's language (the error is in the request's).
    context = {"reason": error.reason, "language": language}
    return render(request, "service/survey_unavailable.html", context, status=error.status)
